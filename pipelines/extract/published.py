"""Choosing ``published_at`` and where it came from (``published_at_origin``).

Candidates in order of trust: JSON-LD, meta tags (and ``<time>``), Jekyll front
matter, the publication date a discovery document gave (``news_sitemap``: a Google
News sitemap's ``publication_date``; ``feed``: an RSS ``pubDate`` / Atom ``published``),
visible text (the date next to the headline, then a labelled date such as
``发布时间：`` / ``更新时间:``, then a date on the first or last lines of the body),
the URL, the date closest before the body's text (an info bar between headline and
text; else the first date anywhere in the page), then two modification times as a last
resort: a plain sitemap's ``lastmod`` (``sitemap_lastmod``) and the HTTP
``Last-Modified`` header. A ``lastmod`` is when the page last changed, not when it
was published, so it never outranks a date printed on the page or in its URL.
A "headline" that is a bare host name (a blog's ``<title>``) anchors no date. Meta names
match whatever separators they use (``pipelines.extract.meta``). A candidate later than ``now`` (the fetch time) is skipped. When the chosen
candidate has no time of day, a later candidate on the same day that has one
supplies it (never a modification time, nor the URL's date).

``find_modified`` picks ``modified_at``: JSON-LD ``dateModified``, ``article:modified_time``-like
meta, front matter ``last_modified_at``, then the discovery hint (Atom ``updated``, sitemap
``lastmod``); a value earlier than the publication time or later than ``now`` is no modification time.

Time zones: a value that states its offset keeps it (``stamp``). A naive value
is read in the zone ``page_zone`` found: the source's configured timezone
(``source``), else an offset stated in another date of the page's metadata
(``page``, e.g. ``+0800`` in JSON-LD), else the language and region of the page
(``language``: ``zh-CN``/``zh-TW``/``zh-HK``/``zh``, ``ja``, ``ko``; markup
first, then the text's language), else the host's country domain (``host``:
``.cn``, ``.tw``, ``.hk``, ``.mo``, ``.sg``). Without any of these the offset
stays unknown: the wall time is kept as written (in the UTC slot of
``published_at``) with ``published_at_offset_minutes`` null, never
assumed to be UTC.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Iterator
from urllib.parse import urlsplit

from pipelines.extract.combine import is_prose
from pipelines.extract.dates import Stamp, date_in_url, dates_in_text, parse_date
from pipelines.extract.meta import PageMeta

#: How far after the headline (characters of page text) its date is looked for.
HEADLINE_WINDOW = 400
#: How far before the body's text (characters of page text) the info bar's date is looked for, and among how many
#: first lines of the body its first sentence is looked for.
BODY_WINDOW = 200
BODY_LINES = 5
#: A "headline" that is a bare host name (a blog's ``<title>blog.example.com</title>``) anchors no date.
_HOST_NAME = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,}", re.I)
_LABEL = re.compile(r"(?:发布时间|发表时间|发布日期|发稿时间|出版日期|更新时间|时间|日期|发表于|发布于|"
                    r"published|posted|updated|date)\s*[:：]?\s*$", re.I)
_NOT_PUBLISHED = re.compile(r"(?:今天是|今日|当前时间|现在是|天气)\s*$")
#: A naive time whose zone is unknown may be this far ahead of UTC (UTC+14) and still not be in the future.
MAX_AHEAD = timedelta(hours=14)
_OFFSET = re.compile(r"(?:T|\d\s)\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?\s*(?P<sign>[+-])(?P<h>\d{2}):?(?P<m>\d{2})\s*$")
_CST = timezone(timedelta(hours=8))
_LANG_ZONES = {"zh": _CST, "ja": timezone(timedelta(hours=9)), "ko": timezone(timedelta(hours=9))}
_HOST_ZONES = {"cn": _CST, "tw": _CST, "hk": _CST, "mo": _CST, "sg": _CST}


def page_zone(meta: PageMeta, url: str, text_language: str | None,
              source_tz: tzinfo | None = None) -> tuple[tzinfo | None, str | None]:
    """(zone, where it came from) for the page's naive times; (None, None) when nothing says."""
    if source_tz is not None:
        return source_tz, "source"
    for s in (*meta.jsonld_dates, *meta.meta_dates, *meta.zone_dates):
        m = _OFFSET.search(s.strip()) if isinstance(s, str) else None
        if m:
            minutes = int(m.group("h")) * 60 + int(m.group("m"))
            return timezone(timedelta(minutes=-minutes if m.group("sign") == "-" else minutes)), "page"
    for lang in (meta.html_lang, meta.content_language, text_language):
        zone = _LANG_ZONES.get((lang or "").strip().lower().replace("_", "-").split("-")[0])
        if zone:
            return zone, "language"
    tld = (urlsplit(url).hostname or "").rsplit(".", 1)[-1].lower()
    if tld in _HOST_ZONES:
        return _HOST_ZONES[tld], "host"
    return None, None


_RANGE_AFTER = re.compile(r"[\d/.\-年月日]{6,}\s+[-–—~至到]\s*\d")
_RANGE_BEFORE = re.compile(r"\d\s*[-–—~至到]\s+$")


def _in_range(text: str, pos: int) -> bool:
    """A date that starts or ends a range (``12/01/2004 - 01/01/2005``: archive navigation), not a publish date."""
    return bool(_RANGE_AFTER.match(text, pos, pos + 40) or _RANGE_BEFORE.search(text, max(0, pos - 6), pos))


def _body_start(page_text: str, body: str) -> int:
    """Where the body's text starts in the page text: its first sentence-like line (headings and info lines
    may come before it), else its first line; -1 when it is not found as written."""
    lines = [ln.strip() for ln in body.split("\n") if ln.strip()]
    first = next((ln for ln in lines[:BODY_LINES] if is_prose(ln)), lines[0] if lines else "")[:20]
    return page_text.find(first) if len(first) >= 6 else -1


def _text_candidates(page_text: str, headline: str | None, body: str,
                     tz: tzinfo) -> tuple[list[Stamp], list[Stamp]]:
    """(dates by the headline / labelled / on the body's edges, the first date anywhere)."""
    found = dates_in_text(page_text, tz)
    ok = [(pos, st) for pos, st in found if not _NOT_PUBLISHED.search(page_text[max(0, pos - 8):pos])
          and not _in_range(page_text, pos)]
    out: list[Stamp] = []
    if headline and not _HOST_NAME.fullmatch(headline.strip()):
        at = page_text.find(headline[:20])
        if at >= 0:
            end = at + len(headline) + HEADLINE_WINDOW
            out += [st for pos, st in ok if at <= pos <= end][:1]
    out += [st for pos, st in ok if _LABEL.search(page_text[max(0, pos - 12):pos])][:1]
    edges = body[:200] + "\n" + body[-200:]
    out += [st for _, st in dates_in_text(edges, tz)][:1]
    start = _body_start(page_text, body)
    # the date closest before the body's first line (an info bar between headline and text), else the first anywhere
    before = [st for pos, st in ok if start - BODY_WINDOW <= pos < start][-1:] if start > 0 else []
    return out, before or [st for _, st in ok][:1]


#: Origins that are modification times or day-only guesses: they never refine an earlier candidate's time.
_NO_REFINE = ("url", "sitemap_lastmod", "http")


def hint_dates(hints: dict) -> tuple[tuple[str, str | None], tuple[str, str | None]]:
    """((origin, publication date), (origin, modification date)) of a page's discovery hints.

    The crawler writes ``published`` + ``published_from`` (``news_sitemap`` | ``feed``) and ``modified``
    + ``modified_from`` (``sitemap_lastmod`` | ``feed``). Crawl logs written before had only
    ``published`` and ``via``; a ``via`` of ``sitemap`` could then be either date, so it counts as a
    ``lastmod``."""
    via = str(hints.get("via") or "").lower()
    pub_from = hints.get("published_from") or {"news_sitemap": "news_sitemap", "sitemap": "sitemap_lastmod"}.get(via, "feed")
    published = hints.get("published")
    modified = hints.get("modified")
    mod_from = hints.get("modified_from") or ("feed" if via == "feed" else "sitemap_lastmod")
    if pub_from == "sitemap_lastmod":
        published, modified, mod_from = None, modified or published, "sitemap_lastmod"
    return (pub_from, published), (mod_from, modified)


def _candidates(meta: PageMeta, page_text: str, body: str, headline: str | None, front_matter_date: str | None,
                hints: dict, url: str, last_modified: str | None, tz: tzinfo) -> Iterator[tuple[str, Stamp | None]]:
    """Candidates in order of trust, computed lazily (the text scan only runs when needed)."""
    for s in meta.jsonld_dates:
        yield "jsonld", parse_date(s, tz)
    for s in meta.meta_dates:
        yield "meta", parse_date(s, tz)
    yield "front_matter", parse_date(front_matter_date, tz)
    (pub_from, published), (mod_from, modified) = hint_dates(hints)
    yield pub_from, parse_date(published, tz)
    near, anywhere = _text_candidates(page_text, headline, body, tz)
    for st in near:
        yield "text", st
    yield "url", date_in_url(url, tz)
    for st in anywhere:
        yield "text", st
    if mod_from == "sitemap_lastmod":
        yield "sitemap_lastmod", parse_date(modified, tz)
    yield "http", parse_date(last_modified, tz)


def find_published(meta: PageMeta, *, page_text: str, body: str, headline: str | None,
                   front_matter_date: str | None, hints: dict, url: str,
                   last_modified: str | None, tz: tzinfo | None, now: datetime) -> tuple[Stamp | None, str]:
    """The publication time and its origin. Naive values are read in ``tz``; with ``tz=None`` they keep
    their wall time in UTC's slot and ``has_offset=False`` (offset unknown)."""
    best: tuple[str, Stamp] | None = None
    for origin, st in _candidates(meta, page_text, body, headline, front_matter_date, hints, url, last_modified,
                                  timezone.utc):
        if st is None:
            continue
        if not st.has_offset and tz is not None:
            st = st.in_zone(tz)
        if st.value > (now + MAX_AHEAD if not st.has_offset and tz is None else now):
            continue
        if best is None:
            best = (origin, st)
            if st.has_time:
                break
        elif origin in _NO_REFINE:
            break
        elif st.has_time and st.value.date() == best[1].value.date():
            return st, origin
    return (best[1], best[0]) if best else (None, "none")


def find_modified(meta: PageMeta, *, front_matter: dict, hints: dict, tz: tzinfo | None, now: datetime,
                  published: datetime | None) -> tuple[datetime | None, str | None]:
    """(``modified_at`` in UTC, its origin) or (None, None); see the module docstring."""
    cands = [("jsonld", s) for s in meta.jsonld_modified] + [("meta", s) for s in meta.meta_modified]
    cands += [("front_matter", front_matter.get(k)) for k in ("last_modified_at", "modified", "updated")]
    (_, _), (mod_from, modified) = hint_dates(hints)
    cands.append((mod_from, modified))
    for origin, s in cands:
        st = parse_date(s, timezone.utc) if s else None
        if st is None:
            continue
        if not st.has_offset and tz is not None:
            st = st.in_zone(tz)
        value = st.value.astimezone(timezone.utc)
        if value > now or (published is not None and value < published):
            continue
        return value, origin
    return None, None
