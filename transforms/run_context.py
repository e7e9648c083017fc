"""What every task of one run needs to know, passed through Airflow as plain strings (params/conf).

No secrets travel here: the pseudonymisation key is fetched by the task itself (pseudonym.py), and
the warehouse URL is rendered without its password wherever it is shown.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class RunContext:
    inbox: str
    data_dir: str
    warehouse_url: str
    run_id: str
    started_at: str  # ISO timestamp of the run's start (the logical "now" of every task)
    as_of: str = ""  # replay the night of this date: later deliveries are left out
    demo: bool = False  # allow the public demo key when no key is configured
    config: str = ""  # the parameters file (empty: $TRAPPE_CONFIG or the repo's trappe.toml)
    processes: int = 1  # worker processes for the tasks run in this process (ingest.queue, publish.plan)

    @property
    def inbox_path(self) -> Path:
        return Path(self.inbox)

    @property
    def staging_path(self) -> Path:
        return Path(self.data_dir) / "staging"

    @property
    def build_path(self) -> Path:
        """The computed rows of each published table, per municipality, until publish loads them (publish.py)."""
        return Path(self.data_dir) / "build"

    @property
    def ingested_path(self) -> Path:
        """Fingerprints of the inbox folders as last ingested (changes.py)."""
        return Path(self.data_dir) / "ingested"

    @property
    def as_of_date(self) -> date | None:
        return date.fromisoformat(self.as_of) if self.as_of else None

    @property
    def started(self) -> datetime:
        return datetime.fromisoformat(self.started_at)

    def to_conf(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_conf(cls, conf: dict[str, Any], run_id: str, started_at: datetime) -> RunContext:
        """From a DAG run's params; a scheduled run without `trappe run` fills what is missing from
        the environment (TRAPPE_INBOX, TRAPPE_DATA_DIR, the warehouse precedence of warehouse.py)."""
        import os

        from transforms.warehouse import resolve_url

        data_dir = conf.get("data_dir") or os.environ.get("TRAPPE_DATA_DIR", "data")
        return cls(
            inbox=conf.get("inbox") or os.environ.get("TRAPPE_INBOX", "inbox"),
            data_dir=data_dir,
            warehouse_url=conf.get("warehouse_url") or resolve_url(None, base=Path.cwd()),
            run_id=conf.get("run_id") or run_id,
            started_at=conf.get("started_at") or started_at.isoformat(),
            as_of=conf.get("as_of") or "",
            demo=bool(conf.get("demo", False)),
            config=conf.get("config") or "",
            processes=int(conf.get("processes") or os.environ.get("TRAPPE_INGEST_PROCESSES") or 1),
        )
