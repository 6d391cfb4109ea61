"""finews (finews.withounder.com): a Jekyll (minima + jekyll-seo-tag) aggregator of 科技日报 / 北京商报.

Posts carry ``（文章来源：科技日报）``, a share link to finews.zning.xyz (foreign: never crawl) and
protocol-relative back-links ``[返回科技日报新闻]｜[返回首页]``, like seeds 000, 002 and 004.
"""
from __future__ import annotations

from ..chrome import Ctx, esc, jsonld, local, paras_html
from ..feeds import atom, summary
from .base import Site

CATEGORIES = {"kejiribao": "科技日报", "beijingshangbao": "北京商报"}


class Finews(Site):
    id, name = "finews", "finews"
    feed_size = 10
    robots_disallow = ("/assets/",)

    def header(self, ctx: Ctx) -> str:
        links = "".join(f'<a class="page-link" href="{ctx.url(self.www, f"/category/{c}.html")}">{n}新闻</a>'
                        for c, n in CATEGORIES.items())
        return (f'<header class="site-header" role="banner"><div class="wrapper"><a class="site-title" rel="author" '
                f'href="{ctx.url(self.www)}">finews</a><nav class="site-nav"><div class="trigger">{links}'
                f'<a class="page-link" href="{ctx.url(self.www, "/about/")}">关于</a></div></nav></div></header>')

    def footer(self, ctx: Ctx) -> str:
        return ('<footer class="site-footer h-card"><div class="wrapper"><h2 class="footer-heading">finews</h2>'
                f'<p>财经科技新闻聚合，内容版权归原作者所有。<a href="{ctx.url(self.www, "/feed.xml")}">订阅</a></p>'
                '</div></footer>')

    def _category(self, i: int) -> str:
        return self.src.discovery.listings[i].url.rsplit("/", 1)[-1].removesuffix(".html")

    def listing_posts(self, i: int, posts):
        cat = self._category(i)
        return [p for p in posts if p.section == cat]

    def listing_title(self, i: int) -> str:
        return CATEGORIES.get(self._category(i), "") + "新闻"

    def list_item(self, ctx: Ctx, post) -> str:
        return (f'<li><span class="post-meta">{local(post.published):%Y-%m-%d}</span><h3>'
                f'<a class="post-link" href="{ctx.post_url(post)}">{esc(post.title)}</a></h3></li>')

    def feed(self, ctx: Ctx, path: str, posts) -> str:
        items = [dict(url=ctx.post_url(p), title=p.title, published=local(p.published), modified=local(p.published),
                      content=paras_html(p.paragraphs), summary=summary(p.paragraphs), category=p.section)
                 for p in posts[:self.feed_size]]
        updated = items[0]["published"] if items else local(ctx.snap.clock)
        return atom("finews", ctx.url(self.www), ctx.url(self.www, path), items, updated)

    def article(self, ctx: Ctx, post, paras, modified, host) -> str:
        url, t = ctx.post_url(post), local(post.published)
        cat = post.section or "kejiribao"
        outlet = CATEGORIES.get(cat, post.syndicated_from or "")
        share = ctx.url("finews.zning.xyz", f"/html_News/NewsShare.html?infoCode={post.extra.get('info_code', '')}")
        quirk = '<p><p align="center"></p>\n' if "empty_center_p" in post.extra.get("quirks", ()) else ""
        credit = f'<p class="em_media">（文章来源：{esc(post.syndicated_from)}）</p>' if post.syndicated_from else ""
        older = self.related(ctx, post, 1)
        nav = f'<a class="prev" href="{ctx.post_url(older[0])}">上一篇：{esc(older[0].title)}</a>' if older else ""
        head = (f'<meta name="generator" content="Jekyll v4.2.2">\n<meta property="og:title" content="{esc(post.title)}">\n'
                f'<meta name="description" content="{esc(summary(paras))}">\n<link rel="canonical" href="{url}">\n'
                f'<meta property="og:type" content="article">\n'
                f'<meta property="article:published_time" content="{t.isoformat()}">\n' +
                jsonld({"@context": "https://schema.org", "@type": "BlogPosting", "headline": post.title,
                        "datePublished": t.isoformat(), "dateModified": local(modified).isoformat(),
                        "description": summary(paras), "mainEntityOfPage": {"@type": "WebPage", "@id": url},
                        "url": url}))
        main = f"""<main class="page-content" aria-label="Content"><div class="wrapper">
<article class="post h-entry" itemscope itemtype="http://schema.org/BlogPosting">
<header class="post-header"><h1 class="post-title p-name" itemprop="name headline">{esc(post.title)}</h1>
<p class="post-meta"><time class="dt-published" datetime="{t.isoformat()}" itemprop="datePublished">{t:%Y-%m-%d}</time> • {esc(outlet)}新闻</p></header>
<div class="post-content e-content" itemprop="articleBody">
{quirk}{paras_html(paras)}{credit}
<p class="share-link"><a href="{esc(share)}">{esc(share)}</a></p>
<p><a href="{ctx.rel(self.www, f'/category/{cat}.html')}">返回{esc(outlet)}新闻</a>｜<a href="{ctx.rel(self.www, '/')}">返回首页</a></p>
</div>
<div class="post-nav">{nav}</div>
<a class="u-url" href="{post.path}" hidden></a>
</article></div></main>"""
        return self.page(ctx, f"{post.title} | finews", main, head, charset="utf-8")

    def date_archive(self, ctx: Ctx, day, posts) -> str:
        items = "\n".join(self.list_item(ctx, p) for p in posts)
        return self.page(ctx, f"{day:%Y-%m-%d} | finews", f'<div class="wrapper"><h1>{day:%Y年%m月%d日}</h1>'
                         f'<ul class="post-list">{items}</ul></div>')
