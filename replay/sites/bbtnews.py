"""北京商报 (www.bbtnews.com.cn): dates in ``article:published_time`` meta tags and visible text."""
from __future__ import annotations

from ..chrome import Ctx, esc, local, paras_html, share_links
from ..feeds import rss, summary
from .base import Site

_NAV = (("首页", "/"), ("科技", "/list/kj/index.shtml"), ("金融", "/list/jr/index.shtml"),
        ("商业", "/list/sy/index.shtml"), ("地产", "/list/dc/index.shtml"), ("数字报", "/epaper/"))


class Bbtnews(Site):
    id, name = "bbtnews", "北京商报"
    robots_disallow = ("/search/", "/member/", "/api/")

    def header(self, ctx: Ctx) -> str:
        nav = "".join(f'<li><a href="{ctx.url(self.www, p)}">{t}</a></li>' for t, p in _NAV)
        return (f'<div class="bbt-top"><a class="logo" href="{ctx.url(self.www)}">北京商报网</a>'
                f'<a href="{ctx.url(self.www, "/member/login")}">登录</a></div><ul class="bbt-nav">{nav}</ul>')

    def footer(self, ctx: Ctx) -> str:
        return ('<div class="bbt-footer"><p>北京商报社主办 版权所有 未经许可不得转载</p>'
                '<p>京ICP备10016406号 违法和不良信息举报电话：010-64101978</p>'
                f'<p><a href="{ctx.url(self.www)}">返回首页</a></p></div>')

    def feed(self, ctx: Ctx, path: str, posts) -> str:
        # Feed links carry tracking parameters (a crawler must canonicalize them away).
        items = [dict(url=ctx.post_url(p) + "?utm_source=rss&utm_medium=feed", guid=ctx.post_url(p), title=p.title,
                      published=p.published, summary=summary(p.paragraphs), category="科技")
                 for p in posts[:self.feed_size]]
        return rss("北京商报-科技", ctx.url(self.www, "/list/kj/index.shtml"), "北京商报科技频道", items)

    def article(self, ctx: Ctx, post, paras, modified, host) -> str:
        t = local(post.published)
        related = "".join(f'<li><a href="{ctx.post_url(p)}">{esc(p.title)}</a></li>' for p in self.related(ctx, post))
        editor = f"<p>（责任编辑：{esc(post.editor)}）</p>" if post.editor else ""
        reporter = f'<span class="author">作者：{esc(" ".join(post.authors))}</span>' if post.authors else ""
        head = (f'<meta property="og:title" content="{esc(post.title)}">\n'
                f'<meta property="article:published_time" content="{t.isoformat()}">\n'
                f'<meta property="article:modified_time" content="{local(modified).isoformat()}">\n'
                f'<meta name="author" content="{esc(" ".join(post.authors) or "北京商报")}">')
        main = f"""<div class="crumbs">当前位置：<a href="{ctx.url(self.www)}">首页</a> &gt; <a href="{ctx.url(self.www, '/list/kj/index.shtml')}">科技</a></div>
<div class="article">
<h1>{esc(post.title)}</h1>
<div class="info"><span class="source">北京商报</span> <span class="time">{t:%Y-%m-%d %H:%M:%S}</span> {reporter}</div>
<div class="article-content">
{paras_html(paras)}
{editor}
</div>
<div class="article-share">{share_links(ctx, ctx.post_url(post), post.title)}</div>
<div id="comment"><h3>网友评论</h3><textarea placeholder="文明上网理性发言"></textarea><button>发表评论</button><p>已有0条评论</p></div>
<div class="related"><h3>相关阅读</h3><ul>{related}</ul></div>
</div>"""
        return self.page(ctx, f"{post.title}_北京商报", main, head)
