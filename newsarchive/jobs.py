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
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Iterable

from pipelines.config import SourcesConfig
from pipelines.layout import day
from pipelines.record import Article
from pipelines.storage import Store

#: Pages extracted per worker round (bounds memory: raw bodies are held only per chunk).
STAGE_CHUNK = 400


def make_run_id(origin: str, logical: datetime, token: str | None = None) -> str:
    """A new run id (``pipelines.layout.make_run_id``): unique per invocation, with the logical date in it."""
    from pipelines.layout import make_run_id as new_id
    return new_id(origin, logical, token)


# ----------------------------------------------------------------------------- subprocesses
@dataclass
class CommandResult:
    """What a ``newsarchive`` subprocess did: exit code (124: killed at its timeout) and its output."""
    args: list[str]
    exit_code: int
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def last_json(self) -> dict:
        """Its last stdout line that is a JSON object (commands print their summary that way), or {}."""
        for line in reversed(self.stdout.strip().splitlines()):
            if line.startswith("{"):
                try:
                    return json.loads(line)
                except ValueError:
                    pass
        return {}

    def output(self) -> str:
        return (self.stdout + self.stderr).strip()


def run_command(args: list[str], *, env: dict[str, str] | None = None, timeout: float | None = 3600,
                capture: bool = True) -> CommandResult:
    """``newsarchive <args>`` in a new process: the one way the pipeline starts one.

    Used where a step cannot run in the caller's process: a crawl (Twisted's reactor runs once per
    process), and extraction from an Airflow Celery task (its daemonic process may not start the
    extraction worker pool). ``env`` is added to this process's environment; ``capture=False`` lets
    the child write to this process's stdout/stderr.
    """
    cmd = [sys.executable, "-m", "newsarchive.cli", *args]
    full_env = {**os.environ, **(env or {})}
    try:
        proc = subprocess.run(cmd, capture_output=capture, text=True, timeout=timeout, env=full_env)
    except subprocess.TimeoutExpired as exc:
        out = [(x or b"") for x in (exc.stdout, exc.stderr)]
        out = [x.decode("utf-8", "replace") if isinstance(x, bytes) else x for x in out]
        return CommandResult(list(args), 124, out[0], out[1] + f"\nnewsarchive {args[0]} exceeded {timeout:.0f} s "
                                                              "and was killed")
    return CommandResult(list(args), proc.returncode, proc.stdout or "", proc.stderr or "")


def command_json(args: list[str], *, env: dict[str, str] | None = None, timeout: float = 3600) -> dict:
    """:func:`run_command` for a command that prints one JSON summary line; RuntimeError when it fails."""
    res = run_command(args, env=env, timeout=timeout)
    out = res.last_json()
    if not res.ok or not out:
        raise RuntimeError(f"newsarchive {' '.join(args[:1])} failed (exit {res.exit_code}): {res.stderr[-2000:]}")
    return out


# ----------------------------------------------------------------------------- plan
MODES = ("incremental", "archive")


@dataclass(frozen=True)
class CrawlJob:
    """One source's crawl in a run: incremental (feeds, sitemaps, listings: what is new), or archive
    (the date-addressed e-paper archive from ``since`` to ``until``)."""
    source: str
    dt: date
    mode: str
    since: date | None = None
    until: date | None = None

    def as_dict(self) -> dict:
        """JSON-able (Airflow passes jobs between tasks as XCom)."""
        return {"source": self.source, "dt": self.dt.isoformat(), "mode": self.mode,
                "since": self.since and self.since.isoformat(), "until": self.until and self.until.isoformat()}

    @classmethod
    def from_dict(cls, d: dict) -> "CrawlJob":
        return cls(d["source"], day(d["dt"]), d["mode"], d.get("since") and day(d["since"]),
                   d.get("until") and day(d["until"]))


@dataclass
class Plan:
    dt: date
    mode: str
    jobs: list[CrawlJob]
    skipped: dict[str, str]

    @property
    def sources(self) -> list[str]:
        return [j.source for j in self.jobs]

    def summary(self) -> str:
        s = f"{self.mode} run for {self.dt}: {', '.join(self.sources) or 'no source'}"
        return s + "".join(f"; skipped {k}: {v}" for k, v in self.skipped.items())


def plan(config: SourcesConfig, dt: date, *, mode: str = "incremental", sources: list[str] | None = None,
         since: date | None = None, until: date | None = None) -> Plan:
    """The run policy, in one place (``newsarchive run`` and the DAGs' ``plan`` task): which sources a run
    of logical date ``dt`` crawls, and how.

    * ``incremental``: every given source (default: every enabled one), each from its feeds, sitemaps
      and listings.
    * ``archive`` (a backfill, the ``newsarchive_daily`` DAG): the date-addressed archive of each
      source from ``since`` to ``until`` (default: ``dt`` alone). A source without one is skipped, with
      the reason: its feeds hold today's articles, not those dates' (its incremental runs catch up).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    dt = day(dt)
    ids = list(sources) if sources else config.ids(enabled_only=True)
    if mode == "incremental":
        return Plan(dt, mode, [CrawlJob(sid, dt, mode) for sid in ids], {})
    since, until = day(since or dt), day(until or dt)
    if since > until:
        raise ValueError(f"since {since} is after until {until}: the date range is empty")
    jobs, skipped = [], {}
    for sid in ids:
        if config.get(sid).discovery.archive is None:
            skipped[sid] = "no date-addressed archive to backfill from (its incremental runs catch up)"
        else:
            jobs.append(CrawlJob(sid, dt, mode, since, until))
    return Plan(dt, mode, jobs, skipped)


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


def crawl_args(source: str, store_uri: str, dt: date, run_id: str, config_path: str | None = None,
               since: date | None = None, until: date | None = None, polite: bool = True) -> list[str]:
    args = ["crawl", "--source", source, "--store", store_uri, "--date", day(dt).isoformat(), "--run-id", run_id]
    if config_path:
        args += ["--config", str(config_path)]
    if since and until:
        args += ["--since", since.isoformat(), "--until", until.isoformat()]
    if not polite:
        args.append("--no-politeness")
    return args


def crawl(source: str, store_uri: str, dt: date, run_id: str, *, config_path: str | None = None,
          since: date | None = None, until: date | None = None, env: dict[str, str] | None = None,
          timeout: float = 3600, polite: bool = True) -> CrawlOutcome:
    """Run ``newsarchive crawl`` for one source in its own process (Twisted's reactor cannot restart)."""
    res = run_command(crawl_args(source, store_uri, dt, run_id, config_path, since, until, polite),
                      env=env, timeout=timeout)
    if res.exit_code == 124 and not res.last_json():
        return CrawlOutcome(source, 124, {"errors": [f"crawl exceeded {timeout:.0f} s and was killed"]},
                            res.stderr[-2000:])
    return CrawlOutcome(source, res.exit_code, res.last_json(), res.stderr[-2000:])


def crawl_job(job: CrawlJob, store_uri: str, run_id: str, **kw) -> CrawlOutcome:
    """:func:`crawl` of one job of a :func:`plan`."""
    return crawl(job.source, store_uri, job.dt, run_id, since=job.since, until=job.until, **kw)


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
    return (tbl.append_column(schemas.LINEAGE[0], pa.array([seg.dt] * n, pa.date32()))
            .append_column(schemas.LINEAGE[1], pa.array([seg.segment] * n, pa.string())))


def stage_pending(lake, config: SourcesConfig, sources: list[str], *, staged_by: str, dts: list[date] | None = None,
                  runs: list[str] | None = None, workers: int = 0, timeout: float = 20.0,
                  progress: Callable[[int, int], None] | None = None) -> dict[str, dict]:
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


def stage(store: Store | str, dt: date, run_id: str, config: SourcesConfig,
          sources: list[str] | None = None, *, dts: list[date] | None = None, runs: list[str] | None = None,
          workers: int = 0, progress: Callable[[int, int], None] | None = None) -> dict:
    """Register the committed raw segments of ``sources`` (default: every configured source) in the
    ledger, then stage every one not staged yet – this run's and any earlier run's."""
    from newsarchive.lake import archive, open_writer
    dt, dts = day(dt), None if dts is None else [day(d) for d in dts]
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


def stage_subprocess(store_uri: str, dt: date, run_id: str, sources: list[str], *,
                     config_path: str | None = None, env: dict[str, str] | None = None) -> dict:
    """:func:`stage` in a new process (``newsarchive stage``): what an Airflow task runs."""
    args = ["stage", "--store", store_uri, "--date", day(dt).isoformat(), "--run-id", run_id]
    if sources:
        args += ["--sources", *sources]
    if config_path:
        args += ["--config", str(config_path)]
    return command_json(args, env=env)


# ----------------------------------------------------------------------------- publish, quality, report
def publish(store: Store | str, dt: date, run_id: str, config: SourcesConfig) -> dict:
    """Publish every staged segment (all sources, all dates), a batch per transaction."""
    from newsarchive.lake import archive, open_writer
    with open_writer(store) as lake:
        batches = archive.publish(lake, run_id=run_id, dt=day(dt), config=config)
    out = [dataclasses.asdict(b) for b in batches]
    total = {k: sum(b[k] for b in out) for k in ("segments", "staged", "articles", "sightings", "rejects",
                                                  "exact_duplicates", "near_duplicates")}
    return {"dt": str(dt), "run_id": run_id, "published": bool(out), "batches": out, **total,
            **({} if out else {"reason": "nothing staged"})}


def quality(store: Store | str, dt: date, runs: "dict[str, str] | str", config: SourcesConfig,
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
        rep = run_checks(store, day(dt), by_source, config, ids, mode=mode, counts=counts)
        rep.failures += conservation.check(balances, datetime.now(timezone.utc))   # lost pages, stuck work
        lake_quality.record(lake, rep, checked_by or ", ".join(run_ids))
    return rep


def report(store: Store | str, dt: date, config: SourcesConfig | None = None) -> str:
    from newsarchive.report import build_report
    return build_report(Store.open(store), day(dt), sources_config=config)


# ----------------------------------------------------------------------------- one whole run
@dataclass
class RunResult:
    dt: date
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
    """crawl (the sources :func:`plan` picks) → stage → publish → quality → report, for logical date ``dt``;
    ``since``/``until``: a backfill of the date-addressed archives (``plan``'s archive mode).

    Stage and publish run even when a crawl failed: the other sources' pages (and anything an
    earlier run left pending) are archived; the run still reports the failed crawl.
    """
    store = Store.open(store)
    store.ensure_bucket()
    step = on_step or (lambda name, info: None)
    the_plan = plan(config, dt, mode="archive" if since else "incremental", sources=sources, since=since,
                    until=until)
    step("plan", the_plan)
    run_id = run_id or make_run_id("cli", datetime.combine(dt, datetime.min.time(), timezone.utc))

    def one(job: CrawlJob) -> CrawlOutcome:
        return crawl_job(job, store.uri, run_id, config_path=config_path, polite=polite)

    crawls = []
    # One process per source, `parallel` at a time (each is polite to its own hosts).
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        for out in pool.map(one, the_plan.jobs):
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
    qual = quality(store, dt, run_id, config, the_plan.sources or None, mode=the_plan.mode)
    step("quality", qual)
    rep = report(store, dt, config) if with_report else None
    step("report", rep)
    return RunResult(dt, run_id, crawls, staged, published, qual, rep)


# ----------------------------------------------------------------------------- reprocess, retry
def dates(since: date, until: date) -> list[date]:
    """Every date from ``since`` to ``until``, both included."""
    out, d = [], day(since)
    while d <= day(until):
        out.append(d)
        d += timedelta(days=1)
    return out


def reprocess(store: Store | str, since: date, until: date, config: SourcesConfig,
              sources: list[str] | None = None, run_id: str | None = None) -> dict:
    """Re-extract every raw segment crawled from ``since`` to ``until`` (no fetching) and re-publish:
    each segment's rows are replaced by what the current extractor makes of the same raw bytes."""
    from newsarchive.lake import archive, open_writer
    store = Store.open(store)
    ids = sources or config.ids()
    dts = dates(since, until)
    run_id = run_id or make_run_id("reprocess", datetime.combine(day(since), datetime.min.time(), timezone.utc))
    with open_writer(store) as lake:
        archive.register(lake, ids, registered_by=run_id)
        segs = [r.segment for r in archive.ledger(lake, sources=ids, dts=dts)]
        restaged = archive.restage(lake, segs)
    st = stage(store, until, run_id, config, ids, dts=dts)
    pub = publish(store, until, run_id, config)
    return {"since": str(since), "until": str(until), "run_id": run_id, "segments": len(segs),
            "restaged": restaged, "stage": st, "publish": pub}


def retry(store: Store | str, dt: date, config: SourcesConfig, sources: list[str] | None = None,
          stages: tuple[str, ...] = ("fetch", "decode", "extract")) -> dict:
    """Re-extract the raw segments of ``dt`` that have decode/extract rejects, and re-publish them;
    fetch rejects are re-fetched by the next crawl of their source (a failed URL never enters the
    seen-set), so they are only counted."""
    from newsarchive.lake import archive, open_writer
    dt = day(dt)
    run_id = make_run_id("retry", datetime.combine(dt, datetime.min.time(), timezone.utc))
    with open_writer(store) as lake:
        rows = lake.rows("SELECT segment, source, stage FROM rejects WHERE dt = ? AND list_contains(?, stage)",
                         [dt, list(stages)])
        rows = [r for r in rows if not sources or r["source"] in sources]
        segs = sorted({r["segment"] for r in rows if r["stage"] in ("decode", "extract")})
        archive.restage(lake, segs)
    out = {"dt": str(dt), "run_id": run_id, "segments": len(segs),
           "fetch_rejects": sum(1 for r in rows if r["stage"] == "fetch"), "stage": None, "publish": None}
    if segs:
        srcs = sorted({r["source"] for r in rows if r["stage"] in ("decode", "extract")})
        out["stage"] = stage(store, dt, run_id, config, srcs, dts=[dt])
        out["publish"] = publish(store, dt, run_id, config)
    return out


def quality_of_date(store: Store | str, dt: date, config: SourcesConfig, sources: list[str] | None = None) -> list:
    """The quality checks of every crawl run of ``dt`` in the catalog (one report per run id), or []
    when nothing crawled on ``dt`` is in it (``newsarchive quality``, the reprocess DAG)."""
    from newsarchive.lake import archive, open_reader
    dt = day(dt)
    with open_reader(store, lockdown=False) as lake:
        rows = archive.ledger(lake, sources=sources or None, dts=[dt])
    by_run: dict[str, dict[str, str]] = {}
    for r in rows:
        by_run.setdefault(r.run_id, {})[r.source] = r.run_id
    return [quality(store, dt, runs, config, sorted(runs), mode="incremental") for _, runs in sorted(by_run.items())]
