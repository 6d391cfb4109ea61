"""Query: the live catalog (DuckLake) vs the same rows as one ideal zstd Parquet file, side by side.

    python -m bench.query [--quick]

The archive (``bench.query_data``): 1,000,080 synthetic articles in 180 daily commits (5,556 a day) of the
tables a publish writes (``articles``, ``sightings``, ``pipeline.segments``, ``pipeline.batches``), inserted
by the lake's writer connection one transaction a day (``--quick``: 100,080, 556 a day). Two layouts of it:

* ``180 commits``: as the daily commits leave it (one data file per table and commit);
* ``compacted``: a copy after ``newsarchive compact`` (``newsarchive.lake.maintenance.maintain``: DuckLake's
  merge of adjacent files, rewrite of files with deletes, expiry, cleanup), which production runs daily.

Each layout is read through ``newsarchive.views.connect_views`` (read-only, locked down, the catalog's latest
snapshot on every query: no pinning, no rollups) and compared with ``ideal``: ``COPY (FROM articles ORDER BY
published_at) TO ... (COMPRESSION zstd)``, the same rows and columns (lineage included) in one file with
DuckDB's default row groups. ``files`` is ``read_parquet`` of the catalog's current data files, listed up front
(``ducklake_list_files``): the difference to ``live`` is what the catalog costs per query, the difference to
``ideal`` what the layout (number of files, compression) costs.

Queries: ``per_day``: ``SELECT CAST(timezone('Asia/Shanghai', published_at) AS DATE) AS day, count(*) FROM
articles GROUP BY 1``; ``keyword``: ``SELECT published_at, source, title, url FROM articles WHERE contains(text,
'中关村') ORDER BY published_at DESC``. Every connection answers each query once (warm-up; the answers must be
equal), then the three ways alternate for the repetitions; medians. Results: stdout and
bench/out/query-{quick,full}.json.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from bench import common
from bench.common import OUT, peak_rss_mib

QUERIES = {
    "per_day": "SELECT CAST(timezone('Asia/Shanghai', published_at) AS DATE) AS day, count(*) AS articles "
               "FROM {t} GROUP BY 1",
    "keyword": "SELECT published_at, source, title, url FROM {t} WHERE contains(text, '中关村') "
               "ORDER BY published_at DESC",
}
GOAL = 1.1


def ideal_file(store: Path, path: Path) -> Path:
    """The ``articles`` rows as one zstd Parquet file (rebuilt when missing)."""
    from newsarchive.lake import open_reader
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        with open_reader(str(store), lockdown=False) as lake:
            lake.con.execute(f"COPY (FROM articles ORDER BY published_at) TO '{tmp}' "
                             "(FORMAT parquet, COMPRESSION zstd)")
        tmp.rename(path)
    return path


def timed(con, sql: str) -> float:
    t = time.perf_counter()
    con.execute(sql).fetchall()
    return time.perf_counter() - t


def plain_connection():
    import duckdb
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    con.execute("SET TimeZone = 'UTC'")          # as the lake's connections
    return con


def layout_files(live) -> dict:
    """The catalog's current ``articles`` data files: paths, count, bytes, codec, row groups."""
    files = live.execute("SELECT data_file, data_file_size_bytes, delete_file FROM "
                         "ducklake_list_files('archive', 'articles')").fetchall()
    return {"paths": [f[0] for f in files], "files": len(files), "bytes": sum(f[1] for f in files),
            "delete_files": sum(1 for f in files if f[2])}


def parquet_facts(files: str) -> dict:
    """Codec and row groups of ``files`` (a SQL string or list literal)."""
    con = plain_connection()
    codec, groups = con.execute(f"SELECT any_value(compression), count(DISTINCT (file_name, row_group_id)) "
                                f"FROM parquet_metadata({files})").fetchone()
    return {"codec": codec, "row_groups": groups}


def compare(live, files_con, files_sql: str, ideal, reps: dict) -> dict:
    out = {}
    for name, q in QUERIES.items():
        ways = {"live": (live, q.format(t="articles")), "files": (files_con, q.format(t=files_sql)),
                "ideal": (ideal, q.format(t="ideal"))}
        answers = {k: sorted(map(str, con.execute(sql).fetchall())) for k, (con, sql) in ways.items()}   # warm-up
        if not answers["live"] == answers["files"] == answers["ideal"]:
            raise AssertionError(f"{name}: the catalog, its files and the ideal file disagree")
        times: dict[str, list[float]] = {k: [] for k in ways}
        for i in range(reps[name]):
            order = list(ways) if i % 2 == 0 else list(reversed(ways))
            for k in order:
                times[k].append(timed(*ways[k]))
        med = {k: statistics.median(v) for k, v in times.items()}
        out[name] = {"rows": len(answers["live"]), "live_s": med["live"], "files_s": med["files"],
                     "ideal_s": med["ideal"], "ratio": med["live"] / med["ideal"],
                     "ratio_files": med["files"] / med["ideal"], "runs": times}
    return out


def measure_layout(store: Path, name: str, ideal_path: Path, reps: dict, extra: dict) -> dict:
    from newsarchive.views import connect_views
    attach = []
    for _ in range(3):
        t = time.perf_counter()
        con = connect_views(str(store))
        con.execute("SELECT 1 FROM articles LIMIT 1").fetchall()
        attach.append(time.perf_counter() - t)
        con.close()
    live = connect_views(str(store))
    info = layout_files(live)
    files_con = plain_connection()
    files_sql = "read_parquet([" + ", ".join(f"'{p}'" for p in info.pop("paths")) + "])"
    facts = parquet_facts(files_sql[len("read_parquet("):-1])
    ideal = plain_connection()
    ideal.execute(f"CREATE VIEW ideal AS FROM read_parquet('{ideal_path}')")
    snapshots = live.execute("SELECT count(*) FROM ducklake_snapshots('archive')").fetchone()[0]
    res = {"layout": name, **extra, **info, **facts, "snapshots": snapshots,
           "connect_s": statistics.median(attach), "ideal_bytes": ideal_path.stat().st_size,
           "ideal": parquet_facts(f"'{ideal_path}'"), "queries": compare(live, files_con, files_sql, ideal, reps)}
    live.close()
    return res


def run(quick: bool) -> dict:
    from bench import query_data
    per_day = 556 if quick else 5_556
    n = per_day * query_data.DAYS
    reps = {"per_day": 9, "keyword": 5} if quick else {"per_day": 15, "keyword": 7}
    daily = OUT / f"query-lake-{n}"
    compact = OUT / f"query-lake-{n}-compacted"
    t = time.perf_counter()
    built = query_data.build(daily, per_day)
    build_or_load = time.perf_counter() - t
    comp = query_data.compacted(daily, compact)
    ideal = ideal_file(daily, OUT / f"query-ideal-{n}.parquet")
    shape = {"articles": n, "days": query_data.DAYS}
    commits = built["commit_s"]
    res = {"articles": n, "days": query_data.DAYS, "per_day": per_day,
           "build": {"seconds": built["build_s"], "generate_s": built["generate_s"],
                     "commit_median_s": statistics.median(commits), "commit_first60_s": statistics.median(commits[:60]),
                     "commit_last60_s": statistics.median(commits[-60:]), "this_run_s": build_or_load},
           "compact": {"seconds": comp["compact_s"], **comp["maintenance"]},
           "shapes": [measure_layout(daily, "180 commits", ideal, reps, shape),
                      measure_layout(compact, "compacted", ideal, reps, shape)]}
    res["peak_rss_mib"] = peak_rss_mib()
    return res


def print_report(r: dict) -> None:
    b = r["build"]
    print(f"{r['articles']:,} articles in {r['days']} daily commits; commit median {b['commit_median_s'] * 1000:.0f} ms "
          f"(first 60 {b['commit_first60_s'] * 1000:.0f} ms, last 60 {b['commit_last60_s'] * 1000:.0f} ms); "
          f"compact {r['compact']['seconds']:.1f} s")
    for s in r["shapes"]:
        print(f"{s['layout']}: {s['files']:,} files, {s['bytes'] / 1e6:,.0f} MB {s['codec']}, {s['row_groups']} row "
              f"groups; ideal {s['ideal_bytes'] / 1e6:,.0f} MB {s['ideal']['codec']}, {s['ideal']['row_groups']} row "
              f"groups; attach {s['connect_s'] * 1000:.0f} ms")
        for name, q in s["queries"].items():
            print(f"  {name:<8} {q['rows']:>7} rows  live {q['live_s'] * 1000:8.1f} ms  files {q['files_s'] * 1000:8.1f} ms"
                  f"  ideal {q['ideal_s'] * 1000:8.1f} ms  live/ideal {q['ratio']:.2f}× (goal ≤ {GOAL}×)  "
                  f"files/ideal {q['ratio_files']:.2f}×")


def main(argv: list[str] | None = None) -> int:
    return common.main("query", run, print_report, quick_help='100,080 articles (556 a day)', doc=__doc__, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
