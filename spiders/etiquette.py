"""robots.txt ``Crawl-delay`` (and ``Request-rate``) as the least delay between requests to a host.

Scrapy parses robots.txt (Protego) but only uses its Allow/Disallow rules. ``RobotsCrawlDelay``
listens to Scrapy's ``robots_parsed`` signal and writes the delay the site asks for, capped by
``politeness.max_crawl_delay_seconds`` (setting ``ROBOTSTXT_CRAWL_DELAY_MAX``), into the
downloader slot of that host and into ``DOWNLOAD_SLOTS`` (``Downloader.per_slot_settings``), which
Scrapy reads when it creates a slot again; the delay is exact (no jitter). ``FlooredAutoThrottle``
is Scrapy's AutoThrottle that never goes below a slot's ``DOWNLOAD_SLOTS`` delay, so AutoThrottle
can slow a crawl further but never speed it past what the site asked for.
"""
from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.extensions.throttle import AutoThrottle

log = logging.getLogger(__name__)
STAT = "newsarchive/crawl_delay"


def robots_delay(robotparser, user_agent: str) -> float | None:
    """Seconds between requests that a parsed robots.txt asks of ``user_agent`` (None: nothing asked)."""
    delays = []
    d = robotparser.crawl_delay(user_agent)
    if d is not None:
        delays.append(float(d))
    rate = getattr(getattr(robotparser, "rp", None), "request_rate", lambda ua: None)(user_agent)
    if rate is not None and rate.requests:
        delays.append(rate.seconds / rate.requests)
    return max(delays) if delays else None


class RobotsCrawlDelay:
    """Extension: apply robots.txt's Crawl-delay to the host's downloader slot (see module docstring)."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.cap = crawler.settings.getfloat("ROBOTSTXT_CRAWL_DELAY_MAX")
        self.user_agent = crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get("USER_AGENT")
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        return cls(crawler)

    def robots_parsed(self, robotparser, request) -> None:
        asked = robots_delay(robotparser, self.user_agent)
        if asked is None or asked <= 0 or self.cap <= 0:   # nothing asked, or the source ignores it
            return
        delay = min(asked, self.cap)
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        stats = self.crawler.stats
        if asked > self.cap:
            stats.inc_value(f"{STAT}_capped")
            log.warning("robots.txt of %s asks for a Crawl-delay of %.1f s; using the cap of %.1f s "
                        "(politeness.max_crawl_delay_seconds)", key, asked, self.cap)
        slot_settings = downloader.per_slot_settings.setdefault(key, {})
        delay = max(delay, float(slot_settings.get("delay", 0.0)))   # hosts sharing a slot: the longest
        slot_settings.update(delay=delay, jitter=0.0)
        slot = downloader.slots.get(key)
        if slot is not None:
            slot.delay, slot.jitter = max(slot.delay, delay), 0.0
        stats.max_value(f"{STAT}/{key}", delay)


class FlooredAutoThrottle(AutoThrottle):
    """AutoThrottle that keeps every slot at or above its ``DOWNLOAD_SLOTS`` delay (robots' Crawl-delay)."""

    def _response_downloaded(self, response, request, spider) -> None:
        super()._response_downloaded(response, request, spider)
        key, slot = self._get_slot(request, spider)
        if slot is None:
            return
        floor = self.crawler.engine.downloader.per_slot_settings.get(key, {}).get("delay")
        if floor is not None and slot.delay < floor:
            slot.delay = floor
