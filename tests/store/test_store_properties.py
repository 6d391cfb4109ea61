"""Property tests: random sequences of runs, reruns and out-of-order backfills (local folder and moto S3).

After every publish: no content_hash twice in articles, every archived URL in
sightings (one sighting per staged article), every sighting's content in
articles, every cluster_id an archived content, no unlisted file; rerunning
the batch right away leaves the archive identical file by file, and rerunning
it later changes no data or index file.
"""
from __future__ import annotations

import itertools
from collections import Counter

from hypothesis import HealthCheck, given, settings, strategies as st

from pipelines import manifest
from pipelines.publish import publish
from pipelines.storage import Store
from storekit import archive_files, article, committed, small_edit, stage, story, syndicated

DATES = ["2022-07-26", "2022-07-27", "2022-07-28"]
RUNS = ["cli__2022-07-28T080000", "scheduled__2022-07-28T090000"]
BASES = [story(300 + i, 200) for i in range(4)]
#: variant v of story s: 0-3 syndicated copies (same content_hash), 4-5 small edits (near-duplicates)
VARIANTS = [[*syndicated(b), small_edit(b, 1), small_edit(b, 2)] for b in BASES]
_counter = itertools.count()

docs = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 5), st.sampled_from("abc")), min_size=1, max_size=4)
batches = st.dictionaries(st.tuples(st.sampled_from(DATES), st.sampled_from(RUNS)), docs, min_size=1, max_size=4)
plans = batches.flatmap(lambda b: st.tuples(st.just(b), st.lists(st.sampled_from(sorted(b)), min_size=1,
                                                                   max_size=4)))


def _stage_all(store: Store, plan: dict) -> dict[tuple, list]:
    staged = {}
    for (dt, run), spec in sorted(plan.items()):
        staged[(dt, run)] = [article(VARIANTS[s][v], source=src, run_id=run,
                                     url=f"https://{src}.example.cn/{dt}/{run}/{i}.html")
                             for i, (s, v, src) in enumerate(spec)]
        stage(store, dt, run, staged[(dt, run)])
    return staged


def _check(store: Store, staged: dict, published: set) -> None:
    arts, sights = committed(store, "articles"), committed(store, "sightings")
    hashes = arts.column("content_hash").to_pylist()
    assert len(hashes) == len(set(hashes)), "a content_hash twice in articles"
    want = Counter(a.url for key in published for a in staged[key])
    assert Counter(sights.column("url").to_pylist()) == want, "sightings are not one per staged article"
    assert set(sights.column("content_hash").to_pylist()) <= set(hashes)
    assert set(arts.column("cluster_id").to_pylist()) <= set(hashes)
    listed = {p for m in manifest.snapshots(store).values() for k in manifest.KINDS for e in m["files"][k]
              for p in [e["path"]]}
    assert {p for p in archive_files(store) if not p.startswith("_snapshots/")} == listed


def _data_files(store: Store) -> dict[str, bytes]:
    return {p: b for p, b in archive_files(store).items() if not p.startswith("_snapshots/")}


def _run_property(base: Store, plan_steps) -> None:
    plan, steps = plan_steps
    store = Store(f"{base.uri.rstrip('/')}/ex{next(_counter)}")
    staged, published = _stage_all(store, plan), set()
    for dt, run in steps:
        data_before = _data_files(store)
        publish(store, dt, run_id=run)
        if (dt, run) in published:                  # a later rerun changes no data or index file
            assert _data_files(store) == data_before
        published.add((dt, run))
        _check(store, staged, published)
        files = archive_files(store)
        publish(store, dt, run_id=run)
        assert archive_files(store) == files, "a rerun changed the archive"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan_steps=plans)
def test_runs_reruns_and_backfills_local(local_store, plan_steps):
    _run_property(local_store, plan_steps)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan_steps=plans)
def test_runs_reruns_and_backfills_s3(s3_store, plan_steps):
    _run_property(s3_store, plan_steps)
