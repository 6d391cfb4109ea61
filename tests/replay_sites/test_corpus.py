"""The replay corpus: deterministic, shaped like the configured sources, seeds placed as in reality."""
from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta
from itertools import combinations

from replay import DEFAULT_CLOCK
from replay.corpus import Corpus
from pipelines.dedupe.normalize import content_hash, normalize_for_hash


def _shingles(text: str, k: int = 5) -> set[str]:
    t = normalize_for_hash(text)
    return {t[i:i + k] for i in range(len(t) - k + 1)}


def _jaccard(a: str, b: str) -> float:
    x, y = _shingles(a), _shingles(b)
    return len(x & y) / len(x | y)


def test_corpus_is_deterministic():
    a, b = Corpus(1), Corpus(1)
    assert [(p.host, p.path, p.title, p.paragraphs, p.published) for p in a.posts] == \
           [(p.host, p.path, p.title, p.paragraphs, p.published) for p in b.posts]
    assert len({(p.host, p.path) for p in a.posts}) == len(a.posts), "two posts share a URL"


def test_every_source_has_10_to_25_articles_over_about_three_weeks(replay):
    web = [r for r in replay.articles(channel="web") if r.seed is None and r.hard_case is None]
    per_source = Counter(r.source for r in web)
    assert set(per_source) == set(replay.config.ids())
    assert all(10 <= n <= 25 for n in per_source.values()), per_source
    days = {r.published.date() for r in web}
    assert max(days) - min(days) >= timedelta(days=18)
    assert all(r.published <= replay.clock for r in replay.articles())


def test_article_urls_match_the_source_patterns(replay):
    for r in replay.articles():
        src = replay.config.get(r.source)
        assert src.is_article_url(r.url), r.url
        assert src.allows_host(r.url), r.url
        if r.channel == "epaper":
            assert re.search(src.discovery.archive.article_pattern, "/" + r.url.split("/", 3)[3]), r.url


def test_archive_index_template_is_the_first_epaper_page(replay):
    for sid in ("stdaily", "bbtnews", "bjnews", "ce"):
        src = replay.config.get(sid)
        day = next(r.published.date() for r in replay.articles(sid, "epaper"))
        index = src.discovery.archive.index.format(date=day)
        path = "/" + index.split("/", 3)[3]
        assert re.search(src.discovery.archive.follow_pattern, path), (sid, path)
        assert ("epaper_node", (sid, day, 1)) == replay.world.snapshot.routes[(replay.real_host(index), path)]


def test_seed_dates_and_placement(replay):
    want = {"000": ({"stdaily", "finews"}, datetime(2022, 4, 17, 18, 8, 38)),
            "002": ({"bbtnews", "finews"}, datetime(2022, 6, 13, 13, 51, 16)),
            "004": ({"stdaily", "finews"}, datetime(2021, 12, 31, 14, 13, 7)),
            "003": ({"ce", "btchangqing"}, datetime(2021, 7, 14, 12, 54, 7)),
            "001": ({"bjnews"}, datetime(2022, 7, 27, 7, 45, 12))}
    for seed, (sources, when) in want.items():
        recs = [r for r in replay.articles() if r.seed == seed]
        assert {r.source for r in recs} == sources, seed
        assert any(r.published.replace(tzinfo=None) == when for r in recs), seed
        assert all(r.published.utcoffset() == timedelta(hours=8) for r in recs)
    bt = next(r for r in replay.articles("btchangqing") if r.seed == "003")
    assert bt.url.endswith("/299537.html")
    ep = next(r for r in replay.articles("bjnews", "epaper") if r.seed == "001")
    assert ep.published.date() == date(2022, 7, 27) and ep.authors == ("徐美慧",)


def test_syndicated_copies_hash_alike(replay):
    """Full-width vs half-width and 来源/返回 lines do not change the normalized text."""
    for seed in ("000", "002", "004", "001"):
        hashes = {content_hash(r.body) for r in replay.articles() if r.seed == seed}
        assert len(hashes) == 1, seed
    bt, ce = sorted((r for r in replay.articles() if r.seed == "003"), key=lambda r: r.source)
    assert "***" in bt.body and "*" not in ce.body and "，" in ce.body and "，" not in bt.body
    assert 0.6 < _jaccard(ce.body, bt.body) < 1


def test_synthetic_stories_do_not_look_alike(replay):
    """Distinct stories must stay well below any near-duplicate threshold; near-miss pairs too."""
    firsts = {}
    for r in replay.articles(channel="web"):
        firsts.setdefault(r.story, r)
    recs = [r for r in firsts.values() if r.seed is None]
    worst = max(_jaccard(a.body, b.body) for a, b in combinations(recs, 2)
                if not (a.near_miss_of and b.near_miss_of))   # all 公示 notices share a template
    assert worst < 0.35, worst
    pairs = replay.near_miss_pairs
    assert len(pairs) >= 2
    by_url = {r.url: r for r in replay.articles()}
    for a, b in pairs:
        ra, rb = by_url[a], by_url[b]
        assert ra.source == rb.source and ra.title != rb.title
        assert 0.25 < _jaccard(ra.body, rb.body) < 0.7


def test_ce_pages_other_than_the_gb18030_case_fit_gbk(replay):
    for r in replay.articles("ce"):
        text = r.title + r.body
        if r.hard_case == "gb2312_gb18030":
            assert "䶮" in text
            continue
        text.encode("gbk")   # raises if a character is outside GBK


def test_default_clock_is_after_everything():
    c = Corpus(1)
    assert max(p.published for p in c.posts if p.channel == "web") < DEFAULT_CLOCK


def test_scale_multiplies_the_synthetic_corpus(http):
    from replay import Replay
    with Replay(scale=4) as big:
        small = Corpus(1)
        n_small = sum(1 for p in small.posts if p.channel == "web" and p.seed is None and not p.hard_case)
        recs = big.articles(channel="web")
        n_big = sum(1 for r in recs if r.seed is None and not r.hard_case)
        assert 3.5 * n_small <= n_big <= 4.5 * n_small
        assert len({r.url for r in recs}) == len(recs)
        for r in recs[::40]:
            assert big.config.get(r.source).is_article_url(r.url)
            assert http.get(r.url).status_code == 200


def test_hard_case_outcomes_use_the_crawl_log_vocabulary(replay):
    outcomes = {"ok", "not_modified", "http_error", "timeout", "connection_error", "too_large", "bad_encoding",
                "redirect_loop", "not_html", "robots_disallowed", "offsite", "url_too_long", "sitemap_too_deep"}
    for c in replay.hard_case_info.values():
        assert c.outcome in outcomes and c.expect in {"archived", "archived_twice", "archived_thrice", "rejected",
                                                      "never_requested", "bounded"}
