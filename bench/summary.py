"""The one summary table of ``bench.run_all``: a row per measure, built from the stages' result files.

Each builder takes one stage's result dict (``bench/out/<stage>-<mode>.json``) and returns rows
``(stage, measure, ours, baseline, ratio, goal, met)``; ``met`` is "met", "NOT met" or "–" (no goal).
"""
from __future__ import annotations

Row = tuple[str, str, str, str, str, str, str]
HEADER = ("stage", "measure", "ours", "baseline", "ratio", "goal", "met?")


def verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("met" if ok else "NOT met")


def x(v: float) -> str:
    return f"{v:.2f}×"


def crawl_rows(r: dict) -> list[Row]:
    o, b, t, a = r["ours"], r["bare"], r["bare-tuned"], r["asyncio"]
    pps = lambda d: f"{d['pages_per_s']:,.0f} pages/s"     # noqa: E731
    return [
        ("crawl", f"pages/s, {o['pages']:,} pages, politeness off", pps(o), f"bare Scrapy {pps(b)}",
         x(r["ratio_ours_to_bare"]), "≥ 0.8×", verdict(r["ratio_ours_to_bare"] >= 0.8)),
        ("crawl", "pages/s vs plain asyncio (aiohttp) loop", pps(o), f"asyncio {pps(a)}",
         x(o["pages_per_s"] / a["pages_per_s"]), "–", "–"),
        ("crawl", "pages/s vs bare Scrapy with our 3 settings", pps(o), f"bare-tuned {pps(t)}",
         x(r["ratio_ours_to_bare_tuned"]), "–", "–"),
    ]


def extract_quality_rows(r: dict) -> list[Row]:
    rows: list[Row] = []
    note = " (every 3rd page)" if r.get("mode") == "quick" else ""
    for ds, bar in (("cn_wce", 0.02), ("scrapinghub_aeb", -0.005), ("fundus_news", None)):
        d = r["datasets"][ds]
        f1 = d["f1"]
        best = max((k for k in f1 if k != "newsarchive"), key=f1.get)
        margin = f1["newsarchive"] - f1[best]
        rows.append(("extract", f"token F1 {ds}, {d['pages']} pages{note}", f"{f1['newsarchive']:.4f}",
                     f"{best} {f1[best]:.4f}", f"{margin:+.4f}", "–" if bar is None else f"≥ best {bar:+.3f}",
                     verdict(None if bar is None else margin >= bar - 1e-12)))
    for ds in ("cn_wce", "fundus_news"):
        ok, n = r["datasets"][ds]["days"]
        rows.append(("extract", f"publish day right, {ds}", f"{ok}/{n} = {ok / n:.1%}", "–", f"{ok / n:.3f}",
                     "≥ 90%", verdict(ok / n >= 0.9)))
    p = r["pages_per_s"]
    ratio = p["newsarchive"] / p["trafilatura"]
    rows.append(("extract", "pages per CPU-second, refdata, 1 process", f"{p['newsarchive']:.1f}",
                 f"trafilatura {p['trafilatura']:.1f}", x(ratio), "≥ 0.8×", verdict(ratio >= 0.8)))
    return rows


def extract_speed_rows(r: dict) -> list[Row]:
    s, a, n = r["single"], r["all"], r["all"]["workers"]
    pages = f"{r['pages']:,} replay pages"
    return [
        ("extract", f"pages per CPU-second, 1 process, {pages}", f"{s['newsarchive']['pages_per_cpu_s']:.0f}",
         f"trafilatura.extract {s['trafilatura']['pages_per_cpu_s']:.0f}", x(r["ratio_single"]), "≥ 0.8×",
         verdict(r["ratio_single"] >= 0.8)),
        ("extract", f"pages/s, all {n} cores (process pool)", f"{a['newsarchive']['pages_per_s']:.0f}",
         f"trafilatura.extract {a['trafilatura']['pages_per_s']:.0f}", x(r["ratio_all"]), "≥ 0.8×",
         verdict(r["ratio_all"] >= 0.8)),
        ("extract", f"pages/s, all {n} cores, extract_many (timeouts, isolation)",
         f"{a['newsarchive_extract_many']['pages_per_s']:.0f}", f"trafilatura.extract {a['trafilatura']['pages_per_s']:.0f}",
         x(r["ratio_all_extract_many"]), "–", "–"),
        ("extract", "pages per CPU-second vs parsing alone, 1 process", f"{s['newsarchive']['pages_per_cpu_s']:.0f}",
         f"lxml.html.fromstring {s['lxml']['pages_per_cpu_s']:,.0f}", x(r["floor_share_single"]), "–", "–"),
    ]


def store_rows(r: dict) -> list[Row]:
    h, mh, ix, ds, ra, big = r["hash"], r["minhash"], r["index"], r["datasketch"], r["ratio"], r.get("big")
    res, disk = ix["resident_bytes"] / ix["archived"], ix["disk_bytes"] / ix["archived"]
    ratio = ra["archive_s"] / ra["empty_s"]
    st = "dedupe+publish"
    rows = [
        (st, "normalize+hash, 5 KB docs, 1 core", f"{h['docs_per_s']:,.0f} docs/s",
         f"NFKC+sha256 {h['nfkc_docs_per_s']:,.0f} docs/s", x(h["docs_per_s"] / 30_000), "≥ 30,000 docs/s",
         verdict(h["docs_per_s"] >= 30_000)),
        (st, "MinHash signatures, shingling included, 1 core", f"{mh['docs_per_s']:,.0f} docs/s", "–",
         x(mh["docs_per_s"] / 1500), "≥ 1,500 docs/s", verdict(mh["docs_per_s"] >= 1500)),
        (st, f"near-dup index resident per doc, {ix['archived']:,} archived", f"{res:,.0f} B",
         f"datasketch MinHashLSH {ds['resident_bytes'] / ds['docs']:,.0f} B", x(res / 1024), "≤ 1 KB", verdict(res <= 1024)),
        (st, "dedupe index on disk per doc", f"{disk:,.0f} B", "–", x(disk / 1024), "≤ 1 KB", verdict(disk <= 1024)),
        (st, f"publish of {ra['new']:,} new articles on a {ix['archived']:,}-article catalog vs an empty one",
         f"{ra['archive_s']:.2f} s", f"empty catalog {ra['empty_s']:.2f} s", x(ratio), "≤ 1.5×", verdict(ratio <= 1.5)),
    ]
    if "cpu_archive_s" in ra:
        cpu = ra["cpu_archive_s"] / ra["cpu_empty_s"]
        rows.append((st, "↳ the same in CPU seconds of the publishing process (steadier under load)",
                     f"{ra['cpu_archive_s']:.2f} CPU-s", f"empty catalog {ra['cpu_empty_s']:.2f} CPU-s", x(cpu), "–", "–"))
    if "run_archive_s" in ra:
        run = ra["run_archive_s"] / ra["run_empty_s"]
        rows.append((st, f"↳ {ra['new']:,}-article run (stage commit + publish) on {ix['archived']:,} vs empty",
                     f"{ra['run_archive_s']:.2f} s", f"empty catalog {ra['run_empty_s']:.2f} s", x(run), "≤ 1.5×",
                     verdict(run <= 1.5)))
    if big:
        rows.append((st, f"new articles/s, {big['staged']:,} staged against {ix['archived']:,}",
                     f"{big['articles'] / big['seconds']:,.0f} /s ({big['seconds']:.0f} s)", "–", "–", "–", "–"))
    return rows


#: bench.s3's ways besides the baseline, in table order, with their labels.
S3_WAYS = (("seaweed+pg", "publish on SeaweedFS S3 + PostgreSQL catalog (production shape) vs local"),
           ("seaweed+sqlite", "↳ SeaweedFS S3 + SQLite catalog vs local"),
           ("local+pg", "↳ local data + PostgreSQL catalog vs local"),
           ("moto+sqlite", "↳ moto S3 (own process) + SQLite catalog vs local"))


def s3_rows(r: dict) -> list[Row]:
    w, q = r["ways"], r["ratios_to_local"]
    local = f"local + SQLite {w['local']['seconds']:.2f} s"
    return [("dedupe+publish", f"{label}, {r['new']:,} articles" if i == 0 else label, f"{w[k]['seconds']:.2f} s",
             local, x(q[k]), "–", "–") for i, (k, label) in enumerate(S3_WAYS) if k in w]


def e2e_rows(r: dict) -> list[Row]:
    slow = r["slowest_step"]
    return [("end to end", f"fetch→extract→dedupe→publish, {r['pages']:,} replay pages",
             f"{r['e2e_pages_per_s_per_core']:.1f} pages/s per core ({r['e2e_pages_per_s']:.1f} on {r['cores']})",
             f"slowest stage ({slow}) {r['slowest_pages_per_s']:.1f} pages/s", x(r["ratio_to_slowest"]),
             "– (closeness to the bottleneck)", "–")]


def query_rows(r: dict) -> list[Row]:
    rows: list[Row] = []
    for s in r["shapes"]:
        shape = f"{s['articles']:,} articles, {s['layout']} ({s['files']:,} files)"
        for name, q in s["queries"].items():
            rows.append(("query", f"{name.replace('_', '-')} live via the catalog, {shape}",
                         f"{q['live_s'] * 1000:,.0f} ms", f"one zstd file {q['ideal_s'] * 1000:,.0f} ms",
                         x(q["ratio"]), "≤ 1.1×", verdict(q["ratio"] <= 1.1)))
    return rows


def memory_rows(r: dict, crawl: dict | None, store: dict | None = None) -> list[Row]:
    m, rows = r["multiples"], []
    if crawl:
        o, b = crawl["ours"], crawl["bare"]
        rows.append(("memory", f"crawl peak RSS, {o['pages']:,} pages in one process", f"{o['peak_rss_mib']:.0f} MiB",
                     f"bare Scrapy {b['peak_rss_mib']:.0f} MiB", x(o["peak_rss_mib"] / b["peak_rss_mib"]), "–", "–"))
    for stage, unit in (("extract", "pages"), ("publish", "articles")):
        small, big = r[stage]
        n_small, n_big = small["pages" if stage == "extract" else "staged"], big["pages" if stage == "extract" else "staged"]
        rows.append(("memory", f"{stage} peak RSS at {m[1]:g}× default batch ({n_big:,} {unit})",
                     f"{big['peak_rss_mib']:.0f} MiB", f"{m[0]:g}× ({n_small:,}) {small['peak_rss_mib']:.0f} MiB",
                     x(r[f"{stage}_ratio"]), "–", "–"))
    if store and store.get("big"):
        big = store["big"]
        rows.append(("memory", f"publish peak RSS, {big['staged']:,} new against {store['index']['archived']:,}",
                     f"{big['peak_rss_mib']:,.0f} MiB", "–", "–", "–", "–"))
    return rows


def markdown(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def plain(rows: list[Row]) -> str:
    widths = [max(len(str(r[i])) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in [HEADER, *rows])
