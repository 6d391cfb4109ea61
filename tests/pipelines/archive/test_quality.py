"""Quality checks: each alert fires on its condition, names the source and the numbers, and stays quiet otherwise."""
from datetime import datetime, timedelta, timezone


from pipelines.config import load_sources
from pipelines.archive.quality import SourceMetrics, check_source
from pipelines.record import Article, Reject
from pipelines.dedupe.normalize import content_hash

CFG = load_sources()
SRC = CFG.get("bbtnews")  # expect_new_within_hours: 48


def metrics(run="scheduled__2022-07-28T080000", when="2022-07-28T08:00:00+00:00", **kw) -> SourceMetrics:
    base = dict(source="bbtnews", dt=when[:10], run_id=run, logical_time=when, pages_fetched=20,
                article_pages=10, new_articles=8, duplicates=2)
    base.update(kw)
    return SourceMetrics(**base)


def history(n=5, start="2022-07-20T08:00:00+00:00", **kw):
    t0 = datetime.fromisoformat(start)
    return [metrics(run=f"scheduled__{(t0 + timedelta(hours=i)):%Y-%m-%dT%H%M%S}",
                    when=(t0 + timedelta(hours=i)).isoformat(), **kw) for i in range(n)]


def test_healthy_run_passes():
    assert check_source(metrics(), history(), SRC) == []


def test_empty_bodies_fail_and_name_source_and_numbers():
    m = metrics(new_articles=0, duplicates=0, article_pages=8, empty_bodies=8,
                rejects={"extract/too_short": 8})
    (msg,) = [f for f in check_source(m, history(), SRC) if "empty-body" in f]
    assert msg.startswith("bbtnews:") and "100%" in msg and "8/8" in msg and "0%" in msg


def test_a_source_that_always_has_some_rejects_is_not_an_alert():
    past = history(empty_bodies=6, article_pages=10, rejects={"extract/too_short": 6})
    m = metrics(empty_bodies=7, article_pages=10, rejects={"extract/too_short": 7})
    assert [f for f in check_source(m, past, SRC) if "rate" in f] == []


def test_rejects_jump():
    m = metrics(new_articles=1, duplicates=0, article_pages=10, rejects={"extract/paywall": 9})
    fails = check_source(m, history(), SRC)
    assert any("extraction reject rate 90%" in f and "paywall=9" in f for f in fails)


def test_mojibake_fails():
    fails = check_source(metrics(mojibake_pages=2), history(), SRC)
    assert any(f.startswith("bbtnews: mojibake on 2 page(s)") for f in fails)


def test_missing_dates_jump():
    fails = check_source(metrics(new_articles=10, missing_dates=9), history(), SRC)
    assert any("missing-date rate 90% (9/10" in f for f in fails)


def test_fetch_failures_jump():
    fails = check_source(metrics(pages_fetched=20, fetch_failures=18), history(fetch_failures=0), SRC)
    assert any("fetch failure rate 90% (18/20)" in f for f in fails)


def test_stale_source_fails_only_after_its_expectation():
    past = history(n=3, start="2022-07-25T00:00:00+00:00")  # last new article 2022-07-25 02:00
    quiet = dict(new_articles=0, duplicates=0, article_pages=0)
    assert check_source(metrics(when="2022-07-26T08:00:00+00:00", **quiet), past, SRC) == []
    fails = check_source(metrics(when="2022-07-28T08:00:00+00:00", **quiet), past, SRC)
    assert any("0 new articles for 78 h" in f and "expected within 48 h" in f for f in fails)
    assert check_source(metrics(when="2022-07-28T08:00:00+00:00", mode="archive", **quiet), past, SRC) == []


def test_first_run_without_articles_fails():
    fails = check_source(metrics(new_articles=0, duplicates=0, article_pages=0), [], SRC)
    assert fails == ["bbtnews: 0 new articles in its first run (20 pages fetched)"]


def _article(i: int, source: str, run: str, text: str | None = None) -> Article:
    text = text or f"第{i}条新闻。北京市科委发布新政策，支持中关村企业开展关键核心技术攻关，第{i}项措施落地。" * 3
    return Article(article_id=f"{i:032x}", content_hash=content_hash(text), url=f"https://www.bbtnews.com.cn/2022/0728/{i}.shtml",
                   canonical_url=f"https://www.bbtnews.com.cn/2022/0728/{i}.shtml", source=source, text=text,
                   fetched_at=datetime(2022, 7, 28, 8, tzinfo=timezone.utc), extractor_version="t", run_id=run,
                   published_at=datetime(2022, 7, 28, tzinfo=timezone.utc), published_at_origin="meta")


def test_run_checks_measures_what_the_catalog_holds_of_each_run_and_records_history(local_store, monkeypatch):
    from lakekit import publish, stage
    from newsarchive import jobs
    from pipelines.archive import conservation
    monkeypatch.setattr(conservation, "check", lambda *a, **k: [])   # lakekit's segments have no crawl-log counts
    run1, run2 = "scheduled__2022-07-28T080000__a1", "scheduled__2022-07-28T090000__b2"
    stage(local_store, "2022-07-28", run1, [_article(i, "bbtnews", run1) for i in range(6)])
    publish(local_store, CFG)
    rep = jobs.quality(local_store, "2022-07-28", {"bbtnews": run1}, CFG, ["bbtnews"])
    assert rep.ok, rep.summary()
    (m,) = rep.metrics
    assert (m.new_articles, m.duplicates, m.article_pages, m.run_id) == (6, 0, 6, run1)

    bad = [Reject(url=f"https://www.bbtnews.com.cn/2022/0728/{i}.shtml", source="bbtnews", stage="extract",
                  reason="too_short", fetched_at=datetime(2022, 7, 28, 9, tzinfo=timezone.utc), run_id=run2)
           for i in range(10, 15)]
    stage(local_store, "2022-07-28", run2, [_article(1, "bbtnews", run2)], bad)
    publish(local_store, CFG)
    rep = jobs.quality(local_store, "2022-07-28", {"bbtnews": run2}, CFG, ["bbtnews"])
    assert not rep.ok
    assert any(f.startswith("bbtnews: empty-body rate 83% (5/6") for f in rep.failures), rep.failures
    assert "FAILED" in rep.summary()
    assert len(local_store.list("quality/source=bbtnews/")) == 2

    jobs.quality(local_store, "2022-07-28", {"bbtnews": run2}, CFG, ["bbtnews"], checked_by="dag/run/try 2")
    from newsarchive.views import connect_views
    con = connect_views(local_store)
    rows = con.execute("SELECT run_id, checked_by, passed, latest, rejects, new_articles, len(failures) "
                       "FROM quality_history ORDER BY checked_at").fetchall()
    assert [r[:4] for r in rows] == [(run1, run1, True, True), (run2, run2, False, False),
                                     (run2, "dag/run/try 2", False, True)]     # every try kept
    assert rows[1][4:] == (5, 0, 1)              # 5 rejects; its one article is a duplicate


def _menu(i: int, run: str) -> Article:
    return _article(100 + i, "bbtnews", run, "首页 新闻 科技 财经 北京 评论 视频 图片\n关于我们 联系我们 网站地图\n" + f"第{i}页")


def test_archived_navigation_text_fails_quality_naming_the_urls(local_store, monkeypatch):
    from lakekit import publish, stage
    from newsarchive import jobs
    from pipelines.archive import conservation
    monkeypatch.setattr(conservation, "check", lambda *a, **k: [])
    run1, run2 = "scheduled__2022-07-28T080000__a1", "scheduled__2022-07-28T090000__b2"
    stage(local_store, "2022-07-28", run1, [_article(i, "bbtnews", run1) for i in range(6)])
    publish(local_store, CFG)
    assert jobs.quality(local_store, "2022-07-28", {"bbtnews": run1}, CFG, ["bbtnews"]).ok
    stage(local_store, "2022-07-28", run2, [_article(i, "bbtnews", run2) for i in range(20, 24)]
          + [_menu(i, run2) for i in range(3)])
    publish(local_store, CFG)
    rep = jobs.quality(local_store, "2022-07-28", {"bbtnews": run2}, CFG, ["bbtnews"])
    (msg,) = rep.failures
    assert msg.startswith("bbtnews: 3 archived article(s) look like navigation or boilerplate")
    assert "https://www.bbtnews.com.cn/2022/0728/100.shtml" in msg and "lines repeated" in msg
    (m,) = rep.metrics
    assert m.navigation == 3 and m.new_articles == 7
    assert "nav" in rep.summary().splitlines()[2] and rep.summary().splitlines()[3].endswith("   3")


def test_the_table_counts_fetch_rejects_like_the_run_report():
    from pipelines.archive.quality import QualityReport
    m = metrics(fetch_rejects=7, rejects={"extract/too_short": 2})
    rep = QualityReport("2022-07-28", m.run_id, [m], [])
    head, _, cols, row, reasons, _ = rep.summary().splitlines()
    assert head == "quality OK for bbtnews: 8 new, 2 dups, 9 rejects"
    assert cols.split()[:6] == ["source", "fetched", "failed", "new", "dups", "rejects"]
    assert row.split()[:6] == ["bbtnews", "20", "7", "8", "2", "9"]
    assert reasons.strip() == "rejects: fetch=7, extract/too_short=2"


def test_navigation_within_the_usual_is_no_alert():
    past = history(navigation=1)
    assert check_source(metrics(navigation=1, navigation_examples=["u (x)"]), past, SRC) == []
    fails = check_source(metrics(navigation=2, navigation_examples=["a (x)", "b (y)"]), past, SRC)
    assert fails == ["bbtnews: 2 archived article(s) look like navigation or boilerplate, not stories "
                     "(vs 1 trailing baseline of 5 run(s)): a (x); b (y)"]


def test_an_aggregator_that_only_republishes_is_not_stale():
    past = history(n=3, start="2022-07-25T00:00:00+00:00", new_articles=0, duplicates=5)
    m = metrics(when="2022-07-28T08:00:00+00:00", new_articles=0, duplicates=4, article_pages=4)
    assert check_source(m, past, SRC) == []
    assert check_source(metrics(new_articles=0, duplicates=3, article_pages=3), [], SRC) == []
