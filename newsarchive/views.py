"""Analysts' connections to the archive (``newsarchive sql`` is ``newsarchive.commands.sql``).

:func:`connect_views` attaches the store's DuckLake catalog ``READ_ONLY`` as
``archive`` (and ``USE archive``), so every table and view of DATA_FORMAT.md
is there by name. By default the connection is locked down: no file or network
access outside the store's data files (``enable_external_access = false`` with
the store's folders as ``allowed_directories``) and a locked configuration, so
a query cannot write anywhere, read other files, or turn that off.
"""
from __future__ import annotations

import duckdb

from newsarchive.lake import open_reader
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
