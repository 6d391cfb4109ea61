"""币长青 (www.btchangqing.cn): a WordPress (RiPro theme) blockchain site; half-width punctuation.

Chrome as in seed 003: 当前位置 breadcrumb, 温馨提示 / 文章标题 / 文章链接 / 更新时间 box, prev/next
posts with ``2021-7-14 12:51:33`` dates, ``0 条回复`` comments, the 个人中心/购物车 rollbar.
The listing sidebar carries the HTTP hard cases (see ``replay.hardcases``).
"""
from __future__ import annotations

from ..chrome import Ctx, esc, local, paras_html, share_links
from ..feeds import rss, sitemap, sitemap_index, summary
from .base import Site

_NAV = (("首页", "/"), ("区块链", "/qukuailian"), ("比特币", "/bitebi"), ("以太坊", "/yitaifang"), ("快讯", "/kuaixun"))
POSTS_PER_SITEMAP = 2000


def _wpdate(dt) -> str:
    t = local(dt)
    return f"{t.year}-{t.month}-{t.day} {t:%H:%M:%S}"


class Btchangqing(Site):
    id, name = "btchangqing", "币长青"
    feed_size = 10
    robots_disallow = ("/wp-admin/", "/?s=", "/go/")

    def robots_disallow_for(self, host: str):
        from .. import hardcases
        extra = tuple(hardcases.robots_disallowed_paths()) if host == self.www else ()
        return self.robots_disallow + extra

    def robots(self, ctx: Ctx, host: str) -> str:
        return super().robots(ctx, host).replace("Disallow: /wp-admin/\n",
                                                 "Disallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n")

    def header(self, ctx: Ctx) -> str:
        nav = "".join(f'<li class="menu-item"><a href="{ctx.url(self.www, p)}">{t}</a></li>' for t, p in _NAV)
        return (f'<header class="site-header"><div class="logo-wrapper"><a href="{ctx.url(self.www)}">币长青</a></div>'
                f'<ul class="nav-list">{nav}</ul><form class="search-form" action="{ctx.url(self.www)}">'
                '<input name="s" placeholder="搜索"></form><a class="login-btn" href="#">登录</a></header>')

    def footer(self, ctx: Ctx) -> str:
        return ('<footer class="site-footer"><p>Copyright © 2022 币长青 All rights reserved.</p></footer>'
                '<div class="rollbar"><ul><li>个人中心</li><li>购物车</li><li>优惠劵</li><li>今日签到</li>'
                '<li>有新私信 私信列表</li><li>搜索</li></ul></div>')

    def listing_title(self, i: int) -> str:
        return "区块链"

    def listing_extra(self, ctx: Ctx, page: int) -> str:
        from .. import hardcases
        return hardcases.sidebar(ctx) if page == 1 else ""

    def feed(self, ctx: Ctx, path: str, posts) -> str:
        items = [dict(url=ctx.post_url(p), guid=ctx.url(self.www, f"/?p={p.path.strip('/').removesuffix('.html')}"),
                      title=p.title, published=p.published, summary=summary(p.paragraphs), author="币长青",
                      category="区块链", content=paras_html(p.version(ctx.snap.clock)[0])) for p in posts[:self.feed_size]]
        return rss("币长青", ctx.url(self.www), "区块链资讯", items, wordpress=True)

    def sitemap(self, ctx: Ctx, path: str, posts) -> str:
        if path == "/wp-sitemap.xml":
            n = max(1, -(-len(posts) // POSTS_PER_SITEMAP))
            return sitemap_index([(ctx.url(self.www, f"/wp-sitemap-posts-post-{k}.xml"), None) for k in range(1, n + 1)])
        k = int(path.rsplit("-", 1)[1].removesuffix(".xml"))
        chunk = posts[(k - 1) * POSTS_PER_SITEMAP: k * POSTS_PER_SITEMAP]
        return sitemap([(ctx.post_url(p), p.version(ctx.snap.clock)[1]) for p in chunk])

    def article(self, ctx: Ctx, post, paras, modified, host) -> str:
        url, t = ctx.post_url(post), local(post.published)
        older = ctx.snap.older(post, 1)
        nav = "".join(f'<div class="entry-page-{cls}"><a href="{ctx.post_url(p)}"><span class="cat">区块链</span>'
                      f'<h4>{esc(p.title)}</h4><span class="date">{_wpdate(p.published)}</span></a></div>'
                      for cls, p in (("prev", older[0] if older else None), ("next", ctx.snap.newer(post))) if p)
        head = (f'<meta property="og:type" content="article">\n<link rel="canonical" href="{url}">\n'
                f'<meta property="article:published_time" content="{t.isoformat()}">\n'
                f'<meta property="article:modified_time" content="{local(modified).isoformat()}">')
        main = f"""<div class="breadcrumbs">当前位置:<a href="{ctx.url(self.www)}">首页</a><a href="{ctx.url(self.www, '/qukuailian')}">区块链</a>{esc(post.title)}</div>
<article class="article-content">
<header class="entry-header"><h1 class="entry-title">{esc(post.title)}</h1>
<div class="entry-meta"><span class="author">币长青</span> <time datetime="{t.isoformat()}">{t:%Y-%m-%d}</time></div></header>
<div class="entry-content u-text-format">
{paras_html(paras)}
</div>
<div class="post-copyright"><p>温馨提示:</p><p>文章标题:{esc(post.title)}</p><p>文章链接:{esc(url)}</p>
<p>更新时间:{local(modified):%Y年%m月%d日}</p><p>本站大部分内容均收集于网络,若内容若侵犯到您的权益,请联系我们,我们将第一时间处理。</p></div>
<div class="entry-share">{share_links(ctx, url, post.title)}</div>
</article>
<div class="entry-navigation">{nav}</div>
<div id="comments" class="bottom-area"><h3 class="comments-title">0 条回复 <span>A文章作者</span> <span>M管理员</span></h3>
<ul class="comment-list"><li>暂无讨论,说说你的看法吧</li></ul></div>"""
        return self.page(ctx, f"{post.title}-币长青", main, head, charset="UTF-8")
