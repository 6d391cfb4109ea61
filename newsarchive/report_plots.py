"""The report's plots as inline SVG (matplotlib, no pyplot, no fonts needed beyond ASCII labels).

Labels are source ids and ASCII only: a CJK font may be missing on the machine that
renders the report; Chinese titles go in the HTML tables next to the plots.
"""
from __future__ import annotations

import io
import re
from datetime import timedelta

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

#: Deterministic SVG: no date, fixed ids, text kept as text (the browser renders it).
RC = {"svg.hashsalt": "newsarchive", "svg.fonttype": "none", "font.size": 10,
      "font.family": "sans-serif", "axes.spines.top": False, "axes.spines.right": False,
      "axes.edgecolor": "#888", "axes.labelcolor": "#333", "xtick.color": "#444", "ytick.color": "#444"}
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
           "#9c755f", "#bab0ac"]


def colors(source_ids) -> dict[str, str]:
    """One color per source, stable for a given set of sources (sorted ids)."""
    return {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(sorted(source_ids))}


def to_svg(fig: Figure, label: str) -> str:
    buf = io.StringIO()
    with matplotlib.rc_context(RC):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    head, rest = svg.split(">", 1)
    width = re.search(r'\swidth="([^"]*)"', head)
    head = re.sub(r'\s(width|height)="[^"]*"', "", head)
    style = f' style="max-width: {width.group(1)}"' if width else ""
    return f'{head} class="plot"{style} role="img" aria-label="{label}">{rest}'


def figure(width: float, height: float) -> Figure:
    with matplotlib.rc_context(RC):
        return Figure(figsize=(width, height), dpi=96, layout="constrained")


def daily_plot(daily: list[dict], palette: dict[str, str]) -> str | None:
    """Stacked bars: articles per publication day, one color per source."""
    if not daily:
        return None
    with matplotlib.rc_context(RC):
        fig = figure(10, 3.2)
        ax = fig.subplots()
        first, last = min(r["day"] for r in daily), max(r["day"] for r in daily)
        days = [first + timedelta(d) for d in range((last - first).days + 1)]
        bottom = [0] * len(days)
        for src in sorted({r["source"] for r in daily}):
            per = {r["day"]: r["articles"] for r in daily if r["source"] == src}
            vals = [per.get(d, 0) for d in days]
            ax.bar(range(len(days)), vals, bottom=bottom, color=palette.get(src, "#999"), label=src, width=0.8)
            bottom = [b + v for b, v in zip(bottom, vals)]
        step = max(1, -(-len(days) // 12))
        ticks = list(range(len(days)))[::-1][::step][::-1]
        ax.set_xticks(ticks, [days[i].strftime("%m-%d") for i in ticks])
        ax.set_xlim(-0.6, max(len(days), 7) - 0.4)
        ax.set_ylabel("articles")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(loc="upper left", fontsize=8, frameon=False, ncols=min(6, len(palette) or 1))
        ax.margins(y=0.25)
    return to_svg(fig, "articles per day and source")


def reasons_plot(reasons: list[dict]) -> str | None:
    """Horizontal bars: rejects by stage/reason."""
    if not reasons:
        return None
    top = reasons[:15][::-1]
    with matplotlib.rc_context(RC):
        fig = figure(8, 0.35 * len(top) + 0.9)
        ax = fig.subplots()
        labels = [f"{r['stage']}: {r['reason']}" for r in top]
        bars = ax.barh(labels, [r["rejects"] for r in top], color="#e15759")
        ax.bar_label(bars, padding=3, fontsize=9)
        ax.set_xlabel("rejects")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.margins(x=0.12)
    return to_svg(fig, "rejects by reason")


def clusters_plot(clusters: list[dict], per_source: list[dict], palette: dict[str, str]) -> str | None:
    """Which sites carried which story: a dot per (story, site), its size and label the sightings."""
    if not clusters:
        return None
    sources = sorted({r["source"] for r in per_source})
    index = {c["cluster_id"]: i for i, c in enumerate(clusters)}
    with matplotlib.rc_context(RC):
        fig = figure(1.0 + 0.75 * len(sources), 0.4 * len(clusters) + 0.9)
        ax = fig.subplots()
        for r in per_source:
            y, x = index[r["cluster_id"]], sources.index(r["source"])
            ax.scatter([x], [y], s=120 + 80 * min(r["sightings"], 8), color=palette.get(r["source"], "#999"))
            ax.annotate(str(r["sightings"]), (x, y), ha="center", va="center", fontsize=8, color="white")
        ax.set_xticks(range(len(sources)), sources, rotation=30, ha="right")
        ax.set_yticks(range(len(clusters)), [f"#{i + 1}" for i in range(len(clusters))])
        ax.set_xlim(-0.6, len(sources) - 0.4)
        ax.set_ylim(len(clusters) - 0.5, -0.5)
        ax.grid(True, color="#eee")
        ax.set_axisbelow(True)
    return to_svg(fig, "which sites carried the largest stories")
