"""House style of each replayed source: how a story becomes one of its posts."""
from __future__ import annotations

import random
from dataclasses import dataclass

from . import textgen
from .model import TZ


@dataclass(frozen=True)
class Style:
    kind: str = "tech"            # story kind generated for this source
    count: int = 10               # synthetic originals per scale unit
    lead: str | None = None       # prefix of the first paragraph, over {m} {d} {names} {media}
    reporters: tuple[int, int] = (1, 2)
    section: str | None = None
    name: str = ""                # outlet name, as in （文章来源：科技日报）
    page_label: str = "第{n:02d}版：{name}"
    page_names: tuple[str, ...] = ("要闻", "综合新闻", "区域创新", "产业经济", "科技金融", "评论")


STYLES = {
    "stdaily": Style(count=14, lead="科技日报北京{m}月{d}日电 （记者{names}）", section="kejixinwen", name="科技日报",
                     page_names=("要闻", "综合新闻", "国际新闻", "区域创新", "科技金融", "健康")),
    "bbtnews": Style(count=12, lead="北京商报讯（记者 {names}）", section="科技", name="北京商报",
                     page_label="第{n}版：{name}", page_names=("要闻", "科技", "商业", "金融", "产经", "文娱")),
    "bjnews": Style(count=12, lead="新京报讯（记者{names}）", reporters=(1, 1), section="科技", name="新京报",
                    page_label="A{n:02d}版：{name}", page_names=("要闻", "时事", "北京新闻", "北京新闻", "经济新闻", "科技")),
    "ce": Style(count=10, lead=None, reporters=(1, 1), section="cysc", name="经济日报",
                page_names=("要闻", "综合", "产经", "科技", "地方", "理论")),
    "finews": Style(count=0, name="finews"),
    "btchangqing": Style(kind="chain", count=8, lead="据{media}消息，", reporters=(0, 0), section="区块链",
                         name="币长青"),
}
#: Sources with a separate e-paper (print edition) host.
EPAPER_SOURCES = ("stdaily", "bbtnews", "bjnews", "ce")
#: Order in which ``Replay.advance`` spreads new articles over the sources.
ADVANCE_ORDER = ("stdaily", "bbtnews", "bjnews", "ce", "finews", "btchangqing")


def reporters(rng: random.Random, style: Style) -> tuple[str, ...]:
    return tuple(textgen.person_name(rng) for _ in range(rng.randint(*style.reporters)))


def with_lead(style: Style, paragraphs: tuple[str, ...], names: tuple[str, ...], when,
              rng: random.Random) -> tuple[str, ...]:
    """Prefix the house dateline/credit (e.g. 北京商报讯（记者 王晨 李佳）) to the first paragraph."""
    if not style.lead:
        return paragraphs
    local = when.astimezone(TZ)
    media = rng.choice(textgen.pools()["media"])
    lead = style.lead.format(m=local.month, d=local.day, names=" ".join(names), media=media)
    return (lead + paragraphs[0],) + paragraphs[1:]


def page_label(source: str, page: int) -> str:
    st = STYLES[source]
    return st.page_label.format(n=page, name=st.page_names[(page - 1) % len(st.page_names)])
