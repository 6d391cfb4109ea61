"""Rollup manifests (``_rollups/<table>/YYYY-MM.json``) and the rule that makes a rollup valid.

Format (keys sorted, no wall-clock time: rebuilding an unchanged month writes identical bytes)::

    {"format": 1, "table": "articles", "month": "2022-07", "schema_version": "1",
     "files": [{"path": "rollup/articles/month=2022-07/part-<digest>.parquet", "rows": 31000, "bytes": 2345678}],
     "dates": {"2022-07-01": ["articles/dt=2022-07-01/source=S/part-<digest>.parquet", ...],
               "2022-07-02": [], ...},
     "rows": 31000}

``dates`` holds the dates the rollup covers: every date of the month before the rollup's ``--before``
that had a committed snapshot when it was built, with the daily files of the table its rows came from (a
date without rows of the table has ``[]``). A month still being published (the current one, rolled up
through yesterday) is covered in part; its later dates are not in ``dates``.

Validity: a rollup stands for the rows of the dates it covers while the committed daily files of the
table on those dates are exactly the files in ``dates``. Daily file names carry a digest of their bytes,
so equal names mean equal rows. A date of the month it does not cover (published after it was built)
does not touch its validity: readers take that date from its daily files. The DuckDB views apply the
same rule in SQL (``table_files``).
"""
from __future__ import annotations

import json

import schemas
from pipelines.storage import Store

FORMAT = 1
ROLLUPS = "_rollups"


def manifest_path(table: str, month: str) -> str:
    return f"{ROLLUPS}/{table}/{month}.json"


def folder(table: str, month: str) -> str:
    """Folder of one month's rollup files."""
    return f"rollup/{table}/month={month}/"


def read(store: Store, table: str, month: str) -> dict | None:
    try:
        return json.loads(store.read_text(manifest_path(table, month)))
    except FileNotFoundError:
        return None


def new(table: str, month: str, files: list[dict], daily: dict[str, list[str]]) -> dict:
    return {"format": FORMAT, "table": table, "month": month, "schema_version": schemas.SCHEMA_VERSION,
            "files": sorted(files, key=lambda f: f["path"]), "dates": {d: sorted(p) for d, p in daily.items()},
            "rows": sum(f["rows"] for f in files)}


def encode(m: dict) -> str:
    return json.dumps(m, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def built_from(m: dict) -> list[str]:
    return sorted(p for paths in m["dates"].values() for p in paths)


def is_valid(m: dict, daily: dict[str, list[str]]) -> bool:
    """Whether rollup manifest ``m`` still stands for the dates it covers, the month's committed files
    being ``daily`` (``{dt: [files]}``; dates ``m`` does not cover are ignored)."""
    files = built_from(m)
    return bool(files) and files == sorted(p for dt in m["dates"] for p in daily.get(dt, []))


def months_before(snaps: dict[str, dict], before: str) -> list[str]:
    """Months with a committed date before ``before`` (YYYY-MM-DD), sorted."""
    return sorted({dt[:7] for dt in snaps if dt < before})


def daily_files(snaps: dict[str, dict], table: str, month: str, before: str | None = None) -> dict[str, list[str]]:
    """``{dt: [committed files of table]}`` for every committed date of ``month`` (before ``before``)."""
    return {dt: sorted(e["path"] for e in m["files"].get(table, []))
            for dt, m in snaps.items() if dt[:7] == month and (before is None or dt < before)}


def rollups(store: Store, table: str) -> dict[str, dict]:
    """Every committed rollup manifest of ``table``, by month."""
    out = {}
    for p in store.list(f"{ROLLUPS}/{table}/", suffix=".json"):
        month = p.rsplit("/", 1)[-1][:-5]
        m = read(store, table, month)
        if m is not None:
            out[month] = m
    return out


def valid_months(store: Store, table: str, snaps: dict[str, dict] | None = None) -> list[str]:
    """Months of ``table`` whose rollup is valid now."""
    from pipelines import manifest
    snaps = manifest.snapshots(store) if snaps is None else snaps
    return sorted(month for month, m in rollups(store, table).items()
                  if is_valid(m, daily_files(snaps, table, month)))
