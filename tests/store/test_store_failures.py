"""A publish that fails after k files leaves the previous snapshot intact and readable; the retry succeeds."""
from __future__ import annotations

import uuid

import pytest

from pipelines import manifest
from pipelines.publish import publish
from pipelines.storage import Store
from storekit import archive_files, article, committed, rowset, small_edit, stage, story, syndicated

D1, D2 = "2022-07-27", "2022-07-28"
R1, R2 = "cli__2022-07-28T080000", "cli__2022-07-28T090000"


class Injected(RuntimeError):
    pass


def _setup(store: Store) -> None:
    text = story(21)
    stage(store, D2, R1, [article(story(20), source="a", run_id=R1), article(text, source="b", run_id=R1)])
    stage(store, D2, R2, [article(syndicated(text)[1], source="a", run_id=R2),
                          article(small_edit(text), source="b", run_id=R2),
                          article(story(22), source="c", run_id=R2)])
    stage(store, D1, R1, [article(story(23), source="a", run_id=R1)])


def _sibling(store: Store) -> Store:
    other = Store(f"{store.uri.rstrip('/')}-ref-{uuid.uuid4().hex[:6]}")
    other.ensure_bucket()
    return other


def _visible(store: Store) -> dict:
    return {"snaps": manifest.snapshots(store), **{t: rowset(store, t) for t in manifest.TABLES}}


def _fail_after(monkeypatch, store: Store, k: int) -> None:
    calls = {"n": 0}
    real = store.write_bytes

    def write_bytes(rel, data):
        calls["n"] += 1
        if calls["n"] > k:
            raise Injected(f"injected failure writing file {calls['n']}: {rel}")
        real(rel, data)
    monkeypatch.setattr(store, "write_bytes", write_bytes)


@pytest.mark.parametrize("rerun", [False, True])
def test_failure_after_k_files_keeps_previous_state_and_retry_succeeds(store, monkeypatch, rerun):
    _setup(store)
    publish(store, D2, run_id=R1)
    if rerun:                           # the failing publish is a rerun of a committed batch
        publish(store, D2, run_id=R2)
    before = _visible(store)
    k = 0
    while True:
        with monkeypatch.context() as mp:
            _fail_after(mp, store, k)
            try:
                publish(store, D2, run_id=R2)
                break                   # k is past the last file + manifest: it went through
            except Injected:
                pass
        assert _visible(store) == before, f"state changed by a publish failing after {k} files"
        k += 1
    assert k >= 5                       # the batch writes several files before its manifest
    ref = _sibling(store)
    _setup(ref)
    publish(ref, D2, run_id=R1)
    publish(ref, D2, run_id=R2)
    assert archive_files(store) == archive_files(ref)


@pytest.mark.parametrize("cache", ["on", "off"])
def test_s3_errors_injected_keep_previous_state(s3_store, monkeypatch, cache):
    if cache == "off":
        monkeypatch.setenv("NEWSARCHIVE_INDEX_CACHE", "")
    from botocore.exceptions import ClientError
    _setup(s3_store)
    publish(s3_store, D1)
    before = _visible(s3_store)
    state = {"puts": 0}

    def fail(**kw):
        state["puts"] += 1
        if state["puts"] > 3:
            raise ClientError({"Error": {"Code": "SlowDown", "Message": "injected"}}, "PutObject")
    s3_store.boto.meta.events.register("before-send.s3.PutObject", fail)
    try:
        with pytest.raises(ClientError):
            publish(s3_store, D2)
    finally:
        s3_store.boto.meta.events.unregister("before-send.s3.PutObject", fail)
    assert _visible(s3_store) == before
    publish(s3_store, D2)
    assert committed(s3_store, "articles").num_rows == 5     # 20, 21, 21-edited, 22, 23


def test_failure_after_commit_before_cleanup_is_finished_by_the_next_publish(store, monkeypatch):
    _setup(store)
    publish(store, D2, run_id=R1)
    stage(store, D2, R1, [article(story(30), source="a", run_id=R1)])     # the batch changed: new files
    with monkeypatch.context() as mp:
        mp.setattr(store, "delete_many", lambda rels: (_ for _ in ()).throw(Injected("no delete")))
        with pytest.raises(Injected):
            publish(store, D2, run_id=R1)
    listed = set(manifest.committed_files(store, "articles"))
    from pipelines.normalize import content_hash
    assert content_hash(story(30)) in committed(store, "articles").column("content_hash").to_pylist()
    assert len(store.list(f"articles/dt={D2}/")) > 1                    # stale files still there, unlisted
    publish(store, D2, run_id=R1)
    assert set(store.list(f"articles/dt={D2}/")) == listed
