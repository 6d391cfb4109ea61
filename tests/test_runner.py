"""`newsarchive run`, `reprocess` and `retry` through the CLI, on the replay."""
import hashlib

import pytest

from newsarchive.cli import main
from pipelines import manifest
from pipelines.storage import Store

pytestmark = pytest.mark.slow


def snapshot_files(store: Store) -> dict[str, str]:
    """Every published data file and manifest, with a digest of its bytes."""
    out = {}
    for prefix in ("articles/", "sightings/", "rejects/", "index/docs/", "_snapshots/"):
        for rel in store.list(prefix):
            out[rel] = hashlib.sha256(store.read_bytes(rel)).hexdigest()
    return out


@pytest.fixture
def replay_cfg(replay_config):
    r, path = replay_config
    return r, str(path)


def test_run_then_reprocess_leaves_the_archive_identical(tmp_path, replay_cfg, capsys):
    _, cfg = replay_cfg
    store = Store(str(tmp_path / "data"))
    rc = main(["run", "--store", store.uri, "--config", cfg, "--date", "2022-07-28",
               "--sources", "stdaily", "finews", "btchangqing", "--no-report"])
    err = capsys.readouterr().err
    assert rc == 0, err
    assert "publish:" in err and "all checks passed" in err
    m = manifest.read(store, "2022-07-28")
    (counts,) = m["runs"].values()
    assert counts["articles"] > 0 and counts["exact_duplicates"] > 0   # finews republishes stdaily
    before = snapshot_files(store)

    assert main(["reprocess", "--store", store.uri, "--config", cfg, "--since", "2022-07-28",
                 "--until", "2022-07-28"]) == 0
    assert snapshot_files(store) == before, "re-extracting unchanged raw data must not change the archive"

    assert main(["retry", "--store", store.uri, "--config", cfg, "--date", "2022-07-28"]) == 0
    assert "fetch rejects will be re-fetched" in capsys.readouterr().err
    assert snapshot_files(store) == before


def test_run_reports_a_broken_source_and_exits_1(tmp_path, replay_cfg, capsys):
    r, cfg = replay_cfg
    store = Store(str(tmp_path / "data"))
    assert main(["run", "--store", store.uri, "--config", cfg, "--date", "2022-07-28",
                 "--sources", "bbtnews", "--no-report"]) == 0
    r.break_source("bbtnews", "empty_bodies")
    r.advance(days=1, articles=18)
    capsys.readouterr()
    rc = main(["run", "--store", store.uri, "--config", cfg, "--date", "2022-07-29",
               "--sources", "bbtnews", "--no-report"])
    err = capsys.readouterr().err
    assert rc == 1 and "bbtnews: empty-body rate" in err, err
