"""The analyst views (``newsarchive/sql/views.sql``) on a DuckDB connection, and ``newsarchive sql``."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

from newsarchive import duck
from pipelines.storage import Store

VIEWS_SQL = Path(__file__).with_name("sql") / "views.sql"
PINNED_SQL = Path(__file__).with_name("sql") / "views_pinned.sql"
SOURCES_META = "_meta/sources.json"
#: Views every connection has (views.sql defines them; tests check each one).
VIEWS = ("snapshots", "snapshot_runs", "committed_files", "table_files", "rollups", "articles", "sightings",
         "rejects", "sources", "articles_latest", "clusters", "syndication")


def sql_literal(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def sources_rows(cfg) -> list[dict]:
    """``_meta/sources.json`` rows of a ``SourcesConfig`` (sorted by id)."""
    return sorted(({"id": s.id, "name": getattr(s, "name", None), "priority": s.priority,
                    "language": getattr(s, "language", None), "base_url": getattr(s, "base_url", None)}
                   for s in cfg.sources), key=lambda r: r["id"])


def write_sources(store: "Store | str", cfg) -> str:
    """Write ``_meta/sources.json`` (ids, names, priorities) that the ``sources`` view reads."""
    store = Store.open(store)
    store.write_text(SOURCES_META, json.dumps(sources_rows(cfg), ensure_ascii=False, indent=1) + "\n")
    return SOURCES_META


def connect_views(store: "Store | str", sources_config=None,
                  database: str = ":memory:", pin: bool = False) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection on ``store`` with every view of views.sql.

    ``sources_config`` (a ``SourcesConfig``) replaces the store's ``_meta/sources.json`` as the
    ``sources`` view (names and priorities of the canonical copy of a cluster).
    ``pin``: also run views_pinned.sql, so every query reads the snapshot committed now (manifests read
    once, here) instead of re-reading the manifests each query; ``pin_views(con)`` moves the pin.
    """
    store = Store.open(store)
    con = duck.connect(store, database)
    con.execute("SET VARIABLE newsarchive_root = ?", [store.uri])
    con.execute(VIEWS_SQL.read_text(encoding="utf-8"))
    if pin:
        con.execute(PINNED_SQL.read_text(encoding="utf-8"))
    if sources_config is not None:
        rows = sources_rows(sources_config)
        values = ", ".join("(" + ", ".join(sql_literal(r[k]) for k in ("id", "name", "priority", "language",
                                                                       "base_url")) + ")" for r in rows)
        body = (f"SELECT * FROM (VALUES {values}) AS t(source, name, priority, language, base_url)" if rows else
                "SELECT NULL::VARCHAR AS source, NULL::VARCHAR AS name, NULL::INTEGER AS priority, "
                "NULL::VARCHAR AS language, NULL::VARCHAR AS base_url WHERE false")
        con.execute(f"CREATE OR REPLACE VIEW sources AS SELECT source::VARCHAR AS source, name::VARCHAR AS name, "
                    f"priority::INTEGER AS priority, language::VARCHAR AS language, base_url::VARCHAR AS base_url "
                    f"FROM ({body})")
    return con


def pin_views(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Pin the views to the snapshot committed now: views.sql again (it sees new tables and rollups),
    then views_pinned.sql."""
    con.execute(VIEWS_SQL.read_text(encoding="utf-8"))
    con.execute(PINNED_SQL.read_text(encoding="utf-8"))
    return con


def has_snapshots(con: duckdb.DuckDBPyConnection) -> bool:
    return con.execute("SELECT list_contains(getvariable('newsarchive_present'), 'snapshots')").fetchone()[0]


def read_query(text: str) -> str:
    """``@file.sql`` -> the file's text; anything else is SQL."""
    if text.startswith("@"):
        return Path(text[1:]).expanduser().read_text(encoding="utf-8")
    return text


def cli_sql(args) -> int:
    """``newsarchive sql "SELECT ..." [--format table|csv|json] [--store URI]``."""
    from newsarchive.sqlout import print_result
    try:
        query = read_query(args.query)
    except OSError as exc:
        print(f"newsarchive sql: cannot read {args.query[1:]!r}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    con = connect_views(args.store, getattr(args, "sources_config", None))
    if not has_snapshots(con):
        print(f"newsarchive sql: no committed snapshot in {Store.open(args.store).uri} yet; every view is empty",
              file=sys.stderr)
    try:
        cur = con.execute(query)
        columns = [d[0] for d in cur.description] if cur.description else []
        rows = cur.fetchall() if columns else []
    except duckdb.Error as exc:
        print(f"newsarchive sql: {exc}", file=sys.stderr)
        return 1
    print_result(columns, rows, args.format)
    return 0
