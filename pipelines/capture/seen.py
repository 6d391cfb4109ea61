"""The store-backed seen-set: article URLs that need no fetch any more.

One small Parquet file per committed WARC segment under
``index/urls/source=<id>/<segment>.parquet``; every crawl of the source (on any
worker) loads them all. Keys are ``pipelines.urls.url_key`` values; lookups go
through a sorted array of 64-bit xxh3 hashes (8 bytes per URL), so a million
archived URLs cost ~8 MB, not a Python set of strings.

A row is written for every article fetch whose result is *final*: archived
(2xx), not modified, gone (404/410/...), too large, not HTML, redirect loop.
Transient failures (5xx, 429, timeouts, network errors) are not written, so the
next crawl tries again.

Re-fetching: ``load_seen(..., recent_since=t)`` also returns the archived URLs first
fetched at or after ``t`` (``SeenSet.recent``), least recently checked first, with their
newest validators (ETag / Last-Modified, for a conditional request) and the publication
date their discovery hint gave (so a new version keeps it). Pages found through a
date-addressed archive (e-paper, ``via`` = ``archive``) are print: never re-fetched.
"""
from __future__ import annotations

import json

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xxhash

from pipelines import layout
from pipelines.layout import seen_file, seen_prefix  # noqa: F401 - seen_prefix: part of this module's API
from pipelines.storage import Store

SCHEMA = pa.schema([
    ("url_key", pa.string()),
    ("key_hash", pa.uint64()),
    ("url", pa.string()),
    ("fetched_at", pa.timestamp("us", tz="UTC")),
    ("status", pa.int16()),
    ("outcome", pa.string()),
    ("etag", pa.string()),
    ("last_modified", pa.string()),
    ("run_id", pa.string()),
    # how the URL was found (the crawl-log hint ``via``) and the publication date the hint gave
    ("via", pa.string()),
    ("published", pa.string()),
    ("published_from", pa.string()),
])
#: Outcomes of an archived page (first fetch, or a later check of it).
_ARCHIVED = ("ok", "not_modified")

#: Outcomes after which an article URL is not fetched again by a crawl.
FINAL_OUTCOMES = frozenset({"ok", "not_modified", "too_large", "not_html", "redirect_loop", "offsite",
                            "private_address"})
#: HTTP statuses that are permanent (anything else >= 400 is retried by the next crawl).
PERMANENT_STATUSES = frozenset({400, 401, 403, 404, 405, 406, 410, 414, 451})




def key_hash(key: str) -> int:
    return xxhash.xxh3_64_intdigest(key.encode("utf-8"))


def is_final(outcome: str, status: int | None) -> bool:
    """Whether a fetch result means "do not fetch this URL again"."""
    if outcome in FINAL_OUTCOMES:
        return True
    return outcome == "http_error" and status in PERMANENT_STATUSES


@dataclass(frozen=True, slots=True)
class SeenEntry:
    """An archived article recent enough to be re-fetched (with its validators)."""
    url: str
    first_fetched_at: datetime
    etag: str | None = None
    last_modified: str | None = None
    last_checked_at: datetime | None = None
    via: str | None = None
    published: str | None = None
    published_from: str | None = None

    @property
    def conditional(self) -> bool:
        """A validator to send: the request can be answered with 304."""
        return bool(self.etag or self.last_modified)

    def hints(self) -> dict:
        """Crawl-log hints of the re-fetch (the first fetch's publication date, when it had one)."""
        h = {"via": "refetch"}
        if self.published:
            h["published"], h["published_from"] = self.published, self.published_from or "feed"
        return h


@dataclass
class SeenSet:
    """Membership test over loaded hashes plus the keys added during this crawl."""
    hashes: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    added: set[int] = field(default_factory=set)
    recent: dict[str, SeenEntry] = field(default_factory=dict)

    def __contains__(self, key: str) -> bool:
        h = key_hash(key)
        if h in self.added:
            return True
        i = int(np.searchsorted(self.hashes, h))
        return i < len(self.hashes) and int(self.hashes[i]) == h

    def __len__(self) -> int:
        return len(self.hashes) + len(self.added)

    def add(self, key: str) -> None:
        self.added.add(key_hash(key))


def to_table(rows: list[dict]) -> pa.Table:
    """Seen rows (dicts with the SCHEMA names except key_hash) -> Arrow table."""
    cols = {n: [r.get(n) for r in rows] for n in SCHEMA.names if n != "key_hash"}
    cols["key_hash"] = [key_hash(k) for k in cols["url_key"]]
    return pa.Table.from_pydict(cols, schema=SCHEMA)


def write_seen(store: Store, source_id: str, name: str, rows: list[dict]) -> str | None:
    """Write the rows of one committed segment (an empty file when it has none: the file also says
    "this segment's seen rows are written", which :func:`reconcile` looks for); returns the store path."""
    rel = seen_file(source_id, name)
    store.write_parquet(to_table(rows), rel, create_only=True)
    return rel


def seen_files(store: Store, source_id: str) -> list[str]:
    return store.list(seen_prefix(source_id), suffix=".parquet")


def read_seen(store: Store, source_id: str, columns: list[str] | None = None) -> pa.Table:
    return store.read_parquet(seen_files(store, source_id), columns=columns, schema=SCHEMA)


def load_seen(store: Store, source_id: str, *, recent_since: datetime | None = None) -> SeenSet:
    """Load the seen-set of a source; with ``recent_since``, also the entries first fetched after it."""
    files = seen_files(store, source_id)
    if not files:
        return SeenSet()
    hashes = store.read_parquet(files, columns=["key_hash"], schema=SCHEMA).column("key_hash")
    arr = np.unique(hashes.to_numpy(zero_copy_only=False).astype(np.uint64))
    recent = _recent(store, files, recent_since) if recent_since else {}
    return SeenSet(hashes=arr, recent=recent)


def _recent(store: Store, files: list[str], since: datetime) -> dict[str, SeenEntry]:
    """url_key -> SeenEntry for archived URLs first fetched at or after ``since`` (not from a date
    archive, not gone since: a check that ended 404/410 … takes the URL out), least recently checked
    first (then newest first)."""
    import pyarrow.dataset as ds
    head = store.read_parquet(files, columns=["key_hash", "fetched_at", "outcome"], schema=SCHEMA)
    head = head.filter(pc.is_in(head["outcome"], pa.array(_ARCHIVED)))
    first = head.group_by("key_hash").aggregate([("fetched_at", "min")])
    young = first.filter(pc.greater_equal(first["fetched_at_min"], pa.scalar(since, SCHEMA.field("fetched_at").type)))
    if not young.num_rows:
        return {}
    tbl = store.read_parquet(files, filters=ds.field("key_hash").isin(young["key_hash"]), schema=SCHEMA)
    rows: dict[str, dict] = {}
    for row in tbl.sort_by("fetched_at").to_pylist():   # later rows carry the newest validators
        k, archived = row["url_key"], row["outcome"] in _ARCHIVED
        prev = rows.get(k)
        if prev is None:
            if archived:
                rows[k] = {**row, "first": row["fetched_at"], "gone": False}
            continue
        prev["fetched_at"], prev["gone"] = row["fetched_at"], not archived
        for name in ("etag", "last_modified"):
            prev[name] = row[name] or prev[name]
    out = [(k, SeenEntry(url=r["url"], first_fetched_at=r["first"], etag=r["etag"], last_modified=r["last_modified"],
                         last_checked_at=r["fetched_at"], via=r["via"], published=r["published"],
                         published_from=r["published_from"]))
           for k, r in rows.items() if r["via"] != "archive" and not r["gone"]]
    out.sort(key=lambda ke: (ke[1].last_checked_at, -ke[1].first_fetched_at.timestamp()))
    return dict(out)


def recent_cutoff(now: datetime, hours: int) -> datetime | None:
    return now - timedelta(hours=hours) if hours > 0 else None


def compact_seen(store: Store, source_id: str, name: str = "_compacted") -> str | None:
    """Merge all seen files of a source into one row per url_key (run it while no crawl of the source runs).

    The kept row has the first fetch time (recency of re-fetching) and the newest validators.
    """
    files = seen_files(store, source_id)
    if len(files) < 2:
        return None
    rows: dict[str, dict] = {}
    for row in read_seen(store, source_id).sort_by("fetched_at").to_pylist():
        prev = rows.get(row["url_key"])
        if prev is None:
            rows[row["url_key"]] = row
        else:
            prev.update({k: row[k] for k in ("etag", "last_modified", "status", "outcome") if row[k] is not None})
    rel = f"{seen_prefix(source_id)}{name}-{xxhash.xxh3_64_hexdigest(chr(0).join(files).encode())}.parquet"
    tbl = to_table(list(rows.values()))
    covered = sorted(covered_segments(store, files))          # reconcile must not write them again
    tbl = tbl.replace_schema_metadata({**(tbl.schema.metadata or {}), b"segments": json.dumps(covered).encode()})
    store.write_parquet(tbl, rel)
    store.delete_many(f for f in files if f != rel)
    return rel


def covered_segments(store: Store, files: list[str]) -> set[str]:
    """Segment stems whose seen rows ``files`` hold: a file's own stem, or the list a compacted file keeps."""
    import pyarrow.parquet as pq
    out = set()
    for f in files:
        stem = f.rsplit("/", 1)[1][: -len(".parquet")]
        if not stem.startswith("_compacted"):
            out.add(stem)
            continue
        meta = (pq.read_schema(store.path(f), filesystem=store.fs).metadata or {}).get(b"segments")
        out.update(json.loads(meta) if meta else [])
    return out


def rows_for_line(line: dict, mobile_hosts: dict[str, str] | None = None, key=None) -> list[dict]:
    """Seen rows of one crawl-log line: a final article fetch with a final result, under every URL
    of its redirect chain (so neither the linked URL nor the target is fetched again).
    ``key`` replaces ``url_key(url, mobile_hosts)`` (a memoized one)."""
    from pipelines.urls import url_key
    key = key or (lambda u: url_key(u, mobile_hosts))
    if not line.get("final") or line.get("kind") != "article" or not is_final(line["outcome"], line.get("status")):
        return []
    urls = [*line.get("redirected_from", []), line["url"]]
    hints = line.get("hints") or {}
    base = {"url": line["url"], "fetched_at": datetime.fromisoformat(line["fetched_at"]),
            "status": line.get("status"), "outcome": line["outcome"], "etag": line.get("etag"),
            "last_modified": line.get("last_modified"), "run_id": line.get("run"), "via": hints.get("via"),
            "published": hints.get("published"), "published_from": hints.get("published_from")}
    return [{**base, "url_key": k} for k in dict.fromkeys(key(u) for u in urls)]


def reconcile(store: Store, source_id: str, dt=None, mobile_hosts: dict[str, str] | None = None) -> list[str]:
    """Write the missing seen files of committed segments (a crawl killed between committing a
    segment's log and its seen file), of every date (or one). Returns the files written.

    Without it the next crawl would fetch those pages again and archive them twice."""
    from pipelines.capture.raw import committed_segments
    have = covered_segments(store, seen_files(store, source_id))
    written = []
    for log in [s.log for s in committed_segments(store, source_id, dt)]:
        stem = log.rsplit("/", 1)[1][: -len(layout.LOG_SUFFIX)]
        if stem in have:
            continue
        rows = [r for ln in store.iter_lines(log) if ln.strip() for r in rows_for_line(json.loads(ln), mobile_hosts)]
        try:
            rel = write_seen(store, source_id, stem, rows)
        except FileExistsError:          # another crawl reconciled it meanwhile: the same rows
            continue
        if rel is not None:
            written.append(rel)
    return written
