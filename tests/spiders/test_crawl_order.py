"""An aggregator crawled before the original outlet: the copy names its origin whatever the crawl order."""
from __future__ import annotations

import pytest

from replay import AGGREGATOR_FIRST_CLOCK, DEFAULT_CLOCK, Replay
from pipelines.extract import extract
from pipelines.capture.raw import iter_raw_pages
from pipelines.storage import Store
from pipelines.extract.syndication import Outlets
from tests.spiders.replaytools import crawl, tuned, write_config

pytestmark = pytest.mark.slow


def test_an_aggregator_copy_crawled_on_an_earlier_clock_than_the_original(tmp_path):
    with Replay(clock=AGGREGATOR_FIRST_CLOCK) as r:
        path = write_config(tuned(r.config), tmp_path / "sources.yaml")
        store = Store(str(tmp_path / "store"))
        copy = r.hard_cases["aggregator_first"]
        code, summary, err = crawl("finews", store.uri, path, day="2021-12-31")
        assert code == 0, err[-2000:]
        (page,) = iter_raw_pages(store, "finews", "2021-12-31")
        assert page.url == copy and not r.requests_to("stdaily")
        r.set_clock(DEFAULT_CLOCK)
        code, summary, err = crawl("stdaily", store.uri, path)
        assert code == 0, err[-2000:]
        story = next(a.story for a in r.articles("finews") if a.url == copy)
        original = next(a.url for a in r.articles("stdaily", "web") if a.story == story)
        (first,) = [p for p in iter_raw_pages(store, "stdaily", "2022-07-28") if p.url == original]
        outlets = Outlets(r.config.sources)
        a = extract(page, r.config.get("finews"), outlets=outlets)
        b = extract(first, r.config.get("stdaily"), outlets=outlets)
        assert a.fetched_at < b.fetched_at and a.content_hash == b.content_hash
        assert (a.syndicated_from, a.syndicated_from_source) == ("科技日报", "stdaily")
        assert (b.syndicated_from, b.syndicated_from_source) == (None, None)   # 来源：科技日报 is its own outlet
        assert a.published_at.replace(second=0) == b.published_at   # 科技日报 shows the minute only
