"""Synthetic part of the corpus: originals per source, near-miss pairs and syndicated copies."""
from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

from . import textgen
from .model import DEFAULT_CLOCK, TZ, Post
from .styles import STYLES, with_lead, reporters

_LATEST = DEFAULT_CLOCK - timedelta(minutes=10)


def _times(rng: random.Random, n: int, days: int) -> list[datetime]:
    first = (DEFAULT_CLOCK - timedelta(days=days)).replace(hour=0, minute=0, second=0)
    out = []
    for _ in range(n):
        t = first + timedelta(days=rng.randrange(days), hours=rng.randint(7, 22),
                              minutes=rng.randrange(60), seconds=rng.randrange(60))
        out.append(min(t, _LATEST))
    return sorted(out)


def build(c) -> None:
    from . import hardcases
    from .corpus import WINDOW_DAYS
    originals: dict[str, list[Post]] = {}
    for source, style in STYLES.items():
        rng = random.Random(f"{c.seed}:{c.scale}:{source}")
        for when in _times(rng, style.count * c.scale, WINDOW_DAYS):
            story = textgen.make_story(rng, when, style.kind)
            post = c.web(source, story.title, story.paragraphs, when, c.story_id(), rng, lead=True)
            originals.setdefault(source, []).append(post)
    rng = random.Random(f"{c.seed}:{c.scale}:syndication")
    for k in range(c.scale):
        _near_miss(c, rng, "bbtnews", 2 * k + 1)
        _near_miss(c, rng, "ce", 2 * k + 3)
    _syndicate(c, rng, originals)
    hardcases.add_posts(c)


def _near_miss(c, rng: random.Random, source: str, batch: int) -> None:
    when = _times(rng, 1, 14)[0]
    a, b = textgen.make_near_miss_pair(rng, when, batch)
    ids = c.story_id("nm"), c.story_id("nm")
    for story, sid, other, dt in ((a, ids[0], ids[1], 0), (b, ids[1], ids[0], 3)):
        c.web(source, story.title, story.paragraphs, when + timedelta(hours=dt), sid, rng,
              authors=(), near_miss_of=other)


def _syndicate(c, rng: random.Random, originals: dict[str, list[Post]]) -> None:
    """finews reposts most 科技日报/北京商报 stories; ce and btchangqing repost a few."""
    for source, category in (("stdaily", "kejiribao"), ("bbtnews", "beijingshangbao")):
        for orig in originals.get(source, []):
            when = orig.published + timedelta(minutes=rng.randint(10, 240))
            if rng.random() < 0.6 and when < _LATEST:
                c.finews_copy(orig, when, category, c.info_code(when, rng))
    for orig in rng.sample(originals["stdaily"], c.scale):
        when = min(_LATEST, orig.published + timedelta(hours=rng.randint(1, 12)))
        c.web("ce", orig.title, orig.paragraphs, when, orig.story, rng, authors=orig.authors,
              syndicated_from="科技日报")
    for orig in rng.sample(originals["ce"], c.scale):
        when = min(_LATEST, orig.published + timedelta(hours=rng.randint(1, 12)))
        c.web("btchangqing", orig.title, orig.paragraphs + ("来源：经济日报",), when, orig.story, rng,
              authors=(), syndicated_from="经济日报")


def new_article(c, source: str, when: datetime, rng: random.Random) -> Post:
    """One new article for ``Replay.advance`` (finews gets a repost of an unseen 科技日报/北京商报 story)."""
    if source != "finews":
        story = textgen.make_story(rng, when, STYLES[source].kind)
        return c.web(source, story.title, story.paragraphs, when, c.story_id("n"), rng, lead=True)
    outlet, category = rng.choice((("stdaily", "kejiribao"), ("bbtnews", "beijingshangbao")))
    story = textgen.make_story(rng, when, "tech")
    names = reporters(rng, STYLES[outlet])
    paras = with_lead(STYLES[outlet], story.paragraphs, names, when.astimezone(TZ), rng)
    proto = Post(source=outlet, channel="web", host="", path="", title=story.title, published=when,
                 paragraphs=paras, story=c.story_id("n"), authors=names)
    return c.finews_copy(replace(proto), when, category, c.info_code(when, rng))
