"""Every reject reason of ``pipelines.extract`` (and the batch runner's) has a test here."""
from __future__ import annotations

import pytest

import pipelines.extract.core as ex
from pipelines.record import Article, Reject
from extract_helpers import CONFIG, PARAS, article_html, page

SRC = CONFIG.get("stdaily")


def reject_of(raw, source=SRC) -> Reject:
    res = ex.extract(raw, source)
    assert isinstance(res, Reject), f"expected a reject, got article {res.text[:80]!r}"
    return res


def test_a_good_page_is_an_article():
    res = ex.extract(page(article_html()), SRC)
    assert isinstance(res, Article)
    assert res.extractor_version == ex.EXTRACTOR_VERSION


@pytest.mark.parametrize("status", [404, 500, 301, 403])
def test_non_2xx_status(status):
    r = reject_of(page(article_html(), status=status))
    assert (r.stage, r.reason, r.http_status) == ("extract", f"http_{status}", status)


@pytest.mark.parametrize("body,ctype", [
    (b"%PDF-1.4\n%binary", "text/html"),          # magic bytes win over a wrong Content-Type
    (b"%PDF-1.4\n%binary", None),
    (b"\x89PNG\r\n\x1a\n....", None),
    (b"<html><body><p>x</p></body></html>", "application/pdf"),
    (b'{"a": 1}', "application/json"),
])
def test_not_html(body, ctype):
    assert reject_of(page(body, ctype=ctype)).reason == "not_html"


@pytest.mark.parametrize("body", [b"", b"   \n\t  "])
def test_empty_response(body):
    assert reject_of(page(body)).reason == "empty"


def test_mojibake_is_a_decode_reject():
    body = b"<html><body><p>" + b"\xff\xfe\xfa" * 400 + b"</p></body></html>"
    r = reject_of(page(body, ctype="text/html; charset=utf-8"))
    assert (r.stage, r.reason) == ("decode", "mojibake")


def test_undecodable_is_a_decode_reject(monkeypatch):
    def boom(*a, **k):
        raise LookupError("unknown encoding: x-nonsense")
    monkeypatch.setattr(ex, "decode_html", boom)
    r = reject_of(page(article_html()))
    assert (r.stage, r.reason) == ("decode", "undecodable")


@pytest.mark.parametrize("title,text,reason", [
    ("Access Denied", "You don't have permission to access this page on this server.", "blocked"),
    ("403 Forbidden", "nginx", "blocked"),
    ("访问验证", "您的访问过于频繁，请输入验证码后继续访问。", "captcha"),
    ("Just a moment...", "Checking your browser before accessing the site.", "captcha"),
    ("安全提示", "您的访问被拒绝，IP已被限制。", "blocked"),
])
def test_blocked_and_captcha_pages(title, text, reason):
    html = f"<html><head><title>{title}</title></head><body><h1>{title}</h1><p>{text}</p></body></html>"
    assert reject_of(page(html)).reason == reason


def test_a_long_article_mentioning_captcha_is_not_blocked():
    paras = [p + "专家提醒，验证码诈骗手段翻新。" for p in PARAS] * 6
    assert isinstance(ex.extract(page(article_html(paras=paras)), SRC), Article)


def test_paywall_teaser():
    html = article_html(paras=["这是一篇付费文章的导语部分，介绍了科技创新中心建设的最新进展和主要成果，读者需要订阅。"],
                        after="<div class='pay'>订阅后阅读全文</div>")
    assert reject_of(page(html)).reason == "paywall"


def test_paywall_from_jsonld_not_free():
    ld = '<script type="application/ld+json">{"@type":"NewsArticle","isAccessibleForFree":"False"}</script>'
    html = article_html(head=ld, paras=["本文为会员专享内容的前两段摘要，介绍北京国际科技创新中心建设的成就与下一步的安排。"])
    assert reject_of(page(html)).reason == "paywall"


def test_full_text_behind_a_paywall_marker_is_kept():
    ld = '<script type="application/ld+json">{"@type":"NewsArticle","isAccessibleForFree":"False"}</script>'
    assert isinstance(ex.extract(page(article_html(head=ld, paras=PARAS_LONG)), SRC), Article)


PARAS_LONG = [p * 5 for p in PARAS]  # well over PAYWALL_TEASER_CHARS


def test_empty_body():
    html = "<html><head><title>空页面</title></head><body><div><img src='a.png'></div></body></html>"
    assert reject_of(page(html)).reason == "empty_body"


def test_boilerplate_only():
    lines = ["返回首页", "分享到：微博 微信 QQ空间", "版权所有 © 2022 中国科技网 未经授权不得转载",
             "相关新闻：科技日报社举办开放日活动", "上一篇：北京发布人工智能产业政策",
             "下一篇：中关村论坛将于九月举行", "0 条回复", "暂无讨论，说说你的看法吧", "打印本页 关闭窗口"]
    html = "<html><head><title>t</title></head><body><div>" + "".join(f"<p>{x}</p>" for x in lines) + "</div></body></html>"
    r = reject_of(page(html))
    assert r.reason == "boilerplate_only", r


def test_too_short():
    html = article_html(paras=["北京国际科技创新中心建设取得新进展。"])
    r = reject_of(page(html))
    assert r.reason == "too_short" and "min_chars 80" in r.detail


def test_min_chars_comes_from_the_source():
    html = article_html(paras=["北京国际科技创新中心建设取得新进展。"])
    assert isinstance(ex.extract(page(html), None), Reject)
    lenient = SRC.model_copy(update={"extraction": SRC.extraction.model_copy(update={"min_chars": 5})})
    assert isinstance(ex.extract(page(html), lenient), Article)


def test_unexpected_error_becomes_a_reject(monkeypatch):
    def bug(*a, **k):
        raise KeyError("surprise")
    monkeypatch.setattr(ex, "extract_body", bug)
    r = reject_of(page(article_html()))
    assert (r.stage, r.reason) == ("extract", "error") and "KeyError" in r.detail


def test_too_deep_becomes_a_reject(monkeypatch):
    def deep(*a, **k):
        raise RecursionError("maximum recursion depth exceeded")
    monkeypatch.setattr(ex, "extract_body", deep)
    assert reject_of(page(article_html())).reason == "too_deep"


def test_reject_keeps_the_page_identity():
    raw = page(article_html(), status=502, raw_ref="raw/source=stdaily/dt=2022-07-28/x.warc.gz#123")
    r = reject_of(raw)
    assert (r.url, r.source, r.run_id, r.raw_ref, r.fetched_at) == (raw.url, "stdaily", raw.run_id, raw.raw_ref,
                                                                    raw.fetched_at)
