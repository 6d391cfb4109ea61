"""The record types every pipeline step works on.

``RawPage`` is one captured HTTP response (from a WARC record or a saved file).
``Article`` is one row of the ``articles`` table; ``Reject`` one row of ``rejects``.
Their fields are exactly the record columns of ``schemas.tables`` (every column but
the lineage ``dt``/``segment``, which stage adds per raw segment) so writers never
map names by hand.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

import pyarrow as pa

import schemas


@dataclass(slots=True)
class RawPage:
    """One response as captured: enough to re-extract without fetching again."""
    url: str
    body: bytes
    source: str
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    status: int = 200
    fetched_at: datetime | None = None
    run_id: str = ""
    raw_ref: str | None = None
    #: Hints learned at discovery time (feed/sitemap): published, title, section.
    hints: dict[str, Any] = field(default_factory=dict)

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


@dataclass(slots=True)
class Article:
    article_id: str
    content_hash: str
    url: str
    canonical_url: str
    source: str
    text: str
    fetched_at: datetime
    extractor_version: str
    run_id: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    editors: list[str] = field(default_factory=list)
    published_at: datetime | None = None
    published_at_offset_minutes: int | None = None
    published_at_origin: str = "none"
    published_at_offset_origin: str | None = None
    modified_at: datetime | None = None
    modified_at_origin: str | None = None
    language: str | None = None
    syndicated_from: str | None = None
    syndicated_from_source: str | None = None
    syndicated_from_detail: str | None = None
    section: str | None = None
    char_count: int = 0
    cluster_id: str | None = None
    raw_ref: str | None = None
    decode_repair: str | None = None

    def __post_init__(self) -> None:
        if not self.char_count:
            self.char_count = len(self.text)


@dataclass(slots=True)
class Reject:
    url: str
    source: str
    stage: str
    reason: str
    fetched_at: datetime
    run_id: str
    detail: str | None = None
    http_status: int | None = None
    raw_ref: str | None = None

    def __post_init__(self) -> None:
        if self.stage not in schemas.REJECT_STAGES:
            raise ValueError(f"reject stage must be one of {schemas.REJECT_STAGES}, got {self.stage!r}")


_TABLE_OF = {Article: "articles", Reject: "rejects"}


def record_schema(table: str) -> pa.Schema:
    """The table's schema without the lineage columns (``dt``, ``segment``): what a record carries."""
    full = schemas.schema_for(table)
    keep = set(schemas.record_columns(table))
    return pa.schema([f for f in full if f.name in keep], metadata=full.metadata)


def to_table(records: Iterable[Article | Reject | dict], table: str) -> pa.Table:
    """Rows (dataclasses or dicts) -> an Arrow table with the table's record columns."""
    schema = record_schema(table)
    rows = [dataclasses.asdict(r) if dataclasses.is_dataclass(r) else r for r in records]
    cols = {name: [row.get(name) for row in rows] for name in schema.names}
    return pa.Table.from_pydict(cols, schema=schema)


def from_table(tbl: pa.Table, cls: type) -> list:
    """Arrow table -> list of ``Article``/``Reject`` (unknown columns ignored)."""
    names = {f.name for f in dataclasses.fields(cls)}
    return [cls(**{k: v for k, v in row.items() if k in names}) for row in tbl.to_pylist()]
