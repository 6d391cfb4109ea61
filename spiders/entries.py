"""Parsing discovery pages into entries: RSS/Atom feeds, sitemaps, HTML links.

Pure functions over bytes/text (no Scrapy), so they are tested on stored pages.
XML is parsed without entity resolution or network access; a gzipped body is inflated within
``max_bytes`` (``pipelines.capture.raw.ContentTooLarge`` past it). An ``href`` that is no URL at all
(``http://[::1``) is skipped, as a browser skips it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from email.utils import parsedate_to_datetime
from typing import Iterator
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import lxml.html
from lxml import etree
from w3lib.url import safe_url_string

from pipelines.capture.raw import MAX_DECODED_BYTES, BadContentEncoding, decode_content

_XML = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, remove_comments=True)
_DATE_IN_TEXT = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")


@dataclass(slots=True)
class Entry:
    """A URL found on a discovery page, with what the page said about it.

    ``published`` is a publication date (RSS ``pubDate``, Atom ``published``, a Google News sitemap's
    ``publication_date``); ``modified`` a modification time (a sitemap's ``lastmod``, Atom ``updated``).
    """
    url: str
    published: datetime | None = None
    title: str | None = None
    section: str | None = None
    is_sitemap: bool = False   # a child sitemap of a sitemap index
    extra: dict = field(default_factory=dict)
    modified: datetime | None = None

    @property
    def newest(self) -> datetime | None:
        """The latest date known of the entry (for the freshness cut-off: a page modified before it is older)."""
        return max((d for d in (self.published, self.modified) if d is not None), default=None)

    def hints(self, via: str) -> dict:
        """Crawl-log hints: ``via``, and ``published``/``modified`` with where they came from
        (``published_from``: ``news_sitemap`` | ``feed``; ``modified_from``: ``sitemap_lastmod`` | ``feed``)."""
        h: dict = {"via": via}
        if self.published:
            h["published"] = self.published.isoformat()
            h["published_from"] = "news_sitemap" if via == "news_sitemap" else "feed"
        if self.modified:
            h["modified"] = self.modified.isoformat()
            h["modified_from"] = "feed" if via == "feed" else "sitemap_lastmod"
        if self.title:
            h["title"] = self.title
        if self.section:
            h["section"] = self.section
        return h


def parse_date(s: str | None, tz: ZoneInfo) -> datetime | None:
    """RFC 822, ISO 8601 or ``YYYY-MM-DD[ HH:MM[:SS]]`` (also 年月日); naive times are in ``tz``."""
    if not s or not (s := s.strip()):
        return None
    dt = None
    try:
        dt = parsedate_to_datetime(s)
    except (TypeError, ValueError, IndexError):
        try:
            dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
        except ValueError:
            m = _DATE_IN_TEXT.search(s)
            if m:
                y, mo, d, hh, mi, ss = (int(x) if x else 0 for x in m.groups())
                try:
                    dt = datetime(y, mo, d, hh, mi, ss)
                except ValueError:
                    return None
    if dt is None:
        return None
    return dt.replace(tzinfo=tz) if dt.tzinfo is None else dt


def cutoff(day: date, max_age_days: int, tz: ZoneInfo) -> datetime:
    """Entries published before this are too old for the crawl of logical date ``day``."""
    return datetime.combine(day - timedelta(days=max_age_days), time.min, tzinfo=tz)


def _root(body: bytes, max_bytes: int = MAX_DECODED_BYTES):
    if body[:2] == b"\x1f\x8b":
        try:
            body = decode_content(body, "gzip", max_bytes)   # ContentTooLarge goes to the caller
        except BadContentEncoding:
            return None
    body = body.lstrip()
    if not body:
        return None
    try:
        return etree.fromstring(body, parser=_XML)
    except etree.XMLSyntaxError:
        return None


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(el, *names: str) -> str | None:
    for child in el:
        if _local(child.tag) in names and child.text and child.text.strip():
            return child.text.strip()
    return None


def parse_feed(body: bytes, base_url: str, tz: ZoneInfo, max_bytes: int = MAX_DECODED_BYTES) -> list[Entry]:
    """Items of an RSS 0.9x/1.0/2.0 or Atom feed (empty list for anything else)."""
    root = _root(body, max_bytes)
    if root is None:
        return []
    out = []
    for el in root.iter():
        name = _local(el.tag)
        if name == "item":
            link = _child_text(el, "link") or _guid_link(el)
            date_s = _child_text(el, "pubDate", "date", "published", "issued")
            mod_s = _child_text(el, "updated", "modified")
            section = _child_text(el, "category", "subject")
        elif name == "entry":
            link = _atom_link(el)
            date_s = _child_text(el, "published", "issued")
            mod_s = _child_text(el, "updated", "modified")
            section = next((c.get("term") for c in el if _local(c.tag) == "category" and c.get("term")), None)
        else:
            continue
        if link and (url := _abs(base_url, link)):
            out.append(Entry(url, parse_date(date_s, tz), _child_text(el, "title"), section,
                             modified=parse_date(mod_s, tz)))
    return out


def _guid_link(el) -> str | None:
    for c in el:
        if _local(c.tag) == "guid" and c.get("isPermaLink", "true") != "false" and (c.text or "").startswith("http"):
            return c.text.strip()
    return None


def _atom_link(el) -> str | None:
    links = [c for c in el if _local(c.tag) == "link" and c.get("href")]
    for c in links:
        if c.get("rel", "alternate") == "alternate":
            return c.get("href")
    return links[0].get("href") if links else None


def parse_sitemap(body: bytes, base_url: str, tz: ZoneInfo, max_bytes: int = MAX_DECODED_BYTES) -> list[Entry]:
    """URLs of a sitemap or child sitemaps of an index; ``news:publication_date`` is ``published`` (and
    marks a Google News entry, ``extra["news"]``), ``lastmod`` is ``modified``."""
    root = _root(body, max_bytes)
    if root is None:
        return []
    is_index = _local(root.tag) == "sitemapindex"
    out = []
    for el in root:
        if _local(el.tag) not in ("url", "sitemap"):
            continue
        loc = _child_text(el, "loc")
        if not loc or not (url := _abs(base_url, loc)):
            continue
        news = next((c for c in el if _local(c.tag) == "news"), None)
        pub = parse_date(_child_text(news, "publication_date"), tz) if news is not None else None
        title = _child_text(news, "title") if news is not None else None
        lastmod = parse_date(_child_text(el, "lastmod"), tz)
        out.append(Entry(url, pub, title, is_sitemap=is_index, modified=lastmod,
                         extra={"news": True} if news is not None else {}))
    return out


def extract_links(html: str, base_url: str) -> Iterator[tuple[str, str]]:
    """(absolute URL, anchor text) of every ``<a href>`` of a page, honouring ``<base href>``."""
    if not html or not html.strip():
        return
    try:
        doc = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return
    base = next((b.get("href") for b in doc.iter("base") if b.get("href")), None)
    base = (_abs(base_url, base) or base_url) if base else base_url
    for a in doc.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            continue
        url = _abs(base, href)
        if url and url.startswith(("http://", "https://")):
            yield url, " ".join(a.text_content().split())[:300]


def _abs(base: str, href: str) -> str | None:
    """The absolute, safe form of ``href`` (None when it is no URL at all, e.g. ``http://[::1``)."""
    try:
        return safe_url_string(urljoin(base, href.strip())).split("#", 1)[0]
    except ValueError:
        return None
