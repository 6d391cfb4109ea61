"""Article fields other than body and date: title, authors and editors, section, language, canonical URL,
and the page's statements about its own site and its origin (for ``pipelines.extract.syndication``)."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from pipelines.config import Source
from pipelines.extract.meta import PageMeta
from pipelines.extract.textrules import EDITOR_LABEL, INFO_SOURCE, ORG_NAME, PAGE_BYLINE, PAGE_EDITOR, split_people
from pipelines.urls import canonicalize

#: How far after the headline (characters of page text) its byline and info bar are looked for.
HEADER_CHARS = 300

#: Separators between a headline and the site name in ``<title>``.
_TITLE_SEP = re.compile(r"\s+[-–—|｜·]\s+|\s*[_｜|]\s*|\s*[－—–]{1,2}\s*|\s+-\s*|-(?=[^-\s]{2,12}$)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
#: Characters of text given to the language identifier (its cost grows with the length).
LANGID_CHARS = 400


def _squash(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("\u3000", " ")).strip()


def _strip_site(title: str, site_name: str | None) -> str:
    """Drop trailing (or leading) site-name parts: ``从上海车展看在华布局-搜狐汽车`` -> headline."""
    parts = [p for p in _TITLE_SEP.split(title) if p and p.strip()]
    if len(parts) < 2:
        return title
    def is_site(p: str) -> bool:
        p = p.strip()
        return bool(site_name and p in site_name) or (len(p) <= 12 if _CJK.search(p) else len(p.split()) <= 4)
    while len(parts) > 1 and is_site(parts[-1]) and len(parts[0]) > len(parts[-1]):
        parts.pop()
    while len(parts) > 1 and is_site(parts[0]) and len(parts[-1]) > 2 * len(parts[0]):
        parts.pop(0)
    return " - ".join(p.strip() for p in parts) if len(parts) > 1 else parts[0].strip()


def pick_title(meta: PageMeta, source: Source | None, hint: str | None, front_matter: str | None) -> str | None:
    suffixes = source.extraction.title_suffixes if source else []
    for cand in (front_matter, meta.h1, meta.og_title, meta.title, hint):
        if not cand:
            continue
        t = _squash(cand)
        for suf in suffixes:
            if t.endswith(suf.strip()):
                t = t[: -len(suf.strip())].rstrip(" -_|")
        if cand is meta.h1:
            # an <h1> is the headline only when the <title>/og:title confirm it (not a site logo).
            others = " ".join(_squash(x) for x in (meta.title, meta.og_title, hint) if x)
            if not t or t not in others:
                continue
            return t
        t = _strip_site(t, meta.site_name)
        if t:
            return t
    return None


def pick_people(meta: PageMeta, people: list[str], editors: list[str], page_text: str = "",
                source: Source | None = None, headline: str | None = None) -> tuple[list[str], list[str]]:
    """(authors, editors). Authors: metadata authors, the byline under the headline (``作者：…`` /
    ``文/…`` / ``本报记者 …``) and the body's bylines. Editors: the body's editor lines, JSON-LD/meta
    editors, a metadata author labelled ``责任编辑：``, and editor lines anywhere after the headline
    (they often sit just outside the article block). Organisations are dropped."""
    orgs = {x for x in (meta.site_name, source.name if source else None) if x}
    found, edited = [], [*editors, *meta.editors]
    for name in meta.authors:
        m = EDITOR_LABEL.match(name)
        (edited if m else found).append(name[m.end():] if m else name)
    at = page_text.find(headline[:20]) if headline else -1
    if at >= 0:
        m = PAGE_BYLINE.search(page_text, at, at + len(headline) + HEADER_CHARS)
        if m:
            found += split_people(m.group("names"))
    found += people
    for m in PAGE_EDITOR.finditer(page_text, max(at, 0)):
        edited += split_people(m.group("names"))
    return _names(found, orgs), _names(edited, orgs)


def _names(found: list[str], orgs: set[str]) -> list[str]:
    out: list[str] = []
    for name in found:
        n = _squash(name)
        if not n or len(n) > 60 or n in orgs or ORG_NAME.search(n):
            continue
        if n.lower() not in {o.lower() for o in out}:
            out.append(n)
    return out


def info_sources(page_text: str, headline: str | None, body_lines: set[str] = frozenset()) -> list[str]:
    """Outlets the 来源 field of the info bar names: ``来源：科技日报`` within ``HEADER_CHARS`` after the
    headline (where the byline and date are), outside the lines of the body (``body_lines``: its credit
    lines are statements of their own)."""
    at = page_text.find(headline[:20]) if headline else -1
    if at < 0:
        return []
    end = at + len(headline) + HEADER_CHARS
    out = []
    for m in INFO_SOURCE.finditer(page_text, at, end):
        start = page_text.rfind("\n", 0, m.start()) + 1
        stop = page_text.find("\n", m.end())
        if page_text[start:stop if stop >= 0 else None].strip() not in body_lines:
            out.append(m.group("name"))
    return out


def site_names(meta: PageMeta, headline: str | None) -> list[str]:
    """Names the page gives its own site: ``og:site_name``, JSON-LD ``publisher``, and the parts of
    ``<title>`` beside the headline (``…_中国经济网——国家经济门户`` -> 中国经济网, 国家经济门户)."""
    out = [x for x in (meta.site_name, *meta.publishers) if x]
    if meta.title and headline and headline in _squash(meta.title):
        rest = _squash(meta.title).replace(headline, " ")
        out += [p for p in re.split(r"[\s\-–—―|｜_·]+", rest) if len(p) >= 2]
    return out


def pick_section(url: str, meta: PageMeta, source: Source | None, hints: dict, categories: str | None) -> str | None:
    if source and source.extraction.section_from_url:
        m = re.search(source.extraction.section_from_url, urlsplit(url).path)
        if m and m.groups() and m.group(1):
            return m.group(1)
    for cand in (hints.get("section"), categories, meta.section):
        if cand and str(cand).strip():
            return str(cand).strip()
    return None


def detect_language(text: str, fallback: str | None) -> str | None:
    sample = text[:2000]
    if not sample.strip():
        return fallback
    cjk = len(_CJK.findall(sample))
    if cjk > 0.3 * len(sample.replace(" ", "")):
        return "zh"
    import py3langid
    lang, _ = py3langid.classify(sample[:LANGID_CHARS])
    return lang or fallback


def pick_canonical(url: str, meta: PageMeta, source: Source | None) -> str:
    mobile = source.mobile_hosts if source else None
    if meta.canonical:
        cand = urljoin(url, meta.canonical)
        if cand.startswith(("http://", "https://")):
            host = urlsplit(cand).netloc.lower()
            inside = source.allows_host(cand) if source else host == urlsplit(url).netloc.lower()
            if inside:
                return canonicalize(cand, mobile)
    return canonicalize(url, mobile)
