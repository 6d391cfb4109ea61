"""What each replayed site serves: robots, listings with pagination, feeds, sitemaps, e-papers, chrome."""
from __future__ import annotations

import http.client
import re
from datetime import date, datetime
from urllib.parse import urlsplit

import pytest
from lxml import etree
from protego import Protego

from pipelines.urls import canonicalize

from .conftest import links

HTTP_HARD_CASE = re.compile(r"/390\d{3,}\.html$")
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "n": "http://www.google.com/schemas/sitemap-news/0.9",
      "a": "http://www.w3.org/2005/Atom"}


def _desktop(replay, url: str) -> str:
    src = next(s for s in replay.config.sources if s.allows_host(url) or urlsplit(url).netloc in s.mobile_hosts)
    return canonicalize(url, src.mobile_hosts)


def test_robots_txt_on_every_host(replay, http):
    for host in replay.host_map:
        r = http.get(replay.url(host, "/robots.txt"))
        assert r.status_code == 200 and r.text.startswith("User-agent: *"), host
    bt = http.get(replay.url("www.btchangqing.cn", "/robots.txt")).text
    assert "Disallow: /wp-admin/" in bt and f"Sitemap: {replay.url('www.btchangqing.cn', '/wp-sitemap.xml')}" in bt


@pytest.mark.parametrize("sid", ["stdaily", "bbtnews", "bjnews", "ce", "finews", "btchangqing"])
def test_listing_pages_reach_every_listed_article_newest_first(replay, http, sid):
    src = replay.config.get(sid)
    found = []
    for lst in src.discovery.listings:
        page, url = 1, lst.url
        while True:
            r = http.get(url)
            assert r.status_code == 200, url
            arts = [_desktop(replay, u) for u in links(r.text)
                    if src.is_article_url(u) and not HTTP_HARD_CASE.search(u)]   # the sidebar's hard cases
            assert 0 < len(arts) <= 8
            found += arts
            page += 1
            url = lst.pagination.format(page=page)
            if url not in [u.replace("&amp;", "&") for u in links(r.text)]:
                assert http.get(url).status_code == 404
                break
        assert 2 <= page - 1 <= lst.max_pages, (lst.url, page - 1)   # every listing paginates
    want = [r for r in replay.articles(sid, "web") if r.listed]
    assert set(found) == {canonicalize(r.url) for r in want}
    by_url = {canonicalize(r.url): r.published for r in want}
    times = [by_url[u] for u in found[:8]]
    assert times == sorted(times, reverse=True)


def test_feeds_parse_and_link_articles(replay, http):
    for src in replay.config.sources:
        for feed in src.discovery.feeds:
            r = http.get(feed)
            root = etree.fromstring(r.content)
            if root.tag.endswith("feed"):   # finews: Atom (jekyll-feed)
                assert "atom" in r.headers["Content-Type"]
                entries = root.findall("a:entry", NS)
                urls = [e.find("a:link", NS).get("href") for e in entries]
                dates = [datetime.fromisoformat(e.findtext("a:published", namespaces=NS)) for e in entries]
            else:
                items = root.findall("channel/item")
                urls = [i.findtext("link") for i in items]
                from email.utils import parsedate_to_datetime
                dates = [parsedate_to_datetime(i.findtext("pubDate")) for i in items]
            # bbtnews' feed adds utm_* parameters: the article pattern matches the canonical URL.
            assert urls and all(src.is_article_url(canonicalize(u)) for u in urls), feed
            assert dates == sorted(dates, reverse=True)
    ce = http.get(replay.config.get("ce").discovery.feeds[0])
    assert ce.content.startswith(b'<?xml version="1.0" encoding="GBK"?>') and "GBK" in ce.headers["Content-Type"]


def test_sitemaps_list_every_article_with_dates(replay, http):
    for sid in ("stdaily", "ce", "finews", "btchangqing"):
        src = replay.config.get(sid)
        locs, todo = {}, list(src.discovery.sitemaps)
        while todo:
            root = etree.fromstring(http.get(todo.pop()).content)
            todo += [e.text for e in root.findall("s:sitemap/s:loc", NS)]
            for u in root.findall("s:url", NS):
                locs[u.findtext("s:loc", namespaces=NS)] = datetime.fromisoformat(u.findtext("s:lastmod", namespaces=NS))
        assert set(locs) == {r.url for r in replay.articles(sid, "web") if r.listed}, sid
    news = etree.fromstring(http.get(replay.config.get("bjnews").discovery.news_sitemaps[0]).content)
    pub = news.findall("s:url/n:news/n:publication_date", NS)
    assert pub and all(datetime.fromisoformat(p.text) >= datetime.fromisoformat("2022-07-26T08:00:00+08:00")
                       for p in pub)


def test_bjnews_epaper_by_date(replay, http):
    src = replay.config.get("bjnews")
    index = src.discovery.archive.index.format(date=date(2022, 7, 27))
    html = http.get(index).text
    nodes = {u for u in links(html) if "/node_" in u}
    contents = set()
    for node in nodes:
        contents |= {u for u in links(http.get(node).text) if "/content_" in u}
    seed = next(r for r in replay.articles("bjnews", "epaper") if r.seed == "001")
    assert seed.url in contents
    page = http.get(seed.url).text
    assert "<table class=\"rit\"><tr><td></td><td>&nbsp;</td>" in page
    assert "A04-A05版采写/新京报记者 徐美慧" in page and "更多详细新闻请浏览新京报网 www.bjnews.com.cn" in page
    assert "京津冀协同发展中的创新引擎。" in page and "," in page      # half-width commas
    empty_day = src.discovery.archive.index.format(date=date(2022, 5, 1))
    assert http.get(empty_day).status_code == 404
    assert http.get(src.discovery.archive.index.format(date=date(2022, 7, 29))).status_code == 404  # future


CHROME = {
    "stdaily": ["当前位置：", "分享到：", "【纠错】", "相关新闻", "返回首页", "科技日报社版权所有", "来源：科技日报"],
    "bbtnews": ["当前位置：", 'class="article-share"', 'id="comment"', "article:published_time", "返回首页"],
    "bjnews": ['"@type": "NewsArticle"', 'class="fenxiang"', 'class="comment-box"', "新京报社版权所有", "返回首页"],
    "ce": ["您当前的位置", 'class="fenxiang"', 'id="pl"', "来源：", "(责任编辑："],
    "finews": ["（文章来源：", "返回首页</a>", 'class="share-link"', '"@type": "BlogPosting"', "dt-published"],
    "btchangqing": ["当前位置:", "温馨提示:", "文章链接:", "更新时间:", "本站大部分内容均收集于网络", "0 条回复",
                    "个人中心", "购物车", "分享到："],
}


@pytest.mark.parametrize("sid", sorted(CHROME))
def test_article_pages_have_their_site_chrome(replay, http, sid):
    rec = next(r for r in replay.articles(sid, "web") if r.hard_case is None)
    r = http.get(rec.url)
    text = r.content.decode("gb18030" if sid == "ce" else "utf-8")
    for marker in CHROME[sid]:
        assert marker in text, (sid, marker)
    assert rec.title in text and rec.paragraphs[-1] in text
    for u in links(text):   # every absolute link uses the replay's host:port form
        assert not u.startswith(("http", "//")) or "127.0.0.1:" in u, u


def test_ce_pages_are_gbk_bytes(replay, http):
    rec = next(r for r in replay.articles("ce", "web") if r.hard_case is None)
    r = http.get(rec.url)
    assert r.headers["Content-Type"] == "text/html; charset=GBK"
    with pytest.raises(UnicodeDecodeError):
        r.content.decode("utf-8")
    assert rec.title.encode("gbk") in r.content and b"charset=gb2312" in r.content


def test_mobile_and_tracking_links_lead_to_the_same_article(replay, http):
    m = http.get(replay.hard_cases["mobile_link"])
    assert m.status_code == 200 and 'rel="canonical"' in m.text
    listing = http.get(replay.config.get("bjnews").discovery.listings[0].url).text
    assert replay.hard_cases["mobile_link"].split("/detail")[0] in listing   # m.bjnews links in the listing
    t = http.get(replay.hard_cases["tracking_link"])
    assert t.status_code == 200
    assert "utm_source=rss" in http.get(replay.config.get("bbtnews").discovery.feeds[0]).text


def test_keep_alive_serves_many_requests_on_one_connection(replay):
    rec = replay.articles("stdaily", "web")[:5]
    p = urlsplit(rec[0].url)
    conn = http.client.HTTPConnection(p.hostname, p.port, timeout=5)
    for r in rec * 2:
        conn.request("GET", urlsplit(r.url).path)
        resp = conn.getresponse()
        assert resp.status == 200 and resp.getheader("Connection") != "close"
        resp.read()
    conn.close()
    ports = {e.port for e in replay.requests_to("stdaily")}
    assert ports


def test_protego_reads_every_robots(replay, http):
    for host in replay.host_map:
        rp = Protego.parse(http.get(replay.url(host, "/robots.txt")).text)
        assert rp.can_fetch(replay.url(host, "/"), "newsarchive")


@pytest.mark.parametrize("sid", ["finews", "btchangqing"])
def test_date_archives_of_jekyll_and_wordpress(replay, http, sid):
    src = replay.config.get(sid)
    by_day: dict = {}
    for r in replay.articles(sid, "web"):
        if r.listed:
            by_day.setdefault(r.published.date(), set()).add(r.url)
    day, urls = max(by_day.items())
    page = http.get(src.discovery.archive.index.format(date=day))
    assert page.status_code == 200 and urls <= set(links(page.text))
    assert all(re.search(src.discovery.archive.article_pattern, urlsplit(u).path) for u in urls)
    assert http.get(src.discovery.archive.index.format(date=date(2022, 5, 2))).status_code == 404


def test_epaper_bylines(replay, http):
    for sid, marker in (("stdaily", "本报记者 "), ("bbtnews", "文/"), ("ce", "作者：")):
        rec = next(r for r in replay.articles(sid, "epaper") if r.authors)
        text = http.get(rec.url).content.decode("gb18030" if sid == "ce" else "utf-8")
        assert marker + " ".join(rec.authors) in text, sid


def test_every_edition_has_its_index_page(replay, http):
    for sid in ("stdaily", "bbtnews", "bjnews", "ce"):
        src = replay.config.get(sid)
        days = {r.published.date() for r in replay.articles(sid, "epaper")}
        for day in sorted(days)[-5:]:
            r = http.get(src.discovery.archive.index.format(date=day))
            assert r.status_code == 200 and "node_" in r.text, (sid, day)
