"""Decoding failures and repairs through ``extract``: every broken page is a reject with a reason, a repaired one
says so (pages written for these tests)."""
from __future__ import annotations

from pipelines.extract import extract
from pipelines.record import Article, Reject

from extract_helpers import PARAS, article_html, page


def _browser_cp1252(data: bytes) -> str:
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in data)


def test_half_utf8_half_gbk_page_is_a_decode_reject():
    html = article_html()
    cut = html.index(PARAS[2])
    raw = html[:cut].encode("utf-8") + html[cut:].encode("gbk")
    for ctype in ("text/html; charset=utf-8", "text/html; charset=gbk", "text/html"):
        res = extract(page(raw, ctype=ctype), None)
        assert isinstance(res, Reject), ctype
        assert (res.stage, res.reason) == ("decode", "mixed_encoding")
        assert "UTF-8" in res.detail and "gb18030" in res.detail


def test_double_encoded_page_is_repaired_and_says_so():
    raw = _browser_cp1252(article_html().encode("gbk")).encode("utf-8")
    res = extract(page(raw), None)
    assert isinstance(res, Article), res
    assert PARAS[0] in res.text and res.decode_repair == "gb18030>cp1252"
    clean = extract(page(article_html()), None)
    assert clean.decode_repair is None and clean.content_hash == res.content_hash


def test_roundtripped_replacement_chars_in_the_body_are_mojibake():
    lost = [p[:10] + "锟斤拷锟斤拷" + p[10:20] + "锟斤拷" + p[20:] for p in PARAS]
    res = extract(page(article_html(paras=lost)), None)
    assert isinstance(res, Reject) and (res.stage, res.reason) == ("decode", "mojibake")
    assert "锟斤拷" in res.detail


def test_roundtripped_chars_in_a_sidebar_do_not_reject_the_article():
    side = "<ul class='side'>" + "".join(f"<li><a href='/{i}'>锟斤拷锟缴憋拷锟斤拷</a></li>" for i in range(12)) + "</ul>"
    res = extract(page(article_html().replace("<div class='footer'>", side + "<div class='footer'>")), None)
    assert isinstance(res, Article) and PARAS[0] in res.text
