"""Parser pitfalls: markup that makes lxml swallow or hide the body (pages written for these tests)."""
from __future__ import annotations

from pipelines.extract import extract
from pipelines.extract.htmltree import page_text, parse_html, repair_markup, strip_scripts
from pipelines.record import Article

from extract_helpers import CONFIG, PARAS, article_html, page

CSS = "body { MARGIN: 0 0 0 0; } #NewsTopText { padding:3px 8px 0px 8px; text-align:left; line-height : 20px; }" * 30


def _body(html: str) -> str:
    res = extract(page(html), CONFIG.get("stdaily"))
    assert isinstance(res, Article), res
    return res.text


def _assert_article(text: str) -> None:
    for p in PARAS:
        assert p in text
    assert "MARGIN" not in text and "padding" not in text


def test_self_closed_style_in_body_keeps_its_css_inside():
    # a TV-news style page: <style type="text/css" /> then the CSS then </style>, before the article
    html = article_html(before="").replace("<div class='article'>",
                                           f"<style type=\"text/css\" />\n{CSS}\n</style><div class='article'>")
    _assert_article(_body(html))
    tree = parse_html(html)
    strip_scripts(tree)
    assert "MARGIN" not in page_text(tree)


def test_self_closed_style_without_closing_tag_is_empty():
    html = article_html().replace("</head>", "<style type='text/css'/></head>")
    _assert_article(_body(html))
    assert repair_markup("<style/><p>x</p>") == "<style></style><p>x</p>"


def test_self_closed_script_and_title():
    html = article_html().replace("<title>", "<title/><script src='/a.js' /><script>var a = 1;</script><title>")
    _assert_article(_body(html))


def test_unclosed_title_does_not_swallow_the_page():
    html = article_html().replace(" - 科技日报</title>", " - 科技日报")
    tree = parse_html(html)
    assert tree.find("body") is not None
    _assert_article(_body(html))


def test_unclosed_script_and_textarea():
    html = article_html(before="<textarea name='c'>").replace("</head>", "<script>var x = 1;</head>")
    _assert_article(_body(html))


def test_unclosed_comment_at_the_end_keeps_what_follows():
    html = article_html().replace("<div class='article'>", "<div class='article'><!-- ad slot ")
    text = _body(html)
    for p in PARAS:
        assert p in text


def test_article_inside_noscript():
    body = "".join(f"<p>{p}</p>" for p in PARAS)
    html = ("<html><head><meta charset='utf-8'><title>部市共建北京国际科技创新中心 - 科技日报</title></head><body>"
            "<div id='app'>加载中…</div>"
            f"<noscript><div class='article'><h1>部市共建北京国际科技创新中心</h1>{body}</div></noscript>"
            "</body></html>")
    _assert_article(_body(html))


def test_body_split_across_containers():
    first = "".join(f"<p>{p}</p>" for p in PARAS[:2])
    second = "".join(f"<p>{p}</p>" for p in PARAS[2:])
    ad = "<div class='ad'><a href='/x'>广告</a> <a href='/y'>推广</a></div>"
    html = article_html(paras=[]).replace(
        "</h1>", f"</h1><div class='part1'>{first}</div>{ad}<div class='part2'>{second}</div>")
    text = _body(html)
    for p in PARAS:
        assert p in text
    assert "推广" not in text


def test_form_controls_are_plain_html_elements():
    # the parser picks element classes in C: a comment form's controls are HtmlElements like any other
    from lxml.html import HtmlElement
    html = article_html(before="").replace(
        "<div class='article'>", "<form action='/c'><label>昵称</label><input name='n'><select><option>1</option>"
                                 "</select><textarea>说两句</textarea></form><div class='article'>")
    tree = parse_html(html)
    assert all(isinstance(el, HtmlElement) for el in tree.iter("form", "input", "select", "textarea", "label"))
    assert tree.find(".//form").text_content().startswith("昵称")
    _assert_article(_body(html))


def test_letters_counted_by_table_are_the_rule_letters():
    # long texts are counted by table lookup, short ones and texts beyond the BMP by the regex: the same count
    from pipelines.extract.htmltree import _NOT_LETTER, _letters
    texts = ["2022年7月28日 10:00 来源：科技日报｜责任编辑：张三 (图) №3 ½ ① _x_ ÉTÉ ﬁ " * 8,
             "The quick brown fox, 12 years old — jumps! " * 5, "𠀀𠀁 北京 " * 30, "短", ""]
    for text in texts:
        assert _letters(text) == len(_NOT_LETTER.sub("", text))


def test_control_characters_are_removed_before_parsing():
    # a NUL or other C0 control left in the page (a broken CMS export): removed, and nothing after it is lost
    html = article_html(before="").replace(PARAS[0], PARAS[0][:10] + "\x00\x01\x1f" + PARAS[0][10:])
    tree = parse_html(html)
    strip_scripts(tree)
    text = page_text(tree)
    assert "\x00" not in text and "\x01" not in text and PARAS[0] in text and PARAS[-1] in text
