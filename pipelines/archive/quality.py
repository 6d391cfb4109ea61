"""Quality checks per source per run, compared with the source's trailing baseline.

For each source of a batch (logical date ``dt``, crawl run ``run_id``) we
measure what the ops team watches: pages fetched, new articles, duplicates,
rejects by reason, the empty-body rate, the missing-date rate and mojibake
pages. The metrics are kept in the store (``quality/source=S/<dt>__<run>.json``)
so the next run compares itself with the trailing baseline (median of the last
``BASELINE_RUNS`` runs of that source).

A check fails when
* ``stale``: an incremental run archives no new article page (neither new
  content nor a new sighting of known content: an aggregator that only
  republishes is not stale) and the source's last one is older than its
  ``freshness.expect_new_within_hours``;
* ``rejects_jump``: the share of article pages rejected at extraction (empty
  body, too short, boilerplate-only …) or failing to fetch jumps above the
  baseline;
* ``missing_dates``: the share of new articles without a publish date jumps;
* ``mojibake``: any page of the source decoded badly;
* ``navigation``: archived "articles" that are site menus or boilerplate
  (``pipelines.archive.navigation``: link text of their own page, lines repeated across
  the site's pages, the same text at several URLs), more than the baseline.
Every failure message names the source and the numbers. Each check is a function
of ``CHECKS``: a new check is one more entry.
"""
from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from typing import Callable

from pipelines.archive import navigation
from pipelines.config import Source, SourcesConfig
from pipelines import layout
from pipelines.storage import Store

BASELINE_RUNS = 7
#: Reject reasons that mean "the page came back but its body was empty or junk".
EMPTY_REASONS = frozenset({"empty_body", "too_short", "boilerplate_only", "empty"})
#: Minimum article pages in a run before rate checks apply.
MIN_PAGES = 3
#: A rate fails when it is at least ``RATE_FLOOR`` and ``RATE_JUMP`` above the baseline.
RATE_FLOOR, RATE_JUMP = 0.5, 0.3


@dataclass
class SourceMetrics:
    source: str
    dt: str
    run_id: str
    mode: str = "incremental"
    pages_fetched: int = 0
    fetch_failures: int = 0         # failed requests (5xx, timeouts, …; refusals are not site failures)
    fetch_rejects: int = 0          # fetch-stage rejects archived: failures and refusals (the report's "Failed")
    article_pages: int = 0          # article responses that reached extraction
    new_articles: int = 0
    duplicates: int = 0
    rejects: dict[str, int] = field(default_factory=dict)   # "stage/reason" -> n
    empty_bodies: int = 0
    missing_dates: int = 0
    mojibake_pages: int = 0         # pages the crawler saw decode badly
    decode_mojibake: int = 0        # article pages rejected at decode as mojibake
    logical_time: str = ""
    pending_pages: int = 0          # article pages of this run's segments not archived yet
    archived_before: int = 0        # sightings of this source archived from other crawl runs
    navigation: int = 0             # archived "articles" that are navigation/boilerplate
    navigation_examples: list[str] = field(default_factory=list)

    @property
    def all_rejects(self) -> int:
        """Rejects of every stage (the report's "Rejects")."""
        return self.fetch_rejects + sum(self.rejects.values())

    @property
    def empty_rate(self) -> float:
        return self.empty_bodies / self.article_pages if self.article_pages else 0.0

    @property
    def extract_reject_rate(self) -> float:
        n = sum(v for k, v in self.rejects.items() if k.startswith(("extract/", "decode/")))
        return n / self.article_pages if self.article_pages else 0.0

    @property
    def fetch_failure_rate(self) -> float:
        return self.fetch_failures / self.pages_fetched if self.pages_fetched else 0.0

    @property
    def missing_date_rate(self) -> float:
        return self.missing_dates / self.new_articles if self.new_articles else 0.0

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False, indent=1)


HEADER = (f"{'source':<12} {'fetched':>7} {'failed':>6} {'new':>5} {'dups':>5} {'rejects':>7} "
          f"{'empty%':>6} {'nodate%':>7} {'mojibake':>8} {'nav':>4}")


def table_row(m: SourceMetrics) -> str:
    return (f"{m.source:<12} {m.pages_fetched:>7} {m.fetch_rejects:>6} {m.new_articles:>5} {m.duplicates:>5} "
            f"{m.all_rejects:>7} {m.empty_rate:>6.0%} {m.missing_date_rate:>7.0%} "
            f"{max(m.mojibake_pages, m.decode_mojibake):>8} {m.navigation:>4}")


@dataclass
class QualityReport:
    dt: str
    run_id: str
    metrics: list[SourceMetrics]
    failures: list[str]

    @property
    def ok(self) -> bool:
        return not self.failures

    def failures_of(self, source: str) -> list[str]:
        return [f for f in self.failures if f.startswith(f"{source}:")]

    def headline(self) -> str:
        """One line: which sources passed, which failed and why (the first line ops reads)."""
        bad = [m.source for m in self.metrics if self.failures_of(m.source)]
        if bad:
            return f"quality FAILED for {', '.join(bad)}: " + " | ".join(self.failures)
        n = [sum(getattr(m, k) for m in self.metrics) for k in ("new_articles", "duplicates", "all_rejects")]
        who = self.metrics[0].source if len(self.metrics) == 1 else f"{len(self.metrics)} sources"
        return f"quality OK for {who}: {n[0]} new, {n[1]} dups, {n[2]} rejects"

    def summary(self) -> str:
        """The headline, then the table (failed = fetch rejects, rejects = every stage, as in the run
        report), the reject reasons, and each failure on its own line."""
        lines = [self.headline(), f"quality of {self.dt} run {self.run_id}", HEADER]
        for m in self.metrics:
            lines.append(table_row(m))
            if m.rejects or m.fetch_rejects:
                lines.append("    rejects: " + ", ".join(
                    [f"fetch={m.fetch_rejects}"] * bool(m.fetch_rejects)
                    + [f"{k}={v}" for k, v in sorted(m.rejects.items())]))
            for ex in m.navigation_examples[:3]:
                lines.append(f"    navigation: {ex}")
        lines.append("FAILED:\n  " + "\n  ".join(self.failures) if self.failures else "all checks passed")
        return "\n".join(lines)


# ----------------------------------------------------------------------------- measuring
def logical_time(dt: str, run_id: str) -> datetime:
    """The run's logical time from its id (``…__2022-07-28T080000``), else midnight UTC of ``dt``."""
    return layout.logical_time(run_id, layout.day(dt))


def measure(store: Store, dt: str, runs: dict[str, str], mode: str = "incremental",
            counts: dict[tuple[str, str], dict] | None = None) -> dict[str, SourceMetrics]:
    """Metrics of each source's crawl run (``runs``: source -> crawl run id), from the crawl stats
    and ``counts`` – what the archive holds of each (run, source) (``newsarchive.lake.archive.run_counts``,
    plus ``fetch_rejects``, ``nav_candidates`` and ``repeated_lines`` from ``newsarchive.lake.quality``)."""
    out = {}
    read_html = _html_reader(store)
    for s, run_id in runs.items():
        m = out[s] = SourceMetrics(source=s, dt=dt, run_id=run_id, mode=mode,
                                   logical_time=logical_time(dt, run_id).isoformat())
        stats = _crawl_stats(store, s, dt, run_id)
        m.pages_fetched = int(stats.get("responses", 0))
        m.fetch_failures = int(sum(stats.get("failures", {}).values()))
        m.mojibake_pages = int(stats.get("mojibake_pages", 0))
        c = (counts or {}).get((run_id, s), {})
        m.new_articles, m.duplicates = int(c.get("new_articles", 0)), int(c.get("duplicates", 0))
        m.rejects = dict(c.get("rejects", {}))
        m.missing_dates = int(c.get("missing_dates", 0))
        m.pending_pages = int(c.get("pending_pages", 0))
        m.archived_before = int(c.get("archived_before", 0))
        m.fetch_rejects = int(c.get("fetch_rejects", 0))
        m.navigation_examples = navigation.findings(
            [navigation.Candidate(**x) for x in c.get("nav_candidates", [])], set(c.get("repeated_lines", ())),
            read_html)
        m.navigation = len(m.navigation_examples)
        m.empty_bodies = sum(v for k, v in m.rejects.items() if k.split("/", 1)[-1] in EMPTY_REASONS)
        m.decode_mojibake = sum(v for k, v in m.rejects.items() if k.split("/", 1)[-1] == "mojibake")
        m.article_pages = m.new_articles + m.duplicates + sum(
            v for k, v in m.rejects.items() if k.startswith(("extract/", "decode/")))
    return out


def _html_reader(store: Store) -> Callable[[str], bytes | None]:
    def read(raw_ref: str) -> bytes | None:
        from pipelines.capture.raw import read_raw_page
        try:
            return read_raw_page(store, raw_ref).body
        except (OSError, ValueError, StopIteration):
            return None
    return read


def _crawl_stats(store: Store, source: str, dt: str, run_id: str) -> dict:
    try:
        return json.loads(store.read_text(layout.stats_path(source, dt, run_id)))
    except FileNotFoundError:
        return {}


# ----------------------------------------------------------------------------- history
def history_path(source: str, dt: str, run_id: str) -> str:
    return layout.quality_path(source, dt, run_id)


def history(store: Store, source: str, before: SourceMetrics) -> list[SourceMetrics]:
    """Earlier runs of ``source`` (by logical time), excluding ``before``'s own run."""
    out = []
    for p in store.list(layout.quality_folder(source), suffix=".json"):
        try:
            m = SourceMetrics(**json.loads(store.read_text(p)))
        except (ValueError, TypeError):
            continue
        if (m.logical_time, m.run_id) < (before.logical_time, before.run_id):
            out.append(m)
    return sorted(out, key=lambda m: m.logical_time)


def _baseline(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def _jumped(rate: float, previous: list[float]) -> float | None:
    """The trailing baseline when ``rate`` is high (≥ RATE_FLOOR) and RATE_JUMP above it; else None."""
    b = _baseline(previous)
    return b if rate >= RATE_FLOOR and rate > b + RATE_JUMP else None


# ----------------------------------------------------------------------------- checking
Check = Callable[[SourceMetrics, list[SourceMetrics], "Source | None"], list[str]]


def _base(recent: list[SourceMetrics]) -> str:
    return f"trailing baseline of {len(recent)} run(s)" if recent else "no baseline yet"


def check_mojibake(m: SourceMetrics, recent: list[SourceMetrics], src: Source | None) -> list[str]:
    bad = max(m.mojibake_pages, m.decode_mojibake)
    if not bad:
        return []
    return [f"{m.source}: mojibake on {bad} page(s) in run {m.run_id} "
            f"({m.mojibake_pages} seen by the crawler, {m.decode_mojibake} rejected at decode)"]


def check_extraction(m: SourceMetrics, recent: list[SourceMetrics], src: Source | None) -> list[str]:
    if m.article_pages < MIN_PAGES:
        return []
    for label, rate, prev, num in (
        ("empty-body rate", m.empty_rate, [p.empty_rate for p in recent], m.empty_bodies),
        ("extraction reject rate", m.extract_reject_rate, [p.extract_reject_rate for p in recent],
         round(m.extract_reject_rate * m.article_pages)),
    ):
        if (b := _jumped(rate, prev)) is not None:
            return [f"{m.source}: {label} {rate:.0%} ({num}/{m.article_pages} article pages) "
                    f"vs {b:.0%} {_base(recent)}; rejects: "
                    + ", ".join(f"{k}={v}" for k, v in sorted(m.rejects.items()))]
    return []


def check_fetch(m: SourceMetrics, recent: list[SourceMetrics], src: Source | None) -> list[str]:
    if m.pages_fetched < 5:
        return []
    if (b := _jumped(m.fetch_failure_rate, [p.fetch_failure_rate for p in recent])) is not None:
        return [f"{m.source}: fetch failure rate {m.fetch_failure_rate:.0%} "
                f"({m.fetch_failures}/{m.pages_fetched}) vs {b:.0%} {_base(recent)}"]
    return []


def check_dates(m: SourceMetrics, recent: list[SourceMetrics], src: Source | None) -> list[str]:
    if m.new_articles < MIN_PAGES:
        return []
    if (b := _jumped(m.missing_date_rate, [p.missing_date_rate for p in recent])) is not None:
        return [f"{m.source}: missing-date rate {m.missing_date_rate:.0%} "
                f"({m.missing_dates}/{m.new_articles} new articles) vs {b:.0%} {_base(recent)}"]
    return []


def check_navigation(m: SourceMetrics, recent: list[SourceMetrics], src: Source | None) -> list[str]:
    """Archived "articles" that are navigation, more than the source usually has."""
    b = _baseline([p.navigation for p in recent])
    if m.navigation and m.navigation > b:
        return [f"{m.source}: {m.navigation} archived article(s) look like navigation or boilerplate, "
                f"not stories (vs {b:g} {_base(recent)}): " + "; ".join(m.navigation_examples[:3])]
    return []


def check_stale(m: SourceMetrics, recent: list[SourceMetrics], src: Source | None,
                past: list[SourceMetrics] | None = None) -> list[str]:
    if m.mode == "incremental" and m.new_articles + m.duplicates == 0 and src is not None:
        return _stale(m, past if past is not None else recent, src)
    return []


#: Every check, in the order their messages are listed.
CHECKS: tuple[Check, ...] = (check_mojibake, check_extraction, check_fetch, check_dates, check_navigation)


def check_source(m: SourceMetrics, past: list[SourceMetrics], src: Source | None) -> list[str]:
    recent = past[-BASELINE_RUNS:]
    fails = [msg for check in CHECKS for msg in check(m, recent, src)]
    return fails + check_stale(m, recent, src, past)


def _stale(m: SourceMetrics, past: list[SourceMetrics], src: Source) -> list[str]:
    limit = timedelta(hours=src.freshness.expect_new_within_hours)
    now = datetime.fromisoformat(m.logical_time)
    with_new = [p for p in past if p.new_articles + p.duplicates > 0]
    if with_new:
        last = datetime.fromisoformat(with_new[-1].logical_time)
        if now - last > limit:
            hours = (now - last).total_seconds() / 3600
            return [f"{m.source}: 0 new articles for {hours:.0f} h (last new on {last:%Y-%m-%d %H:%M} UTC), "
                    f"expected within {src.freshness.expect_new_within_hours} h"]
        return []
    if past:
        first = datetime.fromisoformat(past[0].logical_time)
        if now - first > limit:
            return [f"{m.source}: 0 new articles in every run since {first:%Y-%m-%d %H:%M} UTC "
                    f"({len(past) + 1} runs), expected within {src.freshness.expect_new_within_hours} h"]
        return []
    if m.archived_before:      # earlier crawls (killed before their checks ran) archived its pages
        return []
    return [f"{m.source}: 0 new articles in its first run ({m.pages_fetched} pages fetched)"]


def run_checks(store: "Store | str", dt: date, runs: dict[str, str], config: SourcesConfig | None = None,
               sources: list[str] | None = None, *, mode: str = "incremental", record: bool = True,
               counts: dict[tuple[str, str], dict] | None = None) -> QualityReport:
    """Measure each source's crawl run (``runs``: source -> run id), compare with its baseline, store
    the metrics, and report."""
    store, dt = Store.open(store), layout.require_day(dt).isoformat()      # ISO text in the metrics
    ids = sources or list(runs)
    metrics = measure(store, dt, {s: runs[s] for s in ids if s in runs}, mode, counts)
    run_id = ", ".join(sorted(set(runs[s] for s in ids if s in runs)))
    failures = []
    for sid, m in metrics.items():
        src = config.get(sid) if config and sid in config.ids() else None
        failures += check_source(m, history(store, sid, m), src)
        if record:
            store.write_text(history_path(sid, dt, m.run_id), m.to_json())
    return QualityReport(dt=dt, run_id=run_id, metrics=list(metrics.values()), failures=failures)
