"""Every DAG loads, has tags and retries (astro-cli's DagBag example test)."""
import json
import subprocess
import sys

import pytest

from tests.dags.airflow_env import ROOT, airflow_env

PROBE = r"""
import json
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=%r)
out = {"errors": {k: str(v)[-500:] for k, v in bag.import_errors.items()}, "dags": {}}
for dag_id, dag in bag.dags.items():
    out["dags"][dag_id] = {
        "tags": sorted(dag.tags),
        "retries": {t.task_id: t.retries for t in dag.tasks},
        "catchup": dag.catchup, "max_active_runs": dag.max_active_runs,
        "pools": {t.task_id: t.pool for t in dag.tasks},
        "named": {t.task_id: getattr(t, "map_index_template", None) for t in dag.tasks},
        "trigger": {t.task_id: str(getattr(t.trigger_rule, "value", t.trigger_rule)) for t in dag.tasks},
        "on_failure": {t.task_id: bool(t.on_failure_callback) for t in dag.tasks},
        "deadline": [(d.interval.total_seconds(), d.callback.path) for d in (dag.deadline or [])],
        "doc": bool(dag.doc_md),
        "links": {t.task_id: [type(l).__name__ for l in t.operator_extra_links] for t in dag.tasks},
    }
print("JSON" + json.dumps(out))
"""


@pytest.fixture(scope="module")
def bag(tmp_path_factory):
    env = airflow_env(tmp_path_factory.mktemp("airflow"))
    env.pop("NEWSARCHIVE_DEADLINE_MINUTES", None)
    p = subprocess.run([sys.executable, "-c", PROBE % str(ROOT / "dags")], env=env,
                       capture_output=True, text=True, timeout=180)
    line = [ln for ln in p.stdout.splitlines() if ln.startswith("JSON")]
    assert line, p.stderr[-3000:]
    return json.loads(line[-1][4:])


def test_no_import_errors(bag):
    assert bag["errors"] == {}


def test_expected_dags(bag):
    assert {"newsarchive_incremental", "newsarchive_daily", "newsarchive_reprocess", "newsarchive_compact",
            "newsarchive_snapshot_summary"} <= set(bag["dags"])


def test_every_dag_has_tags_and_every_task_retries(bag):
    for dag_id, d in bag["dags"].items():
        assert d["tags"], f"{dag_id} has no tags"
        for task_id, retries in d["retries"].items():
            assert retries >= 1, f"{dag_id}.{task_id} has no retries"


def test_pipelines_never_catch_up_or_overlap_and_publish_is_serialized(bag):
    for dag_id in ("newsarchive_incremental", "newsarchive_daily"):
        d = bag["dags"][dag_id]
        assert d["catchup"] is False and d["max_active_runs"] == 1
        assert d["pools"]["source.publish"] == "newsarchive_publish"
    assert bag["dags"]["newsarchive_reprocess"]["pools"]["reprocess"] == "newsarchive_publish"
    assert bag["dags"]["newsarchive_compact"]["pools"]["compact"] == "newsarchive_publish"


def test_per_source_tasks_are_named_by_their_source_and_sources_fail_alone(bag):
    for dag_id in ("newsarchive_incremental", "newsarchive_daily"):
        d = bag["dags"][dag_id]
        assert {t for t, tpl in d["named"].items() if tpl} == {"source.crawl", "source.stage", "source.publish",
                                                                "source.quality"}
        assert d["trigger"]["report"] == "all_done"                          # runs whatever failed upstream
        assert d["trigger"]["source.publish"] == "all_success"               # cleared with its source's crawl
        assert d["links"]["report"] == ["RunReportLink"]
        assert d["doc"]


def test_every_task_alerts_on_failure_and_runs_have_a_deadline(bag):
    for dag_id, d in bag["dags"].items():
        assert d["doc"], f"{dag_id} has no doc_md (its runbook in the UI)"
        assert all(d["on_failure"].values()), f"{dag_id}: a task without on_failure_callback"
    for dag_id in ("newsarchive_incremental", "newsarchive_daily"):
        ((seconds, path),) = bag["dags"][dag_id]["deadline"]
        assert seconds == 150 * 60 and path.endswith("deadline_missed")
