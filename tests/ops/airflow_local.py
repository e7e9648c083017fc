"""A real Airflow 3 on this machine, for the operations smoke test (and by hand: `python -m tests.ops.airflow_local`).

Not `dag.test()`: `airflow db migrate`, then the scheduler (LocalExecutor), the dag-processor and the
api-server as separate processes, with the metadata database on the local PostgreSQL. Everything
listens on 127.0.0.1 only. The caller talks to it through the public REST API (/api/v2, JWT from
/auth/token) and must call `stop()`, which ends every process this module started, and their
children, by process id.

The metadata lives in a schema of its own (`smoke_<epoch>_<hex>`) in the database `airflow_meta`
that scripts/postgres.sh creates: the `trappe` role may not create databases, and two test sessions
side by side (others work in the same tree) must not share a metadata database.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil
import psycopg
from sqlalchemy.engine import URL, make_url

REPO = Path(__file__).resolve().parents[2]
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
META_DATABASE = "airflow_meta"
STALE_SCHEMA_SECONDS = 6 * 3600  # a schema left by a killed session is dropped by a later one


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the process that started it dies (even by SIGKILL), so that
    a killed test run leaves no Airflow behind. Linux only; elsewhere stop() alone ends them."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@contextmanager
def stop_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM into SystemExit while the block runs, so its `finally` (stop the processes) still runs."""
    def _exit(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, _exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _libpq(url: URL) -> str:
    return psycopg.conninfo.make_conninfo(host=url.host, port=url.port or 5432, user=url.username,
                                          password=url.password, dbname=url.database)


class MetadataSchema:
    """A fresh schema in `airflow_meta` for one Airflow's metadata; `drop()` removes it."""

    def __init__(self, postgres_url: str) -> None:
        self.url = make_url(postgres_url).set(drivername="postgresql+psycopg", database=META_DATABASE, query={})
        self.name = f"smoke_{int(time.time())}_{secrets.token_hex(4)}"
        try:
            with psycopg.connect(_libpq(self.url), autocommit=True) as con:
                self._drop_stale(con)
                con.execute(f'CREATE SCHEMA "{self.name}"')
        except psycopg.OperationalError as e:
            raise RuntimeError(f"No database {META_DATABASE} on the local PostgreSQL: run `bash scripts/postgres.sh` "
                               f"(make test does): {e}") from e

    def _drop_stale(self, con: psycopg.Connection) -> None:
        now = time.time()
        for (name,) in con.execute(r"SELECT nspname FROM pg_namespace WHERE nspname ~ '^smoke_\d+_[0-9a-f]+$'").fetchall():
            if now - int(name.split("_")[1]) > STALE_SCHEMA_SECONDS:
                con.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')

    @property
    def sqlalchemy_url(self) -> str:
        """The metadata URL with the search path set to the schema, so every table Airflow creates lands there."""
        url = self.url.set(query={"options": f"-csearch_path={self.name}"})
        return url.render_as_string(hide_password=False)

    def text_rows(self) -> Iterable[str]:
        """Every row of every table of the schema as text (for the privacy scan)."""
        with psycopg.connect(_libpq(self.url)) as con:
            tables = [t for (t,) in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s "
                                                 "AND table_type = 'BASE TABLE'", [self.name]).fetchall()]
            for table in tables:
                for (row,) in con.execute(f'SELECT t::text FROM "{self.name}"."{table}" AS t'):
                    yield row

    def drop(self) -> None:
        with psycopg.connect(_libpq(self.url), autocommit=True) as con:
            con.execute(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE')


@dataclass
class LocalAirflow:
    """One Airflow installation under `home` (config by environment only, no airflow.cfg edits)."""

    home: Path
    metadata_url: str
    extra_env: Mapping[str, str] = field(default_factory=dict)
    extra_processes: Mapping[str, list[str]] = field(default_factory=dict)  # e.g. {"worker": ["celery", "worker"]}
    port: int = field(default_factory=free_port)
    user: str = "smoke"
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    stopped: list[psutil.Process] = field(default_factory=list)  # what stop() ended, to check none survived

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_folder(self) -> Path:
        return self.home / "logs"

    @property
    def process_logs(self) -> Path:
        return self.home / "processes"

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "TRAPPE_"))}
        passwords = self.home / "passwords.json"
        env.update({
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(REPO / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            # One task at a time: the smoke test's warehouse is a DuckDB file, which takes one writer.
            "AIRFLOW__CORE__PARALLELISM": "1",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.base_url}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{self.user}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.metadata_url,
            # Airflow derives an asyncpg URL for its async engine, and asyncpg is not in constraints.txt:
            # psycopg 3 serves both (SQLAlchemy picks its async dialect for create_async_engine).
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": self.metadata_url,
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__API__BASE_URL": self.base_url,
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API__SECRET_KEY": secrets.token_hex(16),
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(self.log_folder),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            # A task's supervisor notices the task process's end only at its next heartbeat check (5 s by
            # default); with a task at a time those 5 s add up to half a minute per run.
            "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "1",
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            "GX_ANALYTICS_ENABLED": "False",
            "NO_PROXY": "127.0.0.1,localhost",
        })
        env.update(self.extra_env)
        return env

    def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.process_logs.mkdir(exist_ok=True)
        (self.home / "passwords.json").write_text(json.dumps({self.user: self.password}))
        self._env = self.environment()
        migrate = subprocess.run([AIRFLOW, "db", "migrate"], env=self._env, cwd=self.home, capture_output=True, text=True)
        (self.process_logs / "db-migrate.log").write_text(migrate.stdout + migrate.stderr)
        if migrate.returncode != 0:
            raise RuntimeError(f"airflow db migrate failed:\n{migrate.stdout[-3000:]}\n{migrate.stderr[-3000:]}")
        # --skip-serve-logs: the scheduler's log server would listen on every interface at the fixed port 8793;
        # the api-server reads the task logs straight from the shared log folder.
        commands = {"scheduler": ["scheduler", "--skip-serve-logs"], "dag-processor": ["dag-processor"],
                    "api-server": ["api-server", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1"]}
        commands.update(self.extra_processes)
        for name in commands:
            with open(self.process_logs / f"{name}.log", "ab") as out:
                self.processes[name] = subprocess.Popen([AIRFLOW, *commands[name]], env=self._env, cwd=self.home,
                                                        stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                                        start_new_session=True, preexec_fn=_die_with_parent)

    def assert_running(self) -> None:
        for name, proc in self.processes.items():
            if proc.poll() is not None:
                raise RuntimeError(f"airflow {name} exited with {proc.returncode}:\n{self.tail(name)}")

    def tree(self) -> list[psutil.Process]:
        """Every process started here and every descendant still alive."""
        tree: list[psutil.Process] = []
        for proc in self.processes.values():
            try:
                root = psutil.Process(proc.pid)
                tree += [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                pass
        return tree

    def listening(self) -> set[tuple[str, int]]:
        """(address, port) of every socket the processes listen on."""
        found = set()
        for p in self.tree():
            try:
                found |= {(c.laddr.ip, c.laddr.port) for c in p.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN}
            except psutil.NoSuchProcess:
                pass
        return found

    def tail(self, name: str, chars: int = 4000) -> str:
        path = self.process_logs / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def stop(self, timeout: float = 20) -> None:
        """End every process started here and all their descendants (task processes lead groups of their own)."""
        tree = self.tree()
        self.stopped.extend(tree)
        groups = {proc.pid for proc in self.processes.values()}
        for p in tree:
            try:
                if os.getpgid(p.pid) == p.pid:
                    groups.add(p.pid)
            except ProcessLookupError:
                pass
        self._signal(groups, tree, signal.SIGTERM)
        _, alive = psutil.wait_procs(tree, timeout=timeout)
        if alive:
            self._signal(groups, alive, signal.SIGKILL)
            psutil.wait_procs(alive, timeout=5)
        for proc in self.processes.values():
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass

    @staticmethod
    def _signal(groups: set[int], procs: list[psutil.Process], sig: signal.Signals) -> None:
        for group in groups:
            try:
                os.killpg(group, sig)
            except (ProcessLookupError, PermissionError):
                pass
        for p in procs:
            try:
                p.send_signal(sig)
            except psutil.NoSuchProcess:
                pass

    def client(self, deadline: float) -> ApiClient:
        """An authenticated client, once the api-server answers (JWT from POST /auth/token)."""
        http = httpx.Client(base_url=self.base_url, timeout=30, trust_env=False)
        while True:
            self.assert_running()
            try:
                if http.get("/api/v2/monitor/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"the api-server did not answer on {self.base_url}:\n{self.tail('api-server')}")
            time.sleep(1)
        token = http.post("/auth/token", json={"username": self.user, "password": self.password})
        token.raise_for_status()
        http.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        return ApiClient(http, self)


@dataclass
class ApiClient:
    """The few calls of Airflow's public REST API (/api/v2) the smoke test needs; each call is recorded."""

    http: httpx.Client
    airflow: LocalAirflow
    calls: list[str] = field(default_factory=list)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        self.calls.append(f"{method} {path}")
        response = self.http.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text[:2000]}")
        return response.json() if response.content else None

    def dags(self) -> dict[str, dict]:
        return {d["dag_id"]: d for d in self._call("GET", "/api/v2/dags", params={"limit": 100})["dags"]}

    def import_errors(self) -> list[dict]:
        return self._call("GET", "/api/v2/importErrors")["import_errors"]

    def unpause(self, dag_id: str) -> None:
        self._call("PATCH", f"/api/v2/dags/{dag_id}", json={"is_paused": False})

    def trigger(self, dag_id: str, conf: dict, logical_date: str | None) -> dict:
        return self._call("POST", f"/api/v2/dags/{dag_id}/dagRuns", json={"logical_date": logical_date, "conf": conf})

    def dag_run(self, dag_id: str, run_id: str) -> dict:
        return self._call("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")

    def dag_runs(self, dag_id: str) -> list[dict]:
        return self._call("GET", f"/api/v2/dags/{dag_id}/dagRuns", params={"order_by": "run_after", "limit": 100})["dag_runs"]

    def upstream_asset_events(self, dag_id: str, run_id: str) -> list[dict]:
        return self._call("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/upstreamAssetEvents")["asset_events"]

    def asset_events(self, source_dag_id: str, source_run_id: str) -> list[dict]:
        return self._call("GET", "/api/v2/assets/events", params={"source_dag_id": source_dag_id, "source_run_id": source_run_id,
                                                                   "limit": 100})["asset_events"]

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        return self._call("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances")["task_instances"]

    def wait_for_dags(self, dag_ids: set[str], deadline: float) -> dict[str, dict]:
        """Until the dag-processor has serialised every DAG (and none failed to import)."""
        while True:
            self.airflow.assert_running()
            errors = self.import_errors()
            if errors:
                raise RuntimeError(f"DAG import errors: {errors}")
            dags = self.dags()
            if dag_ids <= set(dags):
                return dags
            if time.monotonic() > deadline:
                raise TimeoutError(f"DAGs {sorted(dag_ids - set(dags))} never appeared:\n{self.airflow.tail('dag-processor')}")
            time.sleep(2)

    def wait_for_run(self, dag_id: str, run_id: str, deadline: float) -> dict:
        """Until the run ends (success or failed)."""
        while True:
            self.airflow.assert_running()
            run = self.dag_run(dag_id, run_id)
            if run["state"] in ("success", "failed"):
                return run
            if time.monotonic() > deadline:
                raise TimeoutError(f"{dag_id} {run_id} still {run['state']}: {self.task_instances(dag_id, run_id)}\n"
                                   f"{self.airflow.tail('scheduler')}")
            time.sleep(2)


if __name__ == "__main__":  # by hand: start it, print how to reach it, stop on Ctrl-C
    import tempfile

    password = (Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "trappe" / "postgres.password").read_text().strip()
    schema = MetadataSchema(f"postgresql+psycopg://trappe:{password}@127.0.0.1:5432/{META_DATABASE}")
    airflow = LocalAirflow(Path(tempfile.mkdtemp(prefix="trappe-airflow-local-")), schema.sqlalchemy_url)
    try:
        airflow.start()
        airflow.client(time.monotonic() + 120)
        print(f"Airflow at {airflow.base_url}, user {airflow.user}, password {airflow.password}, home {airflow.home}")
        while True:
            time.sleep(5)
            airflow.assert_running()
    except KeyboardInterrupt:
        pass
    finally:
        airflow.stop()
        schema.drop()
