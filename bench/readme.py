"""Writing ``bench.run_all``'s results into bench/README.md: the Summary at the top, sections by title."""
from __future__ import annotations

import re
from pathlib import Path

from bench import sections, summary

README = Path(__file__).resolve().parent / "README.md"
BLOCK = "<!-- summary:{mode} -->\n{body}\n<!-- /summary:{mode} -->"
#: The note an ``--only`` run adds to the block's command line: (benchmarks, command, when).
NOTE = r" The ([^.]*?) rows are from (`[^`]*`) at ([^,]*), merged into this table\."
#: Sections ``bench.run_all`` writes (benchmark -> README title), in README order after the existing ones.
SECTIONS = {"store": "Store", "extract_speed": "Extraction speed", "s3": "S3 publish vs local publish",
            "e2e": "End to end", "query": "Query", "memory": "Memory"}

INTRO = """\
Every row of a table is measured in one run of the command given with it, each against its baseline side by
side in the same benchmark process (ratios, never absolute timings, are the claim: the 2 cores are shared with
other people's jobs, see the load averages). "ratio" is ours ÷ baseline, or the measured value ÷ the goal where
the goal is an absolute number; F1 rows give the margin over the best baseline. Goals are judged on the full
run; the quick run is the same code on smaller inputs (every third refdata page, a 100,000-article archive,
smaller replays), a check that everything still runs. Where each figure comes from and how to read it: the
stage sections below, each with its own command.

How long it takes. Quick: `python -m bench.run_all --quick` (what `make bench-quick` runs once the venv is
built) took 4.6 min on 2026-12-01 with its archives built from scratch (the 100,080-article query catalog and
the 100,000-article store archive, ~15 s), under a load of 5–10 from other engineers' jobs (4.2 min at load
8–20 with them cached; 1.9 min at load ~0.5 on 2026-11-23, before the catalog). Full: about 14 min
with the archives cached, ~16 min the first time (the 1,000,080-article query catalog, its compacted copy and
the ideal file ~1.2 min, the 1,000,000-article store archive ~0.6 min): the sum of the stages' own times, store
3.5, S3 2.5, query 1.7 and memory 0.7 min measured 2026-12-01 (load 2–5), crawl 3.7, extraction quality 0.7,
extraction speed 0.7 and end to end 0.3 min from the full run of 2026-11-23 (those stages were not rerun: see
the table's notes). Later full runs reuse the archives."""


def block(record: dict) -> str:
    runs = record["runs"]
    full = record["mode"] == "full"
    cmd = "make bench` (= `python -m bench.run_all" if full else "make bench-quick` (= `python -m bench.run_all --quick"
    only = f" --only {record['only']}" if record.get("only") else ""
    lines = [f"### {'Full' if full else 'Quick'} run", "",
             f"Command: `{cmd}{only}`), started {record['started']}, {record['minutes']:.1f} min on "
             f"{record['cores']} shared cores.", "", summary.markdown([tuple(r) for r in record["rows"]]), "",
             "| benchmark | command | minutes | load average (start → end) | status |", "|---|---|---|---|---|"]
    for name, r in runs.items():
        lines.append(f"| {name} | `{r['command']}` | {r['seconds'] / 60:.1f} | {r['load'][0]:.1f} → {r['load'][1]:.1f} | "
                     f"{r['status']} |")
    return "\n".join(lines)


def merged(old_body: str | None, record: dict) -> str:
    """The block of an ``--only`` run merged into the mode's previous block: the stages it ran replace their
    rows (where the first of them stood) and their timing lines; every other row stays, and the command line
    says which rows came from which run. A whole run (no ``--only``) replaces the block."""
    new = block(record)
    if not record.get("only") or not old_body:
        return new

    def split(body: str) -> tuple[list[str], list[str], list[str]]:
        lines = body.splitlines()
        tables = [i for i, ln in enumerate(lines) if ln.startswith("|")]
        first_end = next(i for i in tables if i + 1 not in tables)
        rows = lines[tables[0] + 2:first_end + 1]
        runs = [ln for ln in lines[first_end + 1:] if ln.startswith("| ") and not ln.startswith("| benchmark |")]
        return lines, rows, runs

    old_lines, old_rows, old_runs = split(old_body)
    _, new_rows, new_runs = split(new)
    def first(ln: str) -> str:
        return ln[2:].split(" | ", 1)[0]

    stages = {first(ln) for ln in new_rows}
    rows, placed = [], False
    for ln in old_rows:
        if first(ln) in stages:
            if not placed:
                rows += new_rows
                placed = True
        else:
            rows.append(ln)
    if not placed:
        rows += new_rows
    names = {first(ln) for ln in new_runs}
    runs = [ln for ln in old_runs if first(ln) not in names] + new_runs
    command = next(ln for ln in old_lines if ln.startswith("Command:"))
    quick = " --quick" if record["mode"] == "quick" else ""
    note = (f" The {', '.join(sorted(names))} rows are from `python -m bench.run_all --only {record['only']}{quick}` "
            f"at {record['started']}, merged into this table.")
    earlier = []                       # notes of earlier --only runs, less the benchmarks this one ran again
    for stages, cmd, at in re.findall(NOTE, command):
        left = [b for b in stages.split(", ") if b not in names]
        if left:
            earlier.append(f" The {', '.join(left)} rows are from {cmd} at {at}, merged into this table.")
    command = re.sub(NOTE, "", command) + "".join(earlier) + note
    table = summary.markdown([]).splitlines()
    return "\n".join([old_lines[0], "", command, "", *table, *rows, "",
                      "| benchmark | command | minutes | load average (start → end) | status |", "|---|---|---|---|---|",
                      *runs])


def summary_section(old: str, record: dict) -> str:
    blocks, bodies = {}, {}
    for mode in ("full", "quick"):
        m = re.search(BLOCK.format(mode=mode, body="(.*?)").replace("\n", r"\n"), old, re.S)
        blocks[mode], bodies[mode] = (m.group(0), m.group(1)) if m else (None, None)
    blocks[record["mode"]] = BLOCK.format(mode=record["mode"], body=merged(bodies[record["mode"]], record))
    parts = [INTRO] + [b for b in (blocks["full"], blocks["quick"]) if b] + [NOT_MET]
    return "\n\n".join(parts)


NOT_MET = """\
Reading the goals that are not met (details and the measurements behind them in each section):
* **Per-day query right after 180 daily commits** (1.06–1.16× over five full runs on 2026-12-01, bar 1.1×):
  every commit leaves one file of one row group, and DuckDB pays a fixed cost per file. The catalog itself adds
  3–5 ms per query (live vs `read_parquet` of the same files); the files alone are 1.09× the ideal file. After
  `newsarchive compact`, which production runs daily, the same query is 1.01–1.05× in those runs (met), and the
  keyword search is 0.50–1.03× on either layout (met in every run) ("Query").
* **Publish of 1,000 articles on the 1,000,000-article catalog vs an empty one** is met in the table (wall-clock
  medians); it is a difference of ~0.1 s (the dedupe lookups in 20 index files) on ~1.2 s of work that is the
  same on both sides (MinHash of the new texts), so the load of the shared machine moves the wall-clock ratio:
  an earlier full run the same day at load ~10 gave 1.82× (NOT met) where the CPU seconds of the same runs gave
  1.12×. The CPU-second row is the steadier figure ("Store").
* **S3** has no bar in issue 12 (SeaweedFS publish side by side with the local one, "S3 publish vs local
  publish"). Issue 5's "S3 upload vs local write ≥ 1×" is no longer measured: the archive's files are written by
  DuckLake inside the publish transaction, and that whole publish is what is compared now.
* **Extraction on all cores** sits right at the 0.8× bar and lands on either side of it from run to run: our
  extraction gains a little less from the second core than plain trafilatura does. On one process (CPU time,
  the stable measure) it is above the bar on the replay's pages and on refdata ("Extraction speed").
* **CPU-bound goals with an absolute target** (normalize+hash, MinHash) move with the machine's load; their
  ratio to the baseline measured beside them is the stable figure ("Store"). The quick table was measured at a
  load of 5–10 from other engineers' jobs (a 100,080-article quick query takes tens of milliseconds, and one
  burst of other work moves it); goals are judged on the full run."""


def replace_section(text: str, title: str, body: str, after_title: bool = False) -> str:
    """Replace ``## title`` up to the next ``## `` heading (or append it; ``after_title``: put it first)."""
    section = f"## {title}\n\n{body.strip()}\n"
    m = re.search(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", text, re.S | re.M)
    if m:
        return text[:m.start()] + section + ("\n" if m.end() < len(text) else "") + text[m.end():]
    if after_title:
        head, sep, rest = text.partition("\n## ")
        return head.rstrip() + "\n\n" + section + ("\n## " + rest if sep else "")
    return text.rstrip() + "\n\n" + section


def update(record: dict, path: Path = README) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    old = re.search(r"^## Summary\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    text = replace_section(text, "Summary", summary_section(old.group(1) if old else "", record), after_title=True)
    if record["mode"] == "full":
        runs = record["runs"]
        crawl, store = ((runs.get(k) or {}).get("result") for k in ("crawl", "store"))
        for name, title in SECTIONS.items():
            res = (runs.get(name) or {}).get("result")
            if res:
                fn = getattr(sections, name)
                text = replace_section(text, title, fn(res, crawl, store) if name == "memory" else fn(res))
    path.write_text(text, encoding="utf-8")
