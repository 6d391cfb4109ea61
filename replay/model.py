"""The replay's content model: one ``Post`` per served article URL.

A story published on several sites (or in the web edition and the e-paper of
one site) is several posts sharing a ``story`` id. Times are aware datetimes in
Asia/Shanghai. A post is visible once ``visible_at <= clock`` (its ``published``
time, unless it ``appears`` later than the time it shows); an updated post
switches to its later version once the clock passes ``Version.at``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
#: Default replay clock: after every seed story and the whole synthetic corpus.
DEFAULT_CLOCK = datetime(2022, 7, 28, 8, 0, tzinfo=TZ)


@dataclass(frozen=True, slots=True)
class Version:
    at: datetime
    paragraphs: tuple[str, ...]


@dataclass(slots=True)
class Post:
    source: str
    channel: str                      # "web" or "epaper"
    host: str                         # real host name, e.g. www.stdaily.com
    path: str
    title: str
    published: datetime
    paragraphs: tuple[str, ...]       # '## ' marks a sub-heading
    story: str                        # shared by every copy of one story
    authors: tuple[str, ...] = ()     # reporters / writers named on the page
    editor: str | None = None         # 责任编辑 / 编辑 named on the page
    proofreader: str | None = None    # 校对 named on the page
    section: str | None = None
    syndicated_from: str | None = None
    seed: str | None = None           # "000".."004" for the seed stories
    updates: tuple[Version, ...] = ()
    hard_case: str | None = None
    near_miss_of: str | None = None   # story id of the near-miss partner
    extra: dict = field(default_factory=dict)   # site-specific: info_code, page name, quirks…
    appears: datetime | None = None   # online only from then (later than ``published``, the time it shows)

    @property
    def visible_at(self) -> datetime:
        return self.appears or self.published

    @property
    def editors(self) -> tuple[str, ...]:
        """Editorial staff the page names (责任编辑/编辑, 校对)."""
        return tuple(x for x in (self.editor, self.proofreader) if x)

    def version(self, clock: datetime) -> tuple[tuple[str, ...], datetime, bool]:
        """(paragraphs, modified, is_update) as served at ``clock``."""
        paras, modified, updated = self.paragraphs, self.published, False
        for v in self.updates:
            if v.at <= clock:
                paras, modified, updated = v.paragraphs, v.at, True
        return paras, modified, updated

    @property
    def day(self) -> date:
        return self.published.astimezone(TZ).date()


def plain(paragraph: str) -> str:
    """A paragraph as text: sub-heading marker removed."""
    return paragraph[3:] if paragraph.startswith("## ") else paragraph


_TO_HALF = str.maketrans({"，": ",", "：": ":", "；": ";", "？": "?", "！": "!", "（": "(", "）": ")"})
_TO_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}
_HALF_PUNCT = re.compile(r"(?<!\d)[,:](?!\d)|(?<=\d)[,:](?!\d)|(?<!\d)[,:](?=\d)|[;?!()]")


def half_width(text: str) -> str:
    """Half-width punctuation as reposting sites and the e-paper export write it (。“” stay)."""
    return text.translate(_TO_HALF)


def full_width(text: str) -> str:
    """Full-width punctuation; ``,``/``:`` between two digits (1,200 / 12:51) stay."""
    return _HALF_PUNCT.sub(lambda m: _TO_FULL[m.group()], text)
