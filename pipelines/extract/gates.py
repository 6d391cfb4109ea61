"""Quality gates: a page that is not an article becomes a ``Reject`` with one of these reasons.

========================  =============================================================
reason                    when
========================  =============================================================
``http_<status>``         the response status is not 2xx
``not_html``              Content-Type or magic bytes say PDF, image, archive, JSON …
``empty``                 no bytes, or no parsable document
``blocked``               an "access denied" / "403 Forbidden" / firewall page
``captcha``               a captcha or "verify you are human" page
``paywall``               paywall markers and only a teaser of text
``empty_body``            no body text was found
``boilerplate_only``      body text was found but all of it is boilerplate
``too_short``             the body is shorter than the source's ``min_chars``
========================  =============================================================
"""
from __future__ import annotations

import re

_HTML_TYPES = ("text/html", "application/xhtml", "text/plain", "application/xml", "text/xml")
_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf",
          b"\xd0\xcf\x11\xe0", b"RIFF", b"ID3", b"OggS", b"\x00\x00\x00")
_CAPTCHA = re.compile(
    r"captcha|verify (?:you are|that you are) (?:a )?human|are you a robot|人机验证|安全验证|访问验证|滑动验证"
    r"|请输入验证码|请完成验证|验证码|checking your browser|just a moment\.\.\.|请开启JavaScript并刷新", re.I)
_BLOCKED = re.compile(
    r"access denied|403 forbidden|forbidden|request blocked|you have been blocked|attention required"
    r"|访问被拒绝|拒绝访问|禁止访问|访问受限|访问过于频繁|您的访问(?:已被|被)?(?:拦截|限制|拒绝)|IP.{0,6}(?:封禁|限制)"
    r"|web应用防火墙|网站防火墙", re.I)
_PAYWALL = re.compile(
    r"订阅后(?:阅读|查看)全文|付费(?:阅读|内容|会员)|开通(?:会员|VIP).{0,6}(?:阅读|查看)全文|购买后(?:阅读|查看)"
    r"|登录后(?:阅读|查看)全文|剩余\d+%未读|subscribe (?:now )?to (?:read|continue)|subscribers? only"
    r"|this (?:article|content) is (?:only )?(?:available|for) (?:to )?subscribers|already a subscriber\?", re.I)
#: Pages with more visible text than this are never judged blocked/captcha by their wording.
BLOCK_PAGE_MAX_CHARS = 1500
#: A paywalled page is rejected only when the body is a teaser shorter than this.
PAYWALL_TEASER_CHARS = 1000


def response_reason(status: int, content_type: str | None, body: bytes) -> tuple[str, str] | None:
    if not 200 <= int(status or 0) < 300:
        return f"http_{status}", f"HTTP status {status}"
    if not body or not body.strip():
        return "empty", "empty response body"
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype and not any(ctype.startswith(t) for t in _HTML_TYPES):
        return "not_html", f"Content-Type {ctype}"
    head = body[:8].lstrip()
    if any(head.startswith(m) for m in _MAGIC):
        return "not_html", f"binary content starting {body[:8]!r}"
    return None


def block_reason(title: str | None, page_text: str) -> str | None:
    """``captcha`` / ``blocked`` for interstitial pages (short pages only)."""
    if len(page_text) > BLOCK_PAGE_MAX_CHARS:
        return None
    probe = f"{title or ''}\n{page_text}"
    if _CAPTCHA.search(probe):
        return "captcha"
    if _BLOCKED.search(probe):
        return "blocked"
    return None


def is_paywalled(not_free: bool, page_text: str, body: str) -> bool:
    if len(body) >= PAYWALL_TEASER_CHARS:
        return False
    return not_free or bool(_PAYWALL.search(page_text))


def body_reason(raw_text: str, text: str, min_chars: int) -> tuple[str, str] | None:
    if not raw_text.strip():
        return "empty_body", "no body text found"
    if len(text) < min_chars:
        if len(raw_text) >= min_chars:
            return "boilerplate_only", f"{len(raw_text)} chars before cleanup, {len(text)} after"
        return "too_short", f"{len(text)} chars < min_chars {min_chars}"
    return None
