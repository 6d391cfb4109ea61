"""What every replayed site has in common: page skeleton, listings, feeds, sitemaps, robots.txt.

A subclass supplies its chrome (``header``/``footer``), its article body
(``article_main``) and how a listing entry looks; ``replay.routes``
decides which URL gets which page.
"""
from __future__ import annotations

import math
from urllib.parse import urlsplit

from ..chrome import Ctx, esc, pager, tracker, ymd_hm
from ..feeds import rss, sitemap, summary
from ..model import Post


class Site:
    id = ""
    name = ""
    codec = "utf-8"                 # how page bytes are encoded
    header_charset: str | None = "utf-8"   # charset in Content-Type (None: only in <meta>)
    meta_charset = "utf-8"
    page_size = 8
    feed_size = 20
    robots_disallow: tuple[str, ...] = ("/search/",)

    def __init__(self, source):
        self.src = source
        self.www = urlsplit(source.base_url).netloc
        self.mobile = next(iter(source.mobile_hosts), None)

    # -- skeleton ------------------------------------------------------------------------
    def header(self, ctx: Ctx) -> str:
        return f'<div class="header"><a href="{ctx.url(self.www)}">{esc(self.name)}</a></div>'

    def footer(self, ctx: Ctx) -> str:
        return f'<div class="footer"><a href="{ctx.url(self.www)}">返回首页</a> 版权所有 {esc(self.name)}</div>'

    def page(self, ctx: Ctx, title: str, main: str, head: str = "", charset: str | None = None) -> str:
        cs = charset or self.meta_charset
        return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta http-equiv="Content-Type" '
                f'content="text/html; charset={cs}">\n<title>{esc(title)}</title>\n{head}\n'
                f'{tracker(ctx, self.id)}\n</head>\n<body>\n{self.header(ctx)}\n{main}\n{self.footer(ctx)}\n'
                '</body>\n</html>\n')

    def encoding_for(self, post: Post | None) -> tuple[str, str | None, str]:
        """(codec, charset in the Content-Type header or None, charset in <meta>) of a page."""
        return self.codec, self.header_charset, self.meta_charset

    # -- articles ------------------------------------------------------------------------
    def article(self, ctx: Ctx, post: Post, paras: tuple[str, ...], modified, host: str) -> str:
        raise NotImplementedError

    def related(self, ctx: Ctx, post: Post, n: int = 3) -> list[Post]:
        """Older posts of the same source (stable: never changes when the clock moves)."""
        return ctx.snap.older(post, n)

    # -- listings ------------------------------------------------------------------------
    def listing_posts(self, i: int, posts: list[Post]) -> list[Post]:
        return posts

    def pages(self, i: int, posts: list[Post]) -> int:
        return max(1, math.ceil(len(self.listing_posts(i, posts)) / self.page_size))

    def listing_url(self, ctx: Ctx, i: int, page: int) -> str:
        lst = self.src.discovery.listings[i]
        p = urlsplit(lst.url if page == 1 else lst.pagination.format(page=page))
        return ctx.url(p.netloc, p.path + (f"?{p.query}" if p.query else ""))

    def list_item(self, ctx: Ctx, post: Post) -> str:
        return (f'<li><a href="{ctx.post_url(post)}" target="_blank">{esc(post.title)}</a>'
                f'<span class="time">{ymd_hm(post.published)}</span></li>')

    def listing(self, ctx: Ctx, i: int, page: int, posts: list[Post]) -> str:
        chosen = self.listing_posts(i, posts)
        n = self.pages(i, posts)
        items = chosen[(page - 1) * self.page_size: page * self.page_size]
        links = ([("上一页", self.listing_url(ctx, i, page - 1))] if page > 1 else [])
        links += [(str(k), None if k == page else self.listing_url(ctx, i, k)) for k in range(1, n + 1)]
        links += [("下一页", self.listing_url(ctx, i, page + 1))] if page < n else []
        body = ('<div class="list"><ul>\n' + "\n".join(self.list_item(ctx, p) for p in items) +
                f'\n</ul></div>\n<div class="page">{pager(links)}</div>' + self.listing_extra(ctx, page))
        return self.page(ctx, f"{self.listing_title(i)}_{self.name}", body)

    def listing_title(self, i: int) -> str:
        return "科技"

    def listing_extra(self, ctx: Ctx, page: int) -> str:
        return ""

    # -- discovery documents -------------------------------------------------------------
    def feed(self, ctx: Ctx, path: str, posts: list[Post]) -> str:
        items = [dict(url=ctx.post_url(p), title=p.title, published=p.published, summary=summary(p.paragraphs),
                      author=" ".join(p.authors), category=self.listing_title(0)) for p in posts[:self.feed_size]]
        return rss(f"{self.name}_{self.listing_title(0)}", ctx.url(self.www), f"{self.name}{self.listing_title(0)}频道",
                   items)

    def sitemap(self, ctx: Ctx, path: str, posts: list[Post]) -> str:
        return sitemap([(ctx.post_url(p), p.version(ctx.snap.clock)[1]) for p in posts], "daily")

    def robots(self, ctx: Ctx, host: str) -> str:
        lines = ["User-agent: *"] + [f"Disallow: {d}" for d in self.robots_disallow_for(host)]
        lines += ["", "User-agent: MJ12bot", "Disallow: /", ""]
        for u in self.src.discovery.sitemaps + self.src.discovery.news_sitemaps:
            p = urlsplit(u)
            if p.netloc == host:
                lines.append(f"Sitemap: {ctx.url(host, p.path)}")
        return "\n".join(lines) + "\n"

    def robots_disallow_for(self, host: str) -> tuple[str, ...]:
        return self.robots_disallow

    def date_archive(self, ctx: Ctx, day, posts: list[Post]) -> str:
        items = "\n".join(self.list_item(ctx, p) for p in posts)
        return self.page(ctx, f"{day:%Y年%m月%d日}_{self.name}",
                         f'<div class="archive"><h1>{day:%Y年%m月%d日}</h1><ul>{items}</ul></div>')

    def not_found(self, ctx: Ctx) -> str:
        return self.page(ctx, f"404 页面不存在_{self.name}",
                         f'<div class="err404"><h1>404</h1><p>抱歉，您访问的页面不存在或已被删除。</p>'
                         f'<a href="{ctx.url(self.www)}">返回首页</a></div>')

    def mobile_article(self, ctx: Ctx, post: Post, paras: tuple[str, ...], modified) -> str:
        from ..chrome import paras_html
        canon = ctx.post_url(post)
        head = (f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f'<link rel="canonical" href="{canon}">')
        main = (f'<div class="m-article"><h1>{esc(post.title)}</h1><div class="m-info">{ymd_hm(post.published)} '
                f'{esc(self.name)}</div><div class="m-content">{paras_html(paras)}</div>'
                f'<div class="m-foot"><a href="{canon}">查看电脑版</a></div></div>')
        return self.page(ctx, f"{post.title}_{self.name}手机版", main, head)
