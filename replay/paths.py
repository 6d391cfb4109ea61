"""URL shapes of every replayed source (real host names; the server maps them to ports).

They follow ``config/sources.yaml``: article paths match ``article_patterns`` and
e-paper paths match ``discovery.archive`` (``tests/replay_sites`` checks both).
"""
from __future__ import annotations

from datetime import date, datetime

WEB_HOST = {
    "stdaily": "www.stdaily.com", "bbtnews": "www.bbtnews.com.cn", "bjnews": "www.bjnews.com.cn",
    "ce": "www.ce.cn", "finews": "finews.withounder.com", "btchangqing": "www.btchangqing.cn",
}
EPAPER_HOST = {
    "stdaily": "digitalpaper.stdaily.com", "bbtnews": "epaper.bbtnews.com.cn",
    "bjnews": "epaper.bjnews.com.cn", "ce": "paper.ce.cn",
}
#: Hosts that pages link to but a correct crawler never requests.
FOREIGN_HOSTS = ("finews.zning.xyz", "service.weibo.com", "hm.baidu.com", "www.8btc.com")

_EPAPER_DIR = {
    "stdaily": "/http_www.kjrb.com/kjrb/html/{d:%Y-%m}/{d:%d}/",
    "bbtnews": "/site1/bjsb/html/{d:%Y-%m}/{d:%d}/",
    "bjnews": "/html/{d:%Y-%m}/{d:%d}/",
}
#: Number of the first 版面 node (科技日报's index is node_2.htm).
EPAPER_FIRST_NODE = {"stdaily": 2, "bbtnews": 1, "bjnews": 1, "ce": 1}


def web_path(source: str, published: datetime, num: int, slug: str = "", category: str = "") -> str:
    d = published
    if source == "stdaily":
        return f"/index/kejixinwen/{d:%Y-%m}/{d:%d}/content_{num}.shtml"
    if source == "bbtnews":
        return f"/{d:%Y}/{d:%m%d}/{num}.shtml"
    if source == "bjnews":
        return f"/detail/{num}.html"
    if source == "ce":
        return f"/cysc/tech/{d:%Y%m}/{d:%d}/t{d:%Y%m%d}_{num}.shtml"
    if source == "finews":
        return f"/{category}/{d:%Y}/{d:%m}/{d:%d}/{slug}.html"
    if source == "btchangqing":
        return f"/{num}.html"
    raise KeyError(source)


def epaper_node(source: str, day: date, page: int) -> str:
    """Path of 版面 ``page`` (1-based) of the edition of ``day``."""
    n = EPAPER_FIRST_NODE[source] + page - 1
    if source == "ce":
        return f"/pc/layout/{day:%Y%m}/{day:%d}/node_{n:02d}.html"
    return _EPAPER_DIR[source].format(d=day) + f"node_{n}.htm"


def epaper_content(source: str, day: date, num: int) -> str:
    if source == "ce":
        return f"/pc/content/{day:%Y%m}/{day:%d}/content_{num}.html"
    return _EPAPER_DIR[source].format(d=day) + f"content_{num}.htm"


def date_archive(source: str, day: date) -> str:
    """Date archive page of the sites without an e-paper (Jekyll / WordPress)."""
    if source == "finews":
        return f"/{day:%Y}/{day:%m}/{day:%d}/"
    if source == "btchangqing":
        return f"/{day:%Y}/{day:%m}/{day:%d}"
    raise KeyError(source)
