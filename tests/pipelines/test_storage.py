import pyarrow as pa
import pytest

from pipelines.storage import S3Settings, StoreError


def test_roundtrip_bytes_list_delete(store):
    store.write_bytes("a/b/c.txt", b"hello")
    store.write_text("a/d.json", "{}")
    assert store.exists("a/b/c.txt") and not store.exists("a/zzz")
    assert store.read_bytes("a/b/c.txt") == b"hello"
    assert store.list("a") == ["a/b/c.txt", "a/d.json"]
    assert store.list("a", suffix=".json") == ["a/d.json"]
    assert store.list("nothing-here") == []
    store.delete("a/b/c.txt")
    assert store.list("a") == ["a/d.json"]
    with pytest.raises(FileNotFoundError):
        store.read_bytes("a/b/c.txt")


def test_parquet_roundtrip(store, tmp_path):
    t = pa.table({"x": [3, 1, 2], "s": ["丙", "甲", "乙"]})
    n = store.write_parquet(t, "t/part-0.parquet")
    assert n > 0
    assert store.read_parquet("t/part-0.parquet").equals(t)
    assert store.read_parquet(["t/part-0.parquet"], columns=["s"]).column("s").to_pylist() == ["丙", "甲", "乙"]
    local = tmp_path / "f.bin"
    local.write_bytes(b"x" * 10000)
    store.upload_file(local, "up/f.bin")
    assert store.size("up/f.bin") == 10000


def test_rel_and_uri(store):
    rel = "articles/dt=2022-07-27/source=bjnews/part-1.parquet"
    assert store.rel_of(store.uri_of(rel)) == rel
    with pytest.raises(StoreError):
        store.rel_of("/elsewhere/x")


def test_s3_settings_from_env():
    s = S3Settings.from_env({"AWS_ENDPOINT_URL": "http://minio:9000", "AWS_ACCESS_KEY_ID": "k",
                             "AWS_SECRET_ACCESS_KEY": "s"})
    assert s.endpoint == "http://minio:9000" and s.region == "us-east-1"
    assert S3Settings.from_env(s.to_env()) == s


def test_duckdb_reads_the_s3_store(s3_store):
    from newsarchive.duck import connect
    s3_store.write_parquet(pa.table({"x": [1, 2, 3]}), "t/dt=2022-07-27/part-0.parquet")
    con = connect(s3_store)
    got = con.execute(f"SELECT sum(x), any_value(dt) FROM read_parquet('{s3_store.uri_of('t')}/*/*.parquet', hive_partitioning=true, hive_types_autocast=false)").fetchone()
    assert got == (6, "2022-07-27")


def test_local_files_follow_the_umask_so_other_users_can_read_the_archive(local_store):
    """Reports, index files and other objects are readable by another user (an analyst, a web server)
    as the umask allows, not 0600 as ``mkstemp`` makes them (issue 16)."""
    import os
    import stat
    mask = os.umask(0)
    os.umask(mask)
    local_store.write_text("reports/dt=2022-07-28/report.html", "<html></html>")
    local_store.write_bytes("index/docs/x.idx", b"x")
    for rel in ("reports/dt=2022-07-28/report.html", "index/docs/x.idx"):
        assert stat.S_IMODE(os.stat(local_store.path(rel)).st_mode) == 0o666 & ~mask, rel
