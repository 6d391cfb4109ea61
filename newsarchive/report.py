"""The run report: one static, self-contained HTML file per date, stored in the store's ``reports/``.

``reports/dt=<D>/report.html`` holds the headline numbers of D (pages fetched, new articles,
duplicates, near-duplicates, rejects), articles per day and source, the largest syndication
clusters (which sites carried which story), reject reasons and a per-source table. Plots are
inline SVG and styles inline CSS, so the file opens anywhere without network access.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from newsarchive import report_data, report_plots
from newsarchive.views import connect_views
from pipelines.layout import report_path, require_day
from pipelines.storage import Store

TEMPLATE = Path(__file__).with_name("report.html.j2")
_CST = timezone(timedelta(hours=8))




def build_report(store: "Store | str", dt: date, *, out: "str | Path | None" = None,
                 sources_config=None) -> str:
    """Write the report of ``dt`` into the store (and to ``out``, a local path, if given).

    Returns the store-relative path ``reports/dt=<dt>/report.html``. Source names and priorities
    come from the catalog's ``sources`` (written by every publish; ``sources_config`` replaces them).
    """
    from newsarchive.lake import archive, open_writer
    store, dt = Store.open(store), require_day(dt)
    store.ensure_bucket()
    with open_writer(store) as lake:           # creates the catalog of a store that has none yet
        if sources_config is not None:
            archive.sync_sources(lake, sources_config)
    con = connect_views(store, lockdown=False)
    try:
        html = render(report_data.collect(store, con, dt), store.uri)
    finally:
        con.close()
    rel = report_path(dt)
    store.write_text(rel, html)
    if out is not None:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(html, encoding="utf-8")
    return rel


def render(d: report_data.ReportData, store_uri: str) -> str:
    import jinja2
    import newsarchive
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters["when"] = _when
    palette = report_plots.colors({s["source"] for s in d.sources} | {r["source"] for r in d.daily})
    carried: dict[str, list] = {}
    for r in d.cluster_sources:
        carried.setdefault(r["cluster_id"], []).append(r)
    plots = {"daily": report_plots.daily_plot(d.daily, palette),
             "reasons": report_plots.reasons_plot(d.reasons),
             "clusters": report_plots.clusters_plot(d.clusters, d.cluster_sources, palette)}
    plots = {k: jinja2.utils.markupsafe.Markup(v) if v else None for k, v in plots.items()}
    tpl = env.from_string(TEMPLATE.read_text(encoding="utf-8"))
    return tpl.render(d=d, store=store_uri, cards=cards(d), plots=plots, palette=palette, carried=carried,
                      version=newsarchive.__version__)


def cards(d: report_data.ReportData) -> list[tuple[str, str, str]]:
    s = d.snapshot or {}
    fmt = lambda n: "–" if n is None else f"{n:,}"  # noqa: E731
    return [("n-fetched", "Pages fetched", fmt(d.fetched)),
            ("n-new", "New articles", fmt(s.get("articles", 0))),
            ("n-duplicates", "Duplicates", fmt(s.get("exact_duplicates", 0))),
            ("n-near", "Near-duplicates", fmt(s.get("near_duplicates", 0))),
            ("n-rejects", "Rejects", fmt(s.get("rejects", 0))),
            ("n-archive", "Articles in archive", fmt(d.archive.get("articles", 0)))]


def _when(v) -> str:
    if not isinstance(v, datetime):
        return "" if v is None else str(v)
    return v.astimezone(_CST).strftime("%Y-%m-%d %H:%M") + " (UTC+8)"
