"""Shared fixtures: an S3 server (moto) on 127.0.0.1 and stores on it or on disk."""
from __future__ import annotations

import socket
import uuid
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"


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
def s3_store(s3_env):
    from pipelines.storage import Store
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
    from newsarchive.replay import Replay
    with Replay() as r:
        path = tmp_path / "sources.yaml"
        path.write_text(r.config.with_politeness(**FAST_POLITENESS).to_yaml(), encoding="utf-8")
        yield r, path
