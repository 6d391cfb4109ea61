"""Extraction quality and speed on ../shared/refdata: the project against three baselines, one run.

    python -m bench.extract_quality [--quick] [--no-readme]

Every system reads the same pages decoded the same way (the truth's
``serve_charset`` as the HTTP charset, ``pipelines.encoding.decode_html``):

* ``trafilatura``            ``trafilatura.extract(html)``
* ``trafilatura_precision``  ``trafilatura.extract(html, favor_precision=True)``
* ``readability``            readability-lxml ``Document(html).summary()`` as text
* ``newsarchive``            ``pipelines.extract.extract(RawPage(bytes, Content-Type), None)``

Score: token F1 against ``truth/*.json`` ``text`` (``bench.textscore``), macro
average, an empty output or a reject scores 0. Dates: share of pages whose
truth has a day where our ``published_at`` falls on that day. Speed: pages per
second of CPU time of this process (``time.process_time``; the machine is shared,
so wall time also counts other people's work), timed page by page in alternation
so every system sees the same conditions; wall-clock pages/s are reported too.
``newsarchive`` includes decoding, metadata and cleanup, the baselines get the
decoded string.
"""
from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench import refdata
from bench.common import write_result
from bench.textscore import html_to_text, prf

README = Path(__file__).resolve().parent / "README.md"
SYSTEMS = ("trafilatura", "trafilatura_precision", "readability", "newsarchive")
DATE_DATASETS = ("cn_wce", "fundus_news")


def _systems():
    import trafilatura
    from readability import Document

    from pipelines.extract import extract
    from pipelines.record import Article, RawPage

    def ours(page: refdata.RefPage, html: str):
        raw = RawPage(url=page.url, body=page.body, source="refdata", headers={"content-type": page.content_type},
                      fetched_at=page.crawled_at or datetime.now(timezone.utc))
        res = extract(raw, None)
        return (res.text, res) if isinstance(res, Article) else ("", res)

    def readability(page, html):
        try:
            return html_to_text(Document(html).summary()), None
        except Exception:  # readability raises on some pages: scored as empty output
            return "", None

    return {
        "trafilatura": lambda page, html: (trafilatura.extract(html) or "", None),
        "trafilatura_precision": lambda page, html: (trafilatura.extract(html, favor_precision=True) or "", None),
        "readability": readability,
        "newsarchive": ours,
    }


def same_day(result, truth_date: str | None) -> bool | None:
    """None when the truth has no day; else whether ``published_at`` falls on the truth's day."""
    if not truth_date or len(truth_date) < 10:
        return None
    if getattr(result, "published_at", None) is None:
        return False
    truth = datetime.fromisoformat(truth_date)
    ours = result.published_at
    if truth.tzinfo is not None:
        return ours.astimezone(truth.tzinfo).date() == truth.date()
    local = ours + timedelta(minutes=result.published_at_offset_minutes or 0)
    return local.date() == truth.date()


def run(quick: bool = False) -> dict:
    from pipelines.encoding import decode_html
    logging.disable(logging.WARNING)
    systems = _systems()
    for page in refdata.load(refdata.DATASETS[0], every=25):   # warm-up: models and caches load once
        html = decode_html(page.body, page.content_type).text
        for fn in systems.values():
            fn(page, html)
    out: dict = {"datasets": {}, "seconds": dict.fromkeys(SYSTEMS, 0.0), "wall": dict.fromkeys(SYSTEMS, 0.0),
                 "pages": 0}
    for ds in refdata.DATASETS:
        pages = refdata.load(ds, every=3 if quick else 1)
        f1 = dict.fromkeys(SYSTEMS, 0.0)
        days = [0, 0]
        for page in pages:
            html = decode_html(page.body, page.content_type).text
            for name, fn in systems.items():
                t0, w0 = time.process_time(), time.perf_counter()
                text, result = fn(page, html)
                out["seconds"][name] += time.process_time() - t0
                out["wall"][name] += time.perf_counter() - w0
                f1[name] += prf(text, page.truth.get("text"))[2]
                if name == "newsarchive" and ds in DATE_DATASETS:
                    ok = same_day(result, page.truth.get("date"))
                    if ok is not None:
                        days[0] += ok
                        days[1] += 1
        out["pages"] += len(pages)
        out["datasets"][ds] = {"pages": len(pages), "f1": {k: v / len(pages) for k, v in f1.items()},
                               "days": days if ds in DATE_DATASETS else None}
        print(f"{ds}: {len(pages)} pages done", file=sys.stderr)
    out["pages_per_s"] = {k: out["pages"] / v for k, v in out["seconds"].items() if v}
    out["pages_per_wall_s"] = {k: out["pages"] / v for k, v in out["wall"].items() if v}
    return out


def table(res: dict, quick: bool) -> str:
    lines = ["| dataset | pages | " + " | ".join(SYSTEMS) + " | best baseline | margin | publish day |",
             "|---|---|" + "---|" * len(SYSTEMS) + "---|---|---|"]
    for ds, d in res["datasets"].items():
        f = d["f1"]
        best = max(f[k] for k in SYSTEMS if k != "newsarchive")
        day = f"{d['days'][0]}/{d['days'][1]} = {d['days'][0] / d['days'][1]:.1%}" if d["days"] and d["days"][1] else "–"
        lines.append(f"| {ds} | {d['pages']} | " + " | ".join(f"{f[k]:.4f}" for k in SYSTEMS)
                     + f" | {best:.4f} | {f['newsarchive'] - best:+.4f} | {day} |")
    lines.append("")
    for label, key in (("pages per CPU-second", "pages_per_s"), ("pages per wall-clock second", "pages_per_wall_s")):
        pps = res[key]
        lines.append(f"{label} (all datasets, same run): " + ", ".join(f"{k} {pps[k]:.1f}" for k in SYSTEMS)
                     + f"; newsarchive / trafilatura = {pps['newsarchive'] / pps['trafilatura']:.2f}×"
                     + (" (quick run: every 3rd page)" if quick else "") + "  ")
    return "\n".join(lines)


NOTES = """
How `newsarchive` extracts (`pipelines/body.py`, `pipelines/combine.py`, `pipelines/cleanup.py`): the page is
parsed once (also when scripts or blank lines come before `<html>`), layout tables (nested tables, cells with long
text or several blocks) become blocks, then trafilatura runs in fast mode with comments off. When its result is all
prose and not a small part of the page, that is the body. Otherwise trafilatura's bundled readability runs too and
the two are combined by agreement on character 6-grams. The lines readability confirms mark the article span. The
span grows through prose lines and stops at runs of non-prose (navigation, link lists, forum thread lists). When
the two disagree completely, trafilatura's full algorithm decides. Then generic Chinese cleanup runs (share/nav
lines, 返回…, notices, comment widgets, copyright lines, editor lines and info bars at the edges, table debris,
markdown link lines; syndication lines become `syndicated_from`). The rules are structural and name no site, and
no threshold is fitted to single pages. fundus_news (258 pages in about 40 countries, 1 Chinese) is the
out-of-domain check: it is not a target, and it improves too.

Reading the results:
* The readability baseline is `Document(html).summary()` turned into text with a line break after every block
  element (`bench/textscore.html_to_text`). That scores cn_wce 0.913, higher than the 0.898 noted in the issue, so
  the cn_wce bar here is about 0.933 rather than 0.918.
* A reject scores 0. On scrapinghub_aeb, two WSJ pages (teaser plus paywall) are rejected as `paywall` by design,
  which costs about 0.009 of the macro F1.
* Publish day: the pages whose truth has a full date. The day is compared in the truth's UTC offset when the truth
  has one, and otherwise in the page's own offset. The cn_wce misses are mostly disputable truths: a D/M vs M/D
  date, Wikipedia's last edit vs `datePublished`, 成文日期 vs 发布日期. The rest are two blog archive pages.
* Speed: CPU seconds of this process, page by page and alternating between the systems, after a warm-up. On this
  shared 2-core machine the wall-clock figures move with other people's jobs.
"""


def update_readme(text: str, quick: bool) -> None:
    cmd = "python -m bench.extract_quality" + (" --quick" if quick else "")
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    section = (f"## Extraction quality\n\nCommand: `{cmd}` (measured {stamp}; token F1 against the "
               f"refdata truth, see the module docstring for the rules).\n\n{text}\n{NOTES}")
    old = README.read_text(encoding="utf-8") if README.exists() else "# Benchmarks\n"
    head, sep, rest = old.partition("## Extraction quality")
    tail = ""
    if sep:
        nxt = rest.find("\n## ")
        tail = rest[nxt + 1:] if nxt >= 0 else ""
    README.write_text(head.rstrip() + "\n\n" + section + ("\n" + tail if tail else ""), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="every third page only")
    ap.add_argument("--no-readme", action="store_true", help="do not update bench/README.md")
    args = ap.parse_args(argv)
    if not refdata.available():
        print(f"skipped (../shared absent): needs {refdata.REFDATA}", file=sys.stderr)
        write_result("extract_quality", args.quick, {"skipped": "../shared absent"})
        return 0
    res = run(args.quick)
    write_result("extract_quality", args.quick, res)
    text = table(res, args.quick)
    print(text)
    if not args.no_readme:
        update_readme(text, args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
