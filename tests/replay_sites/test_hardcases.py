"""Every hard case exists, is linked where a crawler finds it, and behaves as documented."""
from __future__ import annotations

import http.client
import threading
import time
from email.utils import format_datetime
from urllib.parse import urlsplit

import pytest
import requests
from protego import Protego

from replay import Replay
from pipelines.extract.encoding import decode_html

from .conftest import links


def _listing_links(replay, http, sid="btchangqing") -> list[str]:
    return links(http.get(replay.config.get(sid).discovery.listings[0].url).text)


def test_every_documented_hard_case_has_a_url(replay):
    want = {"not_found", "retry_500", "retry_429", "redirect_loop", "slow", "pdf", "oversized", "oversized_chunked",
            "truncated_length", "truncated_html", "robots_disallowed", "offsite", "updated", "gbk_meta_only",
            "gb2312_gb18030", "mobile_link", "tracking_link", "conditional",
            # issue 17: hostile encodings, links and redirects (sidebar), hostile sitemaps (configured by tests)
            "bomb_gzip_identity", "bomb_stacked", "stacked_gzip", "unknown_encoding", "redirect_offsite",
            "long_url", "ipv6_link", "userinfo_link", "sitemap_loop", "sitemap_deep", "sitemap_flood",
            # issue 14: revisions, dates and syndication
            "updated_twice", "lastmod_later", "info_bar_source", "aggregator_first"}
    assert want == set(replay.hard_cases) == set(replay.hard_case_info)
    assert {c.source for c in replay.hard_case_info.values()} <= {"btchangqing", "ce", "bjnews", "bbtnews", "stdaily",
                                                                  "finews"}


def test_http_hard_cases_are_linked_from_the_listing(replay, http):
    found = set(_listing_links(replay, http))
    for name, info in replay.hard_case_info.items():
        if info.source == "btchangqing" and info.expect != "bounded":
            assert replay.hard_cases[name] in found, name
        elif info.expect == "bounded":   # hostile sitemaps: linked from nowhere, a test configures them
            assert replay.hard_cases[name] not in found and not any("wp-sitemap-" in u for u in found), name


def test_not_found(replay, http):
    assert http.get(replay.hard_cases["not_found"]).status_code == 404


def test_500_then_success_on_retry(fresh, http):
    url = fresh.hard_cases["retry_500"]
    assert http.get(url).status_code == 500
    r = http.get(url)
    assert r.status_code == 200 and "温馨提示" in r.text
    assert url in {a.url for a in fresh.articles("btchangqing")}


def test_429_with_retry_after_then_success(fresh, http):
    url = fresh.hard_cases["retry_429"]
    first = http.get(url)
    assert first.status_code == 429 and first.headers["Retry-After"] == "1"
    assert http.get(url).status_code == 200
    fresh.reset_hard_cases()
    assert http.get(url).status_code == 429


def test_redirect_loop(replay, http):
    url = replay.hard_cases["redirect_loop"]
    first = http.get(url, allow_redirects=False)
    assert first.status_code == 302 and first.headers["Location"] != url
    assert http.get(first.headers["Location"], allow_redirects=False).headers["Location"] == url
    with pytest.raises(requests.TooManyRedirects):
        http.get(url)


def test_slow_page_times_out_and_does_not_block_stop():
    r = Replay(slow_seconds=30).start()
    url = r.hard_cases["slow"]
    with pytest.raises(requests.ReadTimeout):
        requests.get(url, timeout=0.5)
    def wait_for_page():
        with pytest.raises(requests.ConnectionError):   # the stopping replay drops the connection
            requests.get(url, timeout=60)

    waiter = threading.Thread(target=wait_for_page, daemon=True)
    waiter.start()
    time.sleep(0.2)
    t0 = time.monotonic()
    r.stop()
    waiter.join(timeout=5)
    assert time.monotonic() - t0 < 3 and not waiter.is_alive()


def test_pdf_where_html_was_expected(replay, http):
    url = replay.hard_cases["pdf"]
    assert replay.config.get("btchangqing").is_article_url(url)
    r = http.get(url)
    assert r.headers["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF-")


def test_oversized_page_with_content_length(replay, http):
    r = http.get(replay.hard_cases["oversized"], stream=True)
    assert int(r.headers["Content-Length"]) > 10 * 1024 * 1024
    assert sum(len(c) for c in r.iter_content(1 << 20)) == int(r.headers["Content-Length"])


def test_oversized_page_chunked(replay, http):
    r = http.get(replay.hard_cases["oversized_chunked"], stream=True)
    assert "Content-Length" not in r.headers and r.headers["Transfer-Encoding"] == "chunked"
    first = next(r.iter_content(1 << 20))
    assert first.startswith(b"<!DOCTYPE html>")
    r.close()   # a crawler stops reading at its limit; the replay must cope


def test_truncated_content_length(replay):
    p = urlsplit(replay.hard_cases["truncated_length"])
    conn = http.client.HTTPConnection(p.hostname, p.port, timeout=5)
    conn.request("GET", p.path)
    resp = conn.getresponse()
    assert resp.status == 200
    with pytest.raises(http.client.IncompleteRead):
        resp.read()
    conn.close()


def test_truncated_html_cut_mid_tag(replay, http):
    r = http.get(replay.hard_cases["truncated_html"])
    assert r.status_code == 200 and len(r.content) == int(r.headers["Content-Length"])
    assert r.content.endswith(b"<p") and b"</html>" not in r.content


def test_robots_disallows_an_article_linked_from_the_listing(replay, http):
    url = replay.hard_cases["robots_disallowed"]
    rp = Protego.parse(http.get(replay.url("www.btchangqing.cn", "/robots.txt")).text)
    assert not rp.can_fetch(url, "newsarchive/0.1")
    assert rp.can_fetch(replay.articles("btchangqing")[-1].url, "newsarchive/0.1")
    assert replay.config.get("btchangqing").is_article_url(url) and url in _listing_links(replay, http)


def test_offsite_link_goes_to_a_foreign_host(replay, http):
    url = replay.hard_cases["offsite"]
    assert not any(s.allows_host(url) for s in replay.config.sources)
    assert replay.real_host(url) in replay.foreign_hosts
    finews = next(a for a in replay.articles("finews") if a.seed == "000")
    share = [u for u in links(http.get(finews.url).text) if "NewsShare" in u]
    assert share and replay.real_host(share[0]) == "finews.zning.xyz"


def test_updated_article_changes_after_the_clock_passes(fresh, http):
    url = fresh.hard_cases["updated"]
    before = http.get(url)
    rec = next(a for a in fresh.articles() if a.url == url)
    assert not rec.is_update and "更新时间:2022年07月27日" in before.text
    new = fresh.advance(days=1, articles=0)
    assert new == []
    after = http.get(url)
    rec2 = next(a for a in fresh.articles() if a.url == url)
    assert rec2.is_update and rec2.modified > rec.modified and rec2.body != rec.body
    assert rec2.paragraphs[-1] in after.text and "更新时间:2022年07月28日" in after.text
    assert after.headers["ETag"] != before.headers["ETag"]
    assert after.headers["Last-Modified"] != before.headers["Last-Modified"]
    assert http.get(url, headers={"If-None-Match": before.headers["ETag"]}).status_code == 200


def test_an_article_updated_twice(fresh, http):
    from replay.hardcases import UPDATED_TWICE_AT
    url = fresh.hard_cases["updated_twice"]
    pages, etags = [], set()
    for clock in (None, "2022-07-28T12:00:00+08:00", "2022-07-28T21:00:00+08:00"):
        if clock:
            fresh.set_clock(clock)
        r = http.get(url)
        rec = next(a for a in fresh.articles() if a.url == url)
        assert rec.paragraphs[-1] in r.text
        pages.append((rec.body, rec.modified))
        etags.add(r.headers["ETag"])
    assert len({b for b, _ in pages}) == len(etags) == 3
    assert [m for _, m in pages][1:] == list(UPDATED_TWICE_AT)
    assert f'"dateModified": "{UPDATED_TWICE_AT[1].isoformat()}"' in r.text


def test_a_sitemap_lastmod_later_than_the_date_on_the_page(replay, http):
    from replay.hardcases import LASTMOD_AT, LASTMOD_PUBLISHED
    url = replay.hard_cases["lastmod_later"]
    page = http.get(url).text
    sitemap = http.get(replay.config.get("stdaily").discovery.sitemaps[0]).text
    assert f"{LASTMOD_PUBLISHED:%Y-%m-%d %H:%M}" in page and LASTMOD_AT.isoformat() not in page
    assert f"<loc>{url}</loc><lastmod>{LASTMOD_AT.isoformat()}</lastmod>" in sitemap
    rec = next(a for a in replay.articles() if a.url == url)
    assert (rec.published, rec.modified, rec.is_update) == (LASTMOD_PUBLISHED, LASTMOD_AT, True)


def test_the_info_bar_names_the_original_outlet_or_the_pages_own(replay, http):
    copy = http.get(replay.hard_cases["info_bar_source"]).content.decode("gb18030")
    assert '<span id="articleSource">来源：科技日报</span>' in copy
    own = next(a for a in replay.articles("ce") if a.syndicated_from is None and a.hard_case is None)
    assert '<span id="articleSource">来源：经济日报</span>' in http.get(own.url).content.decode("gb18030")
    std = next(a for a in replay.articles("stdaily") if a.hard_case is None)
    assert "<span>来源：科技日报</span>" in http.get(std.url).text


def test_editor_lines_name_the_editors_of_the_ground_truth(replay, http):
    bj = next(a for a in replay.articles("bjnews", "web") if a.editors)
    assert len(bj.editors) == 2 and f"编辑 {bj.editors[0]} 校对 {bj.editors[1]}" in http.get(bj.url).text
    for sid, line in (("stdaily", "责任编辑：{}"), ("bbtnews", "（责任编辑：{}）"), ("ce", "(责任编辑：{})")):
        rec = next(a for a in replay.articles(sid, "web") if a.editors)
        page = http.get(rec.url).content.decode("gb18030" if sid == "ce" else "utf-8")
        assert line.format(rec.editors[0]) in page and not set(rec.editors) & set(rec.authors)
    assert not any(a.editors for a in replay.articles(channel="epaper"))


def test_an_aggregator_copy_online_before_the_original(http):
    from replay import AGGREGATOR_FIRST_APPEARS, AGGREGATOR_FIRST_CLOCK, DEFAULT_CLOCK
    with Replay(clock=AGGREGATOR_FIRST_CLOCK) as r:
        copy = r.hard_cases["aggregator_first"]
        original = next(a for a in r.world.corpus.posts if a.seed == "004" and a.source == "stdaily"
                        and a.channel == "web")
        original_url = r.url(original.host, original.path)
        assert [a.url for a in r.articles("finews")] == [copy] and not r.articles("stdaily", "web")
        assert http.get(copy).status_code == 200 and http.get(original_url).status_code == 404
        listing = http.get(r.config.get("finews").discovery.listings[0].url).text
        assert copy in listing and original_url not in http.get(r.config.get("stdaily").discovery.sitemaps[0]).text
        r.set_clock(AGGREGATOR_FIRST_APPEARS)
        assert http.get(original_url).status_code == 200
        rec = next(a for a in r.articles("stdaily") if a.url == original_url)
        fin = next(a for a in r.articles("finews") if a.url == copy)
        assert rec.published == fin.published and rec.story == fin.story and fin.syndicated_from == "科技日报"
        r.set_clock(DEFAULT_CLOCK)
        assert original_url in {a.url for a in r.articles("stdaily")}


def test_gbk_page_with_charset_only_in_meta(replay, http):
    r = http.get(replay.hard_cases["gbk_meta_only"])
    assert r.headers["Content-Type"] == "text/html"
    assert b'<meta http-equiv="Content-Type" content="text/html; charset=gbk">' in r.content
    rec = next(a for a in replay.articles("ce") if a.hard_case == "gbk_meta_only")
    decoded = decode_html(r.content, r.headers["Content-Type"])
    assert decoded.declared_by == "meta" and rec.paragraphs[0] in decoded.text


def test_gb2312_label_with_gb18030_only_characters(replay, http):
    r = http.get(replay.hard_cases["gb2312_gb18030"])
    assert r.headers["Content-Type"] == "text/html; charset=gb2312"
    for codec in ("gb2312", "gbk"):
        with pytest.raises(UnicodeDecodeError):
            r.content.decode(codec)
    text = r.content.decode("gb18030")
    assert all(ch in text for ch in "镕喆堃䶮")
    assert "䶮" in decode_html(r.content, r.headers["Content-Type"]).text


def test_conditional_requests(replay, http):
    url = replay.hard_cases["conditional"]
    r = http.get(url)
    etag, lm = r.headers["ETag"], r.headers["Last-Modified"]
    assert http.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert http.get(url, headers={"If-Modified-Since": lm}).status_code == 304
    assert http.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    assert http.get(url, headers={"If-Modified-Since": format_datetime(
        next(a for a in replay.articles() if a.url == url).published.replace(year=2020), usegmt=False)}).status_code == 200
    assert "ETag" not in http.get(replay.config.get("stdaily").discovery.listings[0].url).headers


def test_same_story_on_several_sites(replay, http):
    for seed, sources in (("000", {"stdaily", "finews"}), ("003", {"ce", "btchangqing"}), ("001", {"bjnews"})):
        urls = replay.seed_urls(seed)
        assert len(urls) >= 2 and {replay.world.host_source[replay.real_host(u)] for u in urls} == sources
    fin = next(a for a in replay.articles("finews") if a.seed == "000")
    page = http.get(fin.url).text
    assert "（文章来源：科技日报）" in page and "返回科技日报新闻</a>｜<a" in page
    assert fin.syndicated_from == "科技日报"


def _raw(http, url):
    r = http.get(url, stream=True, allow_redirects=False)
    return r, r.raw.read(decode_content=False)


def test_decompression_bombs_are_small_on_the_wire_and_huge_inflated(replay, http):
    import gzip
    import zlib
    from replay.hardhttp import BOMB_BYTES
    r, body = _raw(http, replay.hard_cases["bomb_gzip_identity"])
    assert r.headers["Content-Encoding"] == "gzip, identity" and len(body) < 100_000
    d = zlib.decompressobj(31)
    assert len(d.decompress(body, 16 << 20)) == 16 << 20            # still inflating at 16 MiB (of 64)
    r, body = _raw(http, replay.hard_cases["bomb_stacked"])
    inner = gzip.decompress(body)
    assert r.headers["Content-Encoding"] == "gzip, gzip" and len(body) < 4096 and inner[:2] == b"\x1f\x8b"
    assert BOMB_BYTES - (1 << 20) < len(gzip.decompress(inner)) <= BOMB_BYTES
    r, body = _raw(http, replay.hard_cases["stacked_gzip"])
    assert gzip.decompress(gzip.decompress(body)).startswith(b"<!DOCTYPE html>")
    r, body = _raw(http, replay.hard_cases["unknown_encoding"])
    assert r.headers["Content-Encoding"] == "compress" and not body.startswith(b"<")


def test_hostile_links_and_redirects(replay, http):
    long_url = replay.hard_cases["long_url"]
    assert len(long_url) > 2083 and replay.config.get("btchangqing").is_article_url(long_url)
    found = _listing_links(replay, http)
    assert replay.hard_cases["ipv6_link"] in found and "[::1]" in replay.hard_cases["ipv6_link"]
    user = replay.hard_cases["userinfo_link"]
    assert user in found and urlsplit(user).hostname == "127.0.0.1"
    assert replay.real_host(urlsplit(user).netloc.split("@")[1]) == "www.8btc.com"
    r = http.get(replay.hard_cases["redirect_offsite"], allow_redirects=False)
    assert r.status_code == 302 and replay.real_host(r.headers["Location"]) == "www.8btc.com"


def test_hostile_sitemaps(replay, http):
    from replay.hardcases import FLOOD_CHILDREN
    from spiders.entries import parse_sitemap
    from replay.model import TZ
    loop = replay.hard_cases["sitemap_loop"]
    assert loop in [e.url for e in parse_sitemap(http.get(loop).content, loop, TZ)]
    url = replay.hard_cases["sitemap_deep"]
    for _ in range(5):                      # every level lists the next one
        (child,) = parse_sitemap(http.get(url).content, url, TZ)
        assert child.is_sitemap and child.url != url
        url = child.url
    flood = replay.hard_cases["sitemap_flood"]
    children = parse_sitemap(http.get(flood).content, flood, TZ)
    assert len(children) == FLOOD_CHILDREN and all(c.is_sitemap for c in children)
    (art,) = parse_sitemap(http.get(children[-1].url).content, children[-1].url, TZ)
    assert not art.is_sitemap and http.get(art.url).status_code == 200


def test_robots_crawl_delay_knob(http):
    with Replay(crawl_delays={"www.ce.cn": 2.5}) as r:
        rp = Protego.parse(http.get(r.url("www.ce.cn", "/robots.txt")).text)
        assert rp.crawl_delay("newsarchive") == 2.5
        assert "Crawl-delay" not in http.get(r.url("www.stdaily.com", "/robots.txt")).text
