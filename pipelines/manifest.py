"""Commit manifests (``_snapshots/<dt>.json``): what is in the archive.

A file is part of the archive only once the manifest of its date lists it;
publish and compact write data and index files first and the manifest last
(one atomic PUT / rename), then delete the date's files it no longer lists.
Readers use :func:`committed_files` / :func:`snapshots` and never list folders.

Format (keys sorted, no wall-clock time, so an identical rerun writes
identical bytes)::

    {"format": 1, "dt": "2022-07-28", "schema_version": "1",
     "committed_at_run": "<batch of the last publish, or 'compact'>",
     "files": {"articles":  [{"path": "articles/dt=2022-07-28/source=S/part-<digest>.parquet",
                              "source": "S", "rows": 12, "bytes": 34567, "runs": ["<run>"]}, ...],
               "sightings": [...], "rejects": [...],
               "index":     [{"path": "index/docs/dt=2022-07-28/seg-<digest>.idx",
                              "rows": 12, "bytes": 4567, "runs": ["<run>"]}]},
     "runs":   {"<run>": {"staged": 20, "articles": 12, "sightings": 20, "rejects": 1,
                          "exact_duplicates": 8, "near_duplicates": 3}},
     "counts": {"articles": 12, "sightings": 20, "rejects": 1, "index": 12}}

``runs`` of a file entry lists the batches whose rows it holds (several after
compaction); a rerun of a batch rewrites those files without its rows.
"""
from __future__ import annotations

import json
from typing import Iterable

import schemas
from pipelines.storage import Store

FORMAT = 1
SNAPSHOTS = "_snapshots"
TABLES = tuple(schemas.TABLES)          # articles, sightings, rejects
KINDS = TABLES + ("index",)


def manifest_path(dt: str) -> str:
    return f"{SNAPSHOTS}/{dt}.json"


def prefix_of(kind: str, dt: str) -> str:
    """Folder of one date's files of a table (or of the index)."""
    return f"index/docs/dt={dt}/" if kind == "index" else f"{kind}/dt={dt}/"


def empty(dt: str) -> dict:
    return {"format": FORMAT, "dt": dt, "schema_version": schemas.SCHEMA_VERSION,
            "committed_at_run": None, "files": {k: [] for k in KINDS}, "runs": {},
            "counts": {k: 0 for k in KINDS}}


def read(store: Store, dt: str) -> dict | None:
    try:
        return json.loads(store.read_text(manifest_path(dt)))
    except FileNotFoundError:
        return None


def encode(m: dict) -> str:
    for k in KINDS:
        m["files"][k] = sorted(m["files"].get(k, []), key=lambda e: e["path"])
        m["counts"][k] = sum(e["rows"] for e in m["files"][k])
    return json.dumps(m, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def commit(store: Store, m: dict) -> None:
    """Write the manifest (the commit point), then delete files of the date it does not list."""
    store.write_text(manifest_path(m["dt"]), encode(m))
    listed = {e["path"] for k in KINDS for e in m["files"][k]}
    stale = [p for k in KINDS for p in store.list(prefix_of(k, m["dt"]))
             if p not in listed and not p.rsplit("/", 1)[-1].startswith(".")]
    store.delete_many(stale)


def dates(store: Store) -> list[str]:
    return [p.rsplit("/", 1)[-1][:-5] for p in store.list(SNAPSHOTS, suffix=".json")]


def snapshots(store: Store) -> dict[str, dict]:
    """Every committed manifest, by date (sorted)."""
    out = {}
    for dt in dates(store):
        m = read(store, dt)
        if m is not None:
            out[dt] = m
    return out


def committed_files(store: Store, table: str, dates: Iterable[str] | None = None,
                    uris: bool = False) -> list[str]:
    """Store-relative paths (or full URIs) of the committed files of ``table`` (or ``"index"``)."""
    if table not in KINDS:
        raise KeyError(f"unknown table {table!r}; known: {', '.join(KINDS)}")
    wanted = set(dates) if dates is not None else None
    out = []
    for dt, m in snapshots(store).items():
        if wanted is None or dt in wanted:
            out += [e["path"] for e in m["files"].get(table, [])]
    out.sort()
    return [store.uri_of(p) for p in out] if uris else out
