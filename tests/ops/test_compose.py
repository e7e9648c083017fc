"""docker-compose.yml and its image, checked without a Docker engine: the structure a municipality's
`docker compose up` relies on, and that no secret is written in the repo (they come from .env).
"""
from __future__ import annotations

import base64
import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
AIRFLOW_SERVICES = {"airflow-apiserver": "api-server", "airflow-scheduler": "scheduler",
                    "airflow-dag-processor": "dag-processor", "airflow-triggerer": "triggerer",
                    "airflow-worker": "celery"}
METADATA_DB, BROKER, WAREHOUSE = "postgres", "redis", "warehouse"
REQUIRED = re.compile(r"\$\{([A-Z][A-Z0-9_]*):\?[^}]*\}")  # ${VAR:?message}: Compose refuses to start without VAR
ANY_REF = re.compile(r"(?<!\$)\$\{([A-Z][A-Z0-9_]*)(?::?[-?][^}]*)?\}")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|PSEUDONYM|TOKEN|_KEY$|^AIRFLOW_CONN_|SQL_ALCHEMY_CONN|RESULT_BACKEND")
DOCKERFILE = (REPO / "docker" / "Dockerfile").read_text()
RAW = "\n".join(line for line in (REPO / "docker-compose.yml").read_text().splitlines() if not line.lstrip().startswith("#"))
"""The compose file without its comments."""


def env(service: str) -> dict[str, str]:
    return {k: str(v) for k, v in (SERVICES[service].get("environment") or {}).items()}


def mounts(service: str) -> dict[str, str]:
    """Container path → source of every volume of a service."""
    found = {}
    for volume in SERVICES[service].get("volumes", []):
        source, target = _volume_parts(volume)[:2]
        found[target] = source
    return found


def _volume_parts(volume: str) -> list[str]:
    """SOURCE:TARGET[:MODE], where SOURCE may be ${VAR:-default} (a colon inside)."""
    refs = re.findall(r"\$\{[^}]*\}", volume)
    masked = re.sub(r"\$\{[^}]*\}", "\0", volume)
    parts = masked.split(":")
    return [re.sub("\0", lambda _: refs.pop(0), p) for p in parts]


def strings(node):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)
    elif isinstance(node, str):
        yield node


def test_the_standard_airflow_3_services_and_the_warehouse():
    assert set(AIRFLOW_SERVICES) | {"airflow-init", METADATA_DB, BROKER, WAREHOUSE} <= set(SERVICES)
    for service, command in AIRFLOW_SERVICES.items():
        assert SERVICES[service]["command"][0] == command, service
    assert SERVICES["airflow-worker"]["command"] == ["celery", "worker"]
    assert SERVICES[METADATA_DB]["image"].startswith("postgres:")
    assert SERVICES[WAREHOUSE]["image"] == "postgres:15"  # the production warehouse's engine (README)
    assert SERVICES[BROKER]["image"].startswith("redis:")


@pytest.mark.parametrize("service", [*AIRFLOW_SERVICES, "airflow-init"])
def test_every_airflow_service_runs_the_one_image_built_from_the_repo_with_celery(service):
    first = SERVICES["airflow-apiserver"]
    s = SERVICES[service]
    assert s["image"] == first["image"] and s["build"] == first["build"]
    assert s["build"] == {"context": ".", "dockerfile": "docker/Dockerfile", "args": {"AIRFLOW_UID": "${AIRFLOW_UID:-50000}"}}
    e = env(service)
    assert e["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    for shared in ("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", "AIRFLOW__CELERY__BROKER_URL", "AIRFLOW__CELERY__RESULT_BACKEND",
                   "AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__CORE__EXECUTION_API_SERVER_URL",
                   "AIRFLOW__CORE__DAGS_FOLDER", "TRAPPE_INBOX", "TRAPPE_DATA_DIR", "TRAPPE_OUTBOX"):
        assert e[shared] == env("airflow-apiserver")[shared], (service, shared)
    assert f"@{METADATA_DB}:5432/" in e["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert e["AIRFLOW__CELERY__BROKER_URL"].startswith(f"redis://{BROKER}:6379/")
    assert e["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://airflow-apiserver:8080/execution/"


@pytest.mark.parametrize("service", list(AIRFLOW_SERVICES))
def test_airflow_services_wait_for_a_healthy_broker_and_metadata_db_and_the_migration(service):
    depends = SERVICES[service]["depends_on"]
    assert depends[BROKER] == {"condition": "service_healthy"}
    assert depends[METADATA_DB] == {"condition": "service_healthy"}
    assert depends["airflow-init"] == {"condition": "service_completed_successfully"}
    assert SERVICES["airflow-init"]["depends_on"][METADATA_DB] == {"condition": "service_healthy"}
    assert "airflow db migrate" in "\n".join(SERVICES["airflow-init"]["command"])


def test_the_worker_waits_for_the_warehouse_and_the_api_server():
    depends = SERVICES["airflow-worker"]["depends_on"]
    assert depends[WAREHOUSE] == {"condition": "service_healthy"}
    assert depends["airflow-apiserver"] == {"condition": "service_healthy"}  # tasks talk to the execution API


@pytest.mark.parametrize("service", [s for s in SERVICES if s != "airflow-init"])
def test_every_long_running_service_has_a_health_check(service):
    check = SERVICES[service]["healthcheck"]
    assert check["test"][0] in ("CMD", "CMD-SHELL") and check["interval"] and check["retries"] >= 3


@pytest.mark.parametrize("service", [*AIRFLOW_SERVICES, "airflow-init"])
def test_dags_plugins_inbox_data_outbox_and_logs_are_mounted(service):
    m = mounts(service)
    e = env(service)
    assert m.get(e["AIRFLOW__CORE__DAGS_FOLDER"]) == "./dags"
    assert m.get(e["AIRFLOW__CORE__PLUGINS_FOLDER"]) == "./plugins"
    assert m.get(e["TRAPPE_INBOX"]) == "${TRAPPE_HOST_INBOX:-./data/inbox}"
    assert m.get(e["TRAPPE_DATA_DIR"]) == "${TRAPPE_HOST_DATA:-./data/compose}"
    assert m.get(e["TRAPPE_OUTBOX"]) == "${TRAPPE_HOST_OUTBOX:-./outbox}"
    assert m.get("/opt/airflow/logs") == "airflow-logs"  # the api-server reads the workers' task logs from it
    inbox = next(_volume_parts(v) for v in SERVICES[service]["volumes"] if _volume_parts(v)[1] == e["TRAPPE_INBOX"])
    assert inbox[2:] == ["ro"], "the pipeline never writes into the inbox"
    # The image installs the package editable at /opt/trappe; the mounted dags/ and plugins/ replace its copies.
    assert e["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/trappe/dags" and "WORKDIR /opt/trappe" in DOCKERFILE


def test_the_worker_alone_gets_the_pseudonymisation_key_and_the_warehouse_connection_from_env():
    worker = env("airflow-worker")
    assert REQUIRED.fullmatch(worker["TRAPPE_PSEUDONYM_KEY"]).group(1) == "TRAPPE_PSEUDONYM_KEY"
    conn = worker["AIRFLOW_CONN_TRAPPE_WAREHOUSE"]
    assert re.fullmatch(r"postgresql\+psycopg://trappe:\$\{TRAPPE_WAREHOUSE_PASSWORD:\?[^}]*\}@warehouse:5432/trappe", conn)
    assert REQUIRED.fullmatch(env(WAREHOUSE)["POSTGRES_PASSWORD"]).group(1) == "TRAPPE_WAREHOUSE_PASSWORD"
    for service in SERVICES:
        if service != "airflow-worker":
            assert not {"TRAPPE_PSEUDONYM_KEY", "AIRFLOW_CONN_TRAPPE_WAREHOUSE"} & set(env(service)), service


def test_no_literal_secret_in_the_compose_file():
    """Every secret-looking variable takes its value from ${VAR:?...}; no URL carries a literal password."""
    for service in SERVICES:
        for name, value in env(service).items():
            if SECRET_NAME.search(name) and not name.endswith("_FILE"):
                secret_refs = [v for v in REQUIRED.findall(value) if SECRET_NAME.search(v)]
                assert secret_refs, f"{service}: {name} holds no ${{SECRET:?}} reference"
    for text in strings(COMPOSE):
        for user_and_password in re.findall(r"://([^/@\s]*)@", text):
            _, _, password = user_and_password.partition(":")
            assert not password or REQUIRED.fullmatch(password), f"literal password in {text!r}"
        assert not re.search(r"(?<![0-9a-fA-F])[0-9a-fA-F]{24,}(?![0-9a-fA-F])", text), f"a key-like literal in {text!r}"
    assert not re.search(r"(?i)(password|secret|key)\s*[:=]\s*['\"]?[A-Za-z0-9+/_-]{12,}", re.sub(r"\$\{[^}]*\}", "", RAW))


def test_published_ports_listen_on_loopback_only():
    published = [(s, p) for s, svc in SERVICES.items() for p in svc.get("ports", [])]
    assert {s for s, _ in published} == {"airflow-apiserver", WAREHOUSE}
    for service, port in published:
        assert str(port).startswith("127.0.0.1:"), (service, port)


def test_the_env_file_is_git_ignored_and_documented_by_an_example_without_secrets():
    ignored = subprocess.run(["git", "check-ignore", "--no-index", "-q", ".env"], cwd=REPO).returncode == 0 \
        if (REPO / ".git").exists() else ".env" in (REPO / ".gitignore").read_text().split()
    assert ignored, ".env must be git-ignored"
    example = dict(re.findall(r"(?m)^([A-Z][A-Z0-9_]*)=(.*)$", (REPO / ".env.example").read_text()))
    required = set(REQUIRED.findall(RAW))
    assert required and required <= set(example), required - set(example)
    for name in required:
        assert example[name] == "", f".env.example must not hold a value for the secret {name}"
    assert set(ANY_REF.findall(RAW)) <= set(example), set(ANY_REF.findall(RAW)) - set(example)


def test_make_env_writes_every_secret_once_and_never_overwrites(tmp_path):
    target = tmp_path / ".env"
    env_vars = {k: v for k, v in os.environ.items() if k != "TRAPPE_PSEUDONYM_KEY"}
    first = subprocess.run(["bash", str(REPO / "docker" / "make-env.sh"), str(target)], capture_output=True, text=True, env=env_vars)
    assert first.returncode == 0, first.stderr
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    values = dict(re.findall(r"(?m)^([A-Z][A-Z0-9_]*)=(.*)$", target.read_text()))
    required = set(REQUIRED.findall(RAW))
    for name in required:
        assert len(values[name]) >= 32, name
        if "PASSWORD" in name:
            assert re.fullmatch(r"[0-9a-f]+", values[name]), "passwords go into URLs unescaped"
    assert len(set(values[n] for n in required)) == len(required), "every secret is its own"
    assert len(base64.urlsafe_b64decode(values["AIRFLOW_FERNET_KEY"])) == 32
    before = target.read_text()
    again = subprocess.run(["bash", str(REPO / "docker" / "make-env.sh"), str(target)], capture_output=True, text=True, env=env_vars)
    assert again.returncode != 0 and target.read_text() == before  # the pseudonymisation key never changes
    kept = tmp_path / "kept.env"
    given = subprocess.run(["bash", str(REPO / "docker" / "make-env.sh"), str(kept)], capture_output=True, text=True,
                           env={**env_vars, "TRAPPE_PSEUDONYM_KEY": "the-municipality-s-existing-key"})
    assert given.returncode == 0 and "TRAPPE_PSEUDONYM_KEY=the-municipality-s-existing-key\n" in kept.read_text()


def test_the_image_installs_the_pinned_tree_and_the_package():
    install = re.search(r"RUN pip install (.*?)(?:&&|\n\n|$)", DOCKERFILE.replace("\\\n", " "), re.S).group(1)
    assert "--constraint constraints.txt" in install and "--constraint docker/constraints-celery.txt" in install
    assert "--editable ." in install and "apache-airflow-providers-celery" in install
    python = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    assert python == ">=3.11,<3.12" and "python:3.11-" in DOCKERFILE
    assert re.search(r"(?m)^USER \$\{AIRFLOW_UID\}:0$", DOCKERFILE), "Airflow does not run as root"
    copied = re.findall(r"(?m)^COPY (.+) \S+$", DOCKERFILE)
    sources = {s for line in copied for s in line.split()}
    assert not {s for s in sources if s.startswith((".env", "data", "inbox", "outbox", ".git"))}, sources


def test_the_celery_pins_add_to_constraints_and_override_none():
    def pins(path: Path) -> dict[str, str]:
        out = {}
        for line in path.read_text().splitlines():
            line = line.split("#")[0].strip()
            if line:
                name, _, version = line.partition("==")
                assert version, f"{path.name}: {line} is not pinned"
                out[re.sub(r"[-_.]+", "-", name).lower()] = version
        return out

    base, celery = pins(REPO / "constraints.txt"), pins(REPO / "docker" / "constraints-celery.txt")
    assert not set(base) & set(celery), set(base) & set(celery)
    assert {"apache-airflow-providers-celery", "celery", "redis", "kombu"} <= set(celery)


def test_the_build_context_leaves_secrets_and_data_out():
    ignore = [line.strip() for line in (REPO / "docker" / "Dockerfile.dockerignore").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    assert ignore[0] == "*", "deny everything, then allow the package"
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    assert not {a for a in allowed if a.startswith((".env", "data", "inbox", "outbox", ".git", "tests"))}, allowed
