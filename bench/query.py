"""Query: DuckDB through the project's views vs the same rows as one ideal zstd Parquet file.

    python -m bench.query [--quick] [--days N]

The archive (``bench.query_data``): 1,000,000 synthetic articles written by the project's writer, 1,000 per
day over 1,000 daily snapshots, one file per source and date (6,000 files) as daily publishes leave them;
then the same number of articles over 20 dates (50,000 a day, 120 files: rows per file decide the cost)
(``--quick``: 100,000 over 100 and over 2 dates). ``--days N``: only the articles spread over N dates.
The ideal file is ``COPY (FROM articles) TO ... (COMPRESSION zstd)`` sorted by ``published_at``: the same
rows and columns (``dt`` included), one file, DuckDB's default row groups.

Queries (the README recipes): keyword search (``text LIKE '%中关村%'``, every matching row's time, source,
title, URL), and articles per day (China time) and source. ``views``: ``newsarchive.views.connect_views``
(only files a committed manifest lists); ``ideal``: ``read_parquet`` of the one file. Both are warm
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


def compare(views, ideal, files_sql: str, reps: dict) -> dict:
    """Each query through the views, over the committed file list without the views, and on the ideal file."""
    out = {}
    for name, q in QUERIES.items():
        sql = {"views": q.format(t="articles"), "files": q.format(t=files_sql), "ideal": q.format(t="ideal")}
        con = {"views": views, "files": views, "ideal": ideal}
        answers = {k: sorted(map(str, con[k].execute(s).fetchall())) for k, s in sql.items()}   # warm-up
        if not answers["views"] == answers["files"] == answers["ideal"]:
            raise AssertionError(f"{name}: views, files and ideal file disagree")
        times: dict[str, list[float]] = {k: [] for k in sql}
        for _ in range(reps[name]):
            for k in sql:
                times[k].append(timed(con[k], sql[k])[0])
        med = {k: statistics.median(v) for k, v in times.items()}
        out[name] = {"rows": len(answers["views"]), "views_s": med["views"], "files_s": med["files"],
                     "ideal_s": med["ideal"], "ratio": med["views"] / med["ideal"], "runs": times}
    return out


def shape(n: int, days: int, reps: dict) -> dict:
    """Build (or load) the archive of ``n`` articles over ``days`` dates and time every query three ways."""
    import duckdb

    from bench import query_data
    from newsarchive.views import connect_views
    root = OUT / f"query-archive-{n}-{days}d"
    t = time.perf_counter()
    query_data.build(root, n, days)
    built = time.perf_counter() - t
    views = connect_views(str(root))
    ideal_path = ideal_file(views, OUT / f"query-ideal-{n}-{days}d.parquet")
    ideal = duckdb.connect()
    ideal.execute(f"CREATE VIEW ideal AS FROM read_parquet('{ideal_path}')")
    files = views.execute("SELECT list(uri), sum(bytes) FROM committed_files WHERE kind = 'articles'").fetchone()
    files_sql = ("read_parquet([" + ", ".join(f"'{u}'" for u in files[0])
                 + "], hive_partitioning = true, hive_types_autocast = false)")
    return {"articles": n, "days": days, "files": len(files[0]), "archive_bytes": files[1],
            "ideal_bytes": ideal_path.stat().st_size, "build_or_load_s": built,
            "queries": compare(views, ideal, files_sql, reps)}


def run(quick: bool, days: int | None) -> dict:
    """The daily layout (1,000 articles a day), then the same number of articles in big dates (8,333 per file)."""
    n = 100_000 if quick else 1_000_000
    reps = {"keyword": 3, "per_day": 5} if quick else {"keyword": 3, "per_day": 7}
    layouts = [days] if days else [n // 1000, n // 50_000]
    res = {"shapes": [shape(n, d, reps) for d in layouts]}
    res["peak_rss_mib"] = peak_rss_mib()
    return res


def print_report(r: dict) -> None:
    for s in r["shapes"]:
        print(f"{s['articles']:,} articles over {s['days']} dates: {s['files']:,} files, {s['archive_bytes'] / 1e6:,.0f} MB; "
              f"ideal file {s['ideal_bytes'] / 1e6:,.0f} MB")
        for name, q in s["queries"].items():
            print(f"  {name:<8} {q['rows']:>7} rows  views {q['views_s'] * 1000:8.1f} ms  files {q['files_s'] * 1000:8.1f} ms  "
                  f"ideal {q['ideal_s'] * 1000:8.1f} ms  ratio {q['ratio']:.2f}× (goal ≤ 1.2×)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.query", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="100,000 articles over 100 dates")
    ap.add_argument("--days", type=int, help="spread the articles over this many dates (default: 1,000 a day)")
    a = ap.parse_args(argv)
    res = run(a.quick, a.days)
    write_result("query", a.quick, res)
    print_report(res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
