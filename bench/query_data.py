"""The synthetic archive ``bench.query`` reads: N articles in 180 daily commits to the DuckLake catalog, cached.

Each day is one transaction of the lake's writer connection (``newsarchive.lake.open_writer``, under the
writer lock, as a publish commits), into the tables the pipeline writes, with their ``schemas/`` schemas:
``articles`` (the day's articles, in ``schemas.SORT_KEYS`` order as publish inserts them), ``sightings``
(one first sighting per article), ``pipeline.segments`` (one published raw segment per source) and
``pipeline.batches`` (the batch; its id is the snapshot's commit message, as publish sets it). Dedupe is
not run: the rows are what it would publish for new, distinct articles.

Texts are ~300 random CJK characters with full-width punctuation; 1% hold 中关村 and 0.5% 怀柔科学城 (the
README's keyword recipes). Published times spread over each day in China time; six sources. Cached under
``bench/out/`` (gitignored) with a ``.complete`` marker holding the parameters.

:func:`compacted`: a copy of that archive (``bench.common.copy_store``: data files hard-linked, catalog
copied) after ``newsarchive compact`` (:func:`newsarchive.lake.maintenance.maintain`), the layout the daily
maintenance leaves; also cached.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa

from bench.common import copy_store

SOURCES = ("stdaily", "bbtnews", "bjnews", "ce", "finews", "btchangqing")
KEYWORDS = (("中关村", 0.01), ("怀柔科学城", 0.005))
FIRST_DAY = date(2022, 1, 1)
DAYS = 180
_CJK = np.arange(0x4E00, 0x4E00 + 3000, dtype=np.uint32)
_PUNCT = np.array([0xFF0C, 0x3002, 0xFF1A, 0xFF08, 0xFF09], dtype=np.uint32)
CST = timezone(timedelta(hours=8))


def _texts(rng, n: int, chars: int) -> list[str]:
    cps = _CJK[rng.integers(0, len(_CJK), (n, chars))]
    punct = rng.random((n, chars)) < 0.05
    cps[punct] = _PUNCT[rng.integers(0, len(_PUNCT), int(punct.sum()))]
    cps[:, 99::100] = 0x0A
    return [row.tobytes().decode("utf-32-le") for row in cps]


def _with_keywords(rng, txts: list[str]) -> list[str]:
    for kw, share in KEYWORDS:
        for i in np.flatnonzero(rng.random(len(txts)) < share):
            at = int(rng.integers(0, len(txts[i])))
            txts[i] = txts[i][:at] + kw + txts[i][at:]
    return txts


def segment_id(source: str, dt: date, run: str) -> str:
    """A raw segment id as the crawler names them (``raw/source=S/dt=D/<run key>``)."""
    return f"raw/source={source}/dt={dt}/{run.replace(':', '')}"


def day_tables(day_index: int, n: int, chars: int) -> dict[str, pa.Table]:
    """The rows one daily publish of ``n`` new articles commits, by catalog table."""
    import schemas
    rng = np.random.default_rng(day_index)
    day = datetime.combine(FIRST_DAY + timedelta(days=day_index), datetime.min.time(), CST)
    dt = FIRST_DAY + timedelta(days=day_index + 1)          # crawled the next morning: the crawl's date
    run = f"bench__{dt}T080000"
    fetched = datetime.combine(dt, datetime.min.time(), CST) + timedelta(hours=8)
    txts = _with_keywords(rng, _texts(rng, n, chars))
    src = [SOURCES[i % len(SOURCES)] for i in range(n)]
    urls = [f"https://{s}.example.cn/{day:%Y%m%d}/{i}.html" for i, s in enumerate(src)]
    hashes = [hashlib.sha256(t.encode()).hexdigest() for t in txts]
    ids = [hashlib.sha256(u.encode()).hexdigest()[:32] for u in urls]
    segs = [segment_id(s, dt, run) for s in src]
    published = [day + timedelta(seconds=int(s)) for s in rng.integers(0, 86400, n)]
    fetched_col = [fetched] * n
    arts = {"article_id": ids, "content_hash": hashes, "url": urls, "canonical_url": urls, "source": src,
            "title": [t[:20].replace("\n", "") for t in _texts(rng, n, 24)], "text": txts,
            "authors": [["记者"]] * n, "published_at": published, "published_at_offset_minutes": [480] * n,
            "published_at_origin": ["meta"] * n, "published_at_offset_origin": ["source"] * n,
            "fetched_at": fetched_col, "language": ["zh"] * n, "section": ["科技"] * n,
            "char_count": [len(t) for t in txts], "cluster_id": hashes, "extractor_version": ["bench"] * n,
            "run_id": [run] * n, "dt": [dt] * n, "segment": segs}
    sights = {"content_hash": hashes, "article_id": ids, "url": urls, "canonical_url": urls, "source": src,
              "fetched_at": fetched_col, "run_id": [run] * n, "is_new": [True] * n, "dt": [dt] * n,
              "segment": segs}
    batch = f"{run}/001"
    ledger = [{"segment": segment_id(s, dt, run), "source": s, "dt": dt, "run_id": run, "state": "published",
               "committed_at": fetched, "article_pages": src.count(s), "fetch_rejects": 0,
               "registered_by": "bench", "staged_by": "bench", "staged_articles": src.count(s),
               "staged_rejects": 0, "extractor_version": "bench", "batch": batch} for s in SOURCES]
    batches = [{"batch": batch, "dt": dt, "run_id": run, "segments": len(SOURCES), "staged": n, "articles": n,
                "sightings": n, "rejects": 0, "exact_duplicates": 0, "near_duplicates": 0}]

    def table(name, cols):
        schema = schemas.schema_for(name)
        return pa.Table.from_pydict({f.name: cols.get(f.name, [None] * n) for f in schema}, schema=schema)
    return {"articles": table("articles", arts), "sightings": table("sightings", sights),
            "segments": pa.Table.from_pylist(ledger, schema=schemas.SEGMENTS),
            "batches": pa.Table.from_pylist(batches, schema=schemas.BATCHES)}


def _order(table: str) -> str:
    import schemas
    keys = schemas.SORT_KEYS.get(table)
    if not keys:
        return ""
    return " ORDER BY " + ", ".join(f'"{c}"' + (" DESC" if o == "descending" else "") for c, o in keys) + ", segment"


def commit_day(lake, tables: dict[str, pa.Table]) -> float:
    """One transaction with the day's rows in the four tables; returns its seconds (lock + commit included)."""
    import schemas
    batch = tables["batches"]["batch"][0].as_py()

    def body(con):
        for name, tbl in tables.items():
            target = name if name in schemas.TABLES else f"pipeline.{name}"
            con.register("bench_rows", tbl)
            con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM bench_rows{_order(name)}")
            con.unregister("bench_rows")
        con.execute("CALL ducklake_set_commit_message(current_database(), 'newsarchive', ?)", [batch])
    t = time.perf_counter()
    lake.write(body, "bench")
    return time.perf_counter() - t


def build(root: Path, per_day: int, days: int = DAYS, chars: int = 300) -> dict:
    """The archive of ``per_day`` × ``days`` articles at ``root`` (cached); its ``.complete`` marker."""
    from newsarchive.lake import open_writer
    done = root / ".complete"
    want = {"per_day": per_day, "days": days, "chars": chars, "format": 2}
    if done.exists():
        have = json.loads(done.read_text())
        if {k: have.get(k) for k in want} == want:
            return have
    shutil.rmtree(root, ignore_errors=True)
    commits, gen = [], 0.0
    t0 = time.perf_counter()
    with open_writer(str(root)) as lake:
        for d in range(days):
            g = time.perf_counter()
            tables = day_tables(d, per_day, chars)
            gen += time.perf_counter() - g
            commits.append(commit_day(lake, tables))
    marker = want | {"articles": per_day * days, "build_s": time.perf_counter() - t0, "generate_s": gen,
                     "commit_s": commits}
    done.write_text(json.dumps(marker))
    return marker


def compacted(daily: Path, root: Path) -> dict:
    """``daily`` copied to ``root`` and compacted by ``newsarchive compact`` (maintain), cached; its marker."""
    from newsarchive.lake import open_writer
    from newsarchive.lake.maintenance import maintain
    src = json.loads((daily / ".complete").read_text())
    done = root / ".complete"
    if done.exists():
        have = json.loads(done.read_text())
        if have.get("source") == src:
            return have
    copy_store(daily, root)
    t = time.perf_counter()
    with open_writer(str(root)) as lake:
        res = maintain(lake)
    marker = {"source": src, "compact_s": time.perf_counter() - t, "maintenance": res.__dict__}
    done.write_text(json.dumps(marker))
    return marker
