"""``newsarchive sql "SELECT ..." [--format table|csv|json] [--allow-write]``: SQL over the archive.

Read-only unless an admin says ``--allow-write``: statements other than queries are refused before
they run (``newsarchive.views.refused_statement``), and the connection is locked down.
"""
from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from newsarchive.lake import CatalogError, Lake, open_reader, open_writer
from newsarchive.views import refused_statement


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
