"""WARC segments written by spiders.warc and read back by pipelines.capture.raw (local folder and S3)."""
import gzip
from datetime import date, datetime, timezone

import pytest
from warcio.archiveiterator import ArchiveIterator

from pipelines.capture.raw import iter_fetch_failures, iter_log, iter_raw_pages, read_raw_page
from spiders.warc import Exchange, SegmentedWarc, SegmentPolicy

DT = date(2022, 7, 28)
T = datetime(2022, 7, 28, 0, 0, 1, 123000, tzinfo=timezone.utc)
HTML = "<html><head><meta charset=gbk><title>中文</title></head><body>科技日报</body></html>".encode("gbk")


def exchange(url, status=200, body=HTML, headers=None):
    return Exchange(url=url, status=status, request_headers=[("Host", "x.cn"), ("User-Agent", "newsarchive")],
                    response_headers=headers or [("Content-Type", "text/html")], body=body, fetched_at=T)


def line(url, kind="article", outcome="ok", status=200, final=True, **kw):
    return {"url": url, "kind": kind, "outcome": outcome, "status": status, "final": final,
            "fetched_at": T.isoformat(), "run": "cli__2022-07-28T080000", **kw}


def write(warc: SegmentedWarc, ex, ln):
    seg = warc.segment()
    off = seg.write_exchange(ex) if ex else None
    seg.write_log({**ln, "warc": seg.warc_rel if ex else None, "offset": off})
    return off


@pytest.fixture
def warc(tmp_path):
    return SegmentedWarc("ce", str(DT), "cli__2022-07-28T08:00:00", tmp_path, SegmentPolicy(max_records=4),
                         info={"software": "test"})


def test_pages_and_failures_round_trip(store, warc):
    gz = gzip.compress(HTML)
    write(warc, exchange("http://www.ce.cn/a/202207/27/t20220727_1.shtml", body=gz, headers=[
        ("Content-Type", "text/html"), ("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked"),
        ("ETag", '"e1"')]), line("http://www.ce.cn/a/202207/27/t20220727_1.shtml", hints={"title": "T"}))
    write(warc, exchange("http://www.ce.cn/x/1.shtml", status=500), line("http://www.ce.cn/x/1.shtml", outcome="http_error", status=500, final=False))
    first = warc.rotate_if_due()                                            # 4 records: rotate
    assert first is not None and warc.current is None
    write(warc, exchange("http://www.ce.cn/x/1.shtml", status=404), line("http://www.ce.cn/x/1.shtml", outcome="http_error", status=404))
    write(warc, None, line("http://www.ce.cn/slow.shtml", outcome="timeout", status=None, detail="took longer"))
    write(warc, None, line("http://www.ce.cn/private/1.shtml", outcome="robots_disallowed", status=None,
                           requested=False))
    write(warc, None, line("http://other.cn/1.shtml", outcome="offsite", status=None, requested=False))
    write(warc, exchange("http://www.ce.cn/robots.txt"), line("http://www.ce.cn/robots.txt", kind="robots", status=404, outcome="http_error"))
    warc.rotate().commit(store, "ce")
    assert list(iter_raw_pages(store, "ce", DT)) == []   # segment 1 is not committed yet: invisible
    first.commit(store, "ce")

    (page,) = iter_raw_pages(store, "ce", DT)
    assert page.body == HTML and page.status == 200 and page.source == "ce"
    assert page.url == "http://www.ce.cn/a/202207/27/t20220727_1.shtml"
    assert page.header("etag") == '"e1"' and page.header("content-encoding") is None
    assert page.hints == {"title": "T"} and page.run_id == "cli__2022-07-28T080000"
    assert page.fetched_at == T
    assert page.raw_ref.startswith("raw/source=ce/dt=2022-07-28/cli__2022-07-28T080000.warc.gz#")
    again = read_raw_page(store, page.raw_ref)
    assert (again.body, again.url, again.source) == (page.body, page.url, "ce")

    rejects = sorted(iter_fetch_failures(store, "ce", DT), key=lambda r: r.reason)
    # a robots-disallowed article is a reject; an off-site link found on a page is only logged
    assert [(r.reason, r.http_status, r.raw_ref is not None) for r in rejects] == [
        ("http_404", 404, True), ("robots_disallowed", None, False), ("timeout", None, False)]
    assert rejects[0].stage == "fetch" and rejects[2].detail == "[article] took longer"
    assert len(list(iter_log(store, "ce", DT))) == 7


def test_warc_is_standard(local_store, warc):
    write(warc, exchange("http://www.ce.cn/1.shtml"), line("http://www.ce.cn/1.shtml"))
    warc.rotate().commit(local_store, "ce")
    path = local_store.path("raw/source=ce/dt=2022-07-28/cli__2022-07-28T080000.warc.gz")
    with open(path, "rb") as f:
        recs = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in ArchiveIterator(f)]
    assert recs == [("warcinfo", None), ("response", "http://www.ce.cn/1.shtml"), ("request", "http://www.ce.cn/1.shtml")]
    with open(path, "rb") as f:
        assert f.read(2) == b"\x1f\x8b"


def test_bad_raw_ref(local_store):
    with pytest.raises(ValueError):
        read_raw_page(local_store, "raw/x.warc.gz")
