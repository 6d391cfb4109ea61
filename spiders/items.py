"""The one item type: a finished fetch (one log line, maybe one WARC exchange)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from scrapy.http import Request

from spiders.warc import Exchange


@dataclass(slots=True)
class Fetch:
    url: str                      # URL of this attempt (after redirects)
    kind: str                     # article | feed | sitemap | listing | archive | robots
    outcome: str                  # see spiders.outcome
    final: bool                   # False for an attempt that was retried or redirected
    fetched_at: datetime
    status: int | None = None
    exchange: Exchange | None = None
    hints: dict = field(default_factory=dict)
    detail: str | None = None
    attempt: int = 1
    redirected_from: list[str] = field(default_factory=list)
    requested: bool = True        # False: never sent (refused: robots-disallowed, off-site, blocked, …)
    etag: str | None = None
    last_modified: str | None = None
    #: The content-decoded body as the spider saw it (not archived again; the WARC has the raw one).
    body: bytes | None = None
    #: Length of ``body`` (content-decoded) of an archived article: the bound stage decodes it within.
    body_bytes: int | None = None
    #: Set by EncodingCheckPipeline for archived HTML articles.
    encoding: str | None = None
    mojibake: bool | None = None

    @classmethod
    def of(cls, request: Request, attempt, *, final: bool, outcome: str | None = None,
           detail: str | None = None, kind: str | None = None) -> "Fetch":
        """From a request and its ``middlewares.Attempt`` (None: nothing was downloaded)."""
        from datetime import timezone
        meta = request.meta
        ex = attempt.exchange if attempt else None
        f = cls(url=attempt.url if attempt else request.url, kind=kind or meta.get("na_kind", "robots"),
                outcome=outcome or (attempt.outcome if attempt else "connection_error"), final=final,
                fetched_at=attempt.fetched_at if attempt else datetime.now(timezone.utc),
                status=attempt.status if attempt else None, exchange=ex, hints=(meta.get("na_hints") or {}) if final else {},
                detail=detail or (attempt.detail if attempt else None),
                attempt=attempt.number if attempt else meta.get("retry_times", 0) + 1,
                redirected_from=list(meta.get("redirect_urls", ())) if final else [])
        if ex is not None:
            hdr = {k.lower(): v for k, v in ex.response_headers}
            f.etag, f.last_modified = hdr.get("etag"), hdr.get("last-modified")
        return f

    @property
    def content_type(self) -> str | None:
        if self.exchange is None:
            return None
        return next((v for k, v in self.exchange.response_headers if k.lower() == "content-type"), None)
