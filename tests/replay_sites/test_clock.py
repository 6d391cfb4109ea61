"""The replay clock: new articles appear between two crawls, and only those."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from lxml import etree

from replay import DEFAULT_CLOCK, Replay
from replay.model import TZ

from .conftest import links


def test_advance_publishes_exactly_n_new_articles(fresh, http):
    before = {a.url for a in fresh.articles(channel="web")}
    new = fresh.advance(days=1, articles=3)
    assert len(new) == 3 and not set(new) & before
    assert fresh.clock == DEFAULT_CLOCK + timedelta(days=1)
    after = {a.url for a in fresh.articles(channel="web")}
    assert after - before == set(new)
    recs = {a.url: a for a in fresh.articles()}
    assert len({recs[u].source for u in new}) == 3
    for u in new:
        rec = recs[u]
        assert DEFAULT_CLOCK < rec.published <= fresh.clock
        assert http.get(u).status_code == 200
        src = fresh.config.get(rec.source)
        assert src.is_article_url(u)
        listing = " ".join(http.get(lst.url).text for lst in src.discovery.listings)
        assert u.split("/", 3)[3] in listing      # on page 1 of its listing (maybe via the mobile host)


def test_advance_is_deterministic_and_rotates_sources():
    with Replay() as a, Replay() as b:
        ua = a.advance(1, 4) + a.advance(1, 4)
        ub = b.advance(1, 4) + b.advance(1, 4)
        assert [x.split("/", 3)[3] for x in ua] == [x.split("/", 3)[3] for x in ub]
        sources = Counter(a.world.host_source[a.real_host(u)] for u in ua)
        assert set(sources) == set(a.config.ids())


def test_future_articles_are_invisible_until_the_clock_reaches_them(fresh, http):
    new = fresh.advance(days=1, articles=2)
    fresh.set_clock(DEFAULT_CLOCK)
    for u in new:
        assert http.get(u).status_code == 404
    assert not set(new) & {a.url for a in fresh.articles()}
    fresh.set_clock(DEFAULT_CLOCK + timedelta(days=1))
    assert all(http.get(u).status_code == 200 for u in new)


def test_earlier_clock_hides_corpus_articles(http):
    with Replay(clock="2022-07-20T00:00:00") as r:
        assert r.clock == datetime(2022, 7, 20, tzinfo=TZ)
        assert all(a.published <= r.clock for a in r.articles())
        feed = etree.fromstring(http.get(r.config.get("btchangqing").discovery.feeds[0]).content)
        dates = [parsedate_to_datetime(d.text) for d in feed.iter("pubDate")]
        assert dates and max(dates) <= r.clock
        assert len(r.articles()) < 100


def test_epaper_of_the_next_day_appears_after_advance(fresh, http):
    """Print twins of the new web articles appear in the next day's edition, reachable from its index."""
    before = {a.url for a in fresh.articles(channel="epaper")}
    fresh.advance(days=2, articles=6)
    new = [a for a in fresh.articles(channel="epaper") if a.url not in before]
    assert new and all(a.published.date() > DEFAULT_CLOCK.date() for a in new)
    for a in new:
        index = fresh.config.get(a.source).discovery.archive.index.format(date=a.published.date())
        nodes = [u for u in links(http.get(index).text) if "node_" in u]
        assert any(a.url in links(http.get(n).text) for n in nodes), a.url


def test_request_log_records_every_request(fresh, http):
    fresh.clear_log()
    url = fresh.articles("stdaily", "web")[0].url
    http.get(url, headers={"If-None-Match": '"x"'})
    http.get(fresh.url("hm.baidu.com", "/hm.js?x"))
    log = fresh.request_log
    assert [e.kind for e in log] == ["article", "foreign"]
    e = log[0]
    assert (e.host, e.method, e.status, e.source) == ("www.stdaily.com", "GET", 200, "stdaily")
    assert e.path == "/" + url.split("/", 3)[3] and e.headers["If-None-Match"] == '"x"'
    assert e.user_agent == "newsarchive-replay-tests"
    assert fresh.requests_to("hm.baidu.com")[0].kind == "foreign"
    assert fresh.requests_to("stdaily") == [e] == fresh.requests_to(url.split("/")[2])
    fresh.clear_log()
    assert fresh.request_log == []


def test_break_and_fix_a_source(fresh, http):
    rec = next(a for a in fresh.articles("bbtnews", "web") if a.hard_case is None)
    fresh.break_source("bbtnews", "empty_bodies")
    broken = http.get(rec.url).text
    assert "article-share" in broken and rec.paragraphs[1] not in broken
    fresh.fix_source("bbtnews")
    assert rec.paragraphs[1] in http.get(rec.url).text
    fresh.break_source("bbtnews", "server_error")
    assert http.get(rec.url).status_code == 503


def test_a_config_with_fewer_sources(http):
    from pipelines.config import SourcesConfig, load_sources
    full = load_sources()
    two = SourcesConfig(defaults=full.defaults, sources=[full.get("bjnews"), full.get("finews")])
    with Replay(config=two) as r:
        assert r.config.ids() == ["bjnews", "finews"] and {a.source for a in r.articles()} == {"bjnews", "finews"}
        assert "www.stdaily.com" not in r.host_map
        assert set(r.hard_cases) == {"mobile_link", "conditional", "updated_twice", "aggregator_first"}
        assert all(http.get(a.url).status_code == 200 for a in r.articles()[:5])
