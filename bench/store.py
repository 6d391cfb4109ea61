"""Archive store benchmark: ``python -m bench.store [--quick]``.

Measures, each against a baseline run side by side:

* normalize + content hash docs/s of 5 KB Chinese text on one core, vs plain
  ``unicodedata.normalize("NFKC")`` + sha256;
* MinHash signatures/s (shingling included) on one core;
* near-duplicate index bytes per archived document (on disk, and resident after
  a lookup), vs datasketch's in-memory ``MinHashLSH``;
* a 1,000-article publish on a 1,000,000-article archive vs on an empty one: the same
  1,000 new 5 KB articles staged on a fresh copy of each, then ``newsarchive.lake.archive.publish``
  (with ``open_writer`` before it, as ``newsarchive publish`` does) timed in a child process, the two
  alternated, several repetitions, medians; and the whole incremental run without extraction (which does
  not depend on the archive): the staging commits (ledger rows + ``commit_staged``) plus that publish;
* dedupe+publish of 100,000 new articles (plus 5% exact copies of archived ones) against the
  1,000,000 (time, peak RSS, in a child process; ``--quick``: 10,000 against 100,000).

The 1,000,000-article archive is a DuckLake catalog (SQLite, local data files) built in 20 commits of
50,000 articles, each one transaction of the lake's writer like a publish: ``articles`` and ``sightings``
rows, the ledger (``pipeline.segments``, 1,000 articles a raw segment), ``pipeline.batches``, and the
batch's dedupe index file (``pipelines.dedupe.index_file``, written to ``index/docs/`` and registered in
``pipeline.index_files``). Its MinHash signatures are random (no text is shingled to build it): lookups
cost the same. Cached under ``bench/out/`` (gitignored); every measurement works on a copy
(``bench.common.copy_store``: data hard-linked, catalog copied). New articles are staged as the pipeline
stages them: ledger rows (state ``committed``) and ``newsarchive.lake.archive.commit_staged``.
``--quick`` uses a 100,000-article archive (10 commits) and 10,000 new articles.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import statistics
import sys
import time
import unicodedata
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bench import common
from bench.common import OUT, copy_store
from pipelines.layout import day

NEW_DT = "2030-01-01"
T0 = datetime(2022, 7, 1, tzinfo=timezone.utc)
SOURCES = tuple(f"s{i}" for i in range(5))
#: Articles per raw segment (a crawl rotates its WARC every ~1,000 pages).
SEGMENT_ARTICLES = 1_000
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


def archived_text(commit: int, i: int) -> str:
    """The text of archived article ``i`` of commit ``commit`` (short: publish never reads archived texts)."""
    return f"synthetic story {commit}-{i} " + "新闻" * 20


def segment_id(source: str, dt: str, run: str, k: int) -> str:
    return f"raw/source={source}/dt={dt}/{run.replace(':', '')}" + (f"-{k + 1:05d}" if k else "")


def article_table(txts: list[str], sources: list[str], segments: list[str], run: str, dt: str, first: int,
                  hashes: list[str] | None = None, table: str = "articles") -> pa.Table:
    """Rows of ``table`` (``articles`` or ``staged_articles``: the same columns) for ``txts``."""
    import schemas
    from pipelines.dedupe.normalize import content_hash
    n = len(txts)
    hashes = hashes or [content_hash(t) for t in txts]
    urls = [f"https://{s}.example.cn/{run}/{first + i}.html" for i, s in enumerate(sources)]
    cols = {"article_id": [hashlib.sha256(u.encode()).hexdigest()[:32] for u in urls], "content_hash": hashes,
            "url": urls, "canonical_url": urls, "source": sources, "title": ["标题"] * n, "text": txts,
            "published_at": [T0 + timedelta(seconds=first + i) for i in range(n)],
            "published_at_origin": ["meta"] * n, "fetched_at": [T0 + timedelta(days=1)] * n,
            "language": ["zh"] * n, "char_count": [len(t) for t in txts],
            "cluster_id": hashes if table == "articles" else [None] * n,
            "extractor_version": ["bench"] * n, "run_id": [run] * n,
            "dt": [date.fromisoformat(dt)] * n, "segment": segments}
    schema = schemas.schema_for(table)
    return pa.Table.from_pydict({f.name: cols.get(f.name, [None] * n) for f in schema}, schema=schema)


def _order(table: str) -> str:
    import schemas
    keys = schemas.SORT_KEYS.get(table)
    return (" ORDER BY " + ", ".join(f'"{c}"' + (" DESC" if o == "descending" else "") for c, o in keys)
            + ", segment") if keys else ""


def _insert(con, table: str, tbl: pa.Table) -> None:
    import schemas
    con.register("bench_rows", tbl)
    target = table if table in schemas.TABLES else f"pipeline.{table}"
    con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM bench_rows{_order(table)}")
    con.unregister("bench_rows")


def build_archive(root: Path, n_docs: int, commits: int) -> dict:
    """A DuckLake archive of ``n_docs`` articles in ``commits`` publish-like commits (cached); its marker."""
    import schemas
    from newsarchive.lake import open_writer
    from pipelines.dedupe import minhash
    from pipelines.dedupe.normalize import content_hash
    from pipelines.dedupe.index_file import IndexRows, content_keys, digests
    from pipelines.storage import Store
    done = root / ".complete"
    want = {"docs": n_docs, "commits": commits, "format": 2}
    if done.exists() and {k: json.loads(done.read_text()).get(k) for k in want} == want:
        return json.loads(done.read_text())
    shutil.rmtree(root, ignore_errors=True)
    store, per, rng = Store(str(root)), n_docs // commits, np.random.default_rng(7)
    t0, commit_s = time.perf_counter(), []
    with open_writer(store) as lake:
        for d in range(commits):
            dt = str(date(2022, 1, 1) + timedelta(days=d))
            run = f"bench__{dt}T080000"
            batch = f"{run}/001"
            txts = [archived_text(d, i) for i in range(per)]
            hashes = [content_hash(t) for t in txts]
            src = [SOURCES[i % len(SOURCES)] for i in range(per)]
            seg_of = {}
            for i, s in enumerate(src):                     # segments of SEGMENT_ARTICLES articles per source
                seg_of[i] = segment_id(s, dt, run, (i // len(SOURCES)) // SEGMENT_ARTICLES)
            segs = [seg_of[i] for i in range(per)]
            arts = article_table(txts, src, segs, run, dt, d * per, hashes)
            sights = pa.Table.from_pydict({f.name: arts[f.name] if f.name in arts.column_names else
                                           pa.array([True] * per) for f in schemas.SIGHTINGS},
                                          schema=schemas.SIGHTINGS)
            names = sorted(set(segs))
            counts = {s: segs.count(s) for s in names}
            ledger = pa.Table.from_pylist(
                [{"segment": s, "source": s.split("/")[1][len("source="):], "dt": date.fromisoformat(dt),
                  "run_id": run, "state": "published", "committed_at": T0, "article_pages": counts[s],
                  "fetch_rejects": 0, "registered_by": "bench", "staged_by": "bench", "staged_articles": counts[s],
                  "staged_rejects": 0, "extractor_version": "bench", "batch": batch} for s in names],
                schema=schemas.SEGMENTS)
            sigs = rng.integers(0, 2 ** 32, (per, minhash.NUM_PERM), dtype=np.uint64).astype(np.uint32)
            pos = {s: j for j, s in enumerate(names)}
            seg = IndexRows(content_keys(hashes), digests(hashes), minhash.sketches(sigs), minhash.band_keys(sigs),
                              np.array([pos[s] for s in segs], dtype=np.uint32), names)
            blob = seg.encode()
            path = f"index/docs/{hashlib.sha256(blob).hexdigest()[:24]}.idx"
            store.write_bytes(path, blob)
            index_row = pa.Table.from_pylist([{"path": path, "batch": batch, "rows": per, "bytes": len(blob),
                                               "segments": names}], schema=schemas.INDEX_FILES)
            batch_row = pa.Table.from_pylist([{"batch": batch, "dt": date.fromisoformat(dt), "run_id": run,
                                               "segments": len(names), "staged": per, "articles": per,
                                               "sightings": per, "rejects": 0, "exact_duplicates": 0,
                                               "near_duplicates": 0}], schema=schemas.BATCHES)

            def body(con):
                for table, tbl in (("articles", arts), ("sightings", sights), ("segments", ledger),
                                   ("index_files", index_row), ("batches", batch_row)):
                    _insert(con, table, tbl)
                con.execute("CALL ducklake_set_commit_message(current_database(), 'newsarchive', ?)", [batch])
            t = time.perf_counter()
            lake.write(body, "bench")
            commit_s.append(time.perf_counter() - t)
    marker = want | {"build_s": time.perf_counter() - t0, "commit_s": commit_s}
    done.write_text(json.dumps(marker))
    return marker


def empty_archive(root: Path) -> Path:
    """A new, empty catalog (what the first ``newsarchive publish`` finds after ``open_writer`` made it)."""
    from newsarchive.lake import open_writer
    shutil.rmtree(root, ignore_errors=True)
    open_writer(str(root)).close()
    return root


def stage_new(store, n: int, run: str, seed: int, dup_texts: list[str] = (), dt: str = NEW_DT, lake=None) -> dict:
    """Stage ``n`` new 5 KB articles over 5 sources (5% near duplicates: a few characters edited), plus
    exact copies of ``dup_texts``, as crawl + stage would: ledger rows (``register``'s transaction), then
    ``commit_staged``. Returns the rows staged and the seconds of those two commits (``open_writer`` included
    unless an open ``lake`` is given; making the rows is not)."""
    import schemas
    from newsarchive.lake import archive, open_writer
    from pipelines.capture.raw import parse_segment
    txts = texts(n, seed)
    for i in range(0, len(txts) - 1, 20):
        txts[i + 1] = txts[i][:500] + "编辑过的" + txts[i][504:]
    txts += list(dup_texts)
    src = [SOURCES[i % len(SOURCES)] for i in range(len(txts))]
    segs = [segment_id(s, dt, run, (i // len(SOURCES)) // SEGMENT_ARTICLES) for i, s in enumerate(src)]
    names = sorted(set(segs))
    ledger = pa.Table.from_pylist(
        [{"segment": s, "source": s.split("/")[1][len("source="):], "dt": date.fromisoformat(dt), "run_id": run,
          "state": "committed", "committed_at": T0, "article_pages": segs.count(s), "fetch_rejects": 0,
          "registered_by": "bench"} for s in names], schema=schemas.SEGMENTS)
    arts = article_table(txts, src, segs, run, dt, seed * 1000, table="staged_articles")
    staged = []
    for s in names:
        mask = pc.equal(arts["segment"], s)
        staged.append(archive.Staged(parse_segment(s), arts.filter(mask), schemas.STAGED_REJECTS.empty_table(),
                                     "bench"))
    t = time.perf_counter()
    own = lake is None
    lake = open_writer(store) if own else lake
    try:
        lake.write(lambda con: _insert(con, "segments", ledger), "bench register")
        archive.commit_staged(lake, staged, staged_by="bench")
    finally:
        if own:
            lake.close()
    return {"rows": len(txts), "commit_s": time.perf_counter() - t}


# ------------------------------------------------------------------ measurements
def rate(fn, n: int) -> float:
    t = time.perf_counter()
    fn()
    return n / (time.perf_counter() - t)


def bench_hash(n: int) -> dict:
    from pipelines.dedupe.normalize import content_hash
    docs = texts(n, 1)
    ours = rate(lambda: [content_hash(d) for d in docs], n)
    nb = max(500, n // 8)
    base = rate(lambda: [hashlib.sha256(unicodedata.normalize("NFKC", d).encode()).hexdigest() for d in docs[:nb]], nb)
    return {"docs": n, "bytes_per_doc": len(docs[0].encode()), "docs_per_s": ours, "nfkc_docs_per_s": base}


def bench_minhash(n: int) -> dict:
    from pipelines.dedupe.minhash import signatures
    docs = texts(n, 2)
    return {"docs": n, "docs_per_s": rate(lambda: signatures(docs), n)}


def rss() -> int:
    import psutil
    return psutil.Process().memory_info().rss


def index_files(root: str) -> list[tuple[str, list[str], int]]:
    from newsarchive.lake import open_reader
    with open_reader(root, lockdown=False) as lake:
        return [(p, list(k), b) for p, k, b in
                lake.con.execute("SELECT path, segments, bytes FROM pipeline.index_files").fetchall()]


def child_index_memory(root: str, n_query: int) -> dict:
    """Resident bytes per archived document after opening the index and looking up n_query documents."""
    from pipelines.dedupe import minhash
    from pipelines.dedupe.index import ArchiveIndex
    from pipelines.dedupe.normalize import content_hash
    from pipelines.dedupe.index_file import content_keys
    from pipelines.storage import Store
    files = index_files(root)
    q = texts(n_query, 3)
    keys, sigs = content_keys([content_hash(t) for t in q]), minhash.signatures(q)
    bands, sk = minhash.band_keys(sigs), minhash.sketches(sigs)
    before = rss()
    index = ArchiveIndex.load(Store(root), [(p, k) for p, k, _ in files])
    index.contains(keys)
    index.matches(bands, sk, minhash.DEFAULT_THRESHOLD)
    return {"archived": index.size, "files": len(files), "resident_bytes": rss() - before,
            "disk_bytes": sum(b for _, _, b in files)}


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


def child_publish(root: str, run: str, dt: str = NEW_DT) -> dict:
    """What ``newsarchive publish`` does after its imports: open the writer, publish every staged segment."""
    from newsarchive.lake import archive, open_writer
    c0, t0 = _cpu(), time.perf_counter()
    lake = open_writer(root)
    t1 = time.perf_counter()
    res = archive.publish(lake, run_id=run, dt=day(dt))
    t2 = time.perf_counter()
    lake.close()
    return {"open_s": t1 - t0, "publish_s": t2 - t1, "seconds": t2 - t0, "cpu_s": _cpu() - c0, "batches": len(res),
            **{k: sum(getattr(b, k) for b in res) for k in ("staged", "articles", "sightings", "exact_duplicates",
                                                             "near_duplicates")}}


def _cpu() -> float:
    t = os.times()
    return t.user + t.system


CHILDREN = {"index_memory": child_index_memory, "datasketch_memory": child_datasketch_memory,
            "publish": child_publish}


def in_child(name: str, *args, env: dict | None = None) -> dict:
    """Run a CHILDREN function in a fresh interpreter; adds its peak RSS (MiB)."""
    return common.in_child("store", name, *args, env=env)


def bench_ratio(archive: Path, n_new: int, reps: int) -> dict:
    """The same staged batch published on a fresh copy of the archive and on a fresh empty catalog,
    alternated; medians."""
    from newsarchive.lake import open_writer
    open_writer(str(archive)).close()        # a cached archive made by older code gets today's tables/views once
    empty_src = empty_archive(OUT / "store-empty")
    run = "bench__2030-01-01T080000"
    runs: dict[str, list[dict]] = {"empty": [], "archive": []}
    for i in range(reps):
        for kind in (("empty", "archive") if i % 2 == 0 else ("archive", "empty")):
            work = copy_store(archive if kind == "archive" else empty_src, OUT / f"store-work-{kind}")
            stage = stage_new(str(work), n_new, run, seed=99)
            res = in_child("publish", str(work), run)
            runs[kind].append(res | {"stage_s": stage["commit_s"], "run_s": stage["commit_s"] + res["seconds"]})
            shutil.rmtree(work, ignore_errors=True)
    shutil.rmtree(empty_src, ignore_errors=True)
    med = {k: {m: statistics.median(r[m] for r in v) for m in ("seconds", "open_s", "publish_s", "cpu_s", "stage_s",
                                                                 "run_s", "peak_rss_mib")}
           for k, v in runs.items()}
    return {"new": n_new, "reps": reps, "empty_s": med["empty"]["seconds"], "archive_s": med["archive"]["seconds"],
            "cpu_empty_s": med["empty"]["cpu_s"], "cpu_archive_s": med["archive"]["cpu_s"],
            "run_empty_s": med["empty"]["run_s"], "run_archive_s": med["archive"]["run_s"],
            "medians": med, "runs": runs, "articles": runs["archive"][0]["articles"]}


def bench_big(archive: Path, n_new: int) -> dict:
    """``n_new`` new articles plus 5% exact copies of archived ones, staged on a copy, published in a child."""
    work = copy_store(archive, OUT / "store-work-big")
    try:
        run = "bench__2030-01-01T090000"
        dups = [archived_text(0, i) for i in range(n_new // 20)]
        t = time.perf_counter()
        staged = stage_new(str(work), n_new, run, seed=1000, dup_texts=dups)
        stage_s = time.perf_counter() - t
        return in_child("publish", str(work), run) | {"staged_rows": staged["rows"], "stage_s": stage_s,
                                                      "stage_commit_s": staged["commit_s"]}
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ------------------------------------------------------------------ report
FULL = {"hash": 20_000, "minhash": 3_000, "archive": 1_000_000, "commits": 20, "ratio": 1_000, "reps": 9,
        "big": 100_000, "ds_mem": 50_000}
QUICK = {"hash": 5_000, "minhash": 1_000, "archive": 100_000, "commits": 10, "ratio": 1_000, "reps": 3,
         "big": 10_000, "ds_mem": 10_000}


def run(quick: bool) -> dict:
    p = QUICK if quick else FULL
    OUT.mkdir(parents=True, exist_ok=True)
    r = {"params": p}
    step("normalize+hash", lambda: r.update(hash=bench_hash(p["hash"])))
    step("minhash", lambda: r.update(minhash=bench_minhash(p["minhash"])))
    archive = OUT / f"store-archive-{p['archive']}"
    step(f"build/cache archive of {p['archive']:,}", lambda: r.update(archive=_summary(
        build_archive(archive, p["archive"], p["commits"]))))
    step("index memory", lambda: r.update(index=in_child("index_memory", str(archive), p["ratio"]),
                                          datasketch=in_child("datasketch_memory", p["ds_mem"])))
    step("ratio", lambda: r.update(ratio=bench_ratio(archive, p["ratio"], p["reps"])))
    step(f"publish {p['big']:,} new", lambda: r.update(big=bench_big(archive, p["big"])))
    return r


def _summary(marker: dict) -> dict:
    c = marker["commit_s"]
    return {"docs": marker["docs"], "commits": marker["commits"], "build_s": marker["build_s"],
            "commit_median_s": statistics.median(c), "commit_first_s": c[0], "commit_last_s": c[-1]}


def step(name: str, fn) -> None:
    t = time.perf_counter()
    fn()
    print(f"  {name}: {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)


def goals(r: dict) -> list[tuple[str, str, str, bool]]:
    """(measure, value, goal, met)."""
    h, mh, ix, ds, ra = r["hash"], r["minhash"], r["index"], r["datasketch"], r["ratio"]
    per_doc, disk_doc = ix["resident_bytes"] / ix["archived"], ix["disk_bytes"] / ix["archived"]
    ratio = ra["archive_s"] / ra["empty_s"]
    m = ra["medians"]
    return [
        ("normalize+hash, 5 KB docs, 1 core", f"{h['docs_per_s']:,.0f} docs/s ({h['docs_per_s'] / h['nfkc_docs_per_s']:.1f}× "
         f"plain NFKC+sha256 at {h['nfkc_docs_per_s']:,.0f}/s)", "≥ 30,000 docs/s", h["docs_per_s"] >= 30_000),
        ("MinHash signatures with shingling, 1 core", f"{mh['docs_per_s']:,.0f} docs/s ({mh['docs_per_s'] / 1500:.2f}× goal)",
         "≥ 1,500 docs/s", mh["docs_per_s"] >= 1500),
        ("near-dup index, resident per archived doc (local, mmap)",
         f"{per_doc:,.1f} B ({per_doc / 1024:.3f}× goal; datasketch MinHashLSH {ds['resident_bytes'] / ds['docs']:,.0f} B)",
         "≤ 1 KB", per_doc <= 1024),
        ("dedupe index on disk per doc", f"{disk_doc:,.0f} B ({disk_doc / 1024:.2f}× goal)", "≤ 1 KB", disk_doc <= 1024),
        (f"{ra['new']:,}-article publish on {ix['archived']:,} archive vs empty",
         f"{ra['archive_s']:.2f} s vs {ra['empty_s']:.2f} s = {ratio:.2f}× (open {m['archive']['open_s']:.2f} vs "
         f"{m['empty']['open_s']:.2f} s, publish {m['archive']['publish_s']:.2f} vs {m['empty']['publish_s']:.2f} s; "
         f"CPU seconds {m['archive']['cpu_s']:.2f} vs {m['empty']['cpu_s']:.2f} = "
         f"{m['archive']['cpu_s'] / m['empty']['cpu_s']:.2f}×)",
         "≤ 1.5×", ratio <= 1.5),
        (f"{ra['new']:,}-article run (stage commit + publish) on {ix['archived']:,} archive vs empty",
         f"{ra['run_archive_s']:.2f} s vs {ra['run_empty_s']:.2f} s = {ra['run_archive_s'] / ra['run_empty_s']:.2f}×",
         "≤ 1.5×", ra["run_archive_s"] <= 1.5 * ra["run_empty_s"]),
    ]


def report(r: dict) -> str:
    b = r["big"]
    lines = ["| measure | value | goal | met |", "|---|---|---|---|"]
    lines += [f"| {m} | {v} | {g} | {'met' if ok else 'NOT met'} |" for m, v, g, ok in goals(r)]
    lines += ["", f"dedupe+publish of {b['staged']:,} staged 5 KB articles ({b['exact_duplicates']:,} exact and "
              f"{b['near_duplicates']:,} near duplicates) against {r['index']['archived']:,}: "
              f"{b['seconds']:.1f} s in {b['batches']} batches, peak RSS {b['peak_rss_mib']:,.0f} MiB"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    os.environ.pop("NEWSARCHIVE_CATALOG", None)          # local stores: the embedded catalog
    return common.main("store", run, report, quick_help='100k archive, 10k new articles', doc=__doc__, children=CHILDREN, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
