"""Token F1 of extracted text against a reference text (the extraction-quality score).

After NFKC and lower-casing, every CJK character is one token and any other run of
letters/digits is one word; punctuation and whitespace are dropped. Precision and
recall are over token bags (multisets), as in scrapinghub's article-extraction-benchmark.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")


def tokens(text: str | None) -> list[str]:
    if not text:
        return []
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).lower())


def prf(predicted: str | None, truth: str | None) -> tuple[float, float, float]:
    """(precision, recall, f1); an empty prediction scores 0."""
    p, t = Counter(tokens(predicted)), Counter(tokens(truth))
    if not p or not t:
        return 0.0, 0.0, 0.0
    common = sum((p & t).values())
    if not common:
        return 0.0, 0.0, 0.0
    prec, rec = common / sum(p.values()), common / sum(t.values())
    return prec, rec, 2 * prec * rec / (prec + rec)


_BLOCK = {"p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
          "table", "ul", "ol", "blockquote", "pre", "section", "article", "header", "footer", "dd", "dt"}


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment with a line break after every block element."""
    import lxml.html
    if not html or not html.strip():
        return ""
    root = lxml.html.fromstring(html)
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in _BLOCK:
            el.tail = "\n" + (el.tail or "")
    return "\n".join(line.strip() for line in root.text_content().splitlines() if line.strip())
