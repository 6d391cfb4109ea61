"""Reading a store of the old layout (schema version 1), for ``newsarchive migrate`` only.

Before the DuckLake catalog, a date's committed files were listed by its commit
manifest ``_snapshots/<dt>.json`` (format 1)::

    {"format": 1, "dt": "2022-07-28", "schema_version": "1", "committed_at_run": "...",
     "files": {"articles": [{"path": "articles/dt=2022-07-28/source=S/part-<digest>.parquet",
                             "source": "S", "rows": 12, "bytes": 34567, "runs": ["<run>"]}, ...],
               "sightings": [...], "rejects": [...], "index": [...]},
     "runs": {"<run>": {"staged": 20, "articles": 12, ...}}, "counts": {...}}

Files a manifest does not list were never part of the archive.
"""
from __future__ import annotations

import json

from pipelines.storage import Store

SNAPSHOTS = "_snapshots"
TABLES = ("articles", "sightings", "rejects")


def dates(store: Store) -> list[str]:
    return [p.rsplit("/", 1)[-1][:-5] for p in store.list(SNAPSHOTS, suffix=".json")]


def snapshots(store: Store) -> dict[str, dict]:
    """Every committed manifest, by date (sorted). A manifest that cannot be read is an error."""
    out = {}
    for dt in dates(store):
        path = f"{SNAPSHOTS}/{dt}.json"
        try:
            out[dt] = json.loads(store.read_text(path))
        except ValueError as exc:
            raise ValueError(f"{store.uri_of(path)} is not a readable manifest: {exc}") from None
    return out
