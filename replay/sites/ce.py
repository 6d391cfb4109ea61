"""经济日报 / 中国经济网 (www.ce.cn): every page GBK-encoded.

Header says ``charset=GBK`` and ``<meta>`` says gb2312 (as on the real site), except two hard
cases: ``gbk_meta_only`` (no charset in the header at all) and ``gb2312_gb18030`` (labelled
gb2312, holds characters outside GB2312 and outside GBK).
"""
from __future__ import annotations

from ..chrome import Ctx, cn_date, esc, local, paras_html, share_links
from ..feeds import rss, summary
from .base import Site

_NAV = (("首页", "/"), ("时政", "/xwzx/gnsz/"), ("财经", "/xwzx/fazhi/"), ("产业", "/cysc/"), ("科技", "/cysc/tech/"),
        ("地方", "/local/"), ("经济日报", "http://paper.ce.cn/"))


class Ce(Site):
    id, name = "ce", "中国经济网"
    codec, header_charset, meta_charset = "gb18030", "GBK", "gb2312"
    robots_disallow = ("/cgi-bin/", "/search/")

    def encoding_for(self, post):
        case = post.hard_case if post is not None else None
        if case == "gbk_meta_only":
            return self.codec, None, "gbk"
        if case == "gb2312_gb18030":
            return self.codec, "gb2312", "gb2312"
        return self.codec, self.header_charset, self.meta_charset

    def header(self, ctx: Ctx) -> str:
        nav = " ".join(f'<a href="{ctx.url(self.www, p) if p.startswith("/") else ctx.url("paper.ce.cn")}">{t}</a>'
                       for t, p in _NAV)
        return f'<div class="ce-top"><a href="{ctx.url(self.www)}">中国经济网——国家经济门户</a></div><div class="ce-nav">{nav}</div>'

    def footer(self, ctx: Ctx) -> str:
        return ('<div class="ce-foot"><p>中国经济网 版权所有 互联网新闻信息服务许可证(10120170008)</p>'
                f'<p>京ICP备18036505号 <a href="{ctx.url(self.www)}">返回首页</a></p></div>')

    def listing_title(self, i: int) -> str:
        return "科技"

    def feed(self, ctx: Ctx, path: str, posts) -> str:
        items = [dict(url=ctx.post_url(p), title=p.title, published=p.published, summary=summary(p.paragraphs))
                 for p in posts[:self.feed_size]]
        return rss("中国经济网-科技", ctx.url(self.www, "/cysc/tech/"), "中国经济网科技频道", items, encoding="GBK",
                   cdata=False)

    def article(self, ctx: Ctx, post, paras, modified, host) -> str:
        t = local(post.published)
        source = post.syndicated_from or "经济日报"
        author = f'<span id="articleAuthor">作者：{esc(" ".join(post.authors))}</span>' if post.authors else ""
        editor = f"<p>(责任编辑：{esc(post.editor)})</p>" if post.editor else ""
        related = "".join(f'<li><a href="{ctx.post_url(p)}">{esc(p.title)}</a></li>' for p in self.related(ctx, post))
        main = f"""<div class="crumbs">您当前的位置 : <a href="{ctx.url(self.www)}">中国经济网首页</a> &gt; <a href="{ctx.url(self.www, '/cysc/')}">产业市场</a> &gt; <a href="{ctx.url(self.www, '/cysc/tech/')}">科技</a></div>
<h1 id="articleTitle">{esc(post.title)}</h1>
<div class="laiyuan"><span id="articleTime">{cn_date(post.published)} {t:%H:%M}</span> <span id="articleSource">来源：{esc(source)}</span> {author}</div>
<div id="articleText"><div class="TRS_Editor">
{paras_html(paras)}
</div></div>
{editor}
<div class="fenxiang">{share_links(ctx, ctx.post_url(post), post.title)}</div>
<div id="pl"><h3>网友评论</h3><p>请遵守《互联网电子公告服务管理规定》</p></div>
<div class="xgxw"><h3>相关新闻</h3><ul>{related}</ul></div>"""
        _, _, meta = self.encoding_for(post)
        return self.page(ctx, f"{post.title}_中国经济网——国家经济门户", main, charset=meta)
