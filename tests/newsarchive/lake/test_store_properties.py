"""Property tests: random sequences of crawled batches, publishes, reprocesses and out-of-order backfills
(local folder and moto S3).

After every publish: no content_hash twice in articles, one sighting per staged article of every
published segment, every sighting's content in articles, every cluster_id an archived content,
nothing left staged; reprocessing segments with the same extraction output leaves every row as it was.
"""
from __future__ import annotations

import itertools
from collections import Counter

from hypothesis import HealthCheck, given, settings, strategies as st

from pipelines.storage import Store
from storekit import article, committed, publish, rowset, small_edit, stage, story, syndicated

DATES = ["2022-07-26", "2022-07-27", "2022-07-28"]
RUNS = ["cli__2022-07-28T080000__a1", "scheduled__2022-07-28T090000__b2"]
BASES = [story(300 + i, 200) for i in range(4)]
#: variant v of story s: 0-3 syndicated copies (same content_hash), 4-5 small edits (near-duplicates)
VARIANTS = [[*syndicated(b), small_edit(b, 1), small_edit(b, 2)] for b in BASES]
TABLES = ("articles", "sightings", "rejects")
_counter = itertools.count()

docs = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 5), st.sampled_from("abc")), min_size=1, max_size=4)
batches = st.dictionaries(st.tuples(st.sampled_from(DATES), st.sampled_from(RUNS)), docs, min_size=1, max_size=4)
#: steps: ("publish",) or ("stage", batch key) – a batch staged again is a reprocess of its segments
plans = batches.flatmap(lambda b: st.tuples(
    st.just(b), st.lists(st.one_of(st.just(("publish",)), st.tuples(st.just("stage"), st.sampled_from(sorted(b)))),
                         min_size=1, max_size=6)))


def _articles(key, spec):
    dt, run = key
    return [article(VARIANTS[s][v], source=src, run_id=run, url=f"https://{src}.example.cn/{dt}/{run}/{i}.html")
            for i, (s, v, src) in enumerate(spec)]


def _check(store: Store, plan: dict, published: set) -> None:
    arts, sights = committed(store, "articles"), committed(store, "sightings")
    hashes = arts.column("content_hash").to_pylist()
    assert len(hashes) == len(set(hashes)), "a content_hash twice in articles"
    want = Counter(a.url for key in published for a in _articles(key, plan[key]))
    assert Counter(sights.column("url").to_pylist()) == want, "sightings are not one per staged article"
    assert set(sights.column("content_hash").to_pylist()) <= set(hashes)
    assert set(arts.column("cluster_id").to_pylist()) <= set(hashes)
    assert committed(store, "pipeline.staged_articles").num_rows == 0


def _run_property(base: Store, plan_steps) -> None:
    plan, steps = plan_steps
    n = next(_counter)
    uri = f"{base.uri.rstrip('/')}/ex{n}"
    # each example its own store and catalog (an S3 store's catalog: a SQLite file beside the base's)
    cat = None if not base.is_s3 else base.catalog.replace(".sqlite", f"-ex{n}.sqlite")
    store = Store(uri, catalog=cat)
    for key in sorted(plan):                          # every batch crawled and staged once
        stage(store, *key, _articles(key, plan[key]))
    staged, published = set(plan), set()
    for step in steps + [("publish",)]:
        if step[0] == "stage":
            stage(store, *step[1], _articles(step[1], plan[step[1]]))
            staged.add(step[1])
            continue
        before = {t: rowset(store, t) for t in TABLES}
        again = staged <= published                     # only reprocessed segments are staged
        publish(store)
        published |= staged
        staged = set()
        _check(store, plan, published)
        if again:
            assert {t: rowset(store, t) for t in TABLES} == before, "reprocessing the same output changed rows"


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan_steps=plans)
def test_batches_reprocesses_and_backfills_local(local_store, plan_steps):
    _run_property(local_store, plan_steps)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan_steps=plans)
def test_batches_reprocesses_and_backfills_s3(s3_store, plan_steps):
    _run_property(s3_store, plan_steps)
