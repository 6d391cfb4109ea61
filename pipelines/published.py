"""Choosing ``published_at`` and where it came from (``published_at_origin``).

Candidates in order of trust: JSON-LD, meta tags (and ``<time>``), Jekyll front
matter, the feed/sitemap hint, visible text (the date next to the headline,
then a labelled date such as ``发布时间：`` / ``更新时间:``, then a date on the
first or last lines of the body), the URL, the first date anywhere in the page, the
HTTP ``Last-Modified`` header.
A candidate later than ``now`` (the fetch time) is skipped. When the chosen
candidate has no time of day, a later candidate on the same day that has one
supplies it.
"""
from __future__ import annotations

import re
from datetime import datetime, tzinfo
from typing import Iterator

from pipelines.dates import Stamp, date_in_url, dates_in_text, parse_date
from pipelines.meta import PageMeta

#: How far after the headline (characters of page text) its date is looked for.
HEADLINE_WINDOW = 400
_LABEL = re.compile(r"(?:发布时间|发表时间|发布日期|发稿时间|出版日期|更新时间|时间|日期|发表于|发布于|"
                    r"published|posted|updated|date)\s*[:：]?\s*$", re.I)
_NOT_PUBLISHED = re.compile(r"(?:今天是|今日|当前时间|现在是|天气)\s*$")


def _text_candidates(page_text: str, headline: str | None, body: str,
                     tz: tzinfo) -> tuple[list[Stamp], list[Stamp]]:
    """(dates by the headline / labelled / on the body's edges, the first date anywhere)."""
    found = dates_in_text(page_text, tz)
    ok = [(pos, st) for pos, st in found if not _NOT_PUBLISHED.search(page_text[max(0, pos - 8):pos])]
    out: list[Stamp] = []
    if headline:
        at = page_text.find(headline[:20])
        if at >= 0:
            end = at + len(headline) + HEADLINE_WINDOW
            out += [st for pos, st in ok if at <= pos <= end][:1]
    out += [st for pos, st in ok if _LABEL.search(page_text[max(0, pos - 12):pos])][:1]
    edges = body[:200] + "\n" + body[-200:]
    out += [st for _, st in dates_in_text(edges, tz)][:1]
    return out, [st for _, st in ok][:1]


def _candidates(meta: PageMeta, page_text: str, body: str, headline: str | None, front_matter_date: str | None,
                hints: dict, url: str, last_modified: str | None, tz: tzinfo) -> Iterator[tuple[str, Stamp | None]]:
    """Candidates in order of trust, computed lazily (the text scan only runs when needed)."""
    for s in meta.jsonld_dates:
        yield "jsonld", parse_date(s, tz)
    for s in meta.meta_dates:
        yield "meta", parse_date(s, tz)
    yield "front_matter", parse_date(front_matter_date, tz)
    yield ("sitemap" if "sitemap" in str(hints.get("via", "")).lower() else "feed"), parse_date(hints.get("published"), tz)
    near, anywhere = _text_candidates(page_text, headline, body, tz)
    for st in near:
        yield "text", st
    yield "url", date_in_url(url, tz)
    for st in anywhere:
        yield "text", st
    yield "http", parse_date(last_modified, tz)


def find_published(meta: PageMeta, *, page_text: str, body: str, headline: str | None,
                   front_matter_date: str | None, hints: dict, url: str,
                   last_modified: str | None, tz: tzinfo, now: datetime) -> tuple[Stamp | None, str]:
    best: tuple[str, Stamp] | None = None
    for origin, st in _candidates(meta, page_text, body, headline, front_matter_date, hints, url, last_modified, tz):
        if st is None or st.value > now:
            continue
        if best is None:
            best = (origin, st)
            if st.has_time:
                break
        elif origin in ("url", "http"):
            break
        elif st.has_time and st.value.date() == best[1].value.date():
            return st, origin
    return (best[1], best[0]) if best else (None, "none")
