"""``make demo`` / ``newsarchive demo``: the whole job on the embedded default.

Starts the local replay of every configured source on 127.0.0.1, archives it
into a local store (``./data``) with the same steps the Airflow DAGs run, lets
the replay publish new articles, runs a second incremental round, and prints a
DuckDB summary of what was archived.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import date, datetime, time, timezone
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from newsarchive import jobs
from newsarchive.commands.run import print_step
from pipelines.storage import Store

console = Console(highlight=False)
MARKER = ".newsarchive-demo"
#: Politeness for the local replay: short delays and timeouts, robots.txt still obeyed.
DEMO_POLITENESS = {"delay_seconds": 0.02, "concurrency": 4, "autothrottle": False, "timeout_seconds": 3.0,
                   "retries": 1}


def prepare_store(path: str, keep: bool) -> Store:
    p = Path(path)
    if p.exists() and any(p.iterdir()) and not keep:
        if not (p / MARKER).exists():
            raise SystemExit(f"newsarchive demo: {p} exists and was not made by the demo; "
                             "use --store <empty folder> or --keep")
        shutil.rmtree(p)
    p.mkdir(parents=True, exist_ok=True)
    (p / MARKER).write_text("made by `newsarchive demo`; it deletes this folder on its next run\n")
    return Store(str(p))


def run_round(label: str, store: Store, replay, cfg, cfg_path: str, backfill: date | None = None) -> jobs.RunResult:
    """One run for the replay's current date, or (``backfill``) for one e-paper date."""
    clock = replay.clock if backfill is None else datetime.combine(backfill, time(), timezone.utc)
    run_id = jobs.make_run_id("demo" if backfill is None else "demo_backfill", clock)
    steps = len(cfg.ids(enabled_only=True)) + 4
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=False) as bar:
        task = bar.add_task(f"{label} {clock:%Y-%m-%d %H:%M}", total=steps)

        def on_step(name, info):
            bar.advance(task)
            print_step(name, info, out=bar.console)
        res = jobs.run_once(store, clock.date(), cfg, config_path=cfg_path, run_id=run_id, on_step=on_step,
                            since=backfill, until=backfill)
        bar.update(task, completed=steps)
    return res


def table(title: str, con, sql: str, params=None) -> Table:
    cur = con.execute(sql, params or [])
    t = Table(title=title, title_justify="left", show_lines=False)
    for col in cur.description:
        t.add_column(col[0])
    for row in cur.fetchall():
        t.add_row(*["" if v is None else (", ".join(map(str, v)) if isinstance(v, list) else str(v)) for v in row])
    return t


def seed_table(con, replay) -> Table:
    """The five seed stories: each archived once, seen on several sites."""
    t = Table(title="Seed stories (../shared/seeds) across sites", title_justify="left")
    for col in ("seed", "title", "articles", "sightings", "sites"):
        t.add_column(col)
    for seed in sorted({a.seed for a in replay.articles() if a.seed}):
        urls = replay.seed_urls(seed)
        row = con.execute("""
            SELECT count(DISTINCT s.content_hash), count(*), list_sort(list_distinct(list(s.source))),
                   min(a.title)
            FROM sightings s LEFT JOIN articles a USING (content_hash) WHERE s.url IN (SELECT unnest(?))""",
                          [urls]).fetchone()
        t.add_row(seed, (row[3] or "")[:30], str(row[0]), str(row[1]), ", ".join(row[2] or []))
    return t


def summary(store: Store, cfg, results: list[jobs.RunResult], replay=None) -> None:
    from newsarchive.views import connect_views
    con = connect_views(store)
    console.rule("[bold]What was archived")
    for res in results:
        p = res.published
        console.print(f"round {res.run_id}: {p.get('articles', 0)} new articles, "
                      f"{p.get('exact_duplicates', 0)} exact duplicates, {p.get('near_duplicates', 0)} near-duplicates, "
                      f"{p.get('rejects', 0)} rejects", markup=False)
    days = con.execute("""SELECT DISTINCT strftime(published_at AT TIME ZONE 'Asia/Shanghai', '%Y-%m-%d') AS day
        FROM articles WHERE published_at IS NOT NULL ORDER BY day DESC LIMIT 8""").fetchall()
    if days:
        console.print(table("Articles per publication day (Beijing time) and source, last 8 days with articles", con, f"""
            PIVOT (SELECT strftime(published_at AT TIME ZONE 'Asia/Shanghai', '%Y-%m-%d') AS day, source FROM articles
                   WHERE published_at IS NOT NULL
                     AND strftime(published_at AT TIME ZONE 'Asia/Shanghai', '%Y-%m-%d') >= '{days[-1][0]}')
            ON source USING count(*) GROUP BY day ORDER BY day DESC"""))
    console.print(table("Articles and sightings per source (all days)", con, """
        SELECT s.source, count(*) FILTER (WHERE is_new) AS new_articles,
               count(*) FILTER (WHERE NOT is_new) AS duplicates_seen, count(*) AS sightings
        FROM sightings s GROUP BY ALL ORDER BY s.source"""))
    if replay is not None:
        console.print(seed_table(con, replay))
    console.print(table("Most syndicated stories (one article, several sites)", con, """
        SELECT left(title, 34) AS title, archived_by, n_sources, sightings, sources
        FROM syndication WHERE n_sources > 1 ORDER BY n_sources DESC, sightings DESC, title LIMIT 8"""))
    console.print(table("Near-duplicate clusters (different text, same story)", con, """
        SELECT left(title, 34) AS title, contents, n_sources, sources, canonical_source
        FROM clusters WHERE contents > 1 ORDER BY contents DESC, n_sources DESC, title LIMIT 5"""))
    console.print(table("Rejects by stage and reason", con, """
        SELECT stage, reason, count(*) AS pages, min(source) AS e_g_source
        FROM rejects GROUP BY ALL ORDER BY pages DESC, stage, reason"""))
    for res in results:
        if res.report:
            console.print(f"run report: {store.uri_of(res.report)}")
    console.print(f"store: {store.uri}   try: .venv/bin/newsarchive sql --store {store.uri} "
                  "\"SELECT source, count(*) FROM articles GROUP BY source\"")


def cli_demo(args) -> int:
    try:
        from replay import Replay
        from replay.configure import with_politeness
    except ImportError:
        print("newsarchive demo needs the replay of the sites (the top-level `replay` package of a checkout: "
              "`make demo` in the repository); this installation has no replay", file=sys.stderr)
        return 2
    store = prepare_store(args.store, args.keep)
    with Replay() as replay, tempfile.TemporaryDirectory(prefix="newsarchive-demo-") as tmp:
        cfg = with_politeness(replay.config, **DEMO_POLITENESS)
        cfg_path = str(Path(tmp) / "sources.yaml")
        Path(cfg_path).write_text(cfg.to_yaml(), encoding="utf-8")
        console.rule("[bold]newsarchive demo")
        console.print(f"replay of {len(cfg.ids())} sources on 127.0.0.1 ({len(replay.host_map)} hosts); "
                      f"store {store.uri}")
        first = run_round("round 1", store, replay, cfg, cfg_path)
        new_urls = replay.advance(days=1, articles=3)
        console.print(f"the replay published {len(new_urls)} new articles and moved its clock to "
                      f"{replay.clock:%Y-%m-%d %H:%M}")
        second = run_round("round 2", store, replay, cfg, cfg_path)
        console.print("backfill: the e-paper editions of 2022-07-27 (date-addressed archives, as `newsarchive run "
                      "--since/--until` and the newsarchive_daily DAG do)")
        third = run_round("backfill", store, replay, cfg, cfg_path, backfill=date(2022, 7, 27))
        summary(store, cfg, [first, second, third], replay)
        ok = all(c.ok for r in (first, second, third) for c in r.crawls)
    return 0 if ok else 1

