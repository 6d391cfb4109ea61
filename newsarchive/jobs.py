"""The steps of one pipeline run, shared by ``newsarchive run``, the demo and the Airflow DAGs.

crawl (one subprocess per source) → stage (raw WARC → extraction → staging) →
publish (dedupe + snapshot commit) → quality → report. Each step takes the
store, the logical date and the run id, writes only its own partition, and
returns a small JSON-able dict (paths and counts, never data).
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
from pipelines.record import Article, Reject
from pipelines.storage import Store

#: Pages extracted per worker round (bounds memory: raw bodies are held only per chunk).
STAGE_CHUNK = 400


def make_run_id(origin: str, logical: datetime) -> str:
    """``<origin>__<YYYY-MM-DD>T<HHMMSS>``: safe in file names, sortable, stable for reruns."""
    if logical.tzinfo is not None:
        logical = logical.astimezone(timezone.utc)
    origin = "".join(c if c.isalnum() or c in "_-." else "_" for c in origin)
    return f"{origin}__{logical:%Y-%m-%dT%H%M%S}"


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


def stage_source(store: Store, dt: date | str, run_id: str, source: str, config: SourcesConfig, *,
                 workers: int = 0, timeout: float = 20.0, progress: bool = False) -> dict:
    """Extract one source's raw captures of one run into ``staging/`` (replacing earlier output)."""
    from pipelines import raw, staging
    from pipelines.batch import extract_many
    dt = str(dt)
    articles: list[Article] = []
    rejects: list[Reject] = list(raw.iter_fetch_failures(store, source, dt, run_id=run_id))
    n_fetch = len(rejects)
    for chunk in _chunks(raw.iter_raw_pages(store, source, dt, run_id=run_id), STAGE_CHUNK):
        for res in extract_many(chunk, config, workers=workers, timeout=timeout, progress=progress):
            (articles if isinstance(res, Article) else rejects).append(res)
    staging.write_staged(store, dt, source, run_id, articles, rejects)
    return {"source": source, "articles": len(articles), "rejects": len(rejects),
            "fetch_failures": n_fetch, "extract_rejects": len(rejects) - n_fetch}


def sources_with_raw(store: Store, dt: date | str, run_id: str, config: SourcesConfig) -> list[str]:
    from pipelines import raw
    return [s for s in config.ids() if raw.committed_logs(store, s, str(dt), run_id)]


def stage(store: Store | str, dt: date | str, run_id: str, config: SourcesConfig,
          sources: list[str] | None = None, *, workers: int = 0, progress: bool = False) -> dict:
    """Stage every source that captured something in this run."""
    store = Store.open(store)
    ids = sources if sources is not None else sources_with_raw(store, dt, run_id, config)
    per = [stage_source(store, dt, run_id, s, config, workers=workers, progress=progress) for s in ids]
    return {"dt": str(dt), "run_id": run_id, "sources": per,
            "articles": sum(p["articles"] for p in per), "rejects": sum(p["rejects"] for p in per)}


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
    from pipelines import staging
    from pipelines.publish import publish as do_publish
    store = Store.open(store)
    if not staging.list_staged(store, str(dt), run_id):
        return {"dt": str(dt), "run_id": run_id, "published": False, "reason": "nothing staged"}
    res = do_publish(store, str(dt), run_id, config)
    from newsarchive.views import write_sources
    write_sources(store, config)  # names and priorities for the views (canonical copy of a cluster)
    batches = [dataclasses.asdict(b) for b in res.batches]
    return {"dt": str(dt), "run_id": run_id, "published": True, "manifest": res.manifest,
            "batches": json.loads(json.dumps(batches, default=str))}


def quality(store: Store | str, dt: date | str, run_id: str, config: SourcesConfig,
            sources: list[str] | None = None, mode: str = "incremental"):
    from pipelines.quality import run_checks
    return run_checks(store, str(dt), run_id, config, sources, mode=mode)


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
    """crawl every source → stage → publish → quality → report, for logical date ``dt``."""
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
    staged = stage(store, dt, run_id, config, ids)
    step("stage", staged)
    published = publish(store, dt, run_id, config)
    step("publish", published)
    qual = quality(store, dt, run_id, config, ids, mode=mode) if published.get("published") else None
    step("quality", qual)
    rep = report(store, dt, config) if with_report and published.get("published") else None
    step("report", rep)
    return RunResult(str(dt), run_id, crawls, staged, published, qual, rep)
