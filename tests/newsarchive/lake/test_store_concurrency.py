"""Writers that run at the same time, in separate processes, end with every batch exactly once.

DuckLake 1.5.5 lets two simultaneous first writers of the same rows both commit (ducklake#1393);
newsarchive serializes every catalog write with the writer lock (a file lock on the embedded
catalog, a PostgreSQL advisory lock on a PostgreSQL catalog). Here several processes each stage
their own crawl batch and publish at once, on the same date and on different dates.
"""
from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest

from pipelines.storage import Store
from storekit import committed

WRITER = Path(__file__).with_name("concurrent_writer.py")
NAMES = ["w1", "w2", "w3", "w4"]
pytestmark = pytest.mark.slow


def _race(store: Store, dates: list[str], tmp_path: Path) -> list[str]:
    start = tmp_path / f"go-{uuid.uuid4().hex[:6]}"
    env = {**os.environ, "NEWSARCHIVE_CATALOG": store.catalog}
    if store.s3 is not None:
        env.update(store.s3.to_env())
    procs = [subprocess.Popen([sys.executable, str(WRITER), store.uri, dt, name, str(start)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name, dt in zip(NAMES, dates)]
    start.write_text("go")
    out = []
    for p in procs:
        so, se = p.communicate(timeout=600)
        assert p.returncode == 0, se[-3000:]
        out += so.split()
    return out


def _check(store: Store, batches: list[str]) -> None:
    arts, sights = committed(store, "articles"), committed(store, "sightings")
    hashes = arts.column("content_hash").to_pylist()
    assert len(hashes) == len(set(hashes)), "a content_hash archived twice"
    assert arts.num_rows == 4 * 5 + 1                                    # each writer's 5 + the shared story once
    urls = Counter(sights.column("url").to_pylist())
    assert len(urls) == 4 * 6 and set(urls.values()) == {1}, "a sighting missing or twice"
    assert Counter(sights.column("is_new").to_pylist())[True] == 21
    seg = committed(store, "pipeline.segments").to_pylist()
    assert sorted(s["state"] for s in seg) == ["published"] * 4
    assert sorted({s["batch"] for s in seg}) == sorted(batches)          # every batch in the ledger once
    b = committed(store, "batches").to_pylist()
    assert sum(r["segments"] for r in b) == 4 and len(b) == len(batches)


@pytest.mark.parametrize("same_date", [True, False], ids=["same date", "different dates"])
def test_concurrent_writers_local(tmp_path, same_date):
    store = Store(str(tmp_path / "store"))
    dates = ["2022-07-28"] * 4 if same_date else ["2022-07-25", "2022-07-26", "2022-07-27", "2022-07-28"]
    _check(store, _race(store, dates, tmp_path))


def test_concurrent_writers_postgres_and_s3(tmp_path, seaweed_store):
    _check(seaweed_store, _race(seaweed_store, ["2022-07-28", "2022-07-28", "2022-07-27", "2022-07-26"], tmp_path))
