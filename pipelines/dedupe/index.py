"""Exact and near-duplicate lookups against everything archived.

:class:`ArchiveIndex` opens the committed index files (``pipelines.dedupe.index_file``,
listed in the catalog's ``pipeline.index_files``), leaving out the rows of the
raw segments being (re)published. Local
index files are memory-mapped and searched with binary search, so a lookup costs
O(new documents × log archive) and touches a few pages per query; nothing is
loaded per archived document. On S3 an index file is downloaded once into a local
cache (:func:`cache_dir`) and memory-mapped from there, so a run downloads only
the index files committed since the last one.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pipelines.dedupe import minhash
from pipelines.dedupe.index_file import IndexFile, IndexRows, content_keys, digests, hex_of
from pipelines.storage import Store


@dataclass
class _Open:
    idx: IndexFile
    skip: np.ndarray | None      # key indexes whose rows are left out (raw segments being republished)

    def alive(self, rows: np.ndarray) -> np.ndarray:
        if self.skip is None:
            return np.ones(len(rows), dtype=bool)
        return ~np.isin(self.idx.key[rows], self.skip)


@dataclass
class ArchiveIndex:
    parts: list[_Open] = field(default_factory=list)
    #: cluster of each content the replaced segments archived before: a rerun keeps it (ids never change)
    previous: dict[tuple[int, int], str] = field(default_factory=dict)

    @classmethod
    def load(cls, store: Store, files: list[tuple[str, list[str]]], replace: "set[str] | frozenset[str]" = frozenset()
             ) -> "ArchiveIndex":
        """The index files ``files`` (``(path, raw segments)`` pairs), without the rows of ``replace``."""
        parts, previous = [], {}
        for path, keys in sorted(files):
            own = replace.intersection(keys)
            seg = _open(store, path)
            if own:
                skip = np.array([i for i, k in enumerate(seg.keys) if k in own], dtype=np.uint32)
                previous.update(_rows_of(seg, skip))
                if len(own) < len(keys):
                    parts.append(_Open(seg, skip))
            else:
                parts.append(_Open(seg, None))
        return cls(parts, previous)

    @property
    def size(self) -> int:
        return sum(p.idx.n for p in self.parts)

    def contains(self, ckeys: np.ndarray) -> np.ndarray:
        """Which 128-bit content keys ((q, 2) uint64) are archived."""
        found = np.zeros(len(ckeys), dtype=bool)
        for p in self.parts:
            s = p.idx
            if s.n == 0:
                continue
            pos = np.searchsorted(s.chi, ckeys[:, 0])
            at = np.minimum(pos, s.n - 1)
            same_hi = (pos < s.n) & (np.asarray(s.chi[at]) == ckeys[:, 0])
            hit = same_hi & (np.asarray(s.clo[at]) == ckeys[:, 1]) & p.alive(at)
            found |= hit
            for q in np.flatnonzero(same_hi & ~hit):      # rare: equal first 8 bytes, or own row
                i = pos[q] + 1
                while i < s.n and s.chi[i] == ckeys[q, 0]:
                    if s.clo[i] == ckeys[q, 1] and p.alive(np.array([i]))[0]:
                        found[q] = True
                        break
                    i += 1
        return found

    def matches(self, bands: np.ndarray, sketch: np.ndarray, threshold: float) -> dict[int, list[tuple[float, str]]]:
        """Verified near-duplicates of each query: ``{query: [(similarity, cluster_id), ...]}``."""
        out: dict[int, list[tuple[float, str]]] = {}
        for p in self.parts:
            qs, rows = _band_hits(p.idx, bands)
            if len(qs) == 0:
                continue
            keep = p.alive(rows)
            qs, rows = qs[keep], rows[keep]
            sims = minhash.similarity(sketch[qs], np.asarray(p.idx.sketch[rows]))
            for q, r, s in zip(qs[sims >= threshold], rows[sims >= threshold], sims[sims >= threshold]):
                out.setdefault(int(q), []).append((float(s), hex_of(p.idx.cluster[r])))
        return out


def _rows_of(seg: IndexFile, keys: np.ndarray) -> dict[tuple[int, int], str]:
    rows = np.flatnonzero(np.isin(np.asarray(seg.key), keys))
    return {(int(seg.chi[r]), int(seg.clo[r])): hex_of(seg.cluster[r]) for r in rows}


def cache_dir() -> Path | None:
    """Local cache of S3 index files (``NEWSARCHIVE_INDEX_CACHE``; empty = off)."""
    v = os.environ.get("NEWSARCHIVE_INDEX_CACHE", str(Path.home() / ".cache" / "newsarchive" / "index"))
    return Path(v) if v else None


def _open(store: Store, rel: str) -> IndexFile:
    """An index file, memory-mapped. On S3 it is downloaded once into the cache: index file names
    are digests of their bytes, so a cached copy never goes stale."""
    if not store.is_s3:
        return IndexFile.open_local(store.path(rel))
    cache = cache_dir()
    if cache is None:
        return IndexFile(store.read_bytes(rel), rel)
    local = cache / store.bucket / store.key(rel)
    if not local.exists():
        local.parent.mkdir(parents=True, exist_ok=True)
        tmp = local.with_name(f".{local.name}.{os.getpid()}.tmp")
        tmp.write_bytes(store.read_bytes(rel))
        os.replace(tmp, local)
    return IndexFile.open_local(str(local))


def _band_hits(seg: IndexFile, bands: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (query, row) pairs sharing at least one band key."""
    if seg.n == 0 or len(bands) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    qs, rows = [], []
    for b in range(minhash.BANDS):
        keys = seg.bkey[b]
        lo = np.searchsorted(keys, bands[:, b], "left")
        hi = np.searchsorted(keys, bands[:, b], "right")
        for q in np.flatnonzero(hi > lo):
            r = np.asarray(seg.bdoc[b][lo[q]:hi[q]], dtype=np.int64)
            qs.append(np.full(len(r), q, dtype=np.int64))
            rows.append(r)
    if not qs:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    pairs = np.unique(np.stack([np.concatenate(qs), np.concatenate(rows)], axis=1), axis=0)
    return pairs[:, 0], pairs[:, 1]


@dataclass
class Assignment:
    """Result of deduplicating one batch (``texts``/``hashes`` in processing order)."""
    is_new: list[bool]
    cluster: list[str | None]        # for new documents; None for sightings of archived content
    segment: IndexRows             # index rows of the new documents
    near_duplicates: int


def assign(hashes: list[str], texts: list[str], index: ArchiveIndex, keys: list[str],
           threshold: float = minhash.DEFAULT_THRESHOLD, normalized: bool = False) -> Assignment:
    """Exact dedupe (in the batch and against the archive), then near-duplicate clusters for new content.

    Documents are taken in the given order: the first of a content is the new one,
    and the first of a near-duplicate group gives its ``cluster_id``. ``keys[i]`` is the raw
    segment document ``i`` came from (stored with its index row).
    """
    first: dict[str, int] = {}
    for i, h in enumerate(hashes):
        first.setdefault(h, i)
    cand = sorted(first.values())
    archived = index.contains(content_keys([hashes[i] for i in cand])) if cand else np.zeros(0, bool)
    new = [i for i, a in zip(cand, archived) if not a]
    sigs = minhash.signatures((texts[i] for i in new), normalized=normalized)
    bands, sk = minhash.band_keys(sigs), minhash.sketches(sigs)
    from_archive = index.matches(bands, sk, threshold)
    ckeys = content_keys([hashes[i] for i in new]).reshape(-1, 2)
    kept = [index.previous.get((int(k[0]), int(k[1]))) for k in ckeys]
    clusters = _cluster_batch([hashes[i] for i in new], bands, sk, from_archive, threshold, kept)
    is_new = [False] * len(hashes)
    cluster: list[str | None] = [None] * len(hashes)
    for k, i in enumerate(new):
        is_new[i], cluster[i] = True, clusters[k]
    names = sorted({keys[i] for i in new})
    pos = {k: j for j, k in enumerate(names)}
    seg = IndexRows(ckeys, digests(clusters).reshape(-1, 32), sk, bands,
                      np.array([pos[keys[i]] for i in new], dtype=np.uint32), names)
    near = sum(c != hashes[i] for c, i in zip(clusters, new))
    return Assignment(is_new, cluster, seg, near)


def _cluster_batch(hashes: list[str], bands: np.ndarray, sk: np.ndarray,
                   from_archive: dict[int, list[tuple[float, str]]], threshold: float,
                   kept: list[str | None]) -> list[str]:
    """Cluster of each new document, in order; ``kept`` clusters (from a previous run) win."""
    buckets: dict[tuple[int, int], list[int]] = {}
    clusters: list[str] = []
    for i, h in enumerate(hashes):
        keys = [(b, int(bands[i, b])) for b in range(minhash.BANDS)]
        if kept[i] is None:
            cands = list(from_archive.get(i, []))
            earlier = sorted({j for k in keys for j in buckets.get(k, ())})
            if earlier:
                sims = minhash.similarity(sk[i][None, :], sk[earlier])
                cands += [(float(s), clusters[j]) for s, j in zip(sims, earlier) if s >= threshold]
            best = min(cands, key=lambda sc: (-sc[0], sc[1]), default=None)
        clusters.append(kept[i] or (best[1] if best else h))
        for k in keys:
            buckets.setdefault(k, []).append(i)
    return clusters
