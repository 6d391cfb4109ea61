"""Running ``newsarchive crawl`` subprocesses against the local replay (tests and bench/crawl.py)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pipelines.config import SourcesConfig

ROOT = Path(__file__).resolve().parents[2]

#: Fast politeness for tests: no delays, short timeouts, one retry.
FAST = {"delay_seconds": 0, "concurrency": 8, "autothrottle": False, "timeout_seconds": 2.0,
        "retries": 1, "max_download_bytes": 256 * 1024}


def tuned(config: SourcesConfig, politeness: dict | None = None, **source_fields) -> SourcesConfig:
    """The replay config with every source's politeness (and other fields) overridden."""
    data = config.model_dump()
    for s in data["sources"]:
        s["politeness"].update(FAST if politeness is None else politeness)
        for k, v in source_fields.items():
            if isinstance(v, dict) and isinstance(s.get(k), dict):
                s[k].update(v)
            else:
                s[k] = v
    return SourcesConfig.model_validate(data)


def write_config(config: SourcesConfig, path: Path) -> Path:
    path.write_text(config.to_yaml(), encoding="utf-8")
    return path


def crawl_argv(source: str, store, config: Path, day="2022-07-28", *extra: str) -> list[str]:
    return [sys.executable, "-m", "newsarchive.cli", "crawl", "--source", source, "--store", str(store),
            "--config", str(config), "--date", str(day), *extra]


def crawl_env(settings: dict | None = None) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env["NEWSARCHIVE_CRAWL_SETTINGS"] = json.dumps({"LOG_LEVEL": "WARNING", "RETRY_BACKOFF_BASE": 0.1,
                                                    **(settings or {})})
    return env


def crawl(source: str, store, config: Path, *extra: str, day="2022-07-28", settings: dict | None = None,
          timeout: float = 120) -> tuple[int, dict, str]:
    """Run one crawl subprocess; returns (exit code, summary dict, stderr)."""
    p = subprocess.run(crawl_argv(source, store, config, day, *extra), env=crawl_env(settings), cwd=ROOT,
                       capture_output=True, text=True, timeout=timeout)
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    return p.returncode, (json.loads(lines[-1]) if lines else {}), p.stderr


def crawl_many(sources, store, config: Path, *extra: str, day="2022-07-28", settings: dict | None = None,
               timeout: float = 180) -> dict[str, tuple[int, dict, str]]:
    """Crawl several sources at once (one subprocess each, as Airflow does)."""
    procs = {s: subprocess.Popen(crawl_argv(s, store, config, day, *extra), env=crawl_env(settings), cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for s in sources}
    out = {}
    for s, p in procs.items():
        stdout, stderr = p.communicate(timeout=timeout)
        lines = [ln for ln in stdout.splitlines() if ln.startswith("{")]
        out[s] = (p.returncode, json.loads(lines[-1]) if lines else {}, stderr)
    return out
