"""Staging files: the extraction output of one crawl run, waiting to be published.

``staging/dt=D/source=S/<run>.articles.parquet`` and ``<run>.rejects.parquet``
(``articles`` / ``rejects`` schemas, ``cluster_id`` null). ``<run>`` is the
run id with ``:`` dropped. One (D, run) is one publish *batch*, whatever the
number of sources. Staging files are kept after publishing (a rerun reads them
again).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable

import pyarrow as pa

import schemas
from pipelines.record import Article, Reject, to_table
from pipelines.storage import Store
from pipelines.tablefiles import PARQUET_OPTIONS, read_table, run_key

SUFFIXES = {"articles": ".articles.parquet", "rejects": ".rejects.parquet"}


def prefix(dt: "str | date") -> str:
    return f"staging/dt={dt}/"


def path(dt: "str | date", source: str, run_id: str, table: str) -> str:
    return f"{prefix(dt)}source={source}/{run_key(run_id)}{SUFFIXES[table]}"


def write_staged(store: Store, dt: "str | date", source: str, run_id: str,
                 articles: Iterable[Article | dict], rejects: Iterable[Reject | dict] = ()) -> list[str]:
    """Write one source's extraction output of run ``run_id`` for date ``dt``; returns the paths.

    Every record must carry this ``source`` and ``run_id`` (a ValueError names the first that does not).
    Both files are always written (possibly empty), each atomically, so rerunning extraction replaces them.
    """
    out = []
    for table, recs in (("articles", articles), ("rejects", rejects)):
        tbl = to_table(recs, table)
        _check(tbl, table, source, run_id)
        if table == "articles":
            tbl = tbl.set_column(tbl.schema.get_field_index("cluster_id"), schemas.ARTICLES.field("cluster_id"),
                                 pa.nulls(tbl.num_rows, pa.string()))
        rel = path(dt, source, run_id, table)
        store.write_parquet(tbl, rel, **PARQUET_OPTIONS)
        out.append(rel)
    return out


def _check(tbl: pa.Table, table: str, source: str, run_id: str) -> None:
    for col, want in (("source", source), ("run_id", run_id)):
        for i, v in enumerate(tbl.column(col).to_pylist()):
            if v != want:
                raise ValueError(f"staged {table} row {i} has {col}={v!r}, expected {want!r}")


@dataclass
class StagedFile:
    source: str
    run: str          # run key (as in the file name)
    table: str        # "articles" | "rejects"
    path: str


def list_staged(store: Store, dt: "str | date", run_id: str | None = None) -> list[StagedFile]:
    """Staging files of ``dt`` (of one run, if given), sorted by run, source, table."""
    out = []
    for rel in store.list(prefix(dt)):
        name = rel.rsplit("/", 1)[-1]
        src = rel[len(prefix(dt)):].split("/", 1)[0]
        for table, suffix in SUFFIXES.items():
            if src.startswith("source=") and name.endswith(suffix) and not name.startswith("."):
                out.append(StagedFile(src[len("source="):], name[:-len(suffix)], table, rel))
    if run_id is not None:
        out = [f for f in out if f.run == run_key(run_id)]
    return sorted(out, key=lambda f: (f.run, f.source, f.table))


def staged_runs(store: Store, dt: "str | date") -> list[str]:
    """Run keys with staging files for ``dt``, sorted."""
    return sorted({f.run for f in list_staged(store, dt)})


def read_staged(store: Store, dt: "str | date", run_id: str | None = None) -> dict[str, pa.Table]:
    """``{"articles": table, "rejects": table}`` of every staged source of ``dt`` (one run, or all)."""
    files = list_staged(store, dt, run_id)
    return {t: pa.concat_tables([schemas.schema_for(t).empty_table()] + [
        read_table(store, f.path, schemas.schema_for(t)) for f in files if f.table == t])
        for t in SUFFIXES}
