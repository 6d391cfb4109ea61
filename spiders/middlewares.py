"""Downloader middlewares: safety (50), retries with backoff (550), content decoding (590), raw capture (950).

Capture sits next to the downloader, so it sees every attempt as it crossed the
wire (before decompression, retries and redirects) and the request headers
actually sent. It stashes the attempt in ``request.meta["na_attempt"]``; the
attempt is written when the request chain moves on (a retry or redirect hop
arrives here again: a non-final log line) or ends (spider callback/errback: the
final line). robots.txt fetches, which never reach the spider, are written at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.asyncio import sleep

from pipelines.capture.raw import BadContentEncoding, ContentTooLarge, decode_content
from pipelines.urls import MAX_URL_LENGTH, BadURL, host_is_private, parse_host
from spiders import outcome
from spiders.deadline import STAT as DEADLINE_STAT, deadline_passed
from spiders.warc import Exchange

ATTEMPT = "na_attempt"


@dataclass(slots=True)
class Attempt:
    """One try of a request: the exchange when there was a response, else the exception outcome."""
    url: str
    fetched_at: datetime
    exchange: Exchange | None = None
    status: int | None = None
    error: str | None = None      # outcome name for an exception
    detail: str | None = None
    number: int = 1               # 1 for the first try, 2 for the first retry...

    @property
    def outcome(self) -> str:
        return self.error or outcome.of_status(self.status or 0)


def _headers(h) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in h.items() for v in vs]


def _recorder(crawler):
    return getattr(crawler.spider, "recorder", None)


class SafetyMiddleware:
    """Every request, redirects included, before it is sent: a URL whose host reads unambiguously
    (``pipelines.urls.parse_host``, as the fetcher reads it), at most ``MAX_URL_LENGTH`` characters,
    on an allowed domain, and (unless the source allows private addresses) resolving to a globally
    reachable address only. A refusal raises ``Blocked`` with its reason: the request's final
    crawl-log line and a reject."""

    def __init__(self, crawler):
        self.crawler = crawler
        self._resolved: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request):
        """None when the request may go; raises ``Blocked`` (or ``Deadline`` once the crawl's time limit
        passed); a coroutine when the host needs a DNS lookup."""
        if deadline_passed(self.crawler):
            self.crawler.stats.inc_value(DEADLINE_STAT)
            raise outcome.Deadline(f"the crawl's time limit passed before {request.url} was sent")
        source = self.crawler.spider.source
        if len(request.url) > MAX_URL_LENGTH:
            self._block("url_too_long", f"URL of {len(request.url)} characters (at most {MAX_URL_LENGTH})")
        try:
            host = parse_host(request.url)
        except BadURL as exc:
            self._block("invalid_url", str(exc))
        if not source.allows_host(request.url):
            self._block("offsite", f"host {host.netloc!r} is not in allowed_domains")
        if source.allow_private_addresses:
            return None
        name = host.name
        if host_is_private(name):              # an IP literal in any form, or a localhost name
            self._block_private(name)
        if host.ip is not None:
            return None
        if name in self._resolved:
            if host_is_private(self._resolved[name]):
                self._block_private(name)
            return None
        return self._check_address(name)

    async def _check_address(self, host: str) -> None:
        if host_is_private(await self._address(host)):
            self._block_private(host)

    def _block(self, reason: str, detail: str):
        self.crawler.stats.inc_value(f"newsarchive/blocked/{reason}")
        raise outcome.Blocked(reason, detail)

    def _block_private(self, host: str):
        self._block("private_address", f"host {host!r} is not a globally reachable address (private, loopback, "
                                       "link-local, shared 100.64.0.0/10, reserved…)")

    async def _address(self, host: str) -> str:
        if host not in self._resolved:
            try:
                self._resolved[host] = await resolve_host(host)
            except Exception:  # noqa: BLE001 - unresolvable: the download fails with a DNS error
                self._resolved[host] = host
        return self._resolved[host]


async def resolve_host(host: str) -> str:
    """One address of ``host`` through the reactor's (caching) resolver."""
    from twisted.internet import reactor

    from scrapy.utils.defer import maybe_deferred_to_future
    return await maybe_deferred_to_future(reactor.resolve(host))


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, waiting before each retry: ``Retry-After`` on 429/503, else exponential backoff.

    A ``Retry-After`` longer than ``RETRY_AFTER_MAX`` gives up at once (the response goes on as an error).
    """

    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.cap = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)
        self.retry_after_max = settings.getfloat("RETRY_AFTER_MAX", 120.0)

    def process_response(self, request: Request, response: Response):
        """The response, or a coroutine that waits and returns the retry (sync when nothing to retry)."""
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        wait = retry_after(response) if response.status in (429, 503) else None
        if wait is not None and wait > self.retry_after_max:
            self.crawler.stats.inc_value("newsarchive/retry_after_too_long")
            return response
        new = self._retry(request, f"{response.status}")
        return response if new is None else self._wait(new, wait)

    def process_exception(self, request: Request, exception: Exception):
        if request.meta.get("dont_retry") or not isinstance(exception, self.exceptions_to_retry):
            return None
        new = self._retry(request, exception)
        return None if new is None else self._wait(new, None)

    async def _wait(self, new: Request, wait: float | None) -> Request:
        if wait is None:
            wait = min(self.cap, self.base * 2 ** (new.meta["retry_times"] - 1))
        if wait > 0:
            self.crawler.stats.inc_value("newsarchive/retry_wait_seconds", round(wait, 3))
            await sleep(wait)
        return new


def retry_after(response: Response) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date); None when absent/invalid."""
    raw = response.headers.get(b"Retry-After")
    if not raw:
        return None
    value = raw.decode("latin-1").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


class ContentDecodingMiddleware:
    """Undo the Content-Encoding of every response with ``pipelines.capture.raw.decode_content`` (the function
    stage uses), bounded by ``DOWNLOAD_MAXSIZE``: a decompression bomb (also behind stacked or odd
    codings such as ``gzip, identity``) raises ``BadContent("too_large")``, a coding that cannot be
    undone ``BadContent("bad_encoding")``; both become rejects with the raw response archived.
    Replaces Scrapy's HttpCompressionMiddleware, which stops at the first coding it does not know
    and passed ``gzip, identity`` on still compressed."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.max_size = crawler.settings.getint("DOWNLOAD_MAXSIZE")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        header = b", ".join(response.headers.getlist("Content-Encoding")).decode("latin-1")
        if request.method == "HEAD" or not header.strip():
            return response
        limit = request.meta.get("download_maxsize", self.max_size) or self.max_size
        try:
            body = decode_content(response.body, header, limit)
        except ContentTooLarge as exc:
            self.crawler.stats.inc_value("newsarchive/decoded_too_large")
            raise outcome.BadContent("too_large", f"Content-Encoding {header!r}: {exc} "
                                                  f"(DOWNLOAD_MAXSIZE {limit}; {len(response.body)} bytes received)")
        except BadContentEncoding as exc:
            raise outcome.BadContent("bad_encoding", str(exc))
        from scrapy.http import TextResponse
        from scrapy.responsetypes import responsetypes
        cls = responsetypes.from_args(headers=response.headers, url=response.url, body=body)
        kwargs = {"encoding": None} if issubclass(cls, TextResponse) else {}
        decoded = response.replace(cls=cls, body=body, **kwargs)
        del decoded.headers["Content-Encoding"]
        return decoded


class CaptureMiddleware:
    """Stash every attempt (see module docstring); write robots.txt fetches at once."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        previous = request.meta.pop(ATTEMPT, None)
        if previous is not None:  # this request is a retry or a redirect hop of that attempt
            _recorder(self.crawler).record_attempt(request, previous, final=False)
        return None

    def process_response(self, request: Request, response: Response) -> Response:
        ex = Exchange(url=response.url, status=response.status, request_headers=_request_headers(request),
                      response_headers=_headers(response.headers), body=response.body,
                      fetched_at=datetime.now(timezone.utc), method=request.method,
                      protocol=(response.protocol or "HTTP/1.1").upper(),
                      ip=str(response.ip_address) if response.ip_address else None)
        att = Attempt(response.url, ex.fetched_at, exchange=ex, status=response.status,
                      number=request.meta.get("retry_times", 0) + 1)
        self._stash_or_write(request, att)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if isinstance(exception, IgnoreRequest):   # refused before download (robots, safety): no attempt
            return None
        att = Attempt(request.url, datetime.now(timezone.utc), error=outcome.of_exception(exception),
                      detail=f"{type(exception).__name__}: {exception}"[:500],
                      number=request.meta.get("retry_times", 0) + 1)
        self._stash_or_write(request, att)
        return None

    def _stash_or_write(self, request: Request, att: Attempt) -> None:
        if "na_kind" in request.meta:
            request.meta[ATTEMPT] = att
        elif (rec := _recorder(self.crawler)) is not None:  # robots.txt and other engine-side fetches
            rec.record_attempt(request, att, final=True, kind="robots")


def _request_headers(request: Request) -> list[tuple[str, str]]:
    host = urlsplit(request.url).netloc
    return [("Host", host)] + _headers(request.headers)
