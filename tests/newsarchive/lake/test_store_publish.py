"""Publish: exact dedupe, sightings, near-duplicate clusters, rejects, reprocessing (local folder and moto S3)."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

from pipelines.layout import day
from storekit import (T0, article, committed, one_batch, publish, reject, rowset, small_edit, stage, story,
                      syndicated, template_pair)

D1, D2 = "2022-07-27", "2022-07-28"
R1, R2 = "cli__2022-07-28T080000__aa", "cli__2022-07-28T090000__bb"


def test_syndicated_copies_are_one_article_n_sightings_one_cluster(store):
    copies = [article(t, source=s, run_id=R1) for t, s in zip(syndicated(story(1)), "abcd")]
    stage(store, D2, R1, copies)
    res = one_batch(publish(store))
    arts, sights = committed(store, "articles"), committed(store, "sightings")
    assert (res.articles, res.sightings, res.exact_duplicates, res.segments) == (1, 4, 3, 4)
    assert arts.num_rows == 1 and sights.num_rows == 4
    assert set(sights.column("content_hash").to_pylist()) == set(arts.column("content_hash").to_pylist())
    assert sorted(sights.column("is_new").to_pylist()) == [False, False, False, True]
    assert arts.column("cluster_id").to_pylist() == arts.column("content_hash").to_pylist()
    assert sorted(sights.column("url").to_pylist()) == sorted(a.url for a in copies)
    assert {str(d) for d in sights.column("dt").to_pylist()} == {D2}
    assert sorted(sights.column("segment").to_pylist()) == [f"raw/source={s}/dt={D2}/{R1}" for s in "abcd"]


def test_canonical_first_is_earliest_published_then_priority(store):
    text = story(2)
    late = article(text, source="a", run_id=R1, published_at=T0 + timedelta(hours=2))
    early_low = article(syndicated(text)[1], source="b", run_id=R1, published_at=T0)
    early_high = article(syndicated(text)[2], source="c", run_id=R1, published_at=T0)
    stage(store, D2, R1, [late, early_low, early_high])
    cfg = SimpleNamespace(sources=[SimpleNamespace(id=s, priority=p, name=s, language="zh", base_url=None)
                                   for s, p in (("a", 90), ("b", 10), ("c", 60))])
    publish(store, cfg)
    assert committed(store, "articles").column("source").to_pylist() == ["c"]
    assert committed(store, "sources").column("priority").to_pylist() == [90, 10, 60]


def test_near_duplicates_share_cluster_but_are_separate_rows(store):
    base = story(3)
    edits = [base] + [small_edit(base, seed=i) for i in range(3)]
    stage(store, D2, R1, [article(t, source=s, run_id=R1) for t, s in zip(edits, "abcd")])
    res = one_batch(publish(store))
    arts = committed(store, "articles")
    assert arts.num_rows == 4 and res.near_duplicates == 3
    assert len(set(arts.column("cluster_id").to_pylist())) == 1


def test_near_miss_pairs_are_never_merged(store):
    arts = []
    for seed in range(6):
        p, q = template_pair(100 + seed * 7)
        arts += [article(p, source="a", run_id=R1), article(q, source="b", run_id=R1)]
    stage(store, D2, R1, arts)
    publish(store)
    got = committed(store, "articles")
    assert got.num_rows == 12
    assert got.column("cluster_id").to_pylist() == got.column("content_hash").to_pylist()


def test_content_archived_on_another_date_becomes_a_sighting_and_clusters_span_dates(store):
    text = story(4)
    stage(store, D1, R1, [article(text, source="a", run_id=R1)])
    publish(store)
    stage(store, D2, R2, [article(syndicated(text)[1], source="b", run_id=R2),
                          article(small_edit(text), source="c", run_id=R2)])
    res = one_batch(publish(store))
    assert (res.articles, res.exact_duplicates, res.near_duplicates) == (1, 1, 1)
    arts = committed(store, "articles").to_pylist()
    first = next(a for a in arts if a["source"] == "a")
    assert len(arts) == 2 and {a["cluster_id"] for a in arts} == {first["content_hash"]}
    assert Counter(committed(store, "sightings").column("is_new").to_pylist()) == {True: 2, False: 1}


def test_a_backfill_published_later_is_a_sighting_in_its_own_date(store):
    text = story(5)
    stage(store, D2, R2, [article(text, source="a", run_id=R2)])
    publish(store)
    stage(store, D1, R1, [article(text, source="b", run_id=R1)])
    publish(store)
    assert committed(store, "articles").column("source").to_pylist() == ["a"]
    sights = {(r["source"], str(r["dt"]), r["is_new"]) for r in committed(store, "sightings").to_pylist()}
    assert sights == {("a", D2, True), ("b", D1, False)}


def test_one_batch_of_several_dates_keeps_each_row_in_its_crawl_date(store):
    stage(store, D1, R1, [article(story(11), source="a", run_id=R1)])
    stage(store, D2, R2, [article(story(12), source="a", run_id=R2)])
    res = one_batch(publish(store))
    assert res.dts == [day(D1), day(D2)] and res.articles == 2
    assert sorted((str(r["dt"]), r["run_id"]) for r in committed(store, "articles").to_pylist()) == [
        (D1, R1), (D2, R2)]


def test_rejects_published_and_bad_records_become_publish_rejects(store):
    good = article(story(6), source="a", run_id=R1)
    bad_hash = article(story(7), source="a", run_id=R1)
    bad_hash.content_hash = "not-a-hash"
    empty = article("（文章来源：科技日报）", source="a", run_id=R1)
    stage(store, D2, R1, [good, bad_hash, empty], [reject("https://a.example.cn/404", run_id=R1)])
    res = one_batch(publish(store))
    rej = committed(store, "rejects").to_pylist()
    assert (res.staged, res.articles, res.sightings, res.rejects) == (3, 1, 1, 3)
    assert sorted((r["stage"], r["reason"]) for r in rej) == [
        ("extract", "too_short"), ("publish", "bad_content_hash"), ("publish", "empty_text")]
    assert {r["segment"] for r in rej} == {f"raw/source=a/dt={D2}/{R1}"}


def test_publishing_twice_archives_nothing_twice(store):
    stage(store, D2, R1, [article(t, source=s, run_id=R1) for t, s in zip(syndicated(story(8)), "ab")])
    publish(store)
    before = {t: rowset(store, t) for t in ("articles", "sightings", "rejects")}
    assert publish(store) == []
    assert {t: rowset(store, t) for t in before} == before


def test_reprocessing_a_segment_replaces_its_rows_with_identical_rows(store):
    text = story(9)
    stage(store, D2, R1, [article(t, source=s, run_id=R1) for t, s in zip(syndicated(text), "ab")])
    stage(store, D2, R2, [article(small_edit(text), source="c", run_id=R2), article(story(10), source="c",
                                                                                    run_id=R2)])
    publish(store)
    before = {t: rowset(store, t) for t in ("articles", "sightings", "rejects")}
    # reprocess every segment: the same extraction output gives the same rows (cluster ids kept)
    stage(store, D2, R1, [article(t, source=s, run_id=R1) for t, s in zip(syndicated(text), "ab")])
    stage(store, D2, R2, [article(small_edit(text), source="c", run_id=R2), article(story(10), source="c",
                                                                                    run_id=R2)])
    res = publish(store)
    assert sum(b.segments for b in res) == 3
    assert {t: rowset(store, t) for t in before} == before


def test_reprocessing_one_segment_with_new_output_replaces_only_its_rows(store):
    stage(store, D2, R1, [article(story(13), source="a", run_id=R1)])
    stage(store, D2, R2, [article(story(14), source="b", run_id=R2)])
    publish(store)
    stage(store, D2, R1, [article(story(15), source="a", run_id=R1)])      # a better extractor, other text
    publish(store)
    arts = committed(store, "articles").to_pylist()
    assert sorted(a["text"][:20] for a in arts) == sorted([story(15)[:20], story(14)[:20]])
    assert committed(store, "sightings").num_rows == 2


def test_batches_ledger_and_index_files_are_committed_with_the_rows(store):
    stage(store, D1, R1, [article(story(16), source="a", run_id=R1)])
    res = one_batch(publish(store, run_id="manual__2022-07-28T000000__x"))
    assert res.batch == "manual__2022-07-28T000000__x/001"
    b = committed(store, "batches").to_pylist()
    assert [(r["batch"], r["articles"], r["segments"]) for r in b] == [(res.batch, 1, 1)]
    seg = committed(store, "pipeline.segments").to_pylist()
    assert [(s["state"], s["batch"]) for s in seg] == [("published", res.batch)]
    idx = committed(store, "pipeline.index_files").to_pylist()
    assert len(idx) == 1 and idx[0]["segments"] == [f"raw/source=a/dt={D1}/{R1}"] and store.exists(idx[0]["path"])
    assert committed(store, "pipeline.staged_articles").num_rows == 0


def test_publish_splits_a_big_backlog_into_batches(local_store):
    from newsarchive.lake import archive, open_writer
    for i, src in enumerate("abcdef"):
        stage(local_store, D2, R1, [article(story(100 + i * 10 + k), source=src, run_id=R1) for k in range(3)])
    with open_writer(local_store) as lake:
        res = archive.publish(lake, run_id=R2, dt=day(D2), max_rows=7)
    assert [b.segments for b in res] == [2, 2, 2] and sum(b.articles for b in res) == 18
    assert [b.batch for b in res] == [f"{R2}/001", f"{R2}/002", f"{R2}/003"]
    assert committed(local_store, "articles").num_rows == 18


def _seed_texts() -> list[str]:
    import re
    from conftest import shared_or_skip
    out = []
    for p in sorted(shared_or_skip("seeds").glob("*.txt")):
        body = p.read_text(encoding="utf-8").split("---", 2)[-1]
        body = re.sub(r"<[^>]+>", "", body)
        out.append("\n".join(line.strip() for line in body.splitlines() if line.strip() and "|" not in line))
    return out


def test_real_seed_stories_syndicated_and_edited(store):
    texts = _seed_texts()
    arts = []
    for n, text in enumerate(texts):
        arts += [article(t, source=s, run_id=R1) for t, s in zip(syndicated(text), "abcd")]
        arts.append(article(small_edit(text, seed=n), source="e", run_id=R1))
    stage(store, D2, R1, arts)
    publish(store)
    got = committed(store, "articles")
    assert got.num_rows == 2 * len(texts)                                    # original + edited copy
    assert len(set(got.column("cluster_id").to_pylist())) == len(texts)      # stories never merged
    assert committed(store, "sightings").num_rows == 5 * len(texts)
