"""The one record contract: a pyarrow schema per table.

Every writer (staging, publish, compaction, benchmarks) takes its schema from
here, and ``DATA_FORMAT.md`` documents every field; ``tests/test_schemas.py``
fails when the two disagree.
"""
from __future__ import annotations

import pyarrow as pa

SCHEMA_VERSION = "1"

UTC_TS = pa.timestamp("us", tz="UTC")

#: Stages a rejected page can fail at.
REJECT_STAGES = ("fetch", "decode", "extract", "dedupe", "publish")

#: Where ``published_at`` came from.
DATE_ORIGINS = (
    "jsonld", "meta", "front_matter", "text", "url", "feed", "sitemap", "http", "none",
)


def _schema(name: str, fields: list[pa.Field]) -> pa.Schema:
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
    pa.field("published_at", UTC_TS),
    pa.field("published_at_offset_minutes", pa.int16()),
    pa.field("published_at_origin", pa.string(), nullable=False),
    pa.field("published_at_offset_origin", pa.string()),
    pa.field("fetched_at", UTC_TS, nullable=False),
    pa.field("language", pa.string()),
    pa.field("syndicated_from", pa.string()),
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

#: Published tables, by name. Hive partition keys (``dt``, ``source``) are in the
#: path, not in the files.
TABLES: dict[str, pa.Schema] = {
    "articles": ARTICLES,
    "sightings": SIGHTINGS,
    "rejects": REJECTS,
}

#: Hive partition columns of every published table, in path order.
PARTITION_KEYS = ("dt", "source")

#: Sort order of rows inside each file (deterministic output, better pruning).
SORT_KEYS: dict[str, list[tuple[str, str]]] = {
    "articles": [("published_at", "ascending"), ("article_id", "ascending"), ("content_hash", "ascending")],
    "sightings": [("content_hash", "ascending"), ("url", "ascending"), ("fetched_at", "ascending")],
    "rejects": [("stage", "ascending"), ("reason", "ascending"), ("url", "ascending"), ("fetched_at", "ascending")],
}


def schema_for(table: str) -> pa.Schema:
    try:
        return TABLES[table]
    except KeyError:
        raise KeyError(f"unknown table {table!r}; known: {', '.join(TABLES)}") from None
