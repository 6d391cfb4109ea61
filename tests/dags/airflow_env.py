"""A private Airflow home for tests: its own metadata DB, our dags/ folder, nothing global.

Airflow reads its configuration at import time, so tests run Airflow code in
subprocesses with this environment.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AIRFLOW = str(Path(sys.executable).with_name("airflow"))


def airflow_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        # Airflow puts the DAG folder (the bundle) on sys.path, so the DAG file imports newsarchive_ops
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'dags'}",
    })
    env.update(extra)
    return env


def migrate(env: dict[str, str], timeout: float = 180) -> None:
    subprocess.run([AIRFLOW, "db", "migrate"], env=env, check=True, capture_output=True, timeout=timeout)
    subprocess.run([AIRFLOW, "pools", "set", "newsarchive_publish", "1", "one publish at a time"],
                   env=env, check=True, capture_output=True, timeout=timeout)
