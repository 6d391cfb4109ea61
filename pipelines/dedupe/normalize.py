"""Text normalization for hashing, and the content hash.

``content_hash(text)`` is the identity of a story's content across sites: a
half-width copy and a full-width copy, or copies with different syndication
and editor lines, hash alike.

Speed matters (every archived document is hashed): CPython's NFKC takes a slow
path on full-width punctuation (，。：), so full-width ASCII (U+FF01–U+FF5E)
and the ideographic space are folded with ``str.translate`` first, and NFKC
runs only when ``unicodedata.is_normalized`` says the rest still needs it.
The output is identical to plain NFKC (tested).
"""
from __future__ import annotations

import hashlib
import re
import unicodedata

#: Full-width ASCII -> ASCII, ideographic space -> space; quotes and dashes folded.
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20
_QUOTES = {ord(c): '"' for c in "“”„‟〝〞＂「」『』″"} | {ord(c): "'" for c in "‘’‚‛′"}
_DASHES = {ord(c): "-" for c in "‐‑‒–—―"}
#: Invisible separators NFKC keeps but that are whitespace for hashing.
_INVISIBLE = {ord(c): "" for c in "\u0085\u1680\u2028\u2029\u200b\ufeff\u180e"}
_NFKC_FOLD = str.maketrans(_FOLD)
#: char -> replacement, for the find-then-replace fold (faster than str.translate
#: on CJK text: translate costs ~50 ns per character, str.replace runs at memchr speed).
_HASH_MAP = {chr(k): (v if isinstance(v, str) else chr(v))
             for k, v in (_FOLD | _QUOTES | _DASHES | _INVISIBLE).items()}
_HASH_CHARS = re.compile("[" + re.escape("".join(_HASH_MAP)) + "]")
_ASCII_WS = b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"

#: Lines left out of the hash: syndication credits, editor lines, back-links.
BOILERPLATE_LINE = re.compile(
    r"^[\s(\[（【]*(?:"
    r"(?:文章|本文|稿件)?来源\s*[:：]"          # 来源：经济日报 / （文章来源：科技日报）
    r"|(?:责任)?编辑\s*[:：]"                  # 责任编辑：张三
    r"|返回(?:首页|\S{0,10}新闻)"              # 返回首页 / 返回科技日报新闻
    r"|(?:原标题|原文标题)\s*[:：]"
    r")[^\n]{0,80}$",
    re.MULTILINE,
)
_WS = re.compile(r"\s+")


def nfkc(text: str) -> str:
    """NFKC, fast on Chinese text with full-width punctuation (same output as ``unicodedata``)."""
    folded = text.translate(_NFKC_FOLD)
    if unicodedata.is_normalized("NFKC", folded):
        return folded
    return unicodedata.normalize("NFKC", folded)


def _fold(text: str) -> str:
    for ch in set(_HASH_CHARS.findall(text)):
        text = text.replace(ch, _HASH_MAP[ch])
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if "来源" in text or "编辑" in text or "返回" in text or "标题" in text:
        text = BOILERPLATE_LINE.sub("", text)
    return text


def normalized_bytes(text: str) -> bytes:
    """UTF-8 of the hashed form: NFKC, quotes/dashes folded, boilerplate lines out, no whitespace."""
    return _fold(text).encode("utf-8", "surrogatepass").translate(None, _ASCII_WS)


def normalize_for_hash(text: str) -> str:
    """The string that is hashed (see :func:`normalized_bytes`)."""
    return normalized_bytes(text).decode("utf-8", "surrogatepass")


def content_hash(text: str) -> str:
    """sha256 hex of :func:`normalized_bytes`."""
    return hashlib.sha256(normalized_bytes(text)).hexdigest()


def collapse_whitespace(line: str) -> str:
    return _WS.sub(" ", line).strip()
