"""A killed crawl, re-fetching updated articles, an S3 store and the CLI's exit codes."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from datetime import timezone

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchive.cli import main
from replay import Replay
from pipelines.capture.raw import committed_logs, iter_log, iter_raw_pages
from pipelines.capture.seen import seen_files
from pipelines.storage import Store
from pipelines.urls import url_key
from tests.spiders.replaytools import ROOT, crawl, crawl_argv, crawl_env, crawl_many, tuned, write_config

pytestmark = pytest.mark.slow
DAY = "2022-07-28"


def archived_lines(store, sid):
    return [ln for ln in iter_log(store, sid, DAY) if ln["final"] and ln["kind"] == "article" and ln["outcome"] == "ok"]


def test_killed_crawl_loses_nothing_and_fetches_nothing_twice(tmp_path):
    with Replay(scale=4) as r:
        slow = {"delay_seconds": 0.03, "concurrency": 1, "autothrottle": False, "timeout_seconds": 2, "retries": 1}
        cfg = tuned(r.config, slow)
        path = write_config(cfg, tmp_path / "sources.yaml")
        store = Store(str(tmp_path / "store"))
        settings = {"WARC_SEGMENT_RECORDS": 8}
        p = subprocess.Popen(crawl_argv("finews", store.uri, path, DAY, "--run-id", "run-a"), cwd=ROOT,
                             env=crawl_env(settings), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while len(committed_logs(store, "finews", DAY)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert p.poll() is None, "the crawl ended before it could be killed"
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
        first = {ln["url"] for ln in archived_lines(store, "finews")}
        truth = {url_key(a.url) for a in r.articles("finews", channel="web")}
        assert 4 <= len(first) < len(truth)
        code, summary, err = crawl("finews", store.uri, path, "--run-id", "run-b", settings=settings)
        assert code == 0, err[-2000:]
        assert truth <= {url_key(ln["url"]) for ln in archived_lines(store, "finews")}
        # every article downloaded once; the second crawl checks those it archived first conditionally (304)
        asked = Counter(r.url(e.host, e.path) for e in r.request_log if e.kind == "article" and e.status == 200)
        assert {u: asked[u] for u in first if asked[u] != 1} == {}
        checks = [e for e in r.request_log if e.kind == "article" and e.status == 304]
        assert checks and all("If-None-Match" in e.headers for e in checks)
        assert {r.url(e.host, e.path) for e in checks} <= first
        for rel in store.list("raw/source=finews/", suffix=".warc.gz"):   # only whole segments in the store
            assert store.exists(rel.replace(".warc.gz", ".log.jsonl")) or "run-a" in rel
            with store.fs.open_input_stream(store.path(rel), compression=None) as f:
                assert sum(1 for _ in ArchiveIterator(f)) >= 1


def test_refetch_recent_catches_the_updated_article_with_conditional_requests(tmp_path):
    with Replay() as r:
        path = write_config(tuned(r.config), tmp_path / "sources.yaml")   # re-fetching is on by default
        store = Store(str(tmp_path / "store"))
        assert all(c == 0 for c, *_ in crawl_many(["btchangqing", "stdaily"], store.uri, path).values())
        r.set_clock("2022-07-28T15:00:00+08:00")
        r.clear_log()
        assert all(c == 0 for c, *_ in crawl_many(["btchangqing", "stdaily"], store.uri, path).values())
        updated, conditional = r.hard_cases["updated"], r.hard_cases["conditional"]
        bodies = [p.body for p in iter_raw_pages(store, "btchangqing", DAY) if p.url == updated]
        assert len(bodies) == 2 and bodies[0] != bodies[1]
        assert "2022-07-28T14:00" in r.hard_case_info["updated"].note
        outcomes = [ln["outcome"] for ln in iter_log(store, "stdaily", DAY) if ln["url"] == conditional and ln["final"]]
        assert outcomes == ["ok", "not_modified"]
        refetched = [e for e in r.request_log if e.kind == "article"]
        assert refetched and all("If-None-Match" in e.headers for e in refetched)


def test_an_article_updated_twice_becomes_three_versions_and_a_304_costs_nothing(tmp_path):
    from pipelines.extract import extract
    from pipelines.capture.raw import iter_fetch_failures
    with Replay() as r:
        path = write_config(tuned(r.config), tmp_path / "sources.yaml")
        store = Store(str(tmp_path / "store"))
        url = r.hard_cases["updated_twice"]
        summaries = []
        for i, clock in enumerate((None, "2022-07-28T12:00:00+08:00", "2022-07-28T21:00:00+08:00")):
            if clock:
                r.set_clock(clock)
            r.clear_log()
            code, summary, err = crawl("bjnews", store.uri, path, "--run-id", f"run-{i}")
            assert code == 0, err[-2000:]
            summaries.append(summary)
            if i:   # every archived article was checked once, conditionally; only the changed one came back
                asked = [e for e in r.request_log if e.kind == "article"]
                archived = summaries[0]["articles_archived"]
                assert len(asked) == summary["refetch"]["sent"] == summary["refetch"]["candidates"] == archived
                assert all("If-None-Match" in e.headers for e in asked)
                assert summary["refetch"] == {"candidates": archived, "sent": archived, "not_modified": archived - 1,
                                              "modified": 1}
                assert [e.status for e in asked].count(200) == 1
        pages = [p for p in iter_raw_pages(store, "bjnews", DAY) if p.url == url]
        arts = [extract(p, r.config.get("bjnews")) for p in pages]
        assert len({a.article_id for a in arts}) == 1 and len({a.content_hash for a in arts}) == 3
        from replay.hardcases import UPDATED_TWICE_AT
        assert [a.modified_at for a in arts][1:] == [t.astimezone(timezone.utc) for t in UPDATED_TWICE_AT]
        assert {a.modified_at_origin for a in arts} == {"jsonld"} and len({a.published_at for a in arts}) == 1
        # a 304 costs nothing: no page to extract, no reject; only the changed page (and nothing else) was staged
        later = [p for p in iter_raw_pages(store, "bjnews", DAY) if p.run_id in ("run-1", "run-2")]
        assert [p.url for p in later] == [url, url]
        assert not [f for f in iter_fetch_failures(store, "bjnews", DAY) if f.run_id in ("run-1", "run-2")]


def test_crawl_into_s3(s3_store, tmp_path):
    with Replay() as r:
        path = write_config(tuned(r.config), tmp_path / "sources.yaml")
        code, summary, err = crawl("bbtnews", s3_store.uri, path)
        assert code == 0, err[-2000:]
        truth = {url_key(a.url) for a in r.articles("bbtnews", channel="web")}
        assert truth <= {url_key(p.url) for p in iter_raw_pages(s3_store, "bbtnews", DAY)}
        assert seen_files(s3_store, "bbtnews") and summary["segments"][0].startswith("raw/source=bbtnews/dt=2022-07-28/")
        assert s3_store.exists(f"raw/source=bbtnews/dt={DAY}/{summary['run_id'].replace(':', '')}.stats.json")


def test_cli_exit_codes(tmp_path, capsys):
    with Replay() as r:
        cfg = tuned(r.config, {"timeout_seconds": 1, "retries": 0, "delay_seconds": 0})
        path = write_config(cfg, tmp_path / "sources.yaml")
    # the replay is stopped: every host refuses connections
    code, summary, _ = crawl("ce", tmp_path / "store", path)
    assert code == 3 and summary["articles_archived"] == 0 and summary["failures"]
    base = ["crawl", "--store", str(tmp_path / "s"), "--config", str(path)]
    assert main(base + ["--source", "nosuch"]) == 2
    assert main(base + ["--source", "ce", "--since", "2022-07-01"]) == 2
    assert main(base + ["--source", "ce", "--since", "2022-07-02", "--until", "2022-07-01"]) == 2
    assert main(base + ["--source", "ce", "--run-id", "bad id/x"]) == 2
    assert "unknown source" in capsys.readouterr().err


def test_a_crawl_is_bounded_in_requests_and_time(tmp_path):
    with Replay() as r:
        path = write_config(tuned(r.config), tmp_path / "fast.yaml")
        code, summary, err = crawl("finews", tmp_path / "a", path, "--max-requests", "6")
        assert code == 0, err[-2000:]
        assert summary["requests"] == 6 and summary["budget_exhausted"] and not summary["traversed"]
        assert len([e for e in r.request_log if e.kind != "robots"]) == 6
        # 0.5 s between requests: ~8 requests fit the 4 s limit; 16 more wait in the downloader at the limit
        # (Scrapy alone would still fetch them, 8 s more). They are dropped unsent, so the crawl ends within
        # the limit plus the downloads in flight (timeout_seconds 2), and the next crawl fetches them.
        slow = tuned(r.config, {"delay_seconds": 0.5, "concurrency": 1, "autothrottle": False, "max_seconds": 4,
                                "timeout_seconds": 2, "retries": 0})
        r.clear_log()
        code, summary, err = crawl("finews", tmp_path / "b", write_config(slow, tmp_path / "slow.yaml"))
        assert code == 0 and summary["finish_reason"] == "closespider_timeout", err[-2000:]
        # a count, not a clock (load cannot make it flaky): at 0.5 s a request, at most 4 / 0.5 = 8 fit the
        # limit (+1 in flight, +1 robots.txt); Scrapy alone would also send the ~16 queued at the limit
        sent = [e for e in r.request_log]
        assert 1 <= len(sent) <= 4 / 0.5 + 2, len(sent)
        assert summary["dropped_at_deadline"] >= 1 and summary["failures"] == {}   # dropped is not failed
        assert summary["articles_archived"] >= 1
        first = {url_key(ln["url"]) for ln in archived_lines(Store(str(tmp_path / "b")), "finews")}
        assert len(first) == summary["articles_archived"]                      # what it got is committed
        code, again, err = crawl("finews", tmp_path / "b", path)                # the next crawl gets the rest
        assert code == 0 and again["finish_reason"] == "finished", err[-2000:]
        truth = {url_key(a.url) for a in r.articles("finews", channel="web")}
        assert truth <= {url_key(ln["url"]) for ln in archived_lines(Store(str(tmp_path / "b")), "finews")}
        assert again["articles_archived"] == len(truth - first)


def test_sigterm_commits_what_was_fetched(tmp_path):
    with Replay(scale=4) as r:
        cfg = tuned(r.config, {"delay_seconds": 0.05, "concurrency": 1, "autothrottle": False})
        path = write_config(cfg, tmp_path / "sources.yaml")
        store = Store(str(tmp_path / "store"))
        p = subprocess.Popen(crawl_argv("finews", store.uri, path, DAY), cwd=ROOT, env=crawl_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not [e for e in r.request_log if e.kind == "article"] and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        p.send_signal(signal.SIGTERM)        # what Airflow sends a task it stops
        out, _ = p.communicate(timeout=60)
        assert p.returncode == 130
        summary = json.loads(out.strip().splitlines()[-1])
        assert summary["finish_reason"] == "shutdown" and not summary["traversed"]
        assert len(list(iter_raw_pages(store, "finews", DAY))) == summary["articles_archived"] > 0
