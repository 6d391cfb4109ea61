"""Nothing fetched is lost: the conservation check over the ledger, and the pending-work alarm.

For every source and crawl date, each article page the crawl archived with a 2xx status
(``pipeline.segments.article_pages``, counted from the crawl logs) must end up as exactly one of

* a sighting (the page's content is archived: a new article or a copy of one),
* a page reject (``decode``, ``extract`` or ``publish`` stage, or ``fetch``/``raw_unreadable``
  when the raw record could not be read back), or
* pending work: its raw segment is registered but not published yet.

``unaccounted = fetched - archived - rejected - pending`` is 0 when nothing was lost or counted
twice (the ``conservation`` view computes the same). Pending work older than a threshold (default
6 hours, ``NEWSARCHIVE_PENDING_HOURS``) means stage or publish is stuck: quality fails, naming the
source and the count.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta

#: Default age after which pending work fails quality.
PENDING_HOURS = 6.0


def pending_hours() -> float:
    return float(os.environ.get("NEWSARCHIVE_PENDING_HOURS") or PENDING_HOURS)


@dataclass
class Balance:
    """The conservation of one source on one crawl date (a row of the ``conservation`` view)."""
    source: str
    dt: str
    segments: int
    fetched: int          # article pages archived with 2xx by the crawl
    archived: int         # sightings of published segments
    rejected: int         # page rejects of published segments
    pending: int          # article pages of segments not published yet
    pending_segments: int
    oldest_pending: datetime | None

    @property
    def unaccounted(self) -> int:
        return self.fetched - self.archived - self.rejected - self.pending


def check(balances: list[Balance], now: datetime, hours: float | None = None) -> list[str]:
    """Quality failures: pages unaccounted for, and pending work older than ``hours``."""
    hours = pending_hours() if hours is None else hours
    out = []
    for b in balances:
        if b.unaccounted:
            out.append(f"{b.source}: {abs(b.unaccounted)} article page(s) of {b.dt} "
                       f"{'unaccounted for' if b.unaccounted > 0 else 'counted twice'}: {b.fetched} fetched = "
                       f"{b.archived} archived + {b.rejected} rejected + {b.pending} pending does not hold")
    stuck: dict[str, list[Balance]] = {}
    for b in balances:
        if b.pending_segments and b.oldest_pending is not None and now - b.oldest_pending > timedelta(hours=hours):
            stuck.setdefault(b.source, []).append(b)
    for source, bs in sorted(stuck.items()):
        oldest = min(b.oldest_pending for b in bs)
        out.append(f"{source}: {sum(b.pending_segments for b in bs)} raw segment(s) with "
                   f"{sum(b.pending for b in bs)} article page(s) not archived after {hours:g} h "
                   f"(oldest committed {oldest:%Y-%m-%d %H:%M} UTC, crawl dates "
                   f"{', '.join(sorted(b.dt for b in bs))}): stage or publish is stuck; "
                   "see `newsarchive status`")
    return out
