"""The crawl's time limit (``politeness.max_seconds``) as a hard bound.

Scrapy's ``CLOSESPIDER_TIMEOUT`` stops taking requests from the scheduler, but every request already
handed to the downloader is still fetched, and with a download delay they wait their turn in the
downloader slot: up to ``CONCURRENT_REQUESTS`` of them, one per delay (16 × 0.5 s = 8 s past the limit in
the tests, 16 × 2 s in production). At the limit this extension drops those queued requests and has the
safety middleware refuse any further one, so the crawl ends after at most the downloads in flight
(bounded by ``DOWNLOAD_TIMEOUT``). Nothing is lost: a dropped request was never sent, its URL is not
archived, and the next crawl discovers it again.
"""
from __future__ import annotations

from scrapy.extensions.closespider import CloseSpider
from twisted.python.failure import Failure

from spiders import outcome

DEADLINE_REASONS = ("closespider_timeout",)
STAT = "newsarchive/dropped_at_deadline"


class DeadlineCloseSpider(CloseSpider):
    """Scrapy's CloseSpider; at the time limit also drops what waits in the downloader's queues."""

    def _close_spider(self, reason: str) -> None:
        if reason in DEADLINE_REASONS:
            spider = self.crawler.spider
            if spider is not None:
                spider.na_deadline_passed = True
            n = drain_downloader(self.crawler.engine.downloader)
            self.crawler.stats.inc_value(STAT, n)
        super()._close_spider(reason)


def deadline_passed(crawler) -> bool:
    return bool(getattr(crawler.spider, "na_deadline_passed", False))


def drain_downloader(downloader) -> int:
    """Fail every request waiting in a downloader slot (not yet sent) with ``outcome.Deadline``."""
    n = 0
    for slot in list(downloader.slots.values()):
        while slot.queue:
            request, dfd = slot.queue.popleft()
            dfd.errback(Failure(outcome.Deadline(f"the crawl's time limit passed before {request.url} was sent")))
            n += 1
    return n
