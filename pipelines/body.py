"""The article body of a parsed page: trafilatura + a readability pass, combined by agreement.

Steps (see ``pipelines.combine`` for the decision):

1. prune the source's ``prune_xpaths``; turn layout tables into blocks;
2. trafilatura's own extractor (``bare_extraction``, fast mode: no internal
   fallback, comments and trafilatura's dedup off, tables and paragraph breaks kept);
3. readability (trafilatura's bundled readability-lxml) on a copy of the tree;
4. ``combine``: where the two disagree completely, trafilatura's full
   algorithm (with its own fallbacks) decides instead.
"""
from __future__ import annotations

import copy
import logging
from dataclasses import dataclass

from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.external import try_readability

from pipelines.combine import combine
from pipelines.htmltree import block_text, prune, unwrap_layout_tables

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("readability").setLevel(logging.CRITICAL)

_TRAF = dict(include_comments=False, include_tables=True, deduplicate=False, with_metadata=False,
             output_format="python")


@dataclass(slots=True)
class Body:
    text: str
    method: str   # trafilatura | readability | agreement | fallback


def _trafilatura(tree: HtmlElement, url: str | None, fast: bool) -> str:
    doc = bare_extraction(tree, url=url, fast=fast, **_TRAF)
    return (doc.text or "") if doc is not None else ""


def extract_body(tree: HtmlElement, url: str | None = None, prune_xpaths: list[str] | None = None) -> Body:
    if prune_xpaths:
        prune(tree, prune_xpaths)
    unwrap_layout_tables(tree)
    t_text = _trafilatura(tree, url, fast=True)
    r_text = block_text(try_readability(copy.deepcopy(tree)))
    text, method = combine(t_text, r_text)
    if method == "disagree":
        text, method = _trafilatura(tree, url, fast=False) or text, "fallback"
    return Body(text=text, method=method)
