"""What the previous crawl of a source left for the next one: the newest discovery state version.

Versions are append-only, one file per save, never replaced:
``index/urls/source=<id>/_discovery/<YYYY-MM>/<UTC stamp>__<run key>.json``; the newest (by name,
in the newest month folder) is the state. A store of the old layout keeps a single
``_discovery.json``, read when no version exists yet.

``complete`` says the last crawl traversed every feed, sitemap and listing page it meant to
(it was not killed, cut by its budget or time limit, and no discovery page failed). Only then may
the next crawl stop paging a listing at the first archived article and send conditional requests
for discovery pages: after a killed crawl, the pages behind the archived ones were never read.
A crawl marks the state incomplete when it starts, so a crawl that dies leaves it so.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from pipelines import layout
from pipelines.storage import Store


@dataclass
class DiscoveryState:
    complete: bool = False
    #: discovery URL -> {"etag", "last_modified"} of its last 200 (only kept after a fully clean crawl)
    validators: dict[str, dict] = field(default_factory=dict)
    run_id: str | None = None

    @staticmethod
    def folder(source_id: str) -> str:
        return layout.discovery_folder(source_id)

    @staticmethod
    def legacy_path(source_id: str) -> str:
        return f"{layout.seen_prefix(source_id)}_discovery.json"

    @classmethod
    def latest_path(cls, store: Store, source_id: str) -> str | None:
        """The newest version's path (one listing of the month folders, one of the newest month)."""
        for month in sorted(_dirs(store, cls.folder(source_id)), reverse=True):
            files = store.list(f"{cls.folder(source_id)}{month}/", suffix=".json")
            if files:
                return files[-1]
        return cls.legacy_path(source_id) if store.exists(cls.legacy_path(source_id)) else None

    @classmethod
    def load(cls, store: Store, source_id: str) -> "DiscoveryState":
        path = cls.latest_path(store, source_id)
        if path is None:
            return cls()
        try:
            data = json.loads(store.read_text(path))
        except FileNotFoundError:
            return cls()
        except ValueError:   # a damaged state file only costs one full traversal
            return cls()
        return cls(bool(data.get("complete")), dict(data.get("validators") or {}), data.get("run_id"))

    def save(self, store: Store, source_id: str) -> str:
        """Write a new version (never replacing one); returns its path."""
        path = layout.discovery_version(source_id, datetime.now(timezone.utc), self.run_id or "unknown")
        store.write_text(path, json.dumps(asdict(self), ensure_ascii=False, sort_keys=True), create_only=True)
        return path


def _dirs(store: Store, prefix: str) -> set[str]:
    """Names of the folders directly under ``prefix`` (a delimiter listing on S3)."""
    import pyarrow.fs as pafs
    sel = pafs.FileSelector(store.path(prefix), recursive=False, allow_not_found=True)
    return {i.base_name for i in store.fs.get_file_info(sel) if i.type == pafs.FileType.Directory}
