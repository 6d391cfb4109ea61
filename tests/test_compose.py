"""docker-compose.yml, the production recipe: valid; ports bound to 127.0.0.1 unless the operator says
otherwise; every secret required; least privilege (the pipeline and analysts have MinIO and PostgreSQL
users of their own, MinIO's root account stays with `minio` and `minio-init`); the FAB auth manager with
an admin from .env; README explains every service, port and volume.

Checks read what `docker-compose config` makes of the file (interpolated with an env file of our own),
run deploy/minio-init.sh against a stand-in `mc` that records its calls, and run deploy/postgres-init.sh
and airflow-init's command against databases and roles of our own on the machine's PostgreSQL.
"""
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
README = (ROOT / "README.md").read_text(encoding="utf-8")
STACK = README[README.index("## Production stack"):README.index("## Crawler")]
ENV_EXAMPLE = (ROOT / ".env.example").read_text(encoding="utf-8")
MINIO_INIT = ROOT / "deploy" / "minio-init.sh"
POSTGRES_INIT = ROOT / "deploy" / "postgres-init.sh"

FAB = "airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
#: Secrets docker-compose must refuse to start without (``${VAR:?…}`` at every use).
REQUIRED = {"POSTGRES_PASSWORD", "CATALOG_PIPELINE_PASSWORD", "CATALOG_ANALYST_PASSWORD",
            "AIRFLOW_FERNET_KEY", "AIRFLOW_API_SECRET_KEY", "AIRFLOW_JWT_SECRET", "AIRFLOW_ADMIN_PASSWORD",
            "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "MINIO_PIPELINE_PASSWORD", "MINIO_ANALYST_PASSWORD"}
#: Which services may see each secret's value (anything else is a leak of privilege).
ALLOWED = {
    "POSTGRES_PASSWORD": {"postgres", "postgres-init", "airflow-init", "airflow-apiserver", "airflow-scheduler",
                          "airflow-dag-processor", "airflow-triggerer", "airflow-worker"},
    "CATALOG_PIPELINE_PASSWORD": {"postgres-init", "airflow-worker"},
    "CATALOG_ANALYST_PASSWORD": {"postgres-init"},
    "MINIO_ROOT_USER": {"minio", "minio-init"},
    "MINIO_ROOT_PASSWORD": {"minio", "minio-init"},
    "MINIO_PIPELINE_PASSWORD": {"minio-init", "airflow-worker"},
    "MINIO_ANALYST_PASSWORD": {"minio-init"},
    "AIRFLOW_ADMIN_PASSWORD": {"airflow-init"},
}
AIRFLOW_SERVICES = {"airflow-init", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
                    "airflow-triggerer", "airflow-worker"}


# ----------------------------------------------------------------------------- helpers
def _docker_compose() -> str:
    exe = shutil.which("docker-compose")
    if not exe:
        pytest.skip("Debian's docker-compose is not installed (scripts/system-deps.sh installs it)")
    return exe


def _clean_env() -> dict:
    """No variable of ours from the calling shell: they would override the env file."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "C.UTF-8"}


def compose_config(env_file: Path | str) -> subprocess.CompletedProcess:
    return subprocess.run([_docker_compose(), "--env-file", str(env_file), "config"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, env=_clean_env())


def env_values(text: str = ENV_EXAMPLE) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            k, v = line.split("=", 1)
            out[k.strip()] = v.strip()
    return out


def write_env(path: Path, values: dict[str, str]) -> Path:
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    return path


@pytest.fixture
def filled(tmp_path) -> tuple[Path, dict[str, str]]:
    """.env.example with every CHANGE-ME replaced by a distinct random value (made up, thrown away)."""
    vals = env_values()
    for k, v in vals.items():
        if "CHANGE-ME" in v:
            vals[k] = f"t{secrets.token_hex(12)}"
    vals["MINIO_ROOT_USER"] = f"root{secrets.token_hex(6)}"
    return write_env(tmp_path / "filled.env", vals), vals


def config_of(env_file: Path) -> dict:
    p = compose_config(env_file)
    assert p.returncode == 0, p.stderr[-2000:]
    return yaml.safe_load(p.stdout)


def published(port) -> tuple[str, int, int]:
    """(host address, published, target) of a `ports` entry in either form `config` prints."""
    if isinstance(port, dict):
        return port.get("host_ip", "0.0.0.0"), int(port["published"]), int(port["target"])
    spec = str(port).split("/")[0]
    parts = spec.rsplit(":", 2)
    if len(parts) == 2:
        parts = ["0.0.0.0", *parts]
    return parts[0], int(parts[1]), int(parts[2])


# ----------------------------------------------------------------------------- the file
def test_compose_config_validates():
    p = subprocess.run([_docker_compose(), "--env-file", ".env.example", "config", "-q"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60, env=_clean_env())
    assert p.returncode == 0, p.stderr


def test_minio_is_pinned_to_a_quay_release():
    for name in ("minio", "minio-init"):
        image = COMPOSE["services"][name]["image"]
        assert image.startswith("quay.io/minio/") and re.search(r":RELEASE\.\d{4}-", image), image


def test_published_ports_bind_to_localhost_unless_the_operator_says_otherwise(tmp_path, filled):
    env_file, vals = filled
    assert "NEWSARCHIVE_BIND" not in vals          # commented out in .env.example: the default applies
    cfg = config_of(env_file)
    ports = {(name, published(p)) for name, svc in cfg["services"].items() for p in svc.get("ports", [])}
    assert {(n, pub) for n, (_, pub, _) in ports} == {
        ("postgres", 5432), ("minio", 9000), ("minio", 9001), ("airflow-apiserver", 8080)}
    for name, (host, pub, _) in ports:
        assert host == "127.0.0.1", f"{name} publishes {pub} on {host}"
    wide = config_of(write_env(tmp_path / "wide.env", {**vals, "NEWSARCHIVE_BIND": "0.0.0.0"}))
    hosts = {published(p)[0] for svc in wide["services"].values() for p in svc.get("ports", [])}
    assert hosts == {"0.0.0.0"}
    # Redis and the health endpoints stay inside the compose network.
    assert "ports" not in cfg["services"]["redis"]


def test_every_secret_is_required_at_every_use():
    body = re.sub(r"(?m)^\s*#.*$", "", COMPOSE_TEXT)             # comments aside
    uses = re.findall(r"(?<!\$)\$\{([A-Z0-9_]+)(:\?|:-|-|\?|)([^}]*)\}", body)
    secretish = {v for v, _, _ in uses if re.search(r"PASSWORD|SECRET|FERNET", v)}
    assert secretish <= REQUIRED, f"secrets with a default or none: {secretish - REQUIRED}"
    for var in REQUIRED:
        forms = {op for v, op, _ in uses if v == var}
        assert forms == {":?"}, f"{var} is used as {forms}, not only as ${{{var}:?…}}"
    for var, _, _ in uses:
        if var in REQUIRED:
            continue
        assert var in ENV_EXAMPLE, f"{var} is not documented in .env.example"


@pytest.mark.parametrize("var", sorted(REQUIRED))
def test_config_refuses_to_run_without_a_required_secret(tmp_path, filled, var):
    _, vals = filled
    missing = {k: v for k, v in vals.items() if k != var}
    p = compose_config(write_env(tmp_path / "missing.env", missing))
    assert p.returncode != 0 and f"set {var} in .env" in p.stderr, (p.returncode, p.stderr[-500:])
    p = compose_config(write_env(tmp_path / "empty.env", {**vals, var: ""}))
    assert p.returncode != 0 and f"set {var} in .env" in p.stderr


def test_secrets_reach_only_the_services_that_need_them(filled):
    env_file, vals = filled
    services = config_of(env_file)["services"]
    for var, allowed in ALLOWED.items():
        seen = {name for name, svc in services.items() if vals[var] in json.dumps(svc)}
        assert seen == allowed, f"{var}: in {sorted(seen)}, expected {sorted(allowed)}"


def test_the_pipeline_has_its_own_credentials_and_the_archive_settings(filled):
    env_file, vals = filled
    services = config_of(env_file)["services"]
    worker = services["airflow-worker"]["environment"]
    assert worker["NEWSARCHIVE_STORE"] == vals["NEWSARCHIVE_STORE"] == "s3://newsarchive/archive"
    assert worker["NEWSARCHIVE_S3_ENDPOINT"] == "http://minio:9000"
    assert worker["AWS_ACCESS_KEY_ID"] == vals["MINIO_PIPELINE_USER"] != vals["MINIO_ROOT_USER"]
    assert worker["AWS_SECRET_ACCESS_KEY"] == vals["MINIO_PIPELINE_PASSWORD"]
    assert worker["NEWSARCHIVE_CATALOG"] == (f"postgres:dbname={vals['CATALOG_DB']} host=postgres "
                                             f"user={vals['CATALOG_PIPELINE_USER']}")
    assert worker["PGPASSWORD"] == vals["CATALOG_PIPELINE_PASSWORD"]
    # minio-init scopes the users' policies to the same store the workers write.
    assert services["minio-init"]["environment"]["NEWSARCHIVE_STORE"] == worker["NEWSARCHIVE_STORE"]
    pg = services["postgres-init"]["environment"]
    assert (pg["CATALOG_DB"], pg["CATALOG_PIPELINE_USER"]) == (vals["CATALOG_DB"], vals["CATALOG_PIPELINE_USER"])
    # No other Airflow service holds storage or catalog credentials.
    for name in AIRFLOW_SERVICES - {"airflow-worker"}:
        env = services[name]["environment"]
        assert not {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "PGPASSWORD"} & set(env), name
    # Every Airflow service waits for both init services.
    for name in AIRFLOW_SERVICES:
        deps = services[name]["depends_on"]
        for init in ("minio-init", "postgres-init"):
            assert deps[init]["condition"] == "service_completed_successfully", (name, init)


def test_alert_settings_are_optional_and_reach_the_callbacks(tmp_path, filled):
    """.env.example's commented alert settings, uncommented, reach the worker and the dag-processor
    intact (a connection as JSON parses); left commented, they are empty (no such connection)."""
    _, vals = filled
    alerts = {}
    for var in ("AIRFLOW_CONN_NEWSARCHIVE_SMTP", "AIRFLOW_CONN_NEWSARCHIVE_APPRISE", "NEWSARCHIVE_ALERT_TO",
                "NEWSARCHIVE_REPORT_BASE_URL"):
        m = re.search(rf"^#{var}=(.*)$", ENV_EXAMPLE, re.M)
        assert m, f"{var}: no commented placeholder in .env.example"
        alerts[var] = m.group(1)
    services = config_of(write_env(tmp_path / "alerts.env", {**vals, **alerts}))["services"]
    for name in ("airflow-worker", "airflow-dag-processor"):
        env = services[name]["environment"]
        assert json.loads(env["AIRFLOW_CONN_NEWSARCHIVE_SMTP"])["conn_type"] == "smtp"
        assert json.loads(env["AIRFLOW_CONN_NEWSARCHIVE_APPRISE"])["extra"]["config"]["path"].startswith("json://")
        assert env["NEWSARCHIVE_ALERT_TO"] == alerts["NEWSARCHIVE_ALERT_TO"]
    quiet = config_of(write_env(tmp_path / "quiet.env", vals))["services"]["airflow-worker"]["environment"]
    assert all(quiet[var] == "" for var in alerts)


def test_the_auth_manager_is_fab_and_airflow_init_creates_the_admin(filled):
    env_file, vals = filled
    services = config_of(env_file)["services"]
    for name in AIRFLOW_SERVICES:
        env = services[name]["environment"]
        assert env["AIRFLOW__CORE__AUTH_MANAGER"] == FAB, name
        assert not [k for k in env if "SIMPLE_AUTH_MANAGER" in k], name
        assert env["AIRFLOW__API__SECRET_KEY"] == vals["AIRFLOW_API_SECRET_KEY"]
        assert env["AIRFLOW__API_AUTH__JWT_SECRET"] == vals["AIRFLOW_JWT_SECRET"]
    init = services["airflow-init"]
    script = " ".join(init["command"]).replace("$$", "$")
    assert re.search(r"airflow db migrate &&.*airflow users create --role Admin", script), script
    for opt, var in (("--username", "AIRFLOW_ADMIN_USER"), ("--password", "AIRFLOW_ADMIN_PASSWORD"),
                     ("--email", "AIRFLOW_ADMIN_EMAIL")):
        assert f'{opt} "${var}"' in script
        assert init["environment"][var] == vals[var]
    assert "airflow pools set newsarchive_publish 1" in script
    # The image installs requirements.lock: the FAB provider must be in it.
    assert re.search(r"^apache-airflow-providers-fab==", (ROOT / "requirements.lock").read_text(), re.M)


def test_every_service_port_and_volume_is_explained(filled):
    env_file, _ = filled
    cfg = config_of(env_file)
    for name, svc in cfg["services"].items():
        assert f"`{name}`" in STACK, f"service {name} not in README 'Production stack'"
        for port in svc.get("ports", []):
            assert f"`{published(port)[1]}`" in STACK, f"port {port} of {name} not explained"
    for vol in cfg.get("volumes", {}):
        assert f"`{vol}`" in STACK, f"volume {vol} not explained"


def test_no_secrets_in_the_repo():
    for line in ENV_EXAMPLE.splitlines():
        if re.match(r"^[A-Z_]*(PASSWORD|SECRET|KEY)[A-Z_]*=", line):
            assert "CHANGE-ME" in line, line
    for var in REQUIRED - {"MINIO_ROOT_USER"}:
        assert "CHANGE-ME" in env_values()[var], var
    assert ".env" in (ROOT / ".gitignore").read_text().split()


# ----------------------------------------------------------------------------- minio-init
FAKE_MC = """#!{python}
import json, os, sys
args = sys.argv[1:]
rec = {{"args": args}}
if args[:3] == ["admin", "policy", "create"]:
    rec["policy"] = json.load(open(args[5]))
with open(os.environ["MC_LOG"], "a") as f:
    f.write(json.dumps(rec) + "\\n")
sys.exit(1 if os.environ.get("MC_FAIL") and " ".join(args).startswith(os.environ["MC_FAIL"]) else 0)
"""


def run_minio_init(tmp_path, **env) -> tuple[subprocess.CompletedProcess, list[dict]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "mc").write_text(FAKE_MC.format(python=sys.executable))
    (bin_dir / "mc").chmod(0o755)
    log = tmp_path / "mc.log"
    log.write_text("")
    base = {"MINIO_ROOT_USER": "rootuser", "MINIO_ROOT_PASSWORD": "root-pass-123",
            "MINIO_PIPELINE_USER": "newsarchive-pipeline", "MINIO_PIPELINE_PASSWORD": "pipe-pass-123",
            "MINIO_ANALYST_USER": "analyst", "MINIO_ANALYST_PASSWORD": "analyst-pass-123",
            "NEWSARCHIVE_STORE": "s3://newsarchive/archive"}
    full = {**_clean_env(), **base, **env, "PATH": f"{bin_dir}:{os.environ['PATH']}", "MC_LOG": str(log)}
    full = {k: v for k, v in full.items() if v is not None}
    p = subprocess.run(["sh", str(MINIO_INIT)], capture_output=True, text=True, timeout=60, env=full)
    return p, [json.loads(line) for line in log.read_text().splitlines()]


def _allowed(policy: dict) -> dict[str, set[str]]:
    """resource -> actions the policy allows."""
    out: dict[str, set[str]] = {}
    for st in policy["Statement"]:
        assert st["Effect"] == "Allow" and "Condition" not in st
        for res in st["Resource"]:
            out.setdefault(res, set()).update(st["Action"])
    return out


def test_minio_init_creates_two_users_with_their_own_policies(tmp_path):
    p, calls = run_minio_init(tmp_path)
    assert p.returncode == 0, p.stderr
    args = [c["args"] for c in calls]
    assert args[0] == ["alias", "set", "local", "http://minio:9000", "rootuser", "root-pass-123"]
    assert ["mb", "--ignore-existing", "local/newsarchive"] in args
    assert ["version", "enable", "local/newsarchive"] in args
    assert ["admin", "user", "add", "local", "newsarchive-pipeline", "pipe-pass-123"] in args
    assert ["admin", "user", "add", "local", "analyst", "analyst-pass-123"] in args
    assert ["admin", "policy", "attach", "local", "newsarchive-pipeline", "--user", "newsarchive-pipeline"] in args
    assert ["admin", "policy", "attach", "local", "newsarchive-analyst", "--user", "analyst"] in args
    # Root's credentials are used to log in, and for nothing else.
    assert not [a for a in args[1:] if "rootuser" in a or "root-pass-123" in a]
    policies = {c["args"][4]: c["policy"] for c in calls if c["args"][:3] == ["admin", "policy", "create"]}
    # Each policy is created before it is attached (attach of an unknown policy fails).
    assert max(i for i, a in enumerate(args) if a[:3] == ["admin", "policy", "create"]) < \
        min(i for i, a in enumerate(args) if a[:3] == ["admin", "policy", "attach"])
    bucket, objects = "arn:aws:s3:::newsarchive", "arn:aws:s3:::newsarchive/archive/*"
    assert _allowed(policies["newsarchive-pipeline"]) == {
        bucket: {"s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"},
        objects: {"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
                  "s3:ListMultipartUploadParts"}}
    assert _allowed(policies["newsarchive-analyst"]) == {
        bucket: {"s3:GetBucketLocation", "s3:ListBucket"}, objects: {"s3:GetObject"}}
    # Secrets are not echoed.
    for secret in ("root-pass-123", "pipe-pass-123", "analyst-pass-123"):
        assert secret not in p.stdout + p.stderr


def test_minio_init_scopes_policies_to_the_store(tmp_path):
    p, calls = run_minio_init(tmp_path, NEWSARCHIVE_STORE="s3://other-bucket/deep/prefix/")
    assert p.returncode == 0, p.stderr
    pol = {c["args"][4]: c["policy"] for c in calls if c["args"][:3] == ["admin", "policy", "create"]}
    assert set(_allowed(pol["newsarchive-analyst"])) == {"arn:aws:s3:::other-bucket",
                                                         "arn:aws:s3:::other-bucket/deep/prefix/*"}
    assert ["mb", "--ignore-existing", "local/other-bucket"] in [c["args"] for c in calls]
    p, calls = run_minio_init(tmp_path, NEWSARCHIVE_STORE="s3://whole-bucket")
    pol = {c["args"][4]: c["policy"] for c in calls if c["args"][:3] == ["admin", "policy", "create"]}
    assert set(_allowed(pol["newsarchive-pipeline"])) == {"arn:aws:s3:::whole-bucket",
                                                          "arn:aws:s3:::whole-bucket/*"}


@pytest.mark.parametrize("env, message", [
    ({"MINIO_PIPELINE_USER": "rootuser"}, "must not be MINIO_ROOT_USER"),
    ({"MINIO_ANALYST_USER": "newsarchive-pipeline"}, "must differ"),
    ({"MINIO_ANALYST_PASSWORD": "short"}, "at least 8 characters"),
    ({"NEWSARCHIVE_STORE": "/opt/airflow/data"}, "must be s3://"),
    ({"MINIO_PIPELINE_PASSWORD": None}, "MINIO_PIPELINE_PASSWORD is not set"),
])
def test_minio_init_refuses_bad_settings_before_touching_minio(tmp_path, env, message):
    p, calls = run_minio_init(tmp_path, **env)
    assert p.returncode != 0 and message in p.stderr, p.stderr
    assert calls == []


def test_minio_init_stops_at_the_first_failure(tmp_path):
    p, calls = run_minio_init(tmp_path, MC_FAIL="admin policy create")
    assert p.returncode != 0
    assert not [c for c in calls if c["args"][:2] == ["admin", "user"]]


# ----------------------------------------------------------------------------- postgres-init
def test_postgres_init_sql_grants():
    """What the real run below proves, for machines without PostgreSQL."""
    sql = POSTGRES_INIT.read_text(encoding="utf-8")
    for needle in ("CREATE DATABASE %I OWNER %I", 'ALTER DATABASE :"catalog_db" OWNER TO :"pipeline_role"',
                   'REVOKE ALL ON DATABASE :"catalog_db" FROM PUBLIC',
                   'GRANT CONNECT ON DATABASE :"catalog_db" TO :"analyst_role"',
                   'GRANT SELECT ON ALL TABLES IN SCHEMA public TO :"analyst_role"',
                   'ALTER DEFAULT PRIVILEGES FOR ROLE :"pipeline_role" GRANT SELECT ON TABLES TO :"analyst_role"',
                   "default_transaction_read_only = on", "\\getenv pipeline_password CATALOG_PIPELINE_PASSWORD"):
        assert needle in sql, needle
    assert not re.search(r"GRANT (ALL|INSERT|UPDATE|DELETE|CREATE)[^;]*analyst_role", sql)


@pytest.fixture
def pg_admin():
    psycopg = pytest.importorskip("psycopg")
    if not shutil.which("psql"):
        pytest.skip("no psql client")
    try:
        con = psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL on 127.0.0.1:5432: {exc}")
    yield con
    con.close()


@pytest.fixture
def catalog_setup(pg_admin):
    """Names of our own (databases and roles, all dropped afterwards) and postgres-init's environment."""
    tag = f"newsarchive_test_{uuid.uuid4().hex[:10]}"
    names = {"meta": f"{tag}_meta", "db": tag, "pipe": f"{tag}_pipe", "ana": f"{tag}_ana"}
    pg_admin.execute(f'CREATE DATABASE "{names["meta"]}"')
    env = {**_clean_env(), "PGHOST": "127.0.0.1", "PGUSER": "postgres", "PGDATABASE": names["meta"],
           "CATALOG_DB": names["db"], "CATALOG_PIPELINE_USER": names["pipe"],
           "CATALOG_PIPELINE_PASSWORD": secrets.token_hex(12), "CATALOG_ANALYST_USER": names["ana"],
           "CATALOG_ANALYST_PASSWORD": secrets.token_hex(12)}
    try:
        yield names, env
    finally:
        for db in (names["db"], names["meta"]):
            pg_admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        for role in (names["pipe"], names["ana"]):
            pg_admin.execute(f'DROP ROLE IF EXISTS "{role}"')


def run_postgres_init(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", str(POSTGRES_INIT)], capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.slow
def test_postgres_init_on_a_real_server(catalog_setup, tmp_path):
    """The machine's PostgreSQL trusts 127.0.0.1, so this proves grants, not passwords."""
    import psycopg
    from psycopg import errors

    from newsarchive.lake import open_reader, open_writer
    from pipelines.storage import Store

    names, env = catalog_setup
    for _ in range(2):                               # it runs at every `docker-compose up`
        p = run_postgres_init(env)
        assert p.returncode == 0, p.stderr
    assert env["CATALOG_PIPELINE_PASSWORD"] not in p.stdout + p.stderr

    def connect(role, db=names["db"]):
        return psycopg.connect(f"host=127.0.0.1 dbname={db} user={role}", autocommit=True, connect_timeout=5)

    # The pipeline: DuckLake creates its tables in the new database, under the advisory writer lock.
    root = tmp_path / "store"
    pipe_store = Store(str(root), catalog=f"postgres:dbname={names['db']} host=127.0.0.1 user={names['pipe']}")
    with open_writer(pipe_store) as lake:
        lake.write(lambda con: con.execute("CREATE TABLE probe AS SELECT 42 AS answer"))
    with connect(names["pipe"]) as pipe:
        assert pipe.execute("SELECT pg_try_advisory_lock(1, 2)").fetchone()[0] is True
        n_tables = pipe.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
                                "AND tableowner = current_user").fetchone()[0]
    assert n_tables > 5

    # The analyst: reads the archive through DuckLake, and cannot change anything.
    ana_store = Store(str(root), catalog=f"postgres:dbname={names['db']} host=127.0.0.1 user={names['ana']}")
    with open_reader(ana_store) as lake:
        assert lake.rows("SELECT answer FROM probe") == [{"answer": 42}]
    with connect(names["ana"]) as ana:
        table = ana.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' LIMIT 1").fetchone()[0]
        ana.execute(f'SELECT * FROM public."{table}" LIMIT 1')
        ana.execute("SET default_transaction_read_only = off")     # a session may; privileges still hold
        with pytest.raises(errors.InsufficientPrivilege):
            ana.execute(f'DELETE FROM public."{table}"')
        with pytest.raises(errors.InsufficientPrivilege):
            ana.execute("CREATE TABLE public.mine (x int)")
        with pytest.raises(errors.InsufficientPrivilege):
            ana.execute("SELECT pg_try_advisory_lock(1, 2)")   # no holding the pipeline's writer lock
        with pytest.raises(errors.InsufficientPrivilege):
            ana.execute("CREATE SCHEMA mine")
    with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
        connect(names["ana"], names["meta"])                      # not Airflow's database


@pytest.mark.parametrize("clash", ["same roles", "superuser", "metadata db"])
def test_postgres_init_refuses_to_demote_the_admin_or_share_a_role(catalog_setup, clash, pg_admin):
    names, env = catalog_setup
    if clash == "same roles":
        env["CATALOG_ANALYST_USER"] = env["CATALOG_PIPELINE_USER"]
    elif clash == "superuser":
        env["CATALOG_PIPELINE_USER"] = "postgres"
    else:
        env["CATALOG_DB"] = names["meta"]
    p = run_postgres_init(env)
    assert p.returncode != 0 and "must be two different roles" in p.stderr, p.stderr
    assert pg_admin.execute("SELECT rolsuper FROM pg_roles WHERE rolname = 'postgres'").fetchone()[0] is True
    assert pg_admin.execute("SELECT count(*) FROM pg_roles WHERE rolname = ANY(%s)",
                            [[names["pipe"], names["ana"]]]).fetchone()[0] == 0


# ----------------------------------------------------------------------------- airflow-init
@pytest.mark.slow
def test_airflow_init_creates_the_fab_admin(pg_admin, filled, tmp_path):
    """airflow-init's command as docker-compose runs it (FAB auth manager), on a metadata database
    of our own: migrate, admin from .env, publish pool; a second start leaves the admin as it was."""
    env_file, vals = filled
    init = config_of(env_file)["services"]["airflow-init"]
    db = f"newsarchive_test_{uuid.uuid4().hex[:10]}_airflow"
    pg_admin.execute(f'CREATE DATABASE "{db}"')
    try:
        env = {**_clean_env(), **{k: str(v) for k, v in init["environment"].items()},
               "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "AIRFLOW_HOME": str(tmp_path),
               "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg2://postgres@127.0.0.1:5432/{db}",
               "AIRFLOW__CORE__DAGS_FOLDER": str(tmp_path / "dags"), "AIRFLOW__CORE__FERNET_KEY": ""}
        cmd = [part.replace("$$", "$") for part in init["command"]]
        for _ in range(2):
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env, cwd=tmp_path)
            assert p.returncode == 0, p.stderr[-3000:]
            assert vals["AIRFLOW_ADMIN_PASSWORD"] not in p.stdout + p.stderr
        import psycopg
        from werkzeug.security import check_password_hash
        with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={db}") as con:
            users = con.execute("SELECT u.username, u.email, u.active, u.password, r.name FROM ab_user u "
                                "JOIN ab_user_role ur ON ur.user_id = u.id JOIN ab_role r ON r.id = ur.role_id"
                                ).fetchall()
            pools = con.execute("SELECT pool, slots FROM slot_pool WHERE pool = 'newsarchive_publish'").fetchall()
        assert [(u, e, a, r) for u, e, a, _, r in users] == [
            (vals["AIRFLOW_ADMIN_USER"], vals["AIRFLOW_ADMIN_EMAIL"], True, "Admin")]
        assert check_password_hash(users[0][3], vals["AIRFLOW_ADMIN_PASSWORD"])
        assert pools == [("newsarchive_publish", 1)]
    finally:
        pg_admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
