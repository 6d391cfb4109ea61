"""Archive store benchmark: ``python -m bench.store [--quick]``.

Measures, each against a baseline run side by side:

* normalize + content hash docs/s of 5 KB Chinese text on one core, vs plain
  ``unicodedata.normalize("NFKC")`` + sha256;
* MinHash signatures/s (shingling included) on one core;
* near-duplicate index bytes per archived document (on disk, and resident after
  a lookup), vs datasketch's in-memory ``MinHashLSH``;
* a 1,000-article publish on a 1,000,000-article archive vs on an empty one;
* dedupe+publish of 100,000 new articles against the 1,000,000 (time, peak RSS,
  in a child process);
* S3 (moto on 127.0.0.1) upload vs local write of the same files.

The synthetic archive is built with the project's own writers
(``pipelines.tablefiles``, ``pipelines.segment``, ``pipelines.manifest``) in
big batches and cached under ``bench/out/`` (gitignored). Its signatures are
random (no text is shingled to build it): lookups cost the same. ``--quick``
uses a 100,000-article archive and 10,000 new articles.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
import unicodedata
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa

OUT = Path(__file__).resolve().parent / "out"
NEW_DT = "2030-01-01"
T0 = datetime(2022, 7, 1, tzinfo=timezone.utc)
_CJK = np.arange(0x4E00, 0x4E00 + 3000, dtype=np.uint32)
_PUNCT = np.array([0xFF0C, 0x3002, 0xFF1A, 0xFF08, 0xFF09], dtype=np.uint32)


# ------------------------------------------------------------------ synthetic data
def texts(n: int, seed: int, chars: int = 1700) -> list[str]:
    """n Chinese 'stories' of ~5 KB UTF-8, full-width punctuation every ~20 characters."""
    rng = np.random.default_rng(seed)
    cps = _CJK[rng.integers(0, len(_CJK), (n, chars))]
    punct = rng.random((n, chars)) < 0.05
    cps[punct] = _PUNCT[rng.integers(0, len(_PUNCT), int(punct.sum()))]
    cps[:, 99::100] = 0x0A
    return [row.tobytes().decode("utf-32-le") for row in cps]


def article_rows(txts: list[str], source: str, run: str, first: int) -> list[dict]:
    from pipelines.normalize import content_hash
    rows = []
    for i, t in enumerate(txts):
        url = f"https://{source}.example.cn/{run}/{first + i}.html"
        rows.append({"article_id": hashlib.sha256(url.encode()).hexdigest()[:32], "content_hash": content_hash(t),
                     "url": url, "canonical_url": url, "source": source, "title": "标题", "text": t,
                     "published_at": T0 + timedelta(seconds=first + i), "published_at_origin": "meta",
                     "fetched_at": T0 + timedelta(days=1), "language": "zh", "char_count": len(t),
                     "extractor_version": "bench", "run_id": run})
    return rows


def build_archive(root: Path, n_docs: int, dates: int) -> Path:
    """A committed archive of ``n_docs`` synthetic articles over ``dates`` dates (cached)."""
    from pipelines import manifest, neardup
    from pipelines.normalize import content_hash
    from pipelines.segment import SegmentData, content_keys, digests
    from pipelines.storage import Store
    from pipelines.tablefiles import put_all, segment_blobs, table_blobs
    done = root / ".complete"
    if done.exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    store, per = Store(str(root)), n_docs // dates
    rng = np.random.default_rng(7)
    for d in range(dates):
        dt, run = str(date(2022, 1, 1) + timedelta(days=d)), f"bench__{d:04d}"
        short = [f"synthetic story {d}-{i} " + "新闻" * 20 for i in range(per)]
        rows = [{"article_id": f"{d:08d}{i:024d}", "content_hash": content_hash(t),
                 "url": f"https://s{i % 5}.example.cn/{d}/{i}", "source": f"s{i % 5}", "text": t,
                 "published_at_origin": "meta", "fetched_at": T0, "char_count": len(t),
                 "extractor_version": "bench", "run_id": run} for i, t in enumerate(short)]
        for r in rows:
            r["canonical_url"], r["cluster_id"] = r["url"], r["content_hash"]
        arts = pa.Table.from_pylist(rows, schema=_schema("articles"))
        sigs = rng.integers(0, 2 ** 32, (per, neardup.NUM_PERM), dtype=np.uint64).astype(np.uint32)
        hashes = arts.column("content_hash").to_pylist()
        seg = SegmentData(content_keys(hashes), digests(hashes), neardup.sketches(sigs), neardup.band_keys(sigs),
                          np.zeros(per, np.uint16), [run])
        blobs = table_blobs("articles", dt, arts, [run]) + segment_blobs(dt, seg)
        put_all(store, blobs)
        m = manifest.empty(dt)
        for b in blobs:
            m["files"]["index" if b.path.startswith("index/") else "articles"].append(b.entry)
        m["committed_at_run"] = run
        manifest.commit(store, m)
    done.write_text(json.dumps({"docs": n_docs, "dates": dates}))
    return root


def _schema(table: str):
    import schemas
    return schemas.schema_for(table)


def stage_new(store, n: int, run: str, seed: int, dup_texts: list[str] = ()) -> None:
    """Stage n new 5 KB articles over 5 sources, plus exact copies of ``dup_texts``."""
    from pipelines.staging import path
    from pipelines.tablefiles import PARQUET_OPTIONS
    chunk, parts = 10_000, {f"s{s}": [] for s in range(5)}
    for start in range(0, n, chunk):
        txts = texts(min(chunk, n - start), seed + start)
        for i in range(0, len(txts) - 1, 20):           # 5% near-duplicates: a few characters edited
            txts[i + 1] = txts[i][:500] + "编辑过的" + txts[i][504:]
        txts += list(dup_texts) if start == 0 else []
        for s, src in enumerate(parts):
            parts[src].append(pa.Table.from_pylist(article_rows(txts[s::5], src, run, start * 10 + s * chunk),
                                                   schema=_schema("articles")))
    for src, tbls in parts.items():
        store.write_parquet(pa.concat_tables(tbls), path(NEW_DT, src, run, "articles"), **PARQUET_OPTIONS)


def reset(root: Path) -> None:
    """Remove the NEW_DT publish from a cached archive (keeps its staging)."""
    for top in ("articles", "sightings", "rejects", "index/docs"):
        shutil.rmtree(root / top / f"dt={NEW_DT}", ignore_errors=True)
    (root / "_snapshots" / f"{NEW_DT}.json").unlink(missing_ok=True)


# ------------------------------------------------------------------ measurements
def rate(fn, n: int) -> float:
    t = time.perf_counter()
    fn()
    return n / (time.perf_counter() - t)


def bench_hash(n: int) -> dict:
    from pipelines.normalize import content_hash
    docs = texts(n, 1)
    ours = rate(lambda: [content_hash(d) for d in docs], n)
    nb = max(500, n // 8)
    base = rate(lambda: [hashlib.sha256(unicodedata.normalize("NFKC", d).encode()).hexdigest() for d in docs[:nb]], nb)
    return {"docs": n, "bytes_per_doc": len(docs[0].encode()), "docs_per_s": ours, "nfkc_docs_per_s": base}


def bench_minhash(n: int) -> dict:
    from pipelines.neardup import signatures
    docs = texts(n, 2)
    return {"docs": n, "docs_per_s": rate(lambda: signatures(docs), n)}


def peak_rss() -> int:
    """This process's peak RSS (VmHWM; ru_maxrss would carry the parent's peak across fork+exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def rss() -> int:
    import psutil
    return psutil.Process().memory_info().rss


def child_index_memory(root: str, n_query: int) -> dict:
    """Resident bytes per archived document after opening the index and looking up n_query documents."""
    from pipelines import manifest, neardup
    from pipelines.dedupe import ArchiveIndex
    from pipelines.normalize import content_hash
    from pipelines.segment import content_keys
    from pipelines.storage import Store
    store = Store(root)
    q = texts(n_query, 3)
    keys, sigs = content_keys([content_hash(t) for t in q]), neardup.signatures(q)
    bands, sk = neardup.band_keys(sigs), neardup.sketches(sigs)
    snaps = manifest.snapshots(store)
    before = rss()
    index = ArchiveIndex.load(store, snaps)
    index.contains(keys)
    index.matches(bands, sk, neardup.DEFAULT_THRESHOLD)
    ours = rss() - before
    disk = sum(e["bytes"] for m in snaps.values() for e in m["files"]["index"])
    return {"archived": index.size, "resident_bytes": ours, "disk_bytes": disk}


def child_datasketch_memory(n: int) -> dict:
    from datasketch import LeanMinHash, MinHash, MinHashLSH
    rng = np.random.default_rng(5)
    sigs = rng.integers(0, 2 ** 32, (n, 128), dtype=np.uint64).astype(np.uint32)
    mhs = [LeanMinHash(MinHash(num_perm=128, hashvalues=s, scheme="affine32")) for s in sigs]
    del sigs
    before = rss()
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    for i, m in enumerate(mhs):
        lsh.insert(i, m)
    return {"docs": n, "resident_bytes": rss() - before}


def child_publish(root: str, run: str) -> dict:
    from pipelines.publish import publish
    t = time.perf_counter()
    res = publish(root, NEW_DT, run_id=run).batches[0]
    return {"seconds": time.perf_counter() - t, "staged": res.staged, "articles": res.articles,
            "exact_duplicates": res.exact_duplicates, "near_duplicates": res.near_duplicates}


CHILDREN = {"index_memory": child_index_memory, "datasketch_memory": child_datasketch_memory,
            "publish": child_publish}


def in_child(name: str, *args) -> dict:
    """Run a CHILDREN function in a fresh interpreter; adds its peak RSS."""
    out = subprocess.run([sys.executable, "-m", "bench.store", "--child", name, json.dumps(args)],
                         capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    if out.returncode:
        raise RuntimeError(f"bench child {name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_ratio(archive: Path, n_new: int, reps: int) -> dict:
    from pipelines.publish import publish
    from pipelines.storage import Store
    empty = OUT / "store-empty"
    shutil.rmtree(empty, ignore_errors=True)
    run = "bench__ratio"
    times = {}
    for name, root in (("empty", empty), ("archive", archive)):
        stage_new(Store(str(root)), n_new, run, seed=99)
        times[name] = []
        for _ in range(reps):
            reset(root)
            t = time.perf_counter()
            publish(str(root), NEW_DT, run_id=run)
            times[name].append(time.perf_counter() - t)
        reset(root)
        for f in (root / "staging" / f"dt={NEW_DT}").glob(f"source=*/{run}.*"):
            f.unlink()
    shutil.rmtree(empty, ignore_errors=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    return {"new": n_new, "empty_s": med["empty"], "archive_s": med["archive"], "runs": times}


def bench_big(archive: Path, n_new: int) -> dict:
    from pipelines.storage import Store
    run, marker = "bench__big", archive / f".staged-{n_new}"
    if not marker.exists() or not list((archive / "staging" / f"dt={NEW_DT}").glob(f"source=*/{run}.*")):
        shutil.rmtree(archive / "staging" / f"dt={NEW_DT}", ignore_errors=True)
        dups = [f"synthetic story 0-{i} " + "新闻" * 20 for i in range(n_new // 20)]
        stage_new(Store(str(archive)), n_new, run, seed=1000, dup_texts=dups)
        marker.write_text("ok")
    reset(archive)
    try:
        return in_child("publish", str(archive), run)
    finally:
        reset(archive)


def bench_s3(n_files: int, docs_per_file: int) -> dict:
    import pyarrow.fs as pafs
    from moto.server import ThreadedMotoServer
    from pipelines.storage import S3Settings, Store
    from pipelines.tablefiles import put_all, table_blobs
    blobs = []
    for f in range(n_files):
        rows = article_rows(texts(docs_per_file, 500 + f), "s0", f"bench__s3{f:03d}", f * docs_per_file)
        blobs += table_blobs("articles", NEW_DT, pa.Table.from_pylist(rows, schema=_schema("articles")), ["s3"])
    size = sum(len(b.data) for b in blobs)
    port = _free_port()
    import logging
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        s3 = Store("s3://bench-store/archive", S3Settings(endpoint=f"http://127.0.0.1:{port}", access_key="k",
                                                          secret_key="s"))
        s3.ensure_bucket()
        local = Store(str(OUT / "store-s3-local"))
        shutil.rmtree(local.root, ignore_errors=True)
        t_local = _timed(lambda: put_all(local, blobs))
        t_s3 = _timed(lambda: put_all(s3, blobs))
        t_s3_serial = _timed(lambda: put_all(s3, blobs, workers=1))
        t_arrow = _timed(lambda: [_arrow_write(s3.fs, s3.path("arrow/" + b.path), b.data) for b in blobs])
        shutil.rmtree(local.root, ignore_errors=True)
    finally:
        server.stop()
    mb = size / 1e6
    return {"files": len(blobs), "mb": mb, "local_mb_s": mb / t_local, "s3_mb_s": mb / t_s3,
            "s3_serial_mb_s": mb / t_s3_serial, "pyarrow_s3fs_mb_s": mb / t_arrow}


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _arrow_write(fs, path: str, data: bytes) -> None:
    with fs.open_output_stream(path) as f:
        f.write(data)


def _free_port() -> int:
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------ report
FULL = {"hash": 20_000, "minhash": 3_000, "archive": 1_000_000, "dates": 20, "ratio": 1_000, "reps": 3,
        "big": 100_000, "ds_mem": 50_000, "s3_files": 20, "s3_docs": 2_000}
QUICK = {"hash": 5_000, "minhash": 1_000, "archive": 100_000, "dates": 10, "ratio": 1_000, "reps": 3,
         "big": 10_000, "ds_mem": 10_000, "s3_files": 10, "s3_docs": 1_000}


def run(quick: bool) -> dict:
    p = QUICK if quick else FULL
    OUT.mkdir(parents=True, exist_ok=True)
    r = {"mode": "quick" if quick else "full", "params": p}
    step("normalize+hash", lambda: r.update(hash=bench_hash(p["hash"])))
    step("minhash", lambda: r.update(minhash=bench_minhash(p["minhash"])))
    archive = OUT / f"archive-{p['archive']}"
    step(f"build/cache archive of {p['archive']:,}", lambda: build_archive(archive, p["archive"], p["dates"]))
    step("index memory", lambda: r.update(index=in_child("index_memory", str(archive), p["ratio"]),
                                          datasketch=in_child("datasketch_memory", p["ds_mem"])))
    step("ratio", lambda: r.update(ratio=bench_ratio(archive, p["ratio"], p["reps"])))
    step(f"publish {p['big']:,} new", lambda: r.update(big=bench_big(archive, p["big"])))
    step("s3 vs local", lambda: r.update(s3=bench_s3(p["s3_files"], p["s3_docs"])))
    return r


def step(name: str, fn) -> None:
    t = time.perf_counter()
    fn()
    print(f"  {name}: {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)


def goals(r: dict) -> list[tuple[str, str, str, bool]]:
    """(measure, value, goal, met)."""
    h, mh, ix, ds, ra, s3 = r["hash"], r["minhash"], r["index"], r["datasketch"], r["ratio"], r["s3"]
    per_doc, disk_doc = ix["resident_bytes"] / ix["archived"], ix["disk_bytes"] / ix["archived"]
    ratio = ra["archive_s"] / ra["empty_s"]
    return [
        ("normalize+hash, 5 KB docs, 1 core", f"{h['docs_per_s']:,.0f} docs/s ({h['docs_per_s'] / h['nfkc_docs_per_s']:.1f}× "
         f"plain NFKC+sha256 at {h['nfkc_docs_per_s']:,.0f}/s)", "≥ 30,000 docs/s", h["docs_per_s"] >= 30_000),
        ("MinHash signatures with shingling, 1 core", f"{mh['docs_per_s']:,.0f} docs/s ({mh['docs_per_s'] / 1500:.2f}× goal)",
         "≥ 1,500 docs/s", mh["docs_per_s"] >= 1500),
        ("near-dup index, resident per archived doc (local, mmap)",
         f"{per_doc:,.1f} B ({per_doc / 1024:.3f}× goal; datasketch MinHashLSH {ds['resident_bytes'] / ds['docs']:,.0f} B)",
         "≤ 1 KB", per_doc <= 1024),
        ("near-dup + content index on disk per doc (= resident on S3)", f"{disk_doc:,.0f} B ({disk_doc / 1024:.2f}× goal)",
         "≤ 1 KB", disk_doc <= 1024),
        (f"{ra['new']:,}-article run on {ix['archived']:,} archive vs empty",
         f"{ra['archive_s']:.2f} s vs {ra['empty_s']:.2f} s = {ratio:.2f}×", "≤ 1.5×", ratio <= 1.5),
        ("S3 (moto, 127.0.0.1) upload vs local write, same files",
         f"{s3['s3_mb_s']:,.0f} vs {s3['local_mb_s']:,.0f} MB/s = {s3['s3_mb_s'] / s3['local_mb_s']:.2f}× "
         f"(pyarrow S3FileSystem {s3['pyarrow_s3fs_mb_s']:,.0f} MB/s; one PUT at a time {s3['s3_serial_mb_s']:,.0f} MB/s)",
         "≥ 1×", s3["s3_mb_s"] >= s3["local_mb_s"]),
    ]


def report(r: dict) -> str:
    b = r["big"]
    lines = [f"mode: {r['mode']}", "", "| measure | value | goal | met |", "|---|---|---|---|"]
    lines += [f"| {m} | {v} | {g} | {'met' if ok else 'NOT met'} |" for m, v, g, ok in goals(r)]
    lines += ["", f"dedupe+publish of {b['staged']:,} new 5 KB articles ({b['exact_duplicates']:,} exact and "
              f"{b['near_duplicates']:,} near duplicates) against {r['index']['archived']:,}: "
              f"{b['seconds']:.1f} s, peak RSS {b['peak_rss'] / 2**20:,.0f} MiB"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.store", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="100k archive, 10k new articles (well under a minute)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("args", nargs="?", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        res = CHILDREN[a.child](*json.loads(a.args))
        res["peak_rss"] = peak_rss()
        print(json.dumps(res))
        return 0
    r = run(a.quick)
    (OUT / f"store-{r['mode']}.json").write_text(json.dumps(r, indent=1, default=str))
    print(report(r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
