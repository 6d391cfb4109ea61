"""Compaction merges a date's batch files and keeps exactly the same rows."""
from __future__ import annotations

from pipelines import manifest
from pipelines.compact import compact
from pipelines.publish import publish
from storekit import archive_files, article, rowset, small_edit, stage, story, syndicated

D1, D2 = "2022-07-27", "2022-07-28"
RUNS = [f"scheduled__2022-07-28T{h:02d}0000" for h in (8, 9, 10)]


def _hourly(store) -> None:
    base = story(40)
    for i, run in enumerate(RUNS):
        stage(store, D2, run, [article(story(41 + i), source="a", run_id=run),
                               article(syndicated(base)[i], source="b", run_id=run),
                               article(small_edit(base, seed=i), source="a", run_id=run)])
        publish(store, D2, run_id=run)
    stage(store, D1, RUNS[0], [article(story(50), source="a", run_id=RUNS[0])])
    publish(store, D1)


def _rows(store) -> dict:
    return {t: rowset(store, t) for t in manifest.TABLES}


def test_compaction_keeps_exactly_the_same_rows_and_is_idempotent(store):
    _hourly(store)
    before, m0 = _rows(store), manifest.read(store, D2)
    assert len(m0["files"]["articles"]) == 4 and len(m0["files"]["index"]) == 3
    removed = compact(store)
    m = manifest.read(store, D2)
    assert removed[D1] == 0 and removed[D2] == 8      # articles 4->2, sightings 6->2, index 3->1
    assert _rows(store) == before
    assert [len(m["files"][k]) for k in ("articles", "sightings", "index")] == [2, 2, 1]
    assert sorted(m["files"]["index"][0]["runs"]) == RUNS and m["counts"] == m0["counts"]
    assert {p for k in manifest.KINDS for p in store.list(manifest.prefix_of(k, D2))} == {
        e["path"] for k in manifest.KINDS for e in m["files"][k]}
    files = archive_files(store)
    assert compact(store) == {D1: 0, D2: 0} and archive_files(store) == files


def test_rerun_after_compaction_gives_the_same_rows(store):
    _hourly(store)
    before = _rows(store)
    compact(store)
    publish(store, D2, run_id=RUNS[1])
    assert _rows(store) == before
    once = archive_files(store)
    publish(store, D2, run_id=RUNS[1])
    assert archive_files(store) == once


def test_new_batch_after_compaction_dedupes_against_the_compacted_index(store):
    _hourly(store)
    compact(store)
    run = "scheduled__2022-07-28T110000"
    stage(store, D2, run, [article(syndicated(story(40))[3], source="c", run_id=run),
                           article(small_edit(story(41), seed=9), source="c", run_id=run)])
    res = publish(store, D2, run_id=run).batches[0]
    assert (res.articles, res.exact_duplicates, res.near_duplicates) == (1, 1, 1)


def test_compact_only_some_tables(store):
    _hourly(store)
    compact(store, dates=[D2], tables=["rejects", "sightings"])
    m = manifest.read(store, D2)
    assert len(m["files"]["articles"]) == 4 and len(m["files"]["sightings"]) == 2
