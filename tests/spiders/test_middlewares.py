"""Downloader middlewares and item pipelines on a stub crawler (no network, no reactor)."""
import asyncio
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from urllib.parse import urlsplit

from scrapy.http import HtmlResponse, Request, Response

from spiders import middlewares
from spiders.items import Fetch
from spiders.middlewares import ATTEMPT, BackoffRetryMiddleware, CaptureMiddleware, SafetyMiddleware, retry_after
from spiders.outcome import Blocked, is_html, of_exception
from spiders.pipelines import EncodingCheckPipeline


def run(result):
    """Middleware methods answer at once, or with a coroutine when they must wait (DNS, backoff)."""
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


def test_safety_blocks_foreign_hosts_and_private_addresses(spider_factory, monkeypatch):
    async def dns(host):
        return {"www.bjnews.com.cn": "120.92.78.97", "epaper.bjnews.com.cn": "192.168.1.20"}[host]
    monkeypatch.setattr(middlewares, "resolve_host", dns)
    spider = spider_factory("bjnews")
    mw = SafetyMiddleware.from_crawler(spider.crawler)
    assert run(mw.process_request(Request("https://www.bjnews.com.cn/detail/1.html"))) is None
    with pytest.raises(Blocked) as e:     # an allowed name that resolves to a private address
        run(mw.process_request(Request("https://epaper.bjnews.com.cn/html/2022-07/27/node_1.htm")))
    assert e.value.reason == "private_address"
    with pytest.raises(Blocked) as e:
        run(mw.process_request(Request("https://www.8btc.com/1.html")))
    assert e.value.reason == "offsite"
    import pipelines.config as pc
    data = spider.source.model_dump()
    data["allowed_domains"].append("10.0.0.7")
    spider.source = pc.Source.model_validate(data)
    with pytest.raises(Blocked) as e:
        run(mw.process_request(Request("http://10.0.0.7/detail/1.html")))
    assert e.value.reason == "private_address"
    spider.source = pc.Source.model_validate({**data, "allow_private_addresses": True})
    assert run(mw.process_request(Request("http://10.0.0.7/detail/1.html"))) is None


def test_retry_after_header_forms():
    def resp(value):
        return Response("https://x.cn/", status=429, headers={"Retry-After": value} if value else {})
    assert retry_after(resp("7")) == 7.0
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    assert 25 <= retry_after(resp(later)) <= 30
    assert retry_after(resp(None)) is None and retry_after(resp("soon")) is None


def test_backoff_waits_retry_after_then_exponentially(spider_factory, monkeypatch):
    spider = spider_factory("bjnews")
    spider.crawler.settings.frozen = False
    spider.crawler.settings.set("RETRY_BACKOFF_BASE", 0.5)
    mw = BackoffRetryMiddleware.from_crawler(spider.crawler)
    waits = []

    async def fake_sleep(s):
        waits.append(s)
    monkeypatch.setattr(middlewares, "sleep", fake_sleep)
    req = Request("https://www.bjnews.com.cn/detail/1.html")
    new = run(mw.process_response(req, Response(req.url, status=429, headers={"Retry-After": "1"})))
    assert isinstance(new, Request) and waits == [1.0]
    new2 = run(mw.process_response(new, Response(req.url, status=503)))
    assert isinstance(new2, Request) and waits[-1] == 1.0          # 0.5 * 2 ** (2 - 1)
    gone = Response(req.url, status=429, headers={"Retry-After": "86400"})
    assert run(mw.process_response(req, gone)) is gone               # too long: give up now, no wait
    assert run(mw.process_response(req, Response(req.url, status=404))).status == 404


def test_capture_stashes_raw_attempts_and_flushes_them_on_retry(spider_factory):
    spider = spider_factory("bjnews")
    mw = CaptureMiddleware.from_crawler(spider.crawler)
    req = spider.article("https://www.bjnews.com.cn/detail/1.html", {"via": "feed"})
    req.headers["User-Agent"] = "newsarchive-test"
    raw = Response(req.url, status=500, body=b"\x1f\x8b gzip bytes", headers={"Content-Encoding": "gzip"})
    assert mw.process_response(req, raw) is raw
    att = req.meta[ATTEMPT]
    assert (att.status, att.exchange.body) == (500, b"\x1f\x8b gzip bytes")
    assert ("User-Agent", "newsarchive-test") in att.exchange.request_headers
    retry = req.copy()
    mw.process_request(retry)                 # the retry passes again: the 500 is written, not final
    (f,) = spider.recorder.fetches
    assert (f.final, f.outcome, f.status, f.attempt) == (False, "http_error", 500, 1)
    assert ATTEMPT not in retry.meta
    robots = Request("https://www.bjnews.com.cn/robots.txt")
    mw.process_response(robots, Response(robots.url, status=200, body=b"User-agent: *"))
    assert spider.recorder.fetches[-1].kind == "robots" and spider.recorder.fetches[-1].final


def test_outcome_names():
    from scrapy.exceptions import DownloadCancelledError, DownloadTimeoutError, IgnoreRequest, ResponseDataLossError
    assert of_exception(DownloadTimeoutError("x")) == "timeout"
    assert of_exception(DownloadCancelledError("")) == "too_large"
    assert of_exception(ResponseDataLossError()) == "connection_error"
    assert of_exception(IgnoreRequest("Forbidden by robots.txt")) == "robots_disallowed"
    assert is_html("text/html; charset=gbk", b"") and not is_html("application/pdf", b"<html>")
    assert is_html(None, b"  <!DOCTYPE html><html>") and not is_html("application/octet-stream", b"%PDF")


def test_encoding_check_counts_mojibake_per_source(spider_factory):
    spider = spider_factory("ce")
    pipe = EncodingCheckPipeline.from_crawler(spider.crawler)
    gbk = '<html><head><meta charset="gbk"><title>中国经济网</title></head><body><p>科技日报记者王镕报道</p></body></html>'
    f = Fetch("http://www.ce.cn/1.shtml", "article", "ok", True, datetime.now(timezone.utc), 200,
              body=gbk.encode("gb18030"))
    pipe.process_item(f)
    assert (f.encoding, f.mojibake) == ("gb18030", False)
    bad = Fetch("http://www.ce.cn/2.shtml", "article", "ok", True, datetime.now(timezone.utc), 200,
                body=b"<html><head><meta charset='utf-8'></head><body>" + "乱码页".encode("gbk") * 50 + b"</body></html>")
    pipe.process_item(bad)
    assert bad.mojibake is True
    assert spider.crawler.stats.get_value("newsarchive/mojibake_pages") == 1


def test_html_response_helper_is_text(spider_factory):
    spider = spider_factory("bjnews")
    req = Request("https://www.bjnews.com.cn/tech")
    assert isinstance(HtmlResponse(req.url, body=b"<a href='/detail/1.html'>x</a>", request=req), Response)
    assert list(spider.page_links(HtmlResponse(req.url, body=b"<a href='/detail/1.html'>x</a>", request=req))) == [
        ("https://www.bjnews.com.cn/detail/1.html", "x")]


def _with_domains(spider, *domains, **fields):
    import pipelines.config as pc
    data = spider.source.model_dump()
    data["allowed_domains"] = [*data["allowed_domains"], *domains]
    spider.source = pc.Source.model_validate({**data, **fields})


@pytest.mark.parametrize("url,reason", [
    ("http://www.bjnews.com.cn:80@evil.com/detail/1.html", "invalid_url"),   # credentials: refused outright
    ("http://evil.com:80@www.bjnews.com.cn/detail/1.html", "invalid_url"),
    ("https://www.bjnews.com.cn/detail/" + "1" * 2100 + ".html", "url_too_long"),
    ("http://[::1]:8080/detail/1.html", "offsite"),
    ("http://[fd00::7]/detail/1.html", "private_address"),       # allowed, but a private IPv6 literal
    ("http://100.100.100.200/latest/meta-data/", "private_address"),
    ("http://2130706433/detail/1.html", "private_address"),      # 127.0.0.1 written as a number
    ("http://sneaky.www.bjnews.com.cn/detail/1.html", "private_address"),   # resolves to the metadata address
])
def test_safety_refuses_what_the_fetcher_would_misread_or_must_not_reach(spider_factory, monkeypatch, url, reason):
    async def dns(host):
        return {"sneaky.www.bjnews.com.cn": "100.100.100.200"}.get(host, "120.92.78.97")
    monkeypatch.setattr(middlewares, "resolve_host", dns)
    spider = spider_factory("bjnews")
    _with_domains(spider, "[fd00::7]", "100.100.100.200", "2130706433")
    mw = SafetyMiddleware.from_crawler(spider.crawler)
    with pytest.raises(Blocked) as e:
        run(mw.process_request(Request(url)))
    assert e.value.reason == reason
    assert spider.crawler.stats.get_value(f"newsarchive/blocked/{reason}") == 1


def test_safety_lets_an_allowed_ipv6_literal_through_when_private_addresses_are_allowed(spider_factory):
    spider = spider_factory("bjnews")
    _with_domains(spider, "[::1]:8080", allow_private_addresses=True)
    mw = SafetyMiddleware.from_crawler(spider.crawler)
    assert run(mw.process_request(Request("http://[::1]:8080/detail/1.html"))) is None


def _delay_crawler(spider_factory, cap=2.0, delay=0.0):
    from spiders.etiquette import RobotsCrawlDelay
    spider = spider_factory("finews")
    s = spider.crawler.settings
    s.frozen = False
    s.set("ROBOTSTXT_CRAWL_DELAY_MAX", cap)
    s.set("DOWNLOAD_DELAY", delay)

    class Downloader:       # the two parts of scrapy's Downloader that the extension uses
        per_slot_settings, slots = {}, {}

        @staticmethod
        def get_slot_key(request):
            return urlsplit(request.url).hostname

    spider.crawler.engine = type("Engine", (), {"downloader": Downloader()})()
    return spider.crawler, RobotsCrawlDelay.from_crawler(spider.crawler)


@pytest.mark.parametrize("robots,cap,expect", [
    ("User-agent: *\nCrawl-delay: 1.5\n", 10.0, 1.5),
    ("User-agent: *\nCrawl-delay: 3600\n", 2.0, 2.0),                   # capped
    ("User-agent: newsarchive\nRequest-rate: 1/4s\n", 10.0, 4.0),
    ("User-agent: *\nCrawl-delay: 5\n", 0.0, None),                     # a cap of 0 ignores it
    ("User-agent: otherbot\nCrawl-delay: 5\n", 10.0, None),
])
def test_robots_crawl_delay_sets_the_host_slot_delay_up_to_the_cap(spider_factory, robots, cap, expect):
    from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware  # noqa: F401 - scrapy's parser below
    from scrapy.robotstxt import ProtegoRobotParser
    crawler, ext = _delay_crawler(spider_factory, cap)
    ext.robots_parsed(ProtegoRobotParser(robots.encode(), None), Request("https://finews.withounder.com/a.html"))
    slots = crawler.engine.downloader.per_slot_settings
    if expect is None:
        assert slots == {}
    else:
        assert slots == {"finews.withounder.com": {"delay": expect, "jitter": 0.0}}
        assert crawler.stats.get_value("newsarchive/crawl_delay/finews.withounder.com") == expect
    assert bool(crawler.stats.get_value("newsarchive/crawl_delay_capped")) is (cap == 2.0)


def test_autothrottle_never_goes_below_the_crawl_delay(spider_factory):
    from scrapy.core.downloader import Slot
    from spiders.etiquette import FlooredAutoThrottle
    crawler, _ = _delay_crawler(spider_factory)
    crawler.settings.set("AUTOTHROTTLE_ENABLED", True)
    at = FlooredAutoThrottle(crawler)
    at.mindelay, at.maxdelay = 0.0, 60.0
    slot = Slot(concurrency=1, delay=3.0, jitter=0.0)
    crawler.engine.downloader.slots["h"] = slot
    crawler.engine.downloader.per_slot_settings["h"] = {"delay": 3.0}
    req = Request("https://h/1", meta={"download_slot": "h", "download_latency": 0.01})
    for _ in range(5):      # fast answers: plain AutoThrottle would drop the delay towards 0
        at._response_downloaded(Response(req.url, status=200, request=req), req, None)
    assert slot.delay == 3.0
