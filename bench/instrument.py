"""`trappe run`, with the in-process phase functions timed (used by bench/bench.py).

Run as `python bench/instrument.py run --inbox ... --data-dir ...` (the same arguments as `trappe run`).
Each call of a timed function appends one JSON line to $TRAPPE_BENCH_TIMINGS: phase, seconds, and for
the per-file phases the file and rows. The wrappers cost a few microseconds per call (a few thousand
calls per national run), and nothing else about the run changes: the same DAGs run through `dag.test()`.
"""
from __future__ import annotations

import functools
import json
import os
import time
from typing import Any, Callable

OUT = os.environ.get("TRAPPE_BENCH_TIMINGS", "")


def _emit(record: dict[str, Any]) -> None:
    if OUT:
        with open(OUT, "a", encoding="utf-8") as sink:
            sink.write(json.dumps(record, default=str) + "\n")


def timed(phase: str, fn: Callable[..., Any], describe: Callable[[tuple, dict, Any], dict] | None = None) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        result = fn(*args, **kwargs)
        record = {"phase": phase, "s": time.perf_counter() - started, "pid": os.getpid()}
        if describe is not None:
            try:
                record.update(describe(args, kwargs, result))
            except Exception:  # noqa: BLE001 - a description never breaks the run
                pass
        _emit(record)
        return result

    return wrapper


def install() -> None:
    """Wrap the functions each phase consists of (module attributes looked up at call time); once
    per process (`bench/site/sitecustomize.py` installs it in every process of the run)."""
    from transforms import ingest, publish, staging

    if getattr(ingest, "_bench_installed", False):
        return
    ingest._bench_installed = True
    ingest.read_table = timed("read", ingest.read_table, lambda a, k, r: {"file": a[1], "rows": r.rows_read})
    ingest.validate = timed("validate", ingest.validate, lambda a, k, r: {"kind": a[1].name, "rows": len(a[0].frame)})
    ingest.protect = timed("pseudonymise", ingest.protect, lambda a, k, r: {"rows": len(a[0])})
    staging.Staging.prepare = timed("stage", staging.Staging.prepare, lambda a, k, r: {"table": a[1], "rows": len(a[4])})
    ingest.ingest = timed("ingest_task", ingest.ingest, lambda a, k, r: {"source": a[0], "kommunekode": a[1]})
    ingest.municipalities = timed("list_task", ingest.municipalities, lambda a, k, r: {"source": a[0]})
    publish.plan = timed("plan_task", publish.plan)
    publish.compute = timed("compute_task", publish.compute, lambda a, k, r: {"kommunekode": a[1]["kommunekode"]})
    publish.compute_municipality = timed("compute", publish.compute_municipality, lambda a, k, r: {"kommunekode": a[2]})
    publish.publish = timed("publish_task", publish.publish)
    for module in publish.BUILDS:
        module.build = timed(f"build:{module.TABLE}", module.build)


if __name__ == "__main__":
    install()
    from transforms.cli import app

    app(prog_name="trappe")
