"""Read back what a crawl archived: raw pages and fetch failures (no Scrapy here).

Layout (see ARCHITECTURE.md "Raw capture")::

    raw/source=<id>/dt=<D>/<run>[-NNNNN].warc.gz     WARC/1.1 segment
    raw/source=<id>/dt=<D>/<run>[-NNNNN].log.jsonl   its crawl log, written after the WARC (commit marker)

Only segments whose log exists are read, so a killed crawl's half-written
segment is never seen. A log line with ``"final": true`` is the end of one
request (after retries and redirects); ``"final": false`` lines are earlier
attempts (a 500 that was retried, a 301 hop).
"""
from __future__ import annotations

import json
import re
import zlib
from datetime import date, datetime
from typing import Any, Iterator

from warcio.archiveiterator import ArchiveIterator

from pipelines.record import RawPage, Reject
from pipelines.storage import Store

#: Outcomes of a final log line that are not failures.
OK_OUTCOMES = frozenset({"ok", "not_modified"})
#: Outcomes that are counted but are no reject (not fetched on purpose; pagination ended).
NOT_FAILURES = frozenset({"robots_disallowed", "end_of_list", "no_edition"})
_SEGMENT = re.compile(r"^(?P<run>.+?)(?:-(?P<n>\d{5}))?\.log\.jsonl$")


def raw_dir(source_id: str, dt: date | str) -> str:
    return f"raw/source={source_id}/dt={dt}/"


def run_stem(run_id: str) -> str:
    """The run id as used in file names (``:`` dropped)."""
    return run_id.replace(":", "")


def segment_stem(run_id: str, number: int) -> str:
    return run_stem(run_id) if number == 1 else f"{run_stem(run_id)}-{number:05d}"


def committed_logs(store: Store, source_id: str, dt: date | str, run_id: str | None = None) -> list[str]:
    """Store paths of the committed crawl logs of a partition (optionally of one run), in order."""
    logs = store.list(raw_dir(source_id, dt), suffix=".log.jsonl", recursive=False)
    if run_id is not None:
        logs = [p for p in logs if _SEGMENT.match(p.rsplit("/", 1)[1])["run"] == run_stem(run_id)]
    return logs


def iter_log(store: Store, source_id: str, dt: date | str, run_id: str | None = None) -> Iterator[dict]:
    """Every crawl-log line of the committed segments of a partition."""
    for rel in committed_logs(store, source_id, dt, run_id):
        for line in store.iter_lines(rel):
            if line.strip():
                yield json.loads(line)


def is_failure(line: dict) -> bool:
    """A final line that is a failed fetch. Links never requested (``"requested": false``: an
    off-site link) are no failures, unless a redirect of ours led there."""
    if not line.get("final") or line["outcome"] in OK_OUTCOMES | NOT_FAILURES:
        return False
    return line.get("requested", True) or bool(line.get("redirected_from"))


def reject_reason(line: dict) -> str:
    if line["outcome"] == "http_error":
        return f"http_{line.get('status')}"
    return line["outcome"]


def iter_fetch_failures(store: Store, source_id: str, dt: date | str, *,
                        run_id: str | None = None) -> Iterator[Reject]:
    """A fetch-stage ``Reject`` for every request that finally failed (after retries/redirects).

    Reasons: ``http_<status>``, ``timeout``, ``too_large``, ``redirect_loop``, ``dns_error``,
    ``connection_error`` (also a body cut short), ``not_html`` (article URL serving e.g. a PDF), ``offsite``
    / ``private_address`` (redirected out of the source). Robots-disallowed URLs and off-site links
    are logged but are not rejects.
    Failures of feed/sitemap/listing/archive pages are included; ``detail`` starts with the kind.
    """
    for line in iter_log(store, source_id, dt, run_id):
        if line.get("kind") == "robots" or not is_failure(line):
            continue
        ref = f"{line['warc']}#{line['offset']}" if line.get("warc") else None
        yield Reject(url=line["url"], source=source_id, stage="fetch", reason=reject_reason(line),
                     fetched_at=_ts(line["fetched_at"]), run_id=line.get("run", ""),
                     detail=f"[{line.get('kind')}] {line.get('detail') or ''}".strip(),
                     http_status=line.get("status"), raw_ref=ref)


def iter_raw_pages(store: Store, source_id: str, dt: date | str, *,
                   run_id: str | None = None) -> Iterator[RawPage]:
    """Every archived article response (final, 2xx, HTML) of a partition, with its crawl hints.

    ``raw_ref`` is ``<WARC store path>#<offset>``; ``url`` is the URL after redirects;
    ``body`` is content-decoded (gzip/br undone); ``hints`` come from the feed/sitemap/listing
    that led to the page (``published``, ``title``, ``section``, ``via``).
    """
    wanted: dict[str, dict[int, dict]] = {}
    for line in iter_log(store, source_id, dt, run_id):
        if line.get("final") and line.get("kind") == "article" and line["outcome"] == "ok" and line.get("warc"):
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
                  hints: dict[str, Any] | None = None) -> RawPage:
    """The response record at ``<WARC path>#<offset>`` as a ``RawPage`` (for retries/reprocessing)."""
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
        return _page(rec, rec.raw_stream.read(), source_id or (m.group(1) if m else ""), raw_ref, line)


def _page(rec, raw: bytes, source_id: str, raw_ref: str, line: dict) -> RawPage:
    hints = dict(line.get("hints") or {})
    try:
        body = decode_content(raw, rec.http_headers.get_header("Content-Encoding"))
    except (ValueError, zlib.error, ImportError) as exc:  # keep the raw bytes; extraction will reject
        body, hints["content_decode_error"] = raw, str(exc)
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


def decode_content(body: bytes, encoding: str | None) -> bytes:
    """Undo ``Content-Encoding`` (gzip, deflate, br; applied in order, undone in reverse)."""
    for enc in reversed([e.strip().lower() for e in (encoding or "").split(",") if e.strip()]):
        if enc in ("gzip", "x-gzip"):
            body = zlib.decompress(body, 47)
        elif enc == "deflate":
            try:
                body = zlib.decompress(body)
            except zlib.error:
                body = zlib.decompress(body, -15)   # raw deflate, as some servers send
        elif enc == "br":
            import brotli
            body = brotli.decompress(body)
        elif enc != "identity":
            raise ValueError(f"unsupported Content-Encoding {enc!r}")
    return body


def _run_of(warc_path: str) -> str:
    m = re.match(r"^(?P<run>.+?)(?:-\d{5})?\.warc\.gz$", warc_path.rsplit("/", 1)[-1])
    return m["run"] if m else ""


def _ts(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))
