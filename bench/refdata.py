"""Loading the reference pages of ``../shared/refdata`` (never copied into the repository)."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

REFDATA = Path(os.environ.get("NEWSARCHIVE_REFDATA",
                              Path(__file__).resolve().parents[2] / "shared" / "refdata"))
DATASETS = ("cn_wce", "daniel_zh_dev", "scrapinghub_aeb", "fundus_news")


@dataclass(slots=True)
class RefPage:
    dataset: str
    id: str
    url: str
    body: bytes
    charset: str
    truth: dict

    @property
    def content_type(self) -> str:
        return f"text/html; charset={self.charset}"

    @property
    def crawled_at(self) -> datetime | None:
        raw = self.truth.get("crawl_date")
        if not raw:
            return None
        dt = datetime.fromisoformat(str(raw))
        return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def load(dataset: str, every: int = 1) -> list[RefPage]:
    """Pages of one dataset in id order; ``every=n`` keeps every n-th page (quick runs)."""
    root = REFDATA / dataset
    pages = []
    for i, tf in enumerate(sorted((root / "truth").glob("*.json"))):
        if i % every:
            continue
        t = json.loads(tf.read_text(encoding="utf-8"))
        body = (root / "html" / f"{t['id']}.html").read_bytes()
        url = t.get("url") or f"http://refdata.invalid/{dataset}/{t['id']}"
        pages.append(RefPage(dataset, t["id"], url, body, t.get("serve_charset") or "utf-8", t))
    return pages


def available() -> bool:
    return all((REFDATA / d / "truth").is_dir() for d in DATASETS)
