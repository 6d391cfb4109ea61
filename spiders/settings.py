"""Scrapy settings of one crawl, derived from the source's config (politeness, safety, capture)."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date

from pipelines.config import Source

#: JSON object of extra Scrapy settings (tests and benchmarks: segment size, backoff, log level).
SETTINGS_ENV = "NEWSARCHIVE_CRAWL_SETTINGS"


@dataclass(frozen=True)
class CrawlOptions:
    source: Source
    store_uri: str
    day: date                      # logical date: raw partition and freshness cut-off
    run_id: str
    user_agent: str
    since: date | None = None      # backfill range (e-paper archive), inclusive
    until: date | None = None
    max_requests: int | None = None
    polite: bool = True

    @property
    def backfill(self) -> bool:
        return self.since is not None

    @property
    def budget(self) -> int:
        return self.max_requests or self.source.politeness.max_requests


def build_settings(opts: CrawlOptions) -> dict:
    p = opts.source.politeness
    polite = opts.polite
    per_domain = p.concurrency if polite else 16
    s = {
        "BOT_NAME": "newsarchive",
        "USER_AGENT": opts.user_agent,
        "ROBOTSTXT_OBEY": p.obey_robots and polite,
        "ROBOTSTXT_USER_AGENT": "newsarchive",
        "ROBOTSTXT_PARSER": "scrapy.robotstxt.ProtegoRobotParser",
        "DOWNLOAD_DELAY": p.delay_seconds if polite else 0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": per_domain,
        "CONCURRENT_REQUESTS": max(16, per_domain * 2),
        "AUTOTHROTTLE_ENABLED": p.autothrottle and polite,
        "AUTOTHROTTLE_START_DELAY": p.delay_seconds,
        "AUTOTHROTTLE_MAX_DELAY": max(60.0, p.delay_seconds * 4),
        "AUTOTHROTTLE_TARGET_CONCURRENCY": float(p.concurrency),
        "DOWNLOAD_TIMEOUT": p.timeout_seconds,
        "DOWNLOAD_MAXSIZE": p.max_download_bytes,
        "DOWNLOAD_WARNSIZE": 0,
        "RETRY_TIMES": p.retries,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "RETRY_BACKOFF_BASE": max(p.delay_seconds, 0.25) if polite else 0.0,
        "RETRY_BACKOFF_MAX": 60.0,
        "RETRY_AFTER_MAX": max(120.0, p.timeout_seconds),
        "REDIRECT_MAX_TIMES": 10,
        "CLOSESPIDER_TIMEOUT": p.max_seconds,
        "DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter",   # we dedupe on canonical URL keys
        # Scrapy starts this many asyncio tasks for the output of every callback; ours yield a few
        # items/requests each (the default, 100, costs ~1 ms of CPU per response).
        "CONCURRENT_ITEMS": 8,
        "COOKIES_ENABLED": False,
        # No listening socket in a crawl: neither the telnet console nor Scrapy's remote-control
        # endpoint (an HTTP server on 127.0.0.1 that runs code sent to it with a token).
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,
        # robots.txt Crawl-delay is honoured up to this many seconds (spiders.etiquette)
        "ROBOTSTXT_CRAWL_DELAY_MAX": p.max_crawl_delay_seconds,
        "LOG_LEVEL": "INFO",
        "LOGSTATS_INTERVAL": 60.0,
        "DEFAULT_REQUEST_HEADERS": {
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.6",
            "Accept-Encoding": "gzip, deflate, br",   # what warcio can decode again (no zstd)
        },
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
            "spiders.middlewares.SafetyMiddleware": 50,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "spiders.middlewares.BackoffRetryMiddleware": 550,
            "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
            "spiders.middlewares.ContentDecodingMiddleware": 590,
            "spiders.middlewares.CaptureMiddleware": 950,
        },
        # URLs over pipelines.urls.MAX_URL_LENGTH are refused with a reject (spider, safety middleware),
        # not dropped silently by Scrapy's UrlLengthMiddleware
        "SPIDER_MIDDLEWARES": {"scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
                               "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None},
        # CLOSESPIDER_TIMEOUT as a hard bound: requests queued in the downloader are dropped at the limit
        "EXTENSIONS": {"scrapy.extensions.closespider.CloseSpider": None,
                       "spiders.deadline.DeadlineCloseSpider": 0,
                       "scrapy.extensions.remote_control.RemoteControl": None,
                       "scrapy.extensions.throttle.AutoThrottle": None,
                       "spiders.etiquette.FlooredAutoThrottle": 0,
                       "spiders.etiquette.RobotsCrawlDelay": 0},
        "ITEM_PIPELINES": {
            "spiders.pipelines.EncodingCheckPipeline": 100,
            "spiders.pipelines.ArchivePipeline": 200,
        },
        # WARC segment rotation (spiders.warc.SegmentPolicy)
        "WARC_SEGMENT_RECORDS": 2000,
        "WARC_SEGMENT_BYTES": 256 * 1024 * 1024,
        "WARC_SEGMENT_SECONDS": 60.0,
    }
    s.update(json.loads(os.environ.get(SETTINGS_ENV) or "{}"))
    return s
