"""``newsarchive crawl --source S [--date D] [--since D1 --until D2] ...``: one source, in this process.

The arguments become ``spiders.settings.CrawlOptions`` (a usage error exits 2 before anything is
fetched); the run summary is printed to stdout as one JSON object (``newsarchive.jobs.crawl`` reads
it) and the exit code is the crawl's (``spiders.crawl``'s docstring lists them).
"""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone

from pipelines import layout
from spiders.crawl import EXIT_USAGE, RUN_ID, run
from spiders.settings import CrawlOptions


class UsageError(ValueError):
    pass


def options_from_args(args) -> CrawlOptions:
    cfg = args.sources_config
    try:
        source = cfg.get(args.source)
    except KeyError as exc:
        raise UsageError(str(exc).strip("'\"")) from None
    now = datetime.now(timezone.utc)
    day = args.date or now.date()
    if (args.since is None) != (args.until is None):
        raise UsageError("--since and --until go together")
    if args.since is not None:
        if args.since > args.until:
            raise UsageError("--since is after --until")
        if source.discovery.archive is None:
            raise UsageError(f"source {source.id!r} has no discovery.archive to backfill from")
    run_id = args.run_id or layout.make_run_id("cli", datetime.combine(day, now.time(), timezone.utc))
    if not RUN_ID.match(run_id):
        raise UsageError(f"--run-id must match {RUN_ID.pattern}, got {run_id!r}")
    if args.max_requests is not None and args.max_requests < 1:
        raise UsageError("--max-requests must be >= 1")
    return CrawlOptions(source=source, store_uri=args.store, day=day, run_id=run_id, user_agent=cfg.user_agent,
                        since=args.since, until=args.until, max_requests=args.max_requests,
                        polite=not args.no_politeness)


def cli_crawl(args) -> int:
    try:
        opts = options_from_args(args)
    except UsageError as exc:
        print(f"newsarchive crawl: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if "twisted.internet.reactor" in sys.modules:  # a reactor ran here before: it cannot restart
        from newsarchive.jobs import run_command
        return run_command(_argv(args), timeout=None, capture=False).exit_code
    summary = run(opts)
    print(json.dumps(summary, ensure_ascii=False, sort_keys=True), flush=True)
    return summary["exit_code"]


def _argv(args) -> list[str]:
    argv = ["crawl", "--source", args.source, "--store", args.store]
    for flag, value in (("--config", args.config), ("--date", args.date), ("--since", args.since),
                        ("--until", args.until), ("--run-id", args.run_id), ("--max-requests", args.max_requests)):
        if value is not None:
            argv += [flag, str(value)]
    return argv + (["--no-politeness"] if args.no_politeness else [])
