"""Peak RSS of the extraction and publish stages at 10× their default batch, next to 1× (same run).

    python -m bench.memory [--quick]

Default batches (what one unit of work holds in memory):

* extract: ``newsarchive.jobs.STAGE_CHUNK`` = 400 pages (``stage_source`` hands the extraction pool 400 raw
  pages at a time). Measured: ``pipelines.extract.many.extract_many`` on 400 and on 4,000 replay article pages
  (the replay's pages, cycled, each body its own copy), every core. Peak RSS of the calling process (it holds
  the bodies and the results) and of the largest worker.
* publish: 1,000 new articles (one day's run of the configured sources; ``bench.store``'s "small run").
  Measured: ``newsarchive.lake.archive.publish`` (after ``open_writer``) of 1,000 and of 10,000 staged
  synthetic 5 KB articles (5% near duplicates, ``bench.store.stage_new``) into an empty local catalog.

The crawl's figure (one WARC segment, 2,000 records ≈ 1,000 pages, is its unit; ``bench.crawl`` crawls ~10,000
pages in one process, 10×) comes from ``bench.crawl``. ``--quick`` measures 0.1× and 1× instead.
Each measure runs in a fresh child process (peak RSS = its ``VmHWM``).
Results: stdout and bench/out/memory-{quick,full}.json.
"""
from __future__ import annotations

import pickle
import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

from bench import common
from bench.common import children_peak_rss_mib, peak_rss_mib

STAGE_CHUNK = 400
PUBLISH_BATCH = 1_000


def child_extract(pages_file: str, n: int) -> dict:
    from pipelines.extract.many import extract_many
    from pipelines.config import load_sources
    with open(pages_file, "rb") as f:
        base = pickle.load(f)
    pages = []
    for i in range(n):
        p = base[i % len(base)]
        pages.append(type(p)(**{**{k: getattr(p, k) for k in p.__dataclass_fields__},
                                "body": bytes(bytearray(p.body)), "url": f"{p.url}?copy={i}"}))
    before = peak_rss_mib()
    results = extract_many(pages, load_sources(), progress=False)
    return {"pages": n, "body_bytes": sum(len(p.body) for p in pages), "results": len(results),
            "rss_before_mib": before, "worker_peak_rss_mib": children_peak_rss_mib()}


def child_publish(root: str, run: str) -> dict:
    from newsarchive.lake import archive, open_writer
    with open_writer(root) as lake:
        res = archive.publish(lake, run_id=run, dt=date(2030, 1, 1))
    return {"staged": sum(b.staged for b in res), "articles": sum(b.articles for b in res),
            "near_duplicates": sum(b.near_duplicates for b in res), "batches": len(res)}


CHILDREN = {"extract": child_extract, "publish": child_publish}


def in_child(name: str, *args, env: dict | None = None) -> dict:
    """Run a CHILDREN function in a fresh interpreter; adds its peak RSS (MiB)."""
    return common.in_child("memory", name, *args, env=env)


def extract_pair(tmp: Path, sizes: tuple[int, int]) -> list[dict]:
    from bench.common import replay_pages
    pages_file = tmp / "pages.pickle"
    pages_file.write_bytes(pickle.dumps(replay_pages(5, limit=400)))
    return [in_child("extract", str(pages_file), n) for n in sizes]


def publish_pair(tmp: Path, sizes: tuple[int, int]) -> list[dict]:
    from bench.store import stage_new
    out = []
    for n in sizes:
        root = tmp / f"store-{n}"
        stage_new(str(root), n, "bench__memory", seed=4242)
        out.append(in_child("publish", str(root), "bench__memory"))
        shutil.rmtree(root, ignore_errors=True)
    return out


def run(quick: bool) -> dict:
    scale = (0.1, 1) if quick else (1, 10)
    ext = tuple(int(STAGE_CHUNK * s) for s in scale)
    pub = tuple(int(PUBLISH_BATCH * s) for s in scale)
    tmp = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    try:
        res = {"multiples": scale, "extract": extract_pair(tmp, ext), "publish": publish_pair(tmp, pub)}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for stage in ("extract", "publish"):
        small, big = res[stage]
        res[f"{stage}_ratio"] = big["peak_rss_mib"] / small["peak_rss_mib"]
    return res


def print_report(r: dict) -> None:
    m = r["multiples"]
    for stage, unit in (("extract", "pages"), ("publish", "staged")):
        small, big = r[stage]
        extra = (f"; largest worker {small['worker_peak_rss_mib']:.0f} / {big['worker_peak_rss_mib']:.0f} MiB"
                 if stage == "extract" else "")
        print(f"{stage:<8} {m[0]}× = {small[unit]:,} {unit}: {small['peak_rss_mib']:.0f} MiB; {m[1]}× = {big[unit]:,}: "
              f"{big['peak_rss_mib']:.0f} MiB ({r[stage + '_ratio']:.2f}×){extra}")


def main(argv: list[str] | None = None) -> int:
    return common.main("memory", run, print_report, quick_help='0.1× and 1× the default batches', doc=__doc__, children=CHILDREN, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
