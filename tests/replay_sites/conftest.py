"""Replays for the replay tests: one shared read-only instance, fresh ones for tests that change state."""
from __future__ import annotations

import re

import pytest
import requests

from replay import Replay

#: Small limits keep the slow/huge hard cases cheap in tests.
KNOBS = dict(slow_seconds=20, oversize_bytes=11 * 1024 * 1024)


@pytest.fixture(scope="package")
def replay():
    with Replay(**KNOBS) as r:
        yield r


@pytest.fixture
def fresh():
    """A replay of its own, for tests that move the clock, break sources or count requests."""
    with Replay(**KNOBS) as r:
        yield r


@pytest.fixture(scope="package")
def http():
    with requests.Session() as s:
        s.headers["User-Agent"] = "newsarchive-replay-tests"
        yield s


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)
