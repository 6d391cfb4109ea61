"""One schema for every table newsarchive writes (see DATA_FORMAT.md)."""
from schemas.tables import (  # noqa: F401
    ARTICLES, DATE_ORIGINS, PARTITION_KEYS, REJECT_STAGES, REJECTS, SCHEMA_VERSION,
    SIGHTINGS, SORT_KEYS, TABLES, schema_for,
)
