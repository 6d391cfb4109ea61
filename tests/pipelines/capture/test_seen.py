import json
from datetime import date, datetime, timedelta, timezone

from pipelines.config import load_sources
from pipelines.capture.seen import SeenSet, compact_seen, is_final, load_seen, reconcile, rows_for_line, seen_files, write_seen
from pipelines.urls import url_key
from spiders.frontier import Frontier, dates_in_path, on_other_date

T0 = datetime(2022, 7, 27, 8, tzinfo=timezone.utc)


def row(url, when=T0, outcome="ok", etag=None, status=200):
    return {"url_key": url_key(url), "url": url, "fetched_at": when, "status": status, "outcome": outcome,
            "etag": etag, "last_modified": None, "run_id": "r1"}


def test_seen_set_is_shared_through_the_store(store):
    assert len(load_seen(store, "bjnews")) == 0
    write_seen(store, "bjnews", "run-a", [row("https://www.bjnews.com.cn/detail/1.html")])
    write_seen(store, "bjnews", "run-b", [row("https://www.bjnews.com.cn/detail/2.html")])
    assert write_seen(store, "bjnews", "run-c", []) == "index/urls/source=bjnews/run-c.parquet"   # "written"
    seen = load_seen(store, "bjnews")   # a second worker loading the same store
    assert url_key("http://www.bjnews.com.cn/detail/1.html?utm_source=wx#c") in seen
    assert url_key("https://www.bjnews.com.cn/detail/2.html") in seen
    assert url_key("https://www.bjnews.com.cn/detail/3.html") not in seen
    assert len(load_seen(store, "ce")) == 0


def test_reconcile_writes_missing_seen_files_of_any_date_once_even_after_compaction(local_store):
    import json

    from pipelines.capture.seen import compact_seen, reconcile, seen_files
    line = {"url": "https://www.bjnews.com.cn/detail/9.html", "kind": "article", "outcome": "ok", "status": 200,
            "final": True, "fetched_at": "2022-07-20T01:00:00+00:00", "run": "r1"}
    for dt, stem in (("2022-07-20", "r1"), ("2022-07-21", "r2")):      # committed logs, seen files missing
        local_store.write_text(f"raw/source=bjnews/dt={dt}/{stem}.log.jsonl", json.dumps(line) + "\n")
    assert len(reconcile(local_store, "bjnews")) == 2                  # every date, not only the crawl's
    assert url_key(line["url"]) in load_seen(local_store, "bjnews")
    assert reconcile(local_store, "bjnews") == []
    compact_seen(local_store, "bjnews")
    assert len(seen_files(local_store, "bjnews")) == 1
    assert reconcile(local_store, "bjnews") == []                      # the compacted file covers them


def test_recent_entries_use_first_fetch_and_newest_validators(local_store):
    u_new, u_old = "https://x.cn/a/1.html", "https://x.cn/a/2.html"
    write_seen(local_store, "s", "r1", [row(u_new, T0, etag='"v1"'), row(u_old, T0 - timedelta(days=5))])
    write_seen(local_store, "s", "r2", [row(u_new, T0 + timedelta(hours=1), etag='"v2"'),
                                        row(u_old, T0, outcome="not_modified")])
    seen = load_seen(local_store, "s", recent_since=T0 - timedelta(hours=12))
    assert set(seen.recent) == {url_key(u_new)}
    e = seen.recent[url_key(u_new)]
    assert e.first_fetched_at == T0 and e.etag == '"v2"'


def test_recent_entries_least_recently_checked_first_without_e_paper_pages(local_store):
    a, b, c, ep = (f"https://x.cn/a/{i}.html" for i in range(4))
    write_seen(local_store, "s", "r1", [row(a, T0, etag='"a"'), row(b, T0 + timedelta(hours=1), etag='"b"'),
                                        row(c, T0 + timedelta(hours=2), etag='"c"'),
                                        {**row(ep, T0, etag='"e"'), "via": "archive"}])
    write_seen(local_store, "s", "r2", [row(a, T0 + timedelta(hours=3), outcome="not_modified", status=304)])
    recent = load_seen(local_store, "s", recent_since=T0 - timedelta(hours=1)).recent
    assert [e.url for e in recent.values()] == [b, c, a]   # least recently checked first: a was checked last
    assert recent[url_key(a)].last_checked_at == T0 + timedelta(hours=3)


def test_an_article_gone_since_it_was_archived_is_not_checked_again(local_store):
    gone, back = "https://x.cn/a/1.html", "https://x.cn/a/2.html"
    write_seen(local_store, "s", "r1", [row(gone, T0, etag='"g"'), row(back, T0, etag='"b"')])
    write_seen(local_store, "s", "r2", [row(gone, T0 + timedelta(hours=1), outcome="http_error", status=404),
                                        row(back, T0 + timedelta(hours=1), outcome="http_error", status=410)])
    write_seen(local_store, "s", "r3", [row(back, T0 + timedelta(hours=2), etag='"b2"')])   # it came back
    recent = load_seen(local_store, "s", recent_since=T0).recent
    assert [e.url for e in recent.values()] == [back] and recent[url_key(back)].etag == '"b2"'


def test_recent_entries_keep_the_publication_hint_of_their_first_fetch(local_store):
    u = "https://x.cn/a/1.html"
    first = {**row(u, T0, etag='"v1"'), "via": "feed", "published": "2022-07-27T08:00:00+08:00",
             "published_from": "feed"}
    write_seen(local_store, "s", "r1", [first])
    write_seen(local_store, "s", "r2", [{**row(u, T0 + timedelta(hours=1), etag='"v2"'), "via": "refetch"}])
    e = load_seen(local_store, "s", recent_since=T0).recent[url_key(u)]
    assert (e.via, e.etag, e.conditional) == ("feed", '"v2"', True)
    assert e.hints() == {"via": "refetch", "published": "2022-07-27T08:00:00+08:00", "published_from": "feed"}
    line = {"url": u, "kind": "article", "final": True, "outcome": "ok", "status": 200, "fetched_at": T0.isoformat(),
            "run": "r", "hints": e.hints()}
    (r,) = rows_for_line(line)
    assert (r["via"], r["published"], r["published_from"]) == ("refetch", "2022-07-27T08:00:00+08:00", "feed")


def test_seen_files_written_before_the_hint_columns_still_load(local_store):
    import pyarrow as pa
    from pipelines.capture.seen import SCHEMA, to_table
    old = to_table([row("https://x.cn/old.html", T0, etag='"o"')]).drop_columns(["via", "published", "published_from"])
    assert old.schema.names == [n for n in SCHEMA.names if n not in ("via", "published", "published_from")]
    local_store.write_parquet(old, "index/urls/source=s/old.parquet")
    e = load_seen(local_store, "s", recent_since=T0).recent[url_key("https://x.cn/old.html")]
    assert (e.etag, e.via, e.published) == ('"o"', None, None) and isinstance(old, pa.Table)


def test_compaction_keeps_membership_and_first_fetch(local_store):
    for i in range(3):
        write_seen(local_store, "s", f"r{i}", [row(f"https://x.cn/{i}.html"), row("https://x.cn/same.html", T0 + timedelta(hours=i))])
    rel = compact_seen(local_store, "s")
    assert seen_files(local_store, "s") == [rel]
    seen = load_seen(local_store, "s", recent_since=T0)
    assert all(url_key(f"https://x.cn/{i}.html") in seen for i in range(3))
    assert seen.recent[url_key("https://x.cn/same.html")].first_fetched_at == T0


def test_final_and_transient_outcomes():
    assert is_final("ok", 200) and is_final("too_large", None) and is_final("http_error", 404)
    assert not is_final("http_error", 500) and not is_final("timeout", None) and not is_final("http_error", 429)
    line = {"url": "https://x.cn/b.html", "kind": "article", "final": True, "outcome": "ok", "status": 200,
            "fetched_at": T0.isoformat(), "redirected_from": ["https://m.x.cn/a.html"], "run": "r"}
    keys = {r["url_key"] for r in rows_for_line(line, {"m.x.cn": "x.cn"})}
    assert keys == {"x.cn/a.html", "x.cn/b.html"}
    assert rows_for_line({**line, "kind": "listing"}) == [] and rows_for_line({**line, "final": False}) == []


def test_reconcile_writes_seen_rows_missing_after_a_kill(local_store):
    line = {"url": "https://x.cn/1.html", "kind": "article", "final": True, "outcome": "ok", "status": 200,
            "fetched_at": T0.isoformat(), "run": "r"}
    local_store.write_text("raw/source=s/dt=2022-07-28/r.log.jsonl", json.dumps(line) + "\n")
    assert reconcile(local_store, "s", date(2022, 7, 28)) == ["index/urls/source=s/r.parquet"]
    assert reconcile(local_store, "s", date(2022, 7, 28)) == []
    assert url_key("https://x.cn/1.html") in load_seen(local_store, "s")


def test_frontier_admits_each_article_once_and_explains_skips():
    src = load_sources().get("bjnews")
    seen = SeenSet()
    seen.add(url_key("https://www.bjnews.com.cn/detail/9.html"))
    f = Frontier(src, seen, budget=2, cutoff=datetime(2022, 6, 28, tzinfo=timezone.utc))
    assert f.admit_article("https://www.bjnews.com.cn/detail/1.html") is None
    assert f.admit_article("https://m.bjnews.com.cn/detail/1.html?utm_medium=x") == "duplicate"
    assert f.admit_article("https://www.bjnews.com.cn/detail/9.html") == "seen"
    assert f.admit_article("https://evil.example.com/detail/2.html") == "offsite_link"
    assert f.admit_article("https://www.bjnews.com.cn/tech") == "not_article"
    assert f.admit_article("https://www.bjnews.com.cn/detail/3.html", datetime(2022, 1, 1, tzinfo=timezone.utc)) == "too_old"
    assert f.take() and f.take() and not f.take() and f.exhausted


def test_dates_in_archive_paths():
    assert dates_in_path("http://paper.ce.cn/pc/layout/202207/27/node_01.html") == {date(2022, 7, 27)}
    assert dates_in_path("https://epaper.bjnews.com.cn/html/2022-07/27/content_1.htm") == {date(2022, 7, 27)}
    assert dates_in_path("https://www.btchangqing.cn/123456.html") == set()
    assert on_other_date("https://finews.withounder.com/2022/07/26/", date(2022, 7, 27))
    assert not on_other_date("https://www.btchangqing.cn/123456.html", date(2022, 7, 27))
