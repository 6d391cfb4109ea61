"""newsarchive on Airflow 3: thin DAGs that schedule and call ``newsarchive.jobs``.

* ``newsarchive_incremental`` – every ``NEWSARCHIVE_SCHEDULE`` (default hourly, catchup off):
  feeds, sitemaps and listing pages of every enabled source.
* ``newsarchive_daily`` – once a day for the logical date: the date-addressed e-paper/archive
  pages. **Backfill this DAG** (one run at a time: ``--max-active-runs 1``).
* ``newsarchive_reprocess`` – manual: re-extract a date range from the raw WARC (no fetching),
  re-publish, then check quality and rebuild the reports of those dates.
* ``newsarchive_compact`` – once a day: DuckLake maintenance (``newsarchive compact``).
* ``newsarchive_snapshot_summary`` – on the ``articles`` Asset: a DuckDB summary of the archive.

A pipeline run: ``plan`` → per source (a mapped task group, each instance named by its source):
``source.crawl`` (subprocess ``newsarchive crawl``) → ``source.stage`` (``newsarchive stage`` of
that source: everything its crawls committed and nobody staged yet) → ``source.publish`` (every
staged segment of every source, one at a time through the pool ``newsarchive_publish``) →
``source.quality`` → ``report``. A source fails alone: the others' tasks do not depend on it.
Publish is per source (trigger rule ``all_success``) rather than one ``all_done`` task after all
stages, so that "clear only failed tasks" on a red run reruns the publish of the source it
re-crawls (a successful ``all_done`` publish would not be cleared, and the re-crawl would stay
unpublished until the next run). ``report`` (``all_done``) rebuilds the run report, links it, and
is red while any source of the run is red, so clearing the failed tasks reruns it too. Helpers:
``newsarchive_ops.py``; the runbook is the README's "Operations" section and each DAG's Docs tab.
"""
from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import Asset, BaseOperatorLink, Param, dag, get_current_context, task, task_group

import newsarchive_ops as ops

SCHEDULE = os.environ.get("NEWSARCHIVE_SCHEDULE", "@hourly")
PUBLISH_POOL = os.environ.get("NEWSARCHIVE_PUBLISH_POOL", "newsarchive_publish")
#: A pipeline run still running this long after it was queued raises the "run overdue" alert (0: none).
DEADLINE = timedelta(minutes=float(os.environ.get("NEWSARCHIVE_DEADLINE_MINUTES") or 150))
START = pendulum.datetime(2022, 7, 1, tz="UTC")
STORE, CONFIG = ops.STORE, ops.CONFIG


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
    "on_failure_callback": ops.on_failure,
}
PARAMS = {
    "sources": Param([], type="array", description="source ids to run (empty: every enabled source)"),
    "mode": Param("auto", enum=["auto", "incremental", "archive"],
                  description="incremental = feeds/sitemaps/listings; archive = the logical date's e-paper; "
                              "auto = archive for newsarchive_daily and backfills, else incremental"),
}


def _config():
    from pipelines.config import load_sources
    return load_sources(CONFIG)


def _deadline(dag_id: str):
    """The "run overdue" alert: counted from the run's logical date, which for these cron schedules is
    when the run is due (``DAGRUN_QUEUED_AT`` would be closer, but Airflow 3.3.2 cannot clear a run
    whose queued-at deadline is still pending: the clear fails with a 500). A run queued after its
    deadline (a backfill, a manual run of a past date) is not alerted (``ops.deadline_missed``)."""
    from airflow.sdk import DeadlineAlert, DeadlineReference, SyncCallback
    if not DEADLINE:
        return None
    within = f"{DEADLINE.total_seconds() / 60:g} min"
    return DeadlineAlert(reference=DeadlineReference.DAGRUN_LOGICAL_DATE, interval=DEADLINE,
                         callback=SyncCallback(ops.deadline_missed, kwargs={
                             "dag_id": dag_id, "within": within, "seconds": DEADLINE.total_seconds()}))


class RunReportLink(BaseOperatorLink):
    """The ``report`` task's link to the run report it built (its return value's ``url``)."""
    name = "Run report"

    def get_link(self, operator, *, ti_key) -> str:
        value = ti_key.xcom_pull(task_ids=ti_key.task_id, key="return_value") if hasattr(ti_key, "xcom_pull") else None
        return (value or {}).get("url", "") if isinstance(value, dict) else ""


# ----------------------------------------------------------------------------- the pipeline DAGs
PIPELINE_DOC = """
### {dag_id}

{what}

**Grid:** one column per run. The tasks of a source are in the group `source`, named by the
source (`source.crawl [stdaily]`): crawl → stage → publish → quality. `report` is one task.

| red task | means | first step |
|---|---|---|
| `source.crawl [s]` | the crawl of *s* failed; the log's first lines say why in words (exit 3 = unreachable) | open the site; a transient failure is retried by the next run |
| `source.stage [s]` | extraction of *s* could not run (not a bad page: those are rejects) | read the log; clear the task |
| `source.publish [s]` | the catalog or the store could not be written | fix it; clear the failed tasks (nothing staged is lost) |
| `source.quality [s]` | *s* was crawled but looks wrong: the message names the check and the numbers | README "Alerts" table |
| `report` | red whenever any source of the run is red (its log lists them and links the report) | fix the cause, then **Clear → only failed tasks** on the run |

Healthy sources are archived whatever the others do. What a red run left behind is archived by
the next run of any pipeline DAG. Links: the `report` task's **Run report** extra link.
"""


def pipeline_dag(dag_id: str, schedule: str, description: str, what: str):
    @dag(dag_id=dag_id, schedule=schedule, start_date=START, catchup=False, max_active_runs=1,
         default_args=DEFAULT_ARGS, params=PARAMS, tags=["newsarchive", "pipeline"],
         description=description, doc_md=PIPELINE_DOC.format(dag_id=dag_id, what=what),
         deadline=_deadline(dag_id))
    def pipeline():
        @task(retries=1)
        def plan() -> list[dict]:
            from newsarchive import jobs
            ctx = get_current_context()
            info = ops.run_info(ctx)
            the_plan = jobs.plan(_config(), info["dt"], mode=info["mode"], sources=ctx["params"].get("sources"))
            ops.say(the_plan.summary())
            return [j.as_dict() for j in the_plan.jobs]

        @task(outlets=[RAW], max_active_tis_per_dagrun=4, execution_timeout=timedelta(hours=1),
              map_index_template=ops.SOURCE_NAME,
              doc_md="Runs `newsarchive crawl` for one source. Its first log lines: the outcome in words.")
        def crawl(job: dict) -> dict:
            from airflow.sdk.exceptions import AirflowFailException

            from newsarchive import jobs
            the_job = jobs.CrawlJob.from_dict(job)
            info = ops.run_info(ops.named(get_current_context(), the_job.source))
            run_id = ops.crawl_run_id(info)
            out = jobs.crawl_job(the_job, STORE, run_id, config_path=CONFIG, env=ops.store_env(), timeout=3300)
            s = out.summary
            if not out.ok:
                msg = ops.explain_crawl(the_job.source, out.exit_code, s)
                ops.say(msg, f"store run id {run_id}", error=True)
                tail = out.stderr_tail                       # cut at 2,000 characters: start at a whole line
                ops.details("the crawler's stderr (its last lines)",
                            tail.split("\n", 1)[-1] if len(tail) >= 2000 else tail)
                raise (AirflowFailException if out.exit_code in ops.CRAWL_FINAL else RuntimeError)(msg)
            ops.say(f"{the_job.source}: {s.get('responses', 0)} responses, {s.get('articles_archived', 0)} articles "
                    f"archived, failures {s.get('failures') or 'none'}, refused {s.get('refused') or 'none'}",
                    f"store run id {run_id} ({the_job.mode}"
                    f"{f', e-paper of {the_job.since}..{the_job.until}' if the_job.since else ''})")
            return {"source": the_job.source, "dt": job["dt"], "run_id": run_id, "mode": the_job.mode,
                    "responses": s.get("responses", 0), "articles": s.get("articles_archived", 0)}

        @task(map_index_template=ops.SOURCE_NAME,
              doc_md="Extracts every raw segment of this source not staged yet (`newsarchive stage`).")
        def stage(crawled: dict) -> dict:
            from newsarchive import jobs
            info = ops.run_info(ops.named(get_current_context(), crawled["source"]))
            res = jobs.stage_subprocess(STORE, crawled["dt"], ops.step_run_id(info), [crawled["source"]],
                                        config_path=CONFIG, env=ops.store_env())
            ops.say(f"{crawled['source']}: staged {res['segments']} raw segment(s): {res['articles']} articles, "
                    f"{res['rejects']} rejects ({res['registered']} newly registered)")
            return {"source": crawled["source"], "segments": res["segments"], "articles": res["articles"],
                    "rejects": res["rejects"]}

        @task(pool=PUBLISH_POOL, outlets=[ARTICLES], map_index_template=ops.SOURCE_NAME,
              doc_md="Publishes every staged segment of every source, this one's included (one at a time).")
        def publish(staged: dict) -> dict:
            from newsarchive import jobs
            info = ops.run_info(ops.named(get_current_context(), staged["source"]))
            ops.store_env()
            res = jobs.publish(STORE, info["dt"], ops.step_run_id(info), _config())
            if res["published"]:
                ops.say(f"published {res['articles']} new articles, {res['sightings']} sightings "
                        f"({res['exact_duplicates']} duplicates), {res['rejects']} rejects from {res['segments']} "
                        f"segment(s) of {', '.join(sorted({s for b in res['batches'] for s in b['sources']}))} "
                        f"in {len(res['batches'])} batch(es): {res['batches'][-1]['batch']}")
            else:
                ops.say(f"nothing left to publish for {staged['source']} ({res.get('reason')}): "
                        "an earlier publish of this run took it")
            return {"source": staged["source"], **{k: res[k] for k in ("published", "articles", "sightings",
                                                                      "rejects", "segments")}}

        @task(retries=1, map_index_template=ops.SOURCE_NAME,
              doc_md="Quality checks of this source's crawl vs its trailing baseline; red = an alert.")
        def quality(crawled: dict) -> dict:
            from airflow.sdk.exceptions import AirflowFailException

            from newsarchive import jobs
            ctx = ops.named(get_current_context(), crawled["source"])
            ops.store_env()
            sid = crawled["source"]
            rep = jobs.quality(STORE, crawled["dt"], {sid: crawled["run_id"]}, _config(), [sid],
                               mode=crawled["mode"], checked_by=ops.checked_by(ctx))
            ops.say(rep.summary(), error=not rep.ok)
            if not rep.ok:        # AirflowFailException: no retry, the numbers will not change
                raise AirflowFailException(" | ".join(rep.failures))
            return {"source": sid, "passed": True}

        @task(trigger_rule="all_done", retries=1, on_failure_callback=ops.on_failure,
              doc_md="Rebuilds the run report of the logical date, links it, and is red while the run is.")
        def report() -> dict:
            from newsarchive import jobs
            from pipelines.storage import Store
            ctx = get_current_context()
            ti, info = ctx["ti"], ops.run_info(ctx)
            ops.store_env()
            rel = jobs.report(STORE, info["dt"], _config())
            url = ops.report_url(Store.open(STORE).uri_of(rel), rel)
            pulled = ti.xcom_pull(task_ids="source.crawl") or []          # one mapped instance: its value alone
            crawls = [c for c in ([pulled] if isinstance(pulled, dict) else pulled) if isinstance(c, dict)]
            runs = {c["source"]: c["run_id"] for c in crawls}
            red = _red_tasks(ctx, ti)
            ops.say(f"run report: {url}", f"store run ids: {runs or 'none'}; publish run id: {ops.step_run_id(info)}")
            if red:
                ops.say(f"this run is red: {', '.join(red)}", error=True)
                ti.xcom_push(key="return_value", value={"url": url, "runs": runs, "red": red})
                raise ops.RunIsRed(f"this run is red: {', '.join(red)} (alerts were sent for each); "
                                   f"the report is {url}")
            return {"url": url, "runs": runs, "red": []}

        jobs = plan()
        reported = report()
        reported.operator.operator_extra_links = (RunReportLink(),)

        @task_group(group_id="source")
        def per_source(job: dict):
            crawled = crawl(job)
            published = publish(stage(crawled))
            checked = quality(crawled)
            published >> checked >> reported

        per_source.expand(job=jobs)

    return pipeline()


def _red_tasks(ctx, ti) -> list[str]:
    """The failed tasks of this DAG run, by name (``source.crawl[bbtnews]``)."""
    plan = ti.xcom_pull(task_ids="plan") or []
    names = {i: j["source"] for i, j in enumerate(plan)}
    states = ti.get_task_states(dag_id=ctx["dag"].dag_id, run_ids=[ctx["dag_run"].run_id]).get(ctx["dag_run"].run_id, {})
    red = []
    for key, state in sorted(states.items()):
        if str(state) not in ("failed", "upstream_failed", "TaskInstanceState.FAILED") or key == "report":
            continue
        task_id, _, idx = key.rpartition("_") if key.startswith("source.") else (key, "", "")
        label = f"{task_id}[{names.get(int(idx), idx)}]" if idx.isdigit() else key
        red.append(label + (" (upstream failed)" if str(state) == "upstream_failed" else ""))
    return red


incremental = pipeline_dag("newsarchive_incremental", SCHEDULE,
                           "feeds, sitemaps and listings of every source; dedupe; publish; quality",
                           "Feeds, sitemaps and listing pages of every enabled source, every "
                           "`NEWSARCHIVE_SCHEDULE` (default hourly). Catchup off: a missed hour is not re-run.")
daily = pipeline_dag("newsarchive_daily", "@daily",
                     "the logical date's e-paper/archive pages (backfill this DAG for date ranges)",
                     "The logical date's e-paper/date-archive pages. **Backfill this DAG** for a date "
                     "range, one run at a time: `airflow backfill create --dag-id newsarchive_daily "
                     "--from-date D1 --to-date D2 --max-active-runs 1 --reprocess-behavior failed`.")


@dag(dag_id="newsarchive_reprocess", schedule=None, start_date=START, catchup=False, max_active_runs=1,
     default_args=DEFAULT_ARGS, tags=["newsarchive", "maintenance"],
     params={"since": Param(type="string", format="date", description="first date (YYYY-MM-DD)"),
             "until": Param(type="string", format="date", description="last date (inclusive)"),
             "sources": Param([], type="array", description="source ids (empty: all)")},
     description="re-extract a date range from raw WARC (no fetching), re-publish, check quality, rebuild reports",
     doc_md="""
### newsarchive_reprocess
Trigger with `since`, `until` (and `sources`) after an extractor fix: every raw segment crawled
in the range is extracted again from its WARC (nothing is fetched) and its rows are replaced.
Then `quality` re-checks each date's crawl runs (red = still wrong: the message says how) and
`report` rebuilds each date's run report. Runs in the publish pool, so no pipeline publishes meanwhile.
""")
def reprocess_dag():
    def _dates(p) -> list:
        from newsarchive import jobs
        return jobs.dates(p["since"], p["until"])

    @task(pool=PUBLISH_POOL, outlets=[ARTICLES], execution_timeout=timedelta(hours=6))
    def reprocess() -> dict:
        from newsarchive import jobs
        p = get_current_context()["params"]
        # A subprocess: extraction starts worker processes, which Celery's daemonic workers may not.
        res = jobs.run_command(["reprocess", "--store", STORE, "--since", p["since"], "--until", p["until"],
                                *(["--sources", *p["sources"]] if p.get("sources") else []),
                                *(["--config", CONFIG] if CONFIG else [])], env=ops.store_env(), timeout=6 * 3600)
        ops.say(res.output(), error=not res.ok)            # its progress, at INFO (it writes to stderr)
        if not res.ok:
            raise RuntimeError(f"newsarchive reprocess {p['since']}..{p['until']} failed (exit {res.exit_code}); "
                               "see above")
        return {"since": p["since"], "until": p["until"]}

    @task(retries=1)
    def quality(done: dict) -> dict:
        from airflow.sdk.exceptions import AirflowFailException

        from newsarchive import jobs
        p, bad = get_current_context()["params"], []
        ops.store_env()
        for d in _dates(p):
            reports = jobs.quality_of_date(STORE, d, _config(), p.get("sources") or None)
            for rep in reports:
                ops.say(rep.summary(), error=not rep.ok)
            if not reports:
                ops.say(f"{d}: nothing crawled on this date is in the catalog")
            if any(not rep.ok for rep in reports):
                bad.append(str(d))
        if bad:
            raise AirflowFailException(f"quality still fails on {', '.join(bad)} after reprocessing (see above)")
        return done

    @task(trigger_rule="all_done", retries=1)
    def report(done: dict | None = None) -> list[str]:
        from newsarchive import jobs
        from pipelines.storage import Store
        p, uris = get_current_context()["params"], []
        ops.store_env()
        for d in _dates(p):
            uris.append(Store.open(STORE).uri_of(jobs.report(STORE, d, _config())))
            ops.say(f"report: {uris[-1]}")
        return uris

    done = reprocess()
    report(quality(done))


reprocess_dag()


@dag(dag_id="newsarchive_compact", schedule="@daily", start_date=START, catchup=False, max_active_runs=1,
     default_args=DEFAULT_ARGS, tags=["newsarchive", "maintenance"],
     description="DuckLake maintenance: merge small files, expire old snapshots, delete unreferenced files",
     doc_md="""
### newsarchive_compact
Daily catalog maintenance (`newsarchive compact`: DuckLake merges small data files, expires snapshots
older than the time-travel retention and deletes the files no snapshot references), in the publish
pool so no publish runs meanwhile. Red: the log says which step failed; a failed maintenance leaves
the catalog as it was. Clear it, or let the next day's run do it.
""")
def compact_dag():
    @task(pool=PUBLISH_POOL, execution_timeout=timedelta(hours=2))
    def compact() -> dict:
        from newsarchive import jobs
        res = jobs.run_command(["compact", "--store", STORE], env=ops.store_env(), timeout=2 * 3600)
        ops.say(res.output(), error=not res.ok)
        if not res.ok:
            raise RuntimeError(f"newsarchive compact failed (exit {res.exit_code}): {res.stderr[-1500:]}")
        return {"lines": len(res.stdout.splitlines())}

    compact()


compact_dag()


@dag(dag_id="newsarchive_snapshot_summary", schedule=[ARTICLES], start_date=START, catchup=False,
     default_args=DEFAULT_ARGS, tags=["newsarchive", "analytics"],
     description="DuckDB summary of the archive after each new articles snapshot",
     doc_md="""
### newsarchive_snapshot_summary
Runs whenever a publish updates the `articles` Asset and logs the articles per source: an example
of a consumer DAG for analysts. Red: the catalog could not be read (see `newsarchive_catalog`).
""")
def snapshot_summary_dag():
    @task
    def summarize() -> dict:
        from newsarchive.views import connect_views
        ops.store_env()
        con = connect_views(STORE)
        rows = con.execute("SELECT source, count(*) AS articles FROM articles GROUP BY source ORDER BY source").fetchall()
        ops.say(*(f"{source:<12} {n:>8}" for source, n in rows))
        return {"sources": len(rows), "articles": sum(n for _, n in rows)}

    summarize()


snapshot_summary_dag()
