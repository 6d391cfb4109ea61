"""Where the five seed stories live in the replay (``corpus/seeds.yaml``).

* 000, 004: 科技日报 (stdaily) originals, republished by finews under ``kejiribao``. 004's original
  appears online only the next morning (``hardcases.AGGREGATOR_FIRST_APPEARS``), after finews' copy.
* 002: 北京商报 (bbtnews) original, republished by finews under ``beijingshangbao``.
* 003: 经济日报 (ce, served as GBK, full-width, uncensored) and the half-width, ``***``-censored
  repost on btchangqing (WordPress chrome, 温馨提示 footer), between its two real neighbours.
* 001: 新京报 e-paper of 2022-07-27 (A04-A05版, half-width, table debris) and the full-width
  web version on www.bjnews.com.cn published ``SEED_001_WEB``.
"""
from __future__ import annotations

import random
import re
from datetime import date, datetime
from functools import lru_cache

import yaml

from . import textgen
from .model import full_width

#: Publication times chosen for the copies whose real time the seeds do not give.
SEED_001_WEB = "2022-07-27 07:45:12 +0800"
SEED_001_EPAPER = date(2022, 7, 27)
SEED_003_CE = "2021-07-14 06:40:00 +0800"
#: WordPress post ids of seed 003 and its neighbours (the seed's 文章链接 is /299537.html).
SEED_003_IDS = (299536, 299537, 299538)


def parse_time(s: str) -> datetime:
    return datetime.strptime(str(s), "%Y-%m-%d %H:%M:%S %z")


@lru_cache(maxsize=1)
def load() -> dict[str, dict]:
    data = yaml.safe_load((textgen.CORPUS_DIR / "seeds.yaml").read_text(encoding="utf-8"))
    return {s["id"]: s for s in data["seeds"]}


def uncensored(paragraphs: list[str], fills: list[str]) -> tuple[str, ...]:
    it = iter(fills)
    return tuple(re.sub(r"\*+", lambda m: next(it), p) for p in paragraphs)


def place_seeds(c) -> None:
    s, rng = load(), random.Random(f"{c.seed}:seeds")
    from .hardcases import AGGREGATOR_FIRST_APPEARS, AGGREGATOR_FIRST_SEED
    for sid, source, category in (("000", "stdaily", "kejiribao"), ("004", "stdaily", "kejiribao"),
                                  ("002", "bbtnews", "beijingshangbao")):
        d, when = s[sid], parse_time(s[sid]["published"])
        authors = ("华凌",) if sid == "004" else ()
        late = AGGREGATOR_FIRST_APPEARS if sid == AGGREGATOR_FIRST_SEED else None   # the aggregator has it first
        orig = c.web(source, d["title"], tuple(d["paragraphs"]), when, f"seed-{sid}", rng, authors=authors, seed=sid,
                     appears=late)
        quirks = ("empty_center_p",) if sid == "004" else ()
        c.finews_copy(orig, when, category, d["info_code"], tags=d["tags"], quirks=quirks)
    _seed_003(c, s["003"], rng)
    _seed_001(c, s["001"], rng)


def _seed_003(c, d: dict, rng: random.Random) -> None:
    paras = uncensored(d["paragraphs"], d["ce_fills"])
    c.web("ce", full_width(d["title"]), tuple(full_width(p) for p in paras), parse_time(SEED_003_CE),
          "seed-003", rng, seed="003", twin=False, authors=())
    prev, nxt = d["neighbours"]
    for (nb, num) in ((prev, SEED_003_IDS[0]), (nxt, SEED_003_IDS[2])):
        when = parse_time(nb["published"])
        story = textgen.make_story(random.Random(f"{c.seed}:neighbour:{num}"), when, "chain")
        c.web("btchangqing", nb["title"], story.paragraphs, when, c.story_id(), rng,
              extra={"num": num})
    c.web("btchangqing", d["title"], tuple(d["paragraphs"]), parse_time(d["published"]), "seed-003", rng,
          seed="003", extra={"num": SEED_003_IDS[1]})


def _seed_001(c, d: dict, rng: random.Random) -> None:
    when = parse_time(SEED_001_WEB)
    web_paras = tuple(full_width(p) for p in d["paragraphs"])
    # The e-paper copy comes first: the web post then needs no print twin.
    proto = c.web("bjnews", full_width(d["title"]), web_paras, when, "seed-001", rng,
                  authors=tuple(d["authors"]), seed="001", twin=False)
    c.epaper(proto, SEED_001_EPAPER, page=4, label=f"{d['epaper_pages']}版：北京新闻",
             credit=d["credit"], footer=d["epaper_footer"])
    ep = c.posts[-1]
    ep.paragraphs, ep.title = tuple(d["paragraphs"]), d["title"]
