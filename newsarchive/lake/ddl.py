"""The catalog's tables, created from ``schemas`` (the one schema), and its views (``sql/views.sql``).

:func:`ensure` runs on every writer connection: it creates what is missing
(schemas ``main`` and ``pipeline``, every table of ``schemas.CATALOG``), adds
columns a newer schema has, and (re)creates the views and macros when
``views.sql`` changed since they were last created (its hash is kept in
``pipeline.meta``), and sets the catalog options of ``OPTIONS`` (zstd data files).
An unchanged catalog costs a few metadata reads and no commit.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pyarrow as pa

import schemas

VIEWS_SQL = Path(__file__).resolve().parents[1] / "sql" / "views.sql"
META = "pipeline.meta"
#: Catalog options every writer sets: data files are zstd Parquet (DuckLake's default is Snappy: ~1.6× the bytes).
OPTIONS = {"parquet_compression": "zstd"}


def duck_type(t: pa.DataType) -> str:
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "VARCHAR"
    if pa.types.is_list(t):
        return duck_type(t.value_type) + "[]"
    simple = {pa.int16(): "SMALLINT", pa.int32(): "INTEGER", pa.int64(): "BIGINT", pa.bool_(): "BOOLEAN",
              pa.date32(): "DATE", pa.float64(): "DOUBLE"}
    if t in simple:
        return simple[t]
    if pa.types.is_timestamp(t):
        return "TIMESTAMPTZ" if t.tz else "TIMESTAMP"
    raise TypeError(f"no DuckDB type for {t}")


def create_sql(schema_name: str, table: str, schema: pa.Schema) -> str:
    cols = ",\n  ".join(f'"{f.name}" {duck_type(f.type)}{"" if f.nullable else " NOT NULL"}' for f in schema)
    return f"CREATE TABLE IF NOT EXISTS {schema_name}.{table} (\n  {cols}\n)"


def views_sql() -> str:
    return VIEWS_SQL.read_text(encoding="utf-8")


def views_hash() -> str:
    return hashlib.sha256((schemas.SCHEMA_VERSION + "\n" + views_sql()).encode()).hexdigest()[:16]


def _existing(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[tuple[str, str], set[str]]:
    rows = con.execute("SELECT schema_name, table_name, column_name FROM duckdb_columns() "
                       "WHERE database_name = ?", [catalog]).fetchall()
    out: dict[tuple[str, str], set[str]] = {}
    for s, t, c in rows:
        out.setdefault((s, t), set()).add(c)
    return out


def ensure(con: duckdb.DuckDBPyConnection, catalog: str) -> bool:
    """Create or upgrade the catalog's tables and views; returns whether anything changed."""
    have = _existing(con, catalog)
    stmts = []
    if not any(s == "pipeline" for s, _ in have):
        stmts.append(f"CREATE SCHEMA IF NOT EXISTS {catalog}.pipeline")
    for (sch, name), schema in schemas.CATALOG.items():
        cols = have.get((sch, name))
        if cols is None:
            stmts.append(create_sql(f"{catalog}.{sch}", name, schema))
            continue
        for f in schema:
            if f.name not in cols:
                if not f.nullable:
                    raise RuntimeError(f"catalog table {sch}.{name} lacks the NOT NULL column {f.name!r}; "
                                       "run `newsarchive migrate`")
                stmts.append(f'ALTER TABLE {catalog}.{sch}.{name} ADD COLUMN "{f.name}" {duck_type(f.type)}')
    if ("pipeline", "meta") not in have:
        stmts.append(f"CREATE TABLE IF NOT EXISTS {catalog}.{META} (key VARCHAR NOT NULL, value VARCHAR)")
    current = None
    if ("pipeline", "meta") in have:
        row = con.execute(f"SELECT value FROM {catalog}.{META} WHERE key = 'views'").fetchone()
        current = row[0] if row else None
    want = views_hash()
    options = {r[0]: r[2] for r in con.execute(f"FROM ducklake_options('{catalog}')").fetchall()}
    set_options = {k: v for k, v in OPTIONS.items() if options.get(k) != v}
    if not stmts and current == want and not set_options:
        return False
    con.execute("BEGIN")
    try:
        for s in stmts:
            con.execute(s)
        for k, v in set_options.items():
            con.execute(f"CALL ducklake_set_option('{catalog}', '{k}', '{v}')")
        if current != want:
            con.execute(f"USE {catalog}")
            con.execute(views_sql())
            con.execute(f"DELETE FROM {catalog}.{META} WHERE key IN ('views', 'schema_version')")
            con.execute(f"INSERT INTO {catalog}.{META} VALUES ('views', ?), ('schema_version', ?)",
                        [want, schemas.SCHEMA_VERSION])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return True
