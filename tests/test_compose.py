"""docker-compose.yml is valid, and README explains every service, port and volume in it."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
README = (ROOT / "README.md").read_text(encoding="utf-8")
STACK = README[README.index("## Production stack"):README.index("## Crawler")]


def test_compose_config_validates():
    exe = shutil.which("docker-compose")
    if not exe:
        pytest.skip("Debian's docker-compose is not installed (scripts/system-deps.sh installs it)")
    p = subprocess.run([exe, "--env-file", ".env.example", "config", "-q"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr


def test_minio_is_pinned_to_a_quay_release():
    for name in ("minio", "minio-init"):
        image = COMPOSE["services"][name]["image"]
        assert image.startswith("quay.io/minio/") and re.search(r":RELEASE\.\d{4}-", image), image


def test_every_service_port_and_volume_is_explained():
    for name, svc in COMPOSE["services"].items():
        assert f"`{name}`" in STACK, f"service {name} not in README 'Production stack'"
        for port in svc.get("ports", []):
            host_port = str(port).split(":")[0]
            assert f"`{host_port}`" in STACK, f"port {port} of {name} not explained"
    for vol in COMPOSE.get("volumes", {}):
        assert f"`{vol}`" in STACK, f"volume {vol} not explained"


def test_no_secrets_in_the_repo():
    env_example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for line in env_example.splitlines():
        if re.match(r"^[A-Z_]*(PASSWORD|SECRET|KEY)[A-Z_]*=", line):
            assert "CHANGE-ME" in line, line
    assert ".env" in (ROOT / ".gitignore").read_text().split()
