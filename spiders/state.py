"""What the previous crawl of a source left for the next one: ``index/urls/source=<id>/_discovery.json``.

``complete`` says the last crawl traversed every feed, sitemap and listing page it meant to
(it was not killed, cut by its budget or time limit, and no discovery page failed). Only then may
the next crawl stop paging a listing at the first archived article and send conditional requests
for discovery pages: after a killed crawl, the pages behind the archived ones were never read.
A crawl marks the state incomplete when it starts, so a crawl that dies leaves it so.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from pipelines.seen import seen_prefix
from pipelines.storage import Store


@dataclass
class DiscoveryState:
    complete: bool = False
    #: discovery URL -> {"etag", "last_modified"} of its last 200 (only kept after a fully clean crawl)
    validators: dict[str, dict] = field(default_factory=dict)
    run_id: str | None = None

    @staticmethod
    def path(source_id: str) -> str:
        return f"{seen_prefix(source_id)}_discovery.json"

    @classmethod
    def load(cls, store: Store, source_id: str) -> "DiscoveryState":
        try:
            data = json.loads(store.read_text(cls.path(source_id)))
        except FileNotFoundError:
            return cls()
        except ValueError:   # a damaged state file only costs one full traversal
            return cls()
        return cls(bool(data.get("complete")), dict(data.get("validators") or {}), data.get("run_id"))

    def save(self, store: Store, source_id: str) -> None:
        store.write_text(self.path(source_id), json.dumps(asdict(self), ensure_ascii=False, sort_keys=True))
