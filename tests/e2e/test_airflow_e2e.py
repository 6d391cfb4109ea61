"""A real Airflow drives the pipeline as ops would: a source down, its alert, clearing the red run;
a backfill; a layout break caught by the source's own red quality task; a run overdue.

Starts api-server, scheduler, dag-processor and two Celery workers (CeleryExecutor, a redis-server
of its own, a PostgreSQL metadata DB of its own), talks to them only through the REST API, and
checks the archive: data on a moto S3 server, the catalog in a PostgreSQL database of its own, both
reached through Airflow connections (``newsarchive_s3``, ``newsarchive_catalog``) as in production.
Alerts go through the ``newsarchive_smtp`` and ``newsarchive_apprise`` connections to an SMTP sink
and a webhook receiver on 127.0.0.1. Every process it started is stopped by PID at the end.

``NEWSARCHIVE_SCREENSHOTS=<dir>`` also saves screenshots of the grid and the report (docs/).
"""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest

from pipelines.storage import Store
from tests.e2e.airflow_stack import REDIS, AirflowStack, reachable
from tests.e2e.sinks import SmtpSink, WebhookSink, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(1500)]

SOURCES = ["stdaily", "bbtnews", "ce"]
MAIN, DAILY = "newsarchive_incremental", "newsarchive_daily"


@pytest.fixture
def stack(tmp_path, s3_env, s3_server, pg_catalog, replay_config, monkeypatch):
    if not reachable("127.0.0.1", 5432) or REDIS is None:
        pytest.skip("needs PostgreSQL on 127.0.0.1:5432 and redis-server")
    replay, cfg_path = replay_config
    monkeypatch.setenv("NEWSARCHIVE_CATALOG", pg_catalog)           # this process reads the archive directly
    store = Store(f"s3://e2e-{os.urandom(4).hex()}/archive")
    store.ensure_bucket()
    smtp, hook = SmtpSink().start(), WebhookSink().start()
    dbname = dict(p.split("=", 1) for p in pg_catalog.split(":", 1)[1].split())["dbname"]
    conns = {
        "AIRFLOW_CONN_NEWSARCHIVE_S3": {"conn_type": "aws", "login": s3_env["AWS_ACCESS_KEY_ID"],
                                        "password": s3_env["AWS_SECRET_ACCESS_KEY"],
                                        "extra": {"endpoint_url": s3_server, "region_name": "us-east-1"}},
        "AIRFLOW_CONN_NEWSARCHIVE_CATALOG": {"conn_type": "postgres", "host": "127.0.0.1", "port": 5432,
                                             "schema": dbname, "login": "postgres"},
        "AIRFLOW_CONN_NEWSARCHIVE_SMTP": {"conn_type": "smtp", "host": "127.0.0.1", "port": smtp.port,
                                          "extra": {"from_email": "airflow@newsarchive.test", "to": "ops@newsarchive.test",
                                                    "disable_ssl": True, "disable_tls": True}},
        "AIRFLOW_CONN_NEWSARCHIVE_APPRISE": {"conn_type": "apprise",
                                             "extra": {"config": {"path": f"json://127.0.0.1:{hook.port}/hook"}}},
    }
    home = tmp_path / "airflow"
    home.mkdir()
    # no store settings in the environment: the DAGs must take them from the connections
    env = {"NEWSARCHIVE_STORE": store.uri, "NEWSARCHIVE_CONFIG": str(cfg_path), "NEWSARCHIVE_INDEX_CACHE": "",
           "NEWSARCHIVE_CATALOG": "", "NEWSARCHIVE_S3_ENDPOINT": "", "AWS_ACCESS_KEY_ID": "",
           "AWS_SECRET_ACCESS_KEY": "", "NEWSARCHIVE_DEADLINE_MINUTES": "0.25",
           **{k: json.dumps(v) for k, v in conns.items()}}
    st = AirflowStack(home, env)
    try:
        st.start()
        st.wait_for_dags([MAIN, DAILY])
        yield st, replay, store, smtp, hook
    finally:
        st.stop()
        smtp.stop()
        hook.stop()
        for name, p in st.procs.items():
            assert p.poll() is not None, f"{name} (pid {p.pid}) still running"


def why(st: AirflowStack, dag_id: str, run_id: str) -> str:
    """States of a run's tasks and the log tails of the failed ones (for assertion messages)."""
    tis = st.task_instances(dag_id, run_id)
    out = [str(states(tis))]
    for t in tis:
        if t["state"] == "failed":
            out.append(f"--- {t['task_id']} [{t.get('rendered_map_index')}] ---\n"
                       + st.task_log(dag_id, run_id, t["task_id"], t["try_number"] or 1, t["map_index"])[-3000:])
    return "\n".join(out)


def states(tis: list[dict]) -> dict[str, str]:
    """``task_id[source]`` -> state; a mapped instance is named by its source (rendered map index)."""
    return {(f"{t['task_id']}[{t.get('rendered_map_index') or t['map_index']}]" if t["map_index"] >= 0
             else t["task_id"]): t["state"] for t in tis}


def alerts(smtp: SmtpSink, hook: WebhookSink, words: str) -> tuple[list, list]:
    mails = [(s, b) for s, b in smtp.texts() if words in s]
    posts = [p for p in hook.posts if words in p.get("title", "")]
    return (mails, posts) if mails and posts else None


def read_report(store: Store, dt: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(store.read_text(f"reports/dt={dt}/report.html"))


def _key(url: str) -> tuple[str, int]:
    u = urlsplit(url)
    return u.path + (f"?{u.query}" if u.query else ""), u.port or 80


def archive_invariants(store: Store, replay) -> None:
    """Content once in articles; every article page the replay served with 200 archived exactly once
    (a sighting) or rejected with its reason."""
    from newsarchive.views import connect_views
    con = connect_views(store)
    n, distinct = con.execute("SELECT count(*), count(DISTINCT content_hash) FROM articles").fetchone()
    assert n == distinct and n > 0, f"{n} articles rows but {distinct} distinct hashes"
    served = Counter(_key(f"http://127.0.0.1:{e.port}{e.path}") for e in replay.request_log
                     if e.kind == "article" and e.status == 200 and e.source in SOURCES and e.method == "GET")
    kept = Counter(_key(u) for (u,) in con.execute(
        "SELECT url FROM sightings UNION ALL SELECT url FROM rejects WHERE stage <> 'fetch'").fetchall())
    missing = {k: v for k, v in served.items() if kept[k] != v}
    assert served and not missing, f"{len(missing)} served article pages not archived once: {list(missing.items())[:5]}"
    con.close()


def test_ops_scenarios_on_a_real_airflow(stack):
    st, replay, store, smtp, hook = stack

    # 1. a source is down: its crawl is red and named, the others are archived, alerts go out
    replay.break_source("ce", "server_error")
    run = st.trigger(MAIN, "2022-07-28T08:00:00Z", {"sources": SOURCES})
    r = st.wait_for_run(MAIN, run, timeout=400)
    s = states(st.task_instances(MAIN, run))
    assert r["state"] == "failed", why(st, MAIN, run)
    assert s["source.crawl[ce]"] == "failed" and s["report"] == "failed", s
    assert all(s[f"source.{t}[{src}]"] == "success" for t in ("crawl", "stage", "publish", "quality")
               for src in ("stdaily", "bbtnews")), s
    log = st.task_log(MAIN, run, "source.crawl", 1, next(t["map_index"] for t in st.task_instances(MAIN, run)
                                                        if t.get("rendered_map_index") == "ce"))
    first = [ln for ln in log.splitlines() if "crawl of ce failed" in ln]
    assert first and "exit 3): unreachable" in first[0], log[-3000:]
    mails, posts = wait_until(lambda: alerts(smtp, hook, "crawl failed: ce"), 120, "the crawl alert")
    assert "unreachable" in mails[0][1] and "unreachable" in posts[0]["message"]
    assert "testing" not in mails[0][1] + posts[0]["message"]                       # no secret in an alert

    # 2. the site is back: clearing the red run's failed tasks archives ce and rebuilds the report
    replay.fix_source("ce")
    st.clear_failed(MAIN, run)
    r = st.wait_for_run(MAIN, run, timeout=400, states=("success",))
    report_ti = next(t for t in st.task_instances(MAIN, run) if t["task_id"] == "report")
    assert report_ti["try_number"] >= 2
    links = st.api("GET", f"/dags/{MAIN}/dagRuns/{run}/taskInstances/report/links")["extra_links"]
    assert links.get("Run report", "").endswith("/reports/dt=2022-07-28/report.html"), links
    rows = {tr.get("data-source"): tr.get("data-passed")
            for tr in read_report(store, "2022-07-28").get_element_by_id("quality-table").xpath(".//tbody/tr")}
    assert rows == {"bbtnews": "true", "ce": "true", "stdaily": "true"}, rows
    archive_invariants(store, replay)

    # 3. a backfill of the daily DAG, one run at a time (REST, as `airflow backfill create --max-active-runs 1`)
    st.api("POST", "/backfills", json={"dag_id": DAILY, "from_date": "2022-07-26T00:00:00Z",
                                       "to_date": "2022-07-27T00:00:00Z", "max_active_runs": 1,
                                       "reprocess_behavior": "failed", "dag_run_conf": {"sources": SOURCES[:2]}})
    runs = st.wait_for_runs(DAILY, 2, timeout=600)
    bad = {r["dag_run_id"]: why(st, DAILY, r["dag_run_id"]) for r in runs if r["state"] != "success"}
    assert not bad, bad
    assert sorted(r["logical_date"][:10] for r in runs) == ["2022-07-26", "2022-07-27"]
    assert all(r["run_type"] == "backfill" for r in runs)
    first, second = sorted(runs, key=lambda r: r["start_date"])
    assert second["start_date"] >= first["end_date"], "backfill runs overlapped"       # one at a time

    # 4. a layout change empties one source's bodies: its own quality task is red, named, alerted
    replay.break_source("bbtnews", "empty_bodies")
    replay.advance(days=1, articles=18)
    run = st.trigger(MAIN, "2022-07-29T08:00:00Z", {"sources": SOURCES[:2]})
    r = st.wait_for_run(MAIN, run, timeout=400)
    s = states(st.task_instances(MAIN, run))
    assert r["state"] == "failed" and s["source.quality[bbtnews]"] == "failed", why(st, MAIN, run)
    assert s["source.quality[stdaily]"] == s["source.publish[bbtnews]"] == "success", s
    qti = next(t for t in st.task_instances(MAIN, run) if t.get("rendered_map_index") == "bbtnews"
               and t["task_id"] == "source.quality")
    qlog = st.task_log(MAIN, run, "source.quality", qti["try_number"], qti["map_index"])
    top = [ln for ln in qlog.splitlines() if ln.startswith("quality ")]        # its first own line
    assert top and "quality FAILED for bbtnews" in top[0] and "empty-body rate" in top[0], qlog[-3000:]
    mails, posts = wait_until(lambda: alerts(smtp, hook, "quality alert: bbtnews"), 120, "the quality alert")
    assert "empty-body rate" in mails[0][1] and "empty-body rate" in posts[0]["message"]
    rows = {tr.get("data-source"): tr.get("data-passed")
            for tr in read_report(store, "2022-07-29").get_element_by_id("quality-table").xpath(".//tbody/tr")}
    assert rows == {"bbtnews": "false", "stdaily": "true"}, rows
    archive_invariants(store, replay)

    # 5. a run due now that takes longer than the (test's) 15 s deadline: the overdue alert reaches people;
    #    the runs above were queued long after their logical dates (past dates): late, not overdue
    now = datetime.now(timezone.utc).replace(microsecond=0)
    due = st.trigger(DAILY, now.isoformat().replace("+00:00", "Z"), {"sources": ["stdaily"]})
    mails, posts = wait_until(lambda: alerts(smtp, hook, "run overdue"), 180, "the deadline alert")
    assert all(due in s for s, _ in mails) and due in posts[0]["title"], [s for s, _ in mails]
    st.wait_for_run(DAILY, due, timeout=300)

    if os.environ.get("NEWSARCHIVE_SCREENSHOTS"):
        screenshots(st, store, run, Path(os.environ["NEWSARCHIVE_SCREENSHOTS"]))


def screenshots(st: AirflowStack, store: Store, run: str, out: Path) -> None:
    """The grid with named tasks and the red per-source quality task, and the report's quality section."""
    exe = shutil.which("chromium")
    if exe is None:
        return
    out.mkdir(parents=True, exist_ok=True)
    html = out / "_report.html"
    html.write_text(store.read_text("reports/dt=2022-07-29/report.html"), encoding="utf-8")
    shots = {"airflow-grid.png": f"{st.url}/dags/{MAIN}/runs/{run}",
             "airflow-quality-tasks.png": f"{st.url}/dags/{MAIN}/runs/{run}/tasks/source.quality/mapped",
             "report-quality.png": html.as_uri() + "#quality"}
    for name, url in shots.items():
        subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={out / '_chromium'}", "--window-size=1400,900", "--virtual-time-budget=15000",
                        f"--screenshot={out / name}", url], capture_output=True, timeout=120)
    html.unlink()
    shutil.rmtree(out / "_chromium", ignore_errors=True)
