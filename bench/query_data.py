"""The synthetic archive ``bench.query`` reads: N articles written by the project's writer, cached.

One committed snapshot per date (``pipelines.tablefiles.table_blobs`` → ``put_all`` →
``pipelines.manifest.commit``: the publish path's file names, sort order, zstd options and manifest),
one file per source and date, as a daily publish leaves them. Texts are ~300 random CJK characters with
full-width punctuation; 1% hold 中关村 and 0.5% 怀柔科学城 (the README's keyword recipes). Published times
spread over each day in China time. The archive is cached under ``bench/out/`` (gitignored).

:func:`with_rollups`: the same archive (a hard-linked copy: files are never changed in place) after
``newsarchive compact --rollup --before <latest date>``, the production layout of a daily rollup schedule:
each month of a table as a few big files, the current month through yesterday, the latest date still daily.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa

SOURCES = ("stdaily", "bbtnews", "bjnews", "ce", "finews", "btchangqing")
KEYWORDS = (("中关村", 0.01), ("怀柔科学城", 0.005))
FIRST_DAY = date(2020, 1, 1)
_CJK = np.arange(0x4E00, 0x4E00 + 3000, dtype=np.uint32)
_PUNCT = np.array([0xFF0C, 0x3002, 0xFF1A, 0xFF08, 0xFF09], dtype=np.uint32)


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


def day_table(day_index: int, n: int, chars: int) -> pa.Table:
    """The ``n`` articles published (and fetched) on day ``day_index``."""
    import schemas
    rng = np.random.default_rng(day_index)
    day = datetime.combine(FIRST_DAY + timedelta(days=day_index), datetime.min.time(), timezone(timedelta(hours=8)))
    txts = _with_keywords(rng, _texts(rng, n, chars))
    ids = [f"{day_index:06d}{i:06d}" for i in range(n)]
    urls = [f"https://{SOURCES[i % len(SOURCES)]}.example.cn/{day:%Y%m%d}/{i}.html" for i in range(n)]
    hashes = [hashlib.sha256(t.encode()).hexdigest() for t in txts]
    published = [day + timedelta(seconds=int(s)) for s in np.sort(rng.integers(0, 86400, n))]
    run = f"bench__{day:%Y-%m-%d}T080000"
    cols = {"article_id": [hashlib.md5(u.encode()).hexdigest() for u in urls], "content_hash": hashes,
            "url": urls, "canonical_url": urls, "source": [SOURCES[i % len(SOURCES)] for i in range(n)],
            "title": [t[:20].replace("\n", "") for t in _texts(rng, n, 24)], "text": txts,
            "authors": [["记者"] for _ in ids], "published_at": published,
            "published_at_offset_minutes": [480] * n, "published_at_origin": ["meta"] * n,
            "published_at_offset_origin": ["language"] * n, "decode_repair": [None] * n,
            "fetched_at": [day + timedelta(days=1)] * n, "language": ["zh"] * n,
            "syndicated_from": [None] * n, "section": ["科技"] * n, "char_count": [len(t) for t in txts],
            "cluster_id": hashes, "extractor_version": ["bench"] * n, "run_id": [run] * n, "raw_ref": [None] * n}
    return pa.Table.from_pydict(cols, schema=schemas.schema_for("articles")), run


def build(root: Path, n_docs: int, days: int, chars: int = 300) -> Path:
    """A committed archive of ``n_docs`` articles over ``days`` dates (cached by a ``.complete`` marker)."""
    from pipelines import manifest
    from pipelines.storage import Store
    from pipelines.tablefiles import put_all, table_blobs
    done = root / ".complete"
    want = {"docs": n_docs, "days": days, "chars": chars}
    if done.exists() and json.loads(done.read_text()) == want:
        return root
    shutil.rmtree(root, ignore_errors=True)
    store, per = Store(str(root)), n_docs // days
    for d in range(days):
        tbl, run = day_table(d, per, chars)
        dt = str(FIRST_DAY + timedelta(days=d + 1))            # the fetch date: the partition of a daily run
        blobs = table_blobs("articles", dt, tbl, [run])
        put_all(store, blobs)
        m = manifest.empty(dt)
        m["files"]["articles"] = [b.entry for b in blobs]
        m["committed_at_run"] = run
        m["runs"] = {run: {"staged": per, "articles": per, "sightings": 0, "rejects": 0,
                           "exact_duplicates": 0, "near_duplicates": 0}}
        manifest.commit(store, m)
    done.write_text(json.dumps(want))
    return root


def with_rollups(daily: Path, root: Path) -> dict:
    """``daily`` copied to ``root`` and rolled up by ``newsarchive compact --rollup --before <its latest
    date>`` (cached); its marker."""
    done, want = root / ".complete", json.loads((daily / ".complete").read_text())
    latest = max(p.name[:-5] for p in (daily / "_snapshots").glob("*.json"))
    want = want | {"rollup_before": latest}
    if done.exists() and {k: v for k, v in json.loads(done.read_text()).items() if k in want} == want:
        return json.loads(done.read_text())
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(daily, root, copy_function=os.link, ignore=shutil.ignore_patterns(".complete"))
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "newsarchive.cli", "compact", "--rollup", "--before", latest,
                    "--store", str(root)], check=True, stdout=subprocess.DEVNULL)
    marker = want | {"rollup_s": time.perf_counter() - t}
    done.write_text(json.dumps(marker))
    return marker
