"""Index files and MinHash sketches: round trips, exclusion of raw segments, similarity estimates."""
from __future__ import annotations

import numpy as np
import pytest

from pipelines.dedupe import minhash
from pipelines.dedupe.index import ArchiveIndex, _Open, assign
from pipelines.dedupe.normalize import content_hash
from pipelines.dedupe.index_file import IndexFile, IndexRows, content_keys, digests
from storekit import small_edit, story, template_pair


def _data(texts: list[str], key: str) -> IndexRows:
    hashes = [content_hash(t) for t in texts]
    sigs = minhash.signatures(texts)
    return IndexRows(content_keys(hashes), digests(hashes), minhash.sketches(sigs), minhash.band_keys(sigs),
                       np.zeros(len(texts), np.uint32), [key])


def test_segment_round_trip_sorted_and_aligned(tmp_path):
    texts = [story(i, 200) for i in range(30)]
    data = IndexRows.concat([_data(texts[:10], "r1"), _data(texts[10:], "r2")])
    raw = data.encode()
    (tmp_path / "s.idx").write_bytes(raw)
    for seg in (IndexFile(raw), IndexFile.open_local(str(tmp_path / "s.idx"))):
        assert seg.n == 30 and seg.keys == ["r1", "r2"]
        assert np.all(np.diff(seg.chi.astype(np.float64)) >= 0)
        assert all(np.all(np.diff(seg.bkey[b].astype(np.int64)) >= 0) for b in range(minhash.BANDS))
        back = seg.data()
        assert back.encode() == raw                         # deterministic bytes
    assert len(raw) / 30 < 400                              # 308 bytes per document + header


def test_without_drops_the_rows_and_names_of_raw_segments():
    texts = [story(i, 200) for i in range(6)]
    data = IndexRows.concat([_data(texts[:2], "r1"), _data(texts[2:4], "r2"), _data(texts[4:], "r3")])
    rest = IndexFile(data.encode()).data().without({"r1", "r3"})
    assert len(rest) == 2 and rest.keys == ["r2"] and set(rest.key.tolist()) == {0}
    assert rest.without({"r9"}) is rest


def test_contains_and_matches_skip_the_segments_being_republished():
    base = story(60, 400)
    seg = IndexFile(IndexRows.concat([_data([base], "own"), _data([story(61, 400)], "other")]).encode())
    keys = content_keys([content_hash(base), content_hash(story(61, 400)), content_hash(story(62, 400))])
    assert ArchiveIndex([_Open(seg, None)]).contains(keys).tolist() == [True, True, False]
    own = np.array([seg.keys.index("own")], dtype=np.uint32)
    assert ArchiveIndex([_Open(seg, own)]).contains(keys).tolist() == [False, True, False]
    q = minhash.signatures([small_edit(base)])
    hits = ArchiveIndex([_Open(seg, None)]).matches(minhash.band_keys(q), minhash.sketches(q), 0.8)
    assert [c for _, c in hits[0]] == [content_hash(base)]
    assert ArchiveIndex([_Open(seg, own)]).matches(minhash.band_keys(q), minhash.sketches(q), 0.8) == {}


@pytest.mark.parametrize("seed", range(5))
def test_similarity_estimates(seed):
    base = story(70 + seed, 400)
    p, q = template_pair(80 + seed)
    sk = minhash.sketches(minhash.signatures([base, small_edit(base, seed), story(90 + seed, 400), p, q]))
    sim = lambda i, j: float(minhash.similarity(sk[i], sk[j]))  # noqa: E731
    assert sim(0, 1) >= 0.85          # a few characters edited
    assert sim(0, 2) <= 0.1           # unrelated stories
    assert sim(3, 4) < 0.6            # same template, different story


def test_band_parameters_find_pairs_at_the_threshold():
    assert minhash.candidate_probability(0.8) >= 0.94
    assert minhash.candidate_probability(0.5) <= 0.1


def test_assign_orders_and_clusters_within_a_batch():
    base = story(95, 400)
    texts = [base, base, small_edit(base), story(96, 400)]
    hashes = [content_hash(t) for t in texts]
    a = assign(hashes, texts, ArchiveIndex(), ["s1", "s1", "s2", "s1"])
    assert a.is_new == [True, False, True, True]
    assert a.cluster == [hashes[0], None, hashes[0], hashes[3]]
    assert a.near_duplicates == 1 and len(a.segment) == 3 and a.segment.keys == ["s1", "s2"]
    assert [a.segment.keys[k] for k in a.segment.key.tolist()] == ["s1", "s2", "s1"]


def test_load_leaves_out_replaced_segments_and_remembers_their_clusters(tmp_path):
    from pipelines.storage import Store
    store = Store(str(tmp_path))
    base, other = story(97, 400), story(98, 400)
    store.write_bytes("index/docs/x.idx", IndexRows.concat([_data([base], "s1"), _data([other], "s2")]).encode())
    idx = ArchiveIndex.load(store, [("index/docs/x.idx", ["s1", "s2"])], replace={"s1"})
    keys = content_keys([content_hash(base), content_hash(other)])
    assert idx.contains(keys).tolist() == [False, True]
    assert list(idx.previous.values()) == [content_hash(base)]
    whole = ArchiveIndex.load(store, [("index/docs/x.idx", ["s1", "s2"])], replace={"s1", "s2"})
    assert whole.parts == [] and len(whole.previous) == 2
