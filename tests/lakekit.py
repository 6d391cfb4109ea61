"""Test helpers that write the catalog the way stage and publish do, without crawling.

``stage`` simulates a crawl and its extraction: one raw segment per source (a ledger row, as
``register`` makes) and its staged rows (``commit_staged``); ``publish`` is the real publish.
"""
from __future__ import annotations

from datetime import date, datetime, timezone


def segment_of(source: str, dt: str, run_id: str) -> str:
    """The raw segment id a simulated crawl of ``source`` in run ``run_id`` on ``dt`` committed."""
    return f"raw/source={source}/dt={dt}/{run_id.replace(':', '')}"


def _register(lake, segs: list[tuple[str, str, str]]) -> None:
    """Ledger rows (state committed) for simulated raw segments ``(source, dt, run_id)`` not in it yet."""
    import pyarrow as pa

    import schemas
    rows = [{"segment": segment_of(s, d, r), "source": s, "dt": date.fromisoformat(d), "run_id": r,
             "state": "committed", "committed_at": datetime(2022, 7, 28, tzinfo=timezone.utc), "article_pages": 0, "fetch_rejects": 0,
             "registered_by": "storekit"} for s, d, r in segs]
    tbl = pa.Table.from_pylist([{k: r.get(k) for k in schemas.SEGMENTS.names} for r in rows], schema=schemas.SEGMENTS)

    def body(con):
        con.register("kit_segments", tbl)
        con.execute("INSERT INTO pipeline.segments BY NAME SELECT * FROM kit_segments n "
                    "WHERE NOT EXISTS (FROM pipeline.segments s WHERE s.segment = n.segment)")
        con.unregister("kit_segments")
    lake.write(body)


def stage(store, dt: str, run_id: str, arts, rejs=()) -> list[str]:
    """Simulate crawl + extraction: one raw segment per source, its rows staged; returns the segments.

    A segment staged before (or published) is sent back to ``committed`` first, as reprocess does.
    """
    from newsarchive.jobs import _lineage
    from newsarchive.lake import archive, open_writer
    from pipelines.capture.raw import parse_segment
    sources = sorted({a.source for a in arts} | {r.source for r in rejs})
    with open_writer(store) as lake:
        _register(lake, [(s, dt, run_id) for s in sources])
        archive.restage(lake, [segment_of(s, dt, run_id) for s in sources])
        staged = []
        for src in sources:
            seg = parse_segment(segment_of(src, dt, run_id))
            staged.append(archive.Staged(seg, _lineage([a for a in arts if a.source == src], "articles", seg),
                                         _lineage([r for r in rejs if r.source == src], "rejects", seg), "test-1"))
        return archive.commit_staged(lake, staged, staged_by="storekit")


def publish(store, config=None, run_id: str = "test__2022-07-28T000000__pub", dt: "date | str" = "2022-07-28",
            threshold: float | None = None):
    """Publish every staged segment; returns the ``BatchResult`` list."""
    from newsarchive.lake import archive, open_writer
    from pipelines.layout import day
    dt = day(dt)
    kw = {} if threshold is None else {"threshold": threshold}
    with open_writer(store) as lake:
        return archive.publish(lake, run_id=run_id, dt=dt, config=config, **kw)


def one_batch(results):
    assert len(results) == 1, results
    return results[0]


def committed(store, table: str):
    """Rows of ``table`` in the catalog, as an Arrow table (``table`` may be ``pipeline.<name>``)."""
    from newsarchive.lake import open_reader
    with open_reader(store, lockdown=False) as lake:
        return lake.con.execute(f"FROM {table}").fetch_arrow_table()


def rowset(store, table: str, drop: tuple[str, ...] = ()) -> list[tuple]:
    """Rows of ``table`` as a sorted list of tuples (order-free comparison)."""
    return sorted(tuple(repr(v) for k, v in r.items() if k not in drop) for r in committed(store, table).to_pylist())
