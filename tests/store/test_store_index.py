"""Index segments and MinHash sketches: round trips, exclusion of a batch, similarity estimates."""
from __future__ import annotations

import numpy as np
import pytest

from pipelines import neardup
from pipelines.dedupe import ArchiveIndex, _Open, assign
from pipelines.normalize import content_hash
from pipelines.segment import Segment, SegmentData, content_keys, digests
from storekit import small_edit, story, template_pair


def _data(texts: list[str], run: str) -> SegmentData:
    hashes = [content_hash(t) for t in texts]
    sigs = neardup.signatures(texts)
    return SegmentData(content_keys(hashes), digests(hashes), neardup.sketches(sigs), neardup.band_keys(sigs),
                       np.zeros(len(texts), np.uint16), [run])


def test_segment_round_trip_sorted_and_aligned(tmp_path):
    texts = [story(i, 200) for i in range(30)]
    data = SegmentData.concat([_data(texts[:10], "r1"), _data(texts[10:], "r2")])
    raw = data.encode()
    (tmp_path / "s.idx").write_bytes(raw)
    for seg in (Segment(raw), Segment.open_local(str(tmp_path / "s.idx"))):
        assert seg.n == 30 and seg.runs == ["r1", "r2"]
        assert np.all(np.diff(seg.chi.astype(np.float64)) >= 0)
        assert all(np.all(np.diff(seg.bkey[b].astype(np.int64)) >= 0) for b in range(neardup.BANDS))
        back = seg.data()
        assert back.encode() == raw                         # deterministic bytes
    assert len(raw) / 30 < 400                              # 306 bytes per document + header


def test_without_run_drops_rows_and_run_names():
    texts = [story(i, 200) for i in range(6)]
    data = SegmentData.concat([_data(texts[:2], "r1"), _data(texts[2:], "r2")])
    rest = Segment(data.encode()).data().without_run("r1")
    assert len(rest) == 4 and rest.runs == ["r2"] and set(rest.run.tolist()) == {0}
    assert rest.without_run("r9") is rest


def test_contains_and_matches_skip_the_batch_being_republished():
    base = story(60, 400)
    seg = Segment(SegmentData.concat([_data([base], "own"), _data([story(61, 400)], "other")]).encode())
    keys = content_keys([content_hash(base), content_hash(story(61, 400)), content_hash(story(62, 400))])
    assert ArchiveIndex([_Open(seg, None)]).contains(keys).tolist() == [True, True, False]
    own = seg.runs.index("own")
    assert ArchiveIndex([_Open(seg, own)]).contains(keys).tolist() == [False, True, False]
    q = neardup.signatures([small_edit(base)])
    hits = ArchiveIndex([_Open(seg, None)]).matches(neardup.band_keys(q), neardup.sketches(q), 0.8)
    assert [c for _, c in hits[0]] == [content_hash(base)]
    assert ArchiveIndex([_Open(seg, own)]).matches(neardup.band_keys(q), neardup.sketches(q), 0.8) == {}


@pytest.mark.parametrize("seed", range(5))
def test_similarity_estimates(seed):
    base = story(70 + seed, 400)
    p, q = template_pair(80 + seed)
    sk = neardup.sketches(neardup.signatures([base, small_edit(base, seed), story(90 + seed, 400), p, q]))
    sim = lambda i, j: float(neardup.similarity(sk[i], sk[j]))  # noqa: E731
    assert sim(0, 1) >= 0.85          # a few characters edited
    assert sim(0, 2) <= 0.1           # unrelated stories
    assert sim(3, 4) < 0.6            # same template, different story


def test_band_parameters_find_pairs_at_the_threshold():
    assert neardup.candidate_probability(0.8) >= 0.94
    assert neardup.candidate_probability(0.5) <= 0.1


def test_assign_orders_and_clusters_within_a_batch():
    base = story(95, 400)
    texts = [base, base, small_edit(base), story(96, 400)]
    hashes = [content_hash(t) for t in texts]
    a = assign(hashes, texts, ArchiveIndex(), "r")
    assert a.is_new == [True, False, True, True]
    assert a.cluster == [hashes[0], None, hashes[0], hashes[3]]
    assert a.near_duplicates == 1 and len(a.segment) == 3
