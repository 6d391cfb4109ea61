"""Query: DuckDB through the project's views vs the same rows as one ideal zstd Parquet file.

    python -m bench.query [--quick]

The archive (``bench.query_data``): 1,000,000 synthetic articles written by the project's writer, 1,000 per
day over 1,000 daily snapshots, one file per source and date (6,000 files) as daily publishes leave them
(``--quick``: 100,000 over 100 dates). Two layouts of it, each read through ``newsarchive.views``:

* ``rollup`` (production): the archive after ``newsarchive compact --rollup --before <latest date>``, as a
  daily rollup schedule leaves it: each month as one big file (the current one through yesterday), the
  latest date still daily;
* ``daily``: the daily files alone (no rollup run).

The ideal file is ``COPY (FROM articles) TO ... (COMPRESSION zstd)`` sorted by ``published_at``: the same
rows and columns (``dt`` included), one file, DuckDB's default row groups.

Queries (the README recipes): keyword search (``text LIKE '%中关村%'``, every matching row's time, source,
title, URL), and articles per day (China time) and source. ``views``: ``newsarchive.views.connect_views``
(only committed files, valid rollups; live: every query reads the manifests); ``pinned``: the same with
``pin=True`` (views_pinned.sql: the manifests read once, when the connection is set up); ``files``: ``read_parquet`` of the same files the views read, listed
up front (what the views' manifest reading and filtering costs on top); ``ideal``: the one file. All warm
(page cache, one connection each, one warm-up run), alternated, median of the repetitions.
Results: stdout and bench/out/query-{quick,full}.json.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from bench.common import OUT, peak_rss_mib, write_result

QUERIES = {
    "keyword": "SELECT published_at, source, title, url FROM {t} WHERE text LIKE '%中关村%' ORDER BY published_at DESC",
    "per_day": ("SELECT CAST(timezone('Asia/Shanghai', published_at) AS DATE) AS day, source, count(*) AS articles "
                "FROM {t} GROUP BY ALL ORDER BY day DESC, articles DESC"),
}


def ideal_file(con, path: Path) -> Path:
    """The view's rows as one zstd Parquet file (rebuilt when missing)."""
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        con.execute(f"COPY (FROM articles ORDER BY published_at) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd)")
        tmp.rename(path)
    return path


def timed(con, sql: str) -> tuple[float, int]:
    t = time.perf_counter()
    rows = con.execute(sql).fetchall()
    return time.perf_counter() - t, len(rows)


def compare(views, pinned, ideal, files_sql: str, reps: dict) -> dict:
    """Each query through the live views, the pinned views, over the views' file list without the views,
    and on the ideal file."""
    out = {}
    for name, q in QUERIES.items():
        sql = {"views": q.format(t="articles"), "pinned": q.format(t="articles"), "files": q.format(t=files_sql),
               "ideal": q.format(t="ideal")}
        con = {"views": views, "pinned": pinned, "files": views, "ideal": ideal}
        answers = {k: sorted(map(str, con[k].execute(s).fetchall())) for k, s in sql.items()}   # warm-up
        if not answers["views"] == answers["pinned"] == answers["files"] == answers["ideal"]:
            raise AssertionError(f"{name}: views, pinned views, files and ideal file disagree")
        times: dict[str, list[float]] = {k: [] for k in sql}
        for _ in range(reps[name]):
            for k in sql:
                times[k].append(timed(con[k], sql[k])[0])
        med = {k: statistics.median(v) for k, v in times.items()}
        out[name] = {"rows": len(answers["views"]), "views_s": med["views"], "pinned_s": med["pinned"],
                     "files_s": med["files"], "ideal_s": med["ideal"], "ratio": med["views"] / med["ideal"],
                     "ratio_pinned": med["pinned"] / med["ideal"], "runs": times}
    return out


def files_sql(views) -> tuple[str, dict]:
    """``read_parquet`` of the files the views read (rollup files, then daily ones), and their counts."""
    used = {layer: (uris, n) for layer, uris, n in views.execute(
        "SELECT layer, list(uri ORDER BY uri), sum(bytes) FROM table_files WHERE kind = 'articles' AND used "
        "GROUP BY layer").fetchall()}
    lst = {k: "[" + ", ".join(f"'{u}'" for u in v[0]) + "]" for k, v in used.items()}
    parts = ([f"FROM read_parquet({lst['rollup']})"] if "rollup" in lst else []) + (
        [f"FROM read_parquet({lst['daily']}, hive_partitioning = true, hive_types_autocast = false)"]
        if "daily" in lst else [])
    counts = {f"{k}_files": len(v[0]) for k, v in used.items()} | {f"{k}_bytes": v[1] for k, v in used.items()}
    return "(" + " UNION ALL BY NAME ".join(parts) + ")", counts


def overheads(views, reps: int) -> dict:
    """What the views do on every query besides reading rows: the manifests, and the glob for daily files."""
    glob, root = views.execute("SELECT getvariable('newsarchive_daily_globs').articles, "
                               "getvariable('newsarchive_root')").fetchone()
    sql = {"manifests_s": "SELECT count(*) FROM table_files WHERE kind = 'articles' AND used",
           "daily_glob_s": f"SELECT count(*) FROM glob('{glob}')"}
    return {k: statistics.median(timed(views, q)[0] for _ in range(reps)) for k, q in sql.items()} | {
        "daily_glob": glob[len(root) + 1:]}


def layout(root: Path, layout_name: str, ideal_path: Path, reps: dict, extra: dict) -> dict:
    """Time every query three ways on one layout of the archive."""
    import duckdb

    from newsarchive.views import connect_views
    views = connect_views(str(root))
    t = time.perf_counter()
    pinned = connect_views(str(root), pin=True)
    pin_s = time.perf_counter() - t
    ideal_file(views, ideal_path)
    ideal = duckdb.connect()
    ideal.execute(f"CREATE VIEW ideal AS FROM read_parquet('{ideal_path}')")
    sql, counts = files_sql(views)
    return {"layout": layout_name, **extra, **counts, "files": sum(v for k, v in counts.items() if k.endswith("_files")),
            "archive_bytes": sum(v for k, v in counts.items() if k.endswith("_bytes")),
            "ideal_bytes": ideal_path.stat().st_size, "queries": compare(views, pinned, ideal, sql, reps),
            "connect_pinned_s": pin_s,
            **overheads(views, reps["per_day"])}


def run(quick: bool) -> dict:
    """The production layout (daily files + monthly rollups), then the daily files alone."""
    from bench import query_data
    n = 100_000 if quick else 1_000_000
    days = n // 1000
    reps = {"keyword": 3, "per_day": 5} if quick else {"keyword": 3, "per_day": 7}
    daily = OUT / f"query-archive-{n}-{days}d"
    t = time.perf_counter()
    query_data.build(daily, n, days)
    built = time.perf_counter() - t
    rolled = OUT / f"query-archive-{n}-{days}d-rollup"
    marker = query_data.with_rollups(daily, rolled)
    ideal = OUT / f"query-ideal-{n}-{days}d.parquet"
    shape = {"articles": n, "days": days}
    res = {"shapes": [layout(rolled, "rollup", ideal, reps, shape | {"rollup_s": marker["rollup_s"]}),
                      layout(daily, "daily", ideal, reps, shape | {"build_or_load_s": built})]}
    res["peak_rss_mib"] = peak_rss_mib()
    return res


def print_report(r: dict) -> None:
    for s in r["shapes"]:
        print(f"{s['articles']:,} articles over {s['days']} dates, {s['layout']} layout: {s['files']:,} files read "
              f"({s.get('rollup_files', 0):,} rollup, {s.get('daily_files', 0):,} daily), "
              f"{s['archive_bytes'] / 1e6:,.0f} MB; ideal file {s['ideal_bytes'] / 1e6:,.0f} MB")
        for name, q in s["queries"].items():
            print(f"  {name:<8} {q['rows']:>7} rows  views {q['views_s'] * 1000:8.1f} ms  "
                  f"pinned {q['pinned_s'] * 1000:8.1f} ms  files {q['files_s'] * 1000:8.1f} ms  "
                  f"ideal {q['ideal_s'] * 1000:8.1f} ms  ratio {q['ratio']:.2f}× pinned {q['ratio_pinned']:.2f}× "
                  "(goal ≤ 1.2×)")
        print(f"  per query: manifests (table_files) {s['manifests_s'] * 1000:.1f} ms, "
              f"glob {s['daily_glob']} {s['daily_glob_s'] * 1000:.1f} ms")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.query", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="100,000 articles over 100 dates")
    a = ap.parse_args(argv)
    res = run(a.quick)
    write_result("query", a.quick, res)
    print_report(res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
