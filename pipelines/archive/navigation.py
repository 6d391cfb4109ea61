"""Archived "articles" that are site navigation or boilerplate, not stories.

A layout change can make extraction keep a page's menu instead of its body: the
text is short and made of the page's own link texts, or of lines that recur on
many pages of the same site, or the very same text turns up at several URLs of
the site in one crawl. Extraction's gates judge one page at a time; this looks
across the pages a run archived (``pipelines.archive.quality`` calls it).

Only short texts are examined (menus are short), and at most ``SAMPLE`` raw pages
are read per source and run, so the check stays cheap.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

#: Texts longer than this are not examined.
MAX_CHARS = 600
#: Share of a text's characters that are link text of its own page.
LINK_SHARE = 0.6
#: Share of a text's characters in lines that recur on ``REPEAT_PAGES`` or more of the source's pages.
REPEAT_SHARE = 0.8
REPEAT_PAGES = 3
#: Raw pages read per source and run, at most.
SAMPLE = 20


@dataclass
class Candidate:
    """A short content a run archived or saw again: its text and where it was seen."""
    url: str
    text: str
    raw_ref: str | None = None
    urls: int = 1                  # distinct URLs of the source that carried it in the run


def _letters(s: str) -> str:
    return "".join(s.split())


def link_texts(html: bytes | str) -> list[str]:
    """The texts of the page's links (whitespace removed), in document order."""
    import lxml.html
    from lxml import etree

    from pipelines.extract.encoding import decode_html
    try:
        doc = lxml.html.document_fromstring(decode_html(html).text if isinstance(html, bytes) else html)
    except (ValueError, TypeError, etree.ParserError):
        return []
    return [t for t in (_letters(a.text_content()) for a in doc.iter("a")) if t]


def link_share(text: str, links: list[str]) -> float:
    """Share of ``text``'s characters (whitespace aside) that are link texts of the page: a token is
    link text when it is one, or lies inside one, or inside the run of the page's link texts joined."""
    total = len(_letters(text))
    if not total or not links:
        return 0.0
    exact, joined = set(links), "".join(links)
    covered = 0
    for tok in text.split():
        if tok in exact or (len(tok) >= 2 and (tok in joined or any(tok in a for a in links))):
            covered += len(tok)
    return covered / total


def repeat_share(text: str, repeated: set[str]) -> float:
    """Share of ``text``'s characters in lines that recur across the source's pages."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    total = sum(len(_letters(ln)) for ln in lines)
    if not total:
        return 0.0
    return sum(len(_letters(ln)) for ln in lines if ln in repeated) / total


def findings(cands: Iterable[Candidate], repeated: set[str],
             read_html: Callable[[str], "bytes | str | None"] | None) -> list[str]:
    """One line per candidate that is navigation, with the evidence; ``read_html(raw_ref)`` gives a
    page's HTML (None: unreadable), or is None to skip the link-text test."""
    out, reads = [], 0
    for c in cands:
        n = len(_letters(c.text))
        if n > MAX_CHARS:
            continue
        why = []
        if c.urls >= REPEAT_PAGES:
            why.append(f"the same text at {c.urls} URLs")
        rs = repeat_share(c.text, repeated)
        if rs >= REPEAT_SHARE:
            why.append(f"{rs:.0%} lines repeated across the site's pages")
        if not why and read_html is not None and c.raw_ref and reads < SAMPLE:
            reads += 1
            html = read_html(c.raw_ref)
            ls = link_share(c.text, link_texts(html)) if html else 0.0
            if ls >= LINK_SHARE:
                why.append(f"{ls:.0%} link text")
        if why:
            out.append(f"{c.url} ({n} chars: {', '.join(why)})")
    return out
