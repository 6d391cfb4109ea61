"""Article fields other than body and date: title, authors, section, language, canonical URL."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from pipelines.config import Source
from pipelines.meta import PageMeta
from pipelines.textrules import ORG_NAME, PAGE_BYLINE, PAGE_EDITOR, split_people

#: How far after the headline (characters of page text) its byline is looked for.
HEADER_CHARS = 300
from pipelines.urls import canonicalize

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


def pick_authors(meta: PageMeta, people: list[str], page_text: str = "", source: Source | None = None,
                 headline: str | None = None) -> list[str]:
    """Metadata authors, the byline under the headline (``作者：…`` / ``文/…`` / ``本报记者 …``), the
    body's bylines and editor lines, then the first ``责任编辑：张三`` of the page (editor lines often
    sit just outside the article block). Organisations are dropped."""
    orgs = {x for x in (meta.site_name, source.name if source else None) if x}
    found = [*meta.authors]
    at = page_text.find(headline[:20]) if headline else -1
    if at >= 0:
        m = PAGE_BYLINE.search(page_text, at, at + len(headline) + HEADER_CHARS)
        if m:
            found += split_people(m.group("names"))
    found += people
    m = PAGE_EDITOR.search(page_text)
    if m:
        found += split_people(m.group("names"))
    out: list[str] = []
    for name in found:
        n = _squash(name)
        if not n or len(n) > 60 or n in orgs or ORG_NAME.search(n):
            continue
        if n.lower() not in {o.lower() for o in out}:
            out.append(n)
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
