"""dag.test() of the main DAG against the replay and a moto S3 server: a committed snapshot DuckDB reads;
then the compact DAG rolls it up."""
import json
import subprocess
import sys

import pytest

from pipelines.storage import Store
from tests.dags.airflow_env import airflow_env, migrate

pytestmark = pytest.mark.slow

RUNNER = r"""
import json, sys
from datetime import datetime, timezone
from airflow.dag_processing.dagbag import DagBag
dag = DagBag(dag_folder=sys.argv[1]).dags[sys.argv[2]]
dr = dag.test(logical_date=datetime.fromisoformat(sys.argv[3]), run_conf=json.loads(sys.argv[4]))
states = {f"{ti.task_id}[{ti.map_index}]": str(getattr(ti.state, "value", ti.state)) for ti in dr.get_task_instances()}
print("JSON" + json.dumps({"state": str(getattr(dr.state, "value", dr.state)), "tasks": states}))
"""


def run_dag(env, dag_id: str, logical: str, conf: dict, timeout: float = 420) -> dict:
    from tests.dags.airflow_env import ROOT
    p = subprocess.run([sys.executable, "-c", RUNNER, str(ROOT / "dags"), dag_id, logical, json.dumps(conf)],
                       env=env, capture_output=True, text=True, timeout=timeout)
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("JSON")]
    assert lines, (p.stdout[-2000:], p.stderr[-4000:])
    return json.loads(lines[-1][4:]) | {"log": p.stdout + p.stderr}


def test_main_dag_commits_a_snapshot_duckdb_reads(tmp_path, s3_env, s3_store, replay_config):
    replay, cfg_path = replay_config
    env = airflow_env(tmp_path / "airflow", NEWSARCHIVE_STORE=s3_store.uri, NEWSARCHIVE_CONFIG=str(cfg_path),
                      NEWSARCHIVE_INDEX_CACHE="", **s3_env)
    migrate(env)
    out = run_dag(env, "newsarchive_incremental", "2022-07-28T08:00:00+00:00",
                  {"sources": ["stdaily", "finews", "ce"]})
    tasks = out["tasks"]
    assert out["state"] == "success", (tasks, out["log"][-5000:])
    assert tasks["crawl[0]"] == tasks["crawl[2]"] == "success"
    assert all(tasks[t] == "success" for t in ("stage[-1]", "publish[-1]", "quality[-1]", "report[-1]"))

    from newsarchive.views import connect_views
    con = connect_views(Store(s3_store.uri))
    snaps = con.execute("SELECT dt FROM snapshots").fetchall()
    assert [str(r[0]) for r in snaps] == ["2022-07-28"]
    n, distinct, sources = con.execute(
        "SELECT count(*), count(DISTINCT content_hash), count(DISTINCT source) FROM articles").fetchone()
    assert n == distinct and n >= 20 and sources == 3
    seen = con.execute("SELECT count(*) FROM sightings WHERE NOT is_new").fetchone()[0]
    assert seen > 0, "finews republishes stdaily stories: duplicates must become sightings"
    assert "run report: s3://" in out["log"]

    before = con.execute("SELECT source, count(*), count(DISTINCT url) FROM articles GROUP BY ALL ORDER BY ALL").fetchall()
    out = run_dag(env, "newsarchive_compact", "2022-07-29T00:00:00+00:00", {})     # rolls up dates < 2022-07-29
    assert out["state"] == "success", (out["tasks"], out["log"][-5000:])
    con = connect_views(Store(s3_store.uri))
    kinds, used = con.execute("SELECT list(kind ORDER BY kind), bool_and(used) FROM rollups").fetchone()
    assert {"articles", "sightings"} <= set(kinds) and used
    assert con.execute("SELECT DISTINCT layer FROM table_files WHERE used").fetchall() == [("rollup",)]
    assert con.execute("SELECT source, count(*), count(DISTINCT url) FROM articles GROUP BY ALL ORDER BY ALL"
                       ).fetchall() == before
