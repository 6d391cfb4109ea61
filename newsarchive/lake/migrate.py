"""``newsarchive migrate``: a store of the old layout (``_snapshots/`` manifests) into its catalog.

What the old store committed (the files its manifests list) becomes the catalog's rows, date by
date, each row with its lineage: ``dt`` from the manifest, ``segment`` from the row's ``raw_ref``
or, for sightings and fetch rejects, from the crawl log line of its URL in that run (the run's
first segment when no line names it). Then:

* the ledger: every committed raw segment is registered; those of a run the manifests published
  are ``published`` (batch ``migrated:<dt>/<run>``), the others stay ``committed`` and the next run
  stages and publishes them;
* the dedupe index is rebuilt from the migrated articles (their ``cluster_id`` kept);
* one ``pipeline.batches`` row per old publish batch, with its counts.

The row counts of every table are checked against the manifests. The old files are left where
they are (``articles/``, ``sightings/``, ``rejects/``, ``_snapshots/``, ``rollup/``, ``_rollups/``,
``index/docs/dt=*``, ``staging/``); delete them once you are satisfied.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import schemas
from newsarchive.lake import archive, open_writer
from newsarchive.lake.legacy import TABLES, snapshots
from pipelines.dedupe import minhash
from pipelines import layout
from pipelines.capture import raw
from pipelines.dedupe.normalize import normalize_for_hash
from pipelines.dedupe.index_file import IndexRows, content_keys, digests
from pipelines.storage import Store


class MigrationError(RuntimeError):
    pass


@dataclass
class MigrationResult:
    dates: int = 0
    expected: dict[str, int] = field(default_factory=dict)
    migrated: dict[str, int] = field(default_factory=dict)
    segments_published: int = 0
    segments_pending: int = 0
    index_rows: int = 0

    @property
    def ok(self) -> bool:
        return self.expected == self.migrated

    def lines(self) -> list[str]:
        out = [f"{self.dates} dates; index rebuilt with {self.index_rows} documents; ledger: "
               f"{self.segments_published} raw segments published, {self.segments_pending} pending (the next run "
               "archives them)"]
        for t in TABLES:
            e, m = self.expected.get(t, 0), self.migrated.get(t, 0)
            out.append(f"{t}: {m} rows in the catalog, {e} in the old manifests" + ("" if e == m else "  MISMATCH"))
        out.append("the old files are left in place; delete articles/ sightings/ rejects/ _snapshots/ rollup/ "
                   "_rollups/ index/docs/dt=*/ staging/ once you are satisfied" if self.ok else
                   "row counts differ: nothing was committed")
        return out


def migrate(store: "Store | str", config=None) -> MigrationResult:
    store = Store.open(store)
    try:
        snaps = snapshots(store)
    except ValueError as exc:
        raise MigrationError(str(exc)) from None
    if not snaps:
        raise MigrationError(f"no _snapshots/*.json manifests in {store.uri}: nothing to migrate")
    res = MigrationResult(dates=len(snaps))
    with open_writer(store) as lake, lake.locked("migrate"):
        n = lake.con.execute("SELECT (SELECT count(*) FROM articles) + (SELECT count(*) FROM pipeline.segments)"
                             ).fetchone()[0]
        if n:
            raise MigrationError(f"the catalog {lake.target.describe()} is not empty; migrate only into a new one")
        tables = {t: [] for t in TABLES}
        batches, published_runs = [], set()
        for dt, m in snaps.items():
            seg_of = _segment_finder(store, date.fromisoformat(dt))
            for t in TABLES:
                res.expected[t] = res.expected.get(t, 0) + sum(e["rows"] for e in m["files"].get(t, []))
                for e in m["files"].get(t, []):
                    tables[t].append(_with_lineage(store, t, e["path"], dt, seg_of))
            for run, c in sorted(m.get("runs", {}).items()):
                published_runs.add((dt, run))
                batches.append({"batch": f"migrated:{dt}/{run}", "dt": date.fromisoformat(dt), "run_id": run,
                                "segments": 0,
                                **{k: int(c.get(k, 0)) for k in ("staged", "articles", "sightings", "rejects",
                                                                 "exact_duplicates", "near_duplicates")}})
        data = {t: pa.concat_tables([schemas.schema_for(t).empty_table()] + tables[t]) for t in TABLES}
        ledger_rows = _ledger(store, published_runs, res)
        idx = _index(data["articles"])
        res.index_rows = len(idx)
        idx_file = archive.put_index_file(store, idx) if len(idx) else None

        def body(con):
            if config is not None:
                archive.sync_sources_sql(con, config)
            for t in TABLES:
                archive._sorted_insert(con, t, data[t], f"mig_{t}")
            archive._sorted_insert(con, "segments", ledger_rows, "mig_segments")
            if batches:
                archive._sorted_insert(con, "batches", pa.Table.from_pylist(batches, schema=schemas.BATCHES),
                                       "mig_batches")
            if idx_file:
                p, rows, nbytes, keys = idx_file
                con.execute("INSERT INTO pipeline.index_files VALUES (?, 'migrated', ?, ?, ?)", [p, rows, nbytes, keys])
            for t in TABLES:
                res.migrated[t] = con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            if res.migrated != res.expected:
                raise MigrationError(f"row counts differ after import: {res.migrated} vs {res.expected} "
                                     "in the manifests; nothing was committed")
        lake.transaction(body)
    return res


def _with_lineage(store: Store, table: str, path: str, dt: str, seg_of) -> pa.Table:
    """An old file's rows with the columns of the current schema, ``dt`` and ``segment``."""
    if store.is_s3:
        tbl = pq.read_table(pa.BufferReader(store.read_bytes(path)))
    else:
        tbl = pq.read_table(store.path(path))
    schema = schemas.schema_for(table)
    cols = {}
    for f in schema:
        if f.name == "dt":
            cols["dt"] = pa.array([date.fromisoformat(dt)] * tbl.num_rows, pa.date32())
        elif f.name == "segment":
            refs = tbl.column("raw_ref").to_pylist() if "raw_ref" in tbl.column_names else [None] * tbl.num_rows
            cols["segment"] = pa.array([seg_of(src, run, url, ref) for src, run, url, ref in
                                        zip(tbl.column("source").to_pylist(), tbl.column("run_id").to_pylist(),
                                            tbl.column("url").to_pylist(), refs)], pa.string())
        elif f.name in tbl.column_names:
            cols[f.name] = tbl.column(f.name).cast(f.type)
        else:
            cols[f.name] = pa.nulls(tbl.num_rows, f.type)
    return pa.table(cols, schema=schema)


def _segment_finder(store: Store, dt: date):
    """``(source, run_id, url, raw_ref) -> segment`` for the rows of one date."""
    cache: dict[str, dict[tuple[str, str], str]] = {}

    def by_url(source: str) -> dict[tuple[str, str], str]:
        if source not in cache:
            m: dict[tuple[str, str], str] = {}
            for seg in raw.committed_segments(store, source, dt):
                for ln in raw.segment_lines(store, seg):
                    m.setdefault((seg.run_key, ln.get("url", "")), seg.segment)
                    m.setdefault((seg.run_key, ln.get("canonical_url", "")), seg.segment)
            cache[source] = m
        return cache[source]

    def find(source: str, run_id: str, url: str, raw_ref: str | None) -> str:
        if raw_ref and ".warc.gz#" in raw_ref:
            return raw_ref.split("#", 1)[0][:-len(".warc.gz")]
        key = run_id.replace(":", "")
        return by_url(source).get((key, url)) or f"{layout.raw_dir(source, dt)}{key}"
    return find


def _ledger(store: Store, published_runs: set[tuple[str, str]], res: MigrationResult) -> pa.Table:
    sources = sorted({p.split("/")[1][len("source="):] for p in store.list("raw/", suffix=".log.jsonl")
                      if p.split("/")[1].startswith("source=")})
    rows = []
    for src in sources:
        for seg in raw.committed_segments(store, src):
            s = raw.summarize(store, seg)
            done = (seg.dt.isoformat(), seg.run_key) in published_runs
            res.segments_published += done
            res.segments_pending += not done
            rows.append({"segment": seg.segment, "source": src, "dt": seg.dt,
                         "run_id": s.run_id or seg.run_key, "state": "published" if done else "committed",
                         "committed_at": s.committed_at or datetime.now(timezone.utc),
                         "article_pages": s.article_pages, "fetch_rejects": s.fetch_rejects,
                         "registered_by": "migrate", "batch": f"migrated:{seg.dt}/{seg.run_key}" if done else None})
    return pa.Table.from_pylist([{k: r.get(k) for k in schemas.SEGMENTS.names} for r in rows],
                                schema=schemas.SEGMENTS)


def _index(articles: pa.Table) -> IndexRows:
    """The dedupe index of ``articles`` (their clusters kept), keyed by their raw segment."""
    rows = articles.select(["content_hash", "text", "cluster_id", "segment"]).to_pylist()
    if not rows:
        return IndexRows.concat([])
    sigs = minhash.signatures((normalize_for_hash(r["text"]) for r in rows), normalized=True)
    keys = sorted({r["segment"] for r in rows})
    pos = {k: i for i, k in enumerate(keys)}
    return IndexRows(content_keys([r["content_hash"] for r in rows]).reshape(-1, 2),
                       digests([r["cluster_id"] or r["content_hash"] for r in rows]).reshape(-1, 32),
                       minhash.sketches(sigs), minhash.band_keys(sigs),
                       np.array([pos[r["segment"]] for r in rows], dtype=np.uint32), keys)
