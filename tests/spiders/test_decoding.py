"""Bounded content decoding: one decoder (pipelines.capture.raw.decode_content) for the crawler and for stage.

Memory is measured, never time: tracemalloc around the decoder, and the peak RSS of a stage
subprocess reading a WARC that holds a decompression bomb archived as ``ok`` (a crawl from before
the crawler decoded ``gzip, identity``).
"""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
import tracemalloc
import zlib
from datetime import datetime, timezone

import brotli
import pytest
from scrapy.http import HtmlResponse, Request, Response

from replay.hardhttp import gzip_bomb
from pipelines.capture.raw import (BadContentEncoding, ContentTooLarge, content_codings, decode_content,
                           iter_fetch_failures, iter_raw_pages)
from spiders.middlewares import ATTEMPT, Attempt, ContentDecodingMiddleware
from spiders.outcome import BadContent
from spiders.warc import Exchange, SegmentedWarc, SegmentPolicy
from tests.spiders.replaytools import ROOT

HTML = "<!DOCTYPE html><html><body><p>科技日报记者报道</p></body></html>".encode()
MIB = 1024 * 1024


def _zstd(data: bytes) -> bytes:
    from backports import zstd
    return zstd.compress(data)


@pytest.mark.parametrize("header,encode", [
    ("gzip", gzip.compress), ("x-gzip", gzip.compress), ("deflate", zlib.compress),
    ("deflate", lambda b: zlib.compress(b)[2:-4]),                  # raw deflate, as some servers send
    ("br", brotli.compress), ("zstd", _zstd),
    ("gzip, identity", gzip.compress), ("identity, gzip", gzip.compress), ("Identity", lambda b: b),
    ("gzip, gzip", lambda b: gzip.compress(gzip.compress(b))),
    ("deflate, br", lambda b: brotli.compress(zlib.compress(b))),
    ("gzip", lambda b: gzip.compress(b[:20]) + gzip.compress(b[20:])),   # two gzip members
])
def test_every_coding_and_stack_decodes(header, encode):
    assert decode_content(encode(HTML), header) == HTML


def test_a_stream_cut_short_yields_what_it_holds():
    body = gzip.compress(HTML * 50)
    out = decode_content(body[: len(body) // 2], "gzip")
    assert 0 < len(out) < len(HTML * 50) and (HTML * 50).startswith(out)


@pytest.mark.parametrize("header,body", [
    ("compress", zlib.compress(HTML)), ("gzip, x-snappy", gzip.compress(HTML)),
    ("gzip, gzip, gzip, gzip", gzip.compress(HTML)), ("gzip", b"not gzip at all"), ("br", b"\xff" * 40),
], ids=["compress", "unknown coding", "more codings than the body", "gzip of no gzip", "br of no br"])
def test_undecodable_codings_are_bad_encoding(header, body):
    with pytest.raises(BadContentEncoding):
        decode_content(body, header)


def test_content_codings_order_and_limits():
    assert content_codings("gzip, identity") == ["gzip"]
    assert content_codings(" BR ,gzip") == ["br", "gzip"]
    assert content_codings(None) == content_codings("") == []


@pytest.mark.parametrize("header,make", [
    ("gzip, identity", lambda: gzip_bomb(256 * MIB)),
    ("gzip, gzip", lambda: gzip.compress(gzip_bomb(256 * MIB))),
    ("deflate", lambda: zlib.compress(b" " * (64 * MIB), 1)),
    ("br", lambda: brotli.compress(b" " * (64 * MIB), quality=1)),
    ("zstd", lambda: _zstd(b" " * (64 * MIB))),
])
def test_bombs_stop_at_the_limit_with_bounded_memory(header, make):
    bomb = make()
    assert len(bomb) < 2 * MIB
    tracemalloc.start()
    try:
        with pytest.raises(ContentTooLarge):
            decode_content(bomb, header, 4 * MIB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 12 * MIB, f"{header}: {peak / MIB:.1f} MiB for a 4 MiB limit"


# ------------------------------------------------------------------ the crawler's middleware
def _mw(spider_factory, maxsize=256 * 1024):
    spider = spider_factory("btchangqing")
    spider.crawler.settings.frozen = False
    spider.crawler.settings.set("DOWNLOAD_MAXSIZE", maxsize)
    return spider, ContentDecodingMiddleware.from_crawler(spider.crawler)


def test_middleware_decodes_stacked_codings_and_refuses_bombs(spider_factory):
    spider, mw = _mw(spider_factory)
    req = Request("https://www.btchangqing.cn/390603.html")
    raw = Response(req.url, body=gzip.compress(gzip.compress(HTML)), request=req,
                   headers={"Content-Encoding": "gzip, gzip", "Content-Type": "text/html; charset=utf-8"})
    out = mw.process_response(req, raw)
    assert isinstance(out, HtmlResponse) and out.body == HTML and b"Content-Encoding" not in out.headers
    for header, body, reason in (("gzip, identity", gzip_bomb(), "too_large"),
                                 ("compress", zlib.compress(HTML), "bad_encoding")):
        resp = Response(req.url, body=body, request=req, headers={"Content-Encoding": header})
        with pytest.raises(BadContent) as e:
            mw.process_response(req, resp)
        assert e.value.reason == reason
    head = Request(req.url, method="HEAD")
    resp = Response(req.url, body=b"", request=head, headers={"Content-Encoding": "gzip"})
    assert mw.process_response(head, resp) is resp


def test_a_bomb_is_a_too_large_line_with_the_raw_exchange(spider_factory):
    from twisted.python.failure import Failure
    spider, mw = _mw(spider_factory)
    req = spider.article("https://www.btchangqing.cn/390601.html", {"via": "listing"})
    ex = Exchange(req.url, 200, [], [("Content-Encoding", "gzip, identity")], gzip_bomb(), datetime.now(timezone.utc))
    req.meta[ATTEMPT] = Attempt(req.url, ex.fetched_at, exchange=ex, status=200)
    with pytest.raises(BadContent) as e:
        mw.process_response(req, Response(req.url, body=ex.body, request=req,
                                          headers={"Content-Encoding": "gzip, identity"}))
    failure = Failure(e.value)
    failure.request = req
    (f,) = spider.failed(failure)
    assert (f.outcome, f.status, f.final) == ("too_large", 200, True) and f.exchange is ex


# ------------------------------------------------------------------ stage: memory of iter_raw_pages
_STAGE = """
import json, resource, sys
from pipelines.capture.raw import iter_raw_pages
from pipelines.storage import Store
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
pages = [(p.url, len(p.body), p.hints.get("content_decode_error", "")) for p in iter_raw_pages(Store(sys.argv[1]), "btchangqing", "2022-07-28")]
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"pages": pages, "peak_growth_kib": after - before}))
"""


def test_stage_reads_an_archived_bomb_in_bounded_memory(tmp_path):
    """A 260 KB response inflating to 256 MiB, archived as ok under ``gzip, identity`` (as crawls did
    before the crawler decoded it): stage's peak RSS grows by less than 48 MiB, the page keeps its raw
    bytes and says why (extraction rejects it), and the ordinary page next to it decodes."""
    from pipelines.storage import Store
    store = Store(str(tmp_path / "store"))
    warc = SegmentedWarc("btchangqing", "2022-07-28", "cli__2022-07-28T080000", tmp_path / "w", SegmentPolicy(),
                         info={"software": "test"})
    (tmp_path / "w").mkdir()
    t = datetime(2022, 7, 28, tzinfo=timezone.utc)
    seg = warc.segment()
    bomb = gzip_bomb(256 * MIB)
    for url, body, coding in (("http://www.btchangqing.cn/390601.html", bomb, "gzip, identity"),
                              ("http://www.btchangqing.cn/1.html", gzip.compress(HTML), "gzip")):
        off = seg.write_exchange(Exchange(url, 200, [("Host", "x")], [("Content-Type", "text/html"),
                                                                      ("Content-Encoding", coding)], body, t))
        seg.write_log({"url": url, "kind": "article", "outcome": "ok", "status": 200, "final": True,
                       "fetched_at": t.isoformat(), "run": "cli__2022-07-28T080000", "warc": seg.warc_rel,
                       "offset": off})
    warc.rotate().commit(store, "btchangqing")
    p = subprocess.run([sys.executable, "-c", _STAGE, store.uri], capture_output=True, text=True, cwd=ROOT,
                       timeout=300)
    assert p.returncode == 0, p.stderr[-2000:]
    out = json.loads(p.stdout.strip().splitlines()[-1])
    (bomb_url, bomb_len, why), (ok_url, ok_len, ok_why) = out["pages"]
    assert bomb_len == len(bomb) and why.startswith("too_large: gzip: more than 8388608 bytes decoded")
    assert (ok_len, ok_why) == (len(HTML), "")
    assert out["peak_growth_kib"] < 48 * 1024, out
    assert list(iter_fetch_failures(store, "btchangqing", "2022-07-28")) == []


def test_stage_decodes_no_more_than_the_crawler_did(tmp_path, local_store):
    """``body_bytes`` of the crawl-log line bounds stage's decoding of that record."""
    warc = SegmentedWarc("ce", "2022-07-28", "r1", tmp_path, SegmentPolicy(), info={})
    seg = warc.segment()
    t = datetime(2022, 7, 28, tzinfo=timezone.utc)
    off = seg.write_exchange(Exchange("http://www.ce.cn/1.shtml", 200, [], [("Content-Encoding", "gzip")],
                                      gzip.compress(HTML * 10), t))
    seg.write_log({"url": "http://www.ce.cn/1.shtml", "kind": "article", "outcome": "ok", "status": 200,
                   "final": True, "fetched_at": t.isoformat(), "run": "r1", "warc": seg.warc_rel, "offset": off,
                   "body_bytes": len(HTML)})
    warc.rotate().commit(local_store, "ce")
    (page,) = iter_raw_pages(local_store, "ce", "2022-07-28")
    assert page.hints["content_decode_error"].startswith("too_large")
