"""Choosing the article body from two extractors that fail differently.

trafilatura (``T``) has high recall but keeps neighbouring boilerplate (link
lists, portal navigation, notices, forum thread lists); a readability-style
scorer (``R``) picks one best-scoring container: precise, but it sometimes
takes only part of the article or the wrong block. The decision uses the
agreement between the two, measured on character 6-grams of the text without
spaces and punctuation (so it needs no word segmentation for Chinese):

* R covers far more than T and contains T: T missed the article -> R.
* R is mostly absent from T, or tiny and not inside T: R picked the wrong block -> T.
* Otherwise T is filtered by R: the lines R confirms form the article span;
  T-only lines inside the span are kept when they read as prose, and the span
  grows outward through prose lines, bridging at most ``GAP`` short lines
  (sub-headings), and stops at the first run of non-prose (navigation, link
  lists, notices).
"""
from __future__ import annotations

import re

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_NONWORD = re.compile(r"[\W_]+")
_SENTENCE_MARK = re.compile(r"[，。；！？、,;.!?]")
#: Agreement is measured on character K-grams of the text without spaces and punctuation.
K = 6
#: T's lines are sampled at every STEP-th offset (R's grams are complete, so every sample can match).
STEP = 2
GAP = 1
#: A T line counts as confirmed by R when this share of its K-grams occurs in R.
CONFIRMED = 0.5
#: Below this many characters the readability result is not trusted to delimit the article.
MIN_R_CHARS = 50
#: When R is a small part of T, T is kept whole if this share of the rest of T is prose.
PROSE_SHARE = 0.75


def _flat(text: str) -> str:
    return _NONWORD.sub("", text.lower())


def _grams(flat: str, step: int = 1) -> set[str]:
    """K-grams of ``flat`` starting every ``step`` characters (R needs every offset, T a sample)."""
    if len(flat) <= K:
        return {flat} if flat else set()
    return {flat[i:i + K] for i in range(0, len(flat) - K + 1, step)}


def is_prose(line: str) -> bool:
    """A sentence-like line: enough text and at least one sentence mark."""
    cjk = len(_CJK_CHAR.findall(line))
    if cjk >= 15:
        return bool(_SENTENCE_MARK.search(line))
    return cjk < 5 and len(line.split()) >= 8 and bool(_SENTENCE_MARK.search(line))


def _confirmed(flats: list[str], grams: list[set[str]], r_grams: set[str], r_flat: str) -> list[bool]:
    out = []
    for flat, g in zip(flats, grams):
        if len(flat) <= K:
            out.append(bool(flat) and flat in r_flat)
        else:
            out.append(len(g & r_grams) >= CONFIRMED * len(g))
    return out


def _prose_share(lines: list[str], keep: list[bool]) -> float:
    """Share of the characters of the unconfirmed lines that are in prose lines."""
    rest = [ln for ln, k in zip(lines, keep) if not k]
    total = sum(len(ln) for ln in rest)
    return sum(len(ln) for ln in rest if is_prose(ln)) / total if total else 1.0


def _grow(lines: list[str], keep: list[bool]) -> None:
    first = keep.index(True)
    last = len(keep) - 1 - keep[::-1].index(True)
    for i in range(first, last + 1):
        if not keep[i] and is_prose(lines[i]):
            keep[i] = True
    for order in (range(first - 1, -1, -1), range(last + 1, len(lines))):
        gap: list[int] = []
        for i in order:
            if is_prose(lines[i]):
                for j in [*gap, i]:
                    keep[j] = True
                gap = []
            else:
                gap.append(i)
                if len(gap) > GAP:
                    break


def combine(t_text: str, r_text: str) -> tuple[str, str]:
    """(body, method): ``trafilatura``, ``readability``, ``agreement`` or ``disagree`` (caller decides)."""
    lines = [ln for ln in t_text.split("\n") if ln.strip()]
    flats = [_flat(ln) for ln in lines]
    r_flat, t_len = _flat(r_text), sum(len(f) for f in flats)
    if not lines or not t_len:
        return r_text, "readability"
    if not r_flat:
        return t_text, "trafilatura"
    line_grams = [_grams(f, STEP) for f in flats]
    r_g, t_g = _grams(r_flat), set().union(*line_grams)
    t_in_r = len(t_g & r_g) / max(1, len(t_g))
    # the shared text, seen from R: shared characters ~ t_in_r * |T|
    r_in_t = min(1.0, t_in_r * t_len / len(r_flat))
    if len(r_flat) > 2 * t_len and t_in_r > 0.8:
        return r_text, "readability"
    if r_in_t < 0.5:
        return t_text, "disagree"
    if len(r_flat) < MIN_R_CHARS or (len(r_flat) < 0.2 * t_len and r_in_t < 0.8):
        return t_text, "trafilatura"
    keep = _confirmed(flats, line_grams, r_g, r_flat)
    if not any(keep):
        return t_text, "trafilatura"
    if len(r_flat) < 0.2 * t_len and _prose_share(lines, keep) >= PROSE_SHARE:
        return t_text, "trafilatura"
    _grow(lines, keep)
    return "\n".join(ln for ln, k in zip(lines, keep) if k), "agreement"


#: looks_clean tolerates this many short non-prose lines (byline, date, editor) at each end.
EDGE_SLACK = 2
EDGE_CHARS = 30


def looks_clean(t_text: str) -> bool:
    """Every line of T is prose, or a short heading between prose lines: nothing for R to cut."""
    lines = [ln for ln in t_text.split("\n") if ln.strip()]
    if len(lines) < 3:
        return False
    prose = [is_prose(ln) for ln in lines]
    edge = [len(ln) <= EDGE_CHARS for ln in lines]
    lo, hi = 0, len(lines)
    while lo < min(EDGE_SLACK, hi) and not prose[lo] and edge[lo]:
        lo += 1
    while hi > lo and len(lines) - hi < EDGE_SLACK and not prose[hi - 1] and edge[hi - 1]:
        hi -= 1
    if hi - lo < 3 or not (prose[lo] and prose[hi - 1]):
        return False
    return all(prose[i] or (prose[i - 1] and prose[i + 1] and len(lines[i]) <= 40) for i in range(lo, hi))
