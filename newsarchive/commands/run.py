"""``newsarchive run`` / ``stage`` / ``reprocess`` / ``retry``: the pipeline on one machine, without Airflow.

They call the same steps as the DAGs (:mod:`newsarchive.jobs`) and print what each step did.
"""
from __future__ import annotations

from datetime import datetime, timezone

from rich.console import Console

from newsarchive import jobs
from pipelines.config import default_sources_path

_console = Console(stderr=True, highlight=False)


def print_step(name: str, info, out: Console | None = None) -> None:
    """One line per finished step (the same lines in `run`, the demo and the task logs), printed
    verbatim: a crawl's failure text (``[Errno 28] …``, ``[/data]``) is never read as rich markup."""
    console = out or _console

    def say(text: str, style: str | None = None) -> None:
        console.print(text, style=style, markup=False, highlight=False)

    if name == "plan":
        say(info.summary())
    elif name == "crawl":
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
    return args.config or str(default_sources_path())


def cli_run(args) -> int:
    cfg = args.sources_config
    dt = args.date or datetime.now(timezone.utc).date()
    if (args.since is None) != (args.until is None):
        _console.print("newsarchive run: --since and --until go together")
        return 2
    res = jobs.run_once(args.store, dt, cfg, config_path=_config_path(args), sources=args.sources,
                        since=args.since, until=args.until, with_report=not args.no_report, on_step=print_step)
    return 0 if res.ok else 1


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
    """``newsarchive reprocess --since D1 --until D2 [--sources ...]``: re-extract from raw, re-publish."""
    res = jobs.reprocess(args.store, args.since, args.until, args.sources_config, args.sources)
    st, pub = res["stage"], res["publish"]
    _say(f"reprocess {args.since}..{args.until}: {res['segments']} raw segments ({res['restaged']} staged or "
         "published before) to re-extract")
    _say(f"re-extracted {st['segments']} segments: {st['articles']} articles, {st['rejects']} rejects")
    _say(f"published {pub['articles']} new articles, {pub['exact_duplicates']} duplicates, "
         f"{pub['rejects']} rejects in {len(pub['batches'])} batch(es)")
    return 0


def cli_retry(args) -> int:
    """``newsarchive retry --date D``: re-extract the segments of D with decode/extract rejects and
    re-publish them; fetch rejects are re-fetched by the next crawl of their source."""
    res = jobs.retry(args.store, args.date, args.sources_config, args.sources, tuple(args.stages))
    if res["segments"]:
        st, pub = res["stage"], res["publish"]
        _say(f"{res['dt']}: re-extracted {res['segments']} segments ({st['articles']} articles / "
             f"{st['rejects']} rejects); published {pub['articles']} new articles")
    else:
        _say(f"{res['dt']}: no decode/extract rejects to retry")
    _say(f"{res['fetch_rejects']} fetch rejects will be re-fetched by the next crawl of their source")
    return 0


def _say(text: str) -> None:
    _console.print(text, markup=False)
