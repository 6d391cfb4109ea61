"""Maintenance with DuckLake's built-ins (``newsarchive compact``): fewer files, the same rows."""
from __future__ import annotations

import duckdb
import pytest

from newsarchive.lake import open_reader, open_writer
from newsarchive.lake.maintenance import data_files, maintain, verify
from storekit import article, committed, publish, rowset, small_edit, stage, story, syndicated

TABLES = ("articles", "sightings", "rejects")


def _many_batches(store, n: int = 6) -> None:
    for i in range(n):
        run = f"cli__2022-07-2{i}T000000__m{i}"
        text = story(500 + i)
        stage(store, f"2022-07-2{i}", run, [article(t, source=s, run_id=run, url=f"https://{s}.example.cn/{i}.html")
                                            for t, s in zip(syndicated(text)[:2], "ab")]
              + [article(small_edit(story(400)), source="c", run_id=run, url=f"https://c.example.cn/{i}.html")])
        publish(store, run_id=f"pub__2022-07-2{i}T010000__m{i}")


def test_maintenance_merges_small_files_and_keeps_every_row(store):
    _many_batches(store)
    before = {t: rowset(store, t) for t in TABLES}
    with open_writer(store) as lake:
        assert data_files(lake) >= 6 * 5
        res = maintain(lake)
    assert res.data_files_after < res.data_files_before / 2
    assert res.index_files_merged == 6
    assert {t: rowset(store, t) for t in TABLES} == before
    assert len(committed(store, "pipeline.index_files")) == 1
    with open_reader(store, lockdown=False) as lake:
        assert verify(lake).ok
    # dedupe still works against the merged index
    stage(store, "2022-07-29", "cli__2022-07-29T000000__z", [article(story(503), source="z", run_id="cli__2022-07-29T000000__z")])
    (b,) = publish(store, run_id="pub__2022-07-29T010000__z")
    assert (b.articles, b.exact_duplicates) == (0, 1)


def test_expiry_keeps_time_travel_within_the_retention_and_cleans_up_after_it(local_store):
    _many_batches(local_store, 3)
    with open_reader(local_store, lockdown=False) as lake:
        t1 = lake.con.execute("SELECT min(committed_at) FROM batches").fetchone()[0]
    with open_writer(local_store) as lake:
        res = maintain(lake, keep_days=30)
        assert res.snapshots_expired == 0
        # the first batch archived two articles (a story and the first copy of an edited one)
        assert lake.con.execute("SELECT count(*) FROM articles_asof(?)", [t1]).fetchone()[0] == 2
        res = maintain(lake, keep_days=0)
        assert res.snapshots_expired > 0 and res.files_deleted > 0
        with pytest.raises(duckdb.Error, match="No snapshot found"):
            lake.con.execute("SELECT count(*) FROM articles_asof(?)", [t1]).fetchall()
        assert verify(lake).ok
    assert committed(local_store, "articles").num_rows == 4


def test_unreferenced_index_files_are_deleted(local_store):
    _many_batches(local_store, 2)
    local_store.write_bytes("index/docs/leftover-of-a-killed-publish.idx", b"NAIDX001")
    with open_writer(local_store) as lake:
        res = maintain(lake)
    assert res.index_files_deleted >= 1 and not local_store.exists("index/docs/leftover-of-a-killed-publish.idx")
    assert len(local_store.list("index/docs/")) == 1


def test_cli_compact_and_verify(local_store, capsys):
    from newsarchive.cli import main
    _many_batches(local_store, 2)
    assert main(["compact", "--store", local_store.uri, "--keep-days", "7"]) == 0
    out = capsys.readouterr().out
    assert "compact: data files:" in out and "snapshots expired: 0" in out
    assert main(["verify", "--store", local_store.uri]) == 0
    assert "all present with their recorded sizes" in capsys.readouterr().out
    path = committed(local_store, "pipeline.index_files").to_pylist()[0]["path"]
    local_store.delete(path)
    assert main(["verify", "--store", local_store.uri]) == 1
    assert f"DAMAGED pipeline.index_files: {local_store.uri_of(path)} is missing" in capsys.readouterr().out
