"""Request-time behaviour of the HTTP hard cases (status codes, delays, broken bodies)."""
from __future__ import annotations

import threading
from collections import Counter
from typing import Callable

from . import hardcases
from .chrome import Ctx
from .response import Response

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


def respond(name: str, path: str, ctx: Ctx, state: HardState, render_post: Callable[[], Response]) -> Response:
    """The response of hard case ``name``; ``render_post`` renders its article normally."""
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
    elif name == "truncated_html":
        cut = resp.body.find(b"<p>", int(len(resp.body) * 0.55))
        resp.body = resp.body[: cut + 2] if cut > 0 else resp.body[: int(len(resp.body) * 0.7)]
        resp.headers = [h for h in resp.headers if h[0] != "ETag"]
    return resp
