"""Publish-stage checks of staged rows: a bad record becomes a ``rejects`` row, never a crash."""
from __future__ import annotations

import re
from datetime import datetime, time, timezone

import schemas
from pipelines.dedupe.normalize import normalize_for_hash

HEX64 = re.compile(r"[0-9a-f]{64}")
REQUIRED = [f.name for f in schemas.ARTICLES if not f.nullable]


def check_article(row: dict) -> tuple[str | None, str | None, str]:
    """``(reason, detail, normalized_text)``; reason is None when the row can be published."""
    for name in REQUIRED:
        if row.get(name) is None or row.get(name) == "":
            return "missing_field", f"{name} is empty", ""
    if not HEX64.fullmatch(row["content_hash"]):
        return "bad_content_hash", f"content_hash {row['content_hash'][:80]!r} is not sha256 hex", ""
    try:
        norm = normalize_for_hash(row["text"])
    except Exception as exc:  # noqa: BLE001 - any failure of one record is a reject
        return "normalize_failed", f"{type(exc).__name__}: {exc}", ""
    if not norm:
        return "empty_text", "no text left after normalization", ""
    return None, None, norm


def reject_of(row: dict, reason: str, detail: str | None, stage: str = "publish") -> dict:
    """A rejects row for a staged article (or reject) row that cannot be published as it is."""
    fetched = row.get("fetched_at") or (datetime.combine(row["dt"], time(), timezone.utc) if row.get("dt")
                                        else datetime(1970, 1, 1, tzinfo=timezone.utc))
    return {"url": row.get("url") or row.get("canonical_url") or "(missing url)",
            "source": row.get("source") or "unknown", "stage": stage, "reason": reason, "detail": detail,
            "http_status": row.get("http_status"), "fetched_at": fetched, "run_id": row.get("run_id") or "unknown",
            "raw_ref": row.get("raw_ref"), "dt": row.get("dt"), "segment": row.get("segment")}


def check_reject(row: dict) -> dict:
    """A staged reject as published: unchanged, unless a required field is missing."""
    for name in ("url", "source", "stage", "reason", "fetched_at", "run_id"):
        if row.get(name) in (None, ""):
            return reject_of(row, "missing_field", f"staged reject ({row.get('stage')}/{row.get('reason')}) "
                                                   f"has no {name}")
    if row.get("stage") not in schemas.REJECT_STAGES:
        return reject_of(row, "bad_stage", f"staged reject with stage {row.get('stage')!r}")
    return row
