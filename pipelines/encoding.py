"""Decoding raw HTML bytes to text, safely for GBK/GB2312 pages.

Order: the HTTP ``Content-Type`` charset, then a BOM, then ``<meta>``, then
detection (charset-normalizer), then the source's configured hint. GB2312 and
GBK labels are decoded as GB18030 (their superset: pages labelled gb2312 often
hold GBK/GB18030-only characters). w3lib implements the precedence and the
label aliases; we add the detection step and a mojibake measure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding, resolve_encoding

#: Share of U+FFFD replacement characters above which a page "decodes badly".
MOJIBAKE_THRESHOLD = 0.005
_CJK = re.compile(r"[\u4e00-\u9fff]")
#: Characters typical of GBK bytes decoded as Latin-1/cp1252 (e.g. "ÖÐ¹ú" for 中国).
_LATIN_GARBAGE = re.compile(r"[\u00c0-\u00ff][\u0080-\u00ff]")


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str          # codec actually used (python name)
    declared_by: str       # header | bom | meta | detected | hint | default
    replacement_ratio: float

    @property
    def is_mojibake(self) -> bool:
        return self.replacement_ratio > MOJIBAKE_THRESHOLD


def _detect(body: bytes) -> str | None:
    from charset_normalizer import from_bytes
    best = from_bytes(body[:200_000], cp_isolation=None).best()
    return resolve_encoding(best.encoding) if best else None


def decode_html(body: bytes, content_type: str | None = None, hint: str | None = None) -> Decoded:
    """Decode an HTML response body (see module docstring for the precedence)."""
    header_enc = http_content_type_encoding(content_type) if content_type else None
    declared_by = "header" if header_enc else None
    if body[:3] == b"\xef\xbb\xbf" or body[:2] in (b"\xff\xfe", b"\xfe\xff"):
        declared_by = declared_by or "bom"
    if not declared_by and html_body_declared_encoding(body):
        declared_by = "meta"

    detected: list[str] = []

    def auto_detect(b: bytes) -> str | None:
        enc = _detect(b) or (resolve_encoding(hint) if hint else None)
        detected.append(enc or "")
        return enc

    enc, text = html_to_unicode(content_type, body, auto_detect_fun=auto_detect)
    if not declared_by:
        declared_by = "detected" if detected and detected[0] else "default"
    ratio = text.count("\ufffd") / max(1, len(text))
    # A page decoded with a wrong single-byte codec has no replacement chars but is garbage:
    # retry with the hint when the text has no CJK and looks like Latin-1 mojibake.
    if hint and ratio == 0 and not _CJK.search(text) and len(_LATIN_GARBAGE.findall(text)) > 20:
        alt = resolve_encoding(hint) or hint
        try:
            text2 = body.decode(alt, errors="replace")
        except LookupError:
            text2 = ""
        if _CJK.search(text2):
            enc, text, declared_by = alt, text2, "hint"
            ratio = text.count("\ufffd") / max(1, len(text))
    return Decoded(text=text, encoding=enc, declared_by=declared_by, replacement_ratio=ratio)


def looks_like_mojibake(text: str) -> bool:
    """Heuristic used by quality checks on extracted text."""
    if not text:
        return False
    if text.count("\ufffd") / len(text) > MOJIBAKE_THRESHOLD:
        return True
    return not _CJK.search(text) and len(_LATIN_GARBAGE.findall(text)) > max(20, len(text) // 50)
