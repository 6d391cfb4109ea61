"""Article metadata: title, authors, published_at (+ origin, offset), language, section, canonical URL."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from pipelines.extract.dates import date_in_url, parse_date
from pipelines.extract import extract
from pipelines.record import Article
from extract_helpers import CONFIG, PARAS, article_html, page

SH = ZoneInfo("Asia/Shanghai")
STD = CONFIG.get("stdaily")


def art(html, source=STD, **kw) -> Article:
    res = extract(page(html, **kw), source)
    assert isinstance(res, Article), res
    return res


@pytest.mark.parametrize("text,expect,has_time", [
    ("2022-04-17 18:08:38 +0800", datetime(2022, 4, 17, 10, 8, 38, tzinfo=timezone.utc), True),
    ("2021年07月14日", datetime(2021, 7, 13, 16, 0, tzinfo=timezone.utc), False),
    ("更新时间:2021年07月14日 12:51", datetime(2021, 7, 14, 4, 51, tzinfo=timezone.utc), True),
    ("2024-05-03T15:47:42.389Z", datetime(2024, 5, 3, 15, 47, 42, tzinfo=timezone.utc), True),
    ("Thu, 28 Jul 2022 08:00:00 GMT", datetime(2022, 7, 28, 8, 0, tzinfo=timezone.utc), True),
    ("9/17/2004 5:54:13 AM", datetime(2004, 9, 16, 21, 54, 13, tzinfo=timezone.utc), True),
    ("23.10.2024 15:48", datetime(2024, 10, 23, 7, 48, tzinfo=timezone.utc), True),
])
def test_parse_date_formats(text, expect, has_time):
    st = parse_date(text, SH)
    assert st.value == expect and st.has_time is has_time


@pytest.mark.parametrize("url,day", [
    ("http://www.ce.cn/cysc/tech/202204/17/t20220417_37500000.shtml", "2022-04-17"),
    ("https://finews.withounder.com/kejiribao/2022/04/17/abc.html", "2022-04-17"),
    ("http://digitalpaper.stdaily.com/kjrb/html/2022-04/17/content_1.htm", "2022-04-17"),
    ("https://www.bjnews.com.cn/detail/165873.html", None),
])
def test_date_in_url(url, day):
    st = date_in_url(url, SH)
    assert (st.value.date().isoformat() if st else None) == day


def test_title_without_site_suffix_and_generic_suffix():
    assert art(article_html()).title == "部市共建北京国际科技创新中心 参会代表这样说"
    html = article_html(site="-搜狐汽车").replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    assert art(html).title == "部市共建北京国际科技创新中心 参会代表这样说"


def test_published_from_jsonld_beats_meta_and_text():
    ld = '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2022-04-17T18:08:38+08:00",' \
         '"author":{"@type":"Person","name":"华凌"}}</script>'
    head = ld + '<meta property="article:published_time" content="2022-04-16T00:00:00+08:00">'
    a = art(article_html(head=head, before="<p>2022-04-15 09:00</p>"))
    assert (a.published_at, a.published_at_offset_minutes, a.published_at_origin) == (
        datetime(2022, 4, 17, 10, 8, 38, tzinfo=timezone.utc), 480, "jsonld")
    assert a.authors == ["华凌"]


def test_published_from_meta_without_timezone_uses_the_source_timezone():
    a = art(article_html(head='<meta name="publishdate" content="2022-04-17 18:08">'))
    assert a.published_at == datetime(2022, 4, 17, 10, 8, tzinfo=timezone.utc)
    assert (a.published_at_offset_minutes, a.published_at_origin) == (480, "meta")


@pytest.mark.parametrize("published,modified", [
    ("article:published:time", "article:modified:time"), ("Article.Published-Time", "article_modified_time"),
    ("publish_date", "dc:date:modified")])
def test_meta_date_names_match_whatever_separators_they_use(published, modified):
    # a CMS that writes article:published:time (colons for the underscore) still names the publication time
    head = (f'<meta property="{published}" content="2022-04-17T15:48:15+00:00">'
            f'<meta name="{modified}" content="2022-04-17T16:00:00+00:00">')
    a = art(article_html(head=head, before="<p>2022-04-15 09:00</p>"))
    assert (a.published_at, a.published_at_origin) == (datetime(2022, 4, 17, 15, 48, 15, tzinfo=timezone.utc), "meta")
    assert (a.modified_at, a.modified_at_origin) == (datetime(2022, 4, 17, 16, 0, tzinfo=timezone.utc), "meta")


def test_published_from_visible_text_next_to_the_headline():
    a = art(article_html(before="<div class='info'>2021年07月14日 12:51 来源：科技日报</div>"))
    assert a.published_at == datetime(2021, 7, 14, 4, 51, tzinfo=timezone.utc)
    assert a.published_at_origin == "text"


def test_labelled_update_time_in_text():
    html = article_html(title="标题", after="<p>更新时间:2021年07月14日</p>")
    a = art(html, url="https://www.btchangqing.cn/299537.html", source=CONFIG.get("btchangqing"))
    assert a.published_at.astimezone(SH).date().isoformat() == "2021-07-14"
    assert a.published_at_origin == "text"


def test_published_from_front_matter():
    fm = ('---\nlayout: post\ntitle: "部市共建北京国际科技创新中心现场推进会后"\ndate: 2022-04-17 18:08:38 +0800\n'
          'categories: kejiribao\n---\n' + "".join(f"<p>{p}</p>" for p in PARAS)
          + '<p class="em_media">（文章来源：科技日报）</p>')
    a = art(fm, url="https://finews.withounder.com/other/x.html", source=None)
    assert (a.title, a.published_at_origin, a.published_at_offset_minutes) == (
        "部市共建北京国际科技创新中心现场推进会后", "front_matter", 480)
    assert a.published_at == datetime(2022, 4, 17, 10, 8, 38, tzinfo=timezone.utc)
    assert (a.section, a.syndicated_from) == ("kejiribao", "科技日报")
    assert "文章来源" not in a.text


@pytest.mark.parametrize("hints,origin", [
    ({"via": "feed", "published_from": "feed"}, "feed"),
    ({"via": "news_sitemap", "published_from": "news_sitemap"}, "news_sitemap"),
    ({"via": "refetch", "published_from": "news_sitemap"}, "news_sitemap"),   # a re-fetch keeps the first hint
    ({"via": "feed"}, "feed"),                                              # crawl logs of schema 1
])
def test_published_from_discovery_hints(hints, origin):
    a = art(article_html(), hints={"published": "2022-04-17T18:08:38+08:00", **hints})
    assert (a.published_at_origin, a.published_at) == (origin, datetime(2022, 4, 17, 10, 8, 38, tzinfo=timezone.utc))


@pytest.mark.parametrize("hints", [
    {"via": "sitemap", "modified": "2022-04-27T15:00:00+08:00", "modified_from": "sitemap_lastmod"},
    {"via": "sitemap", "published": "2022-04-27T15:00:00+08:00"},   # schema 1 logs: lastmod or news date
])
def test_a_sitemap_lastmod_is_a_modification_time_below_every_date_of_the_page(hints):
    a = art(article_html(before="<p class='info'>2022-04-17 09:30</p>"), hints=hints)
    assert (a.published_at, a.published_at_origin) == (datetime(2022, 4, 17, 1, 30, tzinfo=timezone.utc), "text")
    assert (a.modified_at, a.modified_at_origin) == (datetime(2022, 4, 27, 7, 0, tzinfo=timezone.utc),
                                                     "sitemap_lastmod")
    a = art(article_html(), hints=hints)   # the URL's day beats it too, and it does not give that day a time
    assert (a.published_at_origin, a.published_at.astimezone(SH).isoformat()) == ("url", "2022-04-17T00:00:00+08:00")
    plain = "https://www.bjnews.com.cn/detail/165873.html"   # nothing else at all: the last resort
    a = art(article_html(), url=plain, source=CONFIG.get("bjnews"), hints=hints,
            headers={"last-modified": "Wed, 27 Jul 2022 07:45:12 GMT"})
    assert (a.published_at_origin, a.published_at) == ("sitemap_lastmod", datetime(2022, 4, 27, 7, 0, tzinfo=timezone.utc))


def test_modified_at_from_the_page_before_the_hints_and_never_before_publication():
    ld = ('<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2022-04-17T18:08:38+08:00",'
          '"dateModified":"2022-04-18T09:00:00+08:00"}</script>')
    hints = {"via": "sitemap", "modified": "2022-04-27T15:00:00+08:00", "modified_from": "sitemap_lastmod"}
    a = art(article_html(head=ld), hints=hints)
    assert (a.modified_at, a.modified_at_origin) == (datetime(2022, 4, 18, 1, 0, tzinfo=timezone.utc), "jsonld")
    meta = '<meta property="article:modified_time" content="2022-04-19 08:00">'   # naive: the source's zone
    a = art(article_html(head=meta), hints=hints)
    assert (a.modified_at, a.modified_at_origin) == (datetime(2022, 4, 19, 0, 0, tzinfo=timezone.utc), "meta")
    early = ld.replace("2022-04-18T09:00:00", "2022-04-01T09:00:00")   # before publication: not a modification
    a = art(article_html(head=early))
    assert (a.modified_at, a.modified_at_origin) == (None, None)
    future = ld.replace("2022-04-18T09:00:00", "2030-01-01T00:00:00")   # after the fetch: skipped for the hint
    a = art(article_html(head=future), hints=hints)
    assert a.modified_at_origin == "sitemap_lastmod"


def test_published_from_url_then_http_then_none():
    a = art(article_html())   # the stdaily URL holds /2022-04/17/
    assert (a.published_at_origin, a.published_at.astimezone(SH).date().isoformat()) == ("url", "2022-04-17")
    plain = "https://www.bjnews.com.cn/detail/165873.html"
    a = art(article_html(), url=plain, source=CONFIG.get("bjnews"),
            headers={"last-modified": "Wed, 27 Jul 2022 07:45:12 GMT"})
    assert a.published_at_origin == "http"
    a = art(article_html(), url=plain, source=CONFIG.get("bjnews"))
    assert (a.published_at, a.published_at_origin, a.published_at_offset_minutes) == (None, "none", None)


BLOG = "http://blog.example.com/archives.php?month=200506&id=7"


def _blog(title: str, top: str) -> str:
    posts = "".join(f"<p>{p}</p>" for p in PARAS)
    return (f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<div class='top'>{top}</div>"
            f"<div class='post'><h3>湘菜粤菜 兵分两路</h3><div class='post-meta'>2005-06-14 03:25:55</div>{posts}"
            f"<div class='post-meta'>由作者张贴 @ 2005-06-14 03:25:55 (370) 共 11 篇评论</div></div>"
            f"<div class='post'><h3>澳坛真的累了</h3><div class='when'>2005-06-13 15:00:14</div><p>我真的累了。</p></div>"
            f"</body></html>")


def test_a_host_name_title_anchors_no_date_and_the_date_before_the_text_wins():
    # a blog archive whose <title> is its host name: the sidebar date under it is not the post's date
    top = "blog.example.com<br>精选文章一（截止2006年8月10日）<br>最新评论<br>查看我的博客目录"
    res = extract(page(_blog("blog.example.com", top), url=BLOG, source="blog"), None)
    assert isinstance(res, Article) and PARAS[0] in res.text
    assert res.published_at.astimezone(SH).date().isoformat() == "2005-06-14"


def test_the_date_right_before_the_text_beats_the_first_date_anywhere():
    # no date by the headline, no label, none in the URL: the info bar just above the text, not the site's founding
    top = "本站建立于2004年10月6日<br>" + "<br>".join(["随笔", "游记", "美食", "读书", "音乐", "电影"] * 12)
    res = extract(page(_blog("我的博客", top), url=BLOG, source="blog"), None)
    assert isinstance(res, Article)
    assert (res.published_at.astimezone(SH).isoformat(), res.published_at_origin) == ("2005-06-14T03:25:55+08:00", "text")


def test_a_future_date_is_never_used():
    head = '<meta property="article:published_time" content="2030-01-01T00:00:00+08:00">'
    a = art(article_html(head=head))   # fetched 2022-07-28: falls back to the URL date
    assert a.published_at_origin == "url" and a.published_at <= a.fetched_at


def test_date_only_candidate_takes_the_time_of_a_later_one_on_the_same_day():
    head = '<meta name="publishdate" content="2022-04-17">'
    a = art(article_html(head=head), hints={"published": "2022-04-17T18:08:38+08:00", "via": "feed"})
    assert (a.published_at, a.published_at_origin) == (datetime(2022, 4, 17, 10, 8, 38, tzinfo=timezone.utc), "feed")


def test_authors_from_meta_and_bylines_editors_apart():
    a = art(article_html(head='<meta name="author" content="张三, 李四">', before="<p>科技日报记者华凌</p>",
                         after="<p>（责任编辑：王五）</p>"))
    assert (a.authors, a.editors) == (["张三", "李四", "华凌"], ["王五"])
    assert "责任编辑" not in a.text and a.text.startswith("科技日报记者华凌")


def test_editors_from_metadata_and_lines_outside_the_article():
    ld = ('<script type="application/ld+json">{"@type":"NewsArticle","headline":"x","author":{"name":"华凌"},'
          '"editor":{"@type":"Person","name":"赵琳"}}</script><meta name="author" content="责任编辑：孙艳">')
    html = article_html(head=ld).replace("<div class='footer'>", "<div class='ed'>校对：傅杰丽 审核：刘洋</div>"
                                                                   "<div class='footer'>")
    a = art(html)
    assert (a.authors, a.editors) == (["华凌"], ["赵琳", "孙艳", "傅杰丽", "刘洋"])


def test_language_section_and_canonical():
    a = art(article_html(head='<link rel="canonical" href="https://m.stdaily.com/index/kejixinwen/2022-04/17/content_1.shtml?spm=x">'))
    assert a.language == "zh" and a.section == "kejixinwen"
    assert a.canonical_url == "https://www.stdaily.com/index/kejixinwen/2022-04/17/content_1.shtml"
    outside = art(article_html(head='<link rel="canonical" href="https://evil.example.com/x">'))
    assert outside.canonical_url == "https://www.stdaily.com/index/kejixinwen/2022-04/17/content_1.shtml"
    en = ["The ministry and the city held an on-site meeting on Saturday about the innovation centre.",
          "Representatives of companies said they would work together to build the centre in Beijing."] * 2
    assert art(article_html(paras=en, title="Beijing innovation centre")).language == "en"


def test_section_from_hints_when_the_source_has_no_url_rule():
    a = art(article_html(), url="https://www.bjnews.com.cn/detail/165873.html", source=CONFIG.get("bjnews"),
            hints={"section": "科技"})
    assert a.section == "科技"


def test_content_hash_and_ids():
    a = art(article_html())
    b = art(article_html().replace("，", ","))
    assert a.content_hash == b.content_hash and len(a.article_id) == 32 and a.char_count == len(a.text)
