"""Monthly rollups: each month of a table as a few big Parquet files, a derived acceleration copy.

The per-date snapshots (``_snapshots/<dt>.json``) stay the truth and the unit of commit; a rollup only
lets readers open a few big files instead of one small file per source and date. For every table and
every month with committed dates before ``before`` (default: the first day of the latest committed
month, so only closed months; a daily schedule passes its logical date and so also covers the current
month through yesterday), :func:`rollup` writes, from the month's dates before ``before``,

* ``rollup/<table>/month=YYYY-MM/part-<digest>.parquet``: the rows of the month's committed daily files,
  sorted by ``dt`` then ``schemas.SORT_KEYS`` (plus the publish writer's tie-breaks), with the table's
  columns plus ``dt`` (string), zstd, row groups of ``ROW_GROUP`` rows, at most ``FILE_ROWS`` rows a
  file, named after their bytes (an unchanged month rebuilds byte-identical files);
* then, last, the commit point ``_rollups/<table>/YYYY-MM.json`` (format in :mod:`pipelines.rollupfmt`)
  listing those files and, per committed date of the month, the daily files they were built from;
* then deletes the month's rollup files that manifest does not list.

A rollup is *valid* while the committed daily files of the dates it covers are exactly the ones it was
built from (:func:`pipelines.rollupfmt.is_valid`); a rerun, backfill or compaction of one of those dates
makes it invalid and readers (``newsarchive/sql/views.sql``) go back to that month's daily files until
the next rollup. Dates of the month published after it (it does not cover them) are read from their daily
files next to a valid rollup, and the next rollup takes them in. Daily files are never deleted. Run it
serialized (like publish): two concurrent rollups of one month could delete each other's new files.
"""
from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pyarrow as pa
import pyarrow.parquet as pq

import schemas
from pipelines import manifest, rollupfmt
from pipelines.storage import Store
from pipelines.tablefiles import read_table, sort_rows

ROW_GROUP = 122_880                 # DuckDB's own row group size: one scan task per row group
FILE_ROWS = 8 * ROW_GROUP           # a month bigger than this is split into several files
WRITE_OPTIONS = {"compression": "zstd", "compression_level": 3, "write_statistics": True, "use_dictionary": True}


def rollup_schema(table: str) -> pa.Schema:
    """The table's schema plus ``dt`` (string): the columns of a rollup file."""
    return schemas.schema_for(table).append(pa.field("dt", pa.string(), nullable=False))


def rollup(store: "Store | str", before: "str | date | None" = None,
           tables: list[str] | None = None) -> dict[str, dict[str, str]]:
    """Build or refresh the rollups of the months before ``before``; returns ``{table: {month: status}}``.

    status: ``built`` (new or replaced), ``unchanged`` (valid already), ``empty`` (no rows of the table)
    or ``removed`` (no rows left: the old rollup is deleted).
    """
    store = Store.open(store)
    snaps = manifest.snapshots(store)
    if not snaps:
        return {}
    before = str(before) if before else max(snaps)[:7] + "-01"
    months = rollupfmt.months_before(snaps, before)
    tables = list(tables or manifest.TABLES)
    if unknown := set(tables) - set(manifest.TABLES):
        raise KeyError(f"unknown tables {sorted(unknown)}; known: {', '.join(manifest.TABLES)}")
    return {t: {m: rollup_month(store, t, m, rollupfmt.daily_files(snaps, t, m, before)) for m in months}
            for t in tables}


def rollup_month(store: Store, table: str, month: str, daily: dict[str, list[str]]) -> str:
    """Bring ``_rollups/<table>/<month>.json`` in line with ``daily``, the committed daily files of the
    month's dates to cover."""
    old = rollupfmt.read(store, table, month)
    if not any(daily.values()):
        if old is None:
            return "empty"
        store.delete(rollupfmt.manifest_path(table, month))
        store.delete_many(store.list(rollupfmt.folder(table, month)))
        return "removed"
    if (old is not None and rollupfmt.is_valid(old, daily) and sorted(old["dates"]) == sorted(daily)
            and old["schema_version"] == schemas.SCHEMA_VERSION and all(store.exists(f["path"]) for f in old["files"])):
        return "unchanged"
    files = write_files(store, table, month, daily)
    new = rollupfmt.new(table, month, files, daily)
    store.write_text(rollupfmt.manifest_path(table, month), rollupfmt.encode(new))      # the commit point
    listed = {f["path"] for f in files}
    store.delete_many([p for p in store.list(rollupfmt.folder(table, month))
                       if p not in listed and not p.rsplit("/", 1)[-1].startswith(".")])
    return "built"


def date_rows(store: Store, table: str, dt: str, paths: list[str]) -> pa.Table:
    """One date's committed rows, sorted as in a daily file, with ``dt`` appended."""
    schema = schemas.schema_for(table)
    with ThreadPoolExecutor(max_workers=min(8, max(1, len(paths)))) as pool:
        parts = list(pool.map(lambda p: read_table(store, p, schema), paths))
    tbl = sort_rows(pa.concat_tables(parts), table)
    return tbl.append_column(pa.field("dt", pa.string(), nullable=False), pa.array([dt] * tbl.num_rows, pa.string()))


def write_files(store: Store, table: str, month: str, daily: dict[str, list[str]]) -> list[dict]:
    """The month's rows (date by date: memory holds one date plus one row group) as rollup files."""
    schema, pending = rollup_schema(table), []
    with tempfile.TemporaryDirectory(prefix="newsarchive-rollup-") as tmp:
        out = _Out(store, table, month, schema, tmp)
        for dt in sorted(daily):
            if daily[dt]:
                pending.append(date_rows(store, table, dt, daily[dt]))
            while sum(t.num_rows for t in pending) >= ROW_GROUP:
                pending = out.write(pending, ROW_GROUP)
        if pending:
            out.write(pending, sum(t.num_rows for t in pending))
        return out.close()


class _Out:
    """Row groups into local temp files (split at ``FILE_ROWS``), each put in the store under its digest."""

    def __init__(self, store: Store, table: str, month: str, schema: pa.Schema, tmp: str):
        self.store, self.table, self.month, self.schema, self.tmp = store, table, month, schema, tmp
        self.writer, self.rows, self.files = None, 0, []

    def write(self, pending: list[pa.Table], n: int) -> list[pa.Table]:
        """Write the first ``n`` rows of ``pending`` as one row group; returns the rest."""
        tbl = pa.concat_tables(pending).combine_chunks()
        if self.writer is None:
            self.path = os.path.join(self.tmp, f"{len(self.files)}.parquet")
            self.writer = pq.ParquetWriter(self.path, self.schema, **WRITE_OPTIONS)
        self.writer.write_table(tbl.slice(0, n), row_group_size=n)
        self.rows += n
        if self.rows >= FILE_ROWS:
            self.close()
        return [tbl.slice(n)] if tbl.num_rows > n else []

    def close(self) -> list[dict]:
        if self.writer is not None:
            self.writer.close()
            self.files.append(self._put(self.path, self.rows))
            self.writer, self.rows = None, 0
        return self.files

    def _put(self, local: str, rows: int) -> dict:
        h = hashlib.sha256()
        with open(local, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        path = f"{rollupfmt.folder(self.table, self.month)}part-{h.hexdigest()[:20]}.parquet"
        self.store.upload_file(local, path)
        return {"path": path, "rows": rows, "bytes": os.path.getsize(local)}


def cli_rollup(args) -> int:
    """The ``--rollup`` part of ``newsarchive compact``: prints one line per table."""
    before = getattr(args, "before", None)
    res = rollup(args.store, before, getattr(args, "tables", None))
    if not res:
        print("rollup: no committed dates", file=sys.stderr)
    for table, months in res.items():
        by = {s: sorted(m for m, v in months.items() if v == s) for s in ("built", "unchanged", "removed")}
        span = f"{min(months)}..{max(months)}" if months else "none"
        print(f"rollup {table}: months {span}: {len(by['built'])} built {' '.join(by['built'])}".rstrip()
              + f", {len(by['unchanged'])} unchanged" + (f", {len(by['removed'])} removed" if by["removed"] else ""))
    return 0
