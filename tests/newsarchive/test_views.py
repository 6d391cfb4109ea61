"""The archive as analysts meet it: the catalog's tables and views (local store and moto S3),
read-only locked-down connections, time travel, damage as an error, newsarchive sql, README recipes."""
from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import duckdb
import pytest

import schemas
from analystkit import D1, D2, HRKXC_V2, ZGC, build_archive
from newsarchive.lake import open_reader
from newsarchive.views import TABLES, VIEWS, connect_views
from pipelines.dedupe.normalize import content_hash
from pipelines.storage import Store

ROOT = Path(__file__).resolve().parents[2]


def rows(con, sql: str, params=None) -> list[dict]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def test_tables_hold_every_published_row_with_its_lineage(store):
    build_archive(store)
    con = connect_views(store)
    per_dt = {t: dict(con.execute(f"SELECT CAST(dt AS VARCHAR), count(*) FROM {t} GROUP BY ALL").fetchall())
              for t in TABLES}
    assert per_dt == {"articles": {D1: 3, D2: 4}, "sightings": {D1: 5, D2: 7}, "rejects": {D1: 3, D2: 1}}
    b = rows(con, "FROM batches ORDER BY batch")
    assert [(r["articles"], r["sightings"], r["rejects"], r["near_duplicates"]) for r in b] == [(3, 5, 3, 0),
                                                                                                 (4, 7, 1, 2)]
    assert con.execute("SELECT count(*) FROM articles WHERE segment NOT LIKE 'raw/source=%/dt=%/%'").fetchone()[0] == 0


def test_columns_follow_the_schemas(store):
    build_archive(store, dates=(D1,))
    con = connect_views(store)
    for table in schemas.TABLES:
        assert [r["column_name"] for r in rows(con, f"DESCRIBE {table}")] == schemas.schema_for(table).names


def test_every_view_exists_and_is_empty_on_a_new_catalog(tmp_path):
    from newsarchive.lake import open_writer
    open_writer(str(tmp_path / "new")).close()
    full = connect_views(_built(tmp_path / "full"))
    empty = connect_views(str(tmp_path / "new"))
    for v in VIEWS + TABLES:
        assert empty.execute(f"SELECT count(*) FROM {v}").fetchone()[0] == 0, v
        assert rows(empty, f"DESCRIBE {v}") == rows(full, f"DESCRIBE {v}"), v


def _built(path) -> Store:
    s = Store(str(path))
    build_archive(s)
    return s


def test_a_store_without_an_archive_is_a_clear_error(tmp_path):
    from newsarchive.lake import CatalogError
    with pytest.raises(CatalogError, match="does not exist"):
        connect_views(str(tmp_path / "nonexistent"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(CatalogError, match="nothing has been published"):
        connect_views(str(tmp_path / "empty"))


def test_files_no_commit_references_are_invisible(store):
    build_archive(store)
    con = connect_views(store, lockdown=False)
    n = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    # a writer that died after writing a data file, before its commit: a Parquet file in the table's folder
    con.execute(f"COPY (SELECT * FROM articles LIMIT 2) TO '{store.lake_uri}main/articles/ducklake-orphan.parquet'")
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == n
    assert connect_views(store).execute("SELECT count(*) FROM articles").fetchone()[0] == n


def test_latest_clusters_and_syndication(store):
    build_archive(store)
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


def test_without_source_priorities_the_earliest_fetch_decides(local_store):
    build_archive(local_store, sources_meta=False)
    con = connect_views(local_store)
    assert rows(con, "SELECT canonical_source FROM clusters WHERE contents = 3") == [{"canonical_source": "finews"}]


def test_asof_reads_the_archive_as_it_stood_at_a_commit(store):
    build_archive(store, dates=(D1,))
    con = connect_views(store)
    t1 = con.execute("SELECT max(committed_at) FROM batches").fetchone()[0]
    build_archive(store, dates=(D2,))
    con = connect_views(store)
    assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 7
    assert con.execute("SELECT count(*) FROM articles_asof(?)", [t1]).fetchone()[0] == 3
    assert con.execute(f"SELECT count(*) FROM articles_asof('{t1.isoformat()}')").fetchone()[0] == 3
    assert con.execute("SELECT CAST(max(dt) AS VARCHAR) FROM sightings_asof(?)", [t1]).fetchone()[0] == D1
    x = rows(con, "SELECT contents, canonical_source FROM clusters_asof(?) WHERE title = '新闻X'", [t1])
    assert x == [{"contents": 1, "canonical_source": "bjnews"}]
    assert rows(con, "SELECT title FROM articles_latest_asof(?) WHERE url LIKE '%/hr.html'", [t1]) == [
        {"title": "怀柔科学城建设提速"}]
    assert con.execute("SELECT count(*) FROM rejects_asof(NULL)").fetchone()[0] == 4
    with pytest.raises(duckdb.Error, match="No snapshot found"):
        con.execute("FROM articles_asof('2022-07-27')").fetchall()     # before the archive existed


# ---------------------------------------------------------------- safety: read-only, locked down
def test_analyst_connections_cannot_write_or_reach_other_files(store, tmp_path):
    """The locked-down connection: read-only catalog, no files outside the store's data, settings locked
    (writing into the data folder itself is refused by ``newsarchive sql``'s statement check, below, and
    on S3 by the analysts' read-only credentials)."""
    build_archive(store)
    con = connect_views(store)
    n = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    for sql in ["DELETE FROM articles", "INSERT INTO pipeline.sources VALUES ('x', 'x', 1, 'zh', NULL)",
                "DROP TABLE rejects", f"COPY (SELECT 1) TO '{tmp_path / 'out.csv'}'",
                "SELECT * FROM read_csv('/etc/passwd')", f"ATTACH '{tmp_path / 'other.db'}' AS other",
                "SET enable_external_access = true", "SET allowed_directories = ['/']",
                "CALL ducklake_expire_snapshots('archive', older_than => now())"]:
        with pytest.raises(duckdb.Error):
            con.execute(sql)
    assert not (tmp_path / "out.csv").exists()
    assert connect_views(store).execute("SELECT count(*) FROM articles").fetchone()[0] == n


def test_a_missing_or_truncated_data_file_fails_the_query_and_names_it(local_store):
    from newsarchive.lake.maintenance import verify
    build_archive(local_store)
    con = connect_views(local_store)
    path = con.execute("SELECT data_file FROM ducklake_list_files('archive', 'articles') LIMIT 1").fetchone()[0]
    data = Path(path).read_bytes()
    Path(path).unlink()
    with pytest.raises(duckdb.IOException, match=re.escape(Path(path).name)):
        connect_views(local_store).execute("SELECT sum(length(text)) FROM articles").fetchall()
    with open_reader(local_store, lockdown=False) as lake:
        res = verify(lake)
    assert not res.ok and res.problems == [f"main.articles: {path} is missing"]
    Path(path).write_bytes(data[:len(data) // 2])
    with pytest.raises(duckdb.Error, match=re.escape(Path(path).name)):
        connect_views(local_store).execute("SELECT sum(length(text)) FROM articles").fetchall()
    with open_reader(local_store, lockdown=False) as lake:
        assert [p.split(" has ")[0] for p in verify(lake).problems] == [f"main.articles: {path}"]
    Path(path).write_bytes(data)
    with open_reader(local_store, lockdown=False) as lake:
        res = verify(lake)
    assert res.ok and res.files > 5


# ---------------------------------------------------------------- newsarchive sql
def run_cli(capsys, *argv) -> tuple[int, str, str]:
    from newsarchive.cli import main
    code = main(["sql", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_sql_formats_and_files(local_store, capsys, tmp_path):
    build_archive(local_store)
    q = "SELECT CAST(dt AS VARCHAR) AS dt, count(*) AS articles FROM articles GROUP BY ALL ORDER BY dt"
    code, out, _ = run_cli(capsys, q, "--format", "csv", "--store", local_store.uri)
    assert code == 0 and list(csv.reader(io.StringIO(out))) == [["dt", "articles"], [D1, "3"], [D2, "4"]]
    code, out, _ = run_cli(capsys, "SELECT title, sources FROM clusters ORDER BY sightings DESC LIMIT 1",
                           "--format", "json", "--store", local_store.uri)
    assert json.loads(out) == [{"title": "中关村论坛开幕", "sources": ["bjnews", "finews", "stdaily"]}]
    (tmp_path / "q.sql").write_text(q, encoding="utf-8")
    code, out, _ = run_cli(capsys, f"@{tmp_path / 'q.sql'}", "--store", local_store.uri)
    assert code == 0 and D1 in out and "2 rows" in out


def test_cli_sql_errors_are_messages(local_store, capsys, tmp_path):
    code, _, err = run_cli(capsys, "SELECT 1", "--store", str(tmp_path / "nonexistent"))
    assert code == 2 and "does not exist" in err
    build_archive(local_store)
    code, _, err = run_cli(capsys, "SELECT * FROM nope", "--store", local_store.uri)
    assert code == 1 and "nope" in err and "Traceback" not in err
    code, _, err = run_cli(capsys, f"@{tmp_path / 'missing.sql'}", "--store", local_store.uri)
    assert code == 2 and "cannot read" in err
    for sql in ("DELETE FROM articles", f"COPY (SELECT 1) TO '{tmp_path / 'x.csv'}'",
                "SELECT 1; COPY articles TO 'lake/main/articles/x.parquet'", "ATTACH 'catalog.sqlite' AS c (TYPE sqlite)",
                "INSTALL httpfs", "EXPORT DATABASE 'out'"):
        code, _, err = run_cli(capsys, sql, "--store", local_store.uri)
        assert code == 2 and "read-only" in err and "refused" in err, sql
    assert not (tmp_path / "x.csv").exists()


def test_cli_sql_allow_write_is_for_admins(local_store, capsys, tmp_path):
    build_archive(local_store)
    code, _, err = run_cli(capsys, "DELETE FROM rejects WHERE reason = 'http_404'", "--allow-write",
                           "--store", local_store.uri)
    assert code == 0, err
    code, out, _ = run_cli(capsys, "SELECT count(*) AS n FROM rejects", "--format", "csv", "--store",
                           local_store.uri)
    assert out == "n\n3\n"


# ---------------------------------------------------------------- README recipes
def readme_sql_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Querying with DuckDB", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.S)


def setup_for(store, blocks: list[str]) -> str:
    """The README setup block for this store kind (a LOAD per extension, a secret, one ATTACH), with this
    test store's settings and the extension files of the pip packages filled in."""
    from urllib.parse import urlsplit
    from newsarchive.duck import extension_path
    b = next(x for x in blocks if "ATTACH" in x and (("s3://" in x) == store.is_s3))
    for ext in ("ducklake", "sqlite_scanner", "postgres_scanner", "httpfs"):
        b = b.replace(f"LOAD {ext};", f"LOAD '{extension_path(ext)}';")
    if not store.is_s3:
        return b.replace("/path/to/data", store.uri)
    if store.catalog.startswith("sqlite:"):
        b = f"LOAD '{extension_path('sqlite_scanner')}';\n" + b
    s = store.s3
    for old, new in (("KEY_ID 'analyst'", f"KEY_ID '{s.access_key}'"), ("SECRET 'CHANGE-ME'", f"SECRET '{s.secret_key}'"),
                     ("localhost:9000", urlsplit(s.endpoint).netloc), ("s3://newsarchive/archive", store.uri),
                     ("'ducklake:postgres:dbname=newsarchive_catalog host=localhost user=analyst'",
                      f"'ducklake:{store.catalog}'")):
        assert old in b, old
        b = b.replace(old, new)
    return b


def test_readme_recipes_run(store):
    build_archive(store)
    blocks = readme_sql_blocks()
    recipes = [b for b in blocks if "ATTACH" not in b]
    assert len(recipes) >= 4
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    con.execute(setup_for(store, blocks))
    for sql in recipes:
        assert con.execute(sql).fetchall(), f"README recipe returned no rows:\n{sql}"
    keyword = next(b for b in recipes if "怀柔科学城" in b)
    assert {r[0] for r in con.execute(keyword).fetchall()} == {"中关村", "怀柔科学城"}
    spread = next(b for b in recipes if "canonical_copy" in b)
    assert sorted(r[1] for r in con.execute(spread).fetchall()) == ["bjnews", "finews", "stdaily"]


def test_a_local_store_copied_or_moved_elsewhere_opens_and_reads(local_store, tmp_path):
    import shutil
    build_archive(local_store)
    n = connect_views(local_store).execute("SELECT count(*), sum(length(text)) FROM articles").fetchone()
    shutil.copytree(local_store.root, tmp_path / "moved")
    shutil.rmtree(local_store.root)
    assert connect_views(str(tmp_path / "moved")).execute(
        "SELECT count(*), sum(length(text)) FROM articles").fetchone() == n


def test_data_files_are_zstd_parquet(local_store):
    build_archive(local_store, dates=(D1,))
    con = connect_views(local_store, lockdown=False)
    files = [r[0] for r in con.execute("SELECT data_file FROM ducklake_list_files('archive', 'articles')").fetchall()]
    codecs = {r[0] for r in con.execute(f"SELECT DISTINCT compression FROM parquet_metadata({files!r})").fetchall()}
    assert codecs == {"ZSTD"}
