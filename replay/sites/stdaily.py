"""科技日报 / 中国科技网 (www.stdaily.com): an older CMS; the date is only in visible text and the URL."""
from __future__ import annotations

from ..chrome import Ctx, esc, paras_html, share_links, ymd_hm
from .base import Site

_NAV = (("首页", "/"), ("科技新闻", "/index/kejixinwen/kejixinwen.shtml"), ("国内", "/index/guonei/guonei.shtml"),
        ("国际", "/index/guoji/guoji.shtml"), ("区域", "/index/difang/difang.shtml"), ("科技日报", "/kjrb/"))


class Stdaily(Site):
    id, name = "stdaily", "科技日报"
    robots_disallow = ("/search/", "/api/", "/member/")

    def header(self, ctx: Ctx) -> str:
        nav = " | ".join(f'<a href="{ctx.url(self.www, p)}">{t}</a>' for t, p in _NAV)
        return (f'<div class="top"><a href="{ctx.url(self.www)}"><img src="/images/logo.png" alt="中国科技网"></a>'
                f'<form action="{ctx.url(self.www, "/search/")}"><input name="q"><button>搜索</button></form></div>'
                f'<div class="nav">{nav}</div>')

    def footer(self, ctx: Ctx) -> str:
        return ('<div class="footer"><p><a href="/about/">关于我们</a> | <a href="/contact/">联系我们</a> | '
                f'<a href="{ctx.url(self.www)}">返回首页</a></p>'
                '<p>科技日报社版权所有 京ICP备09014052号 未经书面授权，不得转载</p></div>')

    def listing_title(self, i: int) -> str:
        return "科技新闻"

    def article(self, ctx: Ctx, post, paras, modified, host) -> str:
        author = f'<span>作者：{esc(" ".join(post.authors))}</span>' if post.authors else ""
        related = "".join(f'<li><a href="{ctx.post_url(p)}">{esc(p.title)}</a></li>' for p in self.related(ctx, post))
        editor = f"<p>责任编辑：{esc(post.editor)}</p>" if post.editor else ""
        main = f"""<div class="crumbs">当前位置：<a href="{ctx.url(self.www)}">首页</a> &gt; <a href="{ctx.url(self.www, '/index/kejixinwen/kejixinwen.shtml')}">科技新闻</a> &gt; 正文</div>
<div class="main">
<h1 class="title">{esc(post.title)}</h1>
<div class="info"><span>来源：科技日报</span> <span class="time">{ymd_hm(post.published)}</span> {author}</div>
<div class="content" id="content">
{paras_html(paras)}
</div>
<div class="editor">{editor}<a href="{ctx.url(self.www, '/jiucuo/')}">【纠错】</a></div>
<div class="share">{share_links(ctx, ctx.post_url(post), post.title)}</div>
<div class="related"><h3>相关新闻</h3><ul>{related}</ul></div>
</div>"""
        return self.page(ctx, f"{post.title} - 中国科技网", main,
                         '<meta name="keywords" content="科技日报,科技新闻">')
