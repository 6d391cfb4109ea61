"""End to end: fetch → extract → dedupe → publish on the replay, and each stage's own rate in the same run.

    python -m bench.e2e [--quick]

``newsarchive.jobs.run_once`` (the code path of ``newsarchive run`` and the DAGs: one ``newsarchive crawl``
subprocess per source, two at a time, politeness off; stage with every core; publish) against
``Replay(scale=30)`` (``--quick``: scale 5) into a fresh local store, without the run report. The replay runs in
threads of this process. Each step's wall time comes from ``run_once``'s step callbacks, so the stage rates
(article pages / step seconds) and the end-to-end rate (article pages / seconds from the first crawl to the
committed snapshot) are measured in the same run; quality checks after the publish are not counted.
Results: stdout and bench/out/e2e-{quick,full}.json.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import common
from bench.common import cores, cpu_seconds

STEPS = ("crawl", "stage", "publish")


class Clock:
    """Wall and CPU marks at the end of each step (``run_once``'s ``on_step``)."""

    def __init__(self):
        self.t0, self.c0, self.self0 = time.perf_counter(), cpu_seconds(), cpu_seconds(children=False)
        self.marks: dict[str, tuple[float, float, float]] = {}
        self.crawls: list = []

    def __call__(self, name: str, info) -> None:
        if name == "crawl":
            self.crawls.append(info)
        self.marks[name] = (time.perf_counter(), cpu_seconds(), cpu_seconds(children=False))


def step_times(clock: Clock) -> dict:
    out, prev = {}, (clock.t0, clock.c0, clock.self0)
    for name in STEPS:
        cur = clock.marks[name]
        wall, cpu, own = cur[0] - prev[0], cur[1] - prev[1], cur[2] - prev[2]
        # during the crawl this process only serves the replay: its CPU is the replay's, not the pipeline's
        out[name] = {"seconds": wall, "cpu_seconds": cpu - own if name == "crawl" else cpu,
                     **({"replay_cpu_seconds": own} if name == "crawl" else {})}
        prev = cur
    return out


def run(quick: bool) -> dict:
    from bench.crawl import bench_config
    from newsarchive import jobs
    from replay import Replay
    scale = 5 if quick else 30
    tmp = Path(tempfile.mkdtemp(prefix="bench-e2e-"))
    try:
        with Replay(scale=scale, slow_seconds=0.5, oversize_bytes=1 << 20) as replay:
            cfg_path = bench_config(replay, tmp / "sources.yaml")
            from pipelines.config import load_sources
            cfg = load_sources(cfg_path)
            clock = Clock()
            res = jobs.run_once(str(tmp / "store"), replay.clock.date(), cfg, config_path=str(cfg_path),
                                polite=False, with_report=False, on_step=clock)
        steps = step_times(clock)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    pages = sum(c.summary.get("articles_archived", 0) for c in clock.crawls)
    batch = res.published["batches"][-1] if res.published.get("published") else {}
    e2e_s = sum(s["seconds"] for s in steps.values())
    for s in steps.values():
        s["pages_per_s"] = pages / s["seconds"]
    slowest = min(STEPS, key=lambda k: steps[k]["pages_per_s"])
    n = cores()
    return {"scale": scale, "cores": n, "pages": pages,
            "responses": sum(c.summary.get("responses", 0) for c in clock.crawls),
            "crawl_ok": all(c.ok for c in clock.crawls), "staged_articles": res.staged["articles"],
            "staged_rejects": res.staged["rejects"], "new_articles": batch.get("articles"),
            "steps": steps, "e2e_seconds": e2e_s, "e2e_pages_per_s": pages / e2e_s,
            "e2e_pages_per_s_per_core": pages / e2e_s / n,
            "e2e_pages_per_cpu_s": pages / sum(s["cpu_seconds"] for s in steps.values()),
            "slowest_step": slowest, "slowest_pages_per_s": steps[slowest]["pages_per_s"],
            "ratio_to_slowest": (pages / e2e_s) / steps[slowest]["pages_per_s"],
            "crawl_peak_rss_mib": max((c.summary.get("peak_rss_mib") or 0) for c in clock.crawls)}


def print_report(r: dict) -> None:
    print(f"replay scale {r['scale']}: {r['pages']} article pages archived ({r['responses']} responses), "
          f"{r['staged_articles']} staged, {r['new_articles']} new articles published")
    for name, s in r["steps"].items():
        print(f"  {name:<8} {s['seconds']:7.1f} s  {s['pages_per_s']:7.1f} pages/s  CPU {s['cpu_seconds']:6.1f} s")
    print(f"end to end {r['e2e_seconds']:.1f} s: {r['e2e_pages_per_s']:.1f} pages/s = "
          f"{r['e2e_pages_per_s_per_core']:.1f} pages/s per core ({r['cores']} cores), "
          f"{r['e2e_pages_per_cpu_s']:.1f} pages per CPU-second")
    print(f"slowest stage: {r['slowest_step']} at {r['slowest_pages_per_s']:.1f} pages/s; "
          f"end to end / slowest = {r['ratio_to_slowest']:.2f}×")


def main(argv: list[str] | None = None) -> int:
    return common.main("e2e", run, print_report, quick_help='replay scale 5 instead of 30', doc=__doc__, ok=lambda r: r["crawl_ok"], argv=argv)


if __name__ == "__main__":
    sys.exit(main())
