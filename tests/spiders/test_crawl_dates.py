"""Discovery dates end up with honest origins: a sitemap lastmod is a modification time, never the publish date."""
from __future__ import annotations

from datetime import timezone

import pytest

from replay import Replay
from replay.hardcases import LASTMOD_AT, LASTMOD_PUBLISHED
from pipelines.config import SourcesConfig
from pipelines.extract import extract
from pipelines.capture.raw import iter_raw_pages
from pipelines.storage import Store
from tests.spiders.replaytools import crawl, tuned, write_config

pytestmark = pytest.mark.slow
DAY = "2022-07-28"


def sitemaps_only(config: SourcesConfig) -> SourcesConfig:
    """stdaily and bjnews discover through their sitemaps (plain; Google News) alone."""
    data = tuned(config).model_dump()
    for s in data["sources"]:
        if s["id"] in ("stdaily", "bjnews"):
            s["discovery"]["feeds"], s["discovery"]["listings"] = [], []
    return SourcesConfig.model_validate(data)


def test_sitemap_dates_with_their_kind(tmp_path):
    with Replay() as r:
        cfg = sitemaps_only(r.config)
        path = write_config(cfg, tmp_path / "sources.yaml")
        store = Store(str(tmp_path / "store"))
        for sid in ("stdaily", "bjnews"):
            code, summary, err = crawl(sid, store.uri, path)
            assert code == 0, err[-2000:]
        url = r.hard_cases["lastmod_later"]
        (page,) = [p for p in iter_raw_pages(store, "stdaily", DAY) if p.url == url]
        assert page.hints["via"] == "sitemap" and page.hints["modified_from"] == "sitemap_lastmod"
        assert "published" not in page.hints
        a = extract(page, cfg.get("stdaily"))
        assert (a.published_at, a.published_at_origin) == (LASTMOD_PUBLISHED.astimezone(timezone.utc), "text")
        assert (a.modified_at, a.modified_at_origin) == (LASTMOD_AT.astimezone(timezone.utc), "sitemap_lastmod")
        stdaily = [extract(p, cfg.get("stdaily")) for p in iter_raw_pages(store, "stdaily", DAY)]
        assert stdaily and {x.published_at_origin for x in stdaily} == {"text"}   # the page's date, every time
        bj = list(iter_raw_pages(store, "bjnews", DAY))
        assert bj and all(p.hints["via"] == "news_sitemap" and p.hints["published_from"] == "news_sitemap"
                          for p in bj)
        news = extract(bj[0], cfg.get("bjnews"))
        assert news.published_at_origin == "jsonld"   # the page's own JSON-LD still outranks the hint
