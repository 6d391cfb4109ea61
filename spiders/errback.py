"""The errback of the news spider: every request that did not reach a callback becomes final ``Fetch``es."""
from __future__ import annotations

from typing import Iterator

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from spiders import outcome
from spiders.items import Fetch
from spiders.middlewares import ATTEMPT


def fetches_of_failure(failure) -> Iterator[Fetch]:
    """The log lines of a failed request: HTTP errors, refusals before download (robots, safety;
    the redirect hop that led there first), redirect loops, download exceptions."""
    req = failure.request
    att = req.meta.pop(ATTEMPT, None)
    exc = failure.value
    if isinstance(exc, outcome.Deadline):
        return                      # never sent: not a fetch, not a failure (spiders/deadline.py)
    if isinstance(exc, HttpError):
        gone = exc.response.status in (404, 410)
        if gone and req.meta.get("na_kind") == "archive":
            out = "no_edition"      # a date-addressed archive page that does not exist: no paper that day
        elif gone and req.meta.get("na_page", 1) > 1:
            out = "end_of_list"
        else:
            out = "http_error"
        yield Fetch.of(req, att, final=True, outcome=out)
    elif isinstance(exc, IgnoreRequest) and _before_download(exc):
        if att is not None:   # the redirect hop that led here
            yield Fetch.of(req, att, final=False, outcome="redirect")
        f = Fetch.of(req, None, final=True, outcome=outcome.of_exception(exc), detail=str(exc))
        f.requested = False
        yield f
    elif isinstance(exc, IgnoreRequest) and att is not None and att.exchange is not None:
        out = "redirect_loop" if 300 <= (att.status or 0) < 400 else outcome.of_exception(exc)
        yield Fetch.of(req, att, final=True, outcome=out, detail=str(exc))
    else:
        yield Fetch.of(req, att, final=True, outcome=None if att else outcome.of_exception(exc),
                       detail=None if att else f"{type(exc).__name__}: {exc}")


def _before_download(exc: Exception) -> bool:
    return isinstance(exc, outcome.Blocked) or "robots.txt" in str(exc)


