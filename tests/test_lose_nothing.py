"""Nothing fetched is ever lost: the fault matrix of issue 13, through ``newsarchive run`` on the replay.

One invariant, checked after every case: every article page the replay served with 200 ends up in
the archive (a sighting: an article or a copy of one) or as a reject with a reason; no URL's content
is archived twice (one sighting per URL and content); ``content_hash`` is unique in ``articles``;
every source and crawl date balances (fetched = archived + rejected + pending); and once a healthy
run has finished, nothing is pending.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from lakekit import committed
from pipelines.storage import Store

pytestmark = pytest.mark.slow
SOURCES = ["stdaily", "finews", "ce"]
D1, D2, D3 = "2022-07-26", "2022-07-27", "2022-07-28"
#: small WARC segments, so a crawl commits several and can be killed between them
CRAWL_SETTINGS = json.dumps({"WARC_SEGMENT_RECORDS": 12})


@pytest.fixture
def world(replay_config, tmp_path):
    r, path = replay_config
    return r, str(path), Store(str(tmp_path / "data"))


def run(store: Store, cfg: str, date: str, *, fault: str | None = None, backfill: bool = False,
        sources=SOURCES) -> subprocess.CompletedProcess:
    env = {**os.environ, "NEWSARCHIVE_CRAWL_SETTINGS": CRAWL_SETTINGS}
    env.pop("NEWSARCHIVE_FAULT", None)
    if fault:
        env["NEWSARCHIVE_FAULT"] = fault
    args = [sys.executable, "-m", "newsarchive.cli", "run", "--store", store.uri, "--config", cfg, "--date", date,
            "--sources", *sources, "--no-report"]
    if backfill:
        args += ["--since", date, "--until", date]
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=600)


def served(replay) -> set[tuple[str, str]]:
    """(source, path) of every article page the replay answered with 200."""
    return {(e.source, e.path) for e in replay.request_log if e.status == 200 and e.kind == "article"}


def check(store: Store, replay, *, settled: bool = True) -> dict:
    """The invariant; returns the archive's counts. ``settled=False`` (right after a kill): a page the
    killed crawl fetched but never committed is not archived yet – the next crawl fetches it again –
    so only "nothing twice, everything balanced" is checked."""
    sights = committed(store, "sightings").to_pylist()
    rejects = committed(store, "rejects").to_pylist()
    arts = committed(store, "articles")
    where = Counter((r["source"], _path(r["url"])) for r in sights + rejects)
    missing = [k for k in served(replay) if k[0] in SOURCES and where[k] == 0]
    assert not (settled and missing), f"served with 200 but not archived nor rejected: {missing[:5]}"
    twice = [k for k, n in Counter((r["source"], _path(r["url"]), r["content_hash"]) for r in sights).items()
             if n > 1]
    assert not twice, f"archived twice: {twice[:5]}"
    hashes = arts.column("content_hash").to_pylist()
    assert len(hashes) == len(set(hashes)), "a content_hash twice in articles"
    bal = committed(store, "conservation").to_pylist()
    assert all(b["unaccounted"] == 0 for b in bal), [b for b in bal if b["unaccounted"]]
    if settled:
        assert sum(b["pending"] for b in bal) == 0, "pending work left after a healthy run"
    counts = {"served": len([k for k in served(replay) if k[0] in SOURCES]), "articles": len(hashes),
              "sightings": len(sights), "rejects": len(rejects), "missing": len(missing)}
    if os.environ.get("NEWSARCHIVE_MATRIX"):      # the fault matrix's figures (pytest -s): who checked, what it saw
        print(f"[matrix] {os.environ.get('PYTEST_CURRENT_TEST', '?').split(' ')[0]} settled={settled} {counts}")
    return counts


def _path(url: str) -> str:
    p = urlsplit(url)
    return p.path + (f"?{p.query}" if p.query else "")


def raw_files(store: Store) -> dict[str, int]:
    return {p: store.size(p) for p in store.list("raw/")}


def test_a_same_date_rerun_keeps_everything_and_adds_what_is_new(world):
    r, cfg, store = world
    assert run(store, cfg, D3).returncode == 0
    first = check(store, r)
    raw1 = raw_files(store)
    assert run(store, cfg, D3).returncode == 0                    # nothing new on the sites
    assert check(store, r) == first
    raw2 = raw_files(store)
    assert {p: raw2[p] for p in raw1} == raw1, "a rerun rewrote a raw file"
    assert len(raw2) > len(raw1)                                    # its own segments, beside the first run's
    new = r.advance(days=0.25, articles=3)
    assert run(store, cfg, D3).returncode == 0                    # the same date, new pages in between
    after = check(store, r)
    assert after["articles"] >= first["articles"] + len([u for u in new if any(s in u for s in SOURCES)]) - 3
    assert after["sightings"] > first["sightings"]
    runs = {b["run_id"] for b in committed(store, "batches").to_pylist()}
    assert len(runs) == 3                                           # three run ids for one date


def test_one_source_down_strands_no_other_and_the_next_run_catches_up(world):
    r, cfg, store = world
    r.break_source("ce", "server_error")
    p = run(store, cfg, D3)
    assert p.returncode == 1, p.stderr[-2000:]
    healthy = check(store, r)
    by_source = Counter(s["source"] for s in committed(store, "sightings").to_pylist())
    assert by_source["stdaily"] > 0 and by_source["finews"] > 0 and by_source["ce"] == 0
    r.fix_source("ce")
    assert run(store, cfg, D3).returncode == 0
    after = check(store, r)
    assert after["sightings"] > healthy["sightings"]
    assert Counter(s["source"] for s in committed(store, "sightings").to_pylist())["ce"] > 0


#: step boundaries (every fault point of publish is also killed in tests/newsarchive/lake/test_store_failures.py)
FAULTS = ["crawl:warc_uploaded", "crawl:log_committed", "stage:registered", "stage:before_commit",
          "publish:before_commit", "publish:committed"]


def test_a_kill_at_any_step_boundary_loses_nothing_and_the_rerun_completes(world):
    r, cfg, store = world
    outcomes = {}
    for i, fault in enumerate(FAULTS):
        if i in (2, 4):
            r.advance(days=0.2, articles=4)                         # something new for the later faults
        p = run(store, cfg, D3, fault=fault)
        outcomes[fault] = p.returncode
        check(store, r, settled=False)                              # right after the kill: balanced
    assert run(store, cfg, D3).returncode == 0
    check(store, r)                                                 # the healthy rerun archived everything
    # the crawl subprocess dies, the run reports it (1); a kill of the run process itself: -9
    assert {f: c for f, c in outcomes.items() if f.startswith("crawl:")} == {
        f: 1 for f in FAULTS if f.startswith("crawl:")}
    assert all(c == -signal.SIGKILL for f, c in outcomes.items() if not f.startswith("crawl:"))


def test_killed_at_random_moments_then_rerun(world):
    import random
    import time
    r, cfg, store = world
    rng = random.Random(13)
    env = {**os.environ, "NEWSARCHIVE_CRAWL_SETTINGS": CRAWL_SETTINGS}
    for _ in range(3):
        r.advance(days=0.2, articles=4)
        proc = subprocess.Popen([sys.executable, "-m", "newsarchive.cli", "run", "--store", store.uri, "--config",
                                 cfg, "--date", D3, "--sources", *SOURCES, "--no-report"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(1.0, 8.0))
        os.killpg(proc.pid, signal.SIGKILL)                          # the run and its crawl subprocesses
        proc.wait(60)
        if Path(store.path("catalog.sqlite")).exists():             # killed before anything was staged: none
            check(store, r, settled=False)
    assert run(store, cfg, D3).returncode == 0
    check(store, r)


def test_backfills_in_any_order_after_incremental_runs(world):
    r, cfg, store = world
    assert run(store, cfg, D3, sources=["bjnews", "stdaily"]).returncode == 0
    for d in (D2, D1, D2):                                          # out of order, one date twice
        assert run(store, cfg, d, backfill=True, sources=["bjnews", "stdaily"]).returncode == 0
    global SOURCES
    sights = committed(store, "sightings").to_pylist()
    assert {str(s["dt"]) for s in sights if s["source"] == "bjnews"} >= {D1, D2}
    keep, SOURCES = SOURCES, ["bjnews", "stdaily"]
    try:
        check(store, r)
    finally:
        SOURCES = keep


def test_a_full_disk_during_a_crawl_commits_no_partial_segment(world):
    """A file size limit stands in for a full disk: writes past it fail (EFBIG). The crawl fails loudly,
    no segment is committed cut short, and the next crawl fetches what the broken segments held."""
    import resource
    r, cfg, store = world

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))
    env = {**os.environ, "NEWSARCHIVE_CRAWL_SETTINGS": json.dumps({"WARC_SEGMENT_RECORDS": 40})}
    p = subprocess.run([sys.executable, "-m", "newsarchive.cli", "crawl", "--source", "stdaily", "--store", store.uri,
                        "--config", cfg, "--date", D3], env=env, capture_output=True, text=True, timeout=300,
                       preexec_fn=small_files)
    assert p.returncode != 0, p.stdout[-2000:]
    assert "not committed" in p.stdout + p.stderr
    from pipelines.capture import raw
    for seg in raw.committed_segments(store, "stdaily"):          # whatever was committed is whole
        lines = list(raw.segment_lines(store, seg))
        pages, rejects = raw.segment_records(store, seg)
        assert [x for x in rejects if x.reason == "raw_unreadable"] == [] and len(pages) == sum(
            1 for ln in lines if ln.get("final") and ln.get("kind") == "article" and ln["outcome"] == "ok")
    assert run(store, cfg, D3, sources=["stdaily"]).returncode == 0
    global SOURCES
    keep, SOURCES = SOURCES, ["stdaily"]
    try:
        check(store, r)
    finally:
        SOURCES = keep


# ---------------------------------------------------------------------------- random sequences
def test_random_sequences_of_crawls_failures_kills_reruns_and_backfills(replay_config, tmp_path):
    """A hypothesis state machine: crawl a source, break or fix one, kill a crawl or a stage at a
    fault point, rerun stage + publish, backfill a date, let the sites publish; the invariant holds
    after every step, and after a final healthy round every served page is archived."""
    from hypothesis import HealthCheck, settings, strategies as st
    from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

    from newsarchive import jobs
    from pipelines.config import load_sources
    r, path = replay_config
    cfg = load_sources(str(path))
    counter = iter(range(1000))
    srcs = st.sampled_from(["stdaily", "finews"])

    class Archive(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.store = Store(str(tmp_path / f"sm{next(counter)}"))
            r.clear_log()
            for sid in ("stdaily", "finews"):
                r.fix_source(sid)

        def _crawl(self, sid, since=None, fault=None):
            env = {"NEWSARCHIVE_CRAWL_SETTINGS": CRAWL_SETTINGS, **({"NEWSARCHIVE_FAULT": fault} if fault else {})}
            jobs.crawl(sid, self.store.uri, _date(since or D3), jobs.make_run_id("sm", _dt(since or D3)),
                       config_path=str(path), since=_date(since) if since else None,
                       until=_date(since) if since else None, env=env, timeout=300)

        def _stage_publish(self):
            run_id = jobs.make_run_id("sm", _dt(D3))
            jobs.stage(self.store, D3, run_id, cfg, ["stdaily", "finews"])
            jobs.publish(self.store, D3, run_id, cfg)

        @rule(sid=srcs)
        def crawl_and_archive(self, sid):
            self._crawl(sid)
            self._stage_publish()

        @rule(sid=srcs, fault=st.sampled_from(["crawl:warc_uploaded", "crawl:log_committed"]))
        def crawl_killed(self, sid, fault):
            self._crawl(sid, fault=fault)

        @rule(fault=st.sampled_from(["stage:before_commit", "publish:before_commit", "publish:committed"]))
        def stage_or_publish_killed(self, fault):
            env = {**os.environ, "NEWSARCHIVE_FAULT": fault}
            run_id = jobs.make_run_id("sm", _dt(D3))
            for step in (["stage", "--sources", "stdaily", "finews"], ["publish"]):
                subprocess.run([sys.executable, "-m", "newsarchive.cli", *step, "--store", self.store.uri,
                                "--config", str(path), "--date", D3, "--run-id", run_id], env=env,
                               capture_output=True, timeout=300)

        @rule()
        def rerun(self):
            self._stage_publish()

        @rule(sid=srcs)
        def source_down(self, sid):
            r.break_source(sid, "server_error")

        @rule(sid=srcs)
        def source_back(self, sid):
            r.fix_source(sid)

        @rule(day=st.sampled_from([D1, D2]))
        def backfill(self, day):
            self._crawl("stdaily", since=day)
            self._stage_publish()

        @rule()
        def sites_publish(self):
            r.advance(days=0.1, articles=2)

        @invariant()
        def nothing_lost_nothing_twice(self):
            if Path(self.store.path("catalog.sqlite")).exists():
                check(self.store, r, settled=False)

        def teardown(self):
            for sid in ("stdaily", "finews"):
                r.fix_source(sid)
                self._crawl(sid)
            self._stage_publish()
            check(self.store, r)

    global SOURCES
    keep, SOURCES = SOURCES, ["stdaily", "finews"]
    try:
        run_state_machine_as_test(Archive, settings=settings(
            max_examples=2, stateful_step_count=4, deadline=None,
            suppress_health_check=list(HealthCheck)))
    finally:
        SOURCES = keep


def _date(d: str):
    from datetime import date
    return date.fromisoformat(d)


def _dt(d: str):
    from datetime import datetime, timezone
    return datetime.fromisoformat(d).replace(tzinfo=timezone.utc)
