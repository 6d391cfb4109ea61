"""Synthetic staged articles for the store tests (simulates the extraction step)."""
from __future__ import annotations

import hashlib
import os
import random
import tempfile
from datetime import datetime, timedelta, timezone

from pipelines.dedupe.normalize import content_hash
from pipelines.record import Article, Reject

#: S3 index segments are cached locally (pipelines.dedupe.index.cache_dir); keep the tests' copies out of $HOME.
os.environ.setdefault("NEWSARCHIVE_INDEX_CACHE", tempfile.mkdtemp(prefix="newsarchive-index-cache-"))

T0 = datetime(2022, 7, 28, 8, 0, tzinfo=timezone.utc)
_CHARS = [chr(c) for c in range(0x4E00, 0x4E00 + 2500)]


def story(seed: int, n: int = 400) -> str:
    """A deterministic 'Chinese story' of n characters, in paragraphs, with full-width punctuation."""
    rng = random.Random(seed)
    paras = []
    for _ in range(max(1, n // 100)):
        paras.append("".join(rng.choice(_CHARS) + ("，" if rng.random() < 0.08 else "") for _ in range(100)) + "。")
    return "\n".join(paras)


def to_halfwidth(text: str) -> str:
    """Half-width copy as syndicating sites print it: full-width ASCII punctuation folded, 。 kept."""
    return text.replace("，", ",").replace("：", ":").replace("（", "(").replace("）", ")")


def article(text: str, source: str = "a", run_id: str = "cli__2022-07-28T080000", url: str | None = None,
            published_at: datetime | None = T0, fetched_at: datetime | None = None) -> Article:
    url = url or f"https://{source}.example.cn/{hashlib.sha1(text.encode()).hexdigest()[:10]}.html"
    return Article(article_id=hashlib.sha256(url.encode()).hexdigest()[:32], content_hash=content_hash(text),
                   url=url, canonical_url=url, source=source, text=text,
                   fetched_at=fetched_at or T0 + timedelta(hours=1), extractor_version="test-1", run_id=run_id,
                   title="标题", published_at=published_at, published_at_origin="meta" if published_at else "none",
                   language="zh")


def reject(url: str, source: str = "a", run_id: str = "cli__2022-07-28T080000") -> Reject:
    return Reject(url=url, source=source, stage="extract", reason="too_short", fetched_at=T0, run_id=run_id)


def syndicated(text: str) -> list[str]:
    """Seed-style syndicated copies of one story: boilerplate lines and half-width punctuation differ."""
    return [text,
            "（文章来源：科技日报）\n" + text,
            to_halfwidth(text) + "\n责任编辑：张三",
            "来源：经济日报\n" + text + "\n返回首页"]


def small_edit(text: str, seed: int = 0) -> str:
    """A near-duplicate: a few characters changed in one paragraph."""
    rng = random.Random(seed)
    chars = list(text)
    for _ in range(3):
        i = rng.randrange(len(chars))
        if chars[i] not in "\n，。":
            chars[i] = rng.choice(_CHARS)
    return "".join(chars)


def template_pair(seed: int) -> tuple[str, str]:
    """Near-miss: the same page template (header/footer lines) around two different stories."""
    head = "本报讯 记者 李明 报道\n" + story(10_000 + seed, 100)
    foot = story(20_000 + seed, 100) + "\n欢迎关注本报微信公众号"
    return (head + "\n" + story(seed, 300) + "\n" + foot, head + "\n" + story(seed + 1, 300) + "\n" + foot)


from lakekit import committed, one_batch, publish, rowset, segment_of, stage  # noqa: E402,F401 - re-exported
