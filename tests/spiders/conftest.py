"""Spider parts without a network: a NewsSpider on a stub crawler, responses built in memory."""
from __future__ import annotations

from datetime import date

import pytest
from scrapy.http import HtmlResponse, Request, XmlResponse
from scrapy.utils.test import get_crawler

from pipelines.config import load_sources
from pipelines.capture.seen import SeenSet
from pipelines.urls import url_key
from spiders.frontier import Frontier
from spiders.settings import CrawlOptions, build_settings
from spiders.spider import NewsSpider


class FakeRecorder:
    """Collects what the spider/middlewares would write."""

    def __init__(self):
        self.fetches, self.errors, self.transient_failures = [], [], 0

    def write(self, f):
        self.fetches.append(f)

    def record_attempt(self, request, attempt, *, final, kind=None):
        from spiders.items import Fetch
        self.fetches.append(Fetch.of(request, attempt, final=final, kind=kind))

    def close(self):
        pass


def make_spider(source_id="bjnews", seen=(), budget=None, trust_previous=True, **opts) -> NewsSpider:
    source = load_sources().get(source_id)
    o = CrawlOptions(source=source, store_uri="/nonexistent", day=date(2022, 7, 28), run_id="test__x",
                     user_agent="newsarchive-test", max_requests=budget, **opts)
    crawler = get_crawler(NewsSpider, build_settings(o))
    spider = NewsSpider(o)
    spider._set_crawler(crawler)
    crawler.spider = spider
    s = SeenSet()
    for u in seen:
        s.add(url_key(u, source.mobile_hosts))
    from spiders.entries import cutoff
    spider.frontier = Frontier(source, s, o.budget, None if o.backfill else cutoff(o.day, source.freshness.max_age_days, source.tz))
    spider.recorder = FakeRecorder()
    spider.validators = {}
    spider.trust_previous = trust_previous   # the previous crawl traversed every listing page
    return spider


def response(req: Request, body: bytes | str, status=200, headers=None, cls=HtmlResponse):
    if isinstance(body, str):
        body = body.encode("utf-8")
    headers = headers or {"Content-Type": "text/html; charset=utf-8"}
    return cls(url=req.url, body=body, status=status, headers=headers, request=req)


def xml_response(req: Request, body: bytes):
    return response(req, body, headers={"Content-Type": "application/xml"}, cls=XmlResponse)


@pytest.fixture
def spider_factory():
    return make_spider
