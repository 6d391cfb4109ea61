"""Read back what a crawl archived: raw pages and fetch failures (no Scrapy here).

The paths are ``pipelines.layout``'s (``raw/source=<id>/dt=<D>/<run key>[-NNNNN].warc.gz`` and its
``.log.jsonl``, written after the WARC: the commit marker).

Only segments whose log exists are read, so a killed crawl's half-written
segment is never seen. A log line with ``"final": true`` is the end of one
request (after retries and redirects); ``"final": false`` lines are earlier
attempts (a 500 that was retried, a 301 hop).
"""
from __future__ import annotations

import json
import re
import zlib
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Iterator

from warcio.archiveiterator import ArchiveIterator

from pipelines import layout
from pipelines.layout import (  # noqa: F401 - RawSegment, parse_segment, raw_dir: the layout's, used here
    SEGMENT_LOG, RawSegment, is_segment_log, parse_segment, raw_dir, run_key, source_raw_dir)
from pipelines.record import RawPage, Reject
from pipelines.storage import Store

#: Outcomes of a final log line that are not failures.
OK_OUTCOMES = frozenset({"ok", "not_modified"})
#: Outcomes that are counted but are no reject (pagination ended; no e-paper that day).
NOT_FAILURES = frozenset({"end_of_list", "no_edition"})
#: Requests the crawler refused to send (robots.txt, the address checks, discovery limits). Each is a
#: reject with this reason, but not a failure of the site (no retry helps; the next crawl meets it again).
REFUSALS = frozenset({"robots_disallowed", "offsite", "private_address", "invalid_url", "url_too_long",
                      "sitemap_too_deep"})


class ContentTooLarge(ValueError):
    """Undoing the Content-Encoding would exceed the byte limit (a decompression bomb): ``too_large``."""


class BadContentEncoding(ValueError):
    """A Content-Encoding that cannot be undone (unknown, stacked too deep, or corrupt): ``bad_encoding``."""


#: Content codings undone, and how many may be stacked (``gzip, gzip`` is legal; ``identity`` is skipped).
CODINGS = ("gzip", "x-gzip", "deflate", "br", "zstd")
MAX_CODINGS = 3
#: Limit of a decoded body when the caller names none: ``politeness.max_download_bytes``'s default.
MAX_DECODED_BYTES = 8 * 1024 * 1024
_CHUNK = 64 * 1024


def committed_logs(store: Store, source_id: str, dt: date, run_id: str | None = None) -> list[str]:
    """Store paths of the committed crawl logs of a partition (optionally of one run), in order."""
    logs = store.list(raw_dir(source_id, dt), suffix=layout.LOG_SUFFIX, recursive=False)
    if run_id is not None:
        logs = [p for p in logs if SEGMENT_LOG.match(p.rsplit("/", 1)[1])["run"] == run_key(run_id)]
    return logs


def iter_log(store: Store, source_id: str, dt: date, run_id: str | None = None) -> Iterator[dict]:
    """Every crawl-log line of the committed segments of a partition."""
    for rel in committed_logs(store, source_id, dt, run_id):
        yield from _log_lines(store, rel)


def _log_lines(store: Store, rel: str) -> Iterator[dict]:
    for line in store.iter_lines(rel):
        if line.strip():
            yield json.loads(line)


# ----------------------------------------------------------------------------- raw segments
def committed_segments(store: Store, source_id: str, dt: date | None = None) -> list[RawSegment]:
    """Every committed segment (its log exists) of a source, of one date or all, sorted."""
    prefix = raw_dir(source_id, dt) if dt is not None else source_raw_dir(source_id)
    out = []
    for rel in store.list(prefix, suffix=layout.LOG_SUFFIX):
        if not is_segment_log(rel.rsplit("/", 1)[-1]):
            continue
        try:
            out.append(parse_segment(rel))
        except ValueError:
            continue
    return sorted(out)


def segment_lines(store: Store, seg: RawSegment) -> Iterator[dict]:
    """The crawl-log lines of one segment."""
    yield from _log_lines(store, seg.log)


@dataclass
class SegmentSummary:
    run_id: str = ""
    article_pages: int = 0          # final article responses archived with 2xx (what stage extracts)
    fetch_rejects: int = 0          # final fetch failures (what stage turns into fetch rejects)
    committed_at: datetime | None = None   # the segment's last fetch


def summarize(store: Store, seg: RawSegment) -> SegmentSummary:
    out = SegmentSummary()
    for line in segment_lines(store, seg):
        out.run_id = out.run_id or line.get("run", "")
        if _is_page(line):
            out.article_pages += 1
        elif line.get("kind") != "robots" and is_failure(line):
            out.fetch_rejects += 1
        ts = line.get("fetched_at")
        if ts:
            t = _ts(ts)
            out.committed_at = t if out.committed_at is None else max(out.committed_at, t)
    return out


def _is_page(line: dict) -> bool:
    return bool(line.get("final") and line.get("kind") == "article" and line["outcome"] == "ok" and line.get("warc"))


def segment_records(store: Store, seg: RawSegment) -> tuple[list[RawPage], list[Reject]]:
    """Everything stage needs of one segment: its article pages, and its fetch failures as rejects.

    A segment whose WARC is missing or corrupt never raises: every article page its log lists that
    could not be read becomes a ``fetch`` reject ``raw_unreadable`` naming the problem, so the other
    pages (and segments) go on.
    """
    try:
        rejects = list(iter_fetch_failures(store, seg.source, segment=seg))
        wanted = [ln for ln in segment_lines(store, seg) if _is_page(ln)]
    except (OSError, ValueError) as exc:
        return [], [_unreadable(seg, seg.log, None, f"crawl log unreadable: {exc}")]
    pages: list[RawPage] = []
    try:
        for page in iter_raw_pages(store, seg.source, segment=seg):
            pages.append(page)
    except Exception as exc:  # noqa: BLE001 - a damaged WARC: what was read stays, the rest is rejected
        problem = f"{type(exc).__name__}: {exc}"
    else:
        problem = "the WARC record is missing"
    got = {p.raw_ref for p in pages}
    for ln in wanted:
        if f"{ln['warc']}#{ln['offset']}" not in got:
            rejects.append(_unreadable(seg, ln["url"], ln, problem))
    return pages, rejects


def _unreadable(seg: RawSegment, url: str, line: dict | None, detail: str) -> Reject:
    when = _ts(line["fetched_at"]) if line and line.get("fetched_at") else \
        datetime(seg.dt.year, seg.dt.month, seg.dt.day, tzinfo=timezone.utc)
    ref = f"{line['warc']}#{line['offset']}" if line else None
    return Reject(url=url, source=seg.source, stage="fetch", reason="raw_unreadable",
                  fetched_at=when, run_id=(line or {}).get("run") or seg.run_key,
                  detail=f"{seg.segment}: {detail}"[:2000], http_status=(line or {}).get("status"), raw_ref=ref)


def is_failure(line: dict) -> bool:
    """A final line that becomes a fetch reject: a failed fetch, or a request the crawler refused
    (``REFUSALS``: robots.txt, off-site or private address, invalid or over-long URL, too deep a
    sitemap). The one refusal that is not a reject is an off-site *link*: an article-shaped link to
    another site found on a page, logged (``offsite``, ``"requested": false``) but never ours to fetch;
    a redirect out of the source or a refused discovery URL is a reject."""
    if not line.get("final") or line["outcome"] in OK_OUTCOMES | NOT_FAILURES:
        return False
    return not is_offsite_link(line)


def is_offsite_link(line: dict) -> bool:
    return (line["outcome"] == "offsite" and line.get("kind") == "article" and line.get("requested") is False
            and not line.get("redirected_from"))


def reject_reason(line: dict) -> str:
    if line["outcome"] == "http_error":
        return f"http_{line.get('status')}"
    return line["outcome"]


def iter_fetch_failures(store: Store, source_id: str, dt: date | None = None, *,
                        run_id: str | None = None, segment: RawSegment | None = None) -> Iterator[Reject]:
    """A fetch-stage ``Reject`` for every request that finally failed (after retries/redirects).

    Reasons: ``http_<status>``, ``timeout``, ``too_large`` (also a decompression bomb), ``bad_encoding``
    (a Content-Encoding that cannot be undone), ``redirect_loop``, ``dns_error``, ``connection_error``
    (also a body cut short), ``not_html`` (article URL serving e.g. a PDF), and the refusals
    (``REFUSALS``): ``robots_disallowed``, ``offsite`` (redirected out of the source, or a discovery
    URL on another host), ``private_address``, ``invalid_url``, ``url_too_long``, ``sitemap_too_deep``.
    Off-site article links found on pages are logged but are not rejects (``is_failure``).
    Failures of feed/sitemap/listing/archive pages are included; ``detail`` starts with the kind.
    """
    lines = segment_lines(store, segment) if segment is not None else iter_log(store, source_id, dt, run_id)
    for line in lines:
        if line.get("kind") == "robots" or not is_failure(line):
            continue
        ref = f"{line['warc']}#{line['offset']}" if line.get("warc") else None
        yield Reject(url=line["url"], source=source_id, stage="fetch", reason=reject_reason(line),
                     fetched_at=_ts(line["fetched_at"]), run_id=line.get("run", ""),
                     detail=f"[{line.get('kind')}] {line.get('detail') or ''}".strip(),
                     http_status=line.get("status"), raw_ref=ref)


def iter_raw_pages(store: Store, source_id: str, dt: date | None = None, *,
                   run_id: str | None = None, segment: RawSegment | None = None) -> Iterator[RawPage]:
    """Every archived article response (final, 2xx, HTML) of a partition, with its crawl hints.

    ``raw_ref`` is ``<WARC store path>#<offset>``; ``url`` is the URL after redirects;
    ``body`` is content-decoded (``decode_content``, bounded by the size the crawler decoded it to);
    a body that cannot be decoded within that bound stays as captured, with
    ``hints["content_decode_error"]`` (``too_large: …`` / ``bad_encoding: …``); ``hints`` come from
    the feed/sitemap/listing that led to the page (``published``, ``title``, ``section``, ``via``).
    """
    wanted: dict[str, dict[int, dict]] = {}
    lines = segment_lines(store, segment) if segment is not None else iter_log(store, source_id, dt, run_id)
    for line in lines:
        if _is_page(line):
            wanted.setdefault(line["warc"], {})[line["offset"]] = line
    for warc, lines in wanted.items():
        with store.fs.open_input_stream(store.path(warc), compression=None) as f:  # no transparent gunzip
            it = ArchiveIterator(f)
            for rec in it:
                if rec.rec_type != "response":
                    continue
                raw = rec.raw_stream.read()          # the record must be read before its offset is known
                line = lines.get(it.get_record_offset())
                if line is not None:
                    yield _page(rec, raw, source_id, f"{warc}#{it.get_record_offset()}", line)


def read_raw_page(store: Store, raw_ref: str, *, source_id: str | None = None,
                  hints: dict[str, Any] | None = None, max_bytes: int = MAX_DECODED_BYTES) -> RawPage:
    """The response record at ``<WARC path>#<offset>`` as a ``RawPage`` (for retries/reprocessing);
    its body is decoded up to ``max_bytes``."""
    warc, _, off = raw_ref.rpartition("#")
    if not warc or not off.isdigit():
        raise ValueError(f"raw_ref must be '<warc path>#<offset>', got {raw_ref!r}")
    with store.fs.open_input_file(store.path(warc)) as f:
        f.seek(int(off))
        rec = next(iter(ArchiveIterator(f)))
        if rec.rec_type != "response":
            raise ValueError(f"{raw_ref}: not a response record ({rec.rec_type})")
        m = re.search(r"source=([^/]+)/", warc)
        line = {"hints": hints or {}, "run": _run_of(warc)}
        return _page(rec, rec.raw_stream.read(), source_id or (m.group(1) if m else ""), raw_ref, line, max_bytes)


def _page(rec, raw: bytes, source_id: str, raw_ref: str, line: dict, max_bytes: int | None = None) -> RawPage:
    hints = dict(line.get("hints") or {})
    # never more than the crawler decoded (``body_bytes`` of its log line), or the default limit
    limit = max_bytes or line.get("body_bytes") or MAX_DECODED_BYTES
    try:
        body = decode_content(raw, rec.http_headers.get_header("Content-Encoding"), limit)
    except ContentTooLarge as exc:   # keep the raw bytes (bounded by the download limit); extraction rejects
        body, hints["content_decode_error"] = raw, f"too_large: {exc}"
    except BadContentEncoding as exc:
        body, hints["content_decode_error"] = raw, f"bad_encoding: {exc}"
    headers: dict[str, str] = {}
    for k, v in rec.http_headers.headers:
        k = k.lower()
        if k in ("content-encoding", "content-length") or k.startswith("x-crawler-"):
            continue
        headers[k] = f"{headers[k]}, {v}" if k in headers else v
    return RawPage(url=rec.rec_headers.get_header("WARC-Target-URI"), body=body, source=source_id,
                   headers=headers, status=int(rec.http_headers.get_statuscode()),
                   fetched_at=_ts(rec.rec_headers.get_header("WARC-Date")),
                   run_id=line.get("run") or "", raw_ref=raw_ref, hints=hints)


def content_codings(header: str | None) -> list[str]:
    """The codings of a ``Content-Encoding`` header in the order applied (``identity`` dropped);
    ``BadContentEncoding`` for an unknown one or more than ``MAX_CODINGS``."""
    codings = [c for c in (e.strip().lower() for e in (header or "").split(",")) if c and c != "identity"]
    unknown = [c for c in codings if c not in CODINGS]
    if unknown:
        raise BadContentEncoding(f"unsupported Content-Encoding {', '.join(unknown)!r}")
    if len(codings) > MAX_CODINGS:
        raise BadContentEncoding(f"{len(codings)} stacked Content-Encodings (at most {MAX_CODINGS})")
    return codings


def decode_content(body: bytes, encoding: str | None, max_bytes: int = MAX_DECODED_BYTES) -> bytes:
    """Undo ``Content-Encoding`` (gzip, deflate, br, zstd; applied in order, undone in reverse).

    Every step is bounded: no output grows past ``max_bytes`` (``ContentTooLarge`` as soon as one
    would), whatever the input; an unknown, too deeply stacked or corrupt coding is
    ``BadContentEncoding``. A stream cut short yields what it holds (as a browser shows it). The
    crawler decodes every response with this same function (``spiders.middlewares``), so what it
    archived as ``ok`` decodes the same way here.
    """
    for enc in reversed(content_codings(encoding)):
        try:
            body = _DECODERS[enc](body, max_bytes)
        except ContentTooLarge as exc:
            raise ContentTooLarge(f"{enc}: {exc}") from None
        except (zlib.error, EOFError, OSError, ValueError) as exc:
            raise BadContentEncoding(f"corrupt {enc} data: {exc}") from None
        except Exception as exc:  # noqa: BLE001 - brotli.error and other codec errors
            raise BadContentEncoding(f"corrupt {enc} data: {type(exc).__name__}: {exc}") from None
    return body


class _Sink:
    """Decoded output, refused once it would pass ``limit`` bytes."""

    def __init__(self, limit: int):
        self.limit, self.buf = limit, bytearray()

    def add(self, chunk: bytes) -> None:
        if len(self.buf) + len(chunk) > self.limit:
            raise ContentTooLarge(f"more than {self.limit} bytes decoded")
        self.buf += chunk


def _inflate(body: bytes, limit: int, wbits: int) -> bytes:
    out, data = _Sink(limit), body
    while data:
        d = zlib.decompressobj(wbits)
        chunk = d.decompress(data, _CHUNK)
        while True:
            out.add(chunk)
            if d.eof or not (d.unconsumed_tail or chunk):
                break
            chunk = d.decompress(d.unconsumed_tail, _CHUNK)
        # gzip may hold several members; anything else after the stream's end is ignored
        data = d.unused_data.lstrip(b"\0") if d.eof and wbits > 15 else b""
    return bytes(out.buf)


def _gunzip(body: bytes, limit: int) -> bytes:
    return _inflate(body, limit, 31)


def _deflate(body: bytes, limit: int) -> bytes:
    try:
        return _inflate(body, limit, 15)          # zlib-wrapped, as the RFC says
    except zlib.error:
        return _inflate(body, limit, -15)         # raw deflate, as some servers send


def _unbrotli(body: bytes, limit: int) -> bytes:
    import brotli
    out, d = _Sink(limit), brotli.Decompressor()
    chunk = d.process(body, output_buffer_limit=_CHUNK)
    while chunk:
        out.add(chunk)
        if d.is_finished():
            break
        chunk = d.process(b"", output_buffer_limit=_CHUNK)
    return bytes(out.buf)


def _unzstd(body: bytes, limit: int) -> bytes:
    try:
        from compression import zstd   # Python 3.14
    except ImportError:
        from backports import zstd
    out, data = _Sink(limit), body
    while data:
        d = zstd.ZstdDecompressor()
        out.add(d.decompress(data, _CHUNK))
        while not d.eof and not d.needs_input:
            out.add(d.decompress(b"", _CHUNK))
        data = d.unused_data if d.eof else b""   # frames may follow each other
    return bytes(out.buf)


_DECODERS = {"gzip": _gunzip, "x-gzip": _gunzip, "deflate": _deflate, "br": _unbrotli, "zstd": _unzstd}


def _run_of(warc_path: str) -> str:
    try:
        return parse_segment(warc_path).run_key
    except ValueError:
        return ""


def _ts(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))
