"""WARC segments of one crawl run: written locally, committed whole into the store.

No Scrapy here: the recorder hands in :class:`Exchange` objects. A segment is a
``.warc.gz`` (gzip per record, WARC/1.1, ``response`` then ``request`` record
per exchange) plus its crawl log (``.log.jsonl``). ``commit`` uploads the WARC,
then the log, then the segment's seen-set rows: the log is the commit marker,
so a reader (``pipelines.capture.raw``) never sees half a segment and a killed crawl
leaves only whole segments in the store.

A segment is committed only when whole: every write to its local files is
counted, and a failed or short write (a full disk, a file size limit) marks it
broken; a broken segment, or one whose files on disk are not exactly what was
written, is never uploaded (:class:`BrokenSegment`), so its pages are not marked
seen and the next crawl fetches them again. Uploads are create-only: a
committed segment is never replaced (``pipelines.storage.WouldReplace``).
"""
from __future__ import annotations

import json
import os
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from pipelines import faults
from pipelines import layout
from pipelines.capture.seen import write_seen
from pipelines.storage import Store

GZIP_LEVEL = 6
#: Hop-by-hop framing already undone by the HTTP client; kept under another name.
_FRAMING = {"transfer-encoding"}


@dataclass(slots=True)
class Exchange:
    """One HTTP request/response pair as it crossed the wire (body still content-encoded)."""
    url: str
    status: int
    request_headers: list[tuple[str, str]]
    response_headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime
    method: str = "GET"
    protocol: str = "HTTP/1.1"
    ip: str | None = None


def _warc_date(dt: datetime) -> str:
    return datetime_to_iso_date(dt.astimezone(timezone.utc).replace(tzinfo=None), use_micros=True)


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


class BrokenSegment(RuntimeError):
    """A segment whose local files are not whole: it is not committed."""


@dataclass
class WarcSegment:
    """One open WARC file and its log, in a local work folder."""
    name: str           # file stem: <run> or <run>-00002
    warc_rel: str       # store path of the WARC once committed
    log_rel: str
    local_warc: Path
    local_log: Path
    opened: float = field(default_factory=time.monotonic)
    records: int = 0
    log_lines: int = 0
    seen_rows: list[dict] = field(default_factory=list)
    warc_bytes: int = 0          # bytes handed to the WARC file
    log_bytes: int = 0           # bytes handed to the log file
    broken: str | None = None    # why this segment must not be committed

    def __post_init__(self) -> None:
        self._warc = open(self.local_warc, "wb")
        self._log = open(self.local_log, "wb")
        self._buf = BytesIO()
        # warcio builds each record uncompressed; _put gzips it as its own member (level 6, not warcio's 9)
        self._writer = WARCWriter(self._buf, gzip=False, warc_version="1.1")

    @property
    def bytes(self) -> int:
        return self.warc_bytes

    def _fail(self, what: str, exc: BaseException) -> None:
        self.broken = self.broken or f"{what} failed: {type(exc).__name__}: {exc}"

    def _put(self, record) -> int:
        """Append one record as a gzip member; returns its offset."""
        self._writer.write_record(record)
        data = self._buf.getvalue()
        self._buf.seek(0)
        self._buf.truncate()
        gz = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
        member = gz.compress(data) + gz.flush()
        offset = self.warc_bytes
        try:
            n = self._warc.write(member)
        except OSError as exc:
            self._fail("writing the WARC", exc)
            raise
        if n != len(member):
            self._fail("writing the WARC", OSError(f"short write: {n} of {len(member)} bytes"))
        self.warc_bytes += len(member)
        return offset

    def write_info(self, info: dict[str, str]) -> None:
        self._put(self._writer.create_warcinfo_record(os.path.basename(self.warc_rel), info))

    def write_exchange(self, ex: Exchange) -> int:
        """Write response + request records; returns the byte offset of the response record."""
        w = self._writer
        date = _warc_date(ex.fetched_at)
        headers = [(k, v) for k, v in ex.response_headers if k.lower() not in _FRAMING]
        headers += [(f"X-Crawler-{k}", v) for k, v in ex.response_headers if k.lower() in _FRAMING]
        http = StatusAndHeaders(_status_line(ex.status), headers, protocol=ex.protocol)
        wh = {"WARC-Date": date}
        if ex.ip:
            wh["WARC-IP-Address"] = ex.ip
        resp = w.create_warc_record(ex.url, "response", payload=BytesIO(ex.body), length=len(ex.body),
                                    http_headers=http, warc_headers_dict=wh)
        offset = self._put(resp)
        req_http = StatusAndHeaders(f"{ex.method} {_request_target(ex.url)}", ex.request_headers,
                                    protocol=ex.protocol, is_http_request=True)
        req = w.create_warc_record(ex.url, "request", http_headers=req_http, warc_headers_dict={
            "WARC-Date": date, "WARC-Concurrent-To": resp.rec_headers.get_header("WARC-Record-ID")})
        self._put(req)
        self.records += 2
        return offset

    def write_log(self, line: dict) -> None:
        data = (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        try:
            self._log.write(data)
        except OSError as exc:
            self._fail("writing the crawl log", exc)
            raise
        self.log_bytes += len(data)
        self.log_lines += 1

    def close(self) -> None:
        """Flush and close both files; a failure (the data never reached the disk) breaks the segment."""
        for what, f in (("the WARC", self._warc), ("the crawl log", self._log)):
            try:
                f.close()
            except OSError as exc:
                self._fail(f"closing {what}", exc)

    def check_whole(self) -> None:
        """Raise :class:`BrokenSegment` unless both files hold exactly what was written to them."""
        if self.broken:
            raise BrokenSegment(f"segment {self.name} not committed: {self.broken}")
        for what, path, want in (("WARC", self.local_warc, self.warc_bytes), ("crawl log", self.local_log,
                                                                             self.log_bytes)):
            have = path.stat().st_size if path.exists() else -1
            if have != want:
                raise BrokenSegment(f"segment {self.name} not committed: its {what} has {have} bytes on disk, "
                                    f"{want} were written")

    def commit(self, store: Store, source_id: str) -> None:
        """Upload WARC, then log (the commit marker), then seen rows; then drop the local files.

        Only a whole segment is uploaded (:meth:`check_whole`), create-only: a segment already in the
        store is never replaced. A broken one keeps its local files and raises."""
        if self.log_lines:
            self.check_whole()
            store.upload_file(self.local_warc, self.warc_rel, create_only=True)
            faults.point("crawl:warc_uploaded")
            store.upload_file(self.local_log, self.log_rel, create_only=True)
            faults.point("crawl:log_committed")
            write_seen(store, source_id, self.name, self.seen_rows)
            faults.point("crawl:segment_committed")
        self.local_warc.unlink(missing_ok=True)
        self.local_log.unlink(missing_ok=True)


def _request_target(url: str) -> str:
    from urllib.parse import urlsplit
    p = urlsplit(url)
    return (p.path or "/") + (f"?{p.query}" if p.query else "")


@dataclass
class SegmentPolicy:
    """When to close the open segment and commit it."""
    max_records: int = 2000
    max_bytes: int = 256 * 1024 * 1024
    max_seconds: float = 60.0

    def due(self, seg: WarcSegment) -> bool:
        return (seg.records >= self.max_records or seg.bytes >= self.max_bytes
                or (seg.log_lines > 0 and time.monotonic() - seg.opened >= self.max_seconds))


@dataclass
class SegmentedWarc:
    """The open segment of a run plus rotation; committing is left to the caller (a thread)."""
    source_id: str
    dt: str
    run_id: str
    workdir: Path
    policy: SegmentPolicy = field(default_factory=SegmentPolicy)
    info: dict[str, str] = field(default_factory=dict)
    number: int = 0
    current: WarcSegment | None = None

    def open_next(self) -> WarcSegment:
        self.number += 1
        stem = layout.segment_stem(self.run_id, self.number)
        base = layout.raw_dir(self.source_id, self.dt) + stem
        seg = WarcSegment(stem, base + layout.WARC_SUFFIX, base + layout.LOG_SUFFIX,
                      self.workdir / f"{stem}{layout.WARC_SUFFIX}", self.workdir / f"{stem}{layout.LOG_SUFFIX}")
        seg.write_info(self.info)
        self.current = seg
        return seg

    def segment(self) -> WarcSegment:
        return self.current or self.open_next()

    def rotate(self) -> WarcSegment | None:
        """Close the open segment (returned, to be committed) ; the next write opens a new one."""
        seg, self.current = self.current, None
        if seg is not None:
            seg.close()
        return seg

    def rotate_if_due(self) -> WarcSegment | None:
        return self.rotate() if self.current is not None and self.policy.due(self.current) else None
