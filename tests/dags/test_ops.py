"""The DAGs' Airflow-side helpers (dags/newsarchive_ops.py): connections become settings without a
secret in sight, alerts name the source and the failure, late runs are not "overdue"."""
import json
import subprocess
import sys

from tests.dags.airflow_env import airflow_env

PROBE = r"""
import json, os
from datetime import datetime, timezone
from types import SimpleNamespace
import newsarchive_ops as ops

env = ops.store_env()
out = {"env": {k: ("<secret>" if "s3cr3t" in v else v) for k, v in env.items()},
       "in_process": os.environ.get("PGPASSWORD") == env.get("PGPASSWORD")}
sent = []
ops.send = lambda subject, body, context: sent.append((subject, body)) or ["test"]
ti = SimpleNamespace(task_id="source.crawl", try_number=2, log_url="http://airflow/log", rendered_map_index=None)
dr = SimpleNamespace(run_id="scheduled__2022-07-28T08:00:00+00:00", logical_date=datetime(2022, 7, 28, 8, tzinfo=timezone.utc))
dag = SimpleNamespace(dag_id="newsarchive_incremental")
ops.on_failure({"ti": ti, "dag": dag, "dag_run": dr, "newsarchive_source": "ce",
                "exception": RuntimeError("crawl of ce failed (exit 3): unreachable: not one discovery page")})
ops.on_failure({"ti": ti, "dag": dag, "dag_run": dr, "exception": ops.RunIsRed("this run is red")})
run = {"dag_id": "newsarchive_daily", "dag_run_id": "scheduled__x", "state": "running"}
ops.deadline_missed({"dag_run": dict(run, logical_date="2022-07-28T00:00:00Z", queued_at="2022-07-28T00:00:05Z")},
                    dag_id="newsarchive_daily", within="150 min", seconds=9000)
ops.deadline_missed({"dag_run": dict(run, dag_run_id="backfill__y", logical_date="2022-07-20T00:00:00Z",
                                     queued_at="2022-07-28T00:00:05Z")},
                    dag_id="newsarchive_daily", within="150 min", seconds=9000)
out["sent"] = sent
print("JSON" + json.dumps(out))
"""


def test_connections_alerts_and_deadlines(tmp_path):
    conns = {"AIRFLOW_CONN_NEWSARCHIVE_CATALOG": json.dumps({"conn_type": "postgres", "host": "db", "port": 5433,
                                                             "schema": "cat", "login": "pipe", "password": "s3cr3t-pw"}),
             "AIRFLOW_CONN_NEWSARCHIVE_S3": json.dumps({"conn_type": "aws", "login": "key", "password": "s3cr3t-key",
                                                        "extra": {"endpoint_url": "http://minio:9000"}})}
    env = airflow_env(tmp_path / "airflow", **conns)
    p = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("JSON")]
    assert lines, p.stderr[-3000:]
    out = json.loads(lines[-1][4:])
    assert out["env"] == {"NEWSARCHIVE_CATALOG": "postgres:dbname=cat host=db port=5433 user=pipe",
                          "PGPASSWORD": "<secret>", "NEWSARCHIVE_S3_ENDPOINT": "http://minio:9000",
                          "AWS_ACCESS_KEY_ID": "key", "AWS_SECRET_ACCESS_KEY": "<secret>", "AWS_REGION": "us-east-1"}
    assert out["in_process"]                           # in-process steps (publish, quality) see them too
    (crawl_subject, crawl_body), (late_subject, late_body) = out["sent"]   # no alert for RunIsRed, none for the late run
    assert crawl_subject == ("[newsarchive] crawl failed: ce: unreachable "
                             "(newsarchive_incremental, 2022-07-28 08:00 UTC)")
    assert crawl_body.startswith("crawl of ce failed (exit 3): unreachable") and "source.crawl [ce], try 2" in crawl_body
    assert late_subject == "[newsarchive] run overdue: newsarchive_daily scheduled__x not finished within 150 min"
    assert "s3cr3t" not in p.stdout + p.stderr             # nothing logged a secret
