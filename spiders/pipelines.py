"""Item pipelines, one job each: check the encoding of archived pages (100), archive the fetch (200)."""
from __future__ import annotations

from pipelines.extract.encoding import decode_html
from spiders.items import Fetch


class EncodingCheckPipeline:
    """Decode archived article HTML (pipelines.extract.encoding) and count pages that still decode badly."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item: Fetch) -> Fetch:
        if item.kind != "article" or item.outcome != "ok" or item.body is None:
            return item
        dec = decode_html(item.body, item.content_type, hint=self.crawler.spider.source.encoding)
        item.encoding, item.mojibake = dec.encoding, dec.is_mojibake
        stats = self.crawler.stats
        stats.inc_value(f"newsarchive/encoding/{dec.encoding}")
        if dec.is_mojibake:
            stats.inc_value("newsarchive/mojibake_pages")
        return item


class ArchivePipeline:
    """Write the fetch to the run's WARC segment and crawl log (spiders.recorder)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item: Fetch) -> Fetch:
        self.crawler.spider.recorder.write(item)
        return item
