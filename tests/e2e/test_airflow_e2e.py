"""A real Airflow drives the pipeline: trigger, 3-day backfill, a broken source caught by quality.

Starts api-server, scheduler, dag-processor and a Celery worker (CeleryExecutor;
Redis broker and PostgreSQL metadata DB of this machine), talks to them only
through the REST API, and checks the archive on a moto S3 server. Bounded in
time; every process it started is stopped by PID at the end.
"""
from __future__ import annotations


import pytest

from pipelines import manifest
from pipelines.storage import Store
from tests.e2e.airflow_stack import AirflowStack, reachable

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(1200)]

SOURCES = ["stdaily", "bbtnews", "finews"]
MAIN, DAILY = "newsarchive_incremental", "newsarchive_daily"


@pytest.fixture
def stack(tmp_path, s3_env, s3_store, replay_config):
    if not (reachable("127.0.0.1", 5432) and reachable("127.0.0.1", 6379)):
        pytest.skip("needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379")
    replay, cfg_path = replay_config
    home = tmp_path / "airflow"
    home.mkdir()
    st = AirflowStack(home, {"NEWSARCHIVE_STORE": s3_store.uri, "NEWSARCHIVE_CONFIG": str(cfg_path),
                             "NEWSARCHIVE_INDEX_CACHE": "", **s3_env})
    try:
        st.start()
        st.wait_for_dags([MAIN, DAILY])
        yield st, replay, Store(s3_store.uri)
    finally:
        st.stop()
        for name, p in st.procs.items():
            assert p.poll() is not None, f"{name} (pid {p.pid}) still running"


def why(st: AirflowStack, dag_id: str, run_id: str) -> str:
    """States of a run's tasks and the log tails of the failed ones (for assertion messages)."""
    tis = st.task_instances(dag_id, run_id)
    out = [str([(t["task_id"], t["map_index"], t["state"]) for t in tis])]
    for t in tis:
        if t["state"] == "failed":
            out.append(f"--- {t['task_id']} ---\n" + st.task_log(dag_id, run_id, t["task_id"], t["try_number"] or 1,
                                                                   t["map_index"])[-3000:])
    return "\n".join(out)


def archive_invariants(store: Store) -> dict:
    """No content twice in articles, every article URL in sightings, one sighting per staged article."""
    from newsarchive.views import connect_views
    con = connect_views(store)
    n, distinct = con.execute("SELECT count(*), count(DISTINCT content_hash) FROM articles").fetchone()
    assert n == distinct and n > 0, f"{n} articles rows but {distinct} distinct hashes"
    missing = con.execute("""SELECT count(*) FROM articles a
        WHERE NOT EXISTS (SELECT 1 FROM sightings s WHERE s.url = a.url AND s.content_hash = a.content_hash)""").fetchone()[0]
    assert missing == 0, f"{missing} archived URLs have no sighting"
    from pipelines import staging
    for dt in manifest.snapshots(store):
        staged = {(r["url"], r["content_hash"]) for r in staging.read_staged(store, dt)["articles"].to_pylist()}
        seen = set(con.execute("SELECT url, content_hash FROM sightings WHERE dt = ?", [dt]).fetchall())
        assert staged <= seen, f"{dt}: {len(staged - seen)} staged articles without a sighting"
    return {"articles": n}


def test_trigger_backfill_and_a_broken_source(stack):
    st, replay, store = stack
    conf = {"sources": SOURCES}

    # 1. a manual run of the main DAG through the REST API
    st.trigger(MAIN, "2022-07-28T08:00:00Z", conf)
    (run,) = st.wait_for_runs(MAIN, 1, timeout=300)
    assert run["state"] == "success", why(st, MAIN, run["dag_run_id"])
    assert manifest.read(store, "2022-07-28") is not None
    first = archive_invariants(store)

    # 2. a 3-day backfill of the daily (e-paper) DAG, Airflow's native backfill API
    st.api("POST", "/backfills", json={"dag_id": DAILY, "from_date": "2022-07-25T00:00:00Z",
                                       "to_date": "2022-07-27T00:00:00Z", "max_active_runs": 1,
                                       "reprocess_behavior": "none", "dag_run_conf": conf})
    runs = st.wait_for_runs(DAILY, 3, timeout=600)
    bad = {r["dag_run_id"]: why(st, DAILY, r["dag_run_id"]) for r in runs if r["state"] != "success"}
    assert not bad, bad
    assert sorted(r["logical_date"][:10] for r in runs) == ["2022-07-25", "2022-07-26", "2022-07-27"]
    for day in ("2022-07-25", "2022-07-26", "2022-07-27", "2022-07-28"):
        assert manifest.read(store, day) is not None, f"no committed snapshot for {day}"
    after = archive_invariants(store)
    assert after["articles"] >= first["articles"]
    # the backfill archived e-paper pages; print copies of web stories became sightings, not new rows
    from newsarchive.views import connect_views
    con = connect_views(store)
    epaper, dup = con.execute("""SELECT count(*), count(*) FILTER (WHERE NOT is_new) FROM sightings
        WHERE dt BETWEEN '2022-07-25' AND '2022-07-27' AND regexp_matches(url, '/html/\\d{4}-\\d{2}/\\d{2}/content_')""").fetchone()
    assert epaper > 0 and dup > 0, (epaper, dup)

    # 3. a layout change empties one source's bodies: the quality task fails and names it
    replay.break_source("bbtnews", "empty_bodies")
    replay.advance(days=1, articles=18)
    st.trigger(MAIN, "2022-07-29T08:00:00Z", conf)
    runs = st.wait_for_runs(MAIN, 2, timeout=300)
    broken = next(r for r in runs if r["logical_date"].startswith("2022-07-29"))
    states = {t["task_id"]: t["state"] for t in st.task_instances(MAIN, broken["dag_run_id"]) if t["map_index"] in (-1, None)}
    assert broken["state"] == "failed" and states["quality"] == "failed", states
    assert states["publish"] == "success", "the good sources' articles are still published"
    log = st.task_log(MAIN, broken["dag_run_id"], "quality")
    assert "bbtnews" in log and "empty-body rate" in log, log[-3000:]
    archive_invariants(store)
