"""The Airflow side of the newsarchive DAGs: connections turned into settings, run ids, what a task
says first in its log, and alerts. The work itself is in ``newsarchive.jobs``.

Settings come from Airflow connections when they exist, else from the worker's environment:

* ``newsarchive_s3`` (type ``aws`` or ``generic``: login/password = key/secret, extra
  ``{"endpoint_url": "http://minio:9000"}``) → ``NEWSARCHIVE_S3_ENDPOINT``, ``AWS_*``;
* ``newsarchive_catalog`` (type ``postgres``: host, port, schema = database, login, password) →
  ``NEWSARCHIVE_CATALOG=postgres:dbname=… host=… port=… user=…`` and ``PGPASSWORD``;
* ``newsarchive_smtp`` (type ``smtp``; extra ``{"from_email": …, "to": "ops@…, …", "disable_ssl": true}``)
  and ``newsarchive_apprise`` (type ``apprise``; extra ``{"config": {"path": "json://chat.example/hook"}}``,
  any Apprise URL: Slack, Teams, Matrix, DingTalk, a JSON webhook…): where alerts go. A channel
  without its connection is skipped.

Secrets never reach a log line: Airflow masks connection passwords, and nothing here prints one.
"""
from __future__ import annotations

import hashlib
import logging
import os
from datetime import datetime

log = logging.getLogger("newsarchive")

STORE = os.environ.get("NEWSARCHIVE_STORE", "/opt/airflow/data")
CONFIG = os.environ.get("NEWSARCHIVE_CONFIG") or None
S3_CONN_ID = os.environ.get("NEWSARCHIVE_S3_CONN_ID", "newsarchive_s3")
CATALOG_CONN_ID = os.environ.get("NEWSARCHIVE_CATALOG_CONN_ID", "newsarchive_catalog")
SMTP_CONN_ID = os.environ.get("NEWSARCHIVE_SMTP_CONN_ID", "newsarchive_smtp")
APPRISE_CONN_ID = os.environ.get("NEWSARCHIVE_APPRISE_CONN_ID", "newsarchive_apprise")
#: Where the run report link points: ``<base>/reports/dt=<D>/report.html`` (e.g. a web server or the
#: MinIO console in front of the store); default the report's URI in the store.
REPORT_BASE_URL = os.environ.get("NEWSARCHIVE_REPORT_BASE_URL", "").rstrip("/")

#: ``map_index_template`` of the per-source tasks: the source id they set in their context (``named``).
SOURCE_NAME = "{{ newsarchive_source | default('') }}"

#: What ``newsarchive crawl``'s exit codes mean (spiders/crawl.py), in words for the task log and alerts.
CRAWL_EXITS = {
    1: "the crawl broke (a segment could not be committed, a spider error or it could not start)",
    2: "usage or configuration error (sources.yaml, arguments)",
    3: "unreachable: not one discovery page (feed, sitemap, listing, e-paper) could be fetched",
    124: "timed out and was killed",
    130: "interrupted (SIGTERM/SIGINT); what was fetched is committed",
}
#: Exit codes that no retry a few minutes later fixes: fail at once (the next scheduled run tries again).
CRAWL_FINAL = frozenset({2, 3})


# ----------------------------------------------------------------------------- connections → environment
def _connection(conn_id: str):
    try:
        from airflow.sdk import BaseHook
        return BaseHook.get_connection(conn_id)
    except Exception:  # noqa: BLE001 - no such connection: the environment applies
        return None


def s3_env() -> dict[str, str]:
    """S3 settings from the connection ``newsarchive_s3`` when it exists (else the environment's)."""
    conn = _connection(S3_CONN_ID)
    if conn is None:
        return {}
    extra = conn.extra_dejson or {}
    env = {"AWS_REGION": extra.get("region_name", "us-east-1")}
    endpoint = extra.get("endpoint_url") or (f"http://{conn.host}:{conn.port}" if conn.host else None)
    if endpoint:
        env["NEWSARCHIVE_S3_ENDPOINT"] = endpoint
    if conn.login:
        env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = conn.login, conn.password or ""
    return env


def catalog_env() -> dict[str, str]:
    """``NEWSARCHIVE_CATALOG`` (+ ``PGPASSWORD``) from the connection ``newsarchive_catalog`` when it exists."""
    conn = _connection(CATALOG_CONN_ID)
    if conn is None or not conn.host:
        return {}
    parts = [f"dbname={conn.schema or 'newsarchive_catalog'}", f"host={conn.host}"]
    parts += [f"port={conn.port}"] * bool(conn.port) + [f"user={conn.login}"] * bool(conn.login)
    env = {"NEWSARCHIVE_CATALOG": "postgres:" + " ".join(parts)}
    if conn.password:
        env["PGPASSWORD"] = conn.password
    return env


def store_env() -> dict[str, str]:
    """Every setting the steps need, also put into this process's environment (in-process steps)."""
    env = {**s3_env(), **catalog_env()}
    os.environ.update(env)
    return env


# ----------------------------------------------------------------------------- runs
def run_info(ctx) -> dict:
    """Logical date, mode and origin of the current DAG run."""
    dr = ctx["dag_run"]
    logical = dr.logical_date or dr.run_after
    origin = str(getattr(dr.run_type, "value", dr.run_type))
    mode = ctx["params"].get("mode", "auto")
    if mode == "auto":
        mode = "archive" if (ctx["dag"].dag_id == "newsarchive_daily" or origin == "backfill") else "incremental"
    return {"dt": logical.date().isoformat(), "logical": logical.isoformat(), "origin": origin, "mode": mode,
            "dag_id": ctx["dag"].dag_id, "airflow_run_id": dr.run_id}


def step_run_id(info: dict) -> str:
    """The store's run id of this DAG run's stage and publish steps: the same for every try, so its
    publish batches read ``<id>/001``, ``/002``…; its token is derived from the DAG and Airflow run."""
    from newsarchive.jobs import make_run_id
    token = hashlib.sha1(f"{info['dag_id']}/{info['airflow_run_id']}".encode()).hexdigest()[:8]
    return make_run_id(info["origin"], datetime.fromisoformat(info["logical"]), token)


def crawl_run_id(info: dict) -> str:
    """A new store run id for every crawl invocation (each try too): raw files are keyed on it."""
    from newsarchive.jobs import make_run_id
    return make_run_id(info["origin"], datetime.fromisoformat(info["logical"]))


def named(ctx, source: str):
    """Name this mapped task instance by its source (grid, logs, alerts: ``SOURCE_NAME``)."""
    ctx["newsarchive_source"] = source
    return ctx


def checked_by(ctx) -> str:
    ti = ctx["ti"]
    return f"{ctx['dag'].dag_id}/{ctx['dag_run'].run_id}/try {ti.try_number}"


def report_url(store_uri_of_report: str, rel: str) -> str:
    if REPORT_BASE_URL:
        return f"{REPORT_BASE_URL}/{rel}"
    return store_uri_of_report if store_uri_of_report.startswith("s3://") else "file://" + store_uri_of_report


# ----------------------------------------------------------------------------- the task log
def say(*lines: str, error: bool = False) -> None:
    """Lines at the top of the task log, at once (``print`` is buffered until the task ends and lands
    in the collapsed "Post Execute" group)."""
    for line in lines:
        for part in str(line).splitlines() or [""]:
            (log.error if error else log.info)("%s", part)


def details(title: str, text: str) -> None:
    """A collapsed group in the task log (``::group::``) for what only a developer reads."""
    log.info("::group::%s", title)
    for part in text.splitlines():
        log.info("%s", part)
    log.info("::endgroup::")


def explain_crawl(source: str, exit_code: int, summary: dict) -> str:
    meaning = CRAWL_EXITS.get(exit_code, "failed")
    fails = summary.get("failures") or {}
    what = ", ".join(f"{k} ×{v}" for k, v in sorted(fails.items(), key=lambda kv: -kv[1])[:5])
    errors = "; ".join(summary.get("errors") or [])
    return (f"crawl of {source} failed (exit {exit_code}): {meaning}"
            + (f"; {summary.get('requests', 0)} requests, {summary.get('responses', 0)} responses" if summary else "")
            + (f"; failures: {what}" if what else "") + (f"; errors: {errors}" if errors else ""))


# ----------------------------------------------------------------------------- alerts
def _recipients(conn) -> list[str]:
    extra = (conn.extra_dejson or {}) if conn is not None else {}
    raw = extra.get("to") or os.environ.get("NEWSARCHIVE_ALERT_TO", "")
    return [a.strip() for a in (raw if isinstance(raw, list) else str(raw).split(",")) if a.strip()]


def _channels():
    """The configured notifiers (Airflow's SMTP and Apprise providers), each with its connection."""
    out = []
    smtp = _connection(SMTP_CONN_ID)
    if smtp is not None and _recipients(smtp):
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier
        out.append(("smtp", SmtpNotifier(to=_recipients(smtp), smtp_conn_id=SMTP_CONN_ID,
                                         subject="{{ newsarchive_alert.subject }}",
                                         html_content="<pre>{{ newsarchive_alert.body }}</pre>")))
    if _connection(APPRISE_CONN_ID) is not None:
        from airflow.providers.apprise.notifications.apprise import AppriseNotifier
        out.append(("apprise", AppriseNotifier(title="{{ newsarchive_alert.subject }}",
                                               body="{{ newsarchive_alert.body }}", apprise_conn_id=APPRISE_CONN_ID)))
    return out


def send(subject: str, body: str, context: dict) -> list[str]:
    """Send one alert through every configured channel; returns the channels it reached."""
    ctx = dict(context)
    ctx["newsarchive_alert"] = {"subject": subject, "body": body}
    sent = []
    for name, notifier in _channels():
        try:
            notifier(ctx)
            sent.append(name)
        except Exception as exc:  # noqa: BLE001 - one channel down must not stop the others
            log.warning("alert through %s failed: %s", name, type(exc).__name__)
    log.info("alert sent through %s: %s", ", ".join(sent) or "no channel (no connection configured)", subject)
    return sent


def _fail_exception():
    from airflow.sdk.exceptions import AirflowFailException
    return AirflowFailException


class RunIsRed(_fail_exception()):
    """The report task's verdict on a run with failed sources (each was alerted on its own; no retry)."""


def _source_of(context) -> str | None:
    ti = context.get("ti") or context.get("task_instance")
    return context.get("newsarchive_source") or getattr(ti, "rendered_map_index", None) or None


def _gist(message: str, source: str | None) -> str:
    """The failure in a few words for a subject line: ``unreachable``, ``empty-body rate 94% …``."""
    first = message.split(" | ")[0].strip()
    if source and first.startswith(f"{source}: "):
        first = first[len(source) + 2:]
    if first.startswith("crawl of ") and "): " in first:          # crawl of s failed (exit 3): unreachable: …
        first = first.split("): ", 1)[1].split(":")[0].split(";")[0]
    return first if len(first) <= 90 else first[:89].rstrip() + "…"


def on_failure(context) -> None:
    """``on_failure_callback`` of every task: one alert naming the DAG, the task, the source and the
    failure in words (the exception message), with the task log's URL."""
    exc = context.get("exception")
    if isinstance(exc, RunIsRed):
        return
    ti = context.get("ti") or context.get("task_instance")
    dag_id = context["dag"].dag_id
    task = ti.task_id.split(".")[-1]
    source = _source_of(context)
    dr = context.get("dag_run")
    when = getattr(dr, "logical_date", None) or getattr(dr, "run_after", None)
    kind = "quality alert" if task == "quality" else f"{task} failed"
    subject = (f"[newsarchive] {kind}: {source or dag_id}: {_gist(str(exc or ''), source)} "
               f"({dag_id}{f', {when:%Y-%m-%d %H:%M} UTC' if when else ''})")
    body = "\n".join([
        str(exc) if exc else f"{ti.task_id} failed",
        "",
        f"DAG {dag_id}, run {getattr(dr, 'run_id', '?')}, task {ti.task_id}"
        + (f" [{source}]" if source else "") + f", try {ti.try_number}",
        f"log: {getattr(ti, 'log_url', '')}",
        "what to do: README, Operations → Alerts",
    ])
    send(subject, body, context)


def deadline_missed(context: dict | None = None, **kwargs) -> None:
    """Deadline alert (a ``SyncCallback`` run by an executor worker): the DAG run is still not done
    ``within`` after its logical date. A run queued after that deadline (a backfill, a manual run of a
    past date) is late by design, not overrunning: no alert."""
    context = context or {}
    dr = context.get("dag_run") or {}
    dag_id = dr.get("dag_id") or kwargs.get("dag_id", "?")
    run_id = dr.get("dag_run_id") or dr.get("run_id") or "?"
    logical, queued = _when(dr.get("logical_date")), _when(dr.get("queued_at"))
    if logical and queued and kwargs.get("seconds") and (queued - logical).total_seconds() > kwargs["seconds"]:
        log.info("%s %s was queued after its deadline (a backfill or a past date): no overdue alert", dag_id, run_id)
        return
    subject = f"[newsarchive] run overdue: {dag_id} {run_id} not finished within {kwargs.get('within', '?')}"
    body = "\n".join([
        f"The DAG run {run_id} of {dag_id} (logical date {dr.get('logical_date')}, queued at "
        f"{dr.get('queued_at')}) has not finished {kwargs.get('within', '')} after its logical date "
        f"(state {dr.get('state')}).",
        "A crawl may be hanging on a slow site, or the workers are busy or down.",
        "what to do: README, Operations → Alerts (run overdue)",
    ])
    send(subject, body, context)


def _when(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
