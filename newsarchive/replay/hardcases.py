"""The hard cases a crawler must survive. HTTP ones live on btchangqing, encodings on ce.

Each is reachable the way a crawler finds pages: the HTTP cases are linked from the
sidebar of btchangqing's listing page 1 (and its home page); the others are regular
posts (listing, feed, sitemap). ``Replay.hard_cases`` maps name -> URL and
``Replay.hard_case_info`` says what a correct crawler should end up with.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from . import textgen
from .chrome import Ctx, esc
from .model import TZ, Version

BT = "www.btchangqing.cn"


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
    ("robots_disallowed", "/390403.html", "never_requested", "robots_disallowed",
     "article-shaped path disallowed by robots.txt, linked from the listing"),
)
#: Hard cases that are posts with article content (numbers fixed, not in listings/feeds/sitemaps).
_UNLISTED = {"retry_500": True, "retry_429": True, "slow": False, "truncated_length": False,
             "truncated_html": False, "robots_disallowed": False}   # value: archivable with full text
REDIRECT_PARTNER = "/390302.html"
OFFSITE = ("www.8btc.com", "/390999.html")
UPDATED_AT = datetime(2022, 7, 28, 14, 0, tzinfo=TZ)


def cases(extra: dict[str, tuple[str, str, str]], http: bool = True) -> dict[str, HardCase]:
    """All hard cases; ``extra`` gives (host, path, source) of the post-based ones."""
    out = {n: HardCase(n, "btchangqing", BT, p, e, o, note) for n, p, e, o, note in _HTTP} if http else {}
    if http:
        out["offsite"] = HardCase("offsite", "btchangqing", *OFFSITE, "never_requested", "offsite",
                                  "article-shaped link to a foreign host from the listing")
    notes = {"updated": ("archived_twice", "ok", f"body and modified time change at {UPDATED_AT.isoformat()}"),
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
    out = {n: (posts[n].host, posts[n].path, posts[n].source) for n in ("updated", "gbk_meta_only", "gb2312_gb18030")
           if n in posts}
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


def sidebar(ctx: Ctx) -> str:
    """热门文章 box of btchangqing's listing: links to every HTTP hard case and the off-site one."""
    titles = {"not_found": "比特币减半倒计时:矿工如何应对", "retry_500": "以太坊合并前夕的十个问题",
              "retry_429": "数字人民币钱包新增功能一览", "redirect_loop": "DeFi协议安全事件复盘",
              "slow": "跨链桥的风险与机遇", "pdf": "2022年区块链产业发展报告(全文)",
              "oversized": "链上数据周报合集", "oversized_chunked": "NFT市场月度数据汇编",
              "truncated_length": "隐私计算技术路线对比", "truncated_html": "分布式存储赛道观察",
              "robots_disallowed": "[推广]某交易平台上线新功能"}
    items = [f'<li><a href="{ctx.url(BT, p)}">{esc(titles[n])}</a></li>' for n, p, *_ in _HTTP]
    items.append(f'<li><a href="{ctx.url(*OFFSITE)}">巴比特:全球区块链资讯速览</a></li>')
    return '<aside class="widget hot-posts"><h3>热门文章</h3><ul>' + "\n".join(items) + "</ul></aside>"
