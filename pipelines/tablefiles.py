"""Deterministic Parquet files of the published tables.

A file is built in memory, named after its bytes
(``<table>/dt=D/source=S/part-<sha256[:20]>.parquet``), and only then put in
the store, so identical rows always give an identical file with the same name.
Rows are sorted by ``schemas.SORT_KEYS`` (plus tie-breaking columns, so the
order never depends on input order) and written zstd with the table's schema
and its ``schema_version`` metadata.
"""
from __future__ import annotations

import hashlib
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

import schemas
from pipelines.storage import Store

PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 3, "write_statistics": True,
                   "use_dictionary": True, "row_group_size": 128 * 1024}
#: Extra sort columns after SORT_KEYS, so ties are broken the same way every time.
_TIE_BREAK = {
    "articles": ["url", "run_id"],
    "sightings": ["run_id", "source", "article_id", "is_new", "canonical_url"],
    "rejects": ["run_id", "source", "detail", "http_status", "raw_ref"],
}


@dataclass
class Blob:
    """A file to put in the store and its manifest entry."""
    path: str
    data: bytes
    entry: dict


def sort_rows(tbl: pa.Table, table: str) -> pa.Table:
    keys = schemas.SORT_KEYS[table] + [(c, "ascending") for c in _TIE_BREAK[table]]
    return tbl.take(pc.sort_indices(tbl, sort_keys=[(c, o, "at_end") for c, o in keys]))


def parquet_bytes(tbl: pa.Table) -> bytes:
    buf = io.BytesIO()
    pq.write_table(tbl, buf, **PARQUET_OPTIONS)
    return buf.getvalue()


def read_table(store: Store, rel: str, schema: pa.Schema) -> pa.Table:
    """One Parquet file of the store (on S3 in a single GET; pyarrow's dataset would HEAD/GET several times)."""
    if store.is_s3:
        return pq.read_table(pa.BufferReader(store.read_bytes(rel)), schema=schema)
    return pq.read_table(store.path(rel), schema=schema)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:20]


def table_blobs(table: str, dt: str, tbl: pa.Table, runs: list[str]) -> list[Blob]:
    """One sorted file per source of ``tbl`` (which has the table's schema)."""
    tbl = tbl.cast(schemas.schema_for(table))
    out = []
    for source in sorted(set(tbl.column("source").to_pylist())):
        part = sort_rows(tbl.filter(pc.equal(tbl.column("source"), source)), table)
        data = parquet_bytes(part)
        path = f"{table}/dt={dt}/source={source}/part-{digest(data)}.parquet"
        out.append(Blob(path, data, {"path": path, "source": source, "rows": part.num_rows,
                                     "bytes": len(data), "runs": sorted(runs)}))
    return out


def segment_blobs(dt: str, seg) -> list[Blob]:
    """The index segment file of ``seg`` (a ``SegmentData``) for date ``dt``."""
    data = seg.encode()
    path = f"index/docs/dt={dt}/seg-{digest(data)}.idx"
    return [Blob(path, data, {"path": path, "rows": len(seg), "bytes": len(data), "runs": sorted(seg.runs)})]


def run_key(run_id: str) -> str:
    """A run id as it appears in paths and manifests (``:`` dropped)."""
    return run_id.replace(":", "")


def without_run(store: Store, table: str, entry: dict, run: str) -> list[Blob]:
    """The file of ``entry`` rewritten without the rows of batch ``run`` (empty list if none remain)."""
    tbl = read_table(store, entry["path"], schemas.schema_for(table))
    keys = pc.replace_substring(tbl.column("run_id"), ":", "")
    rest = tbl.filter(pc.not_equal(keys, run))
    if rest.num_rows == 0:
        return []
    dt = entry["path"].split("/dt=", 1)[1].split("/", 1)[0]
    return table_blobs(table, dt, rest, [r for r in entry["runs"] if r != run])


def put_all(store: Store, blobs: list[Blob], workers: int = 8) -> None:
    """Write every blob (concurrently: S3 PUTs overlap). Raises the first error."""
    if len(blobs) <= 1 or workers <= 1:
        for b in blobs:
            store.write_bytes(b.path, b.data)
        return
    with ThreadPoolExecutor(max_workers=min(workers, len(blobs))) as pool:
        for f in [pool.submit(store.write_bytes, b.path, b.data) for b in blobs]:
            f.result()
