import gzip
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from spiders.entries import cutoff, extract_links, parse_date, parse_feed, parse_sitemap

TZ = ZoneInfo("Asia/Shanghai")

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>科技</title>
<item><title>新闻一</title><link>https://www.bbtnews.com.cn/2022/0727/1.shtml</link>
  <pubDate>Wed, 27 Jul 2022 08:00:00 +0800</pubDate><category>科技</category></item>
<item><title>新闻二</title><guid>https://www.bbtnews.com.cn/2022/0727/2.shtml</guid><dc:date>2022-07-26 09:30</dc:date></item>
<item><title>无链接</title></item>
</channel></rss>""".encode()

ATOM = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">
<entry><title>A</title><link rel="alternate" href="/2022/07/27/a.html"/><link rel="edit" href="/edit/1"/>
<updated>2022-07-27T10:00:00Z</updated><category term="tech"/></entry></feed>"""

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://www.bjnews.com.cn/detail/1.html</loc><lastmod>2022-07-01</lastmod>
  <news:news><news:publication_date>2022-07-27T08:00:00+08:00</news:publication_date><news:title>T1</news:title></news:news></url>
<url><loc>https://www.bjnews.com.cn/detail/2.html</loc><lastmod>2022-06-01</lastmod></url>
<url><loc>https://www.bjnews.com.cn/detail/3.html</loc></url>
</urlset>"""

INDEX = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://x.cn/s1.xml</loc><lastmod>2022-07-27</lastmod></sitemap>
<sitemap><loc>https://x.cn/s0.xml</loc><lastmod>2019-01-01</lastmod></sitemap></sitemapindex>"""


def test_rss_items_with_dates_titles_sections():
    es = parse_feed(RSS, "https://www.bbtnews.com.cn/rss/kj.xml", TZ)
    assert [e.url for e in es] == ["https://www.bbtnews.com.cn/2022/0727/1.shtml", "https://www.bbtnews.com.cn/2022/0727/2.shtml"]
    assert es[0].published == datetime(2022, 7, 27, 0, 0, tzinfo=timezone.utc)
    assert es[0].title == "新闻一" and es[0].section == "科技"
    assert es[1].published == datetime(2022, 7, 26, 9, 30, tzinfo=TZ)  # naive -> source timezone
    assert es[0].hints("feed") == {"via": "feed", "published": "2022-07-27T08:00:00+08:00", "published_from": "feed",
                                   "title": "新闻一", "section": "科技"}


def test_atom_alternate_link_relative_to_feed_and_updated_is_a_modification_time():
    (e,) = parse_feed(ATOM, "https://finews.withounder.com/feed.xml", TZ)
    assert e.url == "https://finews.withounder.com/2022/07/27/a.html"
    assert (e.published, e.modified) == (None, datetime(2022, 7, 27, 10, tzinfo=timezone.utc)) and e.section == "tech"
    assert e.newest == e.modified
    assert e.hints("feed") == {"via": "feed", "modified": "2022-07-27T10:00:00+00:00", "modified_from": "feed",
                               "title": "A", "section": "tech"}


def test_news_sitemap_publication_date_is_published_and_lastmod_is_modified():
    es = parse_sitemap(NEWS_SITEMAP, "https://www.bjnews.com.cn/sitemap/news.xml", TZ)
    assert [e.published.date() if e.published else None for e in es] == [date(2022, 7, 27), None, None]
    assert [e.modified.date() if e.modified else None for e in es] == [date(2022, 7, 1), date(2022, 6, 1), None]
    assert es[0].title == "T1" and not es[0].is_sitemap and es[0].extra == {"news": True} and es[1].extra == {}
    assert es[0].hints("news_sitemap") == {
        "via": "news_sitemap", "published": "2022-07-27T08:00:00+08:00", "published_from": "news_sitemap",
        "modified": "2022-07-01T00:00:00+08:00", "modified_from": "sitemap_lastmod", "title": "T1"}
    assert es[1].hints("sitemap") == {"via": "sitemap", "modified": "2022-06-01T00:00:00+08:00",
                                      "modified_from": "sitemap_lastmod"}


def test_sitemap_index_and_gzip():
    es = parse_sitemap(gzip.compress(INDEX), "https://x.cn/sitemap.xml", TZ)
    assert [(e.url, e.is_sitemap) for e in es] == [("https://x.cn/s1.xml", True), ("https://x.cn/s0.xml", True)]


def test_garbage_and_entities_are_harmless():
    assert parse_feed(b"<html><body>not a feed</body></html>", "https://x.cn/", TZ) == []
    assert parse_sitemap(b"", "https://x.cn/", TZ) == []
    evil = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
    <rss><channel><item><title>&x;</title><link>https://x.cn/1.html</link></item></channel></rss>"""
    (e,) = parse_feed(evil, "https://x.cn/", TZ)
    assert "root:" not in (e.title or "")


def test_parse_date_forms():
    assert parse_date("2022年7月27日 08:05", TZ) == datetime(2022, 7, 27, 8, 5, tzinfo=TZ)
    assert parse_date("2022-07-27", TZ) == datetime(2022, 7, 27, tzinfo=TZ)
    assert parse_date("nonsense", TZ) is None and parse_date(None, TZ) is None
    assert cutoff(date(2022, 7, 28), 30, TZ) == datetime(2022, 6, 28, tzinfo=TZ)


def test_extract_links_base_href_fragments_and_schemes():
    html = """<html><head><base href="https://www.ce.cn/cysc/"></head><body>
    <a href="tech/202207/27/t20220727_1.shtml#top"> 标题 一 </a><a href="javascript:void(0)">x</a>
    <a href="mailto:a@b.c">m</a><a href="//other.cn/p.html">o</a><a>none</a></body></html>"""
    assert list(extract_links(html, "https://www.ce.cn/cysc/tech/index.shtml")) == [
        ("https://www.ce.cn/cysc/tech/202207/27/t20220727_1.shtml", "标题 一"), ("https://other.cn/p.html", "o")]
    assert list(extract_links("", "https://x.cn/")) == []
