"""One captured response -> an ``Article`` or a ``Reject`` (never raises).

    from pipelines.extract import extract, EXTRACTOR_VERSION
    result = extract(page, source, now=None)

Stages: response gates (status, not HTML, empty) -> decode (``pipelines.extract.encoding``;
double-encoded text repaired when reversible, ``decode_repair``; undecodable, mojibake
or mixed encodings -> ``decode`` reject) -> parse -> blocked/captcha gate ->
body (``pipelines.extract.body``) -> cleanup (``pipelines.extract.cleanup`` + the source's
``strip_lines``) -> paywall and length gates -> metadata (title, authors and editors,
published and modified dates, language, section, syndication (``pipelines.extract.syndication``),
canonical URL).
"""
from __future__ import annotations

import re
import traceback
from html import escape
from datetime import datetime, timezone

import trafilatura

from pipelines.extract import gates
from pipelines.extract.body import extract_body
from pipelines.extract.cleanup import Cleaned, clean_text
from pipelines.config import Source
from pipelines.extract.encoding import Decoded, decode_html, roundtrip_problem
from pipelines.extract.fields import (
    detect_language, info_sources, pick_canonical, pick_people, pick_section, pick_title, site_names,
)
from pipelines.extract.frontmatter import split_front_matter
from pipelines.extract.htmltree import page_text, parse_html, strip_scripts
from pipelines.extract.meta import PageMeta, read_meta
from pipelines.dedupe.normalize import content_hash
from pipelines.extract.published import find_modified, find_published, page_zone
from pipelines.record import Article, RawPage, Reject
from pipelines.extract.syndication import Outlets, Syndication, find_syndication
from pipelines.urls import article_id

_MARKUP = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*[\s>/]|!--|!doctype)", re.I)
EXTRACTOR_VERSION = f"newsarchive-extract/1.2 trafilatura/{trafilatura.__version__}"
DEFAULT_MIN_CHARS = 80


class _Rejected(Exception):
    def __init__(self, stage: str, reason: str, detail: str | None = None):
        super().__init__(reason)
        self.stage, self.reason, self.detail = stage, reason, detail


def extract(page: RawPage, source: Source | None, *, now: datetime | None = None,
            outlets: Outlets | None = None) -> Article | Reject:
    """``outlets``: the configured sources' outlet names (``Outlets(config.sources)``), for resolving
    ``syndicated_from`` to a source id; by default only the page's own source is known."""
    fetched = page.fetched_at or now or datetime.now(timezone.utc)
    try:
        return _extract(page, source, fetched, now or fetched, outlets or Outlets([source]))
    except _Rejected as r:
        return _reject(page, fetched, r.stage, r.reason, r.detail)
    except RecursionError as exc:
        return _reject(page, fetched, "extract", "too_deep", str(exc)[:500])
    except Exception as exc:  # a bug or a pathological page: recorded, never raised
        detail = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
        return _reject(page, fetched, "extract", "error", detail[:2000])


def _reject(page: RawPage, fetched: datetime, stage: str, reason: str, detail: str | None) -> Reject:
    return Reject(url=page.url, source=page.source, stage=stage, reason=reason, fetched_at=fetched,
                  run_id=page.run_id, detail=detail, http_status=page.status, raw_ref=page.raw_ref)


def _decode(page: RawPage, source: Source | None) -> Decoded:
    try:
        decoded = decode_html(page.body, page.header("content-type"), source.encoding if source else None)
    except (LookupError, ValueError) as exc:
        raise _Rejected("decode", "undecodable", str(exc)) from None
    if decoded.problem:
        raise _Rejected("decode", *decoded.problem)
    if decoded.is_mojibake:
        raise _Rejected("decode", "mojibake",
                        f"{decoded.encoding} ({decoded.declared_by}): {decoded.replacement_ratio:.1%} replacement chars")
    return decoded


def _extract(page: RawPage, source: Source | None, fetched: datetime, now: datetime, outlets: Outlets) -> Article:
    bad = gates.response_reason(page.status, page.header("content-type"), page.body)
    if bad:
        raise _Rejected("extract", *bad)
    decoded = _decode(page, source)
    front, html = split_front_matter(decoded.text)
    html = _plain_text_as_html(html)
    tree = parse_html(html)
    if tree is None:
        raise _Rejected("extract", "empty", "no HTML document could be parsed")
    meta = read_meta(tree)
    strip_scripts(tree)
    visible = page_text(tree)
    blocked = gates.block_reason(meta.title, visible)
    if blocked:
        raise _Rejected("extract", blocked, (meta.title or visible[:200]).strip())
    body = extract_body(tree, page.url, source.extraction.prune_xpaths if source else None,
                        page_chars=sum(map(len, visible.split())), reparse=lambda: _reparse(html))
    strip = [re.compile(p) for p in source.extraction.strip_lines] if source else []
    title = pick_title(meta, source, page.hints.get("title"), front.get("title"))
    cleaned = clean_text(_drop_title_line(body.text, title), strip)
    text = _drop_title_line(cleaned.text, title)
    if gates.is_paywalled(meta.not_free, visible, text):
        raise _Rejected("extract", "paywall", f"{len(text)} chars of teaser")
    min_chars = source.extraction.min_chars if source else DEFAULT_MIN_CHARS
    short = gates.body_reason(body.text, text, min_chars)
    if short:
        raise _Rejected("extract", *short)
    lost = roundtrip_problem(text)
    if lost:
        raise _Rejected("decode", *lost)
    language = detect_language(text, source.language if source else None)
    tz, tz_origin = page_zone(meta, page.url, language, source.tz if source else None)
    stamp, origin = find_published(
        meta, page_text=visible, body=body.text, headline=title, front_matter_date=front.get("date"),
        hints=page.hints, url=page.url, last_modified=page.header("last-modified"), tz=tz, now=now)
    offset_known = stamp is not None and (stamp.has_offset or tz is not None)
    published = stamp.value.astimezone(timezone.utc) if stamp else None
    modified, modified_origin = find_modified(meta, front_matter=front, hints=page.hints, tz=tz, now=now,
                                              published=published)
    canonical = pick_canonical(page.url, meta, source)
    authors, editors = pick_people(meta, cleaned.people, cleaned.editors, visible, source, title)
    body_lines = {ln.strip() for ln in body.text.split("\n")}
    origin_of = _syndication(meta, cleaned, info_sources(visible, title, body_lines), title, page, source, outlets)
    return Article(
        article_id=article_id(canonical), content_hash=content_hash(text), url=page.url,
        canonical_url=canonical, source=page.source, text=text, fetched_at=fetched,
        extractor_version=EXTRACTOR_VERSION, run_id=page.run_id, title=title,
        authors=authors, editors=editors, published_at=published,
        published_at_offset_minutes=stamp.offset_minutes if offset_known else None,
        published_at_origin=origin,
        published_at_offset_origin=("stamp" if stamp.has_offset else tz_origin) if offset_known else None,
        modified_at=modified, modified_at_origin=modified_origin,
        language=language, decode_repair=decoded.repair,
        syndicated_from=origin_of.name, syndicated_from_source=origin_of.source,
        syndicated_from_detail=origin_of.detail,
        section=pick_section(page.url, meta, source, page.hints, front.get("categories")),
        raw_ref=page.raw_ref,
    )


def _syndication(meta: PageMeta, cleaned: Cleaned, info: list[str], title: str | None, page: RawPage,
                 source: Source | None, outlets: Outlets) -> Syndication:
    """Every origin statement of the page (``pipelines.extract.syndication``), weighed."""
    statements = [("url", u) for u in meta.source_urls]
    statements += [("body", n) for n in cleaned.sources]
    statements += [("info", n) for n in info + cleaned.info_sources]
    statements += [("jsonld", n) for n in meta.source_jsonld] + [("meta", n) for n in meta.source_meta]
    if not statements:
        return Syndication()
    own = [*(source.outlet_names() if source else ()), *site_names(meta, title)]
    return find_syndication(statements, outlets, page.source or (source.id if source else None), own, page.url)


def _reparse(html: str):
    tree = parse_html(html)
    strip_scripts(tree)
    return tree


def _plain_text_as_html(text: str) -> str:
    """A text/plain body (no markup at all) becomes one paragraph per line."""
    if _MARKUP.search(text[:20000]):
        return text
    paras = "".join(f"<p>{escape(ln.strip())}</p>" for ln in text.splitlines() if ln.strip())
    return f"<html><body>{paras}</body></html>"


def _drop_title_line(text: str, title: str | None) -> str:
    """The headline repeated as the first body line is not body text."""
    if not title or not text:
        return text
    first, _, rest = text.partition("\n")
    squash = lambda s: re.sub(r"\W+", "", s)
    return rest if squash(first) == squash(title) else text
