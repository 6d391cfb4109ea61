"""One crawl: one source, one process, raw WARC + crawl log into the store (``run``); its command,
``newsarchive crawl``, is ``newsarchive.commands.crawl``.

Exit codes: 0 finished, also when the request budget or time limit ended it
(fetch failures are data: rejects in the crawl log); 1 the crawl broke (a segment
could not be committed, a spider exception, the spider could not start); 2
usage/config error; 3 the source was unreachable (not one discovery page could be
fetched); 130 interrupted by SIGTERM/SIGINT (what was fetched is committed).
The run summary is printed to stdout as one JSON object and stored as
``raw/source=S/dt=D/<run>.stats.json``. Scrapy's log goes to stderr.
"""
from __future__ import annotations

import json
import re
import time

from pipelines import layout
from pipelines.capture import raw as rawfmt
from spiders.settings import CrawlOptions, build_settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_UNREACHABLE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
#: What a run id may hold (it names files in the store).
RUN_ID = re.compile(r"^[A-Za-z0-9_.:+-]{1,200}$")


def run(opts: CrawlOptions) -> dict:
    """Run the crawl in this process (once per process: Twisted's reactor does not restart)."""
    from scrapy.crawler import CrawlerProcess

    from spiders.spider import NewsSpider
    started = time.monotonic()
    process = CrawlerProcess(build_settings(opts))
    crawler = process.create_crawler(NewsSpider)
    process.crawl(crawler, opts=opts)
    process.start()
    summary = summarize(crawler, opts, time.monotonic() - started)
    spider = getattr(crawler, "spider", None)
    if spider is not None and hasattr(spider, "recorder"):
        try:
            store = spider.recorder.store
            store.write_text(layout.stats_path(opts.source.id, opts.day, opts.run_id),
                             json.dumps(summary, ensure_ascii=False, sort_keys=True, indent=1), create_only=True)
        except Exception as exc:  # noqa: BLE001 - the summary still goes to stdout
            summary["errors"].append(f"stats not stored: {exc}")
            summary["exit_code"] = EXIT_FAILED
    return summary


def summarize(crawler, opts: CrawlOptions, elapsed: float) -> dict:
    stats = crawler.stats.get_stats() if crawler.stats else {}
    spider = getattr(crawler, "spider", None)
    rec = getattr(spider, "recorder", None)
    counts = dict(rec.counts) if rec else {}
    errors = list(rec.errors) if rec else ["the spider did not start (see the log above)"]
    exc_count = sum(v for k, v in stats.items() if k.startswith("spider_exceptions/"))
    if exc_count:
        errors.append(f"{exc_count} spider exceptions")
    failures: dict[str, int] = {}
    refused: dict[str, int] = {}
    for key, n in counts.items():
        kind, out = key.split("/", 1)
        if kind == "robots" or out.startswith("attempt_") or out in rawfmt.OK_OUTCOMES | rawfmt.NOT_FAILURES:
            continue
        into = refused if out in rawfmt.REFUSALS else failures
        into[f"{kind}/{out}"] = into.get(f"{kind}/{out}", 0) + n
    frontier = getattr(spider, "frontier", None)
    summary = {
        "source": opts.source.id, "dt": opts.day.isoformat(), "run_id": opts.run_id,
        "backfill": [opts.since.isoformat(), opts.until.isoformat()] if opts.backfill else None,
        "finish_reason": getattr(spider, "finish_reason", stats.get("finish_reason")),
        "clean": getattr(spider, "clean", False),
        "traversed": getattr(spider, "traversed", False),
        "requests": frontier.requests if frontier else 0,
        "responses": stats.get("response_received_count", 0),
        "articles_archived": counts.get("article/ok", 0),
        "articles_not_modified": counts.get("article/not_modified", 0),
        # recent archived articles due for a check, checks sent, answered 304, came back (200: modified)
        "refetch": dict(getattr(spider, "refetch", None) or {}),
        "discovery_pages_ok": getattr(spider, "discovery_ok", 0),
        "failures": failures,
        # requests refused before sending (robots, address checks, URL limits; off-site links included)
        "refused": refused,
        "robots_disallowed": stats.get("robotstxt/forbidden", 0),
        "crawl_delay": {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("newsarchive/crawl_delay/")},
        "mojibake_pages": stats.get("newsarchive/mojibake_pages", 0),
        "skipped": dict(frontier.skipped) if frontier else {},
        "budget_exhausted": bool(frontier and frontier.exhausted),
        "dropped_at_deadline": stats.get("newsarchive/dropped_at_deadline", 0),
        "outcomes": counts,
        "segments": sorted(rec.committed) if rec else [],
        "elapsed_seconds": round(elapsed, 3),
        "peak_rss_mib": _peak_rss_mib(),
        "errors": errors,
    }
    summary["exit_code"] = _exit_code(summary)
    return summary


def _peak_rss_mib() -> float | None:
    try:
        with open("/proc/self/status") as f:
            return round(next(int(ln.split()[1]) for ln in f if ln.startswith("VmHWM:")) / 1024, 1)
    except (OSError, StopIteration):
        return None


def _exit_code(s: dict) -> int:
    if s["errors"]:
        return EXIT_FAILED
    if s["finish_reason"] == "shutdown":
        return EXIT_INTERRUPTED
    tried = s["requests"] or s["refused"]   # every discovery URL refused before sending is no success either
    if tried and not s["discovery_pages_ok"] and not s["articles_archived"]:
        return EXIT_UNREACHABLE
    return EXIT_OK
