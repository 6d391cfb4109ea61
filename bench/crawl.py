"""Crawl throughput against the local replay: our spider vs bare Scrapy vs a plain asyncio loop.

    python -m bench.crawl [--quick] [--rounds N] [--profile]

One replay (``Replay(scale=128)``: ~10,000 web article pages; ``--quick``: scale 10, ~800) serves every
fetcher, politeness off. Each fetcher runs in its own process (bench/crawl_workers.py) over the same article
URLs, in interleaved rounds (median of the rounds reported):

* ``ours``: NewsSpider with everything on (canonical URLs, seen-set lookups, WARC + crawl log, encoding
  check), one crawler per source in one process, fresh store each round;
* ``bare``: a stock Scrapy spider per source yielding the same URLs into a null item pipeline;
* ``bare-tuned``: the same with the Scrapy settings ours uses (CONCURRENT_ITEMS=8, no cookies, no dupefilter),
  so ours / bare-tuned is the cost of our own work alone;
* ``asyncio``: aiohttp GETs with the same concurrency.

Then ``ours-full``: the production command, ``newsarchive crawl --no-politeness``, one process per source
(discovery through feeds, sitemaps and every listing page included). ``--profile`` adds a cProfile run of
``ours`` and splits its CPU per page by component. Results: stdout and bench/out/crawl-{quick,full}.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"


def bench_config(replay, path: Path) -> Path:
    """The replay config with politeness off-ish and discovery unbounded (every article reachable)."""
    from pipelines.config import SourcesConfig
    data = replay.config.model_dump()
    for s in data["sources"]:
        s["politeness"].update(delay_seconds=0, autothrottle=False, timeout_seconds=30, retries=1,
                               max_requests=10**6, max_seconds=3600)
        s["freshness"]["max_age_days"] = 36500
        for lst in s["discovery"]["listings"]:
            lst["max_pages"] = 1000
    path.write_text(SourcesConfig.model_validate(data).to_yaml(), encoding="utf-8")
    return path


def worker(kind: str, urls: Path, config: Path, store: Path, profile: Path | None = None) -> dict:
    cmd = [sys.executable, "-m", "bench.crawl_workers", kind, "--urls", str(urls), "--config", str(config),
           "--store", str(store)] + (["--profile", str(profile)] if profile else [])
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    if p.returncode:
        raise RuntimeError(f"{kind} worker failed: {p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def full_crawl(config: Path, store: Path, sources: list[str]) -> dict:
    """The production path: one `newsarchive crawl --no-politeness` per source, one after another."""
    pages = seconds = wall = cpu = 0.0
    peak = 0.0
    for s in sources:
        t0, c0 = time.perf_counter(), os.times()
        p = subprocess.run([sys.executable, "-m", "newsarchive.cli", "crawl", "--source", s, "--store", str(store),
                            "--config", str(config), "--date", "2022-07-28", "--no-politeness"],
                           cwd=ROOT, capture_output=True, text=True,
                           env=dict(os.environ, PYTHONPATH=str(ROOT), NEWSARCHIVE_CRAWL_SETTINGS='{"LOG_LEVEL": "WARNING"}'))
        wall += time.perf_counter() - t0
        c1 = os.times()
        cpu += (c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)
        summary = json.loads(p.stdout.strip().splitlines()[-1])
        pages += summary["responses"]
        seconds += summary["elapsed_seconds"]
        peak = max(peak, summary.get("peak_rss_mib") or 0)
    return {"kind": "ours-full", "pages": int(pages), "seconds": round(seconds, 3), "wall_seconds": round(wall, 3),
            "cpu_seconds": round(cpu, 3), "peak_rss_mib": peak}


def per_page(r: dict) -> dict:
    return {**r, "pages_per_s": round(r["pages"] / r["seconds"], 1),
            "cpu_ms_per_page": round(1000 * r["cpu_seconds"] / max(1, r["pages"]), 3)}


def median_run(runs: list[dict]) -> dict:
    runs = sorted((per_page(r) for r in runs), key=lambda r: r["pages_per_s"])
    return {**runs[len(runs) // 2], "rounds": [r["pages_per_s"] for r in runs]}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rounds", type=int)
    ap.add_argument("--profile", action="store_true")
    a = ap.parse_args(argv)
    from replay import Replay
    scale, rounds = (10, a.rounds or 1) if a.quick else (128, a.rounds or 3)
    tmp = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    with Replay(scale=scale, slow_seconds=0.5, oversize_bytes=1 << 20) as r:   # hard cases: no 40 s stalls
        config = bench_config(r, tmp / "sources.yaml")
        urls: dict[str, list[str]] = {}
        for art in r.articles(channel="web"):
            if art.hard_case is None:
                urls.setdefault(art.source, []).append(art.url)
        url_file = tmp / "urls.json"
        url_file.write_text(json.dumps(urls), encoding="utf-8")
        results: dict[str, list[dict]] = {"asyncio": [], "bare": [], "bare-tuned": [], "ours": []}
        for i in range(rounds):
            for kind in results:
                results[kind].append(worker(kind, url_file, config, tmp / f"store-{kind}-{i}"))
                print(kind, per_page(results[kind][-1]), file=sys.stderr, flush=True)
        report = {"scale": scale, "articles": sum(map(len, urls.values())), "rounds": rounds,
                  **{k: median_run(v) for k, v in results.items()}}
        report["ours-full"] = per_page(full_crawl(config, tmp / "store-full", list(urls)))
        if a.profile:
            report["profile"] = profile_ours(url_file, config, tmp)
    shutil.rmtree(tmp, ignore_errors=True)
    report["ratio_ours_to_bare"] = round(report["ours"]["pages_per_s"] / report["bare"]["pages_per_s"], 3)
    report["ratio_ours_to_bare_tuned"] = round(report["ours"]["pages_per_s"] / report["bare-tuned"]["pages_per_s"], 3)
    report["ratio_bare_to_asyncio"] = round(report["bare"]["pages_per_s"] / report["asyncio"]["pages_per_s"], 3)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"crawl-{'quick' if a.quick else 'full'}.json").write_text(json.dumps(report, indent=1))
    print_report(report)
    return report


def profile_ours(url_file: Path, config: Path, tmp: Path) -> dict:
    from bench.crawl_profile import split
    prof = tmp / "ours.prof"
    res = per_page(worker("ours", url_file, config, tmp / "store-prof", profile=prof))
    return {"run": res, "ms_per_page": split(prof, res["pages"])}


def print_report(rep: dict) -> None:
    print(f"\nreplay scale {rep['scale']}: {rep['articles']} article pages; median of {rep['rounds']} round(s)")
    print(f"{'fetcher':<10} {'pages':>7} {'pages/s':>8} {'CPU ms/page':>12} {'peak RSS MiB':>13}")
    for k in ("asyncio", "bare", "bare-tuned", "ours", "ours-full"):
        r = rep[k]
        print(f"{k:<10} {r['pages']:>7} {r['pages_per_s']:>8} {r['cpu_ms_per_page']:>12} {r['peak_rss_mib']:>13}")
    print(f"ours / bare Scrapy = {rep['ratio_ours_to_bare']} (goal >= 0.8); ours / bare with our Scrapy settings = "
          f"{rep['ratio_ours_to_bare_tuned']}; bare / asyncio = {rep['ratio_bare_to_asyncio']}")
    for name, ms in (rep.get("profile") or {}).get("ms_per_page", {}).items():
        print(f"  {name:<48} {ms:>7.3f} ms/page")


if __name__ == "__main__":
    main()
