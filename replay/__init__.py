"""A local replay of every source in ``config/sources.yaml``, for tests, the demo and benchmarks.

Each real host (``www.stdaily.com``, ``epaper.bjnews.com.cn``, ``m.bjnews.com.cn``, …) gets its own
HTTP/1.1 listener on 127.0.0.1 (a free port), and so do a few foreign hosts that pages link to but
a correct crawler never requests (``finews.zning.xyz`` share links, ``service.weibo.com`` share
buttons, the ``hm.baidu.com`` tracker, ``www.8btc.com``). Pages are generated per request from a
deterministic corpus (the five seed stories plus synthetic sci-tech news) with every link in the
replay's ``http://127.0.0.1:PORT/...`` form; only articles published (online) before the replay clock exist.

    from replay import Replay
    with Replay(clock=None, scale=1) as r:       # binds in __init__, serves on enter, stops+joins on exit
        r.config            # SourcesConfig rewritten by replay.configure.point_at(cfg, r.host_map) (private addresses allowed)
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
port_base, hosts at port_base+1… in sorted host order), ``crawl_delays`` (real host -> seconds:
that host's robots.txt asks every user agent for this ``Crawl-delay``).

What a correct crawler should see:
* ``channel == "web"`` articles are all reachable from listings (newest first, 8 per page, every
  listing has 2+ pages), feeds and sitemaps (at scale=1; at larger scales only the sitemaps are
  complete: listings stop at ``max_pages``, feeds hold the newest 10-20 items, bjnews' news
  sitemap the last two days). ``channel == "epaper"`` articles are reachable only through
  ``discovery.archive`` for their date: the e-paper of day D (published D 00:00 +08:00) holds the
  print twins of day D-1's web stories; seed 001 is in the 新京报 e-paper of 2022-07-27 (A04-A05版).
  Dates without an edition answer 404. finews/btchangqing "archives" are date pages of web posts.
* bjnews' listing links every third article through ``m.bjnews.com.cn``; bbtnews' feed links
  carry ``utm_*`` parameters (the article pattern only matches after canonicalization).
* Articles (hard-case pages that serve one included) send ETag (changes only with the text) and
  Last-Modified, and answer 304 to a matching If-None-Match / If-Modified-Since; listings, feeds and
  sitemaps send neither.
  Sitemaps give each article's ``lastmod`` (its last change), bjnews' news sitemap its
  ``publication_date``, feeds the publication date.
* ``advance`` after the default clock publishes exactly ``articles`` new web articles, spread
  round-robin over stdaily, bbtnews, bjnews, ce, finews, btchangqing (plus their print twins in
  the next day's e-paper). Revisions: the ``updated`` hard case changes text and Last-Modified at
  2022-07-28T14:00+08:00 (so ``advance(days=1)`` from the default clock shows it); ``updated_twice``
  (bjnews, published 2022-07-27 18:00) changes at 2022-07-28T11:00 and T20:00 (crawls at the default
  clock, at 12:00 and at 21:00 see three versions); ``lastmod_later`` (stdaily) shows 2022-07-20 09:30
  while an edit at 2022-07-27T15:00 is its sitemap ``lastmod``.
* Syndication: finews copies carry ``（文章来源：科技日报）``; ce's copies of 科技日报 stories say
  ``来源：科技日报`` in the info bar (``info_bar_source``), every other page of stdaily and ce names its
  own outlet there; btchangqing's copies of ce stories end with ``来源：经济日报``. Ground truth:
  ``ArticleRecord.syndicated_from``; ``authors`` (reporters) and ``editors`` (责任编辑/编辑, 校对) apart.
* An aggregator crawled before the original (``aggregator_first``): seed 004's finews copy is online
  from 2021-12-31 14:13:07, the 科技日报 original (showing the same time) only from
  ``AGGREGATOR_FIRST_APPEARS`` (2022-01-01 09:00). ``Replay(clock=AGGREGATOR_FIRST_CLOCK)`` (2021-12-31
  18:00) serves the copy and not the original (404)::

      with Replay(clock=AGGREGATOR_FIRST_CLOCK) as r:
          ...crawl finews (logical date 2021-12-31), stage, publish...
          r.set_clock(DEFAULT_CLOCK)
          ...crawl stdaily (2022-07-28): the original comes second...
* ``articles()`` leaves out the hard cases that never yield a full article (slow, truncated,
  robots-disallowed, …); ``retry_500``/``retry_429`` are in it (``listed=False``: only the
  listing sidebar links them).

Hard cases (``hard_case_info[name]``: source, host, path, expect, outcome, note): the HTTP ones
are btchangqing posts with ids 390xxx linked from the sidebar of its listing page 1 and home page
(not_found, retry_500, retry_429, redirect_loop, slow, pdf, oversized, oversized_chunked,
truncated_length, truncated_html, robots_disallowed; the hostile ones of issue 17: bomb_gzip_identity,
bomb_stacked, stacked_gzip, unknown_encoding, redirect_offsite, long_url) plus the links ``offsite``
(www.8btc.com), ``ipv6_link`` (``[::1]:9``, never contacted) and ``userinfo_link``
(``http://<btchangqing>@<www.8btc.com>/…``); ``sitemap_loop``, ``sitemap_deep`` and ``sitemap_flood``
(``expect="bounded"``) are hostile sitemap indexes served on btchangqing but linked from nowhere: a
test adds one to ``discovery.sitemaps``. ``updated``
is a regular btchangqing post, ``updated_twice`` a bjnews one, ``lastmod_later`` a stdaily one,
``info_bar_source`` a ce one, ``aggregator_first`` finews' copy of seed 004 (see above);
``gbk_meta_only`` and ``gb2312_gb18030`` are regular ce posts (all
ce pages are GBK bytes: header ``charset=GBK``, ``<meta>`` gb2312; paper.ce.cn declares its
charset only in ``<meta>``); ``mobile_link``, ``tracking_link`` and ``conditional`` point at
ordinary articles. ``break_source(id, "empty_bodies")`` empties the article bodies of one source
(chrome stays), ``"server_error"`` makes it answer 503.

The request log holds one ``LoggedRequest`` per request (host = real host name, port, method,
path+query, status, time, duration, bytes, kind = article|hard|listing|feed|sitemap|robots|
archive|not_found|foreign|error, source, request headers), appended before the response is
written (a delayed response is logged when it is ready; status 0 if the replay stopped first).
"""
from .hardcases import AGGREGATOR_FIRST_APPEARS, AGGREGATOR_FIRST_CLOCK
from .log import LoggedRequest
from .model import DEFAULT_CLOCK
from .records import ArticleRecord
from .replay import Replay

__all__ = ["Replay", "ArticleRecord", "LoggedRequest", "DEFAULT_CLOCK", "AGGREGATOR_FIRST_CLOCK",
           "AGGREGATOR_FIRST_APPEARS"]
