"""Command handlers for the catalog: ``publish``, ``compact``, ``verify``, ``migrate``, ``quality``, ``status``.

Each takes the parsed arguments, calls the step, prints, and returns the exit code
(0 ok, 1 a check failed, 2 a usage or setup error).
"""
from __future__ import annotations

import sys
from datetime import datetime, timezone

from newsarchive import jobs
from newsarchive.lake import CatalogError, open_reader, open_writer
from pipelines import layout
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
        from pipelines.capture.seen import compact_seen
        store = Store.open(args.store)
        sources = layout.sources_in(store.list(layout.SEEN), layout.SEEN)
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
    try:
        reports = jobs.quality_of_date(args.store, args.date, args.sources_config, args.sources)
    except CatalogError as exc:
        return _err("quality", str(exc))
    if not reports:
        print(f"newsarchive quality: nothing crawled on {args.date} is in the catalog", file=sys.stderr)
        return 1
    for rep in reports:
        print(rep.summary())
    return 0 if all(rep.ok for rep in reports) else 1


def cli_status(args) -> int:
    """``newsarchive status``: pending work per source (the ledger, and raw segments no stage registered
    yet) and the conservation balance; exit 1 when pages are unaccounted for or work is stuck."""
    from newsarchive.lake import archive
    from pipelines.archive import conservation
    cfg = args.sources_config
    ids = args.sources or cfg.ids()
    try:
        open_reader(args.store, lockdown=False).close()     # a clear error when there is no archive
        lake = open_writer(args.store)                       # (a writer brings old views up to date)
    except CatalogError as exc:
        return _err("status", str(exc))
    with lake:
        bal = archive.balances(lake, sources=ids)
        states = lake.rows("SELECT source, state, count(*) AS n FROM pipeline.segments "
                           "WHERE list_contains(?, source) GROUP BY ALL", [ids])
        new = archive.unregistered(lake, ids)
    now = datetime.now(timezone.utc)
    by = {(r["source"], r["state"]): r["n"] for r in states}
    print(f"{'source':<12} {'published':>9} {'staged':>6} {'committed':>9} {'unregistered':>12} "
          f"{'pending pages':>13} {'oldest pending':>16} {'unaccounted':>11}")
    for sid in ids:
        bs = [b for b in bal if b.source == sid]
        oldest = min((b.oldest_pending for b in bs if b.oldest_pending), default=None)
        age = f"{(now - oldest).total_seconds() / 3600:.1f} h ago" if oldest else "-"
        print(f"{sid:<12} {by.get((sid, 'published'), 0):>9} {by.get((sid, 'staged'), 0):>6} "
              f"{by.get((sid, 'committed'), 0):>9} {sum(s.source == sid for s in new):>12} "
              f"{sum(b.pending for b in bs):>13} {age:>16} {sum(b.unaccounted for b in bs):>11}")
    problems = conservation.check(bal, now)
    if new:
        print(f"{len(new)} committed raw segment(s) not registered yet: the next stage of their source "
              "(any run) registers and archives them")
    for p in problems:
        print(f"PROBLEM {p}")
    print("nothing pending" if not problems and not new and not any(b.pending for b in bal)
          else "pending work is archived by the next run of any DAG (or `newsarchive stage` + `publish`)")
    return 1 if problems else 0
