"""A small published archive for the view and report tests (staged records -> publish).

Two dates, real source ids and priorities from config/sources.yaml:

* D1: story 中关村 (stdaily, copied by finews and bjnews: 1 article, 3 sightings); 怀柔科学城 on bjnews;
  story X on bjnews; rejects (finews too_short x2, bbtnews http_404).
* D2: story Y on bbtnews, stdaily, ce (1 article, 3 sightings); stdaily seen again;
  an update of the 怀柔科学城 article (same URL, new text); near-duplicates of X published *earlier*
  than bjnews's by finews (fetched first) and ce (priority 90): cluster_id stays bjnews's, the
  canonical copy is ce's; rejects (ce too_short); a crawl log for stdaily.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import tempfile
from datetime import datetime, timedelta, timezone

os.environ.setdefault("NEWSARCHIVE_INDEX_CACHE", tempfile.mkdtemp(prefix="newsarchive-index-cache-"))

from pipelines.config import load_sources  # noqa: E402
from pipelines.dedupe.normalize import content_hash  # noqa: E402
from pipelines.record import Article, Reject  # noqa: E402

D1, D2 = "2022-07-27", "2022-07-28"
R1, R2 = "scheduled__2022-07-27T080000__a1", "scheduled__2022-07-28T080000__b2"
T1 = datetime(2022, 7, 27, 1, 0, tzinfo=timezone.utc)
T2 = datetime(2022, 7, 28, 1, 0, tzinfo=timezone.utc)
_CHARS = [chr(c) for c in range(0x4E00, 0x4E00 + 2500)]
HOSTS = {"stdaily": "www.stdaily.com", "bbtnews": "www.bbtnews.com.cn", "bjnews": "www.bjnews.com.cn",
         "ce": "www.ce.cn", "finews": "www.finews.example"}


def story(seed: int, lead: str = "") -> str:
    rng = random.Random(seed)
    paras = ["".join(rng.choice(_CHARS) for _ in range(100)) + "。" for _ in range(4)]
    return "\n".join(([lead] if lead else []) + paras)


def edit(text: str, seed: int) -> str:
    """A near-duplicate: three characters changed."""
    rng, chars = random.Random(seed), list(text)
    for _ in range(3):
        i = rng.randrange(len(chars))
        if chars[i] not in "\n。":
            chars[i] = rng.choice(_CHARS)
    return "".join(chars)


def art(text: str, source: str, path: str, run: str, published: datetime | None, fetched: datetime,
        title: str) -> Article:
    url = f"https://{HOSTS[source]}/{path}"
    return Article(article_id=hashlib.sha256(url.encode()).hexdigest()[:32], content_hash=content_hash(text),
                   url=url, canonical_url=url, source=source, text=text, fetched_at=fetched,
                   extractor_version="test-1", run_id=run, title=title, published_at=published,
                   published_at_offset_minutes=480 if published else None,
                   published_at_origin="meta" if published else "none", language="zh")


def rej(source: str, path: str, run: str, when: datetime, stage: str, reason: str) -> Reject:
    return Reject(url=f"https://{HOSTS[source]}/{path}", source=source, stage=stage, reason=reason,
                  fetched_at=when, run_id=run, http_status=404 if reason == "http_404" else None)


ZGC = story(1, "中关村论坛今日开幕，发布一批科技成果。")
HRKXC = story(2, "怀柔科学城综合性国家科学中心建设提速。")
X, Y = story(3), story(4)
HRKXC_V2 = HRKXC + "\n" + story(5)


def batch_d1() -> tuple[list[Article], list[Reject]]:
    h = timedelta(hours=1)
    arts = [art(ZGC, "stdaily", "zgc.html", R1, T1, T1 + h, "中关村论坛开幕"),
            art(ZGC, "finews", "a/zgc.html", R1, T1, T1 + 2 * h, "中关村论坛开幕"),
            art("（文章来源：科技日报）\n" + ZGC, "bjnews", "zgc.html", R1, T1 + 3 * h, T1 + 4 * h, "中关村论坛开幕"),
            art(HRKXC, "bjnews", "hr.html", R1, T1, T1 + h, "怀柔科学城建设提速"),
            art(X, "bjnews", "x.html", R1, T1, T1 + h, "新闻X")]
    rejs = [rej("finews", "short1.html", R1, T1, "extract", "too_short"),
            rej("finews", "short2.html", R1, T1, "extract", "too_short"),
            rej("bbtnews", "gone.html", R1, T1, "fetch", "http_404")]
    return arts, rejs


def batch_d2() -> tuple[list[Article], list[Reject]]:
    h = timedelta(hours=1)
    arts = [art(Y, "bbtnews", "y.html", R2, T2, T2 + h, "新闻Y"),
            art(Y, "stdaily", "y.html", R2, T2 + h, T2 + 2 * h, "新闻Y"),
            art(Y, "ce", "y.html", R2, T2 + h, T2 + 2 * h, "新闻Y"),
            art(ZGC, "stdaily", "zgc.html", R2, T1, T2 + h, "中关村论坛开幕"),
            art(HRKXC_V2, "bjnews", "hr.html", R2, T1, T2 + 3 * h, "怀柔科学城建设提速（更新）"),
            art(edit(X, 1), "finews", "b/x.html", R2, T1 - h, T2 + h, "新闻X"),
            art(edit(X, 2), "ce", "x.html", R2, T1 - h, T2 + 2 * h, "新闻X")]
    return arts, [rej("ce", "short.html", R2, T2, "extract", "too_short")]


CRAWL_LOG = [  # stdaily, D2: 2 ok article pages, 1 ok feed, 1 retried 500 (not final), 1 final timeout
    {"kind": "feed", "outcome": "ok", "status": 200, "final": True},
    {"kind": "article", "outcome": "ok", "status": 200, "final": True},
    {"kind": "article", "outcome": "ok", "status": 200, "final": True},
    {"kind": "article", "outcome": "http_error", "status": 500, "final": False},
    {"kind": "article", "outcome": "timeout", "status": None, "final": True},
]


def write_crawl_log(store) -> None:
    lines = [dict(line, url=f"https://www.stdaily.com/{i}.html", fetched_at=T2.isoformat(), run=R2,
                  warc=None, offset=None) for i, line in enumerate(CRAWL_LOG)]
    store.write_text(f"raw/source=stdaily/dt={D2}/{R2.replace(':', '')}.log.jsonl",
                     "".join(json.dumps(x) + "\n" for x in lines))


def stage_and_publish(store, dt: str, run: str, batch, cfg) -> None:
    from lakekit import publish, stage
    arts, rejs = batch
    stage(store, dt, run, arts, rejs)
    publish(store, cfg, run_id=f"publish__{dt}T090000__{run[-2:]}", dt=dt)


def build_archive(store, *, sources_meta: bool = True, dates=(D1, D2)):
    """Publish the archive into ``store`` (D1 in one batch, then D2); returns the sources config used.
    ``sources_meta=False``: published without a config, so the catalog knows no source priorities."""
    cfg = load_sources(None)
    store.ensure_bucket()
    if D1 in dates:
        stage_and_publish(store, D1, R1, batch_d1(), cfg if sources_meta else None)
    if D2 in dates:
        stage_and_publish(store, D2, R2, batch_d2(), cfg if sources_meta else None)
        write_crawl_log(store)
    return cfg
