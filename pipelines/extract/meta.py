"""Page metadata from markup: ``<meta>`` tags, JSON-LD, ``<title>``/``<h1>``, ``<link rel=canonical>``.

One pass over the tree collects every candidate; ``pipelines.extract.published``
and ``pipelines.extract`` decide between them.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from lxml.html import HtmlElement

#: Meta names/properties/itemprops that carry the publication time (lower-case).
DATE_KEYS = (
    "article:published_time", "og:published_time", "og:article:published_time", "datepublished",
    "article.published", "published_time", "publishdate", "publish-date", "publish_date", "pubdate",
    "firstpublishedtime", "dc.date.issued", "dcterms.issued", "dcterms.created", "dc.date", "sailthru.date",
    "parsely-pub-date", "article:published", "release_date", "og:release_date", "date", "created",
    "weibo: article:create_at", "apub:time", "publication_date", "datecreated",
)
_SEPARATORS = re.compile(r"[\s:_.\-]+")


def _key(name: str) -> str:
    """A meta name without separators: ``article:published:time`` and ``article:published_time`` are one key."""
    return _SEPARATORS.sub("", name)


_DATE_RANK: dict[str, int] = {}
for _i, _k in enumerate(DATE_KEYS):
    _DATE_RANK.setdefault(_key(_k), _i)
AUTHOR_KEYS = ("author", "article:author", "dc.creator", "byl", "sailthru.author", "parsely-author")
EDITOR_KEYS = ("editor", "article:editor")
#: Meta names/properties that carry the last modification time (lower-case).
MODIFIED_KEYS = (
    "article:modified_time", "og:updated_time", "og:article:modified_time", "datemodified", "article:modified",
    "modified_time", "updated_time", "dc.date.modified", "dcterms.modified", "last-modified", "lastmod",
    "article.updated", "parsely-updated",
)
_MODIFIED_RANK: dict[str, int] = {}
for _i, _k in enumerate(MODIFIED_KEYS):
    _MODIFIED_RANK.setdefault(_key(_k), _i)
#: Meta names/properties naming the outlet a story came from (``<meta name="source" content="新华网">``).
#: (``dc.source`` is left out: pages use it for the journal a paper cites, or for themselves.)
SOURCE_KEYS = ("source", "contentsource", "content_source", "content-source", "article:source", "og:article:source",
               "news_source", "sourcename", "source_name", "sourceorganization", "copyfrom")
#: Meta names whose value is the URL of the original article.
SOURCE_URL_KEYS = ("original-source", "original_source", "syndication-source")
SECTION_KEYS = ("article:section", "section", "category", "parsely-section", "og:article:section", "column")


@dataclass(slots=True)
class PageMeta:
    title: str | None = None
    og_title: str | None = None
    h1: str | None = None
    site_name: str | None = None
    canonical: str | None = None
    html_lang: str | None = None
    content_language: str | None = None   # <meta http-equiv="content-language">, og:locale
    zone_dates: list[str] = field(default_factory=list)   # other dates of the page's metadata (modified, created …)
    jsonld_dates: list[str] = field(default_factory=list)
    meta_dates: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    jsonld_modified: list[str] = field(default_factory=list)
    meta_modified: list[str] = field(default_factory=list)
    #: origin statements: ``<meta name="source">``-like values, JSON-LD sourceOrganization / isBasedOn
    #: publisher names, URLs of the original (isBasedOn, ``original-source``)
    source_meta: list[str] = field(default_factory=list)
    source_jsonld: list[str] = field(default_factory=list)
    source_urls: list[str] = field(default_factory=list)
    #: the page's own publisher as JSON-LD names it
    publishers: list[str] = field(default_factory=list)
    section: str | None = None
    not_free: bool = False


def _text(el: HtmlElement | None) -> str | None:
    if el is None:
        return None
    t = re.sub(r"\s+", " ", el.text_content()).strip()
    return t or None


def read_meta(tree: HtmlElement) -> PageMeta:
    pm = PageMeta()
    pm.title = _text(tree.find(".//title"))
    pm.h1 = _text(next(iter(tree.iter("h1")), None))
    pm.html_lang = (tree.get("lang") or "").strip() or None
    dates: list[tuple[int, str]] = []
    modified: list[tuple[int, str]] = []
    for m in tree.iter("meta"):
        key = (m.get("property") or m.get("name") or m.get("itemprop") or m.get("http-equiv") or "").strip().lower()
        val = (m.get("content") or "").strip()
        if not key or not val:
            continue
        if key in ("content-language", "og:locale", "language", "dc.language"):
            pm.content_language = pm.content_language or val
            continue
        bare = _key(key)
        if bare in _DATE_RANK:
            dates.append((_DATE_RANK[bare], val))
        elif bare in _MODIFIED_RANK and len(val) <= 40:
            modified.append((_MODIFIED_RANK[bare], val))
            pm.zone_dates.append(val)
        elif key in SOURCE_KEYS and len(val) <= 200:
            (pm.source_urls if val.startswith(("http://", "https://")) else pm.source_meta).append(val)
        elif key in SOURCE_URL_KEYS and val.startswith(("http://", "https://")):
            pm.source_urls.append(val)
        elif key in EDITOR_KEYS and not val.startswith("http"):
            pm.editors.extend(_split_authors(val))
        elif ("time" in key or "date" in key) and len(val) <= 40:
            pm.zone_dates.append(val)
        elif key in ("og:title", "twitter:title") and not pm.og_title:
            pm.og_title = val
        elif key == "og:site_name":
            pm.site_name = val
        elif key == "og:url" and not pm.canonical:
            pm.canonical = val
        elif key in AUTHOR_KEYS and not val.startswith("http"):
            pm.authors.extend(_split_authors(val))
        elif key in SECTION_KEYS and not pm.section:
            pm.section = val
    if not dates:
        for el in tree.xpath('//time[@datetime][@itemprop="datePublished" or @pubdate or @class]'
                             '|//*[@itemprop="datePublished"][@datetime or @content]'):
            dates.append((len(DATE_KEYS), el.get("datetime") or el.get("content")))
    pm.meta_dates = [v for _, v in sorted(dates, key=lambda x: x[0])]
    pm.meta_modified = [v for _, v in sorted(modified, key=lambda x: x[0])]
    for link in tree.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            pm.canonical = link.get("href").strip()
    _read_jsonld(tree, pm)
    return pm


def _split_authors(val: str) -> list[str]:
    parts = [a for a in re.split(r"\s*[,，;；、]\s*|\s+and\s+", val) if a]
    out = []
    for a in parts:   # Chinese names are also separated by spaces: "郭帆 赵琳"
        out += a.split() if re.fullmatch(r"[\u4e00-\u9fff·]{2,4}(?:\s+[\u4e00-\u9fff·]{2,4})+", a) else [a]
    return out


def _read_jsonld(tree: HtmlElement, pm: PageMeta) -> None:
    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except (ValueError, TypeError):
            continue
        for obj in _walk(data):
            if obj.get("datePublished"):
                pm.jsonld_dates.append(str(obj["datePublished"]))
            if obj.get("dateModified"):
                pm.jsonld_modified.append(str(obj["dateModified"]))
            pm.zone_dates.extend(str(obj[k]) for k in ("dateModified", "dateCreated", "uploadDate") if obj.get(k))
            if "datePublished" in obj or "articleBody" in obj or "headline" in obj:
                pm.authors.extend(_names(obj.get("author")))
                pm.editors.extend(_names(obj.get("editor")))
                pm.publishers.extend(_names(obj.get("publisher")))
                _read_origin(obj, pm)
                sec = obj.get("articleSection")
                if sec and not pm.section:
                    pm.section = str(sec[0] if isinstance(sec, list) and sec else sec)
            if str(obj.get("isAccessibleForFree", "")).lower() in ("false", "0"):
                pm.not_free = True


def _read_origin(obj: dict, pm: PageMeta) -> None:
    """``isBasedOn`` (a URL, or a work with ``url``/``@id`` and a ``publisher``) and ``sourceOrganization``."""
    for based in _as_list(obj.get("isBasedOn")) + _as_list(obj.get("isBasedOnUrl")):
        if isinstance(based, str) and based.startswith(("http://", "https://")):
            pm.source_urls.append(based.strip())
        elif isinstance(based, dict):
            url = based.get("url") or based.get("@id")
            if isinstance(url, str) and url.startswith(("http://", "https://")):
                pm.source_urls.append(url.strip())
            pm.source_jsonld.extend(_names(based.get("publisher")) + _names(based.get("sourceOrganization")))
    pm.source_jsonld.extend(_names(obj.get("sourceOrganization")))


def _as_list(x) -> list:
    return x if isinstance(x, list) else [] if x is None else [x]


def _walk(data, depth: int = 0):
    if depth > 6:
        return
    if isinstance(data, list):
        for x in data:
            yield from _walk(x, depth + 1)
    elif isinstance(data, dict):
        yield data
        for k in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if k in data:
                yield from _walk(data[k], depth + 1)


def _names(author) -> list[str]:
    if isinstance(author, list):
        return [n for a in author for n in _names(a)]
    if isinstance(author, dict):
        name = author.get("name")
        return [str(name).strip()] if isinstance(name, str) and name.strip() else []
    if isinstance(author, str) and author.strip() and not author.startswith("http"):
        return [author.strip()]
    return []
