"""Foreign hosts (share links, trackers, another news site): served, logged, never to be crawled."""
from __future__ import annotations

from .chrome import esc
from .response import Response


def respond(host: str, target: str) -> Response:
    if target == "/robots.txt":
        return Response(200, b"User-agent: *\nDisallow:\n", "text/plain; charset=utf-8", kind="robots")
    if target.startswith("/hm.js"):
        return Response(200, b"/* tracker */", "application/javascript", kind="foreign")
    html = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{esc(host)}</title></head><body>"
            f"<h1>{esc(host)}</h1><p>外部站点页面。</p></body></html>")
    return Response(200, html.encode(), "text/html; charset=utf-8", kind="foreign")
