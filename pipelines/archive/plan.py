"""What a publish batch adds to the archive: dedupe staged rows against everything archived.

A *batch* is a set of staged raw segments (the ledger's ``staged`` ones) that one
publish transaction archives. :func:`plan` decides its rows, without touching
the catalog (``newsarchive.lake.archive`` reads the staged rows, commits the plan
and updates the ledger in one transaction):

1. a staged row that cannot be published becomes a ``publish`` reject
   (:mod:`pipelines.archive.validate`);
2. rows are deduped in the order earliest ``published_at`` → higher source
   priority → ``fetched_at`` → URL, against the batch itself and against the
   index of everything archived *except the rows of the batch's own segments*
   (a segment published before and staged again – a reprocess – replaces its
   rows): archived content becomes a sighting (``is_new=False``), new content an
   ``articles`` row whose ``cluster_id`` is that of its most similar verified
   near-duplicate, or its own ``content_hash`` (:mod:`pipelines.dedupe.index`);
3. the new documents' index rows, keyed by their raw segment.

The same staged rows against the same archive always give the same rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import pyarrow as pa

import schemas
from pipelines.archive import validate
from pipelines.dedupe.index import ArchiveIndex, assign
from pipelines.dedupe.minhash import DEFAULT_THRESHOLD
from pipelines.dedupe.index_file import IndexRows

_FAR = datetime.max.replace(tzinfo=timezone.utc)


@dataclass
class BatchPlan:
    articles: pa.Table
    sightings: pa.Table
    rejects: pa.Table
    index: IndexRows
    staged: int
    exact_duplicates: int
    near_duplicates: int

    def counts(self) -> dict[str, int]:
        return {"staged": self.staged, "articles": self.articles.num_rows, "sightings": self.sightings.num_rows,
                "rejects": self.rejects.num_rows, "exact_duplicates": self.exact_duplicates,
                "near_duplicates": self.near_duplicates}


def plan(staged_articles: pa.Table, staged_rejects: pa.Table, index: ArchiveIndex, priority: dict[str, int],
         threshold: float = DEFAULT_THRESHOLD) -> BatchPlan:
    """The rows a batch adds (see the module doc); inputs and outputs carry the lineage columns."""
    rows, norms, rejects = _checked(staged_articles, staged_rejects, priority)
    a = assign([r["content_hash"] for r in rows], norms, index, [r["segment"] for r in rows], threshold,
               normalized=True)
    articles = [dict(r, cluster_id=c) for r, new, c in zip(rows, a.is_new, a.cluster) if new]
    sightings = [_sighting(r, new) for r, new in zip(rows, a.is_new)]
    return BatchPlan(articles=_tbl(articles, "articles"), sightings=_tbl(sightings, "sightings"),
                     rejects=_tbl(rejects, "rejects"), index=a.segment, staged=staged_articles.num_rows,
                     exact_duplicates=len(rows) - len(articles), near_duplicates=a.near_duplicates)


def _checked(articles: pa.Table, rejects: pa.Table, priority: dict[str, int]):
    """Publishable article rows in dedupe order, their normalized texts, and all rejects."""
    rows, out_rejects = [], [validate.check_reject(r) for r in rejects.to_pylist()]
    for r in articles.to_pylist():
        reason, detail, norm = validate.check_article(r)
        if reason:
            out_rejects.append(validate.reject_of(r, reason, detail))
        else:
            rows.append((r, norm))
    rows.sort(key=lambda rn: _order(rn[0], priority))
    return [r for r, _ in rows], [n for _, n in rows], out_rejects


def _order(r: dict, priority: dict[str, int]):
    pub = r["published_at"]
    return (pub is None, pub or _FAR, -priority.get(r["source"], 50),
            r["fetched_at"], r["url"], r["content_hash"], r["segment"])


def _sighting(r: dict, new: bool) -> dict:
    return {k: r[k] for k in schemas.SIGHTINGS.names if k in r} | {"is_new": new}


def _tbl(rows: list[dict], table: str) -> pa.Table:
    schema = schemas.schema_for(table)
    return pa.Table.from_pylist([{k: r.get(k) for k in schema.names} for r in rows], schema=schema)
