"""``newsarchive migrate``: a store made by the code before the catalog (tests/fixtures/legacy_store_v1)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from lakekit import committed, publish, stage
from newsarchive.cli import main
from pipelines.storage import Store

LEGACY = Path(__file__).resolve().parents[2] / "fixtures" / "legacy_store_v1"


@pytest.fixture
def legacy(tmp_path) -> Store:
    shutil.copytree(LEGACY, tmp_path / "store")
    return Store(str(tmp_path / "store"))


def _old_rows(store: Store, table: str) -> list[tuple]:
    out = []
    for m in sorted(store.list("_snapshots")):
        man = json.loads(store.read_text(m))
        for e in man["files"][table]:
            for r in pq.read_table(store.path(e["path"])).to_pylist():
                out.append((man["dt"], r.get("content_hash") or r.get("url"), r["url"], r["source"], r["run_id"]))
    return sorted(out)


def _new_rows(store: Store, table: str) -> list[tuple]:
    return sorted((str(r["dt"]), r.get("content_hash") or r.get("url"), r["url"], r["source"], r["run_id"])
                  for r in committed(store, table).to_pylist())


def test_migrate_imports_every_committed_row_and_checks_the_counts(legacy, capsys):
    old = {t: _old_rows(legacy, t) for t in ("articles", "sightings", "rejects")}
    assert len(old["articles"]) == 26 and len(old["sightings"]) == 39
    assert main(["migrate", "--store", legacy.uri]) == 0
    out = capsys.readouterr().out
    assert "articles: 26 rows in the catalog, 26 in the old manifests" in out and "MISMATCH" not in out
    for t, rows in old.items():
        assert _new_rows(legacy, t) == rows, t
    arts = committed(legacy, "articles").to_pylist()
    assert all(a["segment"] == a["raw_ref"].split("#")[0][:-len(".warc.gz")] for a in arts)
    assert all(s["segment"].startswith(f"raw/source={s['source']}/dt={s['dt']}/")
               for s in committed(legacy, "sightings").to_pylist())
    ledger = committed(legacy, "pipeline.segments").to_pylist()
    assert len(ledger) == 4 and {s["state"] for s in ledger} == {"published"}
    assert {b["batch"] for b in committed(legacy, "batches").to_pylist()} == {
        "migrated:2022-07-28/cli__2022-07-28T000000", "migrated:2022-07-29/cli__2022-07-29T000000"}
    (idx,) = committed(legacy, "pipeline.index_files").to_pylist()
    assert idx["rows"] == 26 and legacy.exists(idx["path"])


def test_after_migration_dedupe_continues_against_the_migrated_archive(legacy):
    from datetime import datetime, timezone

    from analystkit import art, edit
    assert main(["migrate", "--store", legacy.uri]) == 0
    old = committed(legacy, "articles").to_pylist()
    first = max(old, key=lambda a: a["char_count"])
    run = "cli__2022-07-30T000000__new"
    t = datetime(2022, 7, 30, tzinfo=timezone.utc)
    stage(legacy, "2022-07-30", run, [art(first["text"], "bjnews", "copy.html", run, None, t, "copy"),
                                      art(edit(first["text"], 1), "bjnews", "edit.html", run, None, t, "edit")])
    (b,) = publish(legacy, run_id="pub__2022-07-30T000000__x", dt="2022-07-30")
    assert (b.articles, b.exact_duplicates, b.near_duplicates) == (1, 1, 1)
    new = [a for a in committed(legacy, "articles").to_pylist() if a["source"] == "bjnews"]
    assert [a["cluster_id"] for a in new] == [first["cluster_id"]]


def test_migrate_refuses_a_catalog_in_use_and_a_store_without_manifests(legacy, tmp_path, capsys):
    assert main(["migrate", "--store", legacy.uri]) == 0
    assert main(["migrate", "--store", legacy.uri]) == 2
    assert "not empty" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["migrate", "--store", str(tmp_path / "empty")]) == 2
    assert "nothing to migrate" in capsys.readouterr().err


def test_a_damaged_manifest_is_a_clear_error_and_nothing_is_committed(legacy, capsys):
    legacy.write_text("_snapshots/2022-07-29.json", '{"format": 1, "dt": "2022-07-29", "files": {"artic')
    assert main(["migrate", "--store", legacy.uri]) == 2
    assert "2022-07-29.json is not a readable manifest" in capsys.readouterr().err
    assert not Path(legacy.path("catalog.sqlite")).exists() or committed(legacy, "articles").num_rows == 0
