"""Publish staged batches of one logical date into the archive.

A *batch* is (dt=D, run): the staging files ``staging/dt=D/source=*/<run>.*``.
Publishing a batch:

1. reads its staged articles and rejects; a row that cannot be published
   becomes a ``publish`` reject (:mod:`pipelines.validate`);
2. dedupes, in the order earliest ``published_at`` → higher source priority →
   ``fetched_at`` → URL, against the batch itself and against every committed
   index segment *except this batch's previous output*: archived content becomes
   a sighting (``is_new=False``), new content an ``articles`` row whose
   ``cluster_id`` is that of its most similar verified near-duplicate, or its own
   ``content_hash`` (:mod:`pipelines.dedupe`);
3. writes the batch's files (articles / sightings / rejects per source, one
   index segment), named after their bytes, and rewrites compacted files that
   also hold other batches without this batch's rows;
4. commits ``_snapshots/D.json`` (:mod:`pipelines.manifest`), then deletes D's
   files the manifest no longer lists.

So a rerun replaces the batch's files (N reruns == one run), backfills may come
in any order, and a failure before step 4 leaves the previous snapshot as it
was. Publishes are assumed to be serialized (the scheduler runs them in a pool
with one slot); two concurrent publishes of one date could lose a batch.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import pyarrow as pa

import schemas
from pipelines import manifest, staging, validate
from pipelines.dedupe import ArchiveIndex, assign
from pipelines.neardup import DEFAULT_THRESHOLD
from pipelines.segment import Segment
from pipelines.storage import Store
from pipelines.tablefiles import Blob, put_all, run_key, segment_blobs, table_blobs, without_run

_FAR = datetime.max.replace(tzinfo=timezone.utc)


class PublishError(RuntimeError):
    pass


@dataclass
class BatchResult:
    run: str
    staged: int = 0
    articles: int = 0
    sightings: int = 0
    rejects: int = 0
    exact_duplicates: int = 0
    near_duplicates: int = 0
    files: list[str] = field(default_factory=list)


@dataclass
class PublishResult:
    dt: str
    batches: list[BatchResult]

    @property
    def manifest(self) -> str:
        return manifest.manifest_path(self.dt)


def publish(store: "Store | str", dt: "date | str", run_id: str | None = None, sources_config=None, *,
            threshold: float = DEFAULT_THRESHOLD) -> PublishResult:
    """Publish every staged batch of ``dt`` (sorted by run), or only ``run_id``'s."""
    store, dt = Store.open(store), str(dt)
    runs = [run_key(run_id)] if run_id else staging.staged_runs(store, dt)
    if run_id and not staging.list_staged(store, dt, run_id):
        raise PublishError(f"nothing staged for run {run_id!r} on {dt} (staging/dt={dt}/source=*/{runs[0]}.*)")
    prio = _priorities(sources_config)
    return PublishResult(dt, [publish_batch(store, dt, r, prio, threshold) for r in runs])


def publish_batch(store: Store, dt: str, run: str, priority: dict[str, int],
                  threshold: float = DEFAULT_THRESHOLD) -> BatchResult:
    staged = staging.read_staged(store, dt, run)
    snaps = manifest.snapshots(store)
    prev = snaps.get(dt) or manifest.empty(dt)
    res = BatchResult(run, staged=staged["articles"].num_rows)
    rows, norms, rejects = _checked(staged, run, dt, priority)
    index = ArchiveIndex.load(store, snaps, skip=(dt, run))
    a = assign([r["content_hash"] for r in rows], norms, index, run, threshold, normalized=True)
    articles = [dict(r, cluster_id=c) for r, new, c in zip(rows, a.is_new, a.cluster) if new]
    sightings = [_sighting(r, new) for r, new in zip(rows, a.is_new)]
    blobs = (table_blobs("articles", dt, _tbl(articles, "articles"), [run])
             + table_blobs("sightings", dt, _tbl(sightings, "sightings"), [run])
             + table_blobs("rejects", dt, _tbl(rejects, "rejects"), [run]))
    blobs += segment_blobs(dt, a.segment) if len(a.segment) else []
    m, rewritten = _without_batch(store, prev, run)
    blobs += rewritten
    put_all(store, blobs)
    for b in blobs:
        m["files"]["index" if b.path.startswith("index/") else b.path.split("/", 1)[0]].append(b.entry)
    res.articles, res.sightings, res.rejects = len(articles), len(sightings), len(rejects)
    res.exact_duplicates, res.near_duplicates = len(rows) - len(articles), a.near_duplicates
    res.files = [b.path for b in blobs]
    m["runs"][run] = {k: getattr(res, k) for k in
                      ("staged", "articles", "sightings", "rejects", "exact_duplicates", "near_duplicates")}
    m["committed_at_run"] = run
    manifest.commit(store, m)
    return res


def _checked(staged: dict[str, pa.Table], run: str, dt: str, priority: dict[str, int]):
    """Publishable article rows in dedupe order, their normalized texts, and all rejects."""
    rows, rejects = [], [validate.check_reject(r, run, dt) for r in staged["rejects"].to_pylist()]
    for r in staged["articles"].to_pylist():
        reason, detail, norm = validate.check_article(r, run)
        if reason:
            rejects.append(validate.reject_of(r, run, dt, reason, detail))
        else:
            rows.append((r, norm))
    rows.sort(key=lambda rn: _order(rn[0], priority))
    return [r for r, _ in rows], [n for _, n in rows], rejects


def _order(r: dict, priority: dict[str, int]):
    pub = r["published_at"]
    return (pub is None, pub or _FAR, -priority.get(r["source"], 50),
            r["fetched_at"], r["url"], r["content_hash"])


def _sighting(r: dict, new: bool) -> dict:
    return {k: r[k] for k in ("content_hash", "article_id", "url", "canonical_url", "source",
                              "fetched_at", "run_id")} | {"is_new": new}


def _tbl(rows: list[dict], table: str) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schemas.schema_for(table))


def _without_batch(store: Store, prev: dict, run: str) -> tuple[dict, list[Blob]]:
    """A copy of ``prev`` without the batch's files; files shared with other batches are rewritten."""
    m = manifest.empty(prev["dt"])
    m["runs"] = {k: v for k, v in prev.get("runs", {}).items() if k != run}
    rewritten: list[Blob] = []
    for kind in manifest.KINDS:
        for e in prev["files"].get(kind, []):
            if run not in e["runs"]:
                m["files"][kind].append(e)
            elif len(e["runs"]) > 1 and kind == "index":
                rest = Segment(store.read_bytes(e["path"]), e["path"]).data().without_run(run)
                rewritten += segment_blobs(prev["dt"], rest) if len(rest) else []
            elif len(e["runs"]) > 1:
                rewritten += without_run(store, kind, e, run)
    return m, rewritten


def _priorities(cfg) -> dict[str, int]:
    return {s.id: s.priority for s in cfg.sources} if cfg is not None else {}


def cli_publish(args) -> int:
    """``newsarchive publish --date D [--run RUN] [--store URI] [--config PATH]``."""
    res = publish(args.store, args.date, getattr(args, "run", None), getattr(args, "sources_config", None))
    if not res.batches:
        print(f"publish {res.dt}: nothing staged", file=sys.stderr)
    for b in res.batches:
        print(f"publish {res.dt} {b.run}: staged={b.staged} articles={b.articles} sightings={b.sightings} "
              f"rejects={b.rejects} exact_dups={b.exact_duplicates} near_dups={b.near_duplicates}")
    return 0
