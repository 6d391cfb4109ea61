"""``newsarchive run`` / ``reprocess`` / ``retry``: the pipeline on one machine, without Airflow.

They call the same step functions as the DAGs (:mod:`newsarchive.jobs`).
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from rich.console import Console

from newsarchive import jobs
from pipelines import manifest, raw, staging
from pipelines.config import DEFAULT_CONFIG
from pipelines.storage import Store

_console = Console(stderr=True, highlight=False)
_SEGMENT_LOG = re.compile(r"^(?P<run>.+?)(?:-\d{5})?\.log\.jsonl$")


def print_step(name: str, info, out: Console | None = None) -> None:
    """One line per finished step (the same lines in `run`, the demo and the task logs), printed
    verbatim: a crawl's failure text (``[Errno 28] …``, ``[/data]``) is never read as rich markup."""
    console = out or _console

    def say(text: str, style: str | None = None) -> None:
        console.print(text, style=style, markup=False, highlight=False)

    if name == "crawl":
        s = info.summary
        line = (f"crawl {info.source:<12} exit={info.exit_code} responses={s.get('responses', 0)} "
                f"archived={s.get('articles_archived', 0)} failures={sum(s.get('failures', {}).values())}")
        if info.exit_code:
            line += f"  [{'; '.join(s.get('errors', [])) or info.stderr_tail[-300:]}]"
        say(line, "red" if info.exit_code else None)
    elif name == "stage":
        say(f"stage: {info['articles']} articles, {info['rejects']} rejects staged")
    elif name == "publish":
        if info.get("published"):
            b = info["batches"][-1]
            say(f"publish: {b['articles']} new articles, {b['exact_duplicates']} exact duplicates, "
                f"{b['near_duplicates']} near-duplicates, {b['rejects']} rejects -> {info['manifest']}")
        else:
            say(f"publish: skipped ({info.get('reason')})")
    elif name == "quality" and info is not None:
        say(info.summary(), None if info.ok else "red")
    elif name == "report" and info:
        say(f"report: {info}")


def _config_path(args) -> str:
    return args.config or str(DEFAULT_CONFIG)


def cli_run(args) -> int:
    cfg = args.sources_config
    dt = args.date or datetime.now(timezone.utc).date()
    if (args.since is None) != (args.until is None):
        _console.print("newsarchive run: --since and --until go together")
        return 2
    res = jobs.run_once(args.store, dt, cfg, config_path=_config_path(args), sources=args.sources,
                        since=args.since, until=args.until, with_report=not args.no_report, on_step=print_step)
    return 0 if res.ok else 1


def _dates(since: date, until: date):
    d = since
    while d <= until:
        yield d
        d += timedelta(days=1)


def raw_runs(store: Store, dt: str, sources: list[str]) -> list[str]:
    """Crawl runs that captured raw data on ``dt`` (from the committed crawl logs)."""
    runs = set()
    for s in sources:
        for log in raw.committed_logs(store, s, dt):
            m = _SEGMENT_LOG.match(log.rsplit("/", 1)[-1])
            if m:
                runs.add(m.group("run"))
    return sorted(runs)


def reprocess(store: Store | str, since: date, until: date, cfg, sources: list[str] | None = None,
              log=print) -> dict:
    """Re-extract every run of every date in the range from its raw WARC and re-publish (no fetching)."""
    store = Store.open(store)
    ids = sources or cfg.ids()
    done = {}
    for d in _dates(since, until):
        dt = d.isoformat()
        runs = raw_runs(store, dt, ids)
        for run in runs:
            st = jobs.stage(store, dt, run, cfg, [s for s in ids if raw.committed_logs(store, s, dt, run)])
            log(f"{dt} {run}: re-extracted {st['articles']} articles, {st['rejects']} rejects")
        for run in staging.staged_runs(store, dt):
            pub = jobs.publish(store, dt, run, cfg)
            if pub.get("published"):
                b = pub["batches"][-1]
                log(f"{dt} {run}: published {b['articles']} articles, {b['exact_duplicates']} duplicates")
        done[dt] = runs
    return done


def cli_stage(args) -> int:
    """Extract raw captures into staging; prints one JSON summary line per run on stdout."""
    import json
    store = Store.open(args.store)
    dt = args.date.isoformat()
    cfg = args.sources_config
    ids = args.sources or cfg.ids()
    runs = [args.run_id] if args.run_id else raw_runs(store, dt, ids)
    if not runs:
        _console.print(f"newsarchive stage: no raw captures on {dt}")
    for run in runs:
        srcs = [s for s in ids if raw.committed_logs(store, s, dt, run)]
        res = jobs.stage(store, dt, run, cfg, srcs, workers=args.workers)
        print(json.dumps(res, ensure_ascii=False, sort_keys=True), flush=True)
    return 0


def cli_reprocess(args) -> int:
    if args.since > args.until:
        _console.print("newsarchive reprocess: --since is after --until")
        return 2
    reprocess(args.store, args.since, args.until, args.sources_config, args.sources, log=_console.print)
    return 0


def cli_retry(args) -> int:
    """Re-extract the runs of a date that have decode/extract rejects; fetch rejects are re-fetched
    by the next crawl (a failed URL never enters the seen-set)."""
    store = Store.open(args.store)
    dt = args.date.isoformat()
    m = manifest.read(store, dt)
    if m is None:
        _console.print(f"newsarchive retry: nothing committed for {dt}")
        return 1
    files = manifest.committed_files(store, "rejects", dates=[dt])
    import schemas
    tbl = store.read_parquet(files, columns=["source", "stage", "run_id"], schema=schemas.REJECTS)
    rows = [r for r in tbl.to_pylist() if r["stage"] in args.stages
            and (not args.sources or r["source"] in args.sources)]
    fetch = sum(1 for r in rows if r["stage"] == "fetch")
    runs = sorted({r["run_id"] for r in rows if r["stage"] in ("decode", "extract")})
    cfg = args.sources_config
    for run in runs:
        srcs = sorted({r["source"] for r in rows if r["run_id"] == run and r["stage"] in ("decode", "extract")})
        st = jobs.stage(store, dt, run, cfg, srcs)
        pub = jobs.publish(store, dt, run, cfg)
        _console.print(f"{dt} {run}: re-extracted {st['articles']} articles / {st['rejects']} rejects; "
                      f"published={pub.get('published')}")
    _console.print(f"{fetch} fetch rejects will be re-fetched by the next crawl of their source")
    return 0
