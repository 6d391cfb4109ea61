"""Analysts' connections to the archive, and ``newsarchive sql``.

:func:`connect_views` attaches the store's DuckLake catalog ``READ_ONLY`` as
``archive`` (and ``USE archive``), so every table and view of DATA_FORMAT.md
is there by name. By default the connection is locked down: no file or network
access outside the store's data files (``enable_external_access = false`` with
the store's folders as ``allowed_directories``) and a locked configuration, so
a query cannot write anywhere, read other files, or turn that off.
"""
from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from newsarchive.lake import CatalogError, Lake, open_reader, open_writer
from pipelines.storage import Store

#: Statement types ``newsarchive sql`` runs without ``--allow-write``: queries only. COPY ... TO, EXPORT,
#: ATTACH, LOAD/INSTALL, CREATE and the like are refused before they run (the locked-down connection
#: cannot reach files outside the store either way; this also keeps it from writing into the store).
READ_STATEMENTS = frozenset({"SELECT", "EXPLAIN", "CALL", "SET", "VARIABLE_SET"})

#: Views and macros every connection has (newsarchive/sql/views.sql; tests check each one).
VIEWS = ("sources", "batches", "articles_latest", "clusters", "syndication")
TABLES = ("articles", "sightings", "rejects")


def connect_views(store: "Store | str", *, lockdown: bool = True) -> duckdb.DuckDBPyConnection:
    """A read-only DuckDB connection with the archive attached (``USE archive``)."""
    return open_reader(store, lockdown=lockdown).con


def refused_statement(query: str) -> str | None:
    """The first statement of ``query`` that is not a query (its type, e.g. ``COPY``), or None."""
    try:
        stmts = duckdb.extract_statements(query)
    except duckdb.Error:
        return None                       # a syntax error: DuckDB will say so when it runs
    for st in stmts:
        name = str(st.type).rsplit(".", 1)[-1]
        if name not in READ_STATEMENTS:
            return name
    return None


def read_query(text: str) -> str:
    """``@file.sql`` -> the file's text; anything else is SQL."""
    if text.startswith("@"):
        return Path(text[1:]).expanduser().read_text(encoding="utf-8")
    return text


def cli_sql(args) -> int:
    """``newsarchive sql "SELECT ..." [--format table|csv|json] [--store URI] [--allow-write]``."""
    from newsarchive.sqlout import print_result
    try:
        query = read_query(args.query)
    except OSError as exc:
        print(f"newsarchive sql: cannot read {args.query[1:]!r}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    allow_write = getattr(args, "allow_write", False)
    refused = None if allow_write else refused_statement(query)
    if refused:
        print(f"newsarchive sql is read-only: {refused} statements are refused (queries only; "
              "admins: --allow-write)", file=sys.stderr)
        return 2
    try:
        lake: Lake = open_writer(args.store) if allow_write else open_reader(args.store)
    except CatalogError as exc:
        print(f"newsarchive sql: {exc}", file=sys.stderr)
        return 2
    try:
        if lake.read_only:
            columns, rows = _run(lake.con, query)
        else:                       # an admin's write holds the writer lock like any pipeline step
            with lake.locked("sql --allow-write"):
                columns, rows = _run(lake.con, query)
    except duckdb.Error as exc:
        from newsarchive.duck import redact
        print(f"newsarchive sql: {redact(str(exc), lake.store)}", file=sys.stderr)
        return 1
    finally:
        lake.close()
    print_result(columns, rows, args.format)
    return 0


def _run(con: duckdb.DuckDBPyConnection, query: str) -> tuple[list[str], list[tuple]]:
    cur = con.execute(query)
    columns = [d[0] for d in cur.description] if cur.description else []
    return columns, (cur.fetchall() if columns else [])
