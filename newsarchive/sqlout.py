"""Print a query result as a table (rich), CSV or JSON (``newsarchive sql --format``)."""
from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Sequence, TextIO

#: Rows shown by ``--format table`` (CSV and JSON print everything).
TABLE_MAX_ROWS = 1000


def plain(v: Any) -> Any:
    """A JSON-ready value: timestamps in ISO 8601, lists/structs kept as JSON."""
    if isinstance(v, (datetime, date, time)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, (bytes, bytearray)):
        return v.hex()
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in v.items()}
    return v


def cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (list, tuple, dict)):
        return json.dumps(plain(v), ensure_ascii=False)
    return str(plain(v))


def print_result(columns: Sequence[str], rows: Sequence[tuple], fmt: str = "table",
                 out: TextIO | None = None) -> None:
    out = out or sys.stdout
    if fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(columns)
        w.writerows([cell(v) for v in r] for r in rows)
    elif fmt == "json":
        json.dump([{c: plain(v) for c, v in zip(columns, r)} for r in rows], out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        _table(columns, rows, out)


def _table(columns: Sequence[str], rows: Sequence[tuple], out: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text
    t = Table(show_lines=False, header_style="bold", row_styles=["", "dim"] if len(rows) > 6 else None)
    for c in columns:
        t.add_column(c, overflow="fold")
    for r in rows[:TABLE_MAX_ROWS]:
        t.add_row(*(Text(cell(v)) if v is not None else Text("NULL", style="italic dim") for v in r))
    console = Console(file=out, width=None if out.isatty() else 160, highlight=False)
    console.print(t)
    more = f"; showing the first {TABLE_MAX_ROWS} (--format csv prints all)" if len(rows) > TABLE_MAX_ROWS else ""
    console.print(f"[dim]{len(rows)} row{'s' if len(rows) != 1 else ''}{more}[/]")
