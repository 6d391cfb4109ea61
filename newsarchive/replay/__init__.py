"""A local replay of every source in ``config/sources.yaml``, for tests, the demo and benchmarks.

Each real host (``www.stdaily.com``, ``epaper.bjnews.com.cn``, ``m.bjnews.com.cn``, …) gets its own
HTTP/1.1 listener on 127.0.0.1 (a free port), and so do a few foreign hosts that pages link to but
a correct crawler never requests (``finews.zning.xyz`` share links, ``service.weibo.com`` share
buttons, the ``hm.baidu.com`` tracker, ``www.8btc.com``). Pages are generated per request from a
deterministic corpus (the five seed stories plus synthetic sci-tech news) with every link in the
replay's ``http://127.0.0.1:PORT/...`` form; only articles published before the replay clock exist.

    from newsarchive.replay import Replay
    with Replay(clock=None, scale=1) as r:       # binds in __init__, serves on enter, stops+joins on exit
        r.config            # SourcesConfig rewritten with with_host_map(r.host_map) (private addresses allowed)
        r.write_config(p)   # the same as YAML; r.config_path remembers it
        r.host_map          # real host -> "127.0.0.1:PORT" (source hosts and foreign hosts)
        r.url(host, path)   # replay URL of a real host + path; r.real_host(url) is the inverse
        r.control_url       # http://127.0.0.1:PORT of the control port (see ``control``)
        r.clock             # aware datetime; default DEFAULT_CLOCK = 2022-07-28T08:00:00+08:00
        r.articles(source=None, channel=None)  # ground truth, list[ArticleRecord] (records.py)
        r.advance(days=1, articles=3)          # -> URLs of the web articles that became visible
        r.set_clock(dt)
        r.hard_cases        # name -> URL; r.hard_case_info: name -> HardCase(expect, outcome, note)
        r.near_miss_pairs   # [(url_a, url_b)]: same template and boilerplate, different stories
        r.seed_urls("000"); r.story_urls(story_id)
        r.request_log       # list[LoggedRequest] (log.py); r.clear_log(); r.requests_to(source|host, kind=None)
        r.break_source("bbtnews", mode="empty_bodies"); r.fix_source("bbtnews")   # or mode="server_error"
        r.reset_hard_cases()   # re-arm retry_500 / retry_429

Constructor knobs: ``config`` (path or SourcesConfig; default config/sources.yaml), ``scale``
(multiplies the synthetic corpus: scale=100 gives ~10,000 article pages), ``slow_seconds``
(the slow hard case; default 40 s, above the default 30 s crawl timeout; the wait ends when the
replay stops), ``oversize_bytes`` (default 12 MiB), ``port_base`` (fixed ports: control at
port_base, hosts at port_base+1… in sorted host order).

What a correct crawler should see:
* ``channel == "web"`` articles are all reachable from listings (newest first, 8 per page),
  feeds and sitemaps; ``channel == "epaper"`` articles only through ``discovery.archive`` for
  their date (e-paper of day D holds the print twins of day D-1's web stories; seed 001 is in
  the 新京报 e-paper of 2022-07-27, 版面 A04-A05).
* bjnews' listing links every third article through ``m.bjnews.com.cn``; bbtnews' feed adds
  ``utm_*`` parameters; both must canonicalize to the desktop URL.
* Every article answers 304 to a matching If-None-Match / If-Modified-Since.
* ``advance`` after the default clock publishes exactly ``articles`` new web articles (plus
  their print twins in the next day's e-paper); the ``updated`` hard case changes its text and
  Last-Modified at 2022-07-28T14:00+08:00.
"""
from .log import LoggedRequest
from .model import DEFAULT_CLOCK
from .records import ArticleRecord
from .replay import Replay

__all__ = ["Replay", "ArticleRecord", "LoggedRequest", "DEFAULT_CLOCK"]
