"""Small HTML helpers shared by the site templates."""
from __future__ import annotations

import json
from datetime import datetime
from html import escape
from urllib.parse import quote

from .model import TZ


def esc(s: str) -> str:
    return escape(s, quote=True)


class Ctx:
    """Render context: maps real host names to the replay's ``127.0.0.1:PORT``."""

    def __init__(self, host_map: dict[str, str], snap=None):
        self.host_map, self.snap = host_map, snap

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{self.host_map[host]}{path}"

    def rel(self, host: str, path: str = "/") -> str:
        """Protocol-relative link (``//host/path``) as the Jekyll back-links write them."""
        return f"//{self.host_map[host]}{path}"

    def post_url(self, post) -> str:
        return self.url(post.host, post.path)


def paras_html(paragraphs, cls: str | None = None, strong: bool = True) -> str:
    """``<p>`` per paragraph; '## ' sub-headings become ``<p><strong>``."""
    attr = f' class="{cls}"' if cls else ""
    out = []
    for p in paragraphs:
        if p.startswith("## "):
            inner = f"<strong>{esc(p[3:])}</strong>" if strong else esc(p[3:])
            out.append(f"<p{attr}>{inner}</p>")
        else:
            out.append(f"<p{attr}>{esc(p)}</p>")
    return "\n".join(out)


def share_links(ctx: Ctx, url: str, title: str) -> str:
    """分享到 微博/微信/QQ空间: the weibo link goes to a foreign host (never to be crawled)."""
    weibo = ctx.url("service.weibo.com", f"/share/share.php?url={quote(url, safe='')}&title={quote(title)}")
    return (f'分享到：<a class="weibo" href="{esc(weibo)}" target="_blank">新浪微博</a> '
            '<a class="weixin" href="javascript:void(0)">微信</a> '
            '<a class="qzone" href="javascript:void(0)">QQ空间</a>')


def tracker(ctx: Ctx, site_id: str) -> str:
    src = ctx.url("hm.baidu.com", f"/hm.js?{site_id}")
    return f'<script>var _hmt = _hmt || [];</script><script async src="{esc(src)}"></script>'


def jsonld(data: dict) -> str:
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def local(dt: datetime) -> datetime:
    return dt.astimezone(TZ)


def ymd_hm(dt: datetime) -> str:
    return f"{local(dt):%Y-%m-%d %H:%M}"


def cn_date(dt: datetime) -> str:
    return f"{local(dt):%Y年%m月%d日}"


def pager(links: list[tuple[str, str | None]]) -> str:
    """Pagination bar from (label, url-or-None) pairs."""
    return " ".join(f'<a href="{esc(u)}">{esc(t)}</a>' if u else f'<span class="current">{esc(t)}</span>'
                    for t, u in links)
