"""Parsing decoded HTML into one lxml tree, and structural preparation for extraction.

The tree is parsed once and shared by the body extractors and the metadata
readers; its elements are ``HtmlElement`` objects picked in C (``HTML_PARSER``), so
walking it costs no Python call per element. Structural steps make old Chinese
portal pages extractable:

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

import lxml.etree
import lxml.html
from lxml.html import HtmlComment, HtmlElement, HtmlEntity, HtmlProcessingInstruction
from trafilatura.utils import DOCTYPE_TAG, FAULTY_HTML, is_dubious_html, repair_faulty_html

#: trafilatura's parser settings. lxml.html's own parser picks each element's class in Python (form elements get
#: classes of their own), one Python call every time an element is touched, by us, trafilatura and readability
#: alike; here lxml picks it in C and every element is an ``HtmlElement`` (~8% of the extraction's CPU time).
HTML_PARSER = lxml.html.HTMLParser(collect_ids=False, default_doctype=False, encoding="utf-8", remove_comments=True,
                                   remove_pis=True)
HTML_PARSER.set_element_class_lookup(lxml.etree.ElementDefaultClassLookup(
    element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity))

_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_BLOCKS = frozenset({"p", "div", "table", "ul", "ol", "h1", "h2", "h3", "h4", "blockquote", "br"})
_TABLE_PARTS = ("tbody", "thead", "tfoot", "tr", "td", "th")
#: A cell with more text than this is page layout, not tabular data.
LAYOUT_CELL_CHARS = 300
#: A cell with this many block children/line breaks is page layout.
LAYOUT_CELL_BLOCKS = 3


_RAW_OPEN = re.compile(r"<(script|style|title|textarea)\b([^<>]*?)(/?)\s*>", re.I)
#: Their closing tags and next openings, searched case-insensitively from a position (no lower-cased copy of the page).
_RAW_CLOSE = {t: re.compile("</" + t, re.I) for t in ("script", "style", "title", "textarea")}
_RAW_AGAIN = {t: re.compile("<" + t, re.I) for t in ("script", "style", "title", "textarea")}
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
    out: list[str] = []
    i = last = 0
    while True:
        m = _RAW_OPEN.search(html, i)
        if not m:
            break
        tag, attrs, slash = m.group(1).lower(), m.group(2), m.group(3)
        close = _find(_RAW_CLOSE[tag], html, m.end())
        if slash or attrs.rstrip().endswith("/"):
            attrs = attrs.rstrip().rstrip("/")
            nxt = _find(_RAW_AGAIN[tag], html, m.end())
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


def _find(pattern: re.Pattern, html: str, start: int) -> int:
    m = pattern.search(html, start)
    return m.start() if m else -1


def parse_html(html: str) -> HtmlElement | None:
    """Whole-document tree of ``html`` (None when there is nothing to parse)."""
    if not html or not html.strip():
        return None
    html = repair_markup(html)
    tree = _load_html(html)
    if tree is None or len(tree) < 2:
        try:
            data = _XML_INVALID.sub("", html).encode("utf-8", "replace")
            tree = lxml.html.document_fromstring(data, parser=HTML_PARSER)
        except (ValueError, lxml.etree.ParserError):
            return None
    return tree


#: Control characters libxml2 must not see (trafilatura's ``INVALID_XML_CHARS`` but U+FFFE, U+FFFF), as bytes.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 13))


def _load_html(html: str) -> HtmlElement | None:
    """trafilatura's ``load_html`` for a decoded string (its repairs, its checks), parsed with ``HTML_PARSER``
    from the UTF-8 bytes (lxml would encode the string itself): trafilatura's control-character removal, a
    regex over the whole page, runs only when a byte test finds one."""
    beginning = html[:50].lower()
    fixed = _repair_start(html, beginning)
    data = fixed.encode("utf-8", "surrogatepass")
    if len(data.translate(None, _CONTROL_BYTES)) != len(data) or "\ufffe" in html or "\uffff" in html:
        data = repair_faulty_html(html, beginning).encode("utf-8", "surrogatepass")
    try:
        tree = lxml.html.fromstring(data, parser=HTML_PARSER)
    except Exception:
        return None
    if tree is not None and is_dubious_html(beginning) and len(tree) < 2:
        return None
    return tree


def _repair_start(html: str, beginning: str) -> str:
    """``repair_faulty_html`` without the control characters: a DOCTYPE with a slash on the first line, and a
    self-closed ``<html/>`` in the first lines."""
    if "doctype" in beginning:
        first, _, rest = html.partition("\n")
        html = DOCTYPE_TAG.sub("", first, count=1) + "\n" + rest
    for line in html[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            return FAULTY_HTML.sub(r"\1>", html, count=1)
    return html


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
    inside = [len(el.text_content().strip()) for el in blocks]
    if sum(inside) < NOSCRIPT_BODY_CHARS:
        return 0
    body = tree.find("body")
    total = len((body if body is not None else tree).text_content().strip())
    if sum(inside) < total - sum(inside):
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
_LIST_BLOCK_SET = frozenset(_LIST_BLOCKS)
#: Link density counts letters only: dates, counts, bullets and punctuation next to teaser links are not prose.
_NOT_LETTER = re.compile(r"[\W\d_]+")
#: From this length on, letters are counted by table lookup (a regex substitution costs ~50 ns per character of
#: punctuated text, a lookup ~5).
_TABLE_FROM = 100
_letter_table = None


def _bmp_letters():
    """A table over the Basic Multilingual Plane: is the character a letter (what ``_NOT_LETTER`` keeps)?"""
    global _letter_table
    if _letter_table is None:
        import numpy as np
        table = np.zeros(0x10000, dtype=bool)
        for m in re.finditer(r"[^\W\d_]+", "".join(map(chr, range(0x10000)))):
            table[m.start():m.end()] = True
        _letter_table = table
    return _letter_table


def _letters(text: str) -> int:
    """Letters in ``text``: word characters other than digits and ``_``."""
    if len(text) >= _TABLE_FROM:
        units = text.encode("utf-16-le", "surrogatepass")
        if len(units) == 2 * len(text):   # no character beyond the BMP (those take two units)
            import numpy as np
            return int(np.count_nonzero(_bmp_letters()[np.frombuffer(units, np.uint16)]))
    return len(_NOT_LETTER.sub("", text))


def prune_link_lists(tree: HtmlElement) -> int:
    """Remove link-list blocks, innermost first (so a wrapper around an article and a list keeps the article);
    returns how many. A block with a paragraph of plain prose is never removed."""
    body = tree.find("body")
    root = body if body is not None else tree
    elements = list(root.iter())   # document order; keeps every proxy alive, so getparent() returns these objects
    link_chars: dict = {}
    n_links: dict = {}
    for a in root.iter("a"):
        n = _letters(a.text_content() if len(a) else a.text or "")
        if n:
            link_chars[a] = n
            n_links[a] = 1
    for el in reversed(elements):   # children before parents: each element passes its sums on once
        if el in n_links and el is not root:
            parent = el.getparent()
            link_chars[parent] = link_chars.get(parent, 0) + link_chars[el]
            n_links[parent] = n_links.get(parent, 0) + n_links[el]
    removed = 0
    blocks = [e for e in elements if e.tag in _LIST_BLOCK_SET and n_links.get(e, 0) >= LIST_MIN_LINKS]
    for el in reversed(blocks):
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
