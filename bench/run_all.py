"""Every benchmark, each in its own process, then one summary table and bench/README.md.

    python -m bench.run_all [--quick] [--only crawl,query] [--no-readme]     (make bench / make bench-quick)

Runs each stage benchmark as ``python -m bench.<module> [--quick]`` in a subprocess (one crash or memory peak
does not touch the others; output in bench/out/logs/), reads the result file each one writes
(bench/out/<name>-<mode>.json), prints one table (stage | measure | ours | baseline | ratio | goal | met?) and
rewrites the "## Summary" section at the top of bench/README.md (full and quick runs keep their own table).
A full run also rewrites the sections of the benchmarks without their own README writer (store, extraction
speed, S3, end to end, query, memory); ``bench.extract_quality`` updates its own section in a full run.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from bench import readme, summary
from bench.common import OUT, ROOT, result_path


@dataclass
class Stage:
    name: str
    label: str
    quick_args: tuple[str, ...] = ("--quick",)
    full_args: tuple[str, ...] = ()

    def command(self, quick: bool) -> list[str]:
        return ["python", "-m", f"bench.{self.name}", *(self.quick_args if quick else self.full_args)]


STAGES = (
    Stage("crawl", "crawl"),
    Stage("extract_quality", "extract", quick_args=("--quick", "--no-readme")),
    Stage("extract_speed", "extract"),
    Stage("store", "dedupe+publish"),
    Stage("s3", "dedupe+publish"),
    Stage("e2e", "end to end"),
    Stage("query", "query"),
    Stage("memory", "memory"),
)


def run_stage(stage: Stage, quick: bool, timeout: float) -> dict:
    """Run one benchmark; its status, seconds and result (None when it failed or was skipped)."""
    path, log = result_path(stage.name, quick), OUT / "logs" / f"{stage.name}-{'quick' if quick else 'full'}.log"
    path.unlink(missing_ok=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    cmd = stage.command(quick)
    load0, t = os.getloadavg()[0], time.perf_counter()
    print(f"== {' '.join(cmd)}", flush=True)
    with open(log, "w", encoding="utf-8") as out:
        try:
            code = subprocess.run([sys.executable, *cmd[1:]], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                  timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)}).returncode
        except subprocess.TimeoutExpired:
            code = "timeout"
    info = {"command": " ".join(cmd), "seconds": time.perf_counter() - t, "load": [load0, os.getloadavg()[0]],
            "log": str(log.relative_to(ROOT)), "result": None}
    result = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    if code != 0 or result is None:
        info["status"] = f"failed ({'timed out' if code == 'timeout' else f'exit {code}'}; see {info['log']})"
    elif result.get("skipped"):
        info["status"] = f"skipped ({result['skipped']})"
    else:
        info.update(status="ok", result=result)
    print(f"   {info['status']} in {info['seconds']:.0f} s (load {load0:.1f} → {info['load'][1]:.1f})", flush=True)
    return info


def rows(runs: dict[str, dict]) -> list[summary.Row]:
    res = {k: v["result"] for k, v in runs.items()}
    builders = {"crawl": summary.crawl_rows, "extract_quality": summary.extract_quality_rows,
                "extract_speed": summary.extract_speed_rows, "store": summary.store_rows, "s3": summary.s3_rows,
                "e2e": summary.e2e_rows, "query": summary.query_rows,
                "memory": lambda r: summary.memory_rows(r, res.get("crawl"), res.get("store"))}
    out: list[summary.Row] = []
    for stage in STAGES:
        info = runs.get(stage.name)
        if info is None:
            continue
        if info["result"] is None:
            out.append((stage.label, f"`{info['command']}`", info["status"], "–", "–", "–", "–"))
            continue
        try:
            out += builders[stage.name](info["result"])
        except (KeyError, TypeError, ZeroDivisionError) as exc:
            out.append((stage.label, f"`{info['command']}`", f"result unreadable ({type(exc).__name__}: {exc})",
                        "–", "–", "–", "–"))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run_all", description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="every benchmark's quick mode (under 3 minutes)")
    ap.add_argument("--only", help="comma-separated benchmarks: " + ",".join(s.name for s in STAGES))
    ap.add_argument("--no-readme", action="store_true", help="print the table, leave bench/README.md alone")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per benchmark (default 900)")
    a = ap.parse_args(argv)
    wanted = set(a.only.split(",")) if a.only else {s.name for s in STAGES}
    if unknown := wanted - {s.name for s in STAGES}:
        ap.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    started, t0 = datetime.now(timezone.utc), time.perf_counter()
    runs = {s.name: run_stage(s, a.quick, a.timeout) for s in STAGES if s.name in wanted}
    table = rows(runs)
    total = time.perf_counter() - t0
    print("\n" + summary.plain(table) + f"\n\n{len(runs)} benchmarks in {total / 60:.1f} min")
    record = {"mode": "quick" if a.quick else "full", "started": started.strftime("%Y-%m-%d %H:%M UTC"),
              "minutes": total / 60, "cores": os.cpu_count(), "only": a.only, "runs": runs, "rows": table}
    (OUT / f"summary-{record['mode']}.json").write_text(json.dumps(record, indent=1, default=str), encoding="utf-8")
    if not a.no_readme:
        readme.update(record)
        print("bench/README.md updated")
    return 0 if all(r["status"] == "ok" or r["status"].startswith("skipped") for r in runs.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
