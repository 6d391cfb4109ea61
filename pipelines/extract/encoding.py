"""Decoding raw HTML bytes to text, safely for GBK/GB2312 pages.

Order: the HTTP ``Content-Type`` charset, then a BOM, then ``<meta>``, then
detection (charset-normalizer), then the source's configured hint. GB2312 and
GBK labels are decoded as GB18030 (their superset: pages labelled gb2312 often
hold GBK/GB18030-only characters). w3lib implements the precedence and the
label aliases; we add the detection step and a mojibake measure.

After decoding, three kinds of broken pages are told apart (``Decoded.problem``
is the reject reason and detail, ``Decoded.repair`` says what was repaired):

* **double-encoded** text (``Ã``/``Â``/``ÖÐ¹ú`` garbage): GBK, Big5 or UTF-8
  bytes that were read as cp1252/Latin-1 and saved again. It is repaired when it
  is reversible: the garbage goes back to bytes through cp1252 and those decode
  strictly as UTF-8, GB18030 or Big5 (else ftfy's ``fix_encoding`` tries, when
  the page holds UTF-8 hanzi read as cp1252);
  ``repair`` names the chain (``gb18030>cp1252``). When nothing reverses it and
  garbage makes up much of the visible text: ``mojibake``;
* **round-tripped replacement characters** (``锟斤拷`` is U+FFFD's UTF-8 bytes
  read as GBK): the original bytes are gone, so ``roundtrip_problem`` gives
  ``mojibake`` when they are a visible share of the article's text;
* **mixed encodings** (part of the bytes UTF-8, part GBK): no single codec
  reads the page, so ``mixed_encoding``.
"""
from __future__ import annotations

import re
import codecs
from dataclasses import dataclass

from w3lib.encoding import html_body_declared_encoding, html_to_unicode, http_content_type_encoding, resolve_encoding

#: Share of U+FFFD replacement characters above which a page "decodes badly".
MOJIBAKE_THRESHOLD = 0.005
_CJK = re.compile(r"[\u4e00-\u9fff]")
#: Characters typical of GBK bytes decoded as Latin-1/cp1252 (e.g. "ÖÐ¹ú" for 中国).
_LATIN_GARBAGE = re.compile(r"[\u00c0-\u00ff][\u0080-\u00ff]")


#: Characters that cp1252/Latin-1 make of the bytes 0x80-0xFF.
_HIGH = ("\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
         "\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122")
_HIGH_CHAR = re.compile(f"[{_HIGH}]")
_HIGH_SET = frozenset(ch for ch in map(chr, range(0x80, 0x2200)) if _HIGH_CHAR.match(ch))
#: Garbage is runs of them with a Latin-1 letter (``ÖÐ``, ``ä¸``): typographic ``——`` or ``……`` alone are not.
#: A run is found from a Latin-1 letter with such a neighbour; the search is led by the letter class alone, so a
#: page without Latin-1 letters (most Chinese pages) costs one fast scan.
_PAIR_AT = re.compile(f"[\u00c0-\u00ff](?:(?<=[{_HIGH}].)|(?=[{_HIGH}]))")
#: cp1252/Latin-1 readings of the bytes 0x80-0xBF (UTF-8 continuation bytes).
_CONT = ("\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
         "\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122")
#: The UTF-8 bytes of a hanzi (lead byte E4-E9, two continuation bytes) read as cp1252/Latin-1: what ftfy can turn
#: back into hanzi. A page without one is not given to ftfy (it scans the whole page, ~50 ms for 500 KB).
_UTF8_HANZI_AS_1252 = re.compile(f"[\u00e4-\u00e9][{_CONT}]{{2}}")
_TAG = re.compile(r"<[^>]*>|&[#\w]+;")
_LETTER = re.compile(r"[A-Za-z\u4e00-\u9fff]")
#: At least this many characters in runs of cp1252-made characters before double encoding is suspected.
DOUBLE_MIN_CHARS = 40
#: Frequent hanzi (simplified and traditional): the repair whose text holds most of them is the right codec.
_COMMON = frozenset("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
                    "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合"
                    "還國們這來時個說會為經學發與對現開後當")
_PUA = re.compile("[\ue000-\uf8ff]")
#: Unrepairable garbage rejects the page when it is this share of the visible letters.
GARBAGE_SHARE = 0.3
#: ``锟斤拷`` (U+FFFD read back through GBK) rejects the page at this share of its CJK characters.
ROUNDTRIP_SHARE = 0.01
_ROUNDTRIP = "锟斤拷"
#: Mixed encodings: at least this many characters on each side (UTF-8 runs / undecodable bytes).
MIXED_MIN_CHARS = 20
_UTF8_RUN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]{6,}")
_REPAIR_CODECS = ("utf-8", "gb18030", "big5")


def _latin_passthrough(err: UnicodeEncodeError):
    """cp1252 has no character for 0x81, 0x8D, 0x8F, 0x90, 0x9D: Latin-1 maps them to U+0081 … (browsers do too)."""
    ch = err.object[err.start]
    if ord(ch) < 0x100:
        return bytes([ord(ch)]), err.start + 1
    raise err


codecs.register_error("newsarchive_latin", _latin_passthrough)


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str          # codec actually used (python name)
    declared_by: str       # header | bom | meta | detected | hint | default
    replacement_ratio: float
    repair: str | None = None                      # e.g. "gb18030>cp1252": the text was double-encoded, repaired
    problem: tuple[str, str] | None = None         # (reject reason, detail): mojibake | mixed_encoding

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
    mixed = _mixed_encoding(body, enc, text)
    if mixed:
        return Decoded(text, enc, declared_by, ratio, problem=("mixed_encoding", mixed))
    repair = problem = None
    # UTF-8 without the lead byte of U+00C0-U+00FF has no Latin-1 letter, so no garbage run (memchr-fast)
    runs = _garbage_runs(text) if enc != "utf-8" or b"\xc3" in body else []
    if runs:
        text, repair, problem = _double_encoded(text, runs)
        ratio = text.count("\ufffd") / max(1, len(text))
    return Decoded(text, enc, declared_by, ratio, repair=repair, problem=problem)


def _mixed_encoding(body: bytes, enc: str, text: str) -> str | None:
    """A detail when part of ``body`` is UTF-8 (runs of CJK) and part is not (GBK bytes); ``text`` is ``body``
    decoded with ``enc`` (replacing errors), reused when ``enc`` is UTF-8."""
    as_utf8 = text if enc == "utf-8" else body.decode("utf-8", errors="replace")
    bad = as_utf8.count("\ufffd")
    if bad < MIXED_MIN_CHARS:
        return None
    good = sum(len(r) for r in _UTF8_RUN.findall(as_utf8))
    if good < MIXED_MIN_CHARS or good < 0.05 * bad:
        return None
    other = _other_codec(body)
    return (f"mixed encodings: {good} CJK characters read as UTF-8 and {bad} byte sequences that are not UTF-8 "
            f"(those read as {other}); read as {enc} the page is garbage")


def _other_codec(body: bytes) -> str:
    """The codec that reads the bytes outside the UTF-8 runs (``undecodable`` when none reads 95% of them)."""
    rest = _UTF8_RUN.sub("", body.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
    best = ("undecodable", 0.05)
    for codec in ("gb18030", "big5"):
        text = rest.decode(codec, errors="replace")
        bad = text.count("\ufffd") / max(1, len(_CJK.findall(text)))
        if bad < best[1]:
            best = (codec, bad)
    return best[0]


def _visible_garbage_share(text: str) -> float:
    visible = _TAG.sub(" ", text)
    high = len(_HIGH_CHAR.findall(visible))
    return high / max(1, high + len(_LETTER.findall(visible)))


def _garbage_runs(text: str) -> list[str]:
    """The runs of two or more cp1252-made characters that hold a Latin-1 letter (``ÖÐ¹ú``, ``ä¸\xad``), in order,
    found from the letters that have such a neighbour (rare outside double-encoded text)."""
    runs: list[str] = []
    pos, n = 0, len(text)
    while (m := _PAIR_AT.search(text, pos)) is not None:
        i, j = m.start(), m.end()
        while i > pos and text[i - 1] in _HIGH_SET:
            i -= 1
        while j < n and text[j] in _HIGH_SET:
            j += 1
        runs.append(text[i:j])
        pos = j
    return runs


def _double_encoded(text: str, runs: list[str]) -> tuple[str, str | None, tuple[str, str] | None]:
    """(text, repair, problem) for a text with cp1252-made character runs (``runs``: ``_garbage_runs(text)``)."""
    garbage = sum(len(r) for r in runs)
    if garbage < DOUBLE_MIN_CHARS:
        return text, None, None
    cjk = len(_CJK.findall(text))
    if cjk >= garbage:
        return text, None, None
    try:
        raw = text.encode("cp1252", errors="newsarchive_latin")
    except UnicodeEncodeError:
        raw = None
    best: tuple[float, str, str] | None = None
    for codec in _REPAIR_CODECS if raw is not None else ():
        try:
            fixed = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        if len(_CJK.findall(fixed)) > cjk:
            score = _plausibility(fixed)
            if best is None or score > best[0]:
                best = (score, fixed, codec)
    if best is not None:
        return best[1], f"{best[2]}>cp1252", None
    if _UTF8_HANZI_AS_1252.search(text):
        import ftfy
        fixed = ftfy.fix_encoding(text)
        if fixed != text and len(_CJK.findall(fixed)) > cjk and _visible_garbage_share(fixed) < GARBAGE_SHARE / 3:
            return fixed, "ftfy", None
    share = _visible_garbage_share(text)
    if share >= GARBAGE_SHARE:
        return text, None, ("mojibake", f"double-encoded text not reversible: {garbage} cp1252-made characters "
                                        f"in runs, {share:.0%} of the visible letters")
    return text, None, None


def _plausibility(text: str) -> float:
    """Share of frequent hanzi among the CJK characters, less private-use characters (a wrong codec's mark)."""
    cjk = _CJK.findall(text)
    common = sum(1 for ch in cjk if ch in _COMMON)
    return (common - 5 * len(_PUA.findall(text))) / max(1, len(cjk))


def roundtrip_problem(text: str) -> tuple[str, str] | None:
    """``("mojibake", detail)`` when ``锟斤拷`` is a visible share of ``text`` (call it on the body, not the page:
    a sidebar of such titles does not spoil the article)."""
    n = text.count(_ROUNDTRIP)
    if n < 3:
        return None
    cjk = len(_CJK.findall(text))
    if n * 3 >= ROUNDTRIP_SHARE * max(1, cjk):
        return ("mojibake", f"{n} × {_ROUNDTRIP} (U+FFFD read back through GBK) in {cjk} CJK characters: "
                            "the original bytes are lost")
    return None


def looks_like_mojibake(text: str) -> bool:
    """Heuristic used by quality checks on extracted text."""
    if not text:
        return False
    if text.count("\ufffd") / len(text) > MOJIBAKE_THRESHOLD:
        return True
    return not _CJK.search(text) and len(_LATIN_GARBAGE.findall(text)) > max(20, len(text) // 50)
