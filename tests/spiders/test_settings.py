"""Politeness, safety and bounds of a crawl come from the source config."""
import json
from datetime import date

from pipelines.config import load_sources
from spiders.settings import SETTINGS_ENV, CrawlOptions, build_settings


def opts(source_id="finews", **kw):
    cfg = load_sources()
    return CrawlOptions(cfg.get(source_id), "/tmp/x", date(2022, 7, 28), "r", cfg.user_agent, **kw)


def test_politeness_from_config():
    s = build_settings(opts("finews"))          # finews: delay 2 s, concurrency 1
    assert (s["DOWNLOAD_DELAY"], s["CONCURRENT_REQUESTS_PER_DOMAIN"]) == (2.0, 1)
    assert s["AUTOTHROTTLE_ENABLED"] and s["AUTOTHROTTLE_START_DELAY"] == 2.0
    assert s["ROBOTSTXT_OBEY"] is True and s["ROBOTSTXT_PARSER"] == "scrapy.robotstxt.ProtegoRobotParser"
    assert s["USER_AGENT"] == load_sources().user_agent and "+https://" in s["USER_AGENT"]
    assert (s["DOWNLOAD_TIMEOUT"], s["DOWNLOAD_MAXSIZE"], s["RETRY_TIMES"]) == (30, 8 * 1024 * 1024, 3)
    assert 429 in s["RETRY_HTTP_CODES"] and 503 in s["RETRY_HTTP_CODES"]
    assert s["CLOSESPIDER_TIMEOUT"] == 4 * 3600                     # bounded in time
    assert opts("finews").budget == 5000 and opts("finews", max_requests=7).budget == 7   # and in requests
    mw = s["DOWNLOADER_MIDDLEWARES"]
    assert mw["spiders.middlewares.SafetyMiddleware"] < 100 < mw["spiders.middlewares.CaptureMiddleware"]


def test_no_politeness_is_for_benchmarks_only():
    s = build_settings(opts("finews", polite=False))
    assert s["DOWNLOAD_DELAY"] == 0 and not s["AUTOTHROTTLE_ENABLED"] and not s["ROBOTSTXT_OBEY"]
    assert s["RETRY_TIMES"] == 3 and s["DOWNLOAD_TIMEOUT"] == 30     # robustness stays on


def test_environment_overrides_for_tests(monkeypatch):
    monkeypatch.setenv(SETTINGS_ENV, json.dumps({"WARC_SEGMENT_RECORDS": 8}))
    assert build_settings(opts())["WARC_SEGMENT_RECORDS"] == 8
