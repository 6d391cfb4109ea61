"""Publish: exact dedupe, sightings, near-duplicate clusters, rejects, reruns (local folder and moto S3)."""
from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta

import pytest

from pipelines import manifest
from pipelines.publish import PublishError, publish
from pipelines.record import Article
from storekit import (T0, archive_files, article, committed, reject, small_edit, stage, story, syndicated,
                      template_pair)

D1, D2 = "2022-07-27", "2022-07-28"
R1, R2 = "cli__2022-07-28T080000", "cli__2022-07-28T090000"


def test_syndicated_copies_are_one_article_n_sightings_one_cluster(store):
    copies = [article(t, source=s, run_id=R1) for t, s in zip(syndicated(story(1)), "abcd")]
    stage(store, D2, R1, copies)
    res = publish(store, D2).batches[0]
    arts, sights = committed(store, "articles"), committed(store, "sightings")
    assert (res.articles, res.sightings, res.exact_duplicates) == (1, 4, 3)
    assert arts.num_rows == 1 and sights.num_rows == 4
    assert set(sights.column("content_hash").to_pylist()) == set(arts.column("content_hash").to_pylist())
    assert sorted(sights.column("is_new").to_pylist()) == [False, False, False, True]
    assert arts.column("cluster_id").to_pylist() == arts.column("content_hash").to_pylist()
    assert sorted(sights.column("url").to_pylist()) == sorted(a.url for a in copies)


def test_canonical_first_is_earliest_published_then_priority(store):
    from types import SimpleNamespace
    text = story(2)
    late = article(text, source="a", run_id=R1, published_at=T0 + timedelta(hours=2))
    early_low = article(syndicated(text)[1], source="b", run_id=R1, published_at=T0)
    early_high = article(syndicated(text)[2], source="c", run_id=R1, published_at=T0)
    stage(store, D2, R1, [late, early_low, early_high])
    cfg = SimpleNamespace(sources=[SimpleNamespace(id=s, priority=p) for s, p in (("a", 90), ("b", 10), ("c", 60))])
    publish(store, D2, sources_config=cfg)
    assert committed(store, "articles").column("source").to_pylist() == ["c"]


def test_near_duplicates_share_cluster_but_are_separate_rows(store):
    base = story(3)
    edits = [base] + [small_edit(base, seed=i) for i in range(3)]
    stage(store, D2, R1, [article(t, source=s, run_id=R1) for t, s in zip(edits, "abcd")])
    res = publish(store, D2).batches[0]
    arts = committed(store, "articles")
    assert arts.num_rows == 4 and res.near_duplicates == 3
    assert len(set(arts.column("cluster_id").to_pylist())) == 1


def test_near_miss_pairs_are_never_merged(store):
    arts = []
    for seed in range(6):
        p, q = template_pair(100 + seed * 7)
        arts += [article(p, source="a", run_id=R1), article(q, source="b", run_id=R1)]
    stage(store, D2, R1, arts)
    publish(store, D2)
    got = committed(store, "articles")
    assert got.num_rows == 12
    assert got.column("cluster_id").to_pylist() == got.column("content_hash").to_pylist()


def test_content_archived_on_another_date_becomes_a_sighting_and_clusters_span_dates(store):
    text = story(4)
    stage(store, D1, R1, [article(text, source="a", run_id=R1)])
    stage(store, D2, R2, [article(syndicated(text)[1], source="b", run_id=R2),
                          article(small_edit(text), source="c", run_id=R2)])
    publish(store, D1)
    res = publish(store, D2).batches[0]
    assert (res.articles, res.exact_duplicates, res.near_duplicates) == (1, 1, 1)
    arts = committed(store, "articles").to_pylist()
    assert len(arts) == 2 and {a["cluster_id"] for a in arts} == {arts[0]["content_hash"]} | {
        a["content_hash"] for a in arts if a["source"] == "a"}
    assert Counter(committed(store, "sightings").column("is_new").to_pylist()) == {True: 2, False: 1}


def test_backfill_out_of_order_is_a_sighting_of_the_later_date(store):
    text = story(5)
    stage(store, D2, R2, [article(text, source="a", run_id=R2)])
    stage(store, D1, R1, [article(text, source="b", run_id=R1)])
    publish(store, D2)
    publish(store, D1)
    assert committed(store, "articles").column("source").to_pylist() == ["a"]
    assert manifest.read(store, D1)["counts"]["articles"] == 0
    assert manifest.read(store, D1)["counts"]["sightings"] == 1


def test_rejects_published_and_bad_records_become_publish_rejects(store):
    good = article(story(6), source="a", run_id=R1)
    bad_hash = article(story(7), source="a", run_id=R1)
    bad_hash.content_hash = "not-a-hash"
    empty = article("（文章来源：科技日报）", source="a", run_id=R1)
    stage(store, D2, R1, [good, bad_hash, empty], [reject("https://a.example.cn/404", run_id=R1)])
    res = publish(store, D2).batches[0]
    rej = committed(store, "rejects").to_pylist()
    assert (res.staged, res.articles, res.sightings, res.rejects) == (3, 1, 1, 3)
    assert sorted((r["stage"], r["reason"]) for r in rej) == [
        ("extract", "too_short"), ("publish", "bad_content_hash"), ("publish", "empty_text")]


def test_rerun_replaces_batch_files_identically(store):
    stage(store, D2, R1, [article(t, source=s, run_id=R1) for t, s in zip(syndicated(story(8)), "ab")])
    stage(store, D2, R2, [article(story(9), source="a", run_id=R2)])
    publish(store, D2)
    before = archive_files(store)
    publish(store, D2, run_id=R2)
    assert archive_files(store) == before
    m = manifest.read(store, D2)
    assert sorted(m["runs"]) == [R1, R2] and m["counts"]["articles"] == 2


def test_committed_files_and_snapshots_reader(store):
    stage(store, D1, R1, [article(story(10), source="a", run_id=R1)])
    publish(store, D1)
    snaps = manifest.snapshots(store)
    assert list(snaps) == [D1] and snaps[D1]["schema_version"] == "1"
    files = manifest.committed_files(store, "articles")
    assert files == [e["path"] for e in snaps[D1]["files"]["articles"]]
    assert files[0].startswith(f"articles/dt={D1}/source=a/part-") and files[0].endswith(".parquet")
    assert manifest.committed_files(store, "articles", uris=True) == [store.uri_of(files[0])]
    assert manifest.committed_files(store, "articles", dates=[D2]) == []
    meta = store.read_parquet(files[0]).schema.metadata
    assert meta[b"schema_version"] == b"1"


def test_publish_unknown_run_is_a_clear_error(store):
    with pytest.raises(PublishError, match="nothing staged"):
        publish(store, D2, run_id="cli__nothing")


def test_cli_publish_and_compact(local_store, capsys):
    from newsarchive.cli import main
    stage(local_store, D2, R1, [article(story(11), source="a", run_id=R1)])
    stage(local_store, D2, R2, [article(story(12), source="a", run_id=R2)])
    assert main(["publish", "--date", D2, "--run", R1, "--store", local_store.uri]) == 0
    assert main(["publish", "--date", D2, "--store", local_store.uri]) == 0
    assert main(["compact", "--store", local_store.uri]) == 0
    out = capsys.readouterr().out
    assert f"publish {D2} {R1}: staged=1 articles=1" in out and "files fewer" in out
    m = json.loads(local_store.read_text(f"_snapshots/{D2}.json"))
    assert [len(m["files"][k]) for k in ("articles", "sightings", "index")] == [1, 1, 1]
    assert sorted(m["files"]["articles"][0]["runs"]) == [R1, R2]


def test_staging_rejects_records_of_another_run(store):
    from pipelines.staging import write_staged
    with pytest.raises(ValueError, match="run_id"):
        write_staged(store, D2, "a", R1, [article(story(13), source="a", run_id=R2)])
    assert isinstance(article(story(13)), Article)


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
    publish(store, D2)
    got = committed(store, "articles")
    assert got.num_rows == 2 * len(texts)                                    # original + edited copy
    assert len(set(got.column("cluster_id").to_pylist())) == len(texts)      # stories never merged
    assert committed(store, "sightings").num_rows == 5 * len(texts)
