"""``newsarchive run`` / ``reprocess`` / ``retry``: the pipeline on one machine, without Airflow.

They call the same step functions as the DAGs (:mod:`newsarchive.jobs`).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from rich.console import Console

from newsarchive import jobs
from pipelines.config import DEFAULT_CONFIG
from pipelines.storage import Store

_console = Console(stderr=True, highlight=False)


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
        say(f"stage: {info['segments']} raw segments, {info['articles']} articles, "
            f"{info['rejects']} rejects staged")
    elif name == "publish":
        if info.get("published"):
            say(f"publish: {info['articles']} new articles, {info['exact_duplicates']} exact duplicates, "
                f"{info['near_duplicates']} near-duplicates, {info['rejects']} rejects "
                f"({info['segments']} segments in {len(info['batches'])} batch"
                f"{'es' if len(info['batches']) != 1 else ''}: {info['batches'][-1]['batch']})")
        else:
            say(f"publish: nothing to publish ({info.get('reason')})")
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


def reprocess(store: Store | str, since: date, until: date, cfg, sources: list[str] | None = None,
              log=print, run_id: str | None = None) -> dict:
    """Re-extract every raw segment crawled from ``since`` to ``until`` (no fetching) and re-publish:
    each segment's rows are replaced by what the current extractor makes of the same raw bytes."""
    from newsarchive.lake import archive, open_writer
    store = Store.open(store)
    ids = sources or cfg.ids()
    dts = [d.isoformat() for d in _dates(since, until)]
    run_id = run_id or jobs.make_run_id("reprocess", datetime.combine(since, datetime.min.time(), timezone.utc))
    with open_writer(store) as lake:
        archive.register(lake, ids, registered_by=run_id)
        segs = [r.segment for r in archive.ledger(lake, sources=ids, dts=dts)]
        n = archive.restage(lake, segs)
    log(f"reprocess {since}..{until}: {len(segs)} raw segments ({n} staged or published before) to re-extract")
    st = jobs.stage(store, until, run_id, cfg, ids, dts=dts)
    log(f"re-extracted {st['segments']} segments: {st['articles']} articles, {st['rejects']} rejects")
    pub = jobs.publish(store, until, run_id, cfg)
    log(f"published {pub['articles']} new articles, {pub['exact_duplicates']} duplicates, "
        f"{pub['rejects']} rejects in {len(pub['batches'])} batch(es)")
    return {"segments": len(segs), "stage": st, "publish": pub}


def cli_stage(args) -> int:
    """Register and extract pending raw segments; prints one JSON summary line on stdout."""
    import json
    cfg = args.sources_config
    ids = args.sources or cfg.ids()
    run_id = args.run_id or jobs.make_run_id("stage", datetime.combine(args.date, datetime.min.time(), timezone.utc))
    res = jobs.stage(args.store, args.date, run_id, cfg, ids, workers=args.workers)
    print(json.dumps(res, ensure_ascii=False, sort_keys=True, default=str), flush=True)
    return 0


def cli_reprocess(args) -> int:
    if args.since > args.until:
        _console.print("newsarchive reprocess: --since is after --until", markup=False)
        return 2
    reprocess(args.store, args.since, args.until, args.sources_config, args.sources,
              log=lambda m: _console.print(m, markup=False))
    return 0


def cli_retry(args) -> int:
    """Re-extract the raw segments of a date that have decode/extract rejects, and re-publish them;
    fetch rejects are re-fetched by the next crawl (a failed URL never enters the seen-set)."""
    from newsarchive.lake import archive, open_writer
    cfg = args.sources_config
    dt = args.date.isoformat()
    run_id = jobs.make_run_id("retry", datetime.combine(args.date, datetime.min.time(), timezone.utc))
    with open_writer(args.store) as lake:
        rows = lake.rows("SELECT segment, source, stage FROM rejects WHERE dt = ? AND list_contains(?, stage)",
                         [args.date, list(args.stages)])
        rows = [r for r in rows if not args.sources or r["source"] in args.sources]
        segs = sorted({r["segment"] for r in rows if r["stage"] in ("decode", "extract")})
        archive.restage(lake, segs)
    fetch = sum(1 for r in rows if r["stage"] == "fetch")
    if segs:
        srcs = sorted({r["source"] for r in rows if r["stage"] in ("decode", "extract")})
        st = jobs.stage(args.store, args.date, run_id, cfg, srcs, dts=[dt])
        pub = jobs.publish(args.store, args.date, run_id, cfg)
        _console.print(f"{dt}: re-extracted {len(segs)} segments ({st['articles']} articles / {st['rejects']} "
                       f"rejects); published {pub['articles']} new articles", markup=False)
    else:
        _console.print(f"{dt}: no decode/extract rejects to retry", markup=False)
    _console.print(f"{fetch} fetch rejects will be re-fetched by the next crawl of their source", markup=False)
    return 0
