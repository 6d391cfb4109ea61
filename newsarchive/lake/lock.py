"""One writer at a time: the lock every catalog write (register, stage, publish, maintenance) holds.

DuckLake 1.5.5 lets two simultaneous first writers of the same rows both commit
(ducklake#1393) and can lose concurrent deletes (ducklake#1472), so writers are
serialized here, whatever runs them (CLI, demo, several Airflow workers):

* PostgreSQL catalog: a session-level advisory lock (``pg_advisory_lock``) on a
  connection of its own to the catalog database. The server releases it when
  that connection ends, so a killed writer never leaves it held.
* SQLite (embedded) catalog: ``flock`` on ``<catalog>.lock`` next to the catalog
  file; the kernel releases it when the process dies. One machine only.

Waiting is bounded (``NEWSARCHIVE_LOCK_TIMEOUT``, default 1 h) and says what it waits for.
"""
from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
import zlib
from typing import Iterator

from newsarchive.lake.target import CatalogTarget

log = logging.getLogger("newsarchive")

#: First key of our advisory locks ("na"); the second is a hash of the catalog's data path.
PG_LOCK_CLASS = 0x6E61


class LockTimeout(RuntimeError):
    pass


def _timeout() -> float:
    return float(os.environ.get("NEWSARCHIVE_LOCK_TIMEOUT", "3600"))


@contextlib.contextmanager
def writer_lock(target: CatalogTarget, what: str = "write", timeout: float | None = None) -> Iterator[None]:
    timeout = _timeout() if timeout is None else timeout
    if target.kind == "postgres":
        with _pg_lock(target, what, timeout):
            yield
    else:
        with _file_lock(target.path + ".lock", what, timeout):
            yield


def _waiting(what: str, holder: str, waited: float) -> None:
    log.warning("newsarchive %s: waiting for the catalog's writer lock (%s), %.0f s so far", what, holder, waited)


@contextlib.contextmanager
def _file_lock(path: str, what: str, timeout: float) -> Iterator[None]:
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        t0, next_note = time.monotonic(), 10.0
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - t0
                if waited > timeout:
                    raise LockTimeout(f"another writer has held {path} for over {timeout:.0f} s") from None
                if waited > next_note:
                    _waiting(what, path, waited)
                    next_note *= 2
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()} {what}\n".encode())
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def lock_key(target: CatalogTarget) -> tuple[int, int]:
    """The advisory lock's two 32-bit keys: our class and a hash of the catalog's data path."""
    h = zlib.crc32(target.data_path.encode()) & 0x7FFFFFFF
    return PG_LOCK_CLASS, h


@contextlib.contextmanager
def _pg_lock(target: CatalogTarget, what: str, timeout: float) -> Iterator[None]:
    import psycopg
    conn = psycopg.connect(target.conninfo, autocommit=True, application_name=f"newsarchive {what} lock")
    try:
        k1, k2 = lock_key(target)
        t0, next_note = time.monotonic(), 10.0
        while not conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (k1, k2)).fetchone()[0]:
            waited = time.monotonic() - t0
            if waited > timeout:
                raise LockTimeout(f"another writer has held the catalog's advisory lock ({k1}, {k2}) "
                                  f"for over {timeout:.0f} s")
            if waited > next_note:
                _waiting(what, f"advisory lock {k1}/{k2}", waited)
                next_note *= 2
            time.sleep(0.1)
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s, %s)", (k1, k2))
    finally:
        conn.close()
