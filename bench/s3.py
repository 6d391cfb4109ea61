"""Is "S3 upload vs local write" (issue 5, goal ≥ 1×) a fair comparison? The same files, several ways.

    python -m bench.s3 [--quick]

The files: ``bench.store``'s (zstd Parquet of synthetic 5 KB articles, ``table_blobs``), 20 × 2,000 articles,
~131 MB (``--quick``: 10 × 1,000). Each way writes all of them; interleaved rounds, median MB/s, and the client's
CPU seconds (this process) per 100 MB:

* ``local``            ``put_all`` into a local ``Store``: temp file, write, fsync, rename (8 threads) — the baseline
* ``local-nofsync``    the same files written with plain ``open().write()`` (what fsync costs)
* ``moto-inproc``      ``put_all`` (boto3 ``put_object``, 8 threads) to moto's ``ThreadedMotoServer`` in this
                       process (as ``bench.store`` measures it: server and client share one GIL)
* ``moto-proc``        the same to moto in its own process (``python -m moto.server``)
* ``moto-proc-serial`` one PUT at a time
* ``moto-proc-upload`` ``Store.upload_file`` (boto3 ``upload_fileobj``, TransferConfig defaults: the path crawl
                       segments take) file after file, from files on local disk
* ``moto-proc-multipart`` ``upload_fileobj`` with 1 MiB parts, 8 concurrent parts, file after file
* ``sink``             ``put_all`` to a null endpoint in its own process (``bench.s3_sink``: reads and discards):
                       the S3 client path alone (SigV4 payload hash, CRC32, HTTP), with no server work
Results: stdout and bench/out/s3-{quick,full}.json.
"""
from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, write_result


def blobs(n_files: int, docs: int) -> list:
    import pyarrow as pa

    from bench.store import NEW_DT, _schema, article_rows, texts
    from pipelines.tablefiles import table_blobs
    out = []
    for f in range(n_files):
        rows = article_rows(texts(docs, 500 + f), "s0", f"bench__s3{f:03d}", f * docs)
        out += table_blobs("articles", NEW_DT, pa.Table.from_pylist(rows, schema=_schema("articles")), ["s3"])
    return out


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server(args: list[str], port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"server {args} did not listen on {port}")


def s3_store(port: int, bucket: bool = True):
    from pipelines.storage import S3Settings, Store
    store = Store("s3://bench-s3/archive", S3Settings(endpoint=f"http://127.0.0.1:{port}", access_key="k",
                                                     secret_key="s"))
    if bucket:
        store.ensure_bucket()
    return store


def ways(tmp: Path, files: list, ports: dict) -> dict:
    """name -> function that writes every blob once."""
    from boto3.s3.transfer import TransferConfig

    from pipelines.storage import Store
    from pipelines.tablefiles import put_all
    local, inproc, proc, sink = (Store(str(tmp / "local")), s3_store(ports["inproc"]), s3_store(ports["proc"]),
                                 s3_store(ports["sink"], bucket=False))
    multipart = TransferConfig(multipart_threshold=1 << 20, multipart_chunksize=1 << 20, max_concurrency=8)

    def nofsync(bs):
        for b in bs:
            p = tmp / "plain" / b.path
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(b.data)

    def upload(cfg=None):
        for f, b in files:
            if cfg is None:
                proc.upload_file(f, "up/" + b.path)
            else:
                with open(f, "rb") as fh:
                    proc.boto.upload_fileobj(fh, proc.bucket, proc.key("mp/" + b.path), Config=cfg)

    bs = [b for _, b in files]
    return {"local": lambda: put_all(local, bs), "local-nofsync": lambda: nofsync(bs),
            "moto-inproc": lambda: put_all(inproc, bs), "moto-proc": lambda: put_all(proc, bs),
            "moto-proc-serial": lambda: put_all(proc, bs, workers=1), "moto-proc-upload": lambda: upload(),
            "moto-proc-multipart": lambda: upload(multipart), "sink": lambda: put_all(sink, bs)}


def measure(fns: dict, mb: float, rounds: int) -> dict:
    runs: dict[str, list[tuple[float, float]]] = {k: [] for k in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            c, w = time.process_time(), time.perf_counter()
            fn()
            runs[name].append((time.perf_counter() - w, time.process_time() - c))
    return {k: {"mb_s": mb / statistics.median(w for w, _ in v),
                "client_cpu_s_per_100mb": 100 * statistics.median(c for _, c in v) / mb,
                "rounds_mb_s": [mb / w for w, _ in v]} for k, v in runs.items()}


def run(quick: bool) -> dict:
    import logging

    from moto.server import ThreadedMotoServer
    n_files, docs, rounds = (10, 1000, 1) if quick else (20, 2000, 3)
    tmp = Path(tempfile.mkdtemp(prefix="bench-s3-"))
    bs = blobs(n_files, docs)
    files = []
    for b in bs:
        p = tmp / "src" / b.path
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b.data)
        files.append((p, b))
    mb = sum(len(b.data) for b in bs) / 1e6
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    ports = {"inproc": _port(), "proc": _port(), "sink": _port()}
    inproc = ThreadedMotoServer(ip_address="127.0.0.1", port=ports["inproc"], verbose=False)
    inproc.start()
    procs = [_server(["moto.server", "-H", "127.0.0.1", "-p", str(ports["proc"])], ports["proc"]),
             _server(["bench.s3_sink", str(ports["sink"])], ports["sink"])]
    try:
        res = measure(ways(tmp, files, ports), mb, rounds)
    finally:
        inproc.stop()
        for p in procs:
            p.terminate()
            p.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    base = res["local"]["mb_s"]
    return {"files": len(bs), "mb": mb, "rounds": rounds, "cores": os.cpu_count(), "ways": res,
            "ratios_to_local": {k: v["mb_s"] / base for k, v in res.items()}}


def print_report(r: dict) -> None:
    print(f"{r['files']} files, {r['mb']:.0f} MB, median of {r['rounds']} round(s)")
    print(f"{'way':<22} {'MB/s':>8} {'÷ local':>8} {'client CPU s/100 MB':>20}")
    for k, v in r["ways"].items():
        print(f"{k:<22} {v['mb_s']:>8.0f} {r['ratios_to_local'][k]:>7.2f}× {v['client_cpu_s_per_100mb']:>20.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.s3", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="10 files of 1,000 articles, one round")
    a = ap.parse_args(argv)
    res = run(a.quick)
    write_result("s3", a.quick, res)
    print_report(res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
