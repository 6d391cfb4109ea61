"""syndicated_from from every place a page states it, resolved to source ids (pipelines.extract.syndication)."""
from __future__ import annotations

import json

import pytest

from pipelines.extract import extract
from pipelines.record import Article
from pipelines.extract.syndication import Outlets, find_syndication
from extract_helpers import CONFIG, article_html, page

OUTLETS = Outlets(CONFIG.sources)
FINEWS = "https://finews.withounder.com/kejiribao/2022/04/17/NW202204172345728810.html"
CE = "http://www.ce.cn/cysc/tech/202207/27/t20220727_37800900.shtml"
STDAILY = "https://www.stdaily.com/index/kejixinwen/2022-04/17/content_1.shtml"


def art(html, url=FINEWS, source="finews", outlets=OUTLETS) -> Article:
    res = extract(page(html, url=url, source=source or ""), CONFIG.get(source) if source else None, outlets=outlets)
    assert isinstance(res, Article), res
    return res


def origin(a: Article) -> tuple:
    return a.syndicated_from, a.syndicated_from_source


def detail(a: Article) -> list[tuple]:
    return [(d["where"], d["name"], d["source"], d["role"]) for d in json.loads(a.syndicated_from_detail)]


def test_a_credit_line_of_the_text_resolves_to_the_source_id():
    a = art(article_html(site=" | finews", after="<p>（文章来源：科技日报）</p>"))
    assert origin(a) == ("科技日报", "stdaily") and "文章来源" not in a.text
    assert detail(a) == [("body", "科技日报", "stdaily", "chosen")]


@pytest.mark.parametrize("name,source", [("科技日报社", "stdaily"), ("中国科技网", "stdaily"), ("STDaily", "stdaily"),
                                         ("《北京商报》", "bbtnews"), ("经济日报-中国经济网", "ce"),
                                         ("新华社", None), ("人民网-科技频道", None)])
def test_names_resolve_through_aliases_and_an_unknown_outlet_keeps_its_name(name, source):
    a = art(article_html(site=" | finews", after=f"<p>来源：{name}</p>"))
    assert a.syndicated_from_source == source
    assert a.syndicated_from == name.strip("《》")


def test_the_info_bar_under_the_headline():
    bar = "<div class='laiyuan'><span>2022年07月27日 10:00</span> <span>来源：科技日报</span> <span>作者：黄洋倩</span></div>"
    a = art(article_html(site="_中国经济网——国家经济门户", before=bar), url=CE, source="ce")
    assert origin(a) == ("科技日报", "stdaily") and a.authors == ["黄洋倩"]
    assert detail(a) == [("info", "科技日报", "stdaily", "chosen")]


@pytest.mark.parametrize("url,source,bar", [
    (STDAILY, "stdaily", "来源：科技日报"), (CE, "ce", "来源：经济日报"), (CE, "ce", "来源：中国经济网"),
    (CE, "ce", "来源：本报"),
])
def test_a_source_naming_the_pages_own_outlet_is_not_syndication(url, source, bar):
    a = art(article_html(site="", before=f"<div class='info'>2022-07-27 10:00 {bar}</div>"), url=url, source=source)
    assert origin(a) == (None, None)
    assert [d[3] for d in detail(a)] == ["own"]


def test_own_outlet_from_the_page_itself_when_the_source_is_not_configured():
    """A site we do not crawl: its og:site_name, <title> and JSON-LD publisher name it."""
    meta = '<meta name="source" content="新华网">'
    a = art(article_html(site="-新华网", head=meta), url="http://www.news.cn/2022-07/27/c_1.htm", source=None,
            outlets=Outlets([]))
    assert origin(a) == (None, None) and detail(a) == [("meta", "新华网", None, "own")]
    a = art(article_html(site="-人民网", head=meta), url="http://www.people.com.cn/n1/2022/0727/c1.html",
            source=None, outlets=Outlets([]))
    assert origin(a) == ("新华网", None)


def test_meta_and_jsonld_statements():
    ld = ('<script type="application/ld+json">{"@type":"NewsArticle","headline":"x",'
          '"publisher":{"@type":"Organization","name":"finews"},'
          '"sourceOrganization":{"@type":"Organization","name":"北京商报"}}</script>')
    a = art(article_html(site=" | finews", head=ld))
    assert origin(a) == ("北京商报", "bbtnews") and detail(a) == [("jsonld", "北京商报", "bbtnews", "chosen")]
    a = art(article_html(site=" | finews", head='<meta name="ContentSource" content="来源：《羊城晚报》">'))
    assert origin(a) == ("羊城晚报", None)


def test_a_link_to_the_original_is_the_most_specific_statement():
    ld = ('<script type="application/ld+json">{"@type":"NewsArticle","headline":"x","isBasedOn":'
          '{"@type":"NewsArticle","url":"https://www.stdaily.com/index/kejixinwen/2022-04/17/content_1.shtml",'
          '"publisher":{"name":"科技日报社"}}}</script>')
    a = art(article_html(site=" | finews", head=ld, after="<p>来源：新华社</p>"))
    assert origin(a) == ("科技日报社", "stdaily")
    assert [(w, r) for w, _, _, r in detail(a)] == [("url", "chosen"), ("body", "other"), ("jsonld", "agrees")]
    a = art(article_html(site=" | finews", head='<meta name="original-source" content="https://www.stdaily.com/x">'))
    assert origin(a) == ("科技日报", "stdaily")   # the configured name when the page names it nowhere


def test_conflicting_statements_keep_the_most_specific_and_record_the_others():
    meta = '<meta name="source" content="人民网">'
    bar = "<div class='info'>2022-07-27 10:00 来源：新京报</div>"
    a = art(article_html(site=" | finews", head=meta, before=bar, after="<p>（文章来源：科技日报）</p>"))
    assert origin(a) == ("科技日报", "stdaily")
    assert detail(a) == [("body", "科技日报", "stdaily", "chosen"), ("info", "新京报", "bjnews", "other"),
                         ("meta", "人民网", None, "other")]


@pytest.mark.parametrize("name", ["网络", "综合", "佚名", "Nature 2025 647:8088", "资料图", "尹娟"])
def test_vague_names_are_no_outlet(name):
    a = art(article_html(site=" | finews", head=f'<meta name="source" content="{name}">'))
    assert origin(a) == (None, None) and [d[3] for d in detail(a)] == ["vague"]


def test_a_citation_in_dc_source_is_no_statement_and_a_latin_name_can_be_the_sites_own():
    a = art(article_html(site=" | finews", head='<meta name="dc.source" content="Modern Marketing">'))
    assert a.syndicated_from_detail is None
    a = art(article_html(site=" - Báo VnExpress Sức khỏe", head='<meta name="source" content="Tin nhanh VnExpress">'),
            url="https://vnexpress.net/x-1.html", source=None, outlets=Outlets([]))
    assert origin(a) == (None, None) and [d[3] for d in detail(a)] == ["own"]


def test_no_statement_no_detail():
    a = art(article_html(site=" | finews"))
    assert (a.syndicated_from, a.syndicated_from_source, a.syndicated_from_detail) == (None, None, None)


def test_without_outlets_only_the_pages_own_source_is_known():
    a = extract(page(article_html(site=" | finews", after="<p>（文章来源：科技日报）</p>"), url=FINEWS, source="finews"),
                CONFIG.get("finews"))
    assert origin(a) == ("科技日报", None)


def test_find_syndication_is_order_independent_within_places():
    st = [("meta", "人民网"), ("body", "科技日报"), ("info", "科技日报社")]
    a, b = (find_syndication(x, OUTLETS, "finews") for x in (st, st[::-1]))
    assert (a.name, a.source, a.detail) == (b.name, b.source, b.detail) == (
        "科技日报", "stdaily", a.detail)
    assert [d["role"] for d in json.loads(a.detail)] == ["chosen", "agrees", "other"]
