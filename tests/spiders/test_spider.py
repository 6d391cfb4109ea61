"""The generic spider's callbacks and errback on in-memory responses (bjnews / ce configs)."""
from datetime import date, datetime, timezone

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from spiders.items import Fetch
from spiders.middlewares import ATTEMPT, Attempt
from spiders.outcome import Blocked
from tests.spiders.conftest import response, xml_response

B = "https://www.bjnews.com.cn"


def split(out):
    out = [x for x in out if x is not None]
    return [x for x in out if isinstance(x, Fetch)], [x for x in out if isinstance(x, Request)]


def listing_page(spider, page, links):
    url = f"{B}/tech" if page == 1 else f"{B}/tech?page={page}"
    req = spider.request(url, "listing", spider.parse_listing, na_listing=0, na_page=page)
    html = "<html><body>" + "".join(f'<a href="{u}">标题{i}</a>' for i, u in enumerate(links)) + \
           '<a href="/about.html">关于</a></body></html>'
    return split(spider.parse_listing(response(req, html)))


def test_listing_pages_until_an_archived_article(spider_factory):
    spider = spider_factory(seen=[f"{B}/detail/5.html"])
    fetches, reqs = listing_page(spider, 1, [f"{B}/detail/1.html", "/detail/2.html?utm_source=wx",
                                             "//m.bjnews.com.cn/detail/1.html", "//m.bjnews.com.cn/detail/3.html"])
    assert [(f.kind, f.outcome, f.final) for f in fetches] == [("listing", "ok", True)]
    # fetched under the canonical URL: tracking parameters gone, mobile host -> desktop host
    assert [r.url for r in reqs] == [f"{B}/detail/1.html", f"{B}/detail/2.html", f"{B}/detail/3.html", f"{B}/tech?page=2"]
    assert reqs[1].meta["na_hints"]["linked_as"] == f"{B}/detail/2.html?utm_source=wx"
    assert reqs[0].meta["na_hints"] == {"via": "listing", "title": "标题0", "found_on": f"{B}/tech"}
    assert reqs[-1].priority > reqs[0].priority       # discovery pages first
    _, reqs = listing_page(spider, 2, [f"{B}/detail/4.html", f"{B}/detail/5.html"])
    assert [r.url for r in reqs] == [f"{B}/detail/4.html"]   # page 2 holds an archived article: no page 3
    assert spider.frontier.skipped["seen"] == 1 and spider.frontier.skipped["duplicate"] == 1


def test_after_an_interrupted_crawl_listings_are_paged_through(spider_factory):
    spider = spider_factory(seen=[f"{B}/detail/5.html"], trust_previous=False)
    _, reqs = listing_page(spider, 2, [f"{B}/detail/4.html", f"{B}/detail/5.html"])
    assert [r.url for r in reqs] == [f"{B}/detail/4.html", f"{B}/tech?page=3"]


def test_listing_stops_at_max_pages_and_on_empty_page(spider_factory):
    spider = spider_factory()
    _, reqs = listing_page(spider, 10, [f"{B}/detail/10.html"])
    assert [r.url for r in reqs] == [f"{B}/detail/10.html"]
    _, reqs = listing_page(spider, 3, [])
    assert reqs == []


def test_404_past_the_last_listing_page_is_the_end_not_a_failure(spider_factory):
    spider = spider_factory()
    for page, expected in ((3, "end_of_list"), (1, "http_error")):
        req = spider.request(f"{B}/tech?page={page}", "listing", spider.parse_listing, na_listing=0, na_page=page)
        (f,) = spider.failed(_failure(req, HttpError(response(req, "no", status=404))))
        assert f.outcome == expected


def test_article_shaped_offsite_link_is_logged_not_requested(spider_factory):
    spider = spider_factory()
    fetches, reqs = listing_page(spider, 1, ["https://www.8btc.com/detail/9.html", "https://www.8btc.com/x"])
    off = [f for f in fetches if f.outcome == "offsite"]
    assert len(off) == 1 and off[0].requested is False and off[0].url == "https://www.8btc.com/detail/9.html"
    assert not [r for r in reqs if "8btc" in r.url]


def test_news_sitemap_skips_entries_older_than_max_age(spider_factory):
    spider = spider_factory()
    req = spider.request(f"{B}/sitemap/news.xml", "sitemap", spider.parse_sitemap)
    body = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
    <url><loc>https://www.bjnews.com.cn/detail/1.html</loc><news:news><news:publication_date>2022-07-27T08:00:00+08:00</news:publication_date></news:news></url>
    <url><loc>https://www.bjnews.com.cn/detail/2.html</loc><lastmod>2022-06-27</lastmod></url>
    <url><loc>https://www.bjnews.com.cn/detail/3.html</loc><lastmod>2022-06-28T00:00:00+08:00</lastmod></url></urlset>"""
    _, reqs = split(spider.parse_sitemap(xml_response(req, body)))
    assert [r.url for r in reqs] == [f"{B}/detail/1.html", f"{B}/detail/3.html"]   # 30 days before 2022-07-28
    assert reqs[0].meta["na_hints"] == {"via": "news_sitemap", "published": "2022-07-27T08:00:00+08:00",
                                        "published_from": "news_sitemap"}
    assert reqs[1].meta["na_hints"] == {"via": "sitemap", "modified": "2022-06-28T00:00:00+08:00",   # no <news:news>
                                        "modified_from": "sitemap_lastmod"}


def test_budget_bounds_requests(spider_factory):
    spider = spider_factory(budget=2)
    assert spider.request(f"{B}/tech", "listing", spider.parse_listing) is not None
    assert spider.article(f"{B}/detail/1.html", {}) is not None
    assert spider.article(f"{B}/detail/2.html", {}) is None and spider.frontier.exhausted


def test_backfill_fetches_exactly_the_archive_dates(spider_factory):
    spider = spider_factory(since=date(2022, 7, 25), until=date(2022, 7, 26))
    reqs = [r for r in spider.start_requests_list() if r]
    assert [r.url for r in reqs] == ["https://epaper.bjnews.com.cn/html/2022-07/25/node_1.htm",
                                     "https://epaper.bjnews.com.cn/html/2022-07/26/node_1.htm"]
    req = reqs[0]
    html = """<a href="node_2.htm">第二版</a><a href="../26/node_1.htm">下一期</a>
    <a href="content_11.htm">文一</a><a href="../24/content_9.htm">旧文</a><a href="https://www.bjnews.com.cn/detail/1.html">x</a>"""
    _, out = split(spider.parse_archive(response(req, html)))
    assert [(r.url.rsplit("/html/", 1)[1], r.meta["na_kind"]) for r in out] == [
        ("2022-07/25/node_2.htm", "archive"), ("2022-07/25/content_11.htm", "article")]
    assert out[1].meta["na_hints"] == {"via": "archive", "issue_date": "2022-07-25", "title": "文一"}


def test_refetch_recent_articles_is_conditional(spider_factory):
    from pipelines.capture.seen import SeenEntry
    spider = spider_factory()
    spider.frontier.seen.recent = {"k": SeenEntry(f"{B}/detail/7.html", datetime(2022, 7, 28, tzinfo=timezone.utc),
                                                  '"v1"', "Wed, 27 Jul 2022 08:00:00 GMT")}
    req = next(r for r in spider.start_requests_list() if r.url.endswith("/detail/7.html"))
    assert req.headers[b"If-None-Match"] == b'"v1"' and req.headers[b"If-Modified-Since"]
    assert req.meta["handle_httpstatus_list"] == [304]
    (f,) = spider.parse_article(response(req, b"", status=304))
    assert (f.outcome, f.kind) == ("not_modified", "article")


def test_refetches_are_bounded_conditional_and_keep_the_publication_hint(spider_factory):
    from pipelines.capture.seen import SeenEntry
    t = datetime(2022, 7, 28, tzinfo=timezone.utc)
    entries = [SeenEntry(f"{B}/detail/{i}.html", t, f'"v{i}"', published="2022-07-27T08:00:00+08:00",
                         published_from="news_sitemap") for i in range(12)]
    entries.append(SeenEntry(f"{B}/detail/99.html", t))   # no validator: cannot be conditional
    spider = spider_factory(budget=40)                    # a quarter of the budget: 10 re-fetches
    spider.frontier.seen.recent = {str(i): e for i, e in enumerate(entries)}
    reqs = [r for r in spider.start_requests_list() if r and r.meta["na_hints"].get("via") == "refetch"]
    assert [r.url for r in reqs] == [e.url for e in entries[:10]]
    assert spider.refetch == {"candidates": 12, "sent": 10, "not_modified": 0, "modified": 0}
    assert reqs[0].meta["na_hints"] == {"via": "refetch", "published": "2022-07-27T08:00:00+08:00",
                                        "published_from": "news_sitemap"}
    assert spider.frontier.admit_article(entries[0].url) == "duplicate"   # listed again: not fetched twice
    spider.parse_article(response(reqs[0], b"", status=304)).__next__()
    spider.parse_article(response(reqs[1], "<html><body>新版本</body></html>")).__next__()
    assert (spider.refetch["not_modified"], spider.refetch["modified"]) == (1, 1)


def test_refetch_off_and_unconditional_by_config(spider_factory):
    from pipelines.capture.seen import SeenEntry
    spider = spider_factory()
    spider.frontier.seen.recent = {"k": SeenEntry(f"{B}/detail/99.html", datetime(2022, 7, 28, tzinfo=timezone.utc))}
    assert spider.refetches() == []
    src = spider.source.model_copy(update={"freshness": spider.source.freshness.model_copy(
        update={"refetch_unconditional": True})})
    spider.source = src
    (req,) = [r for r in spider.start_requests_list() if r and r.meta["na_hints"].get("via") == "refetch"]
    assert b"If-None-Match" not in req.headers and b"If-Modified-Since" not in req.headers


def test_article_outcomes_html_and_not_html(spider_factory):
    spider = spider_factory()
    req = spider.article(f"{B}/detail/1.html", {"via": "feed"})
    (f,) = spider.parse_article(response(req, b"%PDF-1.4", headers={"Content-Type": "application/pdf"}))
    assert f.outcome == "not_html" and f.body is None
    req = spider.article(f"{B}/detail/2.html", {"via": "feed"})
    (f,) = spider.parse_article(response(req, "<html><body>正文</body></html>"))
    assert f.outcome == "ok" and f.body and f.hints == {"via": "feed"}


def _failure(req, exc):
    f = Failure(exc)
    f.request = req
    return f


def test_errback_names_every_failure(spider_factory):
    spider = spider_factory()
    req = spider.article(f"{B}/detail/1.html", {})
    req.meta[ATTEMPT] = Attempt(req.url, datetime.now(timezone.utc), status=404)
    resp = response(req, "nope", status=404)
    (f,) = spider.failed(_failure(req, HttpError(resp)))
    assert (f.outcome, f.status, f.final) == ("http_error", 404, True)

    req = spider.article(f"{B}/detail/2.html", {})
    (f,) = spider.failed(_failure(req, IgnoreRequest("Forbidden by robots.txt")))
    assert (f.outcome, f.requested) == ("robots_disallowed", False)

    hop = spider.article(f"{B}/detail/3.html", {})
    target = hop.replace(url="https://evil.example.com/x", meta={**hop.meta, "redirect_urls": [hop.url]})
    target.meta[ATTEMPT] = Attempt(hop.url, datetime.now(timezone.utc), status=302)
    prev, final = spider.failed(_failure(target, Blocked("offsite", "not allowed")))
    assert (prev.final, prev.outcome, prev.url) == (False, "redirect", hop.url)
    assert (final.outcome, final.redirected_from, final.requested) == ("offsite", [hop.url], False)

    req = spider.article(f"{B}/detail/4.html", {})
    req.meta[ATTEMPT] = Attempt(req.url, datetime.now(timezone.utc), error="timeout", detail="slow")
    (f,) = spider.failed(_failure(req, Exception("timeout")))
    assert (f.outcome, f.detail) == ("timeout", "slow")


def test_discovery_pages_are_conditional_after_a_clean_crawl(spider_factory, local_store):
    from spiders.state import DiscoveryState
    spider = spider_factory()
    spider.validators = {f"{B}/tech": {"etag": '"l1"', "last_modified": None}}
    req = spider.request(f"{B}/tech", "listing", spider.parse_listing, na_listing=0, na_page=1)
    assert req.headers[b"If-None-Match"] == b'"l1"' and req.meta["handle_httpstatus_list"] == [304]
    out = list(spider.parse_listing(response(req, b"", status=304)))
    assert [(f.outcome, f.kind) for f in out] == [("not_modified", "listing")]   # nothing new: no page 2
    assert spider.not_modified == {f"{B}/tech"}
    DiscoveryState(True, {"u": {"etag": "e"}}, "r1").save(local_store, "bjnews")
    assert DiscoveryState.load(local_store, "bjnews") == DiscoveryState(True, {"u": {"etag": "e"}}, "r1")
    local_store.write_text(DiscoveryState.folder("bjnews") + "2099-01/20990101T000000000000__x.json", "{broken")
    assert DiscoveryState.load(local_store, "bjnews").complete is False


BT = "https://www.btchangqing.cn"


def _index(*locs):
    return ('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in locs) + "</sitemapindex>").encode()


def test_a_sitemap_index_listing_itself_is_fetched_once(spider_factory):
    spider = spider_factory("btchangqing")
    (req,) = [r for r in spider.start_requests_list() if r is not None and r.meta["na_kind"] == "sitemap"]
    body = _index(req.url, f"{BT}/wp-sitemap.xml?x=1", f"{BT}/wp-sitemap-posts-post-1.xml")
    fetches, reqs = split(spider.parse_sitemap(xml_response(req, body)))
    assert [r.url for r in reqs] == [f"{BT}/wp-sitemap.xml?x=1", f"{BT}/wp-sitemap-posts-post-1.xml"]
    assert spider.frontier.skipped["sitemap_cycle"] == 1
    _, again = split(spider.parse_sitemap(xml_response(reqs[0], body)))   # a second index listing the same
    assert again == [] and spider.frontier.skipped["sitemap_cycle"] == 4


def test_nested_sitemap_indexes_stop_at_max_depth(spider_factory):
    from spiders.discovery import MAX_SITEMAP_DEPTH
    spider = spider_factory("btchangqing")
    req = spider.request(f"{BT}/deep-0.xml", "sitemap", spider.parse_sitemap, na_depth=0)
    for depth in range(1, MAX_SITEMAP_DEPTH + 1):
        _, (req,) = split(spider.parse_sitemap(xml_response(req, _index(f"{BT}/deep-{depth}.xml"))))
        assert req.meta["na_depth"] == depth
    fetches, reqs = split(spider.parse_sitemap(xml_response(req, _index(f"{BT}/deep-9.xml"))))
    assert reqs == [] and [(f.url, f.outcome, f.requested) for f in fetches][1:] == [
        (f"{BT}/deep-9.xml", "sitemap_too_deep", False)]


def test_discovery_takes_at_most_half_the_budget(spider_factory):
    spider = spider_factory("btchangqing", budget=10)
    req = spider.request(f"{BT}/flood.xml", "sitemap", spider.parse_sitemap, na_depth=0)
    _, reqs = split(spider.parse_sitemap(xml_response(req, _index(*(f"{BT}/s{k}.xml" for k in range(100))))))
    assert len(reqs) == 4 and spider.frontier.discovery_requests == 5      # 5 of 10 for discovery
    assert spider.frontier.skipped["discovery_budget"] == 96 and spider.frontier.exhausted
    arts = [spider.article(f"{BT}/{n}.html", {}) for n in range(1, 8)]
    assert sum(isinstance(a, Request) for a in arts) == 5                  # the other 5 for articles


def test_over_long_and_odd_links_are_refused_or_logged_never_lost(spider_factory):
    spider = spider_factory("btchangqing")
    long_url = f"{BT}/{'1' * 2100}.html"
    html = (f'<a href="{long_url}">长</a><a href="http://[::1]:9/390606.html">v6</a>'
            f'<a href="http://[::1/1.html">broken</a><a href="http://www.btchangqing.cn:80@evil.com/2.html">u</a>'
            f'<a href="{BT}/3.html">ok</a>')
    req = spider.request(f"{BT}/qukuailian", "listing", spider.parse_listing, na_listing=0, na_page=1)
    fetches, reqs = split(spider.parse_listing(response(req, html)))
    lines = {f.url: (f.outcome, f.requested) for f in fetches[1:]}
    assert lines == {long_url: ("url_too_long", False), "http://[::1]:9/390606.html": ("offsite", False),
                     "http://www.btchangqing.cn:80@evil.com/2.html": ("offsite", False)}
    assert [r.url for r in reqs] == [f"{BT}/3.html", f"{BT}/qukuailian/page/2"]
    assert spider.frontier.requests == 3   # listing, article, next page: the refused ones cost nothing


def test_a_refused_discovery_url_is_a_reject_line(spider_factory):
    spider = spider_factory("btchangqing")
    out = spider.request("https://cdn.example.com/sitemap-2.xml", "sitemap", spider.parse_sitemap)
    assert (out.outcome, out.kind, out.requested, out.final) == ("offsite", "sitemap", False, True)
    out = spider.request(f"{BT}:99999/x.xml", "sitemap", spider.parse_sitemap)
    assert out.outcome == "invalid_url"
