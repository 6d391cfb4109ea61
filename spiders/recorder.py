"""The run's raw capture: fetch -> WARC record + crawl-log line + seen rows; segments committed in a thread."""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Callable
from datetime import date
from pathlib import Path

from pipelines.capture import raw as rawfmt
from pipelines.capture import seen as seenmod
from pipelines.config import Source
from pipelines.storage import Store
from pipelines.urls import canonicalize
from spiders.items import Fetch
from spiders.warc import SegmentedWarc, SegmentPolicy

log = logging.getLogger(__name__)
DISCOVERY_KINDS = frozenset({"feed", "sitemap", "listing", "archive"})
_WORK_PREFIX = "newsarchive-crawl-"


@dataclass
class Recorder:
    store: Store
    source: Source
    day: date
    run_id: str
    policy: SegmentPolicy = field(default_factory=SegmentPolicy)
    software: str = "newsarchive"
    #: canonicalize(url) for this source (the spider passes its memoized one)
    canonical: Callable[[str], str] | None = None

    def __post_init__(self) -> None:
        if self.canonical is None:
            self.canonical = partial(canonicalize, mobile_hosts=self.source.mobile_hosts)
        _clean_stale_workdirs()
        self.workdir = Path(tempfile.mkdtemp(prefix=_WORK_PREFIX))
        (self.workdir / "pid").write_text(str(os.getpid()))
        self.warc = SegmentedWarc(self.source.id, str(self.day), self.run_id, self.workdir, self.policy, info={
            "software": self.software, "format": "WARC File Format 1.1", "isPartOf": self.run_id,
            "description": f"newsarchive crawl of {self.source.id} for {self.day}"})
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc-commit")
        self._commits: list[Future] = []
        self.errors: list[str] = []
        self.counts: dict[str, int] = {}
        self.validators: dict[str, dict] = {}   # discovery URL -> {etag, last_modified}
        self.transient_failures = 0            # final failures worth another try (5xx, timeouts...)
        self.transient_discovery_failures = 0
        self.committed: list[str] = []

    # ---------------------------------------------------------------- writing
    def write(self, f: Fetch) -> None:
        seg = self.warc.segment()
        offset = seg.write_exchange(f.exchange) if f.exchange is not None else None
        line = self._line(f, seg.warc_rel if offset is not None else None, offset)
        seg.write_log(line)
        seg.seen_rows.extend(seenmod.rows_for_line(line, key=self._key))
        self._count(f)
        if (done := self.warc.rotate_if_due()) is not None:
            self._commit(done)

    def record_attempt(self, request, attempt, *, final: bool, kind: str | None = None) -> None:
        """An attempt that never reaches the spider: a retried/redirected one, or a robots.txt fetch."""
        out = attempt.outcome
        if not final and out in rawfmt.OK_OUTCOMES:
            out = "redirect"   # a 200 page that led on (meta refresh)
        self.write(Fetch.of(request, attempt, final=final, kind=kind, outcome=out))

    def _key(self, url: str) -> str:
        return self.canonical(url).split("://", 1)[1]

    def _line(self, f: Fetch, warc: str | None, offset: int | None) -> dict:
        line = {"url": f.url, "canonical_url": self.canonical(f.url), "kind": f.kind,
                "status": f.status, "outcome": f.outcome, "final": f.final, "warc": warc, "offset": offset,
                "fetched_at": f.fetched_at.isoformat(timespec="milliseconds"), "run": self.run_id,
                "attempt": f.attempt}
        optional = {"hints": f.hints, "detail": f.detail, "redirected_from": f.redirected_from,
                    "etag": f.etag, "last_modified": f.last_modified, "encoding": f.encoding,
                    "mojibake": f.mojibake, "body_bytes": f.body_bytes}
        line.update({k: v for k, v in optional.items() if v})
        if not f.requested:
            line["requested"] = False
        return line

    def _count(self, f: Fetch) -> None:
        key = f"{f.kind}/{f.outcome}" if f.final else f"{f.kind}/attempt_{f.outcome}"
        self.counts[key] = self.counts.get(key, 0) + 1
        if not f.final:
            return
        if f.kind != "robots" and f.outcome not in rawfmt.OK_OUTCOMES | rawfmt.NOT_FAILURES | rawfmt.REFUSALS \
                and not seenmod.is_final(f.outcome, f.status):
            self.transient_failures += 1
            self.transient_discovery_failures += f.kind in DISCOVERY_KINDS
        if f.kind in DISCOVERY_KINDS and f.outcome == "ok" and (f.etag or f.last_modified):
            self.validators[f.url] = {"etag": f.etag, "last_modified": f.last_modified}

    # ---------------------------------------------------------------- commits
    def _commit(self, seg) -> None:
        def run():
            seg.commit(self.store, self.source.id)
            return seg.warc_rel
        self._commits.append(self._pool.submit(run))
        self._commits = [c for c in self._commits if not self._settle(c)]

    def _settle(self, fut: Future) -> bool:
        if not fut.done():
            return False
        try:
            self.committed.append(fut.result())
        except Exception as exc:  # noqa: BLE001 - reported in the run summary, exit code 1
            log.error("committing a WARC segment failed: %s (local files kept in %s)", exc, self.workdir)
            self.errors.append(f"commit failed: {exc}")
        return True

    def close(self) -> None:
        """Commit the open segment and wait for every commit (blocking; the crawl is over)."""
        if (seg := self.warc.rotate()) is not None:
            self._commit(seg)
        for fut in self._commits:
            fut.exception()  # wait
            self._settle(fut)
        self._commits = []
        self._pool.shutdown(wait=True)
        if self.errors:  # keep the local segments for a manual upload
            (self.workdir / "keep").write_text("\n".join(self.errors))
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def fresh_validators(self, previous: dict[str, dict], not_modified: set[str]) -> dict[str, dict]:
        """Validators of the discovery pages of this run (304s keep their previous ones)."""
        keep = {u: v for u, v in previous.items() if u in not_modified}
        keep.update(self.validators)
        return keep


def _clean_stale_workdirs() -> None:
    """Remove work folders of crawls that were killed (their pid is gone)."""
    for d in Path(tempfile.gettempdir()).glob(f"{_WORK_PREFIX}*"):
        if (d / "keep").exists():
            continue
        try:
            pid = int((d / "pid").read_text())
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(d, ignore_errors=True)
        except (OSError, ValueError):
            continue
