"""A real Airflow 3 deployment on this machine, started and stopped by a test.

api-server + scheduler + dag-processor + two Celery workers, CeleryExecutor with
a redis-server of its own (a free port, nothing on disk: the machine's shared Redis
is never touched) as broker and a fresh database on the local PostgreSQL as
metadata DB. Every process is started in its own session and stopped by PID
(process group) in :meth:`AirflowStack.stop`, whatever happened.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

REDIS = shutil.which("redis-server")
ROOT = Path(__file__).resolve().parents[2]
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
PG = "postgresql+psycopg2://postgres@127.0.0.1:5432"


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _psql(sql: str) -> None:
    import psycopg2
    con = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    con.autocommit = True
    try:
        con.cursor().execute(sql)
    finally:
        con.close()


class AirflowStack:
    def __init__(self, home: Path, extra_env: dict[str, str], workers: int = 2):
        self.home = home
        self.db = f"newsarchive_e2e_{uuid.uuid4().hex[:10]}"
        self.redis_port = free_port()
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self._token: str | None = None
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        env.update({
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.url}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__API_AUTH__JWT_SECRET": uuid.uuid4().hex,
            "AIRFLOW__API__SECRET_KEY": uuid.uuid4().hex,
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"{PG}/{self.db}",
            "AIRFLOW__CELERY__BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql://postgres@127.0.0.1:5432/{self.db}",
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
            # Runs come only from the REST API (trigger, backfill): no "latest interval" runs of now().
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
            "AIRFLOW__LOGGING__REMOTE_LOGGING": "False",
            "PYTHONPATH": str(ROOT),
        })
        env.update(extra_env)
        self.env = env

    # ------------------------------------------------------------------ lifecycle
    def start(self, timeout: float = 180) -> None:
        # a broker of our own: no data on disk, gone when stopped
        self._spawn("redis", [REDIS, "--bind", "127.0.0.1", "--port", str(self.redis_port), "--save", "",
                              "--appendonly", "no", "--protected-mode", "yes"])
        _psql(f'CREATE DATABASE "{self.db}"')
        subprocess.run([AIRFLOW, "db", "migrate"], env=self.env, check=True, capture_output=True, timeout=timeout)
        subprocess.run([AIRFLOW, "pools", "set", "newsarchive_publish", "1", "one publish at a time"],
                       env=self.env, check=True, capture_output=True, timeout=60)
        self._spawn("api-server", [AIRFLOW, "api-server", "--host", "127.0.0.1", "--port", str(self.port)])
        self._spawn("scheduler", [AIRFLOW, "scheduler"])
        self._spawn("dag-processor", [AIRFLOW, "dag-processor"])
        for i in range(1, self.workers + 1):       # two workers: tasks of one run spread over both
            self._spawn(f"worker{i}", [AIRFLOW, "celery", "worker", "--concurrency", "2",
                                       "--celery-hostname", f"w{i}@%h", "--skip-serve-logs"])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                if requests.get(f"{self.url}/api/v2/version", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(1)
        raise TimeoutError(f"api-server not up after {timeout}s\n{self.tail('api-server')}")

    def _spawn(self, name: str, cmd: list[str]) -> None:
        log = self.home / f"{name}.log"
        self.logs[name] = log
        self.procs[name] = subprocess.Popen(cmd, env=self.env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                                            start_new_session=True, cwd=self.home)

    def tail_workers(self) -> str:
        return "\n".join(self.tail(n) for n in self.procs if n.startswith("worker"))

    def _check_alive(self) -> None:
        for name, p in self.procs.items():
            if p.poll() is not None:
                raise RuntimeError(f"{name} exited with {p.returncode}\n{self.tail(name)}")

    def stop(self) -> None:
        """SIGTERM every process group we started, then SIGKILL what is left; drop the database."""
        for p in self.procs.values():
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 20
        for p in self.procs.values():
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for p in self.procs.values():
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait(timeout=10)
        try:
            _psql(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
        except Exception:  # noqa: BLE001 - a leftover test database is not worth failing for
            pass

    def tail(self, name: str, n: int = 4000) -> str:
        p = self.logs.get(name)
        return p.read_text(errors="replace")[-n:] if p and p.exists() else ""

    # ------------------------------------------------------------------ REST API
    def _headers(self) -> dict[str, str]:
        if self._token is None:
            self._token = requests.get(f"{self.url}/auth/token", timeout=10).json()["access_token"]
        return {"Authorization": f"Bearer {self._token}"}

    def api(self, method: str, path: str, **kw) -> dict:
        r = requests.request(method, f"{self.url}/api/v2{path}", headers=self._headers(), timeout=30, **kw)
        if not r.ok:
            raise RuntimeError(f"{method} {path} -> {r.status_code}: {r.text[:1000]}")
        return r.json() if r.content else {}

    def wait_for_dags(self, dag_ids: list[str], timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            got = {d["dag_id"] for d in self.api("GET", "/dags", params={"limit": 100})["dags"]}
            if set(dag_ids) <= got:
                return
            time.sleep(2)
        raise TimeoutError(f"DAGs {dag_ids} not parsed in {timeout}s\n{self.tail('dag-processor')}")

    def trigger(self, dag_id: str, logical_date: str, conf: dict | None = None) -> str:
        body = {"logical_date": logical_date, "conf": conf or {}}
        return self.api("POST", f"/dags/{dag_id}/dagRuns", json=body)["dag_run_id"]

    def runs(self, dag_id: str) -> list[dict]:
        return self.api("GET", f"/dags/{dag_id}/dagRuns", params={"limit": 100})["dag_runs"]

    def wait_for_runs(self, dag_id: str, n: int, timeout: float) -> list[dict]:
        """Wait until ``n`` runs of ``dag_id`` are finished (success or failed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            runs = self.runs(dag_id)
            done = [r for r in runs if r["state"] in ("success", "failed")]
            if len(done) >= n:
                return runs
            time.sleep(3)
        raise TimeoutError(f"{dag_id}: fewer than {n} finished runs after {timeout}s: "
                           f"{[(r['dag_run_id'], r['state']) for r in self.runs(dag_id)]}\n"
                           f"{self.tail('scheduler')}\n{self.tail_workers()}")

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float, states=("success", "failed")) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive()
            run = self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}")
            if run["state"] in states:
                return run
            time.sleep(3)
        raise TimeoutError(f"{dag_id} {run_id} not in {states} after {timeout}s: "
                           f"{[(t['task_id'], t['map_index'], t['state']) for t in self.task_instances(dag_id, run_id)]}"
                           f"\n{self.tail('scheduler')}\n{self.tail_workers()}")

    def clear_failed(self, dag_id: str, run_id: str) -> None:
        """The UI's "Clear Run → only failed tasks"."""
        self.api("POST", f"/dags/{dag_id}/dagRuns/{run_id}/clear", json={"dry_run": False, "only_failed": True})
        deadline = time.monotonic() + 60
        while self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}")["state"] == "failed" and time.monotonic() < deadline:
            time.sleep(1)

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        return self.api("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances")["task_instances"]

    def task_log(self, dag_id: str, run_id: str, task_id: str, try_number: int = 1, map_index: int = -1) -> str:
        r = requests.get(f"{self.url}/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/logs/{try_number}",
                         params={"map_index": map_index},
                         headers={**self._headers(), "Accept": "application/x-ndjson"}, timeout=30)
        lines = []
        for ln in r.text.splitlines():
            try:
                import json
                rec = json.loads(ln)
                lines.append(str(rec.get("event", rec)) if isinstance(rec, dict) else str(rec))
            except ValueError:
                lines.append(ln)
        return "\n".join(lines)
