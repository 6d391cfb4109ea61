"""Date-addressed e-papers (Founder-style 数字报): edition index = 版面 1 → other 版面 → articles.

The 新京报 e-paper writes half-width punctuation and lays pages out in tables whose empty
cells leave ``| ||`` debris in text dumps (seed 001), and ends each article with
``A04-A05版采写/新京报记者 …`` and ``更多详细新闻请浏览新京报网 www.bjnews.com.cn``.
"""
from __future__ import annotations

from datetime import date

from . import paths
from .chrome import Ctx, esc, paras_html
from .styles import page_label

PAPER = {"stdaily": "科技日报", "bbtnews": "北京商报", "bjnews": "新京报", "ce": "经济日报"}
_WEEK = "一二三四五六日"
#: How each paper credits its reporters above the text (新京报 credits below it: "A04版采写/新京报记者 …").
_BYLINE = {"stdaily": "本报记者 {}", "bbtnews": "文/{}", "ce": "作者：{}"}
#: ce's paper pages declare their charset only in <meta> (no charset in Content-Type).
ENCODING = {"ce": ("gb18030", None, "gbk")}


def encoding(source: str) -> tuple[str, str | None, str]:
    return ENCODING.get(source, ("utf-8", "utf-8", "utf-8"))


def _frame(source: str, title: str, day: date, body: str) -> str:
    cs = encoding(source)[2]
    return (f'<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset={cs}">\n'
            f'<title>{esc(title)}</title>\n</head>\n<body>\n<div class="paper-head">{PAPER[source]} '
            f'{day:%Y年%m月%d日} 星期{_WEEK[day.weekday()]}</div>\n{body}\n'
            f'<div class="paper-foot">{PAPER[source]}社版权所有 未经授权禁止复制或建立镜像</div>\n</body>\n</html>\n')


def _pages(edition: list) -> dict[int, list]:
    pages: dict[int, list] = {}
    for p in edition:
        pages.setdefault(p.extra.get("page", 1), []).append(p)
    return dict(sorted(pages.items()))


def node(ctx: Ctx, source: str, day: date, page: int, edition: list) -> str | None:
    pages = _pages(edition)
    if page not in pages and page != 1:
        return None
    pages.setdefault(1, [])    # 版面 1 is the edition's index, even when it only carries ads
    host = paths.EPAPER_HOST[source]
    label = {k: ps[0].section if ps else page_label(source, k) for k, ps in pages.items()}
    tabs = "\n".join(f'<li><a id="pageLink" href="{ctx.url(host, paths.epaper_node(source, day, k))}">'
                     f'{esc(label[k])}</a></li>' for k in sorted(pages))
    arts = "\n".join(f'<li><a href="{ctx.url(host, p.path)}">{esc(p.title)}</a></li>' for p in pages[page])
    body = (f'<table class="layout"><tr><td class="banmian"><img src="../../../images/page_{page}.jpg" usemap="#PagePicMap">'
            f'</td><td><ul class="bmdh">{tabs}</ul></td></tr></table>\n<div class="titles"><ul>{arts}</ul></div>')
    return _frame(source, f"{PAPER[source]}数字报-{label[page]}", day, body)


def content(ctx: Ctx, post, paras) -> str:
    source, day = post.source, post.day
    host = paths.EPAPER_HOST[source]
    back = ctx.url(host, paths.epaper_node(source, day, post.extra.get("page", 1)))
    debris = ""
    if source == "bjnews":  # empty layout cells: text dumps show them as "| ||"
        debris = "\n".join("<tr><td></td><td>&nbsp;</td><td></td></tr>" for _ in range(6)) + "\n<tr><td></td></tr>"
        debris = f'<table class="rit">{debris}</table>'
    tail = []
    if source == "bjnews":
        credit = post.extra.get("credit") or f"{post.section.split('版')[0]}版采写/新京报记者 {' '.join(post.authors)}"
        tail = [credit, post.extra.get("footer") or "更多详细新闻请浏览新京报网 www.bjnews.com.cn"]
    byline = _BYLINE.get(source, "")
    author = f'<div class="author">{esc(byline.format(" ".join(post.authors)))}</div>' if byline and post.authors else ""
    body = f"""<table class="main"><tr><td class="font01">{esc(post.title)}</td></tr></table>
{debris}
<div class="info">{esc(post.section or "")} 【<a href="{back}">返回本版</a>】</div>
{author}
<div id="ozoom"><founder-content>
{paras_html(paras, strong=False)}
{"".join(f"<p>{esc(t)}</p>" for t in tail)}
</founder-content></div>"""
    return _frame(source, f"{post.title}-{PAPER[source]}数字报", day, body)
