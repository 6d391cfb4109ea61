"""The article body of a parsed page: trafilatura + a readability pass, combined by agreement.

Steps (see ``pipelines.extract.combine`` for the decision):

1. prune the source's ``prune_xpaths``; turn layout tables and a ``<noscript>`` that holds the
   article into blocks;
2. trafilatura's own extractor (``bare_extraction``, fast mode: no internal
   fallback, comments and trafilatura's dedup off, tables and paragraph breaks kept);
3. when that output is all prose (``looks_clean``) and not a small part of the page,
   it is the body; otherwise readability (trafilatura's bundled readability-lxml)
   runs on a copy of the tree and ``combine`` decides; where the two disagree
   completely, trafilatura's full algorithm (with its own fallbacks) decides.
"""
from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from typing import Callable

from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.external import try_readability
from trafilatura.settings import Extractor

from pipelines.extract.combine import combine, looks_clean
from pipelines.extract.htmltree import block_text, prune, prune_link_lists, unwrap_layout_tables, unwrap_noscript_body

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("readability").setLevel(logging.CRITICAL)

#: trafilatura's options, built once (an ``Extractor`` reads its config file section on every construction):
#: comments and trafilatura's dedup off, tables kept, no metadata; per page only the URL changes.
_OPTIONS = {fast: Extractor(output_format="python", fast=fast, comments=False, tables=True, dedup=False,
                            with_metadata=False) for fast in (True, False)}


#: trafilatura's output is taken as is (no readability pass) when it is all prose and holds at least
#: this share of the page's visible characters (a short all-prose result may be a partial article).
CLEAN_SHARE = 0.25


@dataclass(slots=True)
class Body:
    text: str
    method: str   # clean | trafilatura | readability | agreement | fallback


def _trafilatura(tree: HtmlElement, url: str | None, fast: bool) -> str:
    options = copy.copy(_OPTIONS[fast])
    options.url = options.source = url
    doc = bare_extraction(tree, options=options)
    return (doc.text or "") if doc is not None else ""


def _prepare(tree: HtmlElement, prune_xpaths: list[str] | None) -> HtmlElement:
    if prune_xpaths:
        prune(tree, prune_xpaths)
    unwrap_noscript_body(tree)
    prune_link_lists(tree)
    unwrap_layout_tables(tree)
    return tree


def extract_body(tree: HtmlElement, url: str | None = None, prune_xpaths: list[str] | None = None,
                 page_chars: int = 0, reparse: Callable[[], HtmlElement] | None = None) -> Body:
    """The body of ``tree`` (which is consumed: readability rewrites it in place).

    ``reparse`` gives a fresh tree of the same page for the rare full-trafilatura fallback
    (without it, a copy is kept beforehand).
    """
    tree = _prepare(tree, prune_xpaths)
    t_text = _trafilatura(tree, url, fast=True)   # trafilatura works on its own copy
    if looks_clean(t_text) and len(t_text) >= CLEAN_SHARE * page_chars:
        return Body(text=t_text, method="clean")
    spare = None if reparse else copy.deepcopy(tree)
    r_text = block_text(try_readability(tree))
    text, method = combine(t_text, r_text)
    if method == "disagree":
        fresh = _prepare(reparse(), prune_xpaths) if reparse else spare
        text, method = _trafilatura(fresh, url, fast=False) or text, "fallback"
    return Body(text=text, method=method)
