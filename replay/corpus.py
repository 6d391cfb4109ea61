"""The deterministic replay corpus: seed stories, synthetic stories, syndicated copies, e-paper twins.

``Corpus(scale)`` builds every post published before ``DEFAULT_CLOCK``;
``Corpus.generate(n, start, end)`` adds ``n`` new web articles for ``Replay.advance``.
The same arguments always give the same posts, paths and text.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from . import paths, textgen
from .model import TZ, Post, half_width
from .styles import ADVANCE_ORDER, EPAPER_SOURCES, STYLES, page_label, reporters, with_lead

#: Synthetic originals are spread over this many days before DEFAULT_CLOCK.
WINDOW_DAYS = 21
_FIRST_NUM = {"stdaily": 512_300, "bbtnews": 440_120, "ce": 37_800_450, "btchangqing": 381_020}
_FIRST_EPAPER_NUM = {"stdaily": 538_100, "bbtnews": 61_200, "bjnews": 120_400, "ce": 7_410}


class Corpus:
    def __init__(self, scale: int = 1, seed: str = "newsarchive-replay"):
        self.scale, self.seed = scale, seed
        self.posts: list[Post] = []
        self._next = dict(_FIRST_NUM)
        self._next_epaper = dict(_FIRST_EPAPER_NUM)
        self._edition_size: dict[tuple[str, object], int] = {}
        self._printed: set[tuple[str, str]] = set()
        self._rng = random.Random(f"{seed}:{scale}:numbers")
        self._story_n = 0
        from . import seeds, synthetic
        seeds.place_seeds(self)
        synthetic.build(self)
        self._number_all()

    # -- creating posts ------------------------------------------------------------------
    def story_id(self, prefix: str = "s") -> str:
        self._story_n += 1
        return f"{prefix}{self._story_n:05d}"

    def web(self, source: str, title: str, paragraphs: tuple[str, ...], published: datetime, story: str,
            rng: random.Random, *, authors: tuple[str, ...] | None = None, lead: bool = False,
            twin: bool = True, **kw) -> Post:
        """A web post of ``source``; ``lead`` adds the house dateline with generated reporters."""
        style = STYLES[source]
        if authors is None:
            authors = reporters(rng, style) if lead else ()
        if lead:
            paragraphs = with_lead(style, paragraphs, authors, published, rng)
        if source == "btchangqing":   # the repost site writes half-width punctuation
            paragraphs, title = tuple(half_width(p) for p in paragraphs), half_width(title)
        kw.setdefault("section", style.section)
        kw.setdefault("editor", textgen.person_name(rng) if source != "btchangqing" else None)
        if source == "bjnews" and kw["editor"]:   # 编辑 … 校对 …
            kw.setdefault("proofreader", textgen.person_name(random.Random(story)))
        post = Post(source=source, channel="web", host=paths.WEB_HOST[source], path="", title=title,
                    published=published, paragraphs=paragraphs, story=story, authors=authors, **kw)
        self.posts.append(post)
        if twin and source in EPAPER_SOURCES and post.syndicated_from is None and not post.hard_case:
            self.epaper(post, (published.astimezone(TZ) + timedelta(days=1)).date())
        return post

    def epaper(self, web: Post, day, page: int | None = None, **extra) -> Post | None:
        """The print twin of ``web`` in the edition of ``day`` (published at 00:00 that day)."""
        if (web.source, web.story) in self._printed:
            return None
        self._printed.add((web.source, web.story))
        key = (web.source, day)
        n = self._edition_size.get(key, 0)
        self._edition_size[key] = n + 1
        page = page or n // 2 + 1
        paras = tuple(half_width(p) for p in web.paragraphs) if web.source == "bjnews" else web.paragraphs
        title = half_width(web.title) if web.source == "bjnews" else web.title
        post = Post(source=web.source, channel="epaper", host=paths.EPAPER_HOST[web.source], path="",
                    title=title, published=datetime(day.year, day.month, day.day, tzinfo=TZ), paragraphs=paras,
                    story=web.story, authors=web.authors, editor=None, seed=web.seed,
                    section=extra.pop("label", None) or page_label(web.source, page),
                    extra={"page": page, **extra})
        self.posts.append(post)
        return post

    def finews_copy(self, orig: Post, published: datetime, category: str, info_code: str, **extra) -> Post:
        post = Post(source="finews", channel="web", host=paths.WEB_HOST["finews"],
                    path=paths.web_path("finews", published, 0, slug=info_code, category=category),
                    title=orig.title, published=published, paragraphs=orig.paragraphs, story=orig.story,
                    authors=orig.authors, section=category, syndicated_from=STYLES[orig.source].name or None,
                    seed=orig.seed, extra={"info_code": info_code, **extra})
        self.posts.append(post)
        return post

    def info_code(self, when: datetime, rng: random.Random) -> str:
        return f"NW{when.astimezone(TZ):%Y%m%d}{rng.randrange(10**9, 10**10)}"

    # -- numbering -----------------------------------------------------------------------
    def _number(self, post: Post) -> None:
        if post.path:
            return
        if post.channel == "epaper":
            num = self._next_epaper[post.source]
            self._next_epaper[post.source] += self._rng.randint(1, 9)
            post.path = paths.epaper_content(post.source, post.day, num)
            return
        num = post.extra.get("num")
        if num is None and post.source == "bjnews":
            num = int(post.published.timestamp() * 1000) * 10 + self._rng.randint(0, 9)
        if num is None:
            num = self._next[post.source]
            self._next[post.source] += self._rng.randint(3, 40)
        post.path = paths.web_path(post.source, post.published.astimezone(TZ), num)

    def _number_all(self) -> None:
        for post in sorted(self.posts, key=lambda p: (p.published, p.source, p.story)):
            self._number(post)

    # -- growth for Replay.advance --------------------------------------------------------
    def generate(self, n: int, start: datetime, end: datetime, counter: int) -> list[Post]:
        """``n`` new web articles published in (start, end], spread over the sources."""
        from .synthetic import new_article
        span = (end - start) / (n + 1) if n else timedelta(0)
        made = []
        for i in range(n):
            source = ADVANCE_ORDER[(counter + i) % len(ADVANCE_ORDER)]
            rng = random.Random(f"{self.seed}:advance:{counter}:{i}")
            when = min(end, start + span * (i + 1) + timedelta(seconds=rng.randint(0, 59)))
            made.append(new_article(self, source, when, rng))
        self._number_all()
        return made
