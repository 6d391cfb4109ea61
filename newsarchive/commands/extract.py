"""``newsarchive extract --manifest IN.jsonl --out OUT.jsonl``: extraction of saved pages.

Manifest lines: ``{"path": ..., "url": ..., "headers": {...}}`` (optional ``status``,
``fetched_at``, ``source``); a relative ``path`` is read relative to the manifest's folder.
Output lines, in manifest order: ``{"path": ..., <article fields>}`` or
``{"path": ..., "reject": reason, "stage": ..., "detail": ...}``.
"""
from __future__ import annotations

import dataclasses
import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from pipelines.config import SourcesConfig
from pipelines.extract.many import extract_many
from pipelines.record import Article, RawPage, Reject


class Progress:
    """Prints ``label: done/total pages, rate/s`` to stderr, at most once a second."""

    def __init__(self, label: str = "extract"):
        self.label, self.t0, self.last = label, time.monotonic(), 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < 1.0:
            return
        self.last = now
        rate = done / max(1e-9, now - self.t0)
        end = "\n" if done >= total or not sys.stderr.isatty() else "\r"
        print(f"{self.label}: {done}/{total} pages, {rate:.1f}/s", end=end, file=sys.stderr, flush=True)


def _row(path: str, result: Article | Reject) -> dict:
    if isinstance(result, Reject):
        return {"path": path, "reject": result.reason, "stage": result.stage, "detail": result.detail,
                "url": result.url, "http_status": result.http_status}
    row = dataclasses.asdict(result)
    for k, v in row.items():
        if isinstance(v, datetime):
            row[k] = v.isoformat()
    return {"path": path, **row}


def _page(entry: dict, base: Path, source_id: str | None) -> RawPage | str:
    """The manifest entry as a ``RawPage``, or an error string."""
    if not isinstance(entry, dict) or not entry.get("path") or not entry.get("url"):
        return "manifest line needs path and url"
    p = Path(entry["path"])
    p = p if p.is_absolute() or p.exists() else base / p
    try:
        body = p.read_bytes()
    except OSError as exc:
        return f"cannot read {p}: {exc.strerror or exc}"
    fetched = entry.get("fetched_at")
    fetched_at = datetime.fromisoformat(fetched) if fetched else datetime.fromtimestamp(p.stat().st_mtime, timezone.utc)
    if fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=timezone.utc)
    headers = {str(k).lower(): str(v) for k, v in (entry.get("headers") or {}).items()}
    return RawPage(url=entry["url"], body=body, source=source_id or entry.get("source") or "",
                   headers=headers, status=int(entry.get("status") or 200), fetched_at=fetched_at,
                   run_id=entry.get("run_id") or "manual")


def cli_extract(args) -> int:
    config: SourcesConfig = args.sources_config
    if args.source and args.source not in config.ids():
        print(f"newsarchive extract: unknown source {args.source!r}; configured: {', '.join(config.ids())}",
              file=sys.stderr)
        return 2
    manifest = Path(args.manifest)
    lines = [ln for ln in manifest.read_text(encoding="utf-8").splitlines() if ln.strip()]
    entries, pages, rows = [], [], {}
    for i, ln in enumerate(lines):
        try:
            entry = json.loads(ln)
        except ValueError as exc:
            rows[i] = {"path": None, "reject": "bad_manifest_line", "stage": "fetch", "detail": str(exc)}
            continue
        page = _page(entry, manifest.parent, args.source)
        if isinstance(page, str):
            rows[i] = {"path": entry.get("path") if isinstance(entry, dict) else None,
                       "reject": "unreadable", "stage": "fetch", "detail": page}
            continue
        entries.append((i, entry["path"]))
        pages.append(page)
    results = extract_many(pages, config, workers=args.workers, timeout=args.timeout, progress=Progress())
    for (i, path), res in zip(entries, results):
        rows[i] = _row(path, res)
    with open(args.out, "w", encoding="utf-8") as out:
        for i in range(len(lines)):
            out.write(json.dumps(rows[i], ensure_ascii=False) + "\n")
    n_rej = sum(1 for r in rows.values() if "reject" in r)
    print(f"extract: {len(lines)} pages, {len(lines) - n_rej} articles, {n_rej} rejects -> {args.out}",
          file=sys.stderr)
    return 0
