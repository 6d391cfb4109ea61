"""The store's layout, in one place: every path the pipeline writes or reads, the run id and run key,
raw segment names, and the logical date type.

A store is a folder or ``s3://bucket/prefix`` (``pipelines.storage.Store``); every path here is
relative to its root. README's "Data format" lists the same paths (``tests/pipelines/test_layout.py``
holds the two together)::

    catalog.sqlite                                     the embedded DuckLake catalog (production: PostgreSQL)
    lake/                                              the catalog's data files (DuckLake names them)
    raw/source=<id>/dt=<D>/<run key>[-NNNNN].warc.gz   a raw WARC segment (append-only)
    raw/source=<id>/dt=<D>/<run key>[-NNNNN].log.jsonl its crawl log: the segment's commit marker
    raw/source=<id>/dt=<D>/<run key>.stats.json        the crawl's summary
    index/docs/<digest>.idx                            a dedupe index file
    index/urls/source=<id>/<segment>.parquet           a source's seen-set, one file per segment
    index/urls/source=<id>/_discovery/<YYYY-MM>/<stamp>__<run key>.json   discovery state versions
    quality/source=<id>/<D>__<run key>.json            a crawl run's quality metrics (baselines)
    reports/dt=<D>/report.html                         the run report of a date

The logical date ``D`` of a run is a :class:`datetime.date` everywhere inside the pipeline; the edges
(the command line, the DAGs) turn what they are given into one with :func:`day`.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timezone

LAKE_DIR = "lake"
LOCAL_CATALOG = "catalog.sqlite"
RAW = "raw/"
INDEX_DOCS = "index/docs/"
SEEN = "index/urls/"
QUALITY = "quality/"
REPORTS = "reports/"

WARC_SUFFIX = ".warc.gz"
LOG_SUFFIX = ".log.jsonl"
STATS_SUFFIX = ".stats.json"

#: A segment's crawl log file name: ``<run key>[-NNNNN].log.jsonl`` (the first segment has no number).
SEGMENT_LOG = re.compile(r"^(?P<run>.+?)(?:-(?P<n>\d{5}))?\.log\.jsonl$")
_SEGMENT_PATH = re.compile(r"^raw/source=(?P<source>[^/]+)/dt=(?P<dt>\d{4}-\d{2}-\d{2})/(?P<stem>[^/]+?)"
                           r"(?:\.log\.jsonl|\.warc\.gz)?$")


# ----------------------------------------------------------------------------- the logical date, run ids
def day(value: "date | datetime | str") -> date:
    """The logical date of a run, from what an edge was given (a date, a datetime, or ``YYYY-MM-DD``)."""
    if isinstance(value, datetime):
        return (value.astimezone(timezone.utc) if value.tzinfo else value).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    raise TypeError(f"a logical date is a date or 'YYYY-MM-DD', not {type(value).__name__}")


def require_day(value) -> date:
    """``value`` itself when it is a logical date; a TypeError naming the type otherwise (steps take a
    ``date``: edges convert with :func:`day`)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise TypeError(f"a logical date must be a datetime.date (convert with pipelines.layout.day), "
                    f"got {type(value).__name__} {value!r}")


def make_run_id(origin: str, logical: datetime, token: str | None = None) -> str:
    """``<origin>__<YYYY-MM-DD>T<HHMMSS>__<token>``: safe in file names, sortable by logical time.

    ``token`` (default: 8 random hex digits) makes every invocation's id unique – for the same
    logical date, the same second and concurrent workers – so nothing a run writes can carry the
    name of another run's files (raw captures are append-only).
    """
    if logical.tzinfo is not None:
        logical = logical.astimezone(timezone.utc)
    origin = "".join(c if c.isalnum() or c in "_-." else "_" for c in origin)
    token = "".join(c for c in (token or secrets.token_hex(4)) if c.isalnum() or c in "-.")
    return f"{origin}__{logical:%Y-%m-%dT%H%M%S}__{token}"


def run_key(run_id: str) -> str:
    """The run id as it appears in file names (``:`` dropped)."""
    return run_id.replace(":", "")


def logical_time(run_id: str, dt: date) -> datetime:
    """A run's logical time from its id (``…__2022-07-28T080000…``), else midnight UTC of ``dt``."""
    m = re.search(r"(\d{4}-\d{2}-\d{2})T(\d{2}):?(\d{2}):?(\d{2})", run_id)
    if m:
        return datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}:{m.group(3)}:{m.group(4)}+00:00")
    return datetime(dt.year, dt.month, dt.day, tzinfo=timezone.utc)


# ----------------------------------------------------------------------------- raw captures
def raw_dir(source_id: str, dt: date) -> str:
    """``raw/source=<id>/dt=<D>/``: one source's captures of one logical date."""
    return f"{RAW}source={source_id}/dt={dt}/"


def source_raw_dir(source_id: str) -> str:
    return f"{RAW}source={source_id}/"


def segment_stem(run_id: str, number: int) -> str:
    """The file stem of a crawl's ``number``-th segment (1-based)."""
    return run_key(run_id) if number == 1 else f"{run_key(run_id)}-{number:05d}"


def stats_path(source_id: str, dt: date, run_id: str) -> str:
    return f"{raw_dir(source_id, dt)}{run_key(run_id)}{STATS_SUFFIX}"


@dataclass(frozen=True, order=True)
class RawSegment:
    """One committed WARC segment of a crawl: the unit the ledger (``pipeline.segments``) tracks.

    ``segment`` (its id in every table) is the store path without extension:
    ``raw/source=<id>/dt=<D>/<run key>[-NNNNN]``; ``.warc.gz`` and ``.log.jsonl`` are its files.
    """
    source: str
    dt: date
    stem: str

    @property
    def segment(self) -> str:
        return f"{raw_dir(self.source, self.dt)}{self.stem}"

    @property
    def log(self) -> str:
        return self.segment + LOG_SUFFIX

    @property
    def warc(self) -> str:
        return self.segment + WARC_SUFFIX

    @property
    def run_key(self) -> str:
        return SEGMENT_LOG.match(self.stem + LOG_SUFFIX)["run"]


def parse_segment(path: str) -> RawSegment:
    """The segment of a store path (its id, its log or its WARC); ValueError for anything else."""
    m = _SEGMENT_PATH.match(path)
    if not m:
        raise ValueError(f"not a raw segment path: {path!r}")
    return RawSegment(m["source"], date.fromisoformat(m["dt"]), m["stem"])


def is_segment_log(name: str) -> bool:
    """Whether a file name is a committed segment's crawl log (not a temp file, not the stats)."""
    return not name.startswith(".") and bool(SEGMENT_LOG.match(name))


def sources_in(paths: list[str], prefix: str) -> list[str]:
    """The source ids of ``source=<id>/`` folders directly under ``prefix`` among ``paths``."""
    out = set()
    for p in paths:
        head = p[len(prefix):].split("/", 1)[0] if p.startswith(prefix) else ""
        if head.startswith("source="):
            out.add(head[len("source="):])
    return sorted(out)


# ----------------------------------------------------------------------------- indexes, quality, reports
def index_file(digest: str) -> str:
    return f"{INDEX_DOCS}{digest}.idx"


def seen_prefix(source_id: str) -> str:
    return f"{SEEN}source={source_id}/"


def seen_file(source_id: str, stem: str) -> str:
    return f"{seen_prefix(source_id)}{stem}.parquet"


def discovery_folder(source_id: str) -> str:
    return f"{seen_prefix(source_id)}_discovery/"


def discovery_version(source_id: str, now: datetime, run_id: str) -> str:
    return f"{discovery_folder(source_id)}{now:%Y-%m}/{now:%Y%m%dT%H%M%S%f}__{run_key(run_id)}.json"


def quality_folder(source_id: str) -> str:
    return f"{QUALITY}source={source_id}/"


def quality_path(source_id: str, dt: date, run_id: str) -> str:
    return f"{quality_folder(source_id)}{dt}__{run_key(run_id)}.json"


def report_path(dt: date) -> str:
    return f"{REPORTS}dt={dt}/report.html"


# ----------------------------------------------------------------------------- what a path is
#: The kinds of file a store holds, in the order of README's "Data format" list.
KINDS = ("catalog", "lake", "warc", "crawl-log", "crawl-stats", "index", "seen", "discovery", "quality",
         "report")
_KIND_RULES = (
    ("catalog", re.compile(rf"^{re.escape(LOCAL_CATALOG)}$")),
    ("lake", re.compile(rf"^{LAKE_DIR}/.+\.parquet$")),
    ("warc", re.compile(r"^raw/source=[^/]+/dt=\d{4}-\d{2}-\d{2}/[^/]+\.warc\.gz$")),
    ("crawl-log", re.compile(r"^raw/source=[^/]+/dt=\d{4}-\d{2}-\d{2}/[^/]+\.log\.jsonl$")),
    ("crawl-stats", re.compile(r"^raw/source=[^/]+/dt=\d{4}-\d{2}-\d{2}/[^/]+\.stats\.json$")),
    ("index", re.compile(r"^index/docs/[^/]+\.idx$")),
    ("discovery", re.compile(r"^index/urls/source=[^/]+/_discovery/\d{4}-\d{2}/[^/]+\.json$")),
    ("seen", re.compile(r"^index/urls/source=[^/]+/[^/_][^/]*\.parquet$")),
    ("quality", re.compile(r"^quality/source=[^/]+/\d{4}-\d{2}-\d{2}__[^/]+\.json$")),
    ("report", re.compile(r"^reports/dt=\d{4}-\d{2}-\d{2}/report\.html$")),
)


def kind(path: str) -> str | None:
    """What a store path holds (one of :data:`KINDS`), or None for a file the pipeline never writes
    (a temp file, a stranger's). ``tests/pipelines/test_layout.py`` holds these kinds to the docs."""
    for name, rule in _KIND_RULES:
        if rule.match(path):
            return name
    return None
