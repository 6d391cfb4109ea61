"""What the run report shows, read from the views and the crawl logs of one date."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import duckdb

from pipelines.capture import raw
from pipelines.storage import Store

#: Day boundaries of the per-day plot (the sources publish in China time).
TIMEZONE = "Asia/Shanghai"
PLOT_DAYS = 60
TOP_CLUSTERS = 10
#: Days of quality history shown as a trend (pass/fail per source and day).
TREND_DAYS = 14


@dataclass
class CrawlStats:
    requests: int = 0          # final attempts of requested URLs
    fetched: int = 0           # ... that got a page (ok / not modified)
    articles: int = 0          # ... of which article pages
    failures: int = 0          # final fetch failures (rejects of stage fetch)


@dataclass
class ReportData:
    dt: date
    snapshot: dict | None
    runs: list[dict]
    crawl: dict[str, CrawlStats]
    sources: list[dict]               # per-source table rows
    daily: list[dict]                 # {day, source, articles}
    hidden_daily: int                 # articles outside the plotted days (or without a date)
    reasons: list[dict]               # {stage, reason, rejects, sources}
    clusters: list[dict]              # largest syndication clusters seen on dt
    cluster_sources: list[dict]       # {cluster_id, source, sightings}
    archive: dict = field(default_factory=dict)
    quality: list[dict] = field(default_factory=list)   # the latest check of each crawl run of dt
    trend_days: list = field(default_factory=list)      # the TREND_DAYS days up to dt
    trend: dict[str, list] = field(default_factory=dict)  # source -> per day: True/False (passed) or None

    @property
    def fetched(self) -> int | None:
        return sum(c.fetched for c in self.crawl.values()) if self.crawl else None


def rows(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> list[dict]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def crawl_stats(store: Store, source_ids, dt: date) -> dict[str, CrawlStats]:
    """Per-source counts from the committed crawl logs of ``dt`` (sources without logs left out)."""
    out = {}
    for sid in sorted(source_ids):
        st, seen = CrawlStats(), False
        for line in raw.iter_log(store, sid, dt):
            seen = True
            if not line.get("final") or line.get("kind") == "robots":
                continue
            st.requests += line.get("requested", True) is not False
            ok = line.get("outcome") in raw.OK_OUTCOMES
            st.fetched += ok
            st.articles += ok and line.get("kind") == "article"
            st.failures += raw.is_failure(line)
        if seen:
            out[sid] = st
    return out


def collect(store: Store, con: duckdb.DuckDBPyConnection, dt: date) -> ReportData:
    """Everything the report of date ``dt`` shows: the rows archived from crawls of ``dt`` (their
    ``dt`` column), and the archive of every date up to ``dt``, as the catalog holds them now."""
    snap = rows(con, """
        SELECT (SELECT count(*) FROM articles WHERE dt = $1) AS articles,
               (SELECT count(*) FROM sightings WHERE dt = $1) AS sightings,
               (SELECT count(*) FROM sightings WHERE dt = $1 AND NOT is_new) AS exact_duplicates,
               (SELECT count(*) FROM articles WHERE dt = $1 AND cluster_id <> content_hash) AS near_duplicates,
               (SELECT count(*) FROM rejects WHERE dt = $1) AS rejects,
               (SELECT max(batch) FROM pipeline.segments WHERE dt = $1) AS committed_at_run,
               (SELECT count(*) FROM pipeline.segments WHERE dt = $1 AND state = 'published') AS segments""",
                [dt])[0]
    names = {r["source"]: r for r in rows(con, "FROM sources")}
    active = {r["source"] for r in rows(con, "SELECT DISTINCT source FROM pipeline.segments WHERE dt = ?", [dt])}
    crawl = crawl_stats(store, set(names) | active, dt)
    daily, hidden = per_day(con, dt)
    clusters = top_clusters(con, dt)
    return ReportData(
        dt=dt, snapshot=snap if snap["segments"] else None,
        runs=rows(con, """
            SELECT batch AS run, staged, articles, sightings, exact_duplicates, near_duplicates, rejects
            FROM batches WHERE batch IN (SELECT batch FROM pipeline.segments WHERE dt = ?) ORDER BY batch""", [dt]),
        crawl=crawl, sources=per_source(con, dt, names, crawl), daily=daily, hidden_daily=hidden,
        reasons=rows(con, """
            SELECT stage, reason, count(*) AS rejects, list_sort(list_distinct(list(source))) AS sources,
                   min(url) AS example
            FROM rejects WHERE dt = ? GROUP BY ALL ORDER BY rejects DESC, stage, reason""", [dt]),
        clusters=clusters, cluster_sources=cluster_sources(con, dt, [c["cluster_id"] for c in clusters]),
        **quality(con, dt),
        archive=rows(con, """
            SELECT (SELECT count(DISTINCT dt) FROM pipeline.segments WHERE dt <= $1 AND state = 'published') AS dates,
                   (SELECT count(*) FROM articles WHERE dt <= $1) AS articles,
                   (SELECT count(*) FROM sightings WHERE dt <= $1) AS sightings,
                   (SELECT count(*) FROM rejects WHERE dt <= $1) AS rejects,
                   (SELECT CAST(min(dt) AS VARCHAR) FROM pipeline.segments WHERE state = 'published') AS first_dt""",
                     [dt])[0])


def per_source(con, dt: date, names: dict, crawl: dict[str, CrawlStats]) -> list[dict]:
    counts = rows(con, """
        WITH s AS (SELECT source, count(*) AS sightings, count(*) FILTER (NOT is_new) AS duplicates
                   FROM sightings WHERE dt = $1 GROUP BY source),
             n AS (SELECT source, count(*) AS new_articles FROM articles WHERE dt = $1 GROUP BY source),
             r AS (SELECT source, count(*) AS rejects FROM rejects WHERE dt = $1 GROUP BY source),
             t AS (SELECT source, count(*) AS archive_articles, max(published_at) AS newest
                   FROM articles WHERE dt <= $1 GROUP BY source)
        SELECT source, coalesce(n.new_articles, 0) AS new_articles, coalesce(s.sightings, 0) AS sightings,
               coalesce(s.duplicates, 0) AS duplicates, coalesce(r.rejects, 0) AS rejects,
               coalesce(t.archive_articles, 0) AS archive_articles, t.newest
        FROM t FULL JOIN n USING (source) FULL JOIN s USING (source) FULL JOIN r USING (source)""", [dt])
    by_id = {r["source"]: r for r in counts}
    out = []
    for sid in sorted(set(by_id) | set(names) | set(crawl)):
        r = by_id.get(sid) or {"source": sid, "new_articles": 0, "sightings": 0, "duplicates": 0, "rejects": 0,
                               "archive_articles": 0, "newest": None}
        meta = names.get(sid, {})
        out.append(dict(r, name=meta.get("name"), priority=meta.get("priority"), crawl=crawl.get(sid)))
    return out


def per_day(con, dt: date) -> tuple[list[dict], int]:
    """Articles per publication day (China time) and source, for the last PLOT_DAYS days of the archive."""
    daily = rows(con, f"""
        SELECT CAST(timezone('{TIMEZONE}', published_at) AS DATE) AS day, source, count(*) AS articles
        FROM articles WHERE dt <= ? AND published_at IS NOT NULL GROUP BY ALL ORDER BY day, source""", [dt])
    total = con.execute("SELECT count(*) FROM articles WHERE dt <= ?", [dt]).fetchone()[0]
    if daily:
        last = max(r["day"] for r in daily)
        daily = [r for r in daily if (last - r["day"]).days < PLOT_DAYS]
    return daily, total - sum(r["articles"] for r in daily)


def top_clusters(con, dt: date) -> list[dict]:
    """The clusters sighted on ``dt`` that most sites carried (counts over the whole archive)."""
    return rows(con, f"""
        SELECT c.* FROM clusters c
        WHERE c.cluster_id IN (SELECT a.cluster_id FROM sightings s JOIN articles a USING (content_hash)
                               WHERE s.dt = $1)
          AND (c.n_sources > 1 OR c.sightings > 1)
        ORDER BY c.n_sources DESC, c.sightings DESC, c.canonical_published_at, c.cluster_id
        LIMIT {TOP_CLUSTERS}""", [dt])


def cluster_sources(con, dt: date, cluster_ids: list[str]) -> list[dict]:
    if not cluster_ids:
        return []
    return rows(con, """
        SELECT a.cluster_id, s.source, count(*) AS sightings, min(s.url) AS url
        FROM sightings s JOIN articles a ON a.content_hash = s.content_hash
        WHERE list_contains($1, a.cluster_id)
        GROUP BY ALL ORDER BY a.cluster_id, s.source""", [cluster_ids])


def quality(con, dt: date) -> dict:
    """The quality section: the latest try of each source's check of each crawl run of ``dt`` (from
    ``quality_history``), and per source and day of the last ``TREND_DAYS`` days whether every
    latest check passed (None: not checked that day)."""
    from datetime import timedelta
    checks = rows(con, """
        SELECT source, run_id, passed, failures, checked_at, checked_by, pages_fetched, fetch_rejects,
               new_articles, duplicates, rejects, navigation
        FROM quality_history WHERE dt = ? AND latest ORDER BY source, run_id""", [dt])
    end = dt
    days = [end - timedelta(days=i) for i in range(TREND_DAYS - 1, -1, -1)]
    per = rows(con, """
        SELECT source, dt AS day, bool_and(passed) AS passed FROM quality_history
        WHERE latest AND dt BETWEEN ? AND ? GROUP BY ALL""", [days[0], end])
    by = {(r["source"], r["day"]): r["passed"] for r in per}
    trend = {s: [by.get((s, d)) for d in days] for s in sorted({r["source"] for r in per})}
    return {"quality": checks, "trend_days": days, "trend": trend}
