"""Synthetic staged articles for the store tests (simulates the extraction step)."""
from __future__ import annotations

import hashlib
import os
import random
import tempfile
from datetime import datetime, timedelta, timezone

from pipelines.normalize import content_hash
from pipelines.record import Article, Reject

#: S3 index segments are cached locally (pipelines.dedupe.cache_dir); keep the tests' copies out of $HOME.
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


def segment_of(source: str, dt: str, run_id: str) -> str:
    """The raw segment id a simulated crawl of ``source`` in run ``run_id`` on ``dt`` committed."""
    return f"raw/source={source}/dt={dt}/{run_id.replace(':', '')}"


def _register(lake, segs: list[tuple[str, str, str]]) -> None:
    """Ledger rows (state committed) for simulated raw segments ``(source, dt, run_id)`` not in it yet."""
    import pyarrow as pa

    import schemas
    from datetime import date
    rows = [{"segment": segment_of(s, d, r), "source": s, "dt": date.fromisoformat(d), "run_id": r,
             "state": "committed", "committed_at": T0, "article_pages": 0, "fetch_rejects": 0,
             "registered_by": "storekit"} for s, d, r in segs]
    tbl = pa.Table.from_pylist([{k: r.get(k) for k in schemas.SEGMENTS.names} for r in rows], schema=schemas.SEGMENTS)

    def body(con):
        con.register("kit_segments", tbl)
        con.execute("INSERT INTO pipeline.segments BY NAME SELECT * FROM kit_segments n "
                    "WHERE NOT EXISTS (FROM pipeline.segments s WHERE s.segment = n.segment)")
        con.unregister("kit_segments")
    lake.write(body)


def stage(store, dt: str, run_id: str, arts, rejs=()) -> list[str]:
    """Simulate crawl + extraction: one raw segment per source, its rows staged; returns the segments.

    A segment staged before (or published) is sent back to ``committed`` first, as reprocess does.
    """
    from newsarchive.jobs import _lineage
    from newsarchive.lake import archive, open_writer
    from pipelines.raw import parse_segment
    sources = sorted({a.source for a in arts} | {r.source for r in rejs})
    with open_writer(store) as lake:
        _register(lake, [(s, dt, run_id) for s in sources])
        archive.restage(lake, [segment_of(s, dt, run_id) for s in sources])
        staged = []
        for src in sources:
            seg = parse_segment(segment_of(src, dt, run_id))
            staged.append(archive.Staged(seg, _lineage([a for a in arts if a.source == src], "articles", seg),
                                         _lineage([r for r in rejs if r.source == src], "rejects", seg), "test-1"))
        return archive.commit_staged(lake, staged, staged_by="storekit")


def publish(store, config=None, run_id: str = "test__2022-07-28T000000__pub", dt: str = "2022-07-28",
            threshold: float | None = None):
    """Publish every staged segment; returns the ``BatchResult`` list."""
    from newsarchive.lake import archive, open_writer
    kw = {} if threshold is None else {"threshold": threshold}
    with open_writer(store) as lake:
        return archive.publish(lake, run_id=run_id, dt=dt, config=config, **kw)


def one_batch(results):
    assert len(results) == 1, results
    return results[0]


def committed(store, table: str):
    """Rows of ``table`` in the catalog, as an Arrow table (``table`` may be ``pipeline.<name>``)."""
    from newsarchive.lake import open_reader
    with open_reader(store, lockdown=False) as lake:
        return lake.con.execute(f"FROM {table}").fetch_arrow_table()


def rowset(store, table: str, drop: tuple[str, ...] = ()) -> list[tuple]:
    """Rows of ``table`` as a sorted list of tuples (order-free comparison)."""
    return sorted(tuple(repr(v) for k, v in r.items() if k not in drop) for r in committed(store, table).to_pylist())
