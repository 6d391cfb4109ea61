"""The one generic news spider, driven by a source's config.

A source needs a subclass only when its pages differ (override a hook of
``spiders.discovery``: ``feed_entries``, ``sitemap_entries``, ``page_links``). Discovery pages (feeds,
sitemaps, listings, e-paper archives) are never deduped; article URLs are
deduped on ``url_key`` against the store's seen-set and within the run.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any, Iterator

import scrapy
from scrapy.http import Request, Response

from pipelines.capture.seen import load_seen, reconcile, recent_cutoff
from pipelines.storage import Store
from pipelines.urls import MAX_URL_LENGTH, BadURL, parse_host
from spiders import outcome
from spiders import entries
from spiders.discovery import DiscoveryCallbacks
from spiders.errback import fetches_of_failure
from spiders.frontier import REFETCH_SHARE, Frontier
from spiders.items import Fetch
from spiders.middlewares import ATTEMPT
from spiders.recorder import Recorder
from spiders.settings import CrawlOptions
from spiders.state import DiscoveryState
from spiders.warc import SegmentPolicy

DISCOVERY_PRIORITY = 10


class NewsSpider(DiscoveryCallbacks, scrapy.Spider):
    name = "news"

    def __init__(self, opts: CrawlOptions, **kw: Any):
        super().__init__(name=f"news:{opts.source.id}", **kw)
        self.opts, self.source = opts, opts.source
        self.not_modified: set[str] = set()
        self.discovery_ok = 0
        #: re-fetches: recent articles due for a check, checks sent, answered 304, came back (modified)
        self.refetch = {"candidates": 0, "sent": 0, "not_modified": 0, "modified": 0}

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kw: Any) -> "NewsSpider":
        spider = super().from_crawler(crawler, *args, **kw)
        spider.setup(Store.open(spider.opts.store_uri), crawler.settings)
        return spider

    def setup(self, store: Store, settings) -> None:
        o, src = self.opts, self.source
        reconcile(store, src.id, None, src.mobile_hosts)     # every date: a killed crawl of any day
        fresh = src.freshness
        # Recency of a page is wall time since we first fetched it (the live site changes in real time,
        # whatever logical date the crawl writes under); a backfill re-fetches nothing.
        recent = recent_cutoff(_now(), fresh.refetch_recent_hours) if fresh.refetch_max_requests else None
        seen = load_seen(store, src.id, recent_since=None if o.backfill else recent)
        cut = None if o.backfill else entries.cutoff(o.day, src.freshness.max_age_days, src.tz)
        self.frontier = Frontier(src, seen, o.budget, cut)
        policy = SegmentPolicy(settings.getint("WARC_SEGMENT_RECORDS"), settings.getint("WARC_SEGMENT_BYTES"),
                               settings.getfloat("WARC_SEGMENT_SECONDS"))
        self.recorder = Recorder(store, src, o.day, o.run_id, policy, canonical=self.frontier.canonical)
        state = DiscoveryState() if o.backfill else DiscoveryState.load(store, src.id)
        #: the previous crawl read every discovery page: paging may stop at archived articles
        self.trust_previous = state.complete
        self.validators = state.validators if state.complete else {}
        if not o.backfill:   # until this crawl ends well, the next one must not trust it
            DiscoveryState(False, state.validators, o.run_id).save(store, src.id)

    # ------------------------------------------------------------- requests
    def request(self, url: str, kind: str, callback, hints: dict | None = None,
                **meta: Any) -> Request | Fetch | None:
        """A request for ``url``; the final log line of a refusal (``invalid_url``, ``url_too_long``,
        ``offsite``: a reject, never sent, no budget spent); None when the budget is used up."""
        why = self.refusal(url)
        if why is not None:
            return self.refuse(url, kind, *why, hints=hints)
        if not self.frontier.take(discovery=kind != "article"):
            return None
        headers, codes = {}, []
        if kind != "article" and (v := self.validators.get(url)):
            headers, codes = _conditional(v), [304]
        if meta.pop("refetch", None):
            headers, codes = _conditional(meta.pop("validators")), [304]
        return Request(url, callback=callback, errback=self.failed, headers=headers or None,
                       priority=0 if kind == "article" else DISCOVERY_PRIORITY,
                       meta={"na_kind": kind, "na_hints": hints or {}, "handle_httpstatus_list": codes, **meta})

    def refusal(self, url: str) -> tuple[str, str] | None:
        """(reason, detail) when ``url`` must not be requested at all (the safety middleware checks again,
        redirects included, and resolves the address)."""
        if len(url) > MAX_URL_LENGTH:
            return "url_too_long", f"URL of {len(url)} characters (at most {MAX_URL_LENGTH})"
        try:
            parse_host(url)
        except BadURL as exc:
            return "invalid_url", str(exc)
        if not self.source.allows_host(url):
            return "offsite", "host not in allowed_domains; not requested"
        return None

    def refuse(self, url: str, kind: str, reason: str, detail: str, hints: dict | None = None) -> Fetch:
        """The final log line (and reject) of a URL refused before it was requested."""
        self.crawler.stats.inc_value(f"newsarchive/refused/{reason}")
        return Fetch(url, kind, reason, final=True, fetched_at=_now(), hints=hints or {}, requested=False,
                     detail=detail)

    def article(self, url: str, hints: dict, published=None) -> Request | Fetch | None:
        """A request for an article link, or the log line of an article-shaped off-site link, or None."""
        why = self.frontier.admit_article(url, published)
        if why == "offsite_link" and self.frontier.claim(url):
            return Fetch(url, "article", "offsite", final=True, fetched_at=_now(), hints=hints, requested=False,
                         detail="link to a host outside allowed_domains; not requested")
        if why is not None:
            return None
        canonical = self.frontier.canonical(url)   # desktop host, no tracking parameters
        if canonical != url:
            hints = {**hints, "linked_as": url}
        return self.request(canonical, "article", self.parse_article, hints)

    async def start(self):
        for req in self.start_requests_list():
            if req is not None:
                yield req

    def start_requests_list(self) -> Iterator[Request | None]:
        d = self.source.discovery
        if self.opts.backfill:
            day = self.opts.since
            while day <= self.opts.until:
                yield self.request(d.archive.index.format(date=day), "archive", self.parse_archive,
                                   {"via": "archive", "issue_date": day.isoformat()}, na_date=day, na_pages=[1])
                day += timedelta(days=1)
            return
        for entry in self.refetches():
            if self.frontier.claim(entry.url):
                req = self.request(entry.url, "article", self.parse_article, entry.hints(), refetch=True,
                                   validators={"etag": entry.etag, "last_modified": entry.last_modified})
                self.refetch["sent"] += isinstance(req, Request)
                yield req
        yield from (self.request(u, "feed", self.parse_feed) for u in d.feeds)
        for u in d.news_sitemaps + d.sitemaps:
            if self.frontier.claim(u):   # an index listing a configured sitemap again is a cycle
                yield self.request(u, "sitemap", self.parse_sitemap, na_depth=0)
        for i, lst in enumerate(d.listings):
            yield self.request(lst.url, "listing", self.parse_listing, na_listing=i, na_page=1)

    def refetches(self) -> list:
        """Recent archived articles to re-fetch (``pipelines.capture.seen.SeenSet.recent``: least recently checked
        first): those with a validator (unless ``freshness.refetch_unconditional``), at most
        ``freshness.refetch_max_requests`` and ``REFETCH_SHARE`` of the request budget."""
        fresh = self.source.freshness
        due = [e for e in self.frontier.seen.recent.values() if e.conditional or fresh.refetch_unconditional]
        self.refetch["candidates"] = len(due)
        return due[:min(fresh.refetch_max_requests, int(self.frontier.budget * REFETCH_SHARE))]

    # ------------------------------------------------------------ callbacks
    def finish(self, response: Response, ok_types=("html",)) -> Fetch:
        """The final Fetch of a response that reached a callback (2xx or an expected 304)."""
        att = response.meta.pop(ATTEMPT, None)
        out = outcome.of_status(response.status)
        if out == "ok" and "html" in ok_types and "xml" not in ok_types:
            if not outcome.is_html(response.headers.get("Content-Type", b"").decode("latin-1"), response.body):
                out = "not_html"
        if out == "not_modified":
            self.not_modified.add(response.url)
        if response.meta["na_kind"] != "article" and out in ("ok", "not_modified"):
            self.discovery_ok += 1
        f = Fetch.of(response.request, att, final=True, outcome=out)
        f.url = response.url
        return f

    def parse_article(self, response: Response):
        f = self.finish(response)
        if f.hints.get("via") == "refetch" and f.outcome in ("ok", "not_modified"):
            self.refetch["modified" if f.outcome == "ok" else "not_modified"] += 1
        if f.outcome == "ok":
            f.body = response.body
            f.body_bytes = len(response.body)   # stage decodes the archived bytes to no more than this
        yield f

    def failed(self, failure):
        """Errback: the final line of a request that did not reach a callback."""
        for f in fetches_of_failure(failure):
            if f.outcome == "no_edition":
                self.discovery_ok += 1   # the site answered: a date without an edition is not an outage
            yield f

    def closed(self, reason: str) -> None:
        rec, o = self.recorder, self.opts
        rec.close()
        traversed = (reason == "finished" and not self.frontier.exhausted and not rec.errors
                     and rec.transient_discovery_failures == 0)
        clean = traversed and rec.transient_failures == 0
        if not o.backfill:
            validators = rec.fresh_validators(self.validators, self.not_modified) if clean else {}
            DiscoveryState(traversed, validators, o.run_id).save(rec.store, self.source.id)
        self.finish_reason, self.clean, self.traversed = reason, clean, traversed


def _now():
    from datetime import datetime, timezone
    return datetime.now(timezone.utc)


def _conditional(v: dict) -> dict:
    h = {}
    if v.get("etag"):
        h["If-None-Match"] = v["etag"]
    if v.get("last_modified"):
        h["If-Modified-Since"] = v["last_modified"]
    return h
