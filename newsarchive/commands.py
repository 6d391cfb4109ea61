"""Command handlers for the catalog: ``publish``, ``compact``, ``verify``, ``migrate``, ``quality``.

Each takes the parsed arguments, calls the step, prints, and returns the exit code
(0 ok, 1 a check failed, 2 a usage or setup error).
"""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone

from newsarchive import jobs
from newsarchive.lake import CatalogError, open_reader, open_writer
from pipelines.storage import Store


def _err(cmd: str, msg: str) -> int:
    print(f"newsarchive {cmd}: {msg}", file=sys.stderr)
    return 2


def cli_publish(args) -> int:
    """``newsarchive publish [--date D] [--run-id R]``: every staged segment, a batch per transaction."""
    dt = args.date or datetime.now(timezone.utc).date()
    run_id = args.run_id or jobs.make_run_id("publish", datetime.combine(dt, datetime.min.time(), timezone.utc))
    res = jobs.publish(args.store, dt, run_id, args.sources_config)
    if not res["published"]:
        print("publish: nothing staged", file=sys.stderr)
    for b in res["batches"]:
        print(f"publish {b['batch']}: segments={b['segments']} staged={b['staged']} articles={b['articles']} "
              f"sightings={b['sightings']} rejects={b['rejects']} exact_dups={b['exact_duplicates']} "
              f"near_dups={b['near_duplicates']}")
    return 0


def cli_compact(args) -> int:
    """``newsarchive compact [--keep-days N] [--seen]``: DuckLake maintenance under the writer lock."""
    from newsarchive.lake.maintenance import maintain
    with open_writer(args.store) as lake:
        res = maintain(lake, keep_days=args.keep_days)
    for line in res.lines():
        print(f"compact: {line}")
    if getattr(args, "seen", False):
        from pipelines.seen import compact_seen
        store = Store.open(args.store)
        sources = sorted({p.split("/")[2][len("source="):] for p in store.list("index/urls/")
                          if p.split("/")[2].startswith("source=")})
        for sid in sources:
            out = compact_seen(store, sid)
            print(f"compact seen-set of {sid}: {out or 'nothing to merge'}")
    return 0


def cli_verify(args) -> int:
    """``newsarchive verify``: every file the catalog references exists with its recorded size."""
    from newsarchive.lake.maintenance import verify
    try:
        lake = open_reader(args.store, lockdown=False)
    except CatalogError as exc:
        return _err("verify", str(exc))
    with lake:
        res = verify(lake)
    for p in res.problems:
        print(f"DAMAGED {p}")
    print(f"verify: {res.files} files, {res.bytes:,} bytes referenced; "
          + ("all present with their recorded sizes" if res.ok else f"{len(res.problems)} problem(s)"))
    return 0 if res.ok else 1


def cli_migrate(args) -> int:
    """``newsarchive migrate``: import a store of the old layout (manifests) into its new catalog."""
    from newsarchive.lake.migrate import MigrationError, migrate
    try:
        res = migrate(args.store, args.sources_config)
    except (MigrationError, CatalogError) as exc:
        return _err("migrate", str(exc))
    for line in res.lines():
        print(f"migrate: {line}")
    return 0 if res.ok else 1


def cli_quality(args) -> int:
    """``newsarchive quality --date D``: the checks of every crawl run of ``D``; exit 1 when one fails."""
    from newsarchive.lake import archive
    dt = args.date.isoformat()
    try:
        lake = open_reader(args.store, lockdown=False)
    except CatalogError as exc:
        return _err("quality", str(exc))
    with lake:
        rows = archive.ledger(lake, sources=args.sources or None, dts=[dt])
    if not rows:
        print(f"newsarchive quality: nothing crawled on {dt} is in the catalog", file=sys.stderr)
        return 1
    rc = 0
    by_run: dict[str, dict[str, str]] = {}
    for r in rows:
        by_run.setdefault(r.run_id, {})[r.source] = r.run_id
    for run, runs in sorted(by_run.items()):
        rep = jobs.quality(args.store, dt, runs, args.sources_config, sorted(runs), mode="incremental")
        print(rep.summary())
        rc |= 0 if rep.ok else 1
    return rc


def print_json(obj) -> None:
    print(json.dumps(obj, ensure_ascii=False, sort_keys=True, default=str))
