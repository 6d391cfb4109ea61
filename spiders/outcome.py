"""Naming what happened to a fetch: the crawl-log ``outcome`` vocabulary.

``ok | not_modified | end_of_list | no_edition | redirect | http_error | timeout | dns_error |
connection_error | too_large | bad_encoding | redirect_loop | not_html`` for requests that were sent,
and the refusals (``pipelines.capture.raw.REFUSALS``; never sent): ``robots_disallowed | offsite |
private_address | invalid_url | url_too_long | sitemap_too_deep``.
(a body cut short by the server, "data loss", is a ``connection_error``; ``too_large`` is a body over
``DOWNLOAD_MAXSIZE`` as received or once its Content-Encoding is undone (a decompression bomb);
``bad_encoding`` a Content-Encoding that cannot be undone; ``end_of_list`` is a 404/410
on listing page 2+, where pagination simply ends; ``no_edition`` is a 404/410 date-addressed archive
page: no e-paper that day).
"""
from __future__ import annotations

from scrapy.exceptions import (
    CannotResolveHostError, DownloadCancelledError, DownloadConnectionRefusedError,
    DownloadFailedError, DownloadTimeoutError, IgnoreRequest, ResponseDataLossError,
)
from twisted.internet import error as txerror
from twisted.internet.defer import CancelledError
from twisted.web._newclient import ResponseFailed


class Blocked(IgnoreRequest):
    """A request our safety middleware refused before sending it; ``reason`` is ``offsite``,
    ``private_address``, ``invalid_url`` or ``url_too_long``."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


class BadContent(IgnoreRequest):
    """A response whose body could not be content-decoded within the size limit; ``reason`` is
    ``too_large`` (a decompression bomb) or ``bad_encoding``. The raw response is archived."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason


class Deadline(IgnoreRequest):
    """A request the crawl dropped unsent because its time limit passed (spiders/deadline.py): no fetch,
    no failure; the next crawl discovers the URL again."""


_EXC = (
    ((DownloadTimeoutError, txerror.TimeoutError, txerror.TCPTimedOutError), "timeout"),
    ((CannotResolveHostError, txerror.DNSLookupError), "dns_error"),
    ((DownloadCancelledError, CancelledError), "too_large"),
    ((ResponseDataLossError, DownloadConnectionRefusedError, DownloadFailedError, txerror.ConnectError, txerror.ConnectionLost,
      txerror.ConnectionDone, ResponseFailed, OSError), "connection_error"),
)


def of_exception(exc: BaseException) -> str:
    """Outcome of a download exception (one without a response)."""
    if isinstance(exc, (Blocked, BadContent)):
        return exc.reason
    for types, name in _EXC:
        if isinstance(exc, types):
            if isinstance(exc, CancelledError) and "size" not in str(exc).lower():
                return "connection_error"   # only Scrapy's DownloadCancelledError means "over DOWNLOAD_MAXSIZE"
            return name
    if isinstance(exc, IgnoreRequest):
        msg = str(exc).lower()
        if "robots.txt" in msg:
            return "robots_disallowed"
        if "larger than" in msg or "max size" in msg or "maxsize" in msg:
            return "too_large"
        if "redirect" in msg:
            return "redirect_loop"
    return "connection_error"


def of_status(status: int) -> str:
    if status == 304:
        return "not_modified"
    if 300 <= status < 400:
        return "redirect"
    if status >= 400:
        return "http_error"
    return "ok"


def is_html(content_type: str | None, body: bytes) -> bool:
    """HTML/XHTML by Content-Type, or by sniffing when the header is missing or generic."""
    ct = (content_type or "").split(";", 1)[0].strip().lower()
    if "html" in ct:
        return True
    if ct and ct not in ("application/octet-stream", "text/plain", "binary/octet-stream"):
        return False
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<meta", b"<!--")) or b"<html" in head
