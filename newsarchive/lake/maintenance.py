"""Keeping the archive small and sound: DuckLake's built-in maintenance, and ``verify``.

:func:`maintain` (``newsarchive compact``, the ``newsarchive_compact`` DAG) runs
under the writer lock, like every write (ducklake#1472: a maintenance delete
concurrent with a writer can be lost):

1. merges small dedupe index files into one (a catalog transaction; the old files
   are then unreferenced);
2. ``ducklake_merge_adjacent_files``: the small Parquet files that hourly publishes
   leave behind become big ones (same rows);
3. ``ducklake_rewrite_data_files``: files with many deleted rows (reprocessed
   segments, published staging rows) are rewritten without them;
4. ``ducklake_expire_snapshots``: snapshots older than the retention are
   forgotten (time travel reaches back that far, ``keep_days``);
5. ``ducklake_cleanup_old_files`` and ``ducklake_delete_orphaned_files``: data files
   no retained snapshot references, and files no commit ever referenced (a killed
   writer's), are deleted; so are unreferenced index files.

:func:`verify` checks that every file the catalog references exists with the size it
recorded: damage is reported (and fails queries naming the file), never a smaller answer.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow.fs as pafs

import schemas
from newsarchive.lake import ALIAS, Lake
from newsarchive.lake.archive import put_index_file
from pipelines import layout
from pipelines.dedupe.index_file import IndexFile, IndexRows
from pipelines.storage import Store

#: Default time travel window: snapshots younger than this are kept.
KEEP_DAYS = 30
#: Index files below this many rows are merged.
SMALL_INDEX_ROWS = 200_000


@dataclass
class MaintenanceResult:
    index_files_merged: int = 0
    data_files_before: int = 0
    data_files_after: int = 0
    snapshots_expired: int = 0
    files_deleted: int = 0
    index_files_deleted: int = 0

    def lines(self) -> list[str]:
        return [f"index files merged: {self.index_files_merged}",
                f"data files: {self.data_files_before} -> {self.data_files_after}",
                f"snapshots expired: {self.snapshots_expired}",
                f"files deleted: {self.files_deleted} data/delete files, {self.index_files_deleted} index files"]


def data_files(lake: Lake) -> int:
    n = 0
    for sch, name in schemas.CATALOG:
        n += lake.con.execute(f"SELECT count(*) FROM ducklake_list_files('{ALIAS}', '{name}', schema => '{sch}')"
                              ).fetchone()[0]
    return n


def maintain(lake: Lake, *, keep_days: int = KEEP_DAYS) -> MaintenanceResult:
    res = MaintenanceResult()
    with lake.locked("maintenance"):
        res.index_files_merged = merge_index_files(lake)
        res.data_files_before = data_files(lake)
        con = lake.con
        con.execute(f"CALL ducklake_merge_adjacent_files('{ALIAS}')")
        con.execute(f"CALL ducklake_rewrite_data_files('{ALIAS}', delete_threshold => 0.2)")
        con.execute(f"CALL ducklake_merge_adjacent_files('{ALIAS}')")
        res.data_files_after = data_files(lake)
        res.snapshots_expired = len(con.execute(
            f"CALL ducklake_expire_snapshots('{ALIAS}', older_than => now() - INTERVAL '{int(keep_days)} days')"
        ).fetchall())
        res.files_deleted = len(con.execute(f"CALL ducklake_cleanup_old_files('{ALIAS}', cleanup_all => true)"
                                            ).fetchall())
        res.files_deleted += len(con.execute(
            f"CALL ducklake_delete_orphaned_files('{ALIAS}', older_than => now() - INTERVAL '1 hour')").fetchall())
        res.index_files_deleted = delete_unreferenced_index_files(lake)
    return res


def merge_index_files(lake: Lake) -> int:
    """Merge the small index files into one (the caller holds the lock); returns files merged."""
    rows = lake.con.execute("SELECT path, batch, rows FROM pipeline.index_files ORDER BY path").fetchall()
    small = [(p, b) for p, b, n in rows if n < SMALL_INDEX_ROWS]
    if len(small) < 2:
        return 0
    store = lake.store
    merged = IndexRows.concat([IndexFile(store.read_bytes(p), p).data() for p, _ in small])
    path, _, nbytes, _ = put_index_file(store, merged)
    batch = max(b for _, b in small)

    def body(con):
        con.execute("DELETE FROM pipeline.index_files WHERE list_contains(?, path)", [[p for p, _ in small]])
        con.execute("INSERT INTO pipeline.index_files VALUES (?, ?, ?, ?, ?)",
                    [path, batch, len(merged), nbytes, merged.keys])
    lake.transaction(body)
    return len(small)


def delete_unreferenced_index_files(lake: Lake) -> int:
    store = lake.store
    listed = {r[0] for r in lake.con.execute("SELECT path FROM pipeline.index_files").fetchall()}
    stale = [p for p in store.list(layout.INDEX_DOCS) if p not in listed]
    store.delete_many(stale)
    return len(stale)


# ----------------------------------------------------------------------------- verify
@dataclass
class VerifyResult:
    files: int = 0
    bytes: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _sizes(store: Store, prefix: str) -> dict[str, int]:
    sel = pafs.FileSelector(store.path(prefix), recursive=True, allow_not_found=True)
    return {("s3://" + i.path) if store.is_s3 else i.path: i.size
            for i in store.fs.get_file_info(sel) if i.type == pafs.FileType.File}


def verify(lake: Lake) -> VerifyResult:
    """Every data, delete and index file the catalog references: present, with the recorded size."""
    store, res = lake.store, VerifyResult()
    present = _sizes(store, "lake")
    for sch, name in schemas.CATALOG:
        for f in lake.rows(f"FROM ducklake_list_files('{ALIAS}', '{name}', schema => '{sch}')"):
            for key in ("data_file", "delete_file"):
                path, size = f.get(key), f.get(key + "_size_bytes")
                if not path:
                    continue
                res.files += 1
                res.bytes += size or 0
                have = present.get(path)
                if have is None:
                    res.problems.append(f"{sch}.{name}: {path} is missing")
                elif size is not None and have != size:
                    res.problems.append(f"{sch}.{name}: {path} has {have} bytes, the catalog recorded {size}")
    idx = _sizes(store, layout.INDEX_DOCS.rstrip("/"))
    for path, size in lake.con.execute("SELECT path, bytes FROM pipeline.index_files").fetchall():
        res.files += 1
        res.bytes += size
        full = store.uri_of(path)
        if full not in idx:
            res.problems.append(f"pipeline.index_files: {full} is missing")
        elif idx[full] != size:
            res.problems.append(f"pipeline.index_files: {full} has {idx[full]} bytes, the catalog recorded {size}")
    return res
