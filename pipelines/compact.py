"""Compaction: merge a date's small batch files into one file per partition.

For each committed date, every table partition (dt, source) with more than one
file becomes one file holding exactly the same rows (re-sorted by
``SORT_KEYS``); the date's index segments become one segment. The manifest
records the batches each merged file holds (``runs``), so a later rerun of one
of them rewrites the merged file without its rows. Like publish, the new files
are written first and the manifest is committed last; a date with nothing to
merge is left untouched (compaction is idempotent).
"""
from __future__ import annotations

import copy
import sys
from datetime import date

import pyarrow as pa

import schemas
from pipelines import manifest
from pipelines.segment import Segment, SegmentData
from pipelines.storage import Store
from pipelines.tablefiles import Blob, put_all, read_table, segment_blobs, table_blobs


def compact(store: "Store | str", dates: "list[str | date] | None" = None,
            tables: list[str] | None = None) -> dict[str, int]:
    """Compact ``dates`` (default: every committed date); returns files removed per date."""
    store = Store.open(store)
    tables = list(tables or manifest.TABLES)
    unknown = set(tables) - set(manifest.TABLES)
    if unknown:
        raise KeyError(f"unknown tables {sorted(unknown)}; known: {', '.join(manifest.TABLES)}")
    out = {}
    for dt in [str(d) for d in dates] if dates else manifest.dates(store):
        m = manifest.read(store, dt)
        if m is not None:
            out[dt] = compact_date(store, m, tables)
    return out


def compact_date(store: Store, m: dict, tables: list[str]) -> int:
    new, blobs, before = copy.deepcopy(m), [], sum(len(m["files"][k]) for k in manifest.KINDS)
    for table in tables:
        by_source: dict[str, list[dict]] = {}
        for e in m["files"][table]:
            by_source.setdefault(e["source"], []).append(e)
        for entries in by_source.values():
            if len(entries) > 1:
                blobs += _merge_table(store, table, m["dt"], entries)
                new["files"][table] = [e for e in new["files"][table] if e not in entries]
    if len(m["files"]["index"]) > 1:
        parts = [Segment(store.read_bytes(e["path"]), e["path"]).data() for e in m["files"]["index"]]
        merged = SegmentData.concat(parts)
        blobs += segment_blobs(m["dt"], merged)
        new["files"]["index"] = []
    if not blobs:
        return 0
    put_all(store, blobs)
    for b in blobs:
        new["files"]["index" if b.path.startswith("index/") else b.path.split("/", 1)[0]].append(b.entry)
    new["committed_at_run"] = "compact"
    manifest.commit(store, new)
    return before - sum(len(new["files"][k]) for k in manifest.KINDS)


def _merge_table(store: Store, table: str, dt: str, entries: list[dict]) -> list[Blob]:
    schema = schemas.schema_for(table)
    tbl = pa.concat_tables([read_table(store, e["path"], schema) for e in entries])
    return table_blobs(table, dt, tbl, sorted({r for e in entries for r in e["runs"]}))


def cli_compact(args) -> int:
    """``newsarchive compact [--tables ...] [--dates ...] [--seen] [--rollup [--before D]] [--store URI]``."""
    res = compact(args.store, args.dates, args.tables)
    for dt, removed in res.items():
        print(f"compact {dt}: {removed} files fewer" if removed else f"compact {dt}: nothing to merge")
    if not res:
        print("compact: no committed dates", file=sys.stderr)
    if getattr(args, "seen", False):
        from pipelines.seen import compact_seen
        store = Store.open(args.store)
        sources = sorted({p.split("/")[2][len("source="):] for p in store.list("index/urls/")
                          if p.split("/")[2].startswith("source=")})
        for sid in sources:
            out = compact_seen(store, sid)
            print(f"compact seen-set of {sid}: {out or 'nothing to merge'}")
    if getattr(args, "rollup", False):
        from pipelines.rollup import cli_rollup
        return cli_rollup(args)
    return 0
