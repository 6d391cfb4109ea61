"""Parsing decoded HTML into one lxml tree, and structural preparation for extraction.

The tree is parsed once and shared by the body extractors and the metadata
readers. Two structural steps make old Chinese portal pages extractable:

* a page whose first bytes are not HTML (scripts or blank lines before
  ``<html>``, common on 2000s portals) is still parsed as a whole document;
* markup that makes the parser swallow the body is repaired first
  (``repair_markup``): self-closed ``<style/>``, ``<script/>``, ``<title/>``,
  ``<textarea/>`` (libxml2 ignores the slash, so their text leaks into the page
  or the rest of the page becomes their text), the same elements left unclosed,
  and a last ``<!--`` that is never closed;
* ``<noscript>`` blocks that hold the article (pages that render it by script)
  become ordinary blocks (``unwrap_noscript_body``);
* *layout tables* (a table used to place columns, recognised by nested tables
  or cells holding long text or several blocks) are turned into ``div``s so the
  extractor judges their cells as blocks instead of keeping the whole grid as a
  data table; real data tables (short cells, no nesting) stay tables.
"""
from __future__ import annotations

import re

import lxml.html
from lxml.html import HtmlElement
from trafilatura.utils import HTML_PARSER, load_html

_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BLOCKS = frozenset({"p", "div", "table", "ul", "ol", "h1", "h2", "h3", "h4", "blockquote", "br"})
_TABLE_PARTS = ("tbody", "thead", "tfoot", "tr", "td", "th")
#: A cell with more text than this is page layout, not tabular data.
LAYOUT_CELL_CHARS = 300
#: A cell with this many block children/line breaks is page layout.
LAYOUT_CELL_BLOCKS = 3


_RAW_OPEN = re.compile(r"<(script|style|title|textarea)\b([^<>]*?)(/?)\s*>", re.I)
#: Where an unclosed ``<title>``/``<script>`` is closed: before the next tag that is surely markup.
_NEXT_MARKUP = re.compile(r"<(?:/?(?:head|body|html|div|p|table|span|a|ul|li|h[1-6]|form|center|font|td|tr|meta|link)"
                          r"\b|/title|/script|!--)", re.I)


def repair_markup(html: str) -> str:
    """Close raw-text elements (``script``, ``style``, ``title``, ``textarea``) the way an author meant them.

    * ``<style .../>`` followed by its ``</style>`` (before the next ``<style``): the slash is dropped,
      so the CSS stays inside it; a self-closed one without a closing tag becomes ``<style ...></style>``;
    * an opening tag never closed: ``<title>`` is closed before the next tag that is surely markup,
      the others become empty elements;
    * a last ``<!--`` without ``-->`` is closed where it stands.
    """
    low: str | None = None
    out: list[str] = []
    i = last = 0
    while True:
        m = _RAW_OPEN.search(html, i)
        if not m:
            break
        if low is None:
            low = html.lower()
        tag, attrs, slash = m.group(1).lower(), m.group(2), m.group(3)
        close = low.find("</" + tag, m.end())
        if slash or attrs.rstrip().endswith("/"):
            attrs = attrs.rstrip().rstrip("/")
            nxt = low.find("<" + tag, m.end())
            out.append(html[last:m.start()])
            if close != -1 and (nxt == -1 or close < nxt):
                out.append(f"<{m.group(1)}{attrs}>")
                i = close
            else:
                out.append(f"<{m.group(1)}{attrs}></{m.group(1)}>")
                i = m.end()
            last = m.end()
        elif close == -1:
            out.append(html[last:m.end()])
            if tag in ("title", "script"):
                stop = _NEXT_MARKUP.search(html, m.end())
                at = stop.start() if stop else len(html)
                out.append(html[m.end():at] + f"</{tag}>")
                last = i = at
            else:
                out.append(f"</{tag}>")
                last = i = m.end()
        else:
            i = close
    if out:
        html = "".join(out) + html[last:]
    opened = html.rfind("<!--")
    if opened != -1 and html.find("-->", opened + 4) == -1:
        html = html[:opened] + "<!-- -->" + html[opened + 4:]
    return html


def parse_html(html: str) -> HtmlElement | None:
    """Whole-document tree of ``html`` (None when there is nothing to parse)."""
    if not html or not html.strip():
        return None
    html = repair_markup(html)
    tree = load_html(html)
    if tree is None or len(tree) < 2:
        try:
            data = _XML_INVALID.sub("", html).encode("utf-8", "replace")
            tree = lxml.html.document_fromstring(data, parser=HTML_PARSER)
        except (ValueError, lxml.etree.ParserError):
            return None
    return tree


def is_layout_table(table: HtmlElement) -> bool:
    if table.find(".//table") is not None:
        return True
    for cell in table.iter("td", "th"):
        if len(cell.text_content()) > LAYOUT_CELL_CHARS:
            return True
        if sum(1 for el in cell.iter() if el.tag in _BLOCKS) >= LAYOUT_CELL_BLOCKS:
            return True
    return False


def unwrap_layout_tables(tree: HtmlElement) -> int:
    """Turn layout tables into ``div``s in place; returns how many were unwrapped."""
    layout = [t for t in tree.iter("table") if is_layout_table(t)]
    for table in layout:
        parts = [el for el in table.iter(*_TABLE_PARTS) if next(el.iterancestors("table"), None) is table]
        for el in parts:
            el.tag = "div"
        table.tag = "div"
    return len(layout)


#: A ``<noscript>`` is the article's place when it holds this many characters and more than the rest of the body.
NOSCRIPT_BODY_CHARS = 200


def unwrap_noscript_body(tree: HtmlElement) -> int:
    """Turn ``<noscript>`` blocks into ``div``s when they hold most of the page's text; returns how many."""
    blocks = [el for el in tree.iter("noscript")]
    if not blocks:
        return 0
    inside = [len("".join(el.itertext()).strip()) for el in blocks]
    body = tree.find("body")
    total = len("".join((body if body is not None else tree).itertext()).strip())
    if sum(inside) < NOSCRIPT_BODY_CHARS or sum(inside) < total - sum(inside):
        return 0
    n = 0
    for el, chars in zip(blocks, inside):
        if chars >= NOSCRIPT_BODY_CHARS // 2:
            el.tag = "div"
            n += 1
    return n


#: A block is a link list (teasers, related/recommended, news streams, rankings, reference lists) when it holds at
#: least LIST_MIN_LINKS links, their text is LIST_LINK_SHARE of its text, and its own text outside links is short.
LIST_MIN_LINKS = 3
LIST_LINK_SHARE = 0.6
LIST_MAX_PLAIN = 300
_LIST_BLOCKS = ("ul", "ol", "dl", "table", "div", "td", "section", "aside", "nav", "p", "span", "li")
#: Link density counts letters only: dates, counts, bullets and punctuation next to teaser links are not prose.
_NOT_LETTER = re.compile(r"[\W\d_]+")


def _letters(text: str) -> int:
    return len(_NOT_LETTER.sub("", text))


def prune_link_lists(tree: HtmlElement) -> int:
    """Remove link-list blocks, innermost first (so a wrapper around an article and a list keeps the article);
    returns how many. A block with a paragraph of plain prose is never removed."""
    body = tree.find("body")
    root = body if body is not None else tree
    link_chars: dict = {}
    n_links: dict = {}
    for a in root.iter("a"):
        n = _letters(a.text_content())
        if not n:
            continue
        for anc in a.iterancestors():
            link_chars[anc] = link_chars.get(anc, 0) + n
            n_links[anc] = n_links.get(anc, 0) + 1
            if anc is root:
                break
    removed = 0
    for el in reversed([e for e in root.iter(*_LIST_BLOCKS) if n_links.get(e, 0) >= LIST_MIN_LINKS]):
        if el.getparent() is None or n_links.get(el, 0) < LIST_MIN_LINKS:
            continue
        total = _letters(el.text_content())
        links = link_chars[el]
        if not total or links < LIST_LINK_SHARE * total or total - links > LIST_MAX_PLAIN:
            continue
        for anc in el.iterancestors():   # the ancestors lose this list's links
            if anc in n_links:
                n_links[anc] -= n_links[el]
                link_chars[anc] -= links
        el.drop_tree()
        removed += 1
    return removed


def prune(tree: HtmlElement, xpaths: list[str]) -> int:
    """Remove the nodes matched by ``xpaths`` (keeping their tails); returns how many."""
    n = 0
    for xp in xpaths:
        for el in tree.xpath(xp):
            parent = el.getparent()
            if parent is None:
                continue
            el.drop_tree()
            n += 1
    return n


_BLOCK_TEXT = frozenset({"p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
                         "table", "ul", "ol", "blockquote", "pre", "section", "article", "dd", "dt"})


def block_text(root: HtmlElement) -> str:
    """Visible text of ``root``, one line per block element (mutates tails; use on throwaway trees)."""
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCK_TEXT:
            el.tail = "\n" + (el.tail or "")
    lines = (line.strip() for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)



def strip_scripts(tree: HtmlElement) -> None:
    """Remove ``<script>``/``<style>`` (read JSON-LD first); every later step skips them anyway."""
    lxml.etree.strip_elements(tree, "script", "style", with_tail=False)


def page_text(tree: HtmlElement) -> str:
    """All visible text of the page body, one text node per line (call after ``strip_scripts``)."""
    body = tree.find("body")
    return "\n".join(t for t in (body if body is not None else tree).itertext() if t.strip())
