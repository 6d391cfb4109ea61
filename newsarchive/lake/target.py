"""Where a store's DuckLake catalog is: parsed from ``Store.catalog``.

* ``sqlite:/abs/path/catalog.sqlite`` – the embedded default of a local store
  (``<root>/catalog.sqlite``): one machine, one writer at a time, readers at any time.
* ``postgres:<libpq conninfo>`` – production: e.g.
  ``postgres:dbname=newsarchive_catalog host=postgres user=newsarchive``; the
  password comes from ``PGPASSWORD`` / ``~/.pgpass`` or the conninfo itself.

The data files are always under the store's ``lake/`` folder (``Store.lake_uri``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.storage import Store

#: Name the catalog is attached under in every connection (``USE archive`` is set).
ALIAS = "archive"


class CatalogError(RuntimeError):
    """The store names no usable catalog (a clear message for the user, exit 2)."""


@dataclass(frozen=True)
class CatalogTarget:
    kind: str            # "sqlite" | "postgres"
    spec: str            # the part after "<kind>:"
    data_path: str       # Store.lake_uri

    @property
    def path(self) -> str:
        return self.spec

    @property
    def conninfo(self) -> str:
        return self.spec

    @property
    def attach_uri(self) -> str:
        return f"ducklake:{self.kind}:{self.spec}"

    @property
    def extension(self) -> str:
        return {"sqlite": "sqlite_scanner", "postgres": "postgres_scanner"}[self.kind]

    def describe(self) -> str:
        """The catalog for messages: a PostgreSQL conninfo without its password."""
        spec = re.sub(r"(?i)(password\s*=\s*)\S+", r"\1***", self.spec)
        return f"{self.kind}:{spec}"


def target_of(store: Store) -> CatalogTarget:
    cat = store.catalog
    if not cat:
        raise CatalogError(f"the store {store.uri} names no catalog: set NEWSARCHIVE_CATALOG "
                           "(e.g. postgres:dbname=newsarchive_catalog host=postgres user=newsarchive)")
    kind, sep, spec = cat.partition(":")
    if not sep or kind not in ("sqlite", "postgres") or not spec.strip():
        raise CatalogError(f"NEWSARCHIVE_CATALOG must be 'sqlite:<path>' or 'postgres:<conninfo>', "
                           f"got {cat.split(':', 1)[0]!r}…")
    return CatalogTarget(kind, spec.strip(), store.lake_uri)
