"""``newsarchive report --date D [--out PATH]``: the run report of a date, stored in the store."""
from __future__ import annotations

import sys
from pathlib import Path

from newsarchive.report import build_report
from pipelines.storage import Store


def cli_report(args) -> int:
    """``newsarchive report --date D [--out PATH] [--store URI] [--config PATH]``."""
    store = Store.open(args.store)
    # an explicit --config replaces the store's sources; the default file only fills in a missing one
    cfg = getattr(args, "sources_config", None) if getattr(args, "config", None) else None
    rel = build_report(store, args.date, out=args.out, sources_config=cfg)
    print(f"report: {store.uri_of(rel)}")
    if args.out:
        print(f"report copy: {Path(args.out).resolve()}", file=sys.stderr)
    return 0
