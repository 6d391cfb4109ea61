"""新京报 (www.bjnews.com.cn): JSON-LD NewsArticle, a Google News sitemap, mobile links in the listing."""
from __future__ import annotations

from datetime import timedelta

from ..chrome import Ctx, esc, jsonld, local, paras_html, share_links, ymd_hm
from ..feeds import news_sitemap
from .base import Site

_NAV = (("首页", "/"), ("时事", "/news"), ("北京", "/beijing"), ("财经", "/financial"), ("科技", "/tech"),
        ("教育", "/edu"), ("评论", "/opinion"))
#: The news sitemap lists the articles of the last two days (as Google News asks).
NEWS_SITEMAP_DAYS = 2


def mobile_linked(post) -> bool:
    """The listing links about every third article through the mobile host (m.bjnews.com.cn)."""
    return int(post.path.rsplit("/", 1)[-1].removesuffix(".html")) % 3 == 0


class Bjnews(Site):
    id, name = "bjnews", "新京报"
    robots_disallow = ("/search", "/api/", "/user/")

    def header(self, ctx: Ctx) -> str:
        nav = "".join(f'<a href="{ctx.url(self.www, p)}">{t}</a>' for t, p in _NAV)
        return f'<div class="bj-head"><a class="logo" href="{ctx.url(self.www)}">新京报</a><div class="nav">{nav}</div></div>'

    def footer(self, ctx: Ctx) -> str:
        return ('<div class="bj-foot"><p>新京报社版权所有 未经新京报书面授权不得转载</p>'
                f'<p>京ICP备15003395号 <a href="{ctx.url(self.www)}">返回首页</a></p></div>')

    def list_item(self, ctx: Ctx, post) -> str:
        host = self.mobile if self.mobile and mobile_linked(post) else post.host
        return (f'<li><a href="{ctx.url(host, post.path)}">{esc(post.title)}</a>'
                f'<span class="time">{ymd_hm(post.published)}</span></li>')

    def sitemap(self, ctx: Ctx, path: str, posts) -> str:
        since = ctx.snap.clock - timedelta(days=NEWS_SITEMAP_DAYS)
        recent = [(ctx.post_url(p), p.title, p.published) for p in posts if p.published >= since] or \
                 [(ctx.post_url(p), p.title, p.published) for p in posts[:5]]
        return news_sitemap("新京报", recent)

    def article(self, ctx: Ctx, post, paras, modified, host) -> str:
        url = ctx.post_url(post)
        ld = jsonld({"@context": "https://schema.org", "@type": "NewsArticle", "headline": post.title,
                     "datePublished": local(post.published).isoformat(), "dateModified": local(modified).isoformat(),
                     "author": [{"@type": "Person", "name": a} for a in post.authors],
                     "publisher": {"@type": "Organization", "name": "新京报"}, "mainEntityOfPage": url})
        reporter = f'<span class="reporter">新京报记者 {esc(" ".join(post.authors))}</span>' if post.authors else ""
        editor = f"<p>编辑 {esc(post.editor)} 校对 {esc(post.proofreader)}</p>" if post.editor else ""
        related = "".join(f'<li><a href="{ctx.post_url(p)}">{esc(p.title)}</a></li>' for p in self.related(ctx, post))
        main = f"""<div class="bodyTitle"><h1>{esc(post.title)}</h1>
<div class="left">{reporter}<span class="timer">{ymd_hm(post.published)}</span></div></div>
<div class="content" id="contentStr">
{paras_html(paras)}
{editor}
</div>
<div class="fenxiang">{share_links(ctx, url, post.title)}</div>
<div class="comment-box"><h3>评论</h3><p>还没有评论，快来抢沙发吧</p><a href="{ctx.url(self.www, '/user/login')}">登录后评论</a></div>
<div class="recommend"><h3>相关推荐</h3><ul>{related}</ul></div>"""
        head = f'<link rel="canonical" href="{url}">\n{ld}'
        return self.page(ctx, f"{post.title}|新京报", main, head)
