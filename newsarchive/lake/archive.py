"""The ledger from raw to archive, and the transactions that move segments along it.

Every committed raw WARC segment (``pipelines.layout.RawSegment``) gets one row in
``pipeline.segments`` and moves through three states, each change committed in
the same transaction as the rows it describes:

``committed``  registered: its crawl log is in the store (:func:`register`);
``staged``     extracted: its articles and rejects are in ``pipeline.staged_*`` (:func:`commit_staged`);
``published``  archived: its rows are in ``articles``/``sightings``/``rejects`` and its documents in
               the dedupe index, by publish batch ``batch`` (:func:`publish`).

Stage and publish take *everything* in the state before theirs, not "this run's"
work, so a run catches up whatever an earlier failed or killed run left, and
running either twice archives nothing twice. A segment staged again
(``reprocess``, ``retry``) replaces its earlier rows when it is published.
Every write holds the catalog's writer lock.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Iterable

import pyarrow as pa

import schemas
from pipelines import faults, layout
from newsarchive.lake import Lake
from pipelines.capture import raw
from pipelines.dedupe.index import ArchiveIndex
from pipelines.dedupe.minhash import DEFAULT_THRESHOLD
from pipelines.archive.plan import BatchPlan, plan
from pipelines.dedupe.index_file import IndexFile
from pipelines.storage import Store

log = logging.getLogger("newsarchive")

#: Staged rows per publish transaction (bounds memory; a bigger backlog is published in several batches).
PUBLISH_ROWS = 20_000


# ----------------------------------------------------------------------------- helpers
def _ids_table(ids: Iterable[str]) -> pa.Table:
    return pa.table({"segment": pa.array(sorted(set(ids)), pa.string())})


def _register(con, name: str, tbl: pa.Table) -> None:
    con.register(name, tbl)


def _sorted_insert(con, table: str, tbl: pa.Table, name: str) -> None:
    """Insert ``tbl`` (the table's columns) into ``table``, rows in the table's sort order."""
    if tbl.num_rows == 0:
        return
    con.register(name, tbl)
    keys = schemas.SORT_KEYS.get(table)
    order = (" ORDER BY " + ", ".join(f'"{c}"' + (" DESC" if o == "descending" else "") for c, o in keys)
             + ", segment") if keys else ""
    target = table if table in schemas.TABLES else f"pipeline.{table}"
    con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM {name}{order}")
    con.unregister(name)


def _fetch(con, sql: str, params=None, schema: pa.Schema | None = None) -> pa.Table:
    tbl = con.execute(sql, params or []).fetch_arrow_table()
    return tbl.cast(schema) if schema is not None else tbl


# ----------------------------------------------------------------------------- the ledger
@dataclass
class LedgerRow:
    segment: str
    source: str
    dt: date
    run_id: str
    state: str
    batch: str | None
    article_pages: int = 0

    @property
    def raw(self) -> raw.RawSegment:
        return raw.parse_segment(self.segment)


def ledger(lake: Lake, *, sources: list[str] | None = None, states: tuple[str, ...] | None = None,
           dts: list[date] | None = None, runs: list[str] | None = None) -> list[LedgerRow]:
    """Ledger rows, filtered, ordered by (dt, segment)."""
    where, params = ["true"], []
    if sources is not None:
        where.append("list_contains(?, source)")
        params.append(list(sources))
    if states is not None:
        where.append("list_contains(?, state)")
        params.append(list(states))
    if dts is not None:
        where.append("list_contains(?::DATE[], dt)")
        params.append([layout.require_day(d) for d in dts])
    if runs is not None:
        where.append("(list_contains(?, run_id) OR list_contains(?, replace(run_id, ':', '')))")
        params += [list(runs), list(runs)]
    rows = lake.con.execute(f"""
        SELECT segment, source, dt, run_id, state, batch, article_pages FROM pipeline.segments
        WHERE {' AND '.join(where)} ORDER BY dt, segment""", params).fetchall()
    return [LedgerRow(*r) for r in rows]


def register(lake: Lake, sources: list[str], *, registered_by: str, dt: date | None = None) -> list[str]:
    """Ledger rows (state ``committed``) for the committed raw segments of ``sources`` not in it yet.

    Lists the sources' raw folders (only ``dt``'s, if given); returns the segments registered.
    """
    store = lake.store
    known = {r.segment for r in ledger(lake, sources=sources)}
    new = [s for src in sources for s in raw.committed_segments(store, src, dt) if s.segment not in known]
    if not new:
        return []
    rows = []
    for seg in new:
        try:
            summ = raw.summarize(store, seg)
        except (OSError, ValueError) as exc:   # an unreadable log: registered with no pages, stage rejects it
            summ = raw.SegmentSummary(run_id=seg.run_key)
            summ.fetch_rejects = 0
            log.warning("crawl log %s is unreadable (%s); its segment is registered empty", seg.log, exc)
        rows.append({"segment": seg.segment, "source": seg.source, "dt": seg.dt,
                     "run_id": summ.run_id or seg.run_key, "state": "committed",
                     "committed_at": summ.committed_at or datetime.now(timezone.utc),
                     "article_pages": summ.article_pages, "fetch_rejects": summ.fetch_rejects,
                     "registered_by": registered_by})
    tbl = pa.Table.from_pylist([{k: r.get(k) for k in schemas.SEGMENTS.names} for r in rows],
                               schema=schemas.SEGMENTS)

    def body(con):
        con.register("new_segments", tbl)
        con.execute("""INSERT INTO pipeline.segments BY NAME
                       SELECT * FROM new_segments n
                       WHERE NOT EXISTS (FROM pipeline.segments s WHERE s.segment = n.segment)
                       ORDER BY dt, segment""")
        con.unregister("new_segments")
    lake.write(body, "register")
    return [r["segment"] for r in rows]


def restage(lake: Lake, segments: list[str]) -> int:
    """Send published or staged segments back to ``committed`` (reprocess, retry): the next stage
    re-extracts them and the next publish replaces their rows."""
    if not segments:
        return 0

    def body(con):
        con.register("ids", _ids_table(segments))
        n = con.execute("SELECT count(*) FROM pipeline.segments WHERE segment IN (SELECT segment FROM ids) "
                        "AND state <> 'committed'").fetchone()[0]
        con.execute("DELETE FROM pipeline.staged_articles WHERE segment IN (SELECT segment FROM ids)")
        con.execute("DELETE FROM pipeline.staged_rejects WHERE segment IN (SELECT segment FROM ids)")
        con.execute("""UPDATE pipeline.segments SET state = 'committed', staged_by = NULL, staged_articles = NULL,
                       staged_rejects = NULL WHERE segment IN (SELECT segment FROM ids) AND state <> 'committed'""")
        con.unregister("ids")
        return n
    return lake.write(body, "restage")


# ----------------------------------------------------------------------------- stage
@dataclass
class Staged:
    """One segment's extraction output, ready to commit."""
    segment: raw.RawSegment
    articles: pa.Table          # staged_articles schema
    rejects: pa.Table           # staged_rejects schema
    extractor_version: str | None = None


def commit_staged(lake: Lake, staged: list[Staged], *, staged_by: str) -> list[str]:
    """Commit segments' staged rows and move them to ``staged``, in one transaction.

    A segment that is no longer ``committed`` (another stage committed it meanwhile) is skipped;
    returns the segments committed.
    """
    if not staged:
        return []
    ids = [s.segment.segment for s in staged]
    arts = pa.concat_tables([schemas.STAGED_ARTICLES.empty_table()] + [s.articles for s in staged])
    rejs = pa.concat_tables([schemas.STAGED_REJECTS.empty_table()] + [s.rejects for s in staged])
    counts = pa.table({
        "segment": pa.array(ids, pa.string()),
        "n_articles": pa.array([s.articles.num_rows for s in staged], pa.int32()),
        "n_rejects": pa.array([s.rejects.num_rows for s in staged], pa.int32()),
        "version": pa.array([s.extractor_version for s in staged], pa.string())})

    def body(con):
        faults.point("stage:transaction_begun")
        con.register("ids", _ids_table(ids))
        ready = [r[0] for r in con.execute(
            "SELECT segment FROM pipeline.segments WHERE segment IN (SELECT segment FROM ids) "
            "AND state = 'committed'").fetchall()]
        con.unregister("ids")
        if not ready:
            return []
        con.register("ready", _ids_table(ready))
        con.execute("DELETE FROM pipeline.staged_articles WHERE segment IN (SELECT segment FROM ready)")
        con.execute("DELETE FROM pipeline.staged_rejects WHERE segment IN (SELECT segment FROM ready)")
        keep = set(ready)
        _sorted_insert(con, "staged_articles", arts.filter(pa.array([s in keep for s in arts["segment"].to_pylist()],
                                                                    pa.bool_())), "staged_a")
        _sorted_insert(con, "staged_rejects", rejs.filter(pa.array([s in keep for s in rejs["segment"].to_pylist()],
                                                                   pa.bool_())), "staged_r")
        con.register("counts", counts)
        con.execute("""UPDATE pipeline.segments s SET state = 'staged', staged_by = ?, staged_articles = c.n_articles,
                              staged_rejects = c.n_rejects, extractor_version = c.version
                       FROM counts c WHERE s.segment = c.segment AND s.segment IN (SELECT segment FROM ready)""",
                    [staged_by])
        con.unregister("counts")
        con.unregister("ready")
        faults.point("stage:before_commit")
        return ready
    done = lake.write(body, "stage")
    faults.point("stage:committed")
    return done


# ----------------------------------------------------------------------------- publish
@dataclass
class BatchResult:
    batch: str
    segments: int = 0
    staged: int = 0
    articles: int = 0
    sightings: int = 0
    rejects: int = 0
    exact_duplicates: int = 0
    near_duplicates: int = 0
    sources: list[str] = field(default_factory=list)
    dts: list[date] = field(default_factory=list)


def sync_sources_sql(con, config) -> None:
    """Replace ``pipeline.sources`` with the configured sources when they differ (inside a transaction)."""
    rows = sorted(({"source": s.id, "name": getattr(s, "name", None), "priority": int(s.priority),
                    "language": getattr(s, "language", None), "base_url": getattr(s, "base_url", None)}
                   for s in config.sources), key=lambda r: r["source"])
    have = [dict(zip(schemas.SOURCES.names, r)) for r in
            con.execute("SELECT * FROM pipeline.sources ORDER BY source").fetchall()]
    if have == rows:
        return
    con.execute("DELETE FROM pipeline.sources")
    if rows:
        con.register("src_rows", pa.Table.from_pylist(rows, schema=schemas.SOURCES))
        con.execute("INSERT INTO pipeline.sources BY NAME SELECT * FROM src_rows")
        con.unregister("src_rows")


def sync_sources(lake: Lake, config) -> None:
    lake.write(lambda con: sync_sources_sql(con, config), "sources")


def _chunks(rows: list[LedgerRow], staged_counts: dict[str, int], limit: int) -> list[list[LedgerRow]]:
    out, cur, n = [], [], 0
    for r in rows:
        k = staged_counts.get(r.segment, 0)
        if cur and n + k > limit:
            out.append(cur)
            cur, n = [], 0
        cur.append(r)
        n += k
    if cur:
        out.append(cur)
    return out


def publish(lake: Lake, *, run_id: str, dt: date, config=None, threshold: float = DEFAULT_THRESHOLD,
            max_rows: int = PUBLISH_ROWS) -> list[BatchResult]:
    """Publish every staged segment (oldest first), ``max_rows`` staged rows per batch/transaction."""
    store = lake.store
    priority = {s.id: s.priority for s in config.sources} if config is not None else {}
    results = []
    with lake.locked("publish"):
        if config is not None:
            lake.transaction(lambda con: sync_sources_sql(con, config))
        pending = ledger(lake, states=("staged",))
        counts = dict(lake.con.execute("SELECT segment, coalesce(staged_articles, 0) + coalesce(staged_rejects, 0) "
                                       "FROM pipeline.segments WHERE state = 'staged'").fetchall())
        for chunk in _chunks(pending, counts, max_rows):
            results.append(_publish_chunk(lake, store, chunk, run_id, layout.require_day(dt), priority, threshold))
    return results


def _next_batch_id(con, run_id: str) -> str:
    n = con.execute("SELECT count(*) FROM pipeline.batches WHERE run_id = ?", [run_id]).fetchone()[0]
    return f"{run_id}/{n + 1:03d}"


def _publish_chunk(lake: Lake, store: Store, chunk: list[LedgerRow], run_id: str, dt: date,
                   priority: dict[str, int], threshold: float) -> BatchResult:
    con = lake.con
    ids = [r.segment for r in chunk]
    replace = {r.segment for r in chunk if r.batch is not None}     # published before: rows are replaced
    con.register("chunk_ids", _ids_table(ids))
    arts = _fetch(con, "FROM pipeline.staged_articles WHERE segment IN (SELECT segment FROM chunk_ids)",
                  schema=schemas.STAGED_ARTICLES)
    rejs = _fetch(con, "FROM pipeline.staged_rejects WHERE segment IN (SELECT segment FROM chunk_ids)",
                  schema=schemas.STAGED_REJECTS)
    con.unregister("chunk_ids")
    files = [(p, list(k)) for p, k in con.execute("SELECT path, segments FROM pipeline.index_files").fetchall()]
    index = ArchiveIndex.load(store, files, replace)
    bp: BatchPlan = plan(arts, rejs, index, priority, threshold)
    faults.point("publish:planned")
    new_files = []                                    # (path, rows, bytes, segments)
    if len(bp.index):
        new_files.append(put_index_file(store, bp.index))
    replaced_files = []
    for path, keys in files:
        if replace.intersection(keys):
            replaced_files.append(path)
            rest = IndexFile(store.read_bytes(path), path).data().without(replace)
            if len(rest):
                new_files.append(put_index_file(store, rest))
    batch_holder: dict = {}
    faults.point("publish:index_written")

    def body(con):
        faults.point("publish:transaction_begun")
        batch = _next_batch_id(con, run_id)
        batch_holder["batch"] = batch
        if replace:
            con.register("old_ids", _ids_table(replace))
            for t in schemas.TABLES:
                con.execute(f"DELETE FROM {t} WHERE segment IN (SELECT segment FROM old_ids)")
            con.unregister("old_ids")
        for t, tbl in (("articles", bp.articles), ("sightings", bp.sightings), ("rejects", bp.rejects)):
            _sorted_insert(con, t, tbl, f"new_{t}")
            faults.point(f"publish:inserted_{t}")
        con.register("chunk_ids", _ids_table(ids))
        con.execute("DELETE FROM pipeline.staged_articles WHERE segment IN (SELECT segment FROM chunk_ids)")
        con.execute("DELETE FROM pipeline.staged_rejects WHERE segment IN (SELECT segment FROM chunk_ids)")
        con.execute("UPDATE pipeline.segments SET state = 'published', batch = ? "
                    "WHERE segment IN (SELECT segment FROM chunk_ids)", [batch])
        con.unregister("chunk_ids")
        if replaced_files:
            con.execute("DELETE FROM pipeline.index_files WHERE list_contains(?, path)", [replaced_files])
        if new_files:
            con.register("idx_rows", pa.Table.from_pylist(
                [{"path": p, "batch": batch, "rows": n, "bytes": b, "segments": k} for p, n, b, k in new_files],
                schema=schemas.INDEX_FILES))
            con.execute("INSERT INTO pipeline.index_files BY NAME SELECT * FROM idx_rows "
                        "WHERE path NOT IN (SELECT path FROM pipeline.index_files)")
            con.unregister("idx_rows")
        c = bp.counts()
        con.execute("CALL ducklake_set_commit_message(current_database(), 'newsarchive', ?)", [batch])
        con.execute("INSERT INTO pipeline.batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [batch, dt, run_id, len(ids), c["staged"], c["articles"], c["sightings"],
                     c["rejects"], c["exact_duplicates"], c["near_duplicates"]])
        faults.point("publish:before_commit")
    lake.transaction(body)
    faults.point("publish:committed")
    c = bp.counts()
    return BatchResult(batch=batch_holder["batch"], segments=len(ids), sources=sorted({r.source for r in chunk}),
                       dts=sorted({r.dt for r in chunk}), **c)


def put_index_file(store: Store, data) -> tuple[str, int, int, list[str]]:
    """Write ``data`` (``IndexRows``) as an index file named after its bytes (rewriting the same bytes
    under the same name is harmless); returns ``(path, rows, bytes, raw segments)``."""
    import hashlib
    blob = data.encode()
    path = layout.index_file(hashlib.sha256(blob).hexdigest()[:24])
    if not store.exists(path):
        store.write_bytes(path, blob)
    return path, len(data), len(blob), list(data.keys)


# ----------------------------------------------------------------------------- conservation and pending work
def balances(lake: Lake, sources: list[str] | None = None, dts: list[date] | None = None):
    """Rows of the ``conservation`` view as ``pipelines.archive.conservation.Balance``."""
    from pipelines.archive.conservation import Balance
    where, params = ["true"], []
    if sources is not None:
        where.append("list_contains(?, source)")
        params.append(list(sources))
    if dts is not None:
        where.append("list_contains(?::DATE[], dt)")
        params.append([layout.require_day(d) for d in dts])
    rows = lake.con.execute(f"""
        SELECT source, CAST(dt AS VARCHAR), segments, fetched, archived, rejected, pending, pending_segments,
               oldest_pending
        FROM conservation WHERE {' AND '.join(where)} ORDER BY source, dt""", params).fetchall()
    return [Balance(*r) for r in rows]


def unregistered(lake: Lake, sources: list[str]) -> list[raw.RawSegment]:
    """Committed raw segments of ``sources`` that no stage has registered yet (a listing of raw/)."""
    known = {r.segment for r in ledger(lake, sources=sources)}
    return [s for src in sources for s in raw.committed_segments(lake.store, src) if s.segment not in known]


# ----------------------------------------------------------------------------- what a run archived
def run_counts(lake: Lake, run_ids: list[str]) -> dict[tuple[str, str], dict]:
    """Per (crawl run id, source): new articles, duplicates, non-fetch rejects by ``stage/reason``,
    new articles without a date, and the run's segments still waiting (not published)."""
    out: dict[tuple[str, str], dict] = {}

    def slot(run: str, source: str) -> dict:
        return out.setdefault((run, source), {"new_articles": 0, "duplicates": 0, "rejects": {},
                                              "missing_dates": 0, "pending_segments": 0, "pending_pages": 0})
    con = lake.con
    for run, source, new, dup in con.execute(
            "SELECT run_id, source, count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE NOT is_new) "
            "FROM sightings WHERE list_contains(?, run_id) GROUP BY ALL", [run_ids]).fetchall():
        slot(run, source).update(new_articles=new, duplicates=dup)
    for run, source, stage, reason, n in con.execute(
            "SELECT run_id, source, stage, reason, count(*) FROM rejects "
            "WHERE list_contains(?, run_id) AND stage <> 'fetch' GROUP BY ALL", [run_ids]).fetchall():
        slot(run, source)["rejects"][f"{stage}/{reason}"] = n
    for run, source, n in con.execute(
            "SELECT run_id, source, count(*) FROM articles WHERE list_contains(?, run_id) AND published_at IS NULL "
            "GROUP BY ALL", [run_ids]).fetchall():
        slot(run, source)["missing_dates"] = n
    for run, source, n, pages in con.execute(
            "SELECT run_id, source, count(*), sum(article_pages) FROM pipeline.segments "
            "WHERE list_contains(?, run_id) AND state <> 'published' GROUP BY ALL", [run_ids]).fetchall():
        slot(run, source).update(pending_segments=n, pending_pages=int(pages or 0))
    before = dict(con.execute("SELECT source, count(*) FROM sightings WHERE NOT list_contains(?, run_id) "
                              "GROUP BY source", [run_ids]).fetchall())
    for run in run_ids:
        for source in before:
            if (run, source) in out or before[source]:
                slot(run, source)["archived_before"] = before[source]
    return out
