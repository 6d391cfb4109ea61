"""The archive's DuckLake catalog: the one place that opens it.

Every table of the archive (``articles``, ``sightings``, ``rejects``) and of the
pipeline's bookkeeping (``pipeline.segments`` – the ledger of raw segments –,
``pipeline.staged_*``, ``pipeline.batches``, ``pipeline.index_files``,
``pipeline.sources``) lives in one DuckLake catalog: Parquet data files under the
store's ``lake/`` folder (local or S3), metadata in SQLite (embedded default) or
PostgreSQL (production). A write is one DuckLake transaction across all of them,
so a publish commits everything or nothing, and readers see commits only.

* :func:`open_writer` – a connection for the pipeline: creates/upgrades the
  catalog (``ddl.ensure``) under the writer lock; writes go through
  :meth:`Lake.write` (lock + one transaction, retried on a commit conflict).
* :func:`open_reader` – analysts: ``READ_ONLY`` attach, and (``lockdown``) no
  file or network access outside the store's data, with the configuration locked.
"""
from __future__ import annotations

import contextlib
import os
import time
from typing import Callable, Iterator, TypeVar

import duckdb

from newsarchive import duck
from newsarchive.lake import ddl
from newsarchive.lake.lock import writer_lock
from newsarchive.lake.target import ALIAS, CatalogError, CatalogTarget, target_of
from pipelines.storage import Store

__all__ = ["ALIAS", "CatalogError", "Lake", "open_reader", "open_writer"]

T = TypeVar("T")
#: Attempts of a write transaction that hits a commit conflict.
RETRIES = 5


class Lake:
    """A DuckDB connection with the store's catalog attached as ``archive`` (and ``USE archive``)."""

    def __init__(self, store: "Store | str", *, read_only: bool, lockdown: bool = False):
        self.store = Store.open(store)
        self.target: CatalogTarget = target_of(self.store)
        self.read_only = read_only
        if read_only:
            _must_exist(self.store, self.target)
        self.con = duck.connect(self.store)
        self.con.execute("SET TimeZone = 'UTC'")
        duck.load(self.con, "ducklake", self.target.extension)
        opts = [f"DATA_PATH {duck.sql_string(self.target.data_path)}", "DATA_INLINING_ROW_LIMIT 0"]
        if not self.store.is_s3:
            # a local store's data is its own lake/ folder, wherever the store now is (copied, moved,
            # mounted elsewhere); file paths in the catalog are relative to it. An S3 store's data path
            # must match the catalog's: a mismatch is a misconfiguration and fails.
            opts.append("OVERRIDE_DATA_PATH true")
        if read_only:
            opts.append("READ_ONLY")
        if read_only:
            self._attach(opts)
        else:                    # a new catalog is created by its first writer: one at a time
            with writer_lock(self.target, "catalog setup"):
                if self.target.kind == "sqlite":
                    _sqlite_wal(self.target.path)
                if not self.store.is_s3:
                    os.makedirs(self.store.path("lake"), exist_ok=True)
                self._attach(opts)
                ddl.ensure(self.con, ALIAS)
        if lockdown:
            self._lockdown()

    def _attach(self, opts: list[str]) -> None:
        try:
            self.con.execute(f"ATTACH {duck.sql_string(self.target.attach_uri)} AS {ALIAS} ({', '.join(opts)})")
        except duckdb.Error as exc:
            raise CatalogError(f"cannot open the catalog {self.target.describe()}: "
                               f"{duck.redact(str(exc), self.store)}") from None
        self.con.execute(f"USE {ALIAS}")

    # ------------------------------------------------------------------ writing
    @contextlib.contextmanager
    def locked(self, what: str = "write") -> Iterator["Lake"]:
        """Hold the catalog's writer lock (no transaction): for work that commits several times."""
        if self.read_only:
            raise CatalogError("this connection is read-only")
        with writer_lock(self.target, what):
            yield self

    def transaction(self, body: Callable[[duckdb.DuckDBPyConnection], T], *, retries: int = RETRIES) -> T:
        """Run ``body(con)`` in one transaction and commit; retried from the start on a commit conflict.

        The caller holds the writer lock (:meth:`locked`); conflicts then only come from writers
        outside newsarchive, or from DuckLake's own retry limits.
        """
        for attempt in range(1, retries + 1):
            self.con.execute("BEGIN")
            try:
                out = body(self.con)
                self.con.execute("COMMIT")
                return out
            except duckdb.TransactionException as exc:
                _rollback(self.con)
                if attempt == retries or not _retryable(exc):
                    raise
                time.sleep(0.1 * 2 ** attempt)
            except BaseException:
                _rollback(self.con)
                raise
        raise AssertionError("unreachable")

    def write(self, body: Callable[[duckdb.DuckDBPyConnection], T], what: str = "write") -> T:
        """:meth:`transaction` under the writer lock."""
        with self.locked(what):
            return self.transaction(body)

    # ------------------------------------------------------------------ reading
    def rows(self, sql: str, params=None) -> list[dict]:
        cur = self.con.execute(sql, params or [])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> "Lake":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _lockdown(self) -> None:
        """No file or network access but the store's data files (and the catalog file); configuration locked."""
        self.con.execute("SET allowed_directories = ?", [[self.target.data_path]])
        if self.target.kind == "sqlite":
            p = self.target.path
            self.con.execute("SET allowed_paths = ?", [[p, p + "-wal", p + "-shm"]])
        self.con.execute("SET enable_external_access = false")
        self.con.execute("SET lock_configuration = true")


def _retryable(exc: Exception) -> bool:
    msg = str(exc).lower()
    return "conflict" in msg or "database is locked" in msg


def _sqlite_wal(path: str) -> None:
    """Create the embedded catalog in WAL mode (kept in the file): readers never block the writer's
    commit, and the writer never blocks readers. Only a new file is touched: Python's SQLite must not
    open a file DuckDB's SQLite has open (closing it would drop the process's POSIX locks on it)."""
    import sqlite3
    if os.path.exists(path):
        return
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    con = sqlite3.connect(path, timeout=30)
    try:
        if con.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            con.execute("PRAGMA journal_mode=WAL")
    finally:
        con.close()


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    with contextlib.suppress(duckdb.Error):
        con.execute("ROLLBACK")


def _must_exist(store: Store, target: CatalogTarget) -> None:
    if not store.is_s3 and not os.path.isdir(store.root):
        raise CatalogError(f"no store at {store.root} (the folder does not exist)")
    if target.kind == "sqlite" and not os.path.exists(target.path):
        raise CatalogError(f"no archive in {store.uri} yet: its catalog {target.path} does not exist "
                           "(nothing has been published)")


def open_writer(store: "Store | str") -> Lake:
    """The pipeline's connection; the catalog is created or upgraded first (under the writer lock)."""
    return Lake(store, read_only=False)


def open_reader(store: "Store | str", *, lockdown: bool = True) -> Lake:
    """A read-only connection (analysts, reports); ``lockdown``: no access outside the store's data."""
    return Lake(store, read_only=True, lockdown=lockdown)
