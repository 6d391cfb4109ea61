"""Precision: boilerplate blocks next to the article are left out, the article is kept whole.

Each page is written for its test, modelled on a kind of failure seen on real pages (no page is copied).
"""
from __future__ import annotations

from pipelines.extract import extract
from pipelines.extract.htmltree import parse_html, prune_link_lists
from pipelines.record import Article

from extract_helpers import PARAS, article_html, page

TEASERS = ["日本台湾签署渔权协定 允许渔民赴相关海域捕鱼", "半岛局势紧张 多方呼吁保持克制", "广东初三学生向警方提供证据",
           "陕西批准5名抗战士兵为烈士", "海关总署：发改委已批复多个投资项目", "央视质疑抗日剧情节离奇"]


def _text(html: str) -> str:
    res = extract(page(html), None)
    assert isinstance(res, Article), res
    for p in PARAS:
        assert p in res.text, "article text lost"
    return res.text


def _links(items, date=False, cls="list"):
    lis = "".join(f"<li><a href='/n/{i}.html'>{t}</a>{' 2012.01.17' if date else ''}</li>" for i, t in enumerate(items))
    return f"<ul class='{cls}'>{lis}</ul>"


def test_related_teaser_list_after_the_article():
    text = _text(article_html(after="<div class='rel'><h3>相关新闻</h3>" + _links(TEASERS, date=True) + "</div>"))
    assert not any(t in text for t in TEASERS)


def test_teaser_paragraphs_inside_the_article_container():
    # a finance-portal style page: "·title date" teasers as paragraphs in the article's own block
    teasers = "".join(f"<p>·<a href='/t/{i}.htm'>{t}</a> 2012.01.{17 - i:02d}</p>" for i, t in enumerate(TEASERS))
    text = _text(article_html(after=f"<div>{teasers}</div>"))
    assert not any(t in text for t in TEASERS)


def test_headline_list_above_a_short_article():
    # a TV-news style page: a long block of linked headlines, then a short story
    heads = "".join(f"<div><a href='/h/{i}'>{t}，{t[::-1]}</a></div>" for i, t in enumerate(TEASERS * 3))
    text = _text(article_html(before=f"<div class='heads'>{heads}</div>"))
    assert not any(t in text for t in TEASERS)


def test_ranking_list_with_counts_in_a_sidebar():
    rank = "".join(f"<li><span>{i}</span><a href='/r/{i}'>{t}</a><em>{90000 - i * 7000}</em></li>"
                   for i, t in enumerate(TEASERS, 1))
    html = article_html().replace("<div class='footer'>", f"<div class='side'><h3>点击排行</h3><ol>{rank}</ol></div>"
                                                           "<div class='footer'>")
    text = _text(html)
    assert not any(t in text for t in TEASERS)


def test_news_stream_of_links_between_article_and_footer():
    stream = "".join(f"<div class='item'><a href='/s/{i}'>{t}</a></div>" for i, t in enumerate(TEASERS))
    text = _text(article_html(after=f"<div class='stream'>{stream}</div>"))
    assert not any(t in text for t in TEASERS)


def test_reference_list_of_links():
    refs = "".join(f"<li><a href='#c{i}'>^</a> <a href='https://example.org/{i}'>{t}</a>. 新华网.</li>"
                   for i, t in enumerate(TEASERS))
    text = _text(article_html(after=f"<h2>参考资料</h2><ol class='references'>{refs}</ol>"))
    assert not any(t in text for t in TEASERS)


def test_share_bar():
    share = ("<div class='share'>分享到：<a href='#'>新浪微博</a> <a href='#'>微信</a> <a href='#'>QQ空间</a> "
             "<a href='#'>人人网</a></div>")
    text = _text(article_html(before=share))
    assert "QQ空间" not in text and "人人网" not in text


def test_previous_next_links():
    nav = ("<div class='pn'><p>上一篇：<a href='/p'>中关村科学城发布新一批创新政策</a></p>"
           "<p>下一篇：<a href='/n'>怀柔科学城大科学装置进展顺利</a></p></div>")
    text = _text(article_html(after=nav))
    assert "中关村科学城发布新一批创新政策" not in text and "怀柔科学城" not in text


def test_footer_and_copyright_block():
    foot = ("<div class='foot'><p>关于我们 | 广告服务 | 联系方式</p><p>Copyright © 2012 某某网 版权所有</p>"
            "<p>未经许可，不得转载或镜像</p></div>")
    text = _text(article_html(after=foot))
    assert "版权所有" not in text and "不得转载" not in text


def test_comment_section():
    comments = ("<div class='comments'><h3>网友评论</h3><p>已有 12 条评论</p><p>我来说两句</p>"
                "<div class='c'><a href='/u/1'>网友甲</a>：说得好</div></div>")
    text = _text(article_html(after=comments))
    assert "已有 12 条评论" not in text and "我来说两句" not in text


def test_an_article_with_many_inline_links_is_kept():
    linked = [f"{p[:12]}<a href='/k/{i}'>{p[12:20]}</a>{p[20:]}" for i, p in enumerate(PARAS)]
    html = article_html(paras=linked)
    tree = parse_html(html)
    prune_link_lists(tree)   # the site navigation (3 links) goes, the article stays
    assert tree.find(".//div[@class='nav']") is None and len(tree.findall(".//div[@class='article']/p")) == 4
    _text(html)


def test_comment_form_and_login_widget_after_the_article():
    widget = "".join(f"<div>{w}</div>" for w in ("【有", "0", "人参与】", "跟贴区", "有", "人参与", "跟贴读取中...",
                                                  "昵称：", "密码：", "自动登录", "登 录", "注册", "同步到微博"))
    text = _text(article_html(after=f"<div class='post'>{widget}</div>"))
    assert "跟贴区" not in text and "自动登录" not in text and "同步到微博" not in text


def test_menu_words_before_the_article():
    menu = "".join(f"<div>{w}</div>" for w in ("rss", "新闻", "网页", "图片"))
    text = _text(article_html(before=f"<div class='search'>{menu}</div>"))
    assert not text.startswith(("rss", "新闻"))


def test_traditional_chinese_disclaimer_trailer():
    notice = ("<p>新華網某某頻道版權與免責聲明：</p><p>① 凡本網注明稿件來源的所有文字、圖片和音視頻稿件，版權均屬本網所有。</p>"
              "<p>② 本網未注明稿件來源的文/圖等稿件均為轉載稿，本網轉載出于傳遞更多信息之目的。</p>")
    text = _text(article_html(after=notice))
    assert "免責聲明" not in text and "轉載稿" not in text
