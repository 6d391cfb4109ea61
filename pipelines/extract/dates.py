"""Parsing publication dates: ISO 8601, RFC 2822, Chinese (``2021年07月14日 12:51``), US
(``9/17/2004 5:54:13 AM``), European (``23.10.2024 15:48``), URL paths.

``parse_date(s, tz)`` returns a tz-aware ``Stamp`` (naive input is read in
``tz``; ``Stamp.has_offset`` says whether the string itself gave the offset)
or None. ``date_in_url(url, tz)`` reads ``/2022/04/17/``,
``/2022-04/17/``, ``/202204/17/``, ``t20220417_``. Candidates are checked
for plausibility (year 1990..next year); the caller drops future dates.
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime

MIN_YEAR = 1990

_CLOCK = r"(?P<H>\d{1,2})\s*[:：时点]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2})(?:\.\d+)?)?\s*秒?"
_TIME = rf"(?:[T\s]*{_CLOCK})?"
_TZ = r"\s*(?P<tz>Z|UTC|GMT|[+-]\d{2}:?\d{2})?"
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})" + _TIME + _TZ, re.I)
_CN = re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日?" + _TIME + _TZ, re.I)
_SLASH = re.compile(r"(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})" + _TIME + _TZ, re.I)
_US = re.compile(r"(?<![\d/])(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})" + _TIME + r"\s*(?P<ampm>[AP]M)?" + _TZ, re.I)
_EU = re.compile(r"(?<![\d.])(?P<d>\d{1,2})\.\s?(?P<m>\d{1,2})\.\s?(?P<y>\d{4})(?:,?\s*(?:um\s*)?" + _CLOCK + ")?" + _TZ, re.I)
_COMPACT = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?:[T\s-]?(?P<H>[0-2]\d)(?P<M>[0-5]\d)(?P<S>[0-5]\d)?)?(?!\d)")
_URL_PATTERNS = [
    re.compile(r"/(?P<y>(?:19|20)\d{2})[/_-](?P<m>[01]?\d)[/_-](?P<d>[0-3]?\d)(?:/|_|-|\.|$)"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)[/_-]?(?P<d>[0-3]\d)(?:/|_|-|\.|$)"),
    re.compile(r"[/_t](?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)[_/.-]"),
]


@dataclass(frozen=True, slots=True)
class Stamp:
    value: datetime      # tz-aware
    has_time: bool
    has_offset: bool = True   # the string stated its offset (Z, +08:00, RFC 2822 zone); else ``tz`` was assumed

    def in_zone(self, tz: tzinfo) -> "Stamp":
        """The same wall time in ``tz`` (for a stamp whose offset was assumed)."""
        return Stamp(self.value.replace(tzinfo=tz), self.has_time, self.has_offset)

    @property
    def offset_minutes(self) -> int:
        off = self.value.utcoffset() or timedelta(0)
        return int(off.total_seconds() // 60)


def _tzinfo(tzs: str | None, default: tzinfo) -> tzinfo:
    if not tzs:
        return default
    if tzs.upper() in ("Z", "UTC", "GMT"):
        return timezone.utc
    sign = -1 if tzs[0] == "-" else 1
    digits = tzs[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


def _build(m: re.Match, tz: tzinfo) -> Stamp | None:
    g = m.groupdict()
    try:
        y, mo, d = int(g["y"]), int(g["m"]), int(g["d"])
        hh, mm, ss = int(g.get("H") or 0), int(g.get("M") or 0), int(g.get("S") or 0)
        if "ampm" in g:  # M/D/Y, read as D/M/Y when the month cannot be a month
            if mo > 12 >= d:
                mo, d = d, mo
            if (g.get("ampm") or "").upper() == "PM" and hh < 12:
                hh += 12
            elif (g.get("ampm") or "").upper() == "AM" and hh == 12:
                hh = 0
        if not MIN_YEAR <= y <= datetime.now(timezone.utc).year + 1:
            return None
        naive = datetime(y, mo, d, hh, mm, ss)
    except (TypeError, ValueError):
        return None
    zone = _tzinfo(g.get("tz"), tz)
    value = naive.replace(tzinfo=zone)
    return Stamp(value, has_time=g.get("H") is not None, has_offset=bool(g.get("tz")))


def parse_date(s: str | None, tz: tzinfo) -> Stamp | None:
    """A date/time string in any supported format (first match wins)."""
    if not s or not isinstance(s, str):
        return None
    s = s.strip()
    for pat in (_ISO, _CN, _SLASH, _US, _EU):
        m = pat.search(s)
        if m:
            return _build(m, tz)
    if re.search(r"[A-Za-z]{3},?\s+\d{1,2}\s+[A-Za-z]{3}\s+\d{4}", s):  # RFC 2822 (feeds, HTTP)
        try:
            dt = parsedate_to_datetime(s)
        except (TypeError, ValueError):
            dt = None
        if dt is not None:
            return Stamp(dt if dt.tzinfo else dt.replace(tzinfo=tz), has_time=True, has_offset=dt.tzinfo is not None)
    m = _COMPACT.fullmatch(s) or _COMPACT.match(s)
    if m:
        return _build(m, tz)
    return _parse_loose(s, tz)


def _parse_loose(s: str, tz: tzinfo) -> Stamp | None:
    """English month names etc. (``August 5, 2024 10:31 AM``) via dateutil."""
    if len(s) > 64 or not re.search(r"\d{4}", s) or not re.search(r"[A-Za-z]{3}", s):
        return None
    from dateutil import parser as du
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")   # unknown zone names (EST, …): read as naive
            dt = du.parse(s, fuzzy=True, default=datetime(2000, 1, 1))
    except (ValueError, OverflowError, TypeError):
        return None
    if not MIN_YEAR <= dt.year <= datetime.now(timezone.utc).year + 1:
        return None
    has_time = bool(re.search(r"\d{1,2}:\d{2}", s))
    return Stamp(dt if dt.tzinfo else dt.replace(tzinfo=tz), has_time=has_time, has_offset=dt.tzinfo is not None)


def dates_in_text(text: str, tz: tzinfo) -> list[tuple[int, Stamp]]:
    """Every ISO/Chinese/slash date in ``text`` with its character position, in order."""
    found = []
    for pat in (_ISO, _CN, _SLASH, _US, _EU):
        for m in pat.finditer(text):
            st = _build(m, tz)
            if st:
                found.append((m.start(), st))
    found.sort(key=lambda x: x[0])
    return found


def date_in_url(url: str, tz: tzinfo) -> Stamp | None:
    for pat in _URL_PATTERNS:
        m = pat.search(url)
        if m:
            st = _build(m, tz)
            if st:
                return st
    return None
