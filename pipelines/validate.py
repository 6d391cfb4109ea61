"""Publish-stage checks of staged rows: a bad record becomes a ``rejects`` row, never a crash."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import schemas
from pipelines.normalize import normalize_for_hash
from pipelines.tablefiles import run_key

HEX64 = re.compile(r"[0-9a-f]{64}")
REQUIRED = [f.name for f in schemas.ARTICLES if not f.nullable]


def check_article(row: dict, run: str) -> tuple[str | None, str | None, str]:
    """``(reason, detail, normalized_text)``; reason is None when the row can be published."""
    for name in REQUIRED:
        if row.get(name) is None or row.get(name) == "":
            return "missing_field", f"{name} is empty", ""
    if not HEX64.fullmatch(row["content_hash"]):
        return "bad_content_hash", f"content_hash {row['content_hash'][:80]!r} is not sha256 hex", ""
    if run_key(row["run_id"]) != run:
        return "run_id_mismatch", f"row run_id {row['run_id']!r} in the staging file of run {run!r}", ""
    try:
        norm = normalize_for_hash(row["text"])
    except Exception as exc:  # noqa: BLE001 - any failure of one record is a reject
        return "normalize_failed", f"{type(exc).__name__}: {exc}", ""
    if not norm:
        return "empty_text", "no text left after normalization", ""
    return None, None, norm


def reject_of(row: dict, run: str, dt: str, reason: str, detail: str | None, stage: str = "publish") -> dict:
    """A rejects row for a staged article (or reject) row that cannot be published as it is."""
    fetched = row.get("fetched_at") or datetime.fromisoformat(dt).replace(tzinfo=timezone.utc)
    return {"url": row.get("url") or row.get("canonical_url") or "(missing url)",
            "source": row.get("source") or "unknown", "stage": stage, "reason": reason, "detail": detail,
            "http_status": row.get("http_status"), "fetched_at": fetched, "run_id": run,
            "raw_ref": row.get("raw_ref")}


def check_reject(row: dict, run: str, dt: str) -> dict:
    """A staged reject as published: unchanged, unless it names another run."""
    if row.get("run_id") and run_key(row["run_id"]) == run:
        return row
    return reject_of(row, run, dt, "run_id_mismatch",
                     f"staged reject ({row.get('stage')}/{row.get('reason')}) of run {row.get('run_id')!r}")
