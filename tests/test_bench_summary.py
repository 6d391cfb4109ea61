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


def test_query_rows_judge_the_goal():
    res = {"shapes": [{"articles": 1000, "days": 1, "files": 6, "queries": {
        "keyword": {"views_s": 0.11, "ideal_s": 0.1, "ratio": 1.1},
        "per_day": {"views_s": 0.3, "ideal_s": 0.1, "ratio": 3.0}}}]}
    rows = summary.query_rows(res)
    assert [r[-1] for r in rows] == ["met", "NOT met"]
    assert rows[1][4] == "3.00×" and rows[1][5] == "≤ 1.2×"


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
    assert text.count("rows are from `python -m bench.run_all --only query` at 03:04 UTC, merged") == 1
