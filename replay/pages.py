"""Turn a route into a response: render the page, encode it, add validators.

Article pages carry ``ETag`` (derived from the content version, so it changes only
when the text does) and ``Last-Modified``; listings, feeds and sitemaps never do.
"""
from __future__ import annotations

import hashlib
from datetime import timezone
from email.utils import format_datetime

from . import epaper, paths
from .chrome import Ctx
from .response import Response

_TYPES = {"feed": "application/rss+xml", "sitemap": "application/xml", "robots": "text/plain"}


def _encoded(text: str, codec: str, header_cs: str | None, ctype: str = "text/html",
             errors: str = "strict") -> tuple[bytes, str]:
    return text.encode(codec, errors), f"{ctype}; charset={header_cs}" if header_cs else ctype


def article(ctx: Ctx, site, post, host: str, mode: str | None, mobile: bool = False) -> Response:
    paras, modified, _ = post.version(ctx.snap.clock)
    if mode == "empty_bodies":
        paras = ()
    if post.channel == "epaper":
        codec, hcs, _meta = epaper.encoding(post.source)
        html = epaper.content(ctx, post, paras)
    else:
        codec, hcs, _meta = site.encoding_for(post)
        html = site.mobile_article(ctx, post, paras, modified) if mobile else site.article(ctx, post, paras, modified, host)
    body, ctype = _encoded(html, codec, hcs)
    tag = hashlib.sha1(f"{host}{post.path}{modified.isoformat()}{mode}{len(paras)}".encode()).hexdigest()[:20]
    headers = [("ETag", f'"{tag}"'), ("Last-Modified", format_datetime(modified.astimezone(timezone.utc), usegmt=True)),
               ("Cache-Control", "max-age=300")]
    return Response(200, body, ctype, headers, kind="article")


def render(ctx: Ctx, sites: dict, kind: str, arg, host: str, mode: str | None) -> Response:
    snap = ctx.snap
    if kind in ("article", "mobile"):
        return article(ctx, sites[arg.source], arg, host, mode, mobile=kind == "mobile")
    if kind == "epaper_node":
        sid, day, page = arg
        html = epaper.node(ctx, sid, day, page, snap.editions[(sid, day)])
        codec, hcs, _ = epaper.encoding(sid)
        return Response(200, *_encoded(html, codec, hcs), kind="archive")
    if kind == "epaper_home":
        latest = max((d for (s, d) in snap.editions if s == arg), default=None)
        if latest is None:
            return not_found(ctx, sites[arg])
        loc = ctx.url(paths.EPAPER_HOST[arg], paths.epaper_node(arg, latest, 1))
        return Response(302, b"", None, [("Location", loc)], kind="archive")
    sid = arg if kind == "home" else arg[0]
    site = sites[sid]
    posts = snap.web.get(sid, [])
    if kind == "robots":
        return Response(200, *_encoded(site.robots(ctx, arg[1]), "utf-8", "utf-8", "text/plain"), kind="robots")
    if kind in ("feed", "sitemap"):
        text = site.feed(ctx, arg[1], posts) if kind == "feed" else site.sitemap(ctx, arg[1], posts)
        # A GBK feed (ce) writes characters outside GBK as character references.
        codec, hcs = ("gbk", "GBK") if kind == "feed" and site.codec != "utf-8" else ("utf-8", "utf-8")
        ctype = "application/atom+xml" if text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<feed') else _TYPES[kind]
        return Response(200, *_encoded(text, codec, hcs, ctype, "xmlcharrefreplace"), kind=kind)
    if kind == "listing":
        html = site.listing(ctx, arg[1], arg[2], posts)
    elif kind == "home":
        html = site.listing(ctx, 0, 1, posts) if site.src.discovery.listings else site.not_found(ctx)
    elif kind == "date_archive":
        html = site.date_archive(ctx, arg[1], snap.days[arg])
    else:
        raise KeyError(kind)
    codec, hcs, _ = site.encoding_for(None)
    return Response(200, *_encoded(html, codec, hcs), kind="archive" if kind == "date_archive" else "listing")


def not_found(ctx: Ctx, site) -> Response:
    codec, hcs, _ = site.encoding_for(None)
    return Response(404, *_encoded(site.not_found(ctx), codec, hcs), kind="not_found")
