"""What a crawl may still fetch: allowed hosts, article URLs, the seen-set, freshness and the request budget.

No Scrapy here; the spider asks ``admit_article(url, published)`` and gets a reason when not.
The budget is shared: discovery pages (feeds, sitemaps, listings, archive pages) may take at most
``DISCOVERY_SHARE`` of it, so however many sitemaps or pages a site offers, at least the rest is
left for the articles they lead to (articles may use whatever discovery leaves); re-fetches of
recent articles, sent first, at most ``REFETCH_SHARE``.
"""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import date, datetime

from pipelines.config import Source
from pipelines.capture.seen import SeenSet
from pipelines.urls import canonicalize

#: The part of the request budget that discovery pages may use.
DISCOVERY_SHARE = 0.5
#: The part of the request budget that re-fetches of recent articles may use (they are sent first).
REFETCH_SHARE = 0.25
_DATE_IN_PATH = re.compile(r"(?<!\d)(\d{4})[-/_]?(\d{2})[-/_]?(\d{2})(?!\d)")


@dataclass
class Frontier:
    source: Source
    seen: SeenSet
    budget: int
    cutoff: datetime | None = None          # entries published before are too old (None: no limit)
    requests: int = 0
    discovery_requests: int = 0
    scheduled: set[str] = field(default_factory=set)
    skipped: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        mh = self.source.mobile_hosts
        #: canonicalize() memoized: a URL is canonicalized for admission, fetch, log and seen rows
        self.canonical = lru_cache(maxsize=1 << 16)(lambda url: canonicalize(url, mh))

    def key(self, url: str) -> str:
        """``pipelines.urls.url_key`` through the memo."""
        return self.canonical(url).split("://", 1)[1]

    def _skip(self, reason: str) -> str:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1
        return reason

    @property
    def discovery_budget(self) -> int:
        return max(1, int(self.budget * DISCOVERY_SHARE))

    def take(self, discovery: bool = False) -> bool:
        """Spend one request of the budget; False (and counted) when it is used up, or for a
        discovery page when discovery has used its share (``discovery_budget``)."""
        if self.requests >= self.budget:
            self._skip("budget")
            return False
        if discovery and self.discovery_requests >= self.discovery_budget:
            self._skip("discovery_budget")
            return False
        self.requests += 1
        self.discovery_requests += discovery
        return True

    @property
    def exhausted(self) -> bool:
        return self.skipped.get("budget", 0) > 0 or self.skipped.get("discovery_budget", 0) > 0

    def admit_article(self, url: str, published: datetime | None = None) -> str | None:
        """None when the article URL should be fetched now, else the reason it is not."""
        if not self.is_article(url):
            return self._skip("not_article")
        if not self.source.allows_host(url):
            return self._skip("offsite_link")
        if published is not None and self.cutoff is not None and published < self.cutoff:
            return self._skip("too_old")
        k = self.key(url)
        if k in self.scheduled:
            return self._skip("duplicate")
        if k in self.seen:
            return self._skip("seen")
        self.scheduled.add(k)
        return None

    def is_article(self, url: str) -> bool:
        """Article patterns are matched on the canonical URL (tracking parameters gone)."""
        return self.source.is_article_url(url) or self.source.is_article_url(self.canonical(url))

    def is_archived(self, url: str) -> bool:
        """Already archived before this crawl (the listing stop rule)."""
        return self.key(url) in self.seen

    def claim(self, url: str) -> bool:
        """Mark a non-article URL (archive page, refetch) as scheduled; False if it already was."""
        k = self.key(url)
        if k in self.scheduled:
            return False
        self.scheduled.add(k)
        return True


def dates_in_path(url: str) -> set[date]:
    """Calendar dates written in a URL path (``2022-07/27``, ``202207/27``, ``2022/07/27``, ``20220727``)."""
    from urllib.parse import urlsplit
    out = set()
    for y, m, d in _DATE_IN_PATH.findall(urlsplit(url).path):
        try:
            out.add(date(int(y), int(m), int(d)))
        except ValueError:
            continue
    return out


def on_other_date(url: str, day: date) -> bool:
    """The URL names a date, and not ``day`` (archive links to other issues are not followed)."""
    found = dates_in_path(url)
    return bool(found) and day not in found
