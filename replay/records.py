"""Ground truth: what a correct crawl + extraction of the replay should archive."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from urllib.parse import urlsplit

from . import epaper
from .model import Post, plain


@dataclass(frozen=True)
class ArticleRecord:
    source: str
    url: str                          # replay URL (http://127.0.0.1:PORT/path), desktop host
    real_url: str                     # the same page on the real site
    channel: str                      # "web" (found by feeds/sitemaps/listings) or "epaper" (by the archive)
    title: str
    published: datetime               # aware, +08:00
    modified: datetime                # == published unless the article was updated
    authors: tuple[str, ...]          # reporters/writers named on the page
    editors: tuple[str, ...]          # editorial staff named on the page: 责任编辑 / 编辑, 校对
    syndicated_from: str | None       # e.g. 科技日报 for finews' （文章来源：科技日报）
    syndicated_from_source: str | None   # the source id of that outlet (stdaily)
    section: str | None
    paragraphs: tuple[str, ...]       # body text, one entry per paragraph (sub-headings included)
    story: str                        # same value for every copy of one story (syndication, e-paper)
    seed: str | None                  # "000".."004" for the seed stories
    is_update: bool                   # the served text is a later version of the article
    hard_case: str | None
    near_miss_of: str | None          # URL of the near-miss partner (same template, different story)
    listed: bool                      # reachable from listings/feeds/sitemaps (False: only from a sidebar)
    charset: str                      # codec of the page bytes

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)

    def to_json(self) -> dict:
        d = asdict(self)
        d["published"], d["modified"] = self.published.isoformat(), self.modified.isoformat()
        d["body"] = self.body
        return d


def record(post: Post, clock: datetime, url: str, real_url: str, charset: str,
           near_miss_url: str | None) -> ArticleRecord:
    paras, modified, updated = post.version(clock)
    return ArticleRecord(
        source=post.source, url=url, real_url=real_url, channel=post.channel, title=post.title,
        published=post.published, modified=modified, authors=post.authors, editors=post.editors,
        syndicated_from=post.syndicated_from, syndicated_from_source=_outlet_source(post.syndicated_from),
        section=post.section, paragraphs=tuple(plain(p) for p in paras),
        story=post.story, seed=post.seed, is_update=updated, hard_case=post.hard_case,
        near_miss_of=near_miss_url, listed=not post.extra.get("unlisted"), charset=charset)


def _outlet_source(name: str | None) -> str | None:
    from .styles import STYLES
    return next((sid for sid, st in STYLES.items() if name and st.name == name), None)


def ground_truth(world, real_config, url) -> list[ArticleRecord]:
    """Records of every visible post a correct crawler archives with its full text."""
    snap = world.snapshot
    by_story = {(p.source, p.channel, p.story): p for p in world.corpus.posts}
    out = []
    for p in snap.visible:
        if p.extra.get("archivable") is False:
            continue
        partner = by_story.get((p.source, p.channel, p.near_miss_of)) if p.near_miss_of else None
        scheme = urlsplit(real_config.get(p.source).base_url).scheme
        charset = epaper.encoding(p.source)[0] if p.channel == "epaper" else world.sites[p.source].encoding_for(p)[0]
        out.append(record(p, snap.clock, url(p.host, p.path), f"{scheme}://{p.host}{p.path}", charset,
                          url(partner.host, partner.path) if partner else None))
    return sorted(out, key=lambda r: (r.source, r.published, r.url))
