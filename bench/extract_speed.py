"""Extraction speed: the project vs plain ``trafilatura.extract()`` vs ``lxml.html.fromstring`` (the parse floor).

    python -m bench.extract_speed [--quick]

Pages: the web article pages of the replay (``Replay(scale=20)``, 2,600 pages of the six configured
sources, rendered in process; ``--quick``: scale 5, 400 pages), the same pages for every system.

* ``newsarchive``  ``pipelines.extract.extract(RawPage, source)`` (decoding, metadata, cleanup included);
* ``trafilatura``  ``trafilatura.extract(html)`` on the decoded string (decoding not timed);
* ``lxml``         ``lxml.html.fromstring(html)`` on the decoded string: parsing alone, the floor.

1 process: page by page, alternating between the systems, CPU seconds of this process (and wall).
All cores: each system over every page in a fork ``multiprocessing.Pool`` of one worker per core (pages
inherited, small results sent back), interleaved rounds, median wall time. The production path
``pipelines.extract.many.extract_many`` (per-page timeout and crash isolation, pages pickled to the worker) is
timed in the same rounds. Results: stdout and bench/out/extract_speed-{quick,full}.json.
"""
from __future__ import annotations

import logging
import statistics
import sys
import time
from multiprocessing import get_context

from bench import common
from bench.common import cores, replay_pages

SYSTEMS = ("newsarchive", "trafilatura", "lxml")
_PAGES: list = []          # (RawPage, decoded html, Source): inherited by forked workers
_FUNCS: dict = {}


def _setup(pages) -> None:
    import lxml.html
    import trafilatura

    from pipelines.config import load_sources
    from pipelines.extract.encoding import decode_html
    from pipelines.extract import extract
    cfg = load_sources()
    _PAGES[:] = [(p, decode_html(p.body, p.header("content-type")).text, cfg.get(p.source)) for p in pages]
    _FUNCS.update(newsarchive=lambda p, html, src: extract(p, src),
                  trafilatura=lambda p, html, src: trafilatura.extract(html),
                  lxml=lambda p, html, src: lxml.html.fromstring(html))


def _run_one(args: tuple[str, int]) -> int:
    name, i = args
    _FUNCS[name](*_PAGES[i])
    return i


def single(rounds: int = 1) -> dict:
    """Pages per CPU-second (and per wall second) of each system on one process, page by page."""
    cpu, wall = dict.fromkeys(SYSTEMS, 0.0), dict.fromkeys(SYSTEMS, 0.0)
    for _ in range(rounds):
        for page in _PAGES:
            for name in SYSTEMS:
                c, w = time.process_time(), time.perf_counter()
                _FUNCS[name](*page)
                cpu[name] += time.process_time() - c
                wall[name] += time.perf_counter() - w
    n = len(_PAGES) * rounds
    return {k: {"pages_per_cpu_s": n / cpu[k], "pages_per_s": n / wall[k]} for k in SYSTEMS}


def _pool_rate(ctx, name: str, workers: int) -> float:
    n = len(_PAGES)
    with ctx.Pool(workers) as pool:
        t = time.perf_counter()
        for _ in pool.imap_unordered(_run_one, [(name, i) for i in range(n)], chunksize=8):
            pass
        return n / (time.perf_counter() - t)


def _extract_many_rate(config, workers: int) -> float:
    from pipelines.extract.many import extract_many
    pages = [p for p, _, _ in _PAGES]
    t = time.perf_counter()
    extract_many(pages, config, workers=workers, progress=False)
    return len(pages) / (time.perf_counter() - t)


def all_cores(rounds: int) -> dict:
    from pipelines.config import load_sources
    ctx, workers, cfg = get_context("fork"), cores(), load_sources()
    runs: dict[str, list[float]] = {k: [] for k in (*SYSTEMS, "newsarchive_extract_many")}
    for _ in range(rounds):
        for name in SYSTEMS:
            runs[name].append(_pool_rate(ctx, name, workers))
        runs["newsarchive_extract_many"].append(_extract_many_rate(cfg, workers))
    return {"workers": workers, **{k: {"pages_per_s": statistics.median(v), "rounds": v} for k, v in runs.items()}}


def run(quick: bool) -> dict:
    logging.disable(logging.WARNING)
    scale, rounds = (5, 1) if quick else (20, 3)
    pages = replay_pages(scale, limit=400 if quick else None)
    _setup(pages)
    for page in _PAGES[::max(1, len(_PAGES) // 60)]:   # warm-up (every source): imports, caches, models
        for name in SYSTEMS:
            _FUNCS[name](*page)
    res = {"scale": scale, "pages": len(pages), "bytes_per_page": sum(len(p.body) for p in pages) // len(pages),
           "single": single(), "all": all_cores(rounds)}
    s, a = res["single"], res["all"]
    res["ratio_single"] = s["newsarchive"]["pages_per_cpu_s"] / s["trafilatura"]["pages_per_cpu_s"]
    res["ratio_all"] = a["newsarchive"]["pages_per_s"] / a["trafilatura"]["pages_per_s"]
    res["ratio_all_extract_many"] = a["newsarchive_extract_many"]["pages_per_s"] / a["trafilatura"]["pages_per_s"]
    res["floor_share_single"] = s["newsarchive"]["pages_per_cpu_s"] / s["lxml"]["pages_per_cpu_s"]
    return res


def print_report(r: dict) -> None:
    s, a = r["single"], r["all"]
    print(f"replay scale {r['scale']}: {r['pages']} article pages, {r['bytes_per_page']:,} bytes on average")
    print(f"{'system':<26} {'1 process (pages/CPU-s)':>24} {'all ' + str(a['workers']) + ' cores (pages/s)':>24}")
    for k in (*SYSTEMS, "newsarchive_extract_many"):
        one = f"{s[k]['pages_per_cpu_s']:.1f}" if k in s else "–"
        print(f"{k:<26} {one:>24} {a[k]['pages_per_s']:>24.1f}")
    print(f"newsarchive / trafilatura: 1 process {r['ratio_single']:.2f}×, all cores {r['ratio_all']:.2f}× "
          f"(extract_many {r['ratio_all_extract_many']:.2f}×); newsarchive / lxml parse = {r['floor_share_single']:.3f}×")


def main(argv: list[str] | None = None) -> int:
    return common.main("extract_speed", run, print_report, quick_help='scale 5, 400 pages, one round', doc=__doc__, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
