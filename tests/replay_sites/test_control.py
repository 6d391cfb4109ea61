"""Driving a replay from another process: the control port and ``newsarchive replay serve|advance``."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from pipelines.config import load_sources

ROOT = Path(__file__).resolve().parents[2]


def test_control_endpoints(fresh, http):
    c = fresh.control_url
    state = http.get(f"{c}/state").json()
    assert state["clock"] == "2022-07-28T08:00:00+08:00" and state["host_map"] == fresh.host_map
    r = http.post(f"{c}/advance?days=1&articles=3").json()
    assert len(r["new_urls"]) == 3 and r["clock"] == "2022-07-29T08:00:00+08:00"
    assert all(http.get(u).status_code == 200 for u in r["new_urls"])
    log = http.get(f"{c}/log").json()
    assert [e["path"] for e in log] == ["/" + u.split("/", 3)[3] for u in r["new_urls"]]
    assert http.get(f"{c}/log?since=2").json() == log[2:]
    assert http.post(f"{c}/break?source=bjnews&mode=empty_bodies").json()["broken"] == {"bjnews": "empty_bodies"}
    assert http.post(f"{c}/fix?source=bjnews").json()["broken"] == {}
    assert http.post(f"{c}/break?source=nosuch").status_code == 400
    assert http.post(f"{c}/clock?at=2022-07-30T00:00:00%2B08:00").json()["clock"] == "2022-07-30T00:00:00+08:00"
    arts = http.get(f"{c}/articles?source=ce").json()
    assert arts and {a["source"] for a in arts} == {"ce"} and "body" in arts[0]
    http.post(f"{c}/clear_log")
    assert fresh.request_log == []
    assert http.get(f"{c}/nope").status_code == 404


def test_cli_serve_and_advance(tmp_path):
    state_file, cfg = tmp_path / "state.json", tmp_path / "sources.yaml"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "newsarchive.cli", "replay", "serve", "--write-config", str(cfg),
                             "--state-file", str(state_file), "--clock", "2022-07-28T08:00:00+08:00"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not state_file.exists():
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.poll() else "slow"
            time.sleep(0.05)
        state = json.loads(state_file.read_text())
        assert state["config_path"] == str(cfg) and state["pid"] == proc.pid
        config = load_sources(cfg)
        assert config.get("bjnews").allow_private_addresses
        assert requests.get(config.get("bjnews").discovery.listings[0].url, timeout=5).status_code == 200
        out = subprocess.run([sys.executable, "-m", "newsarchive.cli", "replay", "advance", "--control",
                              state["control_url"], "--articles", "2", "--days", "1"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert len(json.loads(out.stdout)["new_urls"]) == 2
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert code == 0 and "replay: stopped" in proc.stdout.read()
