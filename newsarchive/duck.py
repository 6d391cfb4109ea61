"""DuckDB connections that work offline: extensions are LOADed from their pip packages.

``duckdb-extension-<name>==<duckdb version>`` ships the extension binary for exactly
that DuckDB; we load it by path, so nothing is ever downloaded (``INSTALL`` would need
the internet). Extensions used: ``ducklake`` (the archive's catalog), ``httpfs``
(``s3://``), ``sqlite_scanner`` (the embedded catalog) and ``postgres_scanner`` (the
production catalog).
"""
from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

import duckdb

from pipelines.storage import Store

#: extension name -> pip package (module) that carries it
PACKAGES = {
    "httpfs": "duckdb_extension_httpfs",
    "ducklake": "duckdb_extension_ducklake",
    "sqlite_scanner": "duckdb_extension_sqlite_scanner",
    "postgres_scanner": "duckdb_extension_postgres_scanner",
}


def extension_path(name: str) -> str:
    """Path of the extension binary in its pip package (it must match this DuckDB exactly)."""
    import importlib
    pkg = PACKAGES[name]
    try:
        mod = importlib.import_module(pkg)
    except ImportError:
        raise RuntimeError(f"the DuckDB extension {name!r} needs the package "
                           f"{pkg.replace('_', '-')}=={duckdb.__version__}") from None
    base = os.path.dirname(mod.__file__)
    path = os.path.join(base, "extensions", f"v{duckdb.__version__}", f"{name}.duckdb_extension")
    if not os.path.exists(path):
        raise RuntimeError(
            f"{pkg.replace('_', '-')} does not match duckdb {duckdb.__version__}: {path} is missing; "
            f"install duckdb and {pkg.replace('_', '-')} with the same version")
    return path


def httpfs_path() -> str:
    return extension_path("httpfs")


def load(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    for name in names:
        con.execute(f"LOAD '{extension_path(name)}'")


def sql_string(value: str) -> str:
    """A SQL string literal (single quotes doubled), safe for any value."""
    return "'" + str(value).replace("'", "''") + "'"


_SECRET_WORDS = re.compile(r"(?i)\b(password|secret|key_id|secret_access_key|session_token)(\s*[=:]\s*|\s+)('[^']*'|\"[^\"]*\"|\S+)")


def redact(text: str, store: Store | None = None) -> str:
    """``text`` with every credential we know of replaced by ``***`` (for messages and logs)."""
    out = _SECRET_WORDS.sub(lambda m: f"{m.group(1)}{m.group(2)}***", str(text))
    secrets = []
    if store is not None and store.s3 is not None:
        secrets += [store.s3.secret_key, store.s3.session_token]
    secrets += [os.environ.get("AWS_SECRET_ACCESS_KEY"), os.environ.get("AWS_SESSION_TOKEN")]
    for s in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        out = out.replace(s, "***").replace(s.replace("'", "''"), "***")
    return out


def s3_secret_sql(store: Store, name: str = "newsarchive_store") -> str:
    """``CREATE SECRET`` that lets DuckDB (httpfs) read and write this store with its S3 settings."""
    s = store.s3
    opts = ["TYPE s3", f"REGION {sql_string(s.region)}"]
    if s.access_key:
        opts += [f"KEY_ID {sql_string(s.access_key)}", f"SECRET {sql_string(s.secret_key or '')}"]
    if s.session_token:
        opts.append(f"SESSION_TOKEN {sql_string(s.session_token)}")
    if s.endpoint:
        ep = urlsplit(s.endpoint)
        opts += [f"ENDPOINT {sql_string(ep.netloc or s.endpoint)}", "URL_STYLE 'path'",
                 f"USE_SSL {'true' if ep.scheme == 'https' else 'false'}"]
    return f"CREATE OR REPLACE SECRET {name} ({', '.join(opts)})"


def connect(store: Store | str | None = None, database: str = ":memory:") -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with httpfs loaded from disk (no network) and the store's S3 secret."""
    con = duckdb.connect(database, config={"autoinstall_known_extensions": False,
                                           "autoload_known_extensions": False})
    store = Store.open(store) if store is not None else None
    if store is not None and store.is_s3:
        load(con, "httpfs")
        if os.environ.get("NEWSARCHIVE_HTTP_TIMEOUT"):   # seconds per S3 request (DuckDB's default: 30, 3 retries)
            con.execute(f"SET http_timeout = {int(float(os.environ['NEWSARCHIVE_HTTP_TIMEOUT']))}")
            con.execute("SET http_retries = 1")
        try:
            con.execute(s3_secret_sql(store))
        except duckdb.Error as exc:           # never echo the statement: it holds the secret
            raise RuntimeError("cannot set up S3 access for DuckDB: " + redact(str(exc), store)) from None
    return con
