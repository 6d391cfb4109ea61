"""A publish killed anywhere commits all or nothing, and the next publish completes the work.

Publishes run as real ``newsarchive publish`` processes. ``NEWSARCHIVE_FAULT`` kills one with
SIGKILL at a named point (pipelines/faults.py: after planning, after writing the index file,
inside the transaction after each table's insert, just before and just after COMMIT); other
trials kill it at random moments. After every kill the archive is either exactly as before or
exactly as after, the ledger agrees with the rows, and a rerun ends exactly where an undisturbed
publish ends. Both on the embedded catalog (SQLite + local files) and on PostgreSQL + S3 (SeaweedFS).
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid

import pytest

from conftest import seaweed_uri
from pipelines.storage import Store
from storekit import article, committed, rowset, small_edit, stage, story, syndicated

D1, D2 = "2022-07-27", "2022-07-28"
R1, R2 = "cli__2022-07-28T080000__aa", "cli__2022-07-28T090000__bb"
TABLES = ("articles", "sightings", "rejects")
POINTS = ["publish:planned", "publish:index_written", "publish:transaction_begun", "publish:inserted_articles",
          "publish:inserted_sightings", "publish:inserted_rejects", "publish:before_commit", "publish:committed"]

pytestmark = pytest.mark.slow


def _setup(store: Store) -> None:
    """One batch published, then a second staged: a syndicated copy, a near-duplicate, new stories."""
    text = story(21)
    stage(store, D1, R1, [article(story(20), source="a", run_id=R1), article(text, source="b", run_id=R1)])
    _publish(store)
    stage(store, D2, R2, [article(syndicated(text)[1], source="a", run_id=R2),
                          article(small_edit(text), source="b", run_id=R2)]
          + [article(story(30 + i), source="c", run_id=R2) for i in range(6)])


def _state(store: Store) -> dict:
    out = {t: rowset(store, t) for t in TABLES}
    seg = committed(store, "pipeline.segments").to_pylist()
    out["ledger"] = sorted((s["segment"], s["state"]) for s in seg)
    out["staged"] = committed(store, "pipeline.staged_articles").num_rows
    return out


def _env(store: Store, fault: str | None = None, tmp=None) -> dict:
    env = {**os.environ, "NEWSARCHIVE_CATALOG": store.catalog or ""}
    if store.s3 is not None:
        env.update(store.s3.to_env())
    if fault:
        env["NEWSARCHIVE_FAULT"] = fault
        env["NEWSARCHIVE_FAULT_DIR"] = str(tmp or ".")
    return env


def _publish_cmd(store: Store) -> list[str]:
    return [sys.executable, "-m", "newsarchive.cli", "publish", "--store", store.uri, "--date", D2,
            "--run-id", f"test__{D2}T000000__{uuid.uuid4().hex[:6]}"]


def _publish(store: Store, fault: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(_publish_cmd(store), env=_env(store, fault), capture_output=True, text=True, timeout=300)


def _consistent(store: Store, before: dict, after: dict) -> str:
    now = _state(store)
    if now == before:
        return "before"
    assert now == after, "a killed publish left a partial state"
    return "after"


def _reference(make_store) -> tuple[dict, dict]:
    ref = make_store()
    _setup(ref)
    before = _state(ref)
    assert _publish(ref).returncode == 0
    return before, _state(ref)


def _stores_local(tmp_path):
    def make():
        return Store(str(tmp_path / uuid.uuid4().hex[:8]))
    return make


def test_killed_at_every_point_local(tmp_path):
    _kill_at_every_point(_stores_local(tmp_path))


def test_killed_at_every_point_postgres_and_s3(seaweed, pg_catalogs, monkeypatch):
    for k, v in seaweed.items():
        monkeypatch.setenv(k, v)

    def make():
        store = Store(seaweed_uri("kill"), catalog=pg_catalogs())
        store.ensure_bucket()
        return store
    _kill_at_every_point(make)


def _kill_at_every_point(make_store) -> None:
    """Kill one publish at each point in turn on the same store (a kill before COMMIT leaves it as it
    was, so the next kill meets the same state), then rerun; a kill just after COMMIT on another store."""
    before, after = _reference(make_store)
    assert before != after
    store = make_store()
    _setup(store)
    assert _state(store) == before
    for point in POINTS[:-1]:
        proc = _publish(store, fault=point)
        assert proc.returncode == -signal.SIGKILL, (point, proc.returncode, proc.stderr[-2000:])
        assert _consistent(store, before, after) == "before", point
    assert _publish(store).returncode == 0
    assert _state(store) == after, "the rerun after the kills did not complete the work"
    store = make_store()
    _setup(store)
    assert _publish(store, fault=POINTS[-1]).returncode == -signal.SIGKILL
    assert _consistent(store, before, after) == "after"
    assert _publish(store).returncode == 0 and _state(store) == after


def test_killed_at_random_moments_local(tmp_path):
    make = _stores_local(tmp_path)
    before, after = _reference(make)
    rng = random.Random(7)
    outcomes = []
    for _ in range(5):
        store = make()
        _setup(store)
        proc = subprocess.Popen(_publish_cmd(store), env=_env(store), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait(60)
        outcomes.append(_consistent(store, before, after))
        assert _publish(store).returncode == 0
        assert _state(store) == after
    assert len(outcomes) == 5


def test_s3_down_in_the_middle_of_a_publish_then_a_rerun(tmp_path, seaweed_server, pg_catalogs, monkeypatch):
    """The S3 server stops answering while a publish writes its Parquet files: the publish fails with
    an error, nothing is committed, and once S3 is back the next publish completes the work."""
    for k, v in seaweed_server.env().items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("NEWSARCHIVE_HTTP_TIMEOUT", "3")

    def make():
        store = Store(seaweed_uri("down"), catalog=pg_catalogs())
        store.ensure_bucket()
        return store
    before, after = _reference(make)
    store = make()
    _setup(store)
    proc = subprocess.Popen(_publish_cmd(store), env=_env(store, "publish:transaction_begun:pause", tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    marker = tmp_path / "publish:transaction_begun.paused"
    for _ in range(600):
        if marker.exists() or proc.poll() is not None:
            break
        time.sleep(0.1)
    assert marker.exists(), "the publish never reached its pause point"
    seaweed_server.freeze()
    try:
        marker.unlink()
        out, err = proc.communicate(timeout=300)
    finally:
        seaweed_server.thaw()
    assert proc.returncode == 1, err[-2000:]
    assert "Traceback" not in err.splitlines()[-1]
    assert _state(store) == before
    assert _publish(store).returncode == 0
    assert _state(store) == after
