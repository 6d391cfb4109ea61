"""A snapshot of the replay at one clock value: what is visible and which URL serves what.

Rebuilt whenever the clock moves; requests read one immutable snapshot, so a page
never mixes two clock values.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlsplit

from . import hardcases, paths
from .model import Post

#: (real host, path[?query]) -> (kind, argument)
Routes = dict[tuple[str, str], tuple[str, object]]


@dataclass
class Snapshot:
    version: int
    clock: datetime
    web: dict[str, list[Post]] = field(default_factory=dict)        # listed web posts, newest first
    visible: list[Post] = field(default_factory=list)
    editions: dict[tuple[str, date], list[Post]] = field(default_factory=dict)
    days: dict[tuple[str, date], list[Post]] = field(default_factory=dict)   # date archives
    routes: Routes = field(default_factory=dict)
    _pos: dict[int, int] = field(default_factory=dict)

    def older(self, post: Post, n: int) -> list[Post]:
        """Up to ``n`` listed posts of the same source published before ``post``, newest first."""
        web = self.web.get(post.source, [])
        i = self._pos.get(id(post))
        if i is None:   # unlisted or e-paper post: fall back to a scan
            return [p for p in web if p.published < post.published][:n]
        return web[i + 1:i + 1 + n]

    def newer(self, post: Post) -> Post | None:
        """The next listed post of the same source (WordPress' 下一篇), if visible."""
        i = self._pos.get(id(post))
        if i is None:
            later = [p for p in self.web.get(post.source, []) if p.published > post.published]
            return later[-1] if later else None
        return self.web[post.source][i - 1] if i > 0 else None


def _key(url: str) -> tuple[str, str]:
    p = urlsplit(url)
    return p.netloc, p.path + (f"?{p.query}" if p.query else "")


def build(posts: list[Post], sites: dict, clock: datetime, version: int) -> Snapshot:
    snap = Snapshot(version, clock)
    snap.visible = [p for p in posts if p.visible_at <= clock and p.source in sites]
    for p in sorted(snap.visible, key=lambda p: (p.published, p.path), reverse=True):
        if p.channel == "epaper":
            snap.editions.setdefault((p.source, p.day), []).insert(0, p)
        elif not p.extra.get("unlisted"):
            snap.web.setdefault(p.source, []).append(p)
            if p.source in ("finews", "btchangqing"):
                snap.days.setdefault((p.source, p.day), []).append(p)
    snap._pos = {id(p): i for posts in snap.web.values() for i, p in enumerate(posts)}
    r = snap.routes
    for sid, site in sites.items():
        _site_routes(r, site, snap)
    for p in snap.visible:
        r[(p.host, p.path)] = ("article", p)
        site = sites[p.source]
        if p.channel == "web" and site.mobile and p.host == site.www:
            r[(site.mobile, p.path)] = ("mobile", p)
    if "btchangqing" in sites:
        for name, path, *_ in hardcases._HTTP:
            r[(hardcases.BT, path)] = ("hard", name)
        r[(hardcases.BT, hardcases.REDIRECT_PARTNER)] = ("hard", "redirect_loop")
        for path, name in hardcases.discovery_routes().items():
            r[(hardcases.BT, path)] = ("hard", name)
    return snap


def _site_routes(r: Routes, site, snap: Snapshot) -> None:
    src, sid = site.src, site.id
    for host in set(src.allowed_domains) | set(src.mobile_hosts):
        r[(host, "/robots.txt")] = ("robots", (sid, host))
    r[(site.www, "/")] = ("home", sid)
    posts = snap.web.get(sid, [])
    for i, lst in enumerate(src.discovery.listings):
        for page in range(1, site.pages(i, posts) + 1):
            url = lst.url if page == 1 else lst.pagination.format(page=page)
            r[_key(url)] = ("listing", (sid, i, page))
    for url in src.discovery.feeds:
        r[_key(url)] = ("feed", (sid, _key(url)[1]))
    for url in src.discovery.sitemaps + src.discovery.news_sitemaps:
        r[_key(url)] = ("sitemap", (sid, _key(url)[1]))
    if sid == "btchangqing":
        n = max(1, -(-len(posts) // 2000))
        for k in range(1, n + 1):
            r[(site.www, f"/wp-sitemap-posts-post-{k}.xml")] = ("sitemap", (sid, f"/wp-sitemap-posts-post-{k}.xml"))
    if sid in paths.EPAPER_HOST:
        r[(paths.EPAPER_HOST[sid], "/")] = ("epaper_home", sid)
        for (s, day), edition in snap.editions.items():
            if s == sid:
                for page in {p.extra.get("page", 1) for p in edition} | {1}:   # the index always exists
                    r[(paths.EPAPER_HOST[sid], paths.epaper_node(sid, day, page))] = ("epaper_node", (sid, day, page))
    for (s, day) in snap.days:
        if s == sid:
            r[(site.www, paths.date_archive(sid, day))] = ("date_archive", (sid, day))
