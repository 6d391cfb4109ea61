"""The one record contract: a pyarrow schema per table.

Every writer (stage, publish, migration, benchmarks) takes its schema from
here, the DuckLake catalog's tables are created from it
(:mod:`newsarchive.lake.ddl`), and ``DATA_FORMAT.md`` documents every field;
``tests/schemas/test_schemas.py`` fails when the two disagree.

Two groups of tables:

* ``TABLES`` – the archive analysts query: ``articles``, ``sightings``,
  ``rejects`` (schema ``main`` of the catalog). The record columns come first,
  then the lineage columns ``dt`` and ``segment`` (which crawl partition and
  raw WARC segment the row came from).
* ``PIPELINE_TABLES`` – the pipeline's own bookkeeping (schema ``pipeline``):
  the ledger of raw segments, staged rows waiting to be published, publish
  batches, the dedupe index files, the configured sources, and every quality check.
"""
from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = "2"

UTC_TS = pa.timestamp("us", tz="UTC")

#: Stages a rejected page can fail at.
REJECT_STAGES = ("fetch", "decode", "extract", "dedupe", "publish")

#: Where ``published_at`` / ``modified_at`` came from. ``news_sitemap`` and ``feed`` are publication dates
#: a discovery document gave; ``sitemap_lastmod`` a plain sitemap's ``<lastmod>`` (a modification time);
#: ``sitemap`` only in rows extracted before schema version 2 (either of the two).
DATE_ORIGINS = (
    "jsonld", "meta", "front_matter", "text", "url", "feed", "news_sitemap", "sitemap_lastmod", "http", "none",
    "sitemap",
)

#: States of a raw segment in the ledger (``pipeline.segments``), in order.
SEGMENT_STATES = ("committed", "staged", "published")

#: Where every row of the archive came from: the logical date of the crawl that captured it and its raw
#: WARC segment (store path without ``.warc.gz``). Appended to every archive and staging table.
LINEAGE = [
    pa.field("dt", pa.date32(), nullable=False),
    pa.field("segment", pa.string(), nullable=False),
]


def _schema(name: str, fields: list[pa.Field]) -> pa.Schema:
    if name in ("articles", "sightings", "rejects", "staged_articles", "staged_rejects"):
        fields = fields + LINEAGE
    return pa.schema(fields, metadata={
        "schema_version": SCHEMA_VERSION,
        "table": name,
        "producer": "newsarchive",
    })


ARTICLES = _schema("articles", [
    pa.field("article_id", pa.string(), nullable=False),
    pa.field("content_hash", pa.string(), nullable=False),
    pa.field("url", pa.string(), nullable=False),
    pa.field("canonical_url", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("title", pa.string()),
    pa.field("text", pa.string(), nullable=False),
    pa.field("authors", pa.list_(pa.string())),
    pa.field("editors", pa.list_(pa.string())),
    pa.field("published_at", UTC_TS),
    pa.field("published_at_offset_minutes", pa.int16()),
    pa.field("published_at_origin", pa.string(), nullable=False),
    pa.field("published_at_offset_origin", pa.string()),
    pa.field("modified_at", UTC_TS),
    pa.field("modified_at_origin", pa.string()),
    pa.field("fetched_at", UTC_TS, nullable=False),
    pa.field("language", pa.string()),
    pa.field("syndicated_from", pa.string()),
    pa.field("syndicated_from_source", pa.string()),
    pa.field("syndicated_from_detail", pa.string()),
    pa.field("section", pa.string()),
    pa.field("char_count", pa.int32(), nullable=False),
    pa.field("cluster_id", pa.string()),
    pa.field("extractor_version", pa.string(), nullable=False),
    pa.field("decode_repair", pa.string()),
    pa.field("run_id", pa.string(), nullable=False),
    pa.field("raw_ref", pa.string()),
])

SIGHTINGS = _schema("sightings", [
    pa.field("content_hash", pa.string(), nullable=False),
    pa.field("article_id", pa.string(), nullable=False),
    pa.field("url", pa.string(), nullable=False),
    pa.field("canonical_url", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("fetched_at", UTC_TS, nullable=False),
    pa.field("run_id", pa.string(), nullable=False),
    pa.field("is_new", pa.bool_(), nullable=False),
    # this copy's own metadata, as its page states it (the article row holds the first copy's)
    pa.field("title", pa.string()),
    pa.field("authors", pa.list_(pa.string())),
    pa.field("published_at", UTC_TS),
    pa.field("syndicated_from", pa.string()),
    pa.field("syndicated_from_source", pa.string()),
    pa.field("section", pa.string()),
])

REJECTS = _schema("rejects", [
    pa.field("url", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("stage", pa.string(), nullable=False),
    pa.field("reason", pa.string(), nullable=False),
    pa.field("detail", pa.string()),
    pa.field("http_status", pa.int16()),
    pa.field("fetched_at", UTC_TS, nullable=False),
    pa.field("run_id", pa.string(), nullable=False),
    pa.field("raw_ref", pa.string()),
])

SEGMENTS = _schema("segments", [
    pa.field("segment", pa.string(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("dt", pa.date32(), nullable=False),
    pa.field("run_id", pa.string(), nullable=False),
    pa.field("state", pa.string(), nullable=False),
    pa.field("committed_at", UTC_TS, nullable=False),
    pa.field("article_pages", pa.int32(), nullable=False),
    pa.field("fetch_rejects", pa.int32(), nullable=False),
    pa.field("registered_by", pa.string(), nullable=False),
    pa.field("staged_by", pa.string()),
    pa.field("staged_articles", pa.int32()),
    pa.field("staged_rejects", pa.int32()),
    pa.field("extractor_version", pa.string()),
    pa.field("batch", pa.string()),
])

STAGED_ARTICLES = _schema("staged_articles", list(ARTICLES)[:-len(LINEAGE)])
STAGED_REJECTS = _schema("staged_rejects", list(REJECTS)[:-len(LINEAGE)])

BATCHES = _schema("batches", [
    pa.field("batch", pa.string(), nullable=False),
    pa.field("dt", pa.date32(), nullable=False),
    pa.field("run_id", pa.string(), nullable=False),
    pa.field("segments", pa.int32(), nullable=False),
    pa.field("staged", pa.int32(), nullable=False),
    pa.field("articles", pa.int32(), nullable=False),
    pa.field("sightings", pa.int32(), nullable=False),
    pa.field("rejects", pa.int32(), nullable=False),
    pa.field("exact_duplicates", pa.int32(), nullable=False),
    pa.field("near_duplicates", pa.int32(), nullable=False),
])

INDEX_FILES = _schema("index_files", [
    pa.field("path", pa.string(), nullable=False),
    pa.field("batch", pa.string(), nullable=False),
    pa.field("rows", pa.int64(), nullable=False),
    pa.field("bytes", pa.int64(), nullable=False),
    pa.field("segments", pa.list_(pa.string()), nullable=False),
])

SOURCES = _schema("sources", [
    pa.field("source", pa.string(), nullable=False),
    pa.field("name", pa.string()),
    pa.field("priority", pa.int32(), nullable=False),
    pa.field("language", pa.string()),
    pa.field("base_url", pa.string()),
])

QUALITY = _schema("quality", [
    pa.field("checked_at", UTC_TS, nullable=False),
    pa.field("dt", pa.date32(), nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("run_id", pa.string(), nullable=False),
    pa.field("checked_by", pa.string(), nullable=False),
    pa.field("mode", pa.string(), nullable=False),
    pa.field("passed", pa.bool_(), nullable=False),
    pa.field("failures", pa.list_(pa.string()), nullable=False),
    pa.field("pages_fetched", pa.int32(), nullable=False),
    pa.field("fetch_failures", pa.int32(), nullable=False),
    pa.field("fetch_rejects", pa.int32(), nullable=False),
    pa.field("article_pages", pa.int32(), nullable=False),
    pa.field("new_articles", pa.int32(), nullable=False),
    pa.field("duplicates", pa.int32(), nullable=False),
    pa.field("rejects", pa.int32(), nullable=False),
    pa.field("empty_bodies", pa.int32(), nullable=False),
    pa.field("missing_dates", pa.int32(), nullable=False),
    pa.field("mojibake", pa.int32(), nullable=False),
    pa.field("navigation", pa.int32(), nullable=False),
    pa.field("pending_pages", pa.int32(), nullable=False),
])

#: The archive's tables, by name (catalog schema ``main``).
TABLES: dict[str, pa.Schema] = {
    "articles": ARTICLES,
    "sightings": SIGHTINGS,
    "rejects": REJECTS,
}

#: The pipeline's bookkeeping tables (catalog schema ``pipeline``).
PIPELINE_TABLES: dict[str, pa.Schema] = {
    "segments": SEGMENTS,
    "staged_articles": STAGED_ARTICLES,
    "staged_rejects": STAGED_REJECTS,
    "batches": BATCHES,
    "index_files": INDEX_FILES,
    "sources": SOURCES,
    "quality": QUALITY,
}

#: Every table of the catalog: (catalog schema, table) -> pyarrow schema.
CATALOG: dict[tuple[str, str], pa.Schema] = {
    **{("main", n): s for n, s in TABLES.items()},
    **{("pipeline", n): s for n, s in PIPELINE_TABLES.items()},
}

#: Sort order of rows inside each file (deterministic output, better pruning).
SORT_KEYS: dict[str, list[tuple[str, str]]] = {
    "articles": [("published_at", "ascending"), ("article_id", "ascending"), ("content_hash", "ascending")],
    "sightings": [("content_hash", "ascending"), ("url", "ascending"), ("fetched_at", "ascending")],
    "rejects": [("stage", "ascending"), ("reason", "ascending"), ("url", "ascending"), ("fetched_at", "ascending")],
}


def schema_for(table: str) -> pa.Schema:
    try:
        return TABLES.get(table) or PIPELINE_TABLES[table]
    except KeyError:
        raise KeyError(f"unknown table {table!r}; known: {', '.join([*TABLES, *PIPELINE_TABLES])}") from None


def record_columns(table: str) -> list[str]:
    """The columns of ``table`` that a record (``Article``/``Reject``) carries: all but the lineage."""
    return [n for n in schema_for(table).names if n not in {f.name for f in LINEAGE}]
