"""DuckDB connections that read the store offline (httpfs from the pip package)."""
from __future__ import annotations

import os

import duckdb

from pipelines.storage import Store


def httpfs_path() -> str:
    import duckdb_extension_httpfs
    base = os.path.dirname(duckdb_extension_httpfs.__file__)
    path = os.path.join(base, "extensions", f"v{duckdb.__version__}", "httpfs.duckdb_extension")
    if not os.path.exists(path):
        raise RuntimeError(
            f"duckdb-extension-httpfs does not match duckdb {duckdb.__version__}: {path} is missing; "
            "install duckdb and duckdb-extension-httpfs with the same version")
    return path


def connect(store: Store | str | None = None, database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with httpfs loaded from disk (no network) and the store's S3 secret."""
    con = duckdb.connect(database, config={"autoinstall_known_extensions": False,
                                           "autoload_known_extensions": False})
    store = Store.open(store) if store is not None else None
    if store is not None and store.is_s3:
        con.execute(f"LOAD '{httpfs_path()}'")
        con.execute(store.duckdb_settings_sql())
    return con
