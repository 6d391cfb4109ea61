"""Where a story came from: every statement a page makes about its origin, resolved and weighed.

``find_syndication(statements, outlets, own_source, own_names)`` -> ``Syndication(name, source, detail)``.

Places a page states its origin, most specific first (``WHERES``):

* ``url``    – a link to the original page: JSON-LD ``isBasedOn`` (a URL, or the ``url``/``@id`` of
  the work), ``<meta name="original-source">`` / ``syndication-source``;
* ``body``   – a credit line of the text: ``（文章来源：科技日报）``, ``转自人民网``, ``摘自《经济日报》``;
* ``info``   – the 来源 field of the info bar under the headline (``2022-07-27 来源：科技日报 作者：…``);
* ``jsonld`` – ``sourceOrganization``, and the ``publisher`` of an ``isBasedOn`` work;
* ``meta``   – ``<meta name="source">`` and its kin (``ContentSource``, ``dc.source`` …): often a
  template default, so the least specific.

A name resolves to a configured source through ``Outlets`` (its name, id or ``aliases``, compared
after ``pipelines.config.outlet_key``; a combined credit such as ``经济日报-中国经济网`` resolves when
its parts name one source); a URL resolves by ``allowed_domains``. A statement naming the page's own
outlet (its source, ``og:site_name``, the site part of ``<title>``, the page's JSON-LD ``publisher``,
``本报``/``本站``…; a Latin-script name sharing a distinctive word with one of them) is ``own``: not
syndication. A vague one is no outlet (``网络``, ``综合``, ``佚名``, an image credit such as ``资料图``,
a person's name such as ``尹娟``, a citation with a year …). Of the others, the most specific is
``chosen``; the rest ``agrees`` (same outlet) or ``other`` (a conflicting one). ``detail`` keeps all of
them, as JSON.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import urlsplit

from pipelines.config import Source, outlet_key

#: Places, most specific first.
WHERES = ("url", "body", "info", "jsonld", "meta")
_RANK = {w: i for i, w in enumerate(WHERES)}
#: Parts of a combined credit (``经济日报-中国经济网``, ``人民网-科技频道``).
_PARTS = re.compile(r"\s*(?:[-—–_|｜/·]+|\s)\s*")
#: Names that claim the page itself (本报 = "this paper").
_SELF = frozenset(outlet_key(n) for n in (
    "本报", "本站", "本网", "本刊", "本台", "本社", "本报讯", "原创", "本站原创", "本网原创", "独家", "本报原创"))
#: Names that are no outlet.
_VAGUE = frozenset(outlet_key(n) for n in (
    "网络", "互联网", "网友", "网友投稿", "投稿", "佚名", "未知", "不详", "转载", "转载文章", "综合", "综合报道",
    "综合整理", "整理", "网络整理", "来源网络", "网络转载", "其他", "其它", "编辑部", "none", "null", "unknown",
    "n/a", "-"))
_YEAR = re.compile(r"\d{4}")
MAX_NAME = 30
#: An image credit (来源：资料图), not the text's origin.
_IMAGE = re.compile(r"(?:图|图片|照片|视频)$")
#: A person's name (2-3 Han characters after a common surname) is a contributor, not an outlet – unless it
#: ends like an outlet (报, 网, 社 …).
_SURNAMES = set("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
                "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_OUTLET_END = re.compile(r"(?:报|网|社|台|刊|视|讯|闻|志|圈|号|家|在线)$")
_LATIN_WORD = re.compile(r"[a-z][a-z0-9]{4,}")
_GENERIC_WORDS = frozenset({"news", "daily", "online", "times", "press", "media", "journal", "group", "network",
                            "world", "china", "global", "international"})


@dataclass(slots=True)
class Statement:
    where: str
    name: str                      # as written (a URL for ``url``)
    source: str | None = None      # resolved source id
    role: str = ""                 # chosen | agrees | other | own | vague

    def to_json(self) -> dict:
        return {"where": self.where, "name": self.name, "source": self.source, "role": self.role}


@dataclass(slots=True)
class Syndication:
    name: str | None = None
    source: str | None = None
    detail: str | None = None


class Outlets:
    """Outlet names and hosts of the configured sources (``Outlets(config.sources)``)."""

    def __init__(self, sources: Iterable[Source]):
        self.sources = [s for s in sources if s is not None]
        self.keys = {outlet_key(n): s.id for s in self.sources for n in s.outlet_names()}
        self.names = {s.id: s.name for s in self.sources}

    def source_of(self, name_or_url: str) -> str | None:
        """The source id an outlet name or URL stands for, or None."""
        if name_or_url.startswith(("http://", "https://", "//")):
            url = name_or_url if not name_or_url.startswith("//") else "http:" + name_or_url
            return next((s.id for s in self.sources if s.allows_host(url)), None)
        key = outlet_key(name_or_url)
        if key in self.keys:
            return self.keys[key]
        parts = [outlet_key(p) for p in _PARTS.split(name_or_url) if outlet_key(p)]
        first = self.keys.get(parts[0]) if parts else None    # the outlet comes first, then a channel
        others = {self.keys.get(p) for p in parts[1:]} - {None}
        return first if first and others <= {first} else None


def clean_name(name: str) -> str:
    """A stated name without labels and decoration: ``来源：《羊城晚报》`` -> 羊城晚报."""
    name = re.sub(r"^\s*(?:(?:文章|稿件|新闻|信息|内容)?来源(?:于|自)?|稿源|转自|转载自)\s*[:：]?\s*", "", name or "")
    return name.strip(" \t\r\n　《》「」“”\"'（）()【】[]:：")


def find_syndication(statements: Iterable[tuple[str, str]], outlets: Outlets, own_source: str | None,
                     own_names: Iterable[str] = (), page_url: str | None = None) -> Syndication:
    """Weigh ``(where, name or URL)`` statements (any order); see the module docstring."""
    own_keys = {outlet_key(n) for n in own_names if n and outlet_key(n)}
    page_host = (urlsplit(page_url).hostname or "") if page_url else ""
    found: list[Statement] = []
    for where, raw in statements:
        name = raw.strip() if where == "url" else clean_name(raw)
        if not name or any(s.where == where and s.name == name for s in found):
            continue
        st = Statement(where, name, outlets.source_of(name))
        st.role = _judge(st, own_source, own_keys, page_host)
        found.append(st)
    if not found:
        return Syndication()
    found.sort(key=lambda s: _RANK[s.where])    # stable: the page's order within a place
    candidates = [s for s in found if not s.role]
    out = Syndication(detail=None)
    if candidates:
        chosen = candidates[0]
        chosen.role = "chosen"
        for s in candidates[1:]:
            s.role = "agrees" if _same(s, chosen) else "other"
        out.source = chosen.source
        out.name = chosen.name if chosen.where != "url" else _url_name(chosen, candidates, outlets)
    out.detail = json.dumps([s.to_json() for s in found], ensure_ascii=False)
    return out


def _judge(st: Statement, own_source: str | None, own_keys: set[str], page_host: str) -> str:
    if st.where == "url":
        host = urlsplit(st.name if "//" in st.name else "http://" + st.name).hostname or ""
        if not host:
            return "vague"
        own = (st.source is not None and st.source == own_source) or (st.source is None and host == page_host)
        return "own" if own else ""
    key = outlet_key(st.name)
    if key in _SELF:
        return "own"
    if st.source is not None and st.source == own_source:
        return "own"
    first = outlet_key(_PARTS.split(st.name)[0])
    if key in own_keys or first in own_keys or _shares_a_word(st.name, own_keys):
        return "own"
    if key in _VAGUE or len(key) < 2 or len(st.name) > MAX_NAME or _YEAR.search(st.name) or _IMAGE.search(key):
        return "vague"
    if st.source is None and _is_person(st.name):
        return "vague"
    return ""


def _shares_a_word(name: str, own_keys: set[str]) -> bool:
    """Latin-script names sharing a distinctive word: ``Tin nhanh VnExpress`` ~ ``Báo VnExpress``."""
    words = set(_LATIN_WORD.findall(name.casefold())) - _GENERIC_WORDS
    return bool(words) and any(w in k for w in words for k in own_keys)


def _is_person(name: str) -> bool:
    name = name.strip()
    return (2 <= len(name) <= 3 and all("\u4e00" <= ch <= "\u9fff" for ch in name) and name[0] in _SURNAMES
            and not _OUTLET_END.search(name))


def _same(a: Statement, b: Statement) -> bool:
    if a.source is not None or b.source is not None:
        return a.source == b.source
    return outlet_key(a.name) == outlet_key(b.name)


def _url_name(chosen: Statement, candidates: list[Statement], outlets: Outlets) -> str:
    """The outlet name for a chosen URL: a named statement of the same source, its configured name, its host."""
    if chosen.source is not None:
        named = next((s for s in candidates if s.where != "url" and s.source == chosen.source), None)
        return named.name if named else outlets.names[chosen.source]
    return urlsplit(chosen.name).hostname or chosen.name
