"""newsarchive on Airflow 3: thin DAGs that schedule and call ``newsarchive.jobs``.

* ``newsarchive_incremental`` – every ``NEWSARCHIVE_SCHEDULE`` (default hourly, catchup off):
  feeds, sitemaps and listing pages of every enabled source.
* ``newsarchive_daily`` – once a day for the logical date: the date-addressed e-paper/archive
  pages. **Backfill this DAG** (UI, ``airflow backfill create``, REST ``/api/v2/backfills``):
  each run crawls its own date's archive and publishes its own batch, idempotently.
* ``newsarchive_reprocess`` – manual: re-extract a date range from the raw WARC (no fetching)
  and re-publish, e.g. after an extractor upgrade.
* ``newsarchive_compact`` – once a day: merges small files, then rolls every month up through the
  day before the logical date (``newsarchive compact --rollup --before D``), so analyst queries
  open a few big files (see README "Compaction").
* ``newsarchive_snapshot_summary`` – scheduled on the ``articles`` Asset: logs a DuckDB summary
  of each new snapshot (an example consumer for analysts).

Every task passes paths and counts, never data. Crawls run as subprocesses
(``newsarchive crawl``), one mapped task per source. Publishes go through the
one-slot pool ``newsarchive_publish`` so two runs never write the same partition
at once; each DAG also has ``max_active_runs=1``.
"""
from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import Asset, Param, dag, get_current_context, task

STORE = os.environ.get("NEWSARCHIVE_STORE", "/opt/airflow/data")
CONFIG = os.environ.get("NEWSARCHIVE_CONFIG") or None
SCHEDULE = os.environ.get("NEWSARCHIVE_SCHEDULE", "@hourly")
S3_CONN_ID = os.environ.get("NEWSARCHIVE_S3_CONN_ID", "newsarchive_s3")
PUBLISH_POOL = os.environ.get("NEWSARCHIVE_PUBLISH_POOL", "newsarchive_publish")
START = pendulum.datetime(2022, 7, 1, tz="UTC")


def _asset_uri(rel: str) -> str:
    root = STORE if STORE.startswith("s3://") else "file://" + os.path.abspath(STORE)
    return f"{root.rstrip('/')}/{rel}"


RAW = Asset(_asset_uri("raw"))
ARTICLES = Asset(_asset_uri("articles"))

DEFAULT_ARGS = {
    "owner": "newsarchive",
    "retries": 2,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=15),
    "execution_timeout": timedelta(minutes=30),
}
PARAMS = {
    "sources": Param([], type="array", description="source ids to run (empty: every enabled source)"),
    "mode": Param("auto", enum=["auto", "incremental", "archive"],
                  description="incremental = feeds/sitemaps/listings; archive = the logical date's e-paper; "
                              "auto = archive for newsarchive_daily and backfills, else incremental"),
}


# ----------------------------------------------------------------------------- helpers (no heavy imports)
def _s3_env() -> dict[str, str]:
    """S3 settings from the Airflow connection ``NEWSARCHIVE_S3_CONN_ID`` when it exists, else the environment."""
    try:
        from airflow.sdk import BaseHook
        conn = BaseHook.get_connection(S3_CONN_ID)
    except Exception:  # noqa: BLE001 - no such connection: the worker's environment applies
        return {}
    extra = conn.extra_dejson or {}
    env = {"AWS_REGION": extra.get("region_name", "us-east-1")}
    endpoint = extra.get("endpoint_url") or (f"http://{conn.host}:{conn.port}" if conn.host else None)
    if endpoint:
        env["NEWSARCHIVE_S3_ENDPOINT"] = endpoint
    if conn.login:
        env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"] = conn.login, conn.password or ""
    os.environ.update(env)
    return env


def _run_info() -> dict:
    """Logical date, run id and mode of the current DAG run."""
    from newsarchive.jobs import make_run_id
    ctx = get_current_context()
    dr = ctx["dag_run"]
    logical = dr.logical_date or dr.run_after
    run_type = str(getattr(dr.run_type, "value", dr.run_type))
    mode = ctx["params"].get("mode", "auto")
    if mode == "auto":
        mode = "archive" if (ctx["dag"].dag_id == "newsarchive_daily" or run_type == "backfill") else "incremental"
    return {"dt": logical.date().isoformat(), "run_id": make_run_id(run_type, logical), "mode": mode,
            "logical": logical.isoformat()}


def _config():
    from pipelines.config import load_sources
    return load_sources(CONFIG)


# ----------------------------------------------------------------------------- the pipeline DAGs
def pipeline_dag(dag_id: str, schedule: str, description: str):
    @dag(dag_id=dag_id, schedule=schedule, start_date=START, catchup=False, max_active_runs=1,
         default_args=DEFAULT_ARGS, params=PARAMS, tags=["newsarchive", "pipeline"],
         description=description, doc_md=__doc__)
    def pipeline():
        @task
        def plan() -> list[dict]:
            info = _run_info()
            cfg = _config()
            wanted = get_current_context()["params"].get("sources") or cfg.ids(enabled_only=True)
            jobs = []
            for sid in wanted:
                src = cfg.get(sid)
                archive = info["mode"] == "archive" and src.discovery.archive is not None
                if info["mode"] == "archive" and not archive:
                    continue
                jobs.append({"source": sid, **info, "archive": archive})
            print(f"run {info['run_id']} ({info['mode']}) for {info['dt']}: {[j['source'] for j in jobs]}")
            return jobs

        @task(outlets=[RAW], max_active_tis_per_dagrun=4, execution_timeout=timedelta(hours=1))
        def crawl(job: dict) -> dict:
            from datetime import date

            from newsarchive import jobs
            d = date.fromisoformat(job["dt"])
            out = jobs.crawl(job["source"], STORE, d, job["run_id"], config_path=CONFIG,
                             since=d if job["archive"] else None, until=d if job["archive"] else None,
                             env=_s3_env(), timeout=3300)
            s = out.summary
            print(f"{job['source']}: exit {out.exit_code}, {s.get('responses', 0)} responses, "
                  f"{s.get('articles_archived', 0)} articles archived, failures {s.get('failures', {})}")
            if not out.ok:
                raise RuntimeError(f"crawl of {job['source']} failed (exit {out.exit_code}): "
                                   f"{'; '.join(s.get('errors', [])) or out.stderr_tail[-1500:]}")
            return {"source": job["source"], "dt": job["dt"], "run_id": job["run_id"], "mode": job["mode"],
                    "responses": s.get("responses", 0), "articles": s.get("articles_archived", 0)}

        @task
        def stage(crawled: list[dict]) -> dict:
            from newsarchive import jobs
            info = _run_info()
            res = jobs.stage_subprocess(STORE, info["dt"], info["run_id"], [c["source"] for c in crawled],
                                        config_path=CONFIG, env=_s3_env())
            print(f"staged {res['articles']} articles and {res['rejects']} rejects: {res['sources']}")
            return {**info, "articles": res["articles"], "rejects": res["rejects"],
                    "sources": [c["source"] for c in crawled]}

        @task(pool=PUBLISH_POOL, outlets=[ARTICLES])
        def publish(staged: dict) -> dict:
            from newsarchive import jobs
            _s3_env()
            res = jobs.publish(STORE, staged["dt"], staged["run_id"], _config())
            print(res)
            return {**staged, "published": res.get("published", False), "manifest": res.get("manifest")}

        @task  # AirflowFailException fails it at once; retries only cover infrastructure errors
        def quality(published: dict) -> dict:
            from airflow.sdk.exceptions import AirflowFailException

            from newsarchive import jobs
            _s3_env()
            if not published["published"]:
                print("nothing was published in this run; checks skipped")
                return published
            rep = jobs.quality(STORE, published["dt"], published["run_id"], _config(),
                               published["sources"], mode=published["mode"])
            print(rep.summary())
            if not rep.ok:
                raise AirflowFailException("quality checks failed: " + " | ".join(rep.failures))
            return published

        @task(trigger_rule="all_done", retries=1)
        def report(published: dict) -> str | None:
            from newsarchive import jobs
            from pipelines.storage import Store
            _s3_env()
            if not published or not published.get("published"):
                return None
            rel = jobs.report(STORE, published["dt"], _config())
            uri = Store.open(STORE).uri_of(rel)
            print(f"run report: {uri}")
            return uri

        published = publish(stage(crawl.expand(job=plan())))
        quality(published)
        report(published)

    return pipeline()


incremental = pipeline_dag("newsarchive_incremental", SCHEDULE,
                           "feeds, sitemaps and listings of every source; dedupe; publish; quality")
daily = pipeline_dag("newsarchive_daily", "@daily",
                     "the logical date's e-paper/archive pages (backfill this DAG for date ranges)")


@dag(dag_id="newsarchive_reprocess", schedule=None, start_date=START, catchup=False, max_active_runs=1,
     default_args=DEFAULT_ARGS, tags=["newsarchive", "maintenance"],
     params={"since": Param(type="string", format="date", description="first date (YYYY-MM-DD)"),
             "until": Param(type="string", format="date", description="last date (inclusive)"),
             "sources": Param([], type="array", description="source ids (empty: all)")},
     description="re-extract a date range from raw WARC (no fetching) and re-publish")
def reprocess_dag():
    @task(pool=PUBLISH_POOL, outlets=[ARTICLES], execution_timeout=timedelta(hours=6))
    def reprocess() -> dict:
        import subprocess
        import sys
        p = get_current_context()["params"]
        cmd = [sys.executable, "-m", "newsarchive.cli", "reprocess", "--store", STORE,
               "--since", p["since"], "--until", p["until"]]
        cmd += ["--sources", *p["sources"]] if p.get("sources") else []
        cmd += ["--config", CONFIG] if CONFIG else []
        # A subprocess: extraction starts worker processes, which Celery's daemonic workers may not.
        subprocess.run(cmd, check=True, env={**os.environ, **_s3_env()}, timeout=6 * 3600)
        return {"since": p["since"], "until": p["until"]}

    reprocess()


reprocess_dag()


@dag(dag_id="newsarchive_compact", schedule="@daily", start_date=START, catchup=False, max_active_runs=1,
     default_args=DEFAULT_ARGS, tags=["newsarchive", "maintenance"],
     description="merge small files, then roll the months up through the day before the logical date")
def compact_dag():
    @task(pool=PUBLISH_POOL, execution_timeout=timedelta(hours=2))
    def compact() -> dict:
        import subprocess
        import sys
        before = _run_info()["dt"]            # the logical date's own partition may still get publishes
        cmd = [sys.executable, "-m", "newsarchive.cli", "compact", "--rollup", "--before", before, "--store", STORE]
        p = subprocess.run(cmd, env={**os.environ, **_s3_env()}, capture_output=True, text=True, timeout=2 * 3600)
        print(p.stdout + p.stderr)
        if p.returncode != 0:
            raise RuntimeError(f"newsarchive compact --rollup --before {before} failed (exit {p.returncode}): "
                               f"{p.stderr[-1500:]}")
        return {"before": before}

    compact()


compact_dag()


@dag(dag_id="newsarchive_snapshot_summary", schedule=[ARTICLES], start_date=START, catchup=False,
     default_args=DEFAULT_ARGS, tags=["newsarchive", "analytics"],
     description="DuckDB summary of the archive after each new articles snapshot")
def snapshot_summary_dag():
    @task
    def summarize() -> dict:
        from newsarchive.views import connect_views
        _s3_env()
        con = connect_views(STORE)
        rows = con.execute("SELECT source, count(*) AS articles FROM articles GROUP BY source ORDER BY source").fetchall()
        for source, n in rows:
            print(f"{source:<12} {n:>8}")
        return {"sources": len(rows), "articles": sum(n for _, n in rows)}

    summarize()


snapshot_summary_dag()
