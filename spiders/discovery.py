"""Discovery callbacks of the news spider: feeds, sitemaps, listings (paginated), e-paper archives.

Each yields the page's own final ``Fetch`` first, then requests (articles, next pages). Hooks a source
subclass may override: ``feed_entries``, ``sitemap_entries``, ``page_links``.

Sitemap indexes are bounded: a child sitemap already fetched or scheduled in this crawl (an index
listing itself, or two indexes listing each other) is skipped (``skipped.sitemap_cycle``), and one
more than ``MAX_SITEMAP_DEPTH`` levels below a configured sitemap is refused (``sitemap_too_deep``,
a reject). A gzipped sitemap or feed that inflates past the download limit is ``too_large``.
"""
from __future__ import annotations

import re
from typing import Iterator
from urllib.parse import urlsplit

from scrapy.http import Response, TextResponse

from pipelines.capture.raw import ContentTooLarge
from spiders import entries
from spiders.frontier import on_other_date

#: Levels of sitemap indexes below a configured sitemap (sitemaps.org allows 1: an index of sitemaps).
MAX_SITEMAP_DEPTH = 2


class DiscoveryCallbacks:
    """Mixed into NewsSpider (uses its ``finish``, ``request``, ``article``, ``frontier``, ``source``)."""

    def parse_feed(self, response: Response):
        f, entries = self._xml_entries(response, self.feed_entries)
        yield f
        for e in entries:
            yield self.article(e.url, e.hints("feed"), e.newest)

    def parse_sitemap(self, response: Response):
        f, entries = self._xml_entries(response, self.sitemap_entries)
        yield f
        depth = response.meta.get("na_depth", 0) + 1
        for e in entries:
            if not e.is_sitemap:
                yield self.article(e.url, e.hints("news_sitemap" if e.extra.get("news") else "sitemap"), e.newest)
            elif e.newest is not None and self.frontier.cutoff is not None and e.newest < self.frontier.cutoff:
                self.frontier._skip("too_old_sitemap")
            elif not self.frontier.claim(e.url):
                self.frontier._skip("sitemap_cycle")      # fetched or scheduled already in this crawl
            elif depth > MAX_SITEMAP_DEPTH:
                yield self.refuse(e.url, "sitemap", "sitemap_too_deep",
                                  f"sitemap index {depth} levels below a configured sitemap (at most "
                                  f"{MAX_SITEMAP_DEPTH}); listed by {response.url}")
            else:
                yield self.request(e.url, "sitemap", self.parse_sitemap, na_depth=depth)

    def _xml_entries(self, response: Response, parse) -> tuple:
        """The page's final Fetch and its entries; a gzipped body inflating past the limit is too_large."""
        f = self.finish(response, ok_types=("xml",))
        if f.outcome != "ok":
            return f, []
        try:
            return f, parse(response)
        except ContentTooLarge as exc:
            f.outcome, f.detail = "too_large", f"gzipped XML: {exc}"
            return f, []

    def parse_listing(self, response: Response):
        yield (f := self.finish(response))
        if f.outcome != "ok":
            return
        meta = response.meta
        links = [(u, t) for u, t in self.page_links(response) if self.frontier.is_article(u)]
        archived_here = False
        for url, text in links:
            archived_here = archived_here or (self.trust_previous and self.frontier.is_archived(url))
            yield self.article(url, {"via": "listing", "title": text or None, "found_on": response.url})
        lst = self.source.discovery.listings[meta["na_listing"]]
        page = meta["na_page"]
        if links and not archived_here and lst.pagination and page < lst.max_pages:
            yield self.request(lst.pagination.format(page=page + 1), "listing", self.parse_listing,
                               na_listing=meta["na_listing"], na_page=page + 1)
        elif archived_here:
            self.frontier._skip("listing_stopped_at_archived")

    def parse_archive(self, response: Response):
        yield (f := self.finish(response))
        if f.outcome != "ok":
            return
        arch, day, pages = self.source.discovery.archive, response.meta["na_date"], response.meta["na_pages"]
        hints = {"via": "archive", "issue_date": day.isoformat()}
        for url, text in self.page_links(response):
            path = _path(url)
            if not self.source.allows_host(url) or on_other_date(url, day):
                continue
            if re.search(arch.article_pattern, path):
                yield self.article(url, {**hints, "title": text or None})
            elif arch.follow_pattern and re.search(arch.follow_pattern, path) and pages[0] < arch.max_pages:
                if self.frontier.claim(url):
                    pages[0] += 1
                    yield self.request(url, "archive", self.parse_archive, hints, na_date=day, na_pages=pages)

    def feed_entries(self, response: Response) -> list[entries.Entry]:
        return entries.parse_feed(response.body, response.url, self.source.tz,
                                    self.source.politeness.max_download_bytes)

    def sitemap_entries(self, response: Response) -> list[entries.Entry]:
        return entries.parse_sitemap(response.body, response.url, self.source.tz,
                                       self.source.politeness.max_download_bytes)

    def page_links(self, response: Response) -> Iterator[tuple[str, str]]:
        if isinstance(response, TextResponse):
            yield from entries.extract_links(response.text, response.url)


def _path(url: str) -> str:
    p = urlsplit(url)
    return p.path + (f"?{p.query}" if p.query else "")
