"""What the quality checks read from the catalog beyond ``archive.run_counts``, and where they keep
every check (``pipeline.quality``, read through the ``quality_history`` view)."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pyarrow as pa

import schemas
from newsarchive.lake import Lake
from pipelines.archive import navigation

#: The newest articles of a source whose lines count when telling site chrome from text.
REPEAT_WINDOW = 300


def extra_counts(lake: Lake, run_ids: list[str]) -> dict[tuple[str, str], dict]:
    """Per (crawl run, source): ``fetch_rejects`` (fetch-stage rejects archived), ``nav_candidates``
    (short contents the run archived or saw again, with the number of the source's URLs that
    carried each) and ``repeated_lines`` (lines on ``navigation.REPEAT_PAGES`` or more of the
    source's newest ``REPEAT_WINDOW`` articles)."""
    out: dict[tuple[str, str], dict] = {}

    def slot(run: str, source: str) -> dict:
        return out.setdefault((run, source), {"fetch_rejects": 0, "nav_candidates": [], "repeated_lines": []})
    con = lake.con
    for run, source, n in con.execute(
            "SELECT run_id, source, count(*) FROM rejects WHERE list_contains(?, run_id) AND stage = 'fetch' "
            "GROUP BY ALL", [run_ids]).fetchall():
        slot(run, source)["fetch_rejects"] = n
    cands = con.execute(f"""
        WITH seen AS (SELECT run_id, source, content_hash, count(DISTINCT url) AS urls
                      FROM sightings WHERE list_contains($1, run_id) GROUP BY ALL)
        SELECT s.run_id, s.source, a.url, a.text, a.raw_ref, s.urls
        FROM seen s JOIN articles a USING (content_hash)
        WHERE a.char_count <= {navigation.MAX_CHARS * 2}
        ORDER BY s.run_id, s.source, a.url""", [run_ids]).fetchall()
    for run, source, url, text, raw_ref, urls in cands:
        slot(run, source)["nav_candidates"].append({"url": url, "text": text, "raw_ref": raw_ref, "urls": urls})
    sources = sorted({s for _, s in out})
    if sources:
        lines: dict[str, list[str]] = {}
        for source, line in con.execute(f"""
                WITH recent AS (
                    SELECT source, content_hash, text FROM articles WHERE list_contains($1, source)
                    QUALIFY row_number() OVER (PARTITION BY source ORDER BY fetched_at DESC) <= {REPEAT_WINDOW}),
                ls AS (SELECT source, content_hash, trim(unnest(string_split(text, chr(10)))) AS line FROM recent)
                SELECT source, line FROM ls WHERE length(line) >= 2
                GROUP BY ALL HAVING count(DISTINCT content_hash) >= {navigation.REPEAT_PAGES}""",
                [sources]).fetchall():
            lines.setdefault(source, []).append(line)
        for (run, source), c in out.items():
            c["repeated_lines"] = lines.get(source, [])
    return out


def merge_counts(*parts: dict[tuple[str, str], dict]) -> dict[tuple[str, str], dict]:
    out: dict[tuple[str, str], dict] = {}
    for part in parts:
        for key, c in part.items():
            out.setdefault(key, {}).update(c)
    return out


def record(lake: Lake, report, checked_by: str) -> int:
    """One ``pipeline.quality`` row per source of ``report`` (a ``pipelines.archive.quality.QualityReport``)."""
    now = datetime.now(timezone.utc)
    rows = []
    for m in report.metrics:
        fails = report.failures_of(m.source)
        rows.append({
            "checked_at": now, "dt": date.fromisoformat(m.dt), "source": m.source, "run_id": m.run_id,
            "checked_by": checked_by, "mode": m.mode, "passed": not fails, "failures": fails,
            "pages_fetched": m.pages_fetched, "fetch_failures": m.fetch_failures, "fetch_rejects": m.fetch_rejects,
            "article_pages": m.article_pages, "new_articles": m.new_articles, "duplicates": m.duplicates,
            "rejects": m.all_rejects, "empty_bodies": m.empty_bodies, "missing_dates": m.missing_dates,
            "mojibake": max(m.mojibake_pages, m.decode_mojibake), "navigation": m.navigation,
            "pending_pages": m.pending_pages})
    if not rows:
        return 0
    tbl = pa.Table.from_pylist(rows, schema=schemas.QUALITY)

    def body(con):
        con.register("quality_rows", tbl)
        con.execute("INSERT INTO pipeline.quality BY NAME SELECT * FROM quality_rows")
        con.unregister("quality_rows")
    lake.write(body, "quality")
    return len(rows)
