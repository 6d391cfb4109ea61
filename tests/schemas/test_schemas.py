"""DATA_FORMAT.md and schemas/ must describe the same tables, field for field."""
from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pytest

import schemas

DOC = Path(__file__).resolve().parents[2] / "DATA_FORMAT.md"
#: Tables with a field table of their own (staged_* share the columns of articles/rejects).
DOCUMENTED = {**schemas.TABLES, **{k: v for k, v in schemas.PIPELINE_TABLES.items() if not k.startswith("staged_")}}


def parse_doc(text: str) -> dict[str, list[tuple[str, str, bool]]]:
    """Return {table: [(field, type, nullable)]} from the `## <table>` field tables."""
    tables: dict[str, list[tuple[str, str, bool]]] = {}
    current = None
    for line in text.splitlines():
        m = re.match(r"^##+ (\w+)\s*$", line)
        if m:
            current = m.group(1) if m.group(1) in DOCUMENTED or m.group(1).islower() else None
            continue
        if current and line.startswith("| ") and not line.startswith("| field") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) >= 3:
                tables.setdefault(current, []).append((cells[0], cells[1], cells[2] == "yes"))
    return {k: v for k, v in tables.items() if k in DOCUMENTED or v}


def schema_rows(schema: pa.Schema) -> list[tuple[str, str, bool]]:
    return [(f.name, str(f.type), f.nullable) for f in schema]


def test_every_table_is_documented_exactly():
    doc = parse_doc(DOC.read_text(encoding="utf-8"))
    assert set(doc) == set(DOCUMENTED), "tables in DATA_FORMAT.md differ from schemas"
    for name, schema in DOCUMENTED.items():
        assert doc[name] == schema_rows(schema), f"DATA_FORMAT.md disagrees with schemas for table {name!r}"


def test_staged_tables_have_the_columns_of_the_tables_they_feed():
    assert schema_rows(schemas.STAGED_ARTICLES) == schema_rows(schemas.ARTICLES)
    assert schema_rows(schemas.STAGED_REJECTS) == schema_rows(schemas.REJECTS)


def test_the_catalog_has_every_table_with_the_schemas_types(tmp_path):
    from newsarchive.lake import ALIAS, open_writer
    from newsarchive.lake.ddl import duck_type
    with open_writer(str(tmp_path / "store")) as lake:
        cols = lake.con.execute("SELECT schema_name, table_name, column_name, data_type, is_nullable "
                                "FROM duckdb_columns() WHERE database_name = ?", [ALIAS]).fetchall()
    got: dict = {}
    for sch, t, c, typ, null in cols:
        got.setdefault((sch, t), []).append((c, typ.replace("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"), null))
    for (sch, name), schema in schemas.CATALOG.items():
        assert got[(sch, name)] == [(f.name, duck_type(f.type), f.nullable) for f in schema], (sch, name)


def test_parser_notices_a_field_added_to_only_one_side():
    text = DOC.read_text(encoding="utf-8")
    extra = text.replace("| run_id | string | no | Crawl run that saw it. |",
                         "| run_id | string | no | Crawl run that saw it. |\n| extra | string | yes | x |")
    assert parse_doc(extra)["sightings"] != schema_rows(schemas.SIGHTINGS)
    widened = schemas.SIGHTINGS.append(pa.field("extra", pa.string()))
    assert parse_doc(text)["sightings"] != schema_rows(widened)


@pytest.mark.parametrize("name", [*schemas.TABLES, *schemas.PIPELINE_TABLES])
def test_schema_carries_version(name):
    md = schemas.schema_for(name).metadata
    assert md[b"schema_version"] == schemas.SCHEMA_VERSION.encode()
    assert md[b"table"] == name.encode()


def test_sort_keys_are_fields():
    for name, keys in schemas.SORT_KEYS.items():
        names = set(schemas.TABLES[name].names)
        assert {k for k, _ in keys} <= names
