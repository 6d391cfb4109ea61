"""The steps of one pipeline run, shared by ``newsarchive run``, the demo and the Airflow DAGs.

crawl (one subprocess per source: raw WARC segments, append-only) → stage
(register every committed segment in the ledger, extract the ones not staged
yet) → publish (dedupe every staged segment and commit it, one transaction per
batch) → quality → report. Stage and publish consume what is committed and not
yet processed – whoever crawled it – so a run also catches up what an earlier
failed or killed run left behind. Each step takes the store, the logical date
and the run id and returns a small JSON-able dict (paths and counts, never data).
"""
from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Callable, Iterable

from pipelines.config import SourcesConfig
from pipelines.record import Article
from pipelines.storage import Store

#: Pages extracted per worker round (bounds memory: raw bodies are held only per chunk).
STAGE_CHUNK = 400


def make_run_id(origin: str, logical: datetime, token: str | None = None) -> str:
    """A new run id (``pipelines.capture.raw.make_run_id``): unique per invocation, with the logical date in it."""
    from pipelines.capture.raw import make_run_id as new_id
    return new_id(origin, logical, token)


# ----------------------------------------------------------------------------- crawl
@dataclass
class CrawlOutcome:
    source: str
    exit_code: int
    summary: dict
    stderr_tail: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def as_dict(self) -> dict:
        return {"source": self.source, "exit_code": self.exit_code, "summary": self.summary,
                "stderr_tail": self.stderr_tail}


def crawl_command(source: str, store_uri: str, dt: date, run_id: str, config_path: str | None = None,
                  since: date | None = None, until: date | None = None, polite: bool = True) -> list[str]:
    cmd = [sys.executable, "-m", "newsarchive.cli", "crawl", "--source", source, "--store", store_uri,
           "--date", dt.isoformat(), "--run-id", run_id]
    if config_path:
        cmd += ["--config", str(config_path)]
    if since and until:
        cmd += ["--since", since.isoformat(), "--until", until.isoformat()]
    if not polite:
        cmd.append("--no-politeness")
    return cmd


def crawl(source: str, store_uri: str, dt: date, run_id: str, *, config_path: str | None = None,
          since: date | None = None, until: date | None = None, env: dict[str, str] | None = None,
          timeout: float = 3600, polite: bool = True) -> CrawlOutcome:
    """Run ``newsarchive crawl`` for one source in its own process (Twisted's reactor cannot restart)."""
    cmd = crawl_command(source, store_uri, dt, run_id, config_path, since, until, polite)
    full_env = {**os.environ, **(env or {})}
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=full_env)
    except subprocess.TimeoutExpired as exc:
        tail = (exc.stderr or b"")[-2000:]
        tail = tail.decode("utf-8", "replace") if isinstance(tail, bytes) else tail
        return CrawlOutcome(source, 124, {"errors": [f"crawl exceeded {timeout:.0f} s and was killed"]}, tail)
    summary: dict = {}
    for line in reversed(proc.stdout.strip().splitlines()):
        if line.startswith("{"):
            try:
                summary = json.loads(line)
                break
            except ValueError:
                pass
    return CrawlOutcome(source, proc.returncode, summary, proc.stderr[-2000:])


# ----------------------------------------------------------------------------- stage
def _chunks(it: Iterable, n: int) -> Iterable[list]:
    buf = []
    for x in it:
        buf.append(x)
        if len(buf) >= n:
            yield buf
            buf = []
    if buf:
        yield buf


def _lineage(records: list, table: str, seg) -> "object":
    """Staged rows of one segment: the records plus their ``dt`` and ``segment``."""
    import pyarrow as pa

    import schemas
    from pipelines.record import to_table
    tbl = to_table(records, table)
    n = tbl.num_rows
    return (tbl.append_column(schemas.LINEAGE[0], pa.array([date.fromisoformat(seg.dt)] * n, pa.date32()))
            .append_column(schemas.LINEAGE[1], pa.array([seg.segment] * n, pa.string())))


def stage_pending(lake, config: SourcesConfig, sources: list[str], *, staged_by: str, dts: list[str] | None = None,
                  runs: list[str] | None = None, workers: int = 0, timeout: float = 20.0,
                  progress: bool = False) -> dict[str, dict]:
    """Extract every ``committed`` segment of ``sources`` (optionally only some dates/runs) and commit
    each group of segments' staged rows (``STAGE_CHUNK`` pages at a time, bounding memory)."""
    from newsarchive.lake import archive
    from pipelines.capture import raw
    from pipelines.extract.many import extract_many
    from pipelines.extract import EXTRACTOR_VERSION
    out = {s: {"source": s, "segments": 0, "articles": 0, "rejects": 0, "fetch_failures": 0, "extract_rejects": 0}
           for s in sources}
    todo = archive.ledger(lake, sources=sources, states=("committed",), dts=dts, runs=runs)

    def flush(group: list) -> None:
        pages = [p for _, ps, _ in group for p in ps]
        results = extract_many(pages, config, workers=workers, timeout=timeout, progress=progress) if pages else []
        staged, i = [], 0
        for seg, ps, fetch_rejects in group:
            res = results[i:i + len(ps)]
            i += len(ps)
            arts = [r for r in res if isinstance(r, Article)]
            rejs = list(fetch_rejects) + [r for r in res if not isinstance(r, Article)]
            staged.append(archive.Staged(seg, _lineage(arts, "articles", seg), _lineage(rejs, "rejects", seg),
                                         EXTRACTOR_VERSION))
            o = out[seg.source]
            o["articles"] += len(arts)
            o["rejects"] += len(rejs)
            o["fetch_failures"] += len(fetch_rejects)
            o["extract_rejects"] += len(rejs) - len(fetch_rejects)
        done = set(archive.commit_staged(lake, staged, staged_by=staged_by))
        for seg, _, _ in group:
            out[seg.source]["segments"] += seg.segment in done

    group, n_pages = [], 0
    for row in todo:
        seg = row.raw
        pages, rejects = raw.segment_records(lake.store, seg)
        group.append((seg, pages, rejects))
        n_pages += len(pages)
        if n_pages >= STAGE_CHUNK:
            flush(group)
            group, n_pages = [], 0
    if group:
        flush(group)
    return out


def stage(store: Store | str, dt: date | str, run_id: str, config: SourcesConfig,
          sources: list[str] | None = None, *, dts: list[str] | None = None, runs: list[str] | None = None,
          workers: int = 0, progress: bool = False) -> dict:
    """Register the committed raw segments of ``sources`` (default: every configured source) in the
    ledger, then stage every one not staged yet – this run's and any earlier run's."""
    from newsarchive.lake import archive, open_writer
    ids = sources if sources is not None else config.ids()
    from pipelines import faults
    with open_writer(store) as lake:
        registered = archive.register(lake, ids, registered_by=run_id)
        faults.point("stage:registered")
        per = stage_pending(lake, config, ids, staged_by=run_id, dts=dts, runs=runs, workers=workers,
                            progress=progress)
    rows = list(per.values())
    return {"dt": str(dt), "run_id": run_id, "registered": len(registered), "sources": rows,
            "segments": sum(p["segments"] for p in rows), "articles": sum(p["articles"] for p in rows),
            "rejects": sum(p["rejects"] for p in rows)}


def cli_json(args: list[str], *, env: dict[str, str] | None = None, timeout: float = 3600) -> dict:
    """Run ``newsarchive <args>`` in a subprocess and return its last JSON stdout line.

    Airflow's Celery worker runs tasks in daemonic processes, which may not start
    the extraction worker pool; a subprocess may.
    """
    proc = subprocess.run([sys.executable, "-m", "newsarchive.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"newsarchive {' '.join(args[:1])} failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return json.loads(lines[-1])


def stage_subprocess(store_uri: str, dt: date | str, run_id: str, sources: list[str], *,
                     config_path: str | None = None, env: dict[str, str] | None = None) -> dict:
    args = ["stage", "--store", store_uri, "--date", str(dt), "--run-id", run_id]
    if sources:
        args += ["--sources", *sources]
    if config_path:
        args += ["--config", str(config_path)]
    return cli_json(args, env=env)


# ----------------------------------------------------------------------------- publish, quality, report
def publish(store: Store | str, dt: date | str, run_id: str, config: SourcesConfig) -> dict:
    """Publish every staged segment (all sources, all dates), a batch per transaction."""
    from newsarchive.lake import archive, open_writer
    with open_writer(store) as lake:
        batches = archive.publish(lake, run_id=run_id, dt=dt, config=config)
    out = [dataclasses.asdict(b) for b in batches]
    total = {k: sum(b[k] for b in out) for k in ("segments", "staged", "articles", "sightings", "rejects",
                                                  "exact_duplicates", "near_duplicates")}
    return {"dt": str(dt), "run_id": run_id, "published": bool(out), "batches": out, **total,
            **({} if out else {"reason": "nothing staged"})}


def quality(store: Store | str, dt: date | str, runs: "dict[str, str] | str", config: SourcesConfig,
            sources: list[str] | None = None, mode: str = "incremental", *, checked_by: str | None = None):
    """Quality checks of this run's crawls: ``runs`` maps each source to its crawl run id (or one id for all).
    Every check is kept in ``pipeline.quality`` (``checked_by``: who ran it; default the crawl run ids)."""
    from newsarchive.lake import archive, open_writer
    from newsarchive.lake import quality as lake_quality
    from pipelines.archive.quality import run_checks
    ids = sources or (list(runs) if isinstance(runs, dict) else config.ids(enabled_only=True))
    by_source = runs if isinstance(runs, dict) else {s: runs for s in ids}
    from pipelines.archive import conservation
    run_ids = sorted(set(by_source.values()))
    with open_writer(store) as lake:
        counts = lake_quality.merge_counts(archive.run_counts(lake, run_ids), lake_quality.extra_counts(lake, run_ids))
        balances = archive.balances(lake, sources=ids)
        rep = run_checks(store, str(dt), by_source, config, ids, mode=mode, counts=counts)
        rep.failures += conservation.check(balances, datetime.now(timezone.utc))   # lost pages, stuck work
        lake_quality.record(lake, rep, checked_by or ", ".join(run_ids))
    return rep


def report(store: Store | str, dt: date | str, config: SourcesConfig | None = None) -> str:
    from newsarchive.report import build_report
    return build_report(Store.open(store), str(dt), sources_config=config)


# ----------------------------------------------------------------------------- one whole run
@dataclass
class RunResult:
    dt: str
    run_id: str
    crawls: list[CrawlOutcome]
    staged: dict
    published: dict
    quality: object | None
    report: str | None

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.crawls) and (self.quality is None or self.quality.ok)


def run_once(store: Store | str, dt: date, config: SourcesConfig, *, config_path: str | None,
             sources: list[str] | None = None, run_id: str | None = None, since: date | None = None,
             until: date | None = None, with_report: bool = True, polite: bool = True, parallel: int = 2,
             on_step: Callable[[str, object], None] | None = None) -> RunResult:
    """crawl every source → stage → publish → quality → report, for logical date ``dt``.

    Stage and publish run even when a crawl failed: the other sources' pages (and anything an
    earlier run left pending) are archived; the run still reports the failed crawl.
    """
    store = Store.open(store)
    store.ensure_bucket()
    step = on_step or (lambda name, info: None)
    ids = sources or config.ids(enabled_only=True)
    run_id = run_id or make_run_id("cli", datetime.combine(dt, datetime.min.time(), timezone.utc))
    mode = "archive" if since else "incremental"

    def one(sid: str) -> CrawlOutcome:
        s, u = (since, until) if since and config.get(sid).discovery.archive else (None, None)
        return crawl(sid, store.uri, dt, run_id, config_path=config_path, since=s, until=u, polite=polite)

    crawls = []
    # One process per source, `parallel` at a time (each is polite to its own hosts).
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        for out in pool.map(one, ids):
            crawls.append(out)
            step("crawl", out)
    from pipelines import faults
    faults.point("run:crawled")
    staged = stage(store, dt, run_id, config, config.ids())
    step("stage", staged)
    faults.point("run:staged")
    published = publish(store, dt, run_id, config)
    step("publish", published)
    faults.point("run:published")
    qual = quality(store, dt, run_id, config, ids, mode=mode)
    step("quality", qual)
    rep = report(store, dt, config) if with_report else None
    step("report", rep)
    return RunResult(str(dt), run_id, crawls, staged, published, qual, rep)
