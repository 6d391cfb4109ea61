"""bench.run_all's table and README writing (formatting only: nothing here is timed)."""
import subprocess
import sys
from pathlib import Path

from bench import readme, summary

ROOT = Path(__file__).resolve().parents[1]


def _record(mode: str, rows) -> dict:
    run = {"command": f"python -m bench.query{' --quick' if mode == 'quick' else ''}", "seconds": 60.0,
           "load": [1.0, 1.5], "log": "bench/out/logs/query.log", "status": "ok", "result": None}
    return {"mode": mode, "started": "2026-01-01 00:00 UTC", "minutes": 1.0, "cores": 2, "only": None,
            "runs": {"query": run}, "rows": rows}


def _query_result() -> dict:
    q = {"keyword": {"rows": 10, "live_s": 0.11, "files_s": 0.1, "ideal_s": 0.1, "ratio": 1.1, "ratio_files": 1.0},
         "per_day": {"rows": 180, "live_s": 0.3, "files_s": 0.2, "ideal_s": 0.1, "ratio": 3.0, "ratio_files": 2.0}}
    shape = {"articles": 1000, "days": 180, "files": 3, "row_groups": 9, "bytes": 2e6, "codec": "SNAPPY",
             "ideal_bytes": 1e6, "ideal": {"codec": "ZSTD", "row_groups": 9}, "connect_s": 0.2, "queries": q}
    return {"measured_at": "2026-01-01 00:00 UTC", "articles": 1000, "days": 180, "per_day": 5,
            "build": {"commit_median_s": 0.09, "commit_first60_s": 0.08, "commit_last60_s": 0.1},
            "compact": {"seconds": 15.0, "data_files_before": 720, "data_files_after": 4},
            "shapes": [shape | {"layout": "180 commits"}, shape | {"layout": "compacted"}]}


def test_query_rows_judge_the_goal():
    rows = summary.query_rows(_query_result())
    assert [r[-1] for r in rows] == ["met", "NOT met"] * 2
    assert rows[1][4] == "3.00×" and rows[1][5] == "≤ 1.1×"
    assert "compacted (3 files)" in rows[3][1]


def _store_result(archive_s: float) -> dict:
    med = {"seconds": 1.0, "open_s": 0.3, "publish_s": 0.7, "cpu_s": 1.2, "stage_s": 0.5, "run_s": 1.5,
           "peak_rss_mib": 300.0}
    return {"measured_at": "2026-01-01 00:00 UTC",
            "hash": {"docs_per_s": 31_000, "nfkc_docs_per_s": 6_000}, "minhash": {"docs_per_s": 2_000},
            "archive": {"docs": 1_000_000, "commits": 20, "commit_median_s": 0.8},
            "index": {"archived": 1_000_000, "files": 20, "resident_bytes": 1.3e8, "disk_bytes": 3.08e8},
            "datasketch": {"docs": 50_000, "resident_bytes": 1.8e8},
            "ratio": {"new": 1000, "reps": 7, "empty_s": 1.0, "archive_s": archive_s, "run_empty_s": 1.5,
                      "run_archive_s": 1.6, "medians": {"empty": med, "archive": med | {"seconds": archive_s}}},
            "big": {"staged": 105_000, "articles": 100_000, "seconds": 80.0, "batches": 6, "exact_duplicates": 5_000,
                    "near_duplicates": 5_000, "peak_rss_mib": 1500.0}}


def test_store_rows_judge_the_publish_ratio():
    met = summary.store_rows(_store_result(1.4))
    publish = [r for r in met if r[1].startswith("publish of 1,000")]
    assert publish and publish[0][4] == "1.40×" and publish[0][-1] == "met"
    assert [r for r in summary.store_rows(_store_result(1.6)) if r[1].startswith("publish of")][0][-1] == "NOT met"
    assert any(r[1].startswith("↳ 1,000-article run") and r[-1] == "met" for r in met)


def test_s3_rows_compare_every_way_with_the_local_publish():
    ways = {k: {"seconds": s, "open_s": 0.3, "publish_s": s - 0.3, "peak_rss_mib": 300.0} for k, s in
            (("local", 1.0), ("local+pg", 1.1), ("seaweed+sqlite", 1.3), ("seaweed+pg", 1.5), ("moto+sqlite", 1.2))}
    res = {"measured_at": "2026-01-01 00:00 UTC", "new": 1000, "reps": 5, "seaweedfs": "SeaweedFS 4.48",
           "seaweed_start_s": 3.0, "ways": ways, "ratios_to_local": {k: v["seconds"] for k, v in ways.items()}}
    rows = summary.s3_rows(res)
    assert [r[4] for r in rows] == ["1.50×", "1.30×", "1.10×", "1.20×"]
    assert "SeaweedFS" in rows[0][1] and all(r[-1] == "–" for r in rows)
    assert "| SeaweedFS (S3) | PostgreSQL | 1.50 |" in readme.s3(res)


def test_full_run_sections_render():
    query, store = readme.query(_query_result()), readme.store(_store_result(1.2))
    assert "| compacted |" in query and "**3.00×**" in query
    assert "1,000,000 articles" in store and "NOT met" not in store.split("| 1,000-article publish")[1].split("\n")[0]


def test_markdown_table_escapes_pipes():
    md = summary.markdown([("query", "a | b", "1", "2", "0.50×", "–", "–")])
    lines = md.splitlines()
    assert lines[0].startswith("| stage | measure |") and len(lines) == 3
    assert "a \\| b" in lines[2]


def test_summary_keeps_the_other_modes_table_and_the_stage_sections(tmp_path):
    path = tmp_path / "README.md"
    path.write_text("# Benchmarks\n\n## Crawl\n\nhand-written\n", encoding="utf-8")
    full = [("query", "per-day", "3 ms", "1 ms", "3.00×", "≤ 1.2×", "NOT met")]
    quick = [("query", "per-day", "2 ms", "1 ms", "2.00×", "≤ 1.2×", "NOT met")]
    readme.update(_record("full", full), path)
    readme.update(_record("quick", quick), path)
    readme.update(_record("quick", quick), path)          # rewriting is idempotent
    text = path.read_text(encoding="utf-8")
    assert text.index("## Summary") < text.index("## Crawl") and "hand-written" in text
    assert text.count("### Full run") == 1 and text.count("### Quick run") == 1
    assert "| 3 ms |" in text and "| 2 ms |" in text
    assert "`make bench` (= `python -m bench.run_all`)" in text


def test_run_all_help():
    out = subprocess.run([sys.executable, "-m", "bench.run_all", "--help"], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0 and "--quick" in out.stdout


def test_an_only_run_replaces_its_own_rows_and_keeps_the_others(tmp_path):
    path = tmp_path / "README.md"
    crawl = ("crawl", "pages/s", "5", "4", "1.25×", "≥ 0.8×", "met")
    old_query = ("query", "per-day", "3 ms", "1 ms", "3.00×", "≤ 1.2×", "NOT met")
    mem = ("memory", "peak", "1 MiB", "–", "–", "–", "–")
    full = _record("full", [crawl, old_query, mem])
    full["runs"]["crawl"] = full["runs"]["query"] | {"command": "python -m bench.crawl"}
    readme.update(full, path)
    new_query = [("query", "per-day", "2 ms", "1 ms", "2.00×", "≤ 1.2×", "NOT met"),
                 ("query", "↳ pinned", "1.1 ms", "1 ms", "1.10×", "≤ 1.2×", "met")]
    only = _record("full", new_query) | {"only": "query", "started": "2026-01-02 03:04 UTC"}
    readme.update(only, path)
    readme.update(only, path)                              # idempotent
    text = path.read_text(encoding="utf-8")
    table = [ln for ln in text.splitlines() if ln.startswith("| crawl |") or ln.startswith("| query |")
             or ln.startswith("| memory |")]
    assert [ln.split(" | ")[1] for ln in table[:4]] == ["pages/s", "per-day", "↳ pinned", "peak"]
    assert "| 3 ms |" not in text and "| 2 ms |" in text
    assert text.count("`python -m bench.crawl`") == 1 and text.count("`python -m bench.query`") == 1
    assert text.count("rows are from `python -m bench.run_all --only query` at 2026-01-02 03:04 UTC, merged") == 1
    store = [("dedupe+publish", "publish", "2 s", "1 s", "2.00×", "≤ 1.5×", "NOT met")]
    later = _record("full", store) | {"only": "store", "started": "2026-01-03 05:06 UTC"}
    later["runs"] = {"store": later["runs"]["query"] | {"command": "python -m bench.store"}}
    readme.update(later, path)
    text = path.read_text(encoding="utf-8")
    assert "The query rows are from `python -m bench.run_all --only query` at 2026-01-02 03:04 UTC" in text
    assert "The store rows are from `python -m bench.run_all --only store` at 2026-01-03 05:06 UTC" in text
    assert "| 2 ms |" in text and "| dedupe+publish | publish |" in text
