"""The layering rules of ARCHITECTURE.md as contracts (pyproject.toml [tool.importlinter]):
pipelines never imports Scrapy, Airflow or DuckDB; spiders never import Airflow or the catalog;
newsarchive sits above spiders, above pipelines, above schemas."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_import_contract_is_kept():
    exe = Path(sys.executable).parent / "lint-imports"
    p = subprocess.run([str(exe)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-2000:]
    assert "0 broken" in p.stdout and "KEPT" in p.stdout


def test_a_forbidden_import_breaks_a_contract(tmp_path):
    """The check can fail: a copy of the config with pipelines allowed nothing external finds duckdb used
    where only newsarchive may use it (newsarchive.lake), i.e. the tool really reads the imports."""
    cfg = tmp_path / "contracts.toml"
    cfg.write_text('[tool.importlinter]\nroot_packages = ["newsarchive"]\ninclude_external_packages = true\n'
                   '[[tool.importlinter.contracts]]\nname = "no duckdb"\ntype = "forbidden"\n'
                   'source_modules = ["newsarchive.lake"]\nforbidden_modules = ["duckdb"]\n')
    exe = Path(sys.executable).parent / "lint-imports"
    p = subprocess.run([str(exe), "--config", str(cfg)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode != 0 and "BROKEN" in p.stdout
