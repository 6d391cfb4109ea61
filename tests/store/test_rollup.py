"""Monthly rollups: same rows as the daily files, deterministic, committed last, invalidated by reruns."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import schemas
from pipelines import manifest, rollup, rollupfmt
from pipelines.publish import publish
from storekit import archive_files, article, reject, rowset, stage, story

JUN, JUL, AUG = ("2022-06-30",), ("2022-07-01", "2022-07-02"), ("2022-08-01",)
DATES = JUN + JUL + AUG


def run_of(dt: str, n: int = 8) -> str:
    return f"scheduled__{dt}T{n:02d}0000"


def _publish(store, dt: str, seed: int, n: int = 3, hour: int = 8) -> None:
    run = run_of(dt, hour)
    arts = [article(story(seed * 10 + i), source="ab"[i % 2], run_id=run) for i in range(n)]
    arts.append(article(story(seed * 10), source="c", run_id=run, url=f"https://c.example.cn/{dt}-{hour}.html"))
    stage(store, dt, run, arts, [reject(f"https://a.example.cn/{dt}/{hour}.html", run_id=run)])
    publish(store, dt, run_id=run)


def _archive(store) -> None:
    for i, dt in enumerate(DATES):
        _publish(store, dt, i + 1)


def _rollup_rows(store, table: str, months=None) -> list[tuple]:
    rows = []
    for month, m in rollupfmt.rollups(store, table).items():
        if months is None or month in months:
            for f in m["files"]:
                rows += store.read_parquet(f["path"], schema=rollup.rollup_schema(table)).to_pylist()
    return sorted(tuple(map(repr, r.values())) for r in rows)


def _daily_rows(store, table: str, months) -> list[tuple]:
    rows = []
    for dt, m in manifest.snapshots(store).items():
        if dt[:7] in months:
            for e in m["files"][table]:
                rows += [r | {"dt": dt} for r in store.read_parquet(e["path"], schema=schemas.schema_for(table)).to_pylist()]
    return sorted(tuple(map(repr, r.values())) for r in rows)


def test_closed_months_become_rollups_with_the_same_rows(store):
    _archive(store)
    res = rollup.rollup(store)                      # default: before 2022-08-01, the latest committed month
    assert res == {t: {"2022-06": "built", "2022-07": "built"} for t in manifest.TABLES}
    snaps = manifest.snapshots(store)
    for table in manifest.TABLES:
        assert rollupfmt.valid_months(store, table) == ["2022-06", "2022-07"]
        assert _rollup_rows(store, table) == _daily_rows(store, table, {"2022-06", "2022-07"})
        m = rollupfmt.read(store, table, "2022-07")
        assert m["dates"] == rollupfmt.daily_files(snaps, table, "2022-07") and list(m["dates"]) == list(JUL)
        assert m["rows"] == sum(f["rows"] for f in m["files"]) == sum(
            e["rows"] for dt in JUL for e in snaps[dt]["files"][table])
        assert [store.size(f["path"]) for f in m["files"]] == [f["bytes"] for f in m["files"]]
        assert {p for p in store.list(f"rollup/{table}/")} == {
            f["path"] for mm in rollupfmt.rollups(store, table).values() for f in mm["files"]}
    assert not store.list("rollup/articles/month=2022-08/")         # the open month stays daily


def test_rollup_files_are_sorted_by_dt_then_the_sort_keys_with_dt_a_string_column(store):
    _archive(store)
    rollup.rollup(store, tables=["articles"])
    path = rollupfmt.read(store, "articles", "2022-07")["files"][0]["path"]
    tbl = pq.read_table(pa.BufferReader(store.read_bytes(path)))
    assert tbl.schema.names == schemas.ARTICLES.names + ["dt"] and tbl.schema.field("dt").type == "string"
    keys = [("dt", "ascending")] + schemas.SORT_KEYS["articles"]
    assert pc.sort_indices(tbl, sort_keys=keys).to_pylist() == list(range(tbl.num_rows))
    assert tbl.schema.metadata[b"schema_version"] == schemas.SCHEMA_VERSION.encode()
    assert rollupfmt.rollups(store, "sightings") == {}           # only the tables asked for


def test_rebuilding_is_idempotent_and_byte_identical(store):
    _archive(store)
    rollup.rollup(store)
    files = archive_files(store)
    assert rollup.rollup(store) == {t: {"2022-06": "unchanged", "2022-07": "unchanged"} for t in manifest.TABLES}
    assert archive_files(store) == files
    store.delete_many(store.list("rollup/") + store.list("_rollups/"))
    rollup.rollup(store)
    assert archive_files(store) == files                          # same names, same bytes


def test_a_rerun_in_a_rolled_up_month_invalidates_it_until_the_next_rollup(store):
    _archive(store)
    rollup.rollup(store)
    old = rollupfmt.read(store, "articles", "2022-07")
    _publish(store, "2022-07-02", 99, hour=9)                     # a second batch of a rolled-up date
    assert rollupfmt.valid_months(store, "articles") == ["2022-06"]
    assert _rollup_rows(store, "articles", {"2022-07"}) != _daily_rows(store, "articles", {"2022-07"})
    assert rollup.rollup(store)["articles"] == {"2022-06": "unchanged", "2022-07": "built"}
    new = rollupfmt.read(store, "articles", "2022-07")
    assert new["files"] != old["files"] and not any(store.exists(f["path"]) for f in old["files"])
    assert _rollup_rows(store, "articles", {"2022-07"}) == _daily_rows(store, "articles", {"2022-07"})
    assert rowset(store, "articles") and all(store.exists(e["path"]) for e in  # daily files stay the truth
                                             manifest.snapshots(store)["2022-07-02"]["files"]["articles"])


def test_before_limits_the_dates_and_a_backfilled_new_date_is_taken_in_next_time(store):
    _archive(store)
    assert rollup.rollup(store, before="2022-07-02")["articles"] == {"2022-06": "built", "2022-07": "built"}
    assert list(rollupfmt.read(store, "articles", "2022-07")["dates"]) == ["2022-07-01"]   # dates < before
    assert _rollup_rows(store, "articles", {"2022-07"}) == [
        r for r in _daily_rows(store, "articles", {"2022-07"}) if "'2022-07-01'" in r]
    _publish(store, "2022-06-29", 50)                     # backfill of a new date into a rolled-up month:
    assert rollupfmt.valid_months(store, "articles") == ["2022-06", "2022-07"]   # not covered, read daily
    assert rollup.rollup(store, before="2022-09-01")["articles"] == {
        "2022-06": "built", "2022-07": "built", "2022-08": "built"}
    assert _rollup_rows(store, "articles") == _daily_rows(store, "articles", {"2022-06", "2022-07", "2022-08"})


def test_big_months_are_split_into_row_groups_and_files(store, monkeypatch):
    monkeypatch.setattr(rollup, "ROW_GROUP", 2)
    monkeypatch.setattr(rollup, "FILE_ROWS", 4)
    _archive(store)
    rollup.rollup(store, tables=["articles"])
    m = rollupfmt.read(store, "articles", "2022-07")
    assert sorted(f["rows"] for f in m["files"]) == [2, 4] and m["rows"] == 6
    meta = [pq.ParquetFile(pa.BufferReader(store.read_bytes(f["path"]))).metadata for f in m["files"]]
    assert sorted(md.num_row_groups for md in meta) == [1, 2]
    assert _rollup_rows(store, "articles") == _daily_rows(store, "articles", {"2022-06", "2022-07"})


def test_a_failed_rollup_leaves_the_previous_state(store, monkeypatch):
    _archive(store)
    before = archive_files(store)
    monkeypatch.setattr(type(store), "upload_file", lambda *a, **k: (_ for _ in ()).throw(OSError("injected")))
    with pytest.raises(OSError, match="injected"):
        rollup.rollup(store)
    assert archive_files(store) == before and rollupfmt.rollups(store, "articles") == {}


def test_cli_compact_rollup(store, capsys):
    from newsarchive.cli import main
    _archive(store)
    assert main(["compact", "--rollup", "--tables", "articles", "--before", "2022-07-15", "--store", store.uri]) == 0
    out = capsys.readouterr().out
    assert "rollup articles: months 2022-06..2022-07: 2 built 2022-06 2022-07, 0 unchanged" in out   # dates < --before
    assert rollupfmt.valid_months(store, "articles") == ["2022-06", "2022-07"]
    assert rollupfmt.rollups(store, "rejects") == {}


def test_the_current_month_rolled_up_through_yesterday_stays_valid_as_new_dates_come(store):
    _archive(store)                                   # ..., 2022-08-01
    _publish(store, "2022-08-02", 60)
    res = rollup.rollup(store, before="2022-08-02")    # a daily schedule on 2022-08-02
    assert res["articles"] == {"2022-06": "built", "2022-07": "built", "2022-08": "built"}
    assert list(rollupfmt.read(store, "articles", "2022-08")["dates"]) == ["2022-08-01"]
    _publish(store, "2022-08-03", 61)                             # the next day: not covered, still valid
    assert rollupfmt.valid_months(store, "articles") == ["2022-06", "2022-07", "2022-08"]
    assert rollup.rollup(store, before="2022-08-02")["articles"]["2022-08"] == "unchanged"
    assert rollup.rollup(store, before="2022-08-04")["articles"]["2022-08"] == "built"     # takes them in
    assert list(rollupfmt.read(store, "articles", "2022-08")["dates"]) == ["2022-08-01", "2022-08-02", "2022-08-03"]
    assert _rollup_rows(store, "articles") == _daily_rows(store, "articles", {"2022-06", "2022-07", "2022-08"})
    _publish(store, "2022-08-02", 62, hour=9)                     # a rerun of a covered date invalidates it
    assert rollupfmt.valid_months(store, "articles") == ["2022-06", "2022-07"]
