"""Syndication you can trust (issue 14): every story is presented through its original outlet's copy
whatever the crawl order, every copy keeps its own metadata, updates are versions, and the analyst
recipes of README answer from the catalog.

The pages are the replay's (fetched over HTTP from 127.0.0.1 and extracted once per module); the crawl
order is simulated by publishing each source's pages in a different order into a fresh catalog.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
import requests
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from lakekit import publish, stage
from newsarchive.views import connect_views
from pipelines.config import load_sources
from pipelines.record import Article, RawPage
from pipelines.storage import Store

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["stdaily", "bbtnews", "bjnews", "ce", "finews", "btchangqing"]
RUN = "cli__2022-07-28T000000__{}"


@pytest.fixture(scope="module")
def extracted() -> dict:
    return extract_replay()


def extract_replay() -> dict:
    """Every web article of the replay, extracted as the pipeline does: {source: [Article]}."""
    from replay import Replay
    from pipelines.extract.many import extract_many
    with Replay() as r:
        cfg = r.config
        pages = []
        for rec in r.articles(channel="web"):
            if rec.hard_case:
                continue
            resp = requests.get(rec.url, timeout=10)
            pages.append(RawPage(url=rec.url, body=resp.content, source=rec.source,
                                 headers={k.lower(): v for k, v in resp.headers.items()}, status=resp.status_code,
                                 fetched_at=datetime(2022, 7, 28, 1, tzinfo=timezone.utc),
                                 run_id=RUN.format(rec.source)))
        results = extract_many(pages, cfg, workers=1, progress=False)
        real = load_sources(None)
    out: dict[str, list[Article]] = {s: [] for s in SOURCES}
    for res in results:
        if isinstance(res, Article):
            out[res.source].append(res)
    return {"articles": out, "config": real}


def _archive(tmp: Path, extracted, order: list[str]) -> Store:
    """Crawl the sources in ``order``: each source's pages published before the next is crawled."""
    store = Store(str(tmp))
    for i, sid in enumerate(order):
        run = RUN.format(sid)
        stage(store, "2022-07-28", run, [a for a in extracted["articles"][sid]])
        publish(store, extracted["config"], run_id=f"pub__2022-07-28T0{i}0000__{sid}")
    return store


def _stories(store: Store) -> dict[frozenset, tuple]:
    """Each story (keyed by its contents, as cluster ids depend on the order) -> its canonical copy and origin."""
    con = connect_views(store)
    contents = {}
    for cid, h in con.execute("SELECT cluster_id, content_hash FROM articles").fetchall():
        contents.setdefault(cid, set()).add(h)
    out = {}
    for cid, src, url, title, origin in con.execute(
            "SELECT cluster_id, canonical_source, canonical_url, title, origin_source FROM stories").fetchall():
        out[frozenset(contents[cid])] = (src, url, title, origin)
    return out


def _recipes(store: Store) -> dict[str, list]:
    con = connect_views(store)
    blocks = readme_sql_blocks()
    return {b: sorted(map(repr, con.execute(b).fetchall())) for b in blocks
            if "ATTACH" not in b and "articles_asof" not in b and "SET VARIABLE" not in b}


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.reuse, Phase.generate])      # a failure names its order; no shrinking
@given(order=st.permutations(SOURCES))
def test_every_crawl_order_gives_the_same_canonical_copies_and_answers(extracted, tmp_path_factory, order):
    reference = getattr(test_every_crawl_order_gives_the_same_canonical_copies_and_answers, "_ref", None)
    if reference is None:
        base = _archive(tmp_path_factory.mktemp("ref"), extracted, SOURCES)
        reference = (_stories(base), _recipes(base))
        test_every_crawl_order_gives_the_same_canonical_copies_and_answers._ref = reference
    store = _archive(tmp_path_factory.mktemp("perm"), extracted, list(order))
    assert _stories(store) == reference[0], order
    assert _recipes(store) == reference[1], order


def test_the_original_outlet_is_canonical_even_when_an_aggregator_came_first(extracted, tmp_path):
    store = _archive(tmp_path / "a", extracted, ["finews", "btchangqing", "ce", "bjnews", "bbtnews", "stdaily"])
    con = connect_views(store)
    rows = con.execute("""SELECT canonical_source, origin_source, sources FROM stories
                          WHERE list_contains(sources, 'finews') AND n_sources > 1""").fetchall()
    assert rows and all(origin != "finews" for _, origin, _ in rows)
    assert all(canon == origin for canon, origin, srcs in rows if origin in srcs), rows
    # the copies the aggregator archived first keep their own metadata: the outlet they credit
    credited = con.execute("""SELECT count(*) FROM copies WHERE source = 'finews'
                              AND syndicated_from_source = 'stdaily'""").fetchone()[0]
    assert credited >= 3


def test_every_copy_keeps_its_own_metadata(extracted, tmp_path):
    store = _archive(tmp_path / "a", extracted, SOURCES)
    con = connect_views(store)
    copies = con.execute("""SELECT s.source, s.title, s.published_at, s.syndicated_from, s.section, a.source
                            FROM sightings s JOIN articles a USING (content_hash) WHERE NOT s.is_new""").fetchall()
    assert copies
    assert any(src != first and title for src, title, _, _, _, first in copies)
    assert con.execute("SELECT count(*) FROM sightings WHERE syndicated_from IS NOT NULL").fetchone()[0] >= 10
    assert con.execute("SELECT count(*) FROM sightings WHERE title IS NULL").fetchone()[0] == 0


def test_article_versions_show_what_changed(tmp_path):
    from analystkit import art
    store = Store(str(tmp_path / "v"))
    base = "中关村论坛今日开幕。\n发布一批科技成果。\n" + "科技创新" * 60
    for i, (text, title) in enumerate([(base, "标题"), (base + "\n新增一段内容。", "标题"),
                                       (base.replace("一批", "十项") + "\n新增一段内容。", "标题（更新）")]):
        run = f"cli__2022-07-2{6 + i}T000000__v{i}"
        when = datetime(2022, 7, 26 + i, tzinfo=timezone.utc)
        stage(store, f"2022-07-2{6 + i}", run, [art(text, "bjnews", "hr.html", run, when, when, title)])
        publish(store, run_id=f"pub__2022-07-2{6 + i}T010000__v{i}")
    rows = connect_views(store).execute("""SELECT version, versions, title_changed, chars_changed, lines_added,
                                           lines_removed FROM article_versions ORDER BY version""").fetchall()
    assert rows == [(1, 3, False, None, None, None), (2, 3, False, 8, 1, 0), (3, 3, True, 0, 1, 1)]


# ---------------------------------------------------------------- README recipes, run on the archive
def readme_sql_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Querying with DuckDB", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.S)


def test_the_analyst_recipes_answer_from_the_archive(extracted, tmp_path):
    store = _archive(tmp_path / "a", extracted, SOURCES)
    answers = {b: connect_views(store).execute(b).fetchall() for b in readme_sql_blocks()
               if "ATTACH" not in b and "SET VARIABLE" not in b}
    per_site = next(v for b, v in answers.items() if "count(DISTINCT content_hash)" in b)
    assert {r[1] for r in per_site} >= {"finews", "stdaily"}
    origin = next(v for b, v in answers.items() if "origin_source = 'stdaily'" in b)
    assert len(origin) >= 3
    carried = next(v for b, v in answers.items() if "FROM copies c JOIN stories" in b)
    assert len({r[0] for r in carried}) >= 2 and all(r[2] for r in carried)      # sites, each copy's title
