"""Quality floors on a sample of ../shared/refdata (skipped when it is absent).

The full comparison with the baselines is ``python -m bench.extract_quality``; this only
guards against regressions, like trafilatura's eval gate: a floor well under today's figure.
"""
from __future__ import annotations

import pytest

from conftest import shared_or_skip


@pytest.fixture(scope="module")
def scored():
    shared_or_skip("refdata", "cn_wce")
    shared_or_skip("refdata", "daniel_zh_dev")
    from bench import refdata
    from bench.extract_quality import same_day
    from bench.textscore import prf
    from pipelines.extract import extract
    from pipelines.record import Article, RawPage
    out = {}
    for ds in ("cn_wce", "daniel_zh_dev", "scrapinghub_aeb"):
        rows = []
        for p in refdata.load(ds, every=4):
            raw = RawPage(url=p.url, body=p.body, source="refdata", headers={"content-type": p.content_type},
                          fetched_at=p.crawled_at)
            res = extract(raw, None)
            text = res.text if isinstance(res, Article) else ""
            rows.append((prf(text, p.truth["text"])[2], same_day(res, p.truth.get("date"))))
        out[ds] = rows
    return out


def test_cn_wce_f1_floor(scored):
    f1 = [f for f, _ in scored["cn_wce"]]
    assert sum(f1) / len(f1) >= 0.92


def test_cn_wce_publish_day_floor(scored):
    days = [d for _, d in scored["cn_wce"] if d is not None]
    assert sum(days) / len(days) >= 0.8


def test_daniel_zh_dev_f1_floor(scored):
    f1 = [f for f, _ in scored["daniel_zh_dev"]]
    assert sum(f1) / len(f1) >= 0.91


def test_scrapinghub_f1_floor(scored):
    f1 = [f for f, _ in scored["scrapinghub_aeb"]]
    assert sum(f1) / len(f1) >= 0.93
