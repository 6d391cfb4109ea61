"""The ``newsarchive`` command line.

Every subcommand is declared here and handled by one function of
``newsarchive.commands`` (imported lazily, so ``--help`` is instant and a crawl
never imports Airflow); ``replay`` is the development replay's own command.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from datetime import date

DEFAULT_STORE = os.environ.get("NEWSARCHIVE_STORE", "./data")


def _date(s: str) -> date:
    try:
        return date.fromisoformat(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {s!r}") from None


def _common(p: argparse.ArgumentParser, store: bool = True, config: bool = True) -> None:
    if store:
        p.add_argument("--store", default=DEFAULT_STORE,
                       help="store root: a folder or s3://bucket/prefix (default: %(default)s, env NEWSARCHIVE_STORE)")
    if config:
        p.add_argument("--config", default=os.environ.get("NEWSARCHIVE_CONFIG"),
                       help="sources file (default: env NEWSARCHIVE_CONFIG, else a checkout's config/sources.yaml)")


#: subcommand -> "module:function" taking the parsed arguments and returning an exit code.
TARGETS = {
    "crawl": "newsarchive.commands.crawl:cli_crawl",
    "extract": "newsarchive.commands.extract:cli_extract",
    "stage": "newsarchive.commands.run:cli_stage",
    "publish": "newsarchive.commands.archive:cli_publish",
    "compact": "newsarchive.commands.archive:cli_compact",
    "verify": "newsarchive.commands.archive:cli_verify",
    "migrate": "newsarchive.commands.archive:cli_migrate",
    "quality": "newsarchive.commands.archive:cli_quality",
    "status": "newsarchive.commands.archive:cli_status",
    "run": "newsarchive.commands.run:cli_run",
    "reprocess": "newsarchive.commands.run:cli_reprocess",
    "retry": "newsarchive.commands.run:cli_retry",
    "sql": "newsarchive.commands.sql:cli_sql",
    "report": "newsarchive.commands.report:cli_report",
    "replay": "replay.cli:cli_replay",
    "demo": "newsarchive.commands.demo:cli_demo",
}


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="newsarchive",
        description="Crawl, clean, dedupe and archive news into Parquet snapshots (local or S3).",
    )
    ap.add_argument("--version", action="version", version="newsarchive " + __import__("newsarchive").__version__)
    sub = ap.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("crawl", help="crawl one source into raw WARC files in the store")
    p.add_argument("--source", required=True, help="source id from the sources file")
    _common(p)
    p.add_argument("--date", type=_date, help="logical date of the run (default: today, UTC)")
    p.add_argument("--since", type=_date, help="backfill: first e-paper/archive date to fetch")
    p.add_argument("--until", type=_date, help="backfill: last e-paper/archive date to fetch (inclusive)")
    p.add_argument("--run-id", help="run id (default: derived from the logical date and time)")
    p.add_argument("--max-requests", type=int, help="override the source's request budget")
    p.add_argument("--no-politeness", action="store_true", help="no delays/robots/autothrottle (benchmarks only)")

    p = sub.add_parser("extract", help="extract saved pages listed in a JSONL manifest")
    p.add_argument("--manifest", required=True, help='input JSONL: {"path": ..., "url": ..., "headers": {...}}')
    p.add_argument("--out", required=True, help="output JSONL: article fields or {\"reject\": reason}")
    p.add_argument("--source", help="source id whose overrides apply (default: by URL host)")
    p.add_argument("--workers", type=int, default=0, help="processes (default: every core)")
    p.add_argument("--timeout", type=float, default=20.0, help="seconds per document (default: %(default)s)")
    _common(p, store=False)

    p = sub.add_parser("stage", help="register committed raw segments and extract the ones not staged yet")
    p.add_argument("--date", type=_date, required=True, help="logical date of the run")
    p.add_argument("--run-id", help="id of this run (default: a new one)")
    p.add_argument("--sources", nargs="*", help="source ids (default: every configured source)")
    p.add_argument("--workers", type=int, default=0)
    _common(p)

    p = sub.add_parser("publish", help="dedupe every staged segment and commit it to the catalog")
    p.add_argument("--date", type=_date, help="logical date of the run (default: today, UTC)")
    p.add_argument("--run-id", help="id of this run (default: a new one)")
    _common(p)

    p = sub.add_parser("compact", help="catalog maintenance: merge small files, expire old snapshots, clean up")
    p.add_argument("--keep-days", type=int, default=30,
                   help="keep snapshots (time travel) this many days (default: %(default)s)")
    p.add_argument("--seen", action="store_true",
                   help="also merge each source's crawl seen-set files (run while no crawl is running)")
    _common(p, config=False)

    p = sub.add_parser("status", help="pending work per source, and whether every fetched page is accounted for")
    p.add_argument("--sources", nargs="*", help="source ids (default: every configured source)")
    _common(p)

    p = sub.add_parser("verify", help="check that every file the catalog references exists with its size")
    _common(p, config=False)

    p = sub.add_parser("migrate", help="import a store of the old layout (_snapshots/ manifests) into its catalog")
    _common(p)

    p = sub.add_parser("quality", help="quality checks of one date; exit 1 when a check fails")
    p.add_argument("--date", type=_date, required=True)
    p.add_argument("--sources", nargs="*")
    _common(p)

    p = sub.add_parser("run", help="crawl -> extract -> dedupe -> publish for one date, without Airflow")
    p.add_argument("--sources", nargs="*", help="source ids (default: every enabled source)")
    p.add_argument("--date", type=_date, help="logical date (default: today, UTC)")
    p.add_argument("--since", type=_date, help="backfill from this archive date")
    p.add_argument("--until", type=_date, help="backfill until this archive date")
    p.add_argument("--no-report", action="store_true")
    _common(p)

    p = sub.add_parser("reprocess", help="re-extract from raw WARC for a date range and re-publish (no fetching)")
    p.add_argument("--since", type=_date, required=True)
    p.add_argument("--until", type=_date, required=True)
    p.add_argument("--sources", nargs="*")
    _common(p)

    p = sub.add_parser("retry", help="retry the rejects of a date (re-extract from raw, or re-fetch)")
    p.add_argument("--date", type=_date, required=True)
    p.add_argument("--sources", nargs="*")
    p.add_argument("--stages", nargs="*", default=["fetch", "decode", "extract"])
    _common(p)

    p = sub.add_parser("sql", help="run read-only SQL over the archive (articles, sightings, rejects, clusters, ...)")
    p.add_argument("query", help="SQL text, or @file.sql")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--allow-write", action="store_true",
                   help="admins: attach the catalog read-write, with file access, under the writer lock")
    _common(p, config=False)

    p = sub.add_parser("report", help="write the static HTML run report of one date")
    p.add_argument("--date", type=_date, required=True)
    p.add_argument("--out", help="also copy the report to this local path")
    _common(p)

    p = sub.add_parser("replay", help="serve the local replay of the configured sources")
    rsub = p.add_subparsers(dest="replay_command", required=True)
    rp = rsub.add_parser("serve", help="serve until interrupted")
    rp.add_argument("--port-base", type=int, default=0, help="first port (default: free ports)")
    rp.add_argument("--write-config", help="write the sources file that points at the replay here")
    rp.add_argument("--state-file", help="write ports, control URL and clock here (JSON)")
    rp.add_argument("--clock", help="initial replay time (ISO 8601)")
    rp = rsub.add_parser("advance", help="publish new articles on a running replay")
    rp.add_argument("--control", required=True, help="control URL of the running replay")
    rp.add_argument("--articles", type=int, default=3)
    rp.add_argument("--days", type=float, default=1.0)

    p = sub.add_parser("demo", help="the whole job on the embedded default: replay sites -> ./data")
    p.add_argument("--store", default="./data")
    p.add_argument("--keep", action="store_true", help="keep the store from an earlier demo")
    return ap


def usage_error(args) -> str | None:
    """Why the arguments cannot run, before anything is fetched or written: a source id that is not
    configured (``--source``/``--sources``), ``--since`` without ``--until`` (or the reverse), or a
    date range that is empty (``--since`` after ``--until``). None when they are fine."""
    cfg = args.sources_config
    given = getattr(args, "sources", None) or []
    if getattr(args, "source", None):
        given = [args.source, *given]
    unknown = [s for s in given if s not in cfg.ids()]
    if unknown:
        return (f"unknown source{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
                f"configured: {', '.join(cfg.ids())}")
    since, until = getattr(args, "since", None), getattr(args, "until", None)
    if (since is None) != (until is None) and hasattr(args, "since"):
        return "--since and --until go together"
    if since is not None and until is not None and since > until:
        return f"--since {since} is after --until {until}: the date range is empty"
    return None


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if hasattr(args, "config"):
        # Validate the sources file before anything runs; targets use args.sources_config.
        from pipelines.config import ConfigError, load_sources
        try:
            args.sources_config = load_sources(args.config)
        except ConfigError as exc:
            print(f"newsarchive {args.command}: configuration error: {exc}", file=sys.stderr)
            return 2
        if problem := usage_error(args):
            print(f"newsarchive {args.command}: {problem}", file=sys.stderr)
            return 2
    target = TARGETS[args.command]
    module, func = target.split(":")
    try:
        fn = getattr(importlib.import_module(module), func)
    except (ImportError, AttributeError) as exc:
        print(f"newsarchive {args.command}: not available in this build ({exc})", file=sys.stderr)
        return 2
    try:
        return int(fn(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a clear message, not a traceback (NEWSARCHIVE_DEBUG=1 shows it)
        from pipelines.config import ConfigError
        if isinstance(exc, ConfigError):
            print(f"newsarchive {args.command}: configuration error: {exc}", file=sys.stderr)
            return 2
        from newsarchive.lake import CatalogError
        if isinstance(exc, CatalogError):
            print(f"newsarchive {args.command}: {exc}", file=sys.stderr)
            return 2
        if os.environ.get("NEWSARCHIVE_DEBUG"):
            raise
        from newsarchive.duck import redact
        print(f"newsarchive {args.command} failed: {type(exc).__name__}: {redact(str(exc))}\n"
              f"(set NEWSARCHIVE_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
