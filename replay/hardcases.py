"""The hard cases a crawler must survive. HTTP ones live on btchangqing, encodings on ce.

Each is reachable the way a crawler finds pages: the HTTP cases are linked from the
sidebar of btchangqing's listing page 1 (and its home page); the others are regular
posts (listing, feed, sitemap). ``Replay.hard_cases`` maps name -> URL and
``Replay.hard_case_info`` says what a correct crawler should end up with.

The hostile discovery documents (``expect="bounded"``: a sitemap index listing itself, an endless
chain of nested indexes, an index of 1,000 sitemaps) are served on btchangqing but linked from
nowhere: a test adds one to ``discovery.sitemaps`` and checks the crawl stays bounded.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from . import textgen
from .chrome import Ctx, esc
from .model import TZ, Version

BT = "www.btchangqing.cn"
#: An article-shaped path of 2,100+ characters (over the 2,083 a crawler requests).
LONG_PATH = "/390605" + "0" * 2100 + ".html"
#: Links whose host is the hostile part: an IPv6 literal, and credentials before a foreign host.
IPV6_LINK = ("[::1]:9", "/390606.html")
#: ``http://allowed.host:80@evil.com/`` in replay form: btchangqing's host:port is the user:password part
USERINFO_LINK = (f"{BT}@www.8btc.com", "/390607.html")   # host as Replay.url maps it: both sides
SITEMAP_LOOP, SITEMAP_DEEP, SITEMAP_FLOOD = "/wp-sitemap-loop.xml", "/wp-sitemap-deep-{k}.xml", "/wp-sitemap-flood.xml"
SITEMAP_FLOOD_CHILD = "/wp-sitemap-flood-{k}.xml"
#: Nested indexes served below SITEMAP_DEEP (each lists the next); sitemaps listed by the flood index.
DEEP_LEVELS, FLOOD_CHILDREN = 200, 1000


@dataclass(frozen=True)
class HardCase:
    name: str
    source: str
    host: str
    path: str
    expect: str          # archived | rejected | never_requested | archived_twice
    outcome: str         # crawl-log outcome (ARCHITECTURE.md) of the decisive fetch
    note: str


_HTTP = (
    ("not_found", "/390404.html", "rejected", "http_error", "404 on an article link from the listing (reason http_404)"),
    ("retry_500", "/390500.html", "archived", "ok", "500 on the first request of the URL, 200 after"),
    ("retry_429", "/390429.html", "archived", "ok", "429 with Retry-After: 1 on the first request, 200 after"),
    ("redirect_loop", "/390301.html", "rejected", "redirect_loop", "302 -> /390302.html -> 302 -> /390301.html …"),
    ("slow", "/390408.html", "rejected", "timeout", "answers after Replay(slow_seconds=…) (default 40 s)"),
    ("pdf", "/390415.html", "rejected", "not_html", "article URL that serves application/pdf"),
    ("oversized", "/390413.html", "rejected", "too_large", "HTML of Replay(oversize_bytes=…) with Content-Length"),
    ("oversized_chunked", "/390414.html", "rejected", "too_large", "same, chunked, no Content-Length"),
    ("truncated_length", "/390206.html", "rejected", "connection_error",
     "Content-Length larger than the body; the connection closes early (data loss)"),
    ("truncated_html", "/390207.html", "archived", "ok", "complete HTTP response whose HTML is cut mid-tag"),
    ("robots_disallowed", "/390403.html", "rejected", "robots_disallowed",
     "article-shaped path disallowed by robots.txt, linked from the listing: never requested, a reject"),
    ("bomb_gzip_identity", "/390601.html", "rejected", "too_large",
     "Content-Encoding: gzip, identity over a gzip bomb (64 KiB inflating to 64 MiB)"),
    ("bomb_stacked", "/390602.html", "rejected", "too_large",
     "Content-Encoding: gzip, gzip: a small gzip holding the same bomb"),
    ("stacked_gzip", "/390603.html", "archived", "ok", "Content-Encoding: gzip, gzip: an article gzipped twice"),
    ("unknown_encoding", "/390604.html", "rejected", "bad_encoding",
     "Content-Encoding: compress (Unix LZW), which no decoder here undoes"),
    ("redirect_offsite", "/390608.html", "rejected", "offsite", "302 to an article-shaped page on www.8btc.com"),
    ("long_url", LONG_PATH, "rejected", "url_too_long", "article link of 2,100+ characters: never requested"),
)
#: Hostile discovery documents (see the module docstring): (name, path, outcome of the decisive fetch, note).
_DISCOVERY = (
    ("sitemap_loop", SITEMAP_LOOP, "ok", "sitemap index listing itself and the posts sitemap"),
    ("sitemap_deep", SITEMAP_DEEP.format(k=1), "sitemap_too_deep",
     f"sitemap index listing a nested index, {DEEP_LEVELS} levels deep"),
    ("sitemap_flood", SITEMAP_FLOOD, "ok", f"sitemap index of {FLOOD_CHILDREN} sitemaps of one article each"),
)
#: Hard cases that are posts with article content (numbers fixed, not in listings/feeds/sitemaps).
_UNLISTED = {"retry_500": True, "retry_429": True, "slow": False, "truncated_length": False,
             "truncated_html": False, "robots_disallowed": False}   # value: archivable with full text
REDIRECT_PARTNER = "/390302.html"
OFFSITE = ("www.8btc.com", "/390999.html")
REDIRECT_OFFSITE = "/390998.html"   # where redirect_offsite sends a crawler
UPDATED_AT = datetime(2022, 7, 28, 14, 0, tzinfo=TZ)
#: ``updated_twice`` (新京报): published 2022-07-27 18:00, changed at these two times (JSON-LD dateModified).
UPDATED_TWICE_AT = (datetime(2022, 7, 28, 11, 0, tzinfo=TZ), datetime(2022, 7, 28, 20, 0, tzinfo=TZ))
#: ``lastmod_later`` (科技日报): the page shows 2022-07-20 09:30; an edit at LASTMOD_AT moves the sitemap lastmod.
LASTMOD_PUBLISHED, LASTMOD_AT = datetime(2022, 7, 20, 9, 30, tzinfo=TZ), datetime(2022, 7, 27, 15, 0, tzinfo=TZ)
#: ``aggregator_first``: seed 004's finews copy is online from the seed's time (2021-12-31 14:13:07), the
#: 科技日报 original (showing the same time) only from AGGREGATOR_FIRST_APPEARS. A replay clock of
#: AGGREGATOR_FIRST_CLOCK serves the copy and not the original: crawl finews there, then move the clock on
#: (``set_clock(DEFAULT_CLOCK)``) and crawl stdaily.
AGGREGATOR_FIRST_SEED = "004"
AGGREGATOR_FIRST_APPEARS = datetime(2022, 1, 1, 9, 0, tzinfo=TZ)
AGGREGATOR_FIRST_CLOCK = datetime(2021, 12, 31, 18, 0, tzinfo=TZ)


def cases(extra: dict[str, tuple[str, str, str]], http: bool = True) -> dict[str, HardCase]:
    """All hard cases; ``extra`` gives (host, path, source) of the post-based ones."""
    out = {n: HardCase(n, "btchangqing", BT, p, e, o, note) for n, p, e, o, note in _HTTP} if http else {}
    if http:
        out["offsite"] = HardCase("offsite", "btchangqing", *OFFSITE, "never_requested", "offsite",
                                  "article-shaped link to a foreign host from the listing")
        out["ipv6_link"] = HardCase("ipv6_link", "btchangqing", *IPV6_LINK, "never_requested", "offsite",
                                    "article-shaped link to an IPv6 literal host ([::1]:9, never contacted)")
        out["userinfo_link"] = HardCase("userinfo_link", "btchangqing", *USERINFO_LINK, "never_requested", "offsite",
                                        "http://<btchangqing host:port>@<www.8btc.com>/…: the host is the foreign one")
        for n, path, o, note in _DISCOVERY:
            out[n] = HardCase(n, "btchangqing", BT, path, "bounded", o, note)
    notes = {"updated": ("archived_twice", "ok", f"body and modified time change at {UPDATED_AT.isoformat()}"),
             "updated_twice": ("archived_thrice", "ok",
                               "body and JSON-LD dateModified change at "
                               + " and ".join(t.isoformat() for t in UPDATED_TWICE_AT)),
             "lastmod_later": ("archived", "ok",
                               f"page shows {LASTMOD_PUBLISHED:%Y-%m-%d %H:%M}; an edit at {LASTMOD_AT.isoformat()} is "
                               "its sitemap lastmod (a modification time, not the publish time)"),
             "info_bar_source": ("archived", "ok", "经济日报 copy of a 科技日报 story: 来源：科技日报 in the info bar"),
             "aggregator_first": ("archived", "ok",
                                  f"seed {AGGREGATOR_FIRST_SEED}'s finews copy; the 科技日报 original appears only at "
                                  f"{AGGREGATOR_FIRST_APPEARS.isoformat()}: Replay(clock=AGGREGATOR_FIRST_CLOCK) "
                                  "serves the copy alone"),
             "gbk_meta_only": ("archived", "ok", "GBK page; charset only in <meta>, none in Content-Type"),
             "gb2312_gb18030": ("archived", "ok", "declares gb2312, holds 镕 喆 堃 (GBK) and 䶮 (GB18030 4-byte)"),
             "mobile_link": ("archived", "ok", "listing links m.bjnews.com.cn; canonical is www"),
             "tracking_link": ("archived", "ok", "feed links carry utm_* parameters"),
             "conditional": ("archived", "not_modified", "ETag/Last-Modified; 304 on If-None-Match/If-Modified-Since")}
    for name, (host, path, source) in extra.items():
        e, o, note = notes[name]
        out[name] = HardCase(name, source, host, path, e, o, note)
    return out


def post_cases(world) -> dict[str, tuple[str, str, str]]:
    """(host, path, source) of the hard cases that are ordinary posts of the corpus."""
    from .sites.bjnews import mobile_linked
    posts = {n: p for n, p in world.hard_posts.items() if p.source in world.sites}
    out = {n: (posts[n].host, posts[n].path, posts[n].source)
           for n in ("updated", "updated_twice", "lastmod_later", "gbk_meta_only", "gb2312_gb18030") if n in posts}
    sources = world.sites
    copy = next((p for p in world.corpus.posts if p.source == "ce" and p.syndicated_from == "科技日报"), None)
    if copy and "ce" in sources:
        out["info_bar_source"] = (copy.host, copy.path, "ce")
    agg = next((p for p in world.corpus.posts if p.seed == AGGREGATOR_FIRST_SEED and p.source == "finews"), None)
    if agg and "finews" in sources:
        out["aggregator_first"] = (agg.host, agg.path, "finews")
    bj = world.snapshot.web.get("bjnews", [])
    mobile = next((p for p in bj if mobile_linked(p)), None)
    if mobile:
        out["mobile_link"] = (world.sites["bjnews"].mobile, mobile.path, "bjnews")
    bbt = world.snapshot.web.get("bbtnews", [])
    if bbt:
        out["tracking_link"] = (bbt[0].host, bbt[0].path + "?utm_source=rss&utm_medium=feed", "bbtnews")
    seed0 = next((p for p in world.corpus.posts if p.seed == "000" and p.source in world.sites), None)
    if seed0:
        out["conditional"] = (seed0.host, seed0.path, seed0.source)
    return out


def robots_disallowed_paths() -> list[str]:
    return ["/390403.html"]


def add_posts(c) -> None:
    rng = random.Random(f"{c.seed}:hardcases")
    for i, (name, archivable) in enumerate(_UNLISTED.items()):
        path = next(p for n, p, *_ in _HTTP if n == name)
        when = datetime(2022, 7, 27, 9, 10 + i * 3, tzinfo=TZ)
        s = textgen.make_story(rng, when, "chain")
        c.web("btchangqing", s.title, s.paragraphs, when, c.story_id("h"), rng, hard_case=name,
              extra={"num": int(path[1:-5]), "unlisted": True, "archivable": archivable})
    when = datetime(2022, 7, 27, 16, 20, tzinfo=TZ)
    s = textgen.make_story(rng, when, "chain")
    v2 = (s.paragraphs[0] + "(本文已于7月28日14时更新)",) + s.paragraphs[1:] + \
         ("更新:截至7月28日14时,相关平台已完成升级,用户资产不受影响。",)
    c.web("btchangqing", s.title, s.paragraphs, when, c.story_id("h"), rng, hard_case="updated",
          updates=(Version(UPDATED_AT, tuple(v2)),))
    s = textgen.make_story(rng, datetime(2022, 7, 26, 10, 15, tzinfo=TZ))
    c.web("ce", s.title, s.paragraphs, datetime(2022, 7, 26, 10, 15, tzinfo=TZ), c.story_id("h"), rng,
          lead=True, hard_case="gbk_meta_only")
    when = datetime(2022, 7, 25, 15, 30, tzinfo=TZ)
    s = textgen.make_story(rng, when)
    first = ("近日，中国科学院物理研究所研究员李堃、副研究员陶喆和博士后王镕带领的团队，在量子精密测量领域取得新进展。"
             "团队成员刘䶮介绍，相关成果已在国际期刊发表。")
    c.web("ce", "李堃团队在量子精密测量领域取得新进展", (first,) + s.paragraphs[1:], when, c.story_id("h"), rng,
          lead=True, hard_case="gb2312_gb18030")
    _revisions(c, rng)


def _revisions(c, rng: random.Random) -> None:
    """``updated_twice`` (新京报) and ``lastmod_later`` (科技日报): numbers and story ids fixed, so the rest
    of the corpus is numbered as without them."""
    when = datetime(2022, 7, 27, 18, 0, tzinfo=TZ)
    s = textgen.make_story(rng, when)
    v2 = s.paragraphs[:-1] + (s.paragraphs[-1] + "（7月28日11时更新：相关部门已公布实施细则。）",)
    v3 = v2 + ("记者7月28日晚间获悉，首批试点项目名单将于下周公布。",)
    c.web("bjnews", s.title, s.paragraphs, when, "h-updated-twice", rng, lead=True, hard_case="updated_twice",
          updates=(Version(UPDATED_TWICE_AT[0], v2), Version(UPDATED_TWICE_AT[1], v3)),
          extra={"num": int(when.timestamp() * 1000) * 10 + 7})
    s = textgen.make_story(rng, LASTMOD_PUBLISHED)
    fixed = s.paragraphs + ("（更正：本文第二段中的数据已于7月27日更新。）",)
    c.web("stdaily", s.title, s.paragraphs, LASTMOD_PUBLISHED, "h-lastmod-later", rng, lead=True,
          hard_case="lastmod_later", updates=(Version(LASTMOD_AT, fixed),), extra={"num": 519_001})


def sidebar(ctx: Ctx) -> str:
    """热门文章 box of btchangqing's listing: links to every HTTP hard case and the off-site one."""
    titles = {"not_found": "比特币减半倒计时:矿工如何应对", "retry_500": "以太坊合并前夕的十个问题",
              "retry_429": "数字人民币钱包新增功能一览", "redirect_loop": "DeFi协议安全事件复盘",
              "slow": "跨链桥的风险与机遇", "pdf": "2022年区块链产业发展报告(全文)",
              "oversized": "链上数据周报合集", "oversized_chunked": "NFT市场月度数据汇编",
              "truncated_length": "隐私计算技术路线对比", "truncated_html": "分布式存储赛道观察",
              "robots_disallowed": "[推广]某交易平台上线新功能", "bomb_gzip_identity": "矿池算力分布图解",
              "bomb_stacked": "稳定币储备审计报告", "stacked_gzip": "Layer2扩容方案横评",
              "unknown_encoding": "零知识证明入门", "redirect_offsite": "巴比特独家:交易所牌照动态",
              "long_url": "区块链专题合集(长链接)"}
    items = [f'<li><a href="{ctx.url(BT, p)}">{esc(titles[n])}</a></li>' for n, p, *_ in _HTTP]
    items.append(f'<li><a href="{ctx.url(*OFFSITE)}">巴比特:全球区块链资讯速览</a></li>')
    items.append(f'<li><a href="http://{IPV6_LINK[0]}{IPV6_LINK[1]}">IPv6 节点观察</a></li>')
    items.append(f'<li><a href="{userinfo_link(ctx)}">链上身份认证指南</a></li>')
    return '<aside class="widget hot-posts"><h3>热门文章</h3><ul>' + "\n".join(items) + "</ul></aside>"


def userinfo_link(ctx: Ctx) -> str:
    """``http://<btchangqing host:port>@<www.8btc.com host:port>/390607.html``."""
    return f"http://{ctx.host_map[BT]}@{ctx.host_map[OFFSITE[0]]}{USERINFO_LINK[1]}"


def discovery_routes() -> dict[str, str]:
    """Path -> hard case name of the hostile discovery documents on btchangqing."""
    out = {SITEMAP_LOOP: "sitemap_loop", SITEMAP_FLOOD: "sitemap_flood"}
    out.update({SITEMAP_DEEP.format(k=k): "sitemap_deep" for k in range(1, DEEP_LEVELS + 1)})
    out.update({SITEMAP_FLOOD_CHILD.format(k=k): "sitemap_flood" for k in range(1, FLOOD_CHILDREN + 1)})
    return out
