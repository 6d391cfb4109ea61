"""One fetcher per process for bench/crawl.py: ours, bare Scrapy, plain asyncio (aiohttp).

``python -m bench.crawl_workers KIND --urls FILE [--config YAML --store DIR] [--profile OUT]`` fetches every
URL of ``FILE`` (JSON: source id -> URLs) and prints one JSON line: pages, seconds (first request to last
response, imports excluded), cpu_seconds of that span, peak_rss_mib (VmHWM of this process).
"""
from __future__ import annotations

import argparse
import json
import os
import time
from datetime import date

CONCURRENCY_PER_HOST, CONCURRENCY = 16, 32     # what `--no-politeness` gives our spider (per crawler)


def _vm_hwm_mib() -> float:
    with open("/proc/self/status") as f:
        kb = next(int(ln.split()[1]) for ln in f if ln.startswith("VmHWM:"))
    return kb / 1024


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


def _settings(extra: dict | None = None) -> dict:
    return {"LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False, "ROBOTSTXT_OBEY": False,
            "CONCURRENT_REQUESTS": CONCURRENCY, "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY_PER_HOST,
            "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_TIMEOUT": 30, **(extra or {})}


def run_ours(urls: dict[str, list[str]], config: str, store: str) -> int:
    """Our spider with everything on (WARC, log, canonicalization, seen-set), fed the URL list:
    one NewsSpider crawler per source in one process."""
    from scrapy.crawler import CrawlerProcess

    from pipelines.config import load_sources
    from spiders.settings import CrawlOptions, build_settings
    from spiders.spider import NewsSpider

    class ListSpider(NewsSpider):
        def start_requests_list(self):
            for u in self.bench_urls:
                yield self.article(u, {"via": "bench"})

    cfg = load_sources(config)
    opts = {s: CrawlOptions(cfg.get(s), store, date(2022, 7, 28), f"bench__{s}", cfg.user_agent, polite=False,
                            max_requests=10**7) for s in urls}
    process = CrawlerProcess(build_settings(next(iter(opts.values()))))
    crawlers = []
    for s, o in opts.items():
        c = process.create_crawler(ListSpider)
        process.crawl(c, opts=o, bench_urls=urls[s])
        crawlers.append(c)
    process.start()
    return sum(c.stats.get_value("response_received_count", 0) for c in crawlers)


def run_bare(urls: dict[str, list[str]], tuned: bool = False, **_) -> int:
    """Stock Scrapy: one plain spider per source yielding the URLs, items into a null pipeline.
    ``tuned``: with the Scrapy settings our spider uses (CONCURRENT_ITEMS, no cookies, no dupefilter)."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    class BareSpider(scrapy.Spider):
        name = "bare"

        async def start(self):
            for u in self.urls:
                yield scrapy.Request(u, callback=self.parse)

        def parse(self, response):
            yield {"url": response.url, "status": response.status}

    extra = {"ITEM_PIPELINES": {"bench.crawl_workers.NullPipeline": 100}}
    if tuned:
        extra.update(CONCURRENT_ITEMS=8, COOKIES_ENABLED=False, DUPEFILTER_CLASS="scrapy.dupefilters.BaseDupeFilter")
    process = CrawlerProcess(_settings(extra))
    crawlers = []
    for s, lst in urls.items():
        c = process.create_crawler(BareSpider)
        process.crawl(c, urls=lst)
        crawlers.append(c)
    process.start()
    return sum(c.stats.get_value("response_received_count", 0) for c in crawlers)


class NullPipeline:
    def process_item(self, item):
        return item


def run_asyncio(urls: dict[str, list[str]], **_) -> int:
    """The network-stack reference: aiohttp GETs, same concurrency, bodies read and dropped."""
    import asyncio

    import aiohttp

    async def main() -> int:
        conn = aiohttp.TCPConnector(limit=CONCURRENCY * len(urls), limit_per_host=CONCURRENCY_PER_HOST)
        async with aiohttp.ClientSession(connector=conn, timeout=aiohttp.ClientTimeout(total=30)) as session:
            async def one(u: str) -> int:
                async with session.get(u) as resp:
                    await resp.read()
                    return 1
            results = await asyncio.gather(*(one(u) for lst in urls.values() for u in lst), return_exceptions=True)
        return sum(1 for r in results if r == 1)
    return asyncio.run(main())


RUNNERS = {"ours": run_ours, "bare": run_bare, "bare-tuned": lambda urls, **kw: run_bare(urls, tuned=True),
           "asyncio": run_asyncio}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=sorted(RUNNERS))
    ap.add_argument("--urls", required=True)
    ap.add_argument("--config")
    ap.add_argument("--store")
    ap.add_argument("--profile", help="write a cProfile of the run here")
    a = ap.parse_args()
    urls = json.loads(open(a.urls, encoding="utf-8").read())
    run = RUNNERS[a.kind]
    if a.kind != "asyncio":   # import Scrapy and our code before the clock starts
        import scrapy.crawler  # noqa: F401
        import spiders.spider  # noqa: F401
    prof = None
    if a.profile:
        import cProfile
        prof = cProfile.Profile()
        prof.enable()
    t0, c0 = time.perf_counter(), _cpu()
    pages = run(urls, config=a.config, store=a.store)
    seconds, cpu = time.perf_counter() - t0, _cpu() - c0
    if prof:
        prof.disable()
        prof.dump_stats(a.profile)
    print(json.dumps({"kind": a.kind, "pages": pages, "seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3),
                      "peak_rss_mib": round(_vm_hwm_mib(), 1)}), flush=True)


if __name__ == "__main__":
    main()
