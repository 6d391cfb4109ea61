"""Helpers shared by the benchmarks: the one command-line entry (:func:`main`), children in fresh
interpreters (:func:`in_child`), result files, peak RSS, replay pages without HTTP."""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"


def mode(quick: bool) -> str:
    return "quick" if quick else "full"


def result_path(name: str, quick: bool) -> Path:
    return OUT / f"{name}-{mode(quick)}.json"


def write_result(name: str, quick: bool, result: dict) -> Path:
    """``bench/out/<name>-<mode>.json``: what ``bench.run_all`` collects."""
    OUT.mkdir(parents=True, exist_ok=True)
    path = result_path(name, quick)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    path.write_text(json.dumps({"measured_at": stamp, "mode": mode(quick), **result}, indent=1, default=str),
                    encoding="utf-8")
    return path


def main(name: str, run, report, *, quick_help: str, doc: str = "", children: dict | None = None,
         ok=None, argv: list[str] | None = None) -> int:
    """The command line of every benchmark: ``python -m bench.<name> [--quick]``.

    ``run(quick) -> dict`` measures, the result is written to ``bench/out/<name>-<mode>.json`` (what
    ``bench.run_all`` collects) and ``report(result)`` prints it (it may print itself and return None).
    ``children``: functions :func:`in_child` runs in a fresh interpreter (``--child NAME ARGS``, for peak
    RSS and a clean import state). ``ok(result)``: the exit status (default 0).
    """
    ap = argparse.ArgumentParser(prog=f"python -m bench.{name}", description=doc.strip().split("\n")[0])
    ap.add_argument("--quick", action="store_true", help=quick_help)
    if children:
        ap.add_argument("--child", help=argparse.SUPPRESS)
        ap.add_argument("args", nargs="?", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if children and a.child:
        res = children[a.child](*json.loads(a.args))
        res["peak_rss_mib"] = peak_rss_mib()
        print(json.dumps(res))
        return 0
    res = run(a.quick)
    write_result(name, a.quick, res)
    text = report(res)
    if text:
        print(text)
    return 0 if ok is None or ok(res) else 1


def in_child(module: str, name: str, *args, env: dict | None = None) -> dict:
    """Run ``bench.<module>``'s child function ``name`` in a fresh interpreter; its result (with its peak RSS)."""
    out = subprocess.run([sys.executable, "-m", f"bench.{module}", "--child", name, json.dumps(args)],
                         capture_output=True, text=True, cwd=ROOT, env=env)
    if out.returncode:
        raise RuntimeError(f"bench.{module} child {name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def peak_rss_mib() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss it does not carry a parent's peak over fork+exec)."""
    try:
        with open("/proc/self/status") as f:
            return round(next(int(ln.split()[1]) for ln in f if ln.startswith("VmHWM:")) / 1024, 1)
    except (OSError, StopIteration):
        return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def children_peak_rss_mib() -> float:
    """The largest peak RSS of any waited-for child process (ru_maxrss of RUSAGE_CHILDREN)."""
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


def cpu_seconds(children: bool = True) -> float:
    t = os.times()
    return t.user + t.system + ((t.children_user + t.children_system) if children else 0.0)


class Timer:
    """``with Timer() as t: ...`` then ``t.wall`` / ``t.cpu`` (this process, plus waited children)."""

    def __enter__(self) -> "Timer":
        self._w, self._c = time.perf_counter(), cpu_seconds()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self._w
        self.cpu = cpu_seconds() - self._c


def replay_pages(scale: int, limit: int | None = None) -> list:
    """Article pages of ``Replay(scale)`` as ``RawPage``s, rendered in process (no HTTP, no hard cases)."""
    from pipelines.record import RawPage
    from replay import Replay
    replay = Replay(scale=scale)       # bound but never started: pages come from its World directly
    try:
        fetched = datetime(2022, 7, 28, tzinfo=timezone.utc)
        pages = []
        for art in replay.articles():
            if art.hard_case is not None:
                continue
            host, path = replay.real_host(art.url), art.url.split("/", 3)[3]
            resp = replay.world.respond(host, "/" + path)
            if resp.status != 200 or not resp.body:
                continue
            headers = {k.lower(): v for k, v in resp.headers}
            headers["content-type"] = resp.content_type or "text/html"
            pages.append(RawPage(url=art.url, body=resp.body, source=art.source, headers=headers,
                                 fetched_at=fetched, run_id="bench"))
            if limit and len(pages) >= limit:
                break
        return pages
    finally:
        replay.stop()


def copy_store(src: Path, dst: Path) -> Path:
    """A copy of the local store ``src`` at ``dst`` that the catalog accepts as its own.

    Data and index files are hard-linked (DuckLake and the index never change a file in place; a writer
    of the copy adds files and unlinks its own links only), the SQLite catalog is copied, and the copy's
    catalog is pointed at its own data folder (DuckLake refuses a catalog whose recorded data path is
    another folder's). ``dst`` is replaced.
    """
    import shutil
    import sqlite3
    src, dst = Path(src), Path(dst)
    shutil.rmtree(dst, ignore_errors=True)
    if (src / "catalog.sqlite-wal").exists() and (src / "catalog.sqlite-wal").stat().st_size:
        raise RuntimeError(f"{src}/catalog.sqlite has an unmerged WAL: close its writers first")

    def copy(s, d):
        if os.path.basename(s).startswith("catalog.sqlite"):
            return shutil.copy2(s, d)
        return os.link(s, d)
    shutil.copytree(src, dst, copy_function=copy, ignore=shutil.ignore_patterns(".complete", "*.lock"))
    if str(src) != str(dst):
        con = sqlite3.connect(dst / "catalog.sqlite")     # never opened by DuckDB in this process yet
        try:
            con.execute("UPDATE ducklake_metadata SET value = ? WHERE key = 'data_path'",
                        [str(dst.resolve() / "lake") + "/"])
            con.commit()
        finally:
            con.close()
    return dst


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
