"""`newsarchive run`, `reprocess` and `retry` through the CLI, on the replay."""
import pytest

from lakekit import committed, rowset
from newsarchive.cli import main
from pipelines.storage import Store

pytestmark = pytest.mark.slow


def archive_rows(store: Store) -> dict[str, list]:
    """Every row of the archive's tables (order-free)."""
    return {t: rowset(store, t) for t in ("articles", "sightings", "rejects")}


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
    (b,) = committed(store, "batches").to_pylist()
    assert b["articles"] > 0 and b["exact_duplicates"] > 0            # finews republishes stdaily
    before = archive_rows(store)

    assert main(["reprocess", "--store", store.uri, "--config", cfg, "--since", "2022-07-28",
                 "--until", "2022-07-28"]) == 0
    assert "raw segments" in capsys.readouterr().err
    assert archive_rows(store) == before, "re-extracting unchanged raw data must not change the archive"
    assert len(committed(store, "batches")) == 2

    assert main(["retry", "--store", store.uri, "--config", cfg, "--date", "2022-07-28"]) == 0
    assert "fetch rejects will be re-fetched" in capsys.readouterr().err
    assert archive_rows(store) == before


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
