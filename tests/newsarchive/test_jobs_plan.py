"""``jobs.plan``: the one run policy of ``newsarchive run`` and the DAGs' plan task."""
from __future__ import annotations

from datetime import date

import pytest
import yaml

from newsarchive import jobs
from pipelines.config import DEFAULT_CONFIG, load_sources, parse_sources

D = date(2022, 7, 28)


def config_without_archive(source_id: str):
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    (src,) = [s for s in data["sources"] if s["id"] == source_id]
    del src["discovery"]["archive"]
    return parse_sources(data)


def test_incremental_runs_crawl_every_enabled_source_without_a_range():
    cfg = load_sources()
    p = jobs.plan(cfg, D)
    assert p.sources == cfg.ids(enabled_only=True) and not p.skipped
    assert all(j.mode == "incremental" and j.since is None and j.until is None for j in p.jobs)


def test_a_backfill_crawls_archives_and_skips_a_source_without_one_saying_why():
    cfg = config_without_archive("finews")
    p = jobs.plan(cfg, D, mode="archive", since=date(2022, 7, 25), until=D)
    assert "finews" not in p.sources and "finews" in p.skipped
    assert "no date-addressed archive" in p.summary()
    assert all((j.since, j.until) == (date(2022, 7, 25), D) for j in p.jobs)
    one_day = jobs.plan(cfg, "2022-07-27", mode="archive", sources=["bjnews"])   # the DAG: its logical date alone
    assert [(j.source, j.since, j.until) for j in one_day.jobs] == [("bjnews", date(2022, 7, 27), date(2022, 7, 27))]


def test_plans_refuse_what_cannot_run_and_travel_as_json():
    cfg = load_sources()
    with pytest.raises(ValueError, match="mode"):
        jobs.plan(cfg, D, mode="everything")
    with pytest.raises(ValueError, match="after until"):
        jobs.plan(cfg, D, mode="archive", since=D, until=date(2022, 7, 1))
    for job in jobs.plan(cfg, D, mode="archive").jobs + jobs.plan(cfg, D).jobs:
        assert jobs.CrawlJob.from_dict(job.as_dict()) == job
