"""Hostile sites against real `newsarchive crawl` subprocesses (issue 17): hostile sitemaps, private
addresses, robots Crawl-delay, and no listening socket. Counts come from the replay's request log and the
crawl log, never from wall-clock durations (the delay test only bounds gaps from below)."""
from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest

from replay import Replay
from replay.hardcases import SITEMAP_DEEP
from pipelines.config import SourcesConfig
from pipelines.capture.raw import iter_fetch_failures
from pipelines.storage import Store
from tests.spiders.replaytools import ROOT, crawl, crawl_argv, crawl_env, tuned, write_config

pytestmark = pytest.mark.slow
DAY = "2022-07-28"
BT = "www.btchangqing.cn"


def with_discovery(cfg: SourcesConfig, sid: str, **discovery) -> SourcesConfig:
    data = cfg.model_dump()
    src = next(s for s in data["sources"] if s["id"] == sid)
    src["discovery"].update({"feeds": [], "sitemaps": [], "news_sitemaps": [], "listings": [], **discovery})
    return SourcesConfig.model_validate(data)


@pytest.fixture(scope="module")
def replay():
    with Replay(slow_seconds=5, oversize_bytes=400_000) as r:
        yield r


def test_a_sitemap_index_listing_itself_and_an_endless_chain_stay_bounded(replay, tmp_path):
    """Before: the self-listing index took 200 of 200 requests and archived nothing (exit 0)."""
    r = replay
    cfg = with_discovery(tuned(r.config), "btchangqing",
                         sitemaps=[r.hard_cases["sitemap_loop"], r.hard_cases["sitemap_deep"]])
    path = write_config(cfg, tmp_path / "sources.yaml")
    store = Store(str(tmp_path / "store"))
    r.clear_log()
    code, summary, err = crawl("btchangqing", store.uri, path, "--max-requests", "200")
    assert code == 0, err[-3000:]
    sitemaps = Counter(e.path for e in r.request_log if e.path.startswith("/wp-sitemap"))
    assert sitemaps == {"/wp-sitemap-loop.xml": 1, "/wp-sitemap-posts-post-1.xml": 1,
                        **{SITEMAP_DEEP.format(k=k): 1 for k in (1, 2, 3)}}   # depth 0, 1, 2; then refused
    assert summary["skipped"]["sitemap_cycle"] == 1 and not summary["budget_exhausted"]
    assert summary["articles_archived"] >= 10 and summary["requests"] < 100
    (too_deep,) = [rj for rj in iter_fetch_failures(store, "btchangqing", DAY) if rj.reason == "sitemap_too_deep"]
    assert too_deep.url == r.url(BT, SITEMAP_DEEP.format(k=4)) and too_deep.detail.startswith("[sitemap]")


def test_an_index_of_a_thousand_sitemaps_leaves_half_the_budget_to_articles(replay, tmp_path):
    """Before: all 40 requests went to child sitemaps (discovery first), 0 articles."""
    r = replay
    cfg = with_discovery(tuned(r.config), "btchangqing", sitemaps=[r.hard_cases["sitemap_flood"]])
    path = write_config(cfg, tmp_path / "sources.yaml")
    r.clear_log()
    code, summary, err = crawl("btchangqing", str(tmp_path / "store"), path, "--max-requests", "40")
    assert code == 0, err[-3000:]
    kinds = Counter(e.kind for e in r.request_log if e.host == BT and e.kind != "robots")
    assert kinds["sitemap"] == 20 and summary["budget_exhausted"]             # the index + 19 of its 1,000
    assert summary["skipped"]["discovery_budget"] == 1000 - 19
    # each child lists one article of the site (cycling through them): every one not too old is archived
    skipped = summary["skipped"]
    listed = 19 - skipped.get("too_old", 0) - skipped.get("duplicate", 0)
    assert kinds["article"] == summary["articles_archived"] == listed >= 8


def test_private_addresses_are_refused_as_rejects(replay, tmp_path):
    """Before: ``private_address`` refusals were in the crawl log only, never in ``rejects``."""
    r = replay
    cfg = tuned(r.config, allow_private_addresses=False)     # the replay listens on 127.0.0.1 only
    path = write_config(cfg, tmp_path / "sources.yaml")
    store = Store(str(tmp_path / "store"))
    r.clear_log()
    code, summary, err = crawl("finews", store.uri, path)
    assert code == 3, (summary, err[-2000:])                  # nothing could be fetched: unreachable
    assert r.requests_to("finews") == []                      # not even robots.txt
    d = cfg.get("finews").discovery
    wanted = set(d.feeds + d.sitemaps + [lst.url for lst in d.listings])
    rejects = {rj.url: rj for rj in iter_fetch_failures(store, "finews", DAY)}
    assert set(rejects) == wanted and {rj.reason for rj in rejects.values()} == {"private_address"}
    assert summary["refused"] and not summary["failures"]


def test_robots_crawl_delay_is_honoured_up_to_the_cap(tmp_path):
    """finews asks for 1 s between requests; stdaily asks for an hour and gets its cap of 1 s. Gaps
    between arrivals in the replay's log are bounded from below only, with room for a request that
    reaches a busy server late: each gap at least half the delay, all five together at least 4.5 s
    (before: 0.01 s gaps)."""
    with Replay(crawl_delays={"finews.withounder.com": 1, "www.stdaily.com": 3600}) as r:
        cfg = tuned(r.config, {"max_crawl_delay_seconds": 1.0, "delay_seconds": 0, "concurrency": 8,
                               "autothrottle": True, "timeout_seconds": 5, "retries": 0})
        path = write_config(cfg, tmp_path / "sources.yaml")
        for sid in ("finews", "stdaily"):
            r.clear_log()
            code, summary, err = crawl(sid, str(tmp_path / sid), path, "--max-requests", "5")
            assert code == 0, err[-3000:]
            times = sorted(e.time for e in r.requests_to(sid))
            assert len(times) == 6                             # robots.txt + 5
            gaps = [b - a for a, b in zip(times, times[1:])]
            assert min(gaps) >= 0.5 and times[-1] - times[0] >= 4.5, (sid, gaps)
            assert list(summary["crawl_delay"].values()) == [1.0]
        assert "Crawl-delay: 3600" in __import__("requests").get(r.url("www.stdaily.com", "/robots.txt")).text


#: Runs the crawl with every listen() recorded (Twisted's listenTCP and asyncio's create_server, which
#: Scrapy's remote control uses, both call socket.socket.listen). A bind alone is no server: psutil
#: binds ::1 port 0 once at import to learn whether IPv6 works.
_AUDIT = """
import json, socket, sys
listening = []
_listen = socket.socket.listen
def listen(self, *a):
    listening.append(repr(self.getsockname()))
    return _listen(self, *a)
socket.socket.listen = listen
from newsarchive.cli import main
try:
    code = main(sys.argv[1:])
finally:
    print("AUDIT " + json.dumps(listening), flush=True)
sys.exit(code)
"""


def _audited_crawl(replay, tmp_path, name: str, settings: dict | None = None) -> tuple[int, list[str]]:
    cfg = tuned(replay.config)
    path = write_config(cfg, tmp_path / f"{name}.yaml")
    argv = crawl_argv("finews", tmp_path / name, path, DAY, "--max-requests", "4")
    p = subprocess.run([sys.executable, "-c", _AUDIT, *argv[3:]], env=crawl_env(settings), cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    audit = [ln for ln in p.stdout.splitlines() if ln.startswith("AUDIT ")]
    assert audit, p.stderr[-3000:]
    return p.returncode, json.loads(audit[-1][6:])


def test_a_crawl_opens_no_listening_socket(replay, tmp_path):
    """No telnet console, no remote-control endpoint: not one listening socket. The same probe sees
    Scrapy's remote-control server when it is switched back on."""
    code, opened = _audited_crawl(replay, tmp_path, "plain")
    assert code == 0 and opened == []
    code, opened = _audited_crawl(replay, tmp_path, "remote", {
        "REMOTE_CONTROL_ENABLED": True, "REMOTE_CONTROL_JOBS_DIR": str(tmp_path / "jobs"),
        "EXTENSIONS": {"scrapy.extensions.remote_control.RemoteControl": 0}})
    assert code == 0 and any("127.0.0.1" in o for o in opened), opened
