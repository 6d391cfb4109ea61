"""One captured response -> an ``Article`` or a ``Reject`` (never raises).

    from pipelines.extract import extract, EXTRACTOR_VERSION
    result = extract(page, source, now=None)

Stages: response gates (status, not HTML, empty) -> decode (``pipelines.encoding``;
double-encoded text repaired when reversible, ``decode_repair``; undecodable, mojibake
or mixed encodings -> ``decode`` reject) -> parse -> blocked/captcha gate ->
body (``pipelines.body``) -> cleanup (``pipelines.cleanup`` + the source's
``strip_lines``) -> paywall and length gates -> metadata (title, authors, date,
language, section, syndication, canonical URL).
"""
from __future__ import annotations

import re
import traceback
from html import escape
from datetime import datetime, timezone

import trafilatura

from pipelines import gates
from pipelines.body import extract_body
from pipelines.cleanup import clean_text
from pipelines.config import Source
from pipelines.encoding import Decoded, decode_html, roundtrip_problem
from pipelines.fields import detect_language, pick_authors, pick_canonical, pick_section, pick_title
from pipelines.frontmatter import split_front_matter
from pipelines.htmltree import page_text, parse_html, strip_scripts
from pipelines.meta import read_meta
from pipelines.normalize import content_hash
from pipelines.published import find_published, page_zone
from pipelines.record import Article, RawPage, Reject
from pipelines.urls import article_id

_SPACE = re.compile(r"\s+")
_MARKUP = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*[\s>/]|!--|!doctype)", re.I)
EXTRACTOR_VERSION = f"newsarchive-extract/1.0 trafilatura/{trafilatura.__version__}"
DEFAULT_MIN_CHARS = 80


class _Rejected(Exception):
    def __init__(self, stage: str, reason: str, detail: str | None = None):
        super().__init__(reason)
        self.stage, self.reason, self.detail = stage, reason, detail


def extract(page: RawPage, source: Source | None, *, now: datetime | None = None) -> Article | Reject:
    fetched = page.fetched_at or now or datetime.now(timezone.utc)
    try:
        return _extract(page, source, fetched, now or fetched)
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


def _extract(page: RawPage, source: Source | None, fetched: datetime, now: datetime) -> Article:
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
                        page_chars=len(_SPACE.sub("", visible)), reparse=lambda: _reparse(html))
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
    canonical = pick_canonical(page.url, meta, source)
    return Article(
        article_id=article_id(canonical), content_hash=content_hash(text), url=page.url,
        canonical_url=canonical, source=page.source, text=text, fetched_at=fetched,
        extractor_version=EXTRACTOR_VERSION, run_id=page.run_id, title=title,
        authors=pick_authors(meta, cleaned.people, visible, source, title),
        published_at=stamp.value.astimezone(timezone.utc) if stamp else None,
        published_at_offset_minutes=stamp.offset_minutes if offset_known else None,
        published_at_origin=origin,
        published_at_offset_origin=("stamp" if stamp.has_offset else tz_origin) if offset_known else None,
        language=language, decode_repair=decoded.repair,
        syndicated_from=cleaned.syndicated_from,
        section=pick_section(page.url, meta, source, page.hints, front.get("categories")),
        raw_ref=page.raw_ref,
    )


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
