"""Request-time behaviour of the HTTP hard cases (status codes, delays, broken bodies, bombs,
hostile sitemaps)."""
from __future__ import annotations

import gzip
import re
import struct
import threading
import zlib
from collections import Counter
from functools import lru_cache
from typing import Callable

from . import feeds, hardcases
from .chrome import Ctx
from .response import Response

#: What the decompression bombs inflate to: past any download limit (the default is 8 MiB).
BOMB_BYTES = 64 * 1024 * 1024

PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
_ERROR = "<html><head><title>{0}</title></head><body><h1>{0}</h1><hr><center>nginx</center></body></html>"


class HardState:
    """Per-replay counters (first request of a URL fails) and the knobs of the slow/huge pages."""

    def __init__(self, slow_seconds: float, oversize_bytes: int, fail_first: int = 1):
        self.slow_seconds, self.oversize_bytes, self.fail_first = slow_seconds, oversize_bytes, fail_first
        self._hits: Counter[str] = Counter()
        self._lock = threading.Lock()

    def hit(self, name: str) -> int:
        with self._lock:
            self._hits[name] += 1
            return self._hits[name]

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()


def _error(status: int, text: str, headers=()) -> Response:
    return Response(status, _ERROR.format(f"{status} {text}").encode(), "text/html", list(headers), kind="hard")


def _huge(size: int, chunked: bool) -> Response:
    head = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>链上数据周报合集</title></head><body>\n".encode()
    unit = "<p>链上数据周报:本周活跃地址、交易笔数与手续费统计,详见下表。</p>\n".encode() * 512

    def stream(write, stop: threading.Event) -> None:
        sent = 0
        write(head)
        sent += len(head)
        while sent < size and not stop.is_set():
            chunk = unit[: size - sent]
            write(chunk)
            sent += len(chunk)

    return Response(200, b"", "text/html; charset=utf-8", stream=stream, length=None if chunked else size,
                    chunked=chunked, kind="hard")


@lru_cache(maxsize=4)
def gzip_bomb(size: int = BOMB_BYTES, unit: int = 1 << 20) -> bytes:
    """A valid gzip member of about ``size`` bytes of HTML-ish spaces, about ``size / 1000`` bytes long,
    built in milliseconds: one fully flushed deflate block of ``unit`` spaces, repeated."""
    head = b"<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body><p>"
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    chunk = b" " * unit
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)   # after a full flush: the same bytes every time
    n = max(1, (size - len(head)) // unit)
    crc = zlib.crc32(head)
    for _ in range(n):
        crc = zlib.crc32(chunk, crc)
    last = zlib.compressobj(9, zlib.DEFLATED, -15).flush()   # an empty final block
    return first + block * n + last + struct.pack("<II", crc, (len(head) + n * unit) & 0xFFFFFFFF)


def _encoded(body: bytes, coding: str, ctype: str = "text/html; charset=utf-8") -> Response:
    return Response(200, body, ctype, [("Content-Encoding", coding)], kind="hard")


def _sitemap(name: str, path: str, ctx: Ctx) -> Response:
    url = lambda p: ctx.url(hardcases.BT, p)   # noqa: E731
    posts_sitemap = url("/wp-sitemap-posts-post-1.xml")
    if name == "sitemap_loop":
        text = feeds.sitemap_index([(url(path), None), (posts_sitemap, None)])
    elif name == "sitemap_deep":
        k = int(re.search(r"(\d+)\.xml$", path).group(1))
        text = feeds.sitemap_index([(url(hardcases.SITEMAP_DEEP.format(k=k + 1)), None)])
    elif path == hardcases.SITEMAP_FLOOD:
        text = feeds.sitemap_index([(url(hardcases.SITEMAP_FLOOD_CHILD.format(k=k)), None)
                                    for k in range(1, hardcases.FLOOD_CHILDREN + 1)])
    else:                                          # a flood child: one article of the site
        posts = ctx.snap.web.get("btchangqing", [])
        k = int(re.search(r"(\d+)\.xml$", path).group(1))
        post = posts[(k - 1) % len(posts)]
        text = feeds.sitemap([(ctx.post_url(post), post.published)])
    return Response(200, text.encode("utf-8"), "application/xml", kind="sitemap")


def respond(name: str, path: str, ctx: Ctx, state: HardState, render_post: Callable[[], Response]) -> Response:
    """The response of hard case ``name``; ``render_post`` renders its article normally."""
    if name.startswith("sitemap_"):
        return _sitemap(name, path, ctx)
    if name == "bomb_gzip_identity":
        return _encoded(gzip_bomb(), "gzip, identity")
    if name == "bomb_stacked":
        return _encoded(gzip.compress(gzip_bomb(), 9), "gzip, gzip")
    if name == "redirect_offsite":
        return Response(302, b"", "text/html", [("Location", ctx.url(hardcases.OFFSITE[0], hardcases.REDIRECT_OFFSITE))],
                        kind="hard")
    if name == "not_found":
        return _error(404, "Not Found")
    if name == "redirect_loop":
        target = hardcases.REDIRECT_PARTNER if path != hardcases.REDIRECT_PARTNER else "/390301.html"
        return Response(302, b"", "text/html", [("Location", ctx.url(hardcases.BT, target))], kind="hard")
    if name == "pdf":
        return Response(200, PDF, "application/pdf", [("Content-Disposition", "inline; filename=report.pdf")],
                        kind="hard")
    if name in ("oversized", "oversized_chunked"):
        return _huge(state.oversize_bytes, chunked=name == "oversized_chunked")
    if name == "retry_500" and state.hit(name) <= state.fail_first:
        return _error(500, "Internal Server Error")
    if name == "retry_429" and state.hit(name) <= state.fail_first:
        return _error(429, "Too Many Requests", [("Retry-After", "1")])
    resp = render_post()
    resp.kind = "hard"
    if name == "slow":
        resp.delay = state.slow_seconds
    elif name == "truncated_length":
        resp.length, resp.close = len(resp.body), True
        resp.body = resp.body[: int(len(resp.body) * 0.6)]
    elif name == "stacked_gzip":
        resp.body = gzip.compress(gzip.compress(resp.body))
        resp.headers = [h for h in resp.headers if h[0] != "ETag"] + [("Content-Encoding", "gzip, gzip")]
    elif name == "unknown_encoding":
        resp.body = zlib.compress(resp.body)   # some binary coding a crawler cannot know
        resp.headers = [h for h in resp.headers if h[0] != "ETag"] + [("Content-Encoding", "compress")]
    elif name == "truncated_html":
        cut = resp.body.find(b"<p>", int(len(resp.body) * 0.55))
        resp.body = resp.body[: cut + 2] if cut > 0 else resp.body[: int(len(resp.body) * 0.7)]
        resp.headers = [h for h in resp.headers if h[0] != "ETag"]
    return resp
