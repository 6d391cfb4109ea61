"""One schema for every table newsarchive writes (see DATA_FORMAT.md)."""
from schemas.tables import (  # noqa: F401
    ARTICLES, BATCHES, CATALOG, DATE_ORIGINS, INDEX_FILES, LINEAGE, PIPELINE_TABLES, REJECT_STAGES, REJECTS,
    SCHEMA_VERSION, SEGMENT_STATES, SEGMENTS, SIGHTINGS, SORT_KEYS, SOURCES, STAGED_ARTICLES, STAGED_REJECTS,
    TABLES, record_columns, schema_for,
)
