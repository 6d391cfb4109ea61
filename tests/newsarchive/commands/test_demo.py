"""`newsarchive demo` (what `make demo` runs): the whole job on the replay, and what it prints."""
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from replay import Replay
from pipelines.storage import Store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    store = tmp_path_factory.mktemp("demo") / "data"
    p = subprocess.run([sys.executable, "-m", "newsarchive.cli", "demo", "--store", str(store)],
                       capture_output=True, text=True, timeout=600, env={"COLUMNS": "120", **__import__("os").environ})
    return p, Store(str(store))


def test_demo_exits_0_and_prints_what_it_archived(demo):
    p, _ = demo
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    out = p.stdout
    for section in ("What was archived", "Seed stories", "Most syndicated stories", "Rejects by stage and reason",
                    "run report:"):
        assert section in out, section


def test_every_seed_source_has_articles_and_seed_stories_are_archived_once(demo):
    _, store = demo
    from newsarchive.views import connect_views
    con = connect_views(store)
    per_source = dict(con.execute("SELECT source, count(*) FROM sightings GROUP BY source").fetchall())
    assert set(per_source) == {"stdaily", "bbtnews", "bjnews", "ce", "finews", "btchangqing"}
    with Replay() as r:
        seeds = {s: {urlsplit(u).path for u in r.seed_urls(s)} for s in ("000", "001", "002", "003", "004")}
    rows = con.execute("SELECT url, content_hash, is_new FROM sightings").fetchall()
    for seed, paths in seeds.items():
        seen = [(h, new) for url, h, new in rows if urlsplit(url).path in paths]
        assert len(seen) >= 2, f"seed {seed} seen {len(seen)} times"
        if seed != "003":  # 003's repost is censored (***): a near-duplicate, its own content in the same cluster
            assert len({h for h, _ in seen}) == 1 and sum(new for _, new in seen) == 1, (seed, seen)


def test_second_round_adds_the_new_articles_and_new_versions_of_the_updated_ones(demo):
    """Round 2 archives the 3 articles the replay published, and re-fetches recent ones conditionally:
    the two that changed (``updated``, ``updated_twice``) become new versions, the rest answer 304."""
    _, store = demo
    from newsarchive.views import connect_views
    con = connect_views(store)
    (articles, dups), = con.execute("SELECT articles, exact_duplicates FROM batches "
                                    "WHERE CAST(dt AS VARCHAR) = '2022-07-29'").fetchall()
    assert articles == 5 and dups == 0
    versions = con.execute("""SELECT url FROM articles WHERE CAST(dt AS VARCHAR) = '2022-07-29' AND article_id IN
                              (SELECT article_id FROM articles WHERE CAST(dt AS VARCHAR) = '2022-07-28')""").fetchall()
    with Replay() as r:
        updated = {urlsplit(r.hard_cases[n]).path for n in ("updated", "updated_twice")}
    assert {urlsplit(u).path for u, in versions} == updated
