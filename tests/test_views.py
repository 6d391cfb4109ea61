"""DuckDB views (newsarchive/sql/views.sql) on a local store and on moto S3; newsarchive sql; README recipes."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pyarrow as pa
import pytest

import schemas
from analystkit import D1, D2, HRKXC_V2, ZGC, build_archive
from newsarchive.views import VIEWS, connect_views
from pipelines import manifest
from pipelines.normalize import content_hash

ROOT = Path(__file__).resolve().parents[1]


def rows(con, sql: str) -> list[dict]:
    cur = con.execute(sql)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def test_tables_hold_exactly_the_committed_rows(store):
    build_archive(store)
    con = connect_views(store)
    snaps = manifest.snapshots(store)
    assert [r["dt"] for r in rows(con, "FROM snapshots")] == [D1, D2]
    for table in ("articles", "sightings", "rejects"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == sum(
            m["counts"][table] for m in snaps.values())
        per_dt = dict(con.execute(f"SELECT dt, count(*) FROM {table} GROUP BY dt").fetchall())
        assert per_dt == {dt: m["counts"][table] for dt, m in snaps.items()}
        got = [r["uri"] for r in rows(con, f"SELECT uri FROM committed_files WHERE kind = '{table}' ORDER BY uri")]
        assert got == manifest.committed_files(store, table, uris=True)
    snap = rows(con, f"FROM snapshots WHERE dt = '{D2}'")[0]
    m = snaps[D2]
    assert (snap["articles"], snap["sightings"], snap["rejects"]) == tuple(
        m["counts"][k] for k in ("articles", "sightings", "rejects"))
    assert snap["near_duplicates"] == 2 and snap["runs"] == 1
    assert snap["bytes"] == sum(e["bytes"] for k in manifest.KINDS for e in m["files"][k])
    assert rows(con, "FROM snapshot_runs")[1]["staged"] == 7


def test_columns_follow_the_schemas_and_dt_is_text(store):
    build_archive(store, dates=(D1,))
    con = connect_views(store)
    for table in schemas.TABLES:
        desc = {r["column_name"]: r["column_type"] for r in rows(con, f"DESCRIBE {table}")}
        assert list(desc) == schemas.schema_for(table).names + ["dt"]
        assert desc["dt"] == "VARCHAR"


def test_key_value_folders_in_the_root_are_no_columns(tmp_path):
    con = connect_views(build_archive_at(tmp_path / "env=test" / "data"))
    assert [r["column_name"] for r in rows(con, "DESCRIBE sightings")] == schemas.SIGHTINGS.names + ["dt"]
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 7


def test_every_view_is_empty_but_typed_on_an_empty_store(tmp_path, local_store):
    full = connect_views(build_archive_at(tmp_path / "full"))
    empty = connect_views(local_store)            # the folder does not even exist
    for v in VIEWS:
        assert empty.execute(f"SELECT count(*) FROM {v}").fetchone()[0] == 0, v
        assert rows(empty, f"DESCRIBE {v}") == rows(full, f"DESCRIBE {v}"), v
    assert empty.execute("SELECT count(*) FROM clusters_asof('2022-01-01')").fetchone()[0] == 0


def build_archive_at(path):
    from pipelines.storage import Store
    s = Store(str(path))
    build_archive(s)
    return s


def test_uncommitted_files_are_invisible(store):
    build_archive(store)
    committed = manifest.committed_files(store, "articles", dates=[D2])[0]
    extra = store.read_parquet(committed, schema=schemas.ARTICLES)
    extra = extra.set_column(1, "content_hash", pa.array(["f" * 64] * extra.num_rows))
    half = committed.rsplit("/", 1)[0] + "/part-halfwritten.parquet"
    store.write_parquet(extra, half)                       # a publish that died before its manifest
    store.write_parquet(extra, "articles/dt=2022-07-29/source=ce/part-x.parquet")   # a date never committed
    con = connect_views(store)
    glob = f"{store.uri_of('articles')}/*/*/*.parquet"
    assert con.execute(f"SELECT count(*) FROM read_parquet('{glob}')").fetchone()[0] == (
        sum(m["counts"]["articles"] for m in manifest.snapshots(store).values()) + 2 * extra.num_rows)
    assert con.execute("SELECT count(*) FROM articles WHERE content_hash = repeat('f', 64)").fetchone()[0] == 0
    assert con.execute("SELECT count(DISTINCT dt) FROM articles").fetchone()[0] == 2


def test_latest_clusters_and_syndication(store):
    cfg = build_archive(store)
    con = connect_views(store)
    latest = rows(con, "SELECT content_hash, title FROM articles_latest WHERE url LIKE '%bjnews%/hr.html'")
    assert latest == [{"content_hash": content_hash(HRKXC_V2), "title": "怀柔科学城建设提速（更新）"}]
    assert con.execute("SELECT count(*) FROM articles WHERE url LIKE '%bjnews%/hr.html'").fetchone()[0] == 2

    zgc = rows(con, f"FROM syndication WHERE content_hash = '{content_hash(ZGC)}'")[0]
    assert (zgc["sightings"], zgc["n_sources"], zgc["sources"]) == (4, 3, ["bjnews", "finews", "stdaily"])
    assert len(zgc["urls"]) == 3 and zgc["archived_by"] == "stdaily"

    # story X: archived by bjnews on D1; finews (fetched first) and ce (priority 90) published an hour
    # earlier, archived on D2. cluster_id stays bjnews's; the canonical copy is ce's.
    x = rows(con, "FROM clusters WHERE contents = 3")[0]
    first = rows(con, f"SELECT content_hash FROM articles WHERE dt = '{D1}' AND title = '新闻X'")[0]
    assert x["cluster_id"] == first["content_hash"]
    assert (x["canonical_source"], x["n_sources"], x["sources"]) == ("ce", 3, ["bjnews", "ce", "finews"])
    assert x["canonical_published_at"] == x["first_published_at"]
    assert rows(con, "SELECT source, priority FROM sources WHERE source = 'ce'") == [
        {"source": "ce", "priority": 90}]
    # the same with priorities from the config, and without any: then fetched_at decides (finews)
    assert rows(connect_views(store, cfg), "SELECT canonical_source FROM clusters WHERE contents = 3") == [
        {"canonical_source": "ce"}]
    store.delete("_meta/sources.json")
    assert rows(connect_views(store), "SELECT canonical_source FROM clusters WHERE contents = 3") == [
        {"canonical_source": "finews"}]


def test_asof_reads_the_archive_of_an_earlier_snapshot(store):
    build_archive(store)
    con = connect_views(store)
    assert con.execute(f"SELECT count(*) FROM articles_asof('{D1}')").fetchone()[0] == 3
    assert con.execute(f"SELECT max(dt) FROM sightings_asof(DATE '{D1}')").fetchone()[0] == D1
    x = rows(con, f"SELECT contents, canonical_source FROM clusters_asof('{D1}') WHERE title = '新闻X'")
    assert x == [{"contents": 1, "canonical_source": "bjnews"}]
    assert rows(con, f"SELECT title FROM articles_latest_asof('{D1}') WHERE url LIKE '%/hr.html'") == [
        {"title": "怀柔科学城建设提速"}]


# ---------------------------------------------------------------- newsarchive sql
def run_cli(capsys, *argv) -> tuple[int, str, str]:
    from newsarchive.cli import main
    code = main(["sql", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_sql_formats_and_files(local_store, capsys, tmp_path):
    build_archive(local_store)
    q = "SELECT dt, articles, rejects FROM snapshots ORDER BY dt"
    code, out, _ = run_cli(capsys, q, "--format", "csv", "--store", local_store.uri)
    assert code == 0 and list(csv.reader(io.StringIO(out))) == [["dt", "articles", "rejects"],
                                                               [D1, "3", "3"], [D2, "4", "1"]]
    code, out, _ = run_cli(capsys, "SELECT title, sources FROM clusters ORDER BY sightings DESC LIMIT 1",
                           "--format", "json", "--store", local_store.uri)
    assert json.loads(out) == [{"title": "中关村论坛开幕", "sources": ["bjnews", "finews", "stdaily"]}]
    (tmp_path / "q.sql").write_text(q, encoding="utf-8")
    code, out, _ = run_cli(capsys, f"@{tmp_path / 'q.sql'}", "--store", local_store.uri)
    assert code == 0 and D1 in out and "2 rows" in out


def test_cli_sql_errors_are_messages(local_store, capsys, tmp_path):
    code, out, err = run_cli(capsys, "SELECT count(*) AS n FROM articles", "--format", "csv",
                             "--store", local_store.uri)
    assert code == 0 and out == "n\n0\n" and "no committed snapshot" in err
    code, _, err = run_cli(capsys, "SELECT * FROM nope", "--store", local_store.uri)
    assert code == 1 and "nope" in err and "Traceback" not in err
    code, _, err = run_cli(capsys, f"@{tmp_path / 'missing.sql'}", "--store", local_store.uri)
    assert code == 2 and "cannot read" in err


# ---------------------------------------------------------------- README recipes
def readme_sql_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Querying with DuckDB", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.S)


def run_script(con, sql: str) -> None:
    """Run a README block as the duckdb CLI would (``.read FILE`` runs the file)."""
    for part in re.split(r"^(\.read .+)$", sql, flags=re.M):
        if part.startswith(".read "):
            con.execute((ROOT / part.split(None, 1)[1].strip()).read_text(encoding="utf-8"))
        elif part.strip():
            con.execute(part)


def setup_for(store, blocks: list[str]) -> str:
    """The README setup block for this store kind, with this test store's settings filled in."""
    from urllib.parse import urlsplit
    from newsarchive.duck import httpfs_path
    if not store.is_s3:
        return next(b for b in blocks if "views.sql" in b and "s3://" not in b).replace("/path/to/data", store.uri)
    b = next(b for b in blocks if "views.sql" in b and "s3://" in b)
    s = store.s3
    for old, new in (("LOAD httpfs", f"LOAD '{httpfs_path()}'"), ("KEY_ID 'minioadmin'", f"KEY_ID '{s.access_key}'"),
                     ("SECRET 'minioadmin'", f"SECRET '{s.secret_key}'"),
                     ("localhost:9000", urlsplit(s.endpoint).netloc), ("s3://newsarchive/archive", store.uri)):
        assert old in b, old
        b = b.replace(old, new)
    return b


def test_readme_recipes_run(store):
    import duckdb
    build_archive(store)
    blocks = readme_sql_blocks()
    recipes = [b for b in blocks if ".read" not in b]
    assert len(recipes) >= 4 and len(blocks) - len(recipes) == 3
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    run_script(con, setup_for(store, blocks))
    live = {}
    for sql in recipes:
        live[sql] = sorted(map(repr, con.execute(sql).fetchall()))
        assert live[sql], f"README recipe returned no rows:\n{sql}"
    run_script(con, next(b for b in blocks if "views_pinned.sql" in b))      # the same answers, pinned
    assert con.execute("SELECT getvariable('newsarchive_pinned_files') IS NOT NULL").fetchone()[0]
    assert {sql: sorted(map(repr, con.execute(sql).fetchall())) for sql in recipes} == live
    keyword = next(b for b in recipes if "怀柔科学城" in b)
    assert {r[0] for r in con.execute(keyword).fetchall()} == {"中关村", "怀柔科学城"}
    spread = next(b for b in recipes if "canonical_copy" in b)
    assert sorted(r[1] for r in con.execute(spread).fetchall()) == ["bjnews", "finews", "stdaily"]


def test_views_sql_without_a_root_says_what_to_set():
    import duckdb
    con = duckdb.connect()
    with pytest.raises(duckdb.InvalidInputException, match="SET VARIABLE newsarchive_root"):
        con.execute((ROOT / "newsarchive" / "sql" / "views.sql").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- monthly rollups (pipelines/rollup.py)
D3 = "2022-08-01"
SAME_ROWS = ["FROM articles", "FROM sightings", "FROM rejects", "FROM articles_latest", "FROM clusters",
             "FROM syndication", "FROM snapshots", f"FROM articles_asof('{D1}')", f"FROM sightings_asof('{D1}')",
             f"FROM rejects_asof(DATE '{D1}')", f"FROM articles_latest_asof('{D1}')", f"FROM clusters_asof('{D2}')",
             f"FROM syndication_asof('{D1}')", "SELECT dt, source, count(*) FROM articles GROUP BY ALL",
             "SELECT count(*) FROM articles WHERE text LIKE '%中关村%'"]


def answers(con) -> dict[str, list[str]]:
    return {q: sorted(map(repr, con.execute(q).fetchall())) for q in SAME_ROWS}


def publish_batch(store, dt: str, run: str, seed: int, cfg=None) -> None:
    """A small batch on ``dt``: one new story, one more copy of 中关村, one reject."""
    from datetime import date, datetime, timedelta, timezone
    from analystkit import art, rej, stage_and_publish, story
    t = datetime.combine(date.fromisoformat(dt), datetime.min.time(), timezone.utc) + timedelta(hours=1)
    arts = [art(story(seed), "ce", f"{dt}/{seed}.html", run, t, t + timedelta(hours=1), f"新闻{seed}"),
            art(ZGC, "bjnews", f"{dt}/zgc.html", run, t, t + timedelta(hours=2), "中关村论坛开幕")]
    stage_and_publish(store, dt, run, (arts, [rej("finews", f"{dt}/{seed}.html", run, t, "extract", "too_short")]),
                      cfg)


def test_rollups_give_the_same_rows_as_the_daily_files(store):
    from newsarchive.report_data import collect
    from pipelines import rollupfmt
    from pipelines.rollup import rollup
    cfg = build_archive(store)
    publish_batch(store, D3, "scheduled__2022-08-01T080000", 7, cfg)
    daily = connect_views(store)                  # set up before any rollup: reads daily files only, live
    assert rollup(store) == {t: {"2022-07": "built"} for t in schemas.TABLES}
    con = connect_views(store)
    assert con.execute("SELECT getvariable('newsarchive_rolled_up')").fetchone()[0] == list(schemas.TABLES)
    used = rows(con, "SELECT kind, layer, list_sort(list(path)) AS paths FROM table_files WHERE used GROUP BY ALL")
    assert {(r["kind"], r["layer"]): r["paths"] for r in used} == {
        (t, layer): paths for t in schemas.TABLES for layer, paths in (
            ("daily", manifest.committed_files(store, t, dates=[D3])),
            ("rollup", [f["path"] for f in rollupfmt.read(store, t, "2022-07")["files"]]))}
    assert answers(con) == answers(daily)
    for t in schemas.TABLES:
        assert rows(con, f"DESCRIBE {t}") == rows(daily, f"DESCRIBE {t}")
    assert collect(store, con, D2) == collect(store, daily, D2)          # the run report reads the views

    publish_batch(store, D2, "scheduled__2022-07-28T090000", 8, cfg)      # a rerun inside the rolled-up month
    assert [r["used"] for r in rows(con, "FROM rollups")] == [False] * 3
    assert answers(con) == answers(daily) == answers(connect_views(store))
    assert con.execute("SELECT count(*) FROM articles WHERE title = '新闻8'").fetchone()[0] == 1
    assert rollup(store) == {t: {"2022-07": "built"} for t in schemas.TABLES}
    assert [r["used"] for r in rows(con, "FROM rollups")] == [True] * 3
    assert answers(con) == answers(daily)


def scanned_files(con, sql: str, tmp_path) -> dict[str, int]:
    """Files each Parquet scan of ``sql`` opened (DuckDB's profile of the query)."""
    out = tmp_path / "profile.json"
    con.execute("PRAGMA enable_profiling = 'json'")
    con.execute(f"PRAGMA profiling_output = '{out}'")
    con.execute(sql).fetchall()
    con.execute("PRAGMA disable_profiling")
    found: dict[str, int] = {}

    def walk(node):
        info = node.get("extra_info", {})
        if info.get("Function") == "READ_PARQUET":
            layer = "rollup" if "/rollup/" in str(info.get("Filename(s)")) else "daily"
            found[layer] = found.get(layer, 0) + int(info["Total Files Read"])
        for child in node.get("children", []):
            walk(child)
    walk(json.loads(out.read_text()))
    return found


def test_the_file_filter_reaches_both_scans(local_store, tmp_path):
    from pipelines.rollup import rollup
    cfg = build_archive(local_store)
    publish_batch(local_store, D3, "scheduled__2022-08-01T080000", 7, cfg)
    rollup(local_store)
    con = connect_views(local_store)
    d3_files = len(manifest.committed_files(local_store, "articles", dates=[D3]))
    assert scanned_files(con, "SELECT source, count(*) FROM articles GROUP BY ALL", tmp_path) == {
        "rollup": 1, "daily": d3_files}
    assert scanned_files(con, f"SELECT count(*) FROM articles WHERE dt = '{D3}'", tmp_path)["daily"] == d3_files


def test_uncommitted_and_stale_rollup_files_are_invisible(store):
    from pipelines import rollupfmt
    from pipelines.rollup import rollup, rollup_schema
    build_archive(store)
    publish_batch(store, D3, "scheduled__2022-08-01T080000", 7)
    rollup(store, tables=["articles"])
    con = connect_views(store)
    n = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    path = rollupfmt.read(store, "articles", "2022-07")["files"][0]["path"]
    extra = store.read_parquet(path, schema=rollup_schema("articles"))
    extra = extra.set_column(1, "content_hash", pa.array(["f" * 64] * extra.num_rows))
    store.write_parquet(extra, path.rsplit("/", 1)[0] + "/part-halfwritten.parquet")     # rollup died before its manifest
    store.write_parquet(extra, "rollup/articles/month=2022-08/part-x.parquet")           # a month never rolled up
    for c in (con, connect_views(store)):
        assert c.execute("SELECT count(*) FROM articles").fetchone()[0] == n
        assert c.execute("SELECT count(*) FROM articles WHERE content_hash = repeat('f', 64)").fetchone()[0] == 0


def test_a_change_outside_the_connections_daily_glob_asks_to_rerun_views_sql(local_store):
    import duckdb
    from pipelines.rollup import rollup
    publish_batch(local_store, "2021-12-31", "scheduled__2021-12-31T080000", 1)
    publish_batch(local_store, "2022-01-03", "scheduled__2022-01-03T080000", 2)
    daily = connect_views(local_store)
    rollup(local_store)                                                  # 2021-12 rolled up, 2022-01 open
    con = connect_views(local_store)
    assert con.execute("SELECT getvariable('newsarchive_daily_globs').articles").fetchone()[0].endswith(
        "/articles/dt=202[2-9]-*/*/*.parquet")
    assert answers(con) == answers(daily)
    publish_batch(local_store, "2021-12-31", "scheduled__2021-12-31T090000", 3)   # needs 2021's daily files again
    with pytest.raises(duckdb.Error, match="run views.sql again"):
        con.execute("SELECT count(*) FROM articles").fetchall()
    assert answers(connect_views(local_store)) == answers(daily)


# ---------------------------------------------------------------- pinned views (views_pinned.sql)


def test_pinned_views_read_the_snapshot_committed_when_they_were_set_up(store, tmp_path):
    from newsarchive.views import pin_views
    from pipelines.rollup import rollup
    cfg = build_archive(store)
    publish_batch(store, D3, "scheduled__2022-08-01T080000", 7, cfg)
    rollup(store)                                                        # 2022-07 rolled up, D3 daily
    pinned = connect_views(store, pin=True)
    assert answers(pinned) == answers(connect_views(store))
    for v in VIEWS:
        assert rows(pinned, f"DESCRIBE {v}") == rows(connect_views(store), f"DESCRIBE {v}"), v
    before = answers(pinned)

    publish_batch(store, D3, "scheduled__2022-08-01T090000", 9, cfg)     # another batch of D3...
    publish_batch(store, "2022-08-02", "scheduled__2022-08-02T080000", 8, cfg)   # ...and a new date
    live = connect_views(store)
    assert answers(live) != before
    assert answers(pinned) == before                                     # the pin holds
    assert pinned.execute("SELECT count(*) FROM snapshots").fetchone()[0] == 3
    pin_views(pinned)                                                    # moved to the newest commit
    assert answers(pinned) == answers(live)
    assert pinned.execute("SELECT count(*) FROM articles WHERE title IN ('新闻8', '新闻9')").fetchone()[0] == 2
    assert pinned.execute("SELECT count(*) FROM snapshots").fetchone()[0] == 4


def test_pinned_views_read_only_the_listed_files(local_store, tmp_path):
    from pipelines.rollup import rollup
    cfg = build_archive(local_store)
    publish_batch(local_store, D3, "scheduled__2022-08-01T080000", 7, cfg)
    rollup(local_store)
    con = connect_views(local_store, pin=True)
    d3_files = len(manifest.committed_files(local_store, "articles", dates=[D3]))
    assert scanned_files(con, "SELECT source, count(*) FROM articles GROUP BY ALL", tmp_path) == {
        "rollup": 1, "daily": d3_files}


def test_pinned_views_on_an_empty_store_are_empty_but_typed(tmp_path, local_store):
    full = connect_views(build_archive_at(tmp_path / "full"), pin=True)
    empty = connect_views(local_store, pin=True)
    for v in VIEWS:
        assert empty.execute(f"SELECT count(*) FROM {v}").fetchone()[0] == 0, v
        assert rows(empty, f"DESCRIBE {v}") == rows(full, f"DESCRIBE {v}"), v


def test_a_month_rolled_up_through_yesterday_and_the_dates_after_it(store, tmp_path):
    from pipelines.rollup import rollup
    cfg = build_archive(store)                                            # D1, D2 (2022-07)
    daily = connect_views(store)                                          # no rollups: daily files only
    assert rollup(store, before=D2)["articles"] == {"2022-07": "built"}   # covers D1 only
    publish_batch(store, D3, "scheduled__2022-08-01T080000", 7, cfg)      # a date after the rollup
    for con in (connect_views(store), connect_views(store, pin=True)):
        assert [r["used"] for r in rows(con, "FROM rollups")] == [True] * 3
        used = rows(con, "SELECT DISTINCT layer, dt FROM table_files WHERE kind = 'articles' AND used ORDER BY ALL")
        assert used == [{"layer": "daily", "dt": D2}, {"layer": "daily", "dt": D3}, {"layer": "rollup", "dt": None}]
        assert answers(con) == answers(daily)
    publish_batch(store, D1, "scheduled__2022-07-27T090000", 8, cfg)      # a rerun of the covered date
    con = connect_views(store)
    assert [r["used"] for r in rows(con, "FROM rollups")] == [False] * 3
    assert answers(con) == answers(daily)
    assert con.execute("SELECT count(*) FROM articles WHERE title = '新闻8'").fetchone()[0] == 1
