"""Benchmark of one national `trappe run` (issue 9). See README.md, section "Benchmarks".

    python bench/bench.py                      # everything: full run, DuckDB floor, nightly run, DAG imports
    python bench/bench.py --only imports       # one part: generate, full, baseline, nightly, imports, scaleout

The `--scale 1` inbox is generated once and cached under data/bench/inbox-<key>, the key being the
seed, the scale and a hash of the generator's source (transforms/generator/*.py), so a changed
generator gives a new inbox. Results: a table on stdout and bench/results/<timestamp>.json.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parent.parent
BENCH_DATA = REPO / "data" / "bench"
RESULTS = REPO / "bench" / "results"
PY = sys.executable
BENCH_KEY = "trappe-benchmark-key-not-secret"  # a fixed key: the benchmark's pseudonyms are throw-away

TARGETS = {"full_run_s": 300.0, "peak_rss_gib": 6.0, "ratio_to_baseline": 5.0, "nightly_fraction": 1 / 20, "dag_import_s": 0.5}


# --------------------------------------------------------------------------- helpers

def generator_key(seed: int, scale: float) -> str:
    digest = hashlib.sha256()
    for path in sorted((REPO / "transforms" / "generator").glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"s{seed}-x{scale:g}-{digest.hexdigest()[:12]}"


def env_for_run() -> dict[str, str]:
    env = {**os.environ, "TRAPPE_PSEUDONYM_KEY": BENCH_KEY, "PYTHONUNBUFFERED": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO / "bench" / "site"), os.environ.get("PYTHONPATH")]))}
    env.pop("TRAPPE_WAREHOUSE_URL", None)
    return env


class TreeSampler:
    """Peak RSS of a process and all its descendants (sum), polled every `interval` seconds."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self.root] + self.root.children(recursive=True)
                total = 0
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        pass
                self.peak = max(self.peak, total)
            except psutil.NoSuchProcess:
                return
            self._stop.wait(self.interval)

    def __enter__(self) -> "TreeSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()


def timed_process(cmd: list[str], env: dict[str, str], log: Path) -> dict[str, Any]:
    """Run a command, its wall time and the peak RSS of its process tree."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as sink:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=sink, stderr=subprocess.STDOUT)
        with TreeSampler(proc.pid) as sampler:
            code = proc.wait()
        wall = time.perf_counter() - started
    if code != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {code}; see {log}")
    return {"wall_s": wall, "peak_rss_bytes": sampler.peak}


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --------------------------------------------------------------------------- parts

def ensure_inbox(seed: int, scale: float) -> tuple[Path, dict[str, Any]]:
    key = generator_key(seed, scale)
    inbox = BENCH_DATA / f"inbox-{key}"
    info: dict[str, Any] = {"key": key, "path": str(inbox), "cached": inbox.is_dir()}
    if not inbox.is_dir():
        tmp = BENCH_DATA / f".inbox-{key}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run([PY, "-m", "transforms.cli", "generate", "--out", str(tmp), "--scale", f"{scale:g}", "--seed", str(seed)],
                       cwd=REPO, check=True, stdout=subprocess.DEVNULL)
        info["generate_s"] = time.perf_counter() - started
        tmp.rename(inbox)
    files = [p for p in inbox.rglob("*") if p.is_file() and p.name != "README.txt"]
    info.update(files=len(files), bytes=sum(p.stat().st_size for p in files))
    return inbox, info


def airflow_template() -> Path:
    """A migrated, empty Airflow metadata DB, made once: every benchmark run starts from a copy of it
    (`airflow db migrate` is a one-off of a new installation, not part of a nightly run)."""
    template = BENCH_DATA / "airflow-template" / "airflow" / "airflow.db"
    if not template.exists():
        sys.path.insert(0, str(REPO))
        from transforms.runner import airflow_environment

        env = {**os.environ, **airflow_environment(template.parent.parent)}
        template.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([str(Path(PY).with_name("airflow")), "db", "migrate"], check=True, capture_output=True, env=env)
    return template


def phases_from_timings(path: Path) -> dict[str, Any]:
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    main_pids = {r["pid"] for r in records if r["phase"] == "ingest_task"}
    total: dict[str, float] = {}
    workers: dict[str, float] = {}
    for r in records:  # the run's own process(es) vs the ingest worker processes (summed over workers)
        into = total if r["pid"] in main_pids or not main_pids else workers
        into[r["phase"]] = into.get(r["phase"], 0.0) + r["s"]
    per_source: dict[str, float] = {}
    for r in records:
        if r["phase"] == "ingest_task":
            per_source[r["source"]] = per_source.get(r["source"], 0.0) + r["s"]
    slowest_reads = sorted((r for r in records if r["phase"] == "read"), key=lambda r: -r["s"])[:5]
    return {"totals": total, "worker_totals": workers, "worker_processes": len({r["pid"] for r in records} - main_pids),
            "ingest_per_source_s": per_source,
            "slowest_reads": [{k: r.get(k) for k in ("file", "rows", "s")} for r in slowest_reads],
            "slowest_validations": [{k: r.get(k) for k in ("kind", "rows", "s")} for r in sorted((r for r in records if r["phase"] == "validate"), key=lambda r: -r["s"])[:5]]}


def airflow_task_durations(db: Path, dag_run_ids: set[str] | None = None) -> dict[str, Any]:
    """Sum of task durations per DAG and task, from Airflow's own metadata (what its UI shows)."""
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT dag_id, task_id, run_id, COUNT(*), SUM((julianday(end_date) - julianday(start_date)) * 86400.0) "
                           "FROM task_instance WHERE end_date IS NOT NULL GROUP BY dag_id, task_id, run_id").fetchall()
    out: dict[str, Any] = {}
    for dag_id, task_id, run_id, n, seconds in rows:
        if dag_run_ids is not None and run_id not in dag_run_ids:
            continue
        entry = out.setdefault(f"{dag_id}.{task_id}", {"tasks": 0, "s": 0.0})
        entry["tasks"] += n
        entry["s"] += seconds or 0.0
    return out


def dag_run_ids(db: Path) -> set[str]:
    with sqlite3.connect(db) as con:
        return {r[0] for r in con.execute("SELECT run_id FROM dag_run")}


def one_run(inbox: Path, data_dir: Path, label: str) -> dict[str, Any]:
    """One `trappe run` (instrumented) on `data_dir`; wall, peak RSS, phases, Airflow's task durations."""
    timings = data_dir / f"timings-{label}.jsonl"
    timings.unlink(missing_ok=True)
    db = data_dir / "airflow" / "airflow.db"
    before = dag_run_ids(db) if db.exists() else set()
    env = {**env_for_run(), "TRAPPE_BENCH_TIMINGS": str(timings)}
    cmd = [PY, str(REPO / "bench" / "instrument.py"), "run", "--inbox", str(inbox), "--data-dir", str(data_dir)]
    result = timed_process(cmd, env, data_dir / f"run-{label}.out")
    phases = phases_from_timings(timings)
    t = phases["totals"]
    tasks = sum(t.get(k, 0) for k in ("ingest_task", "list_task", "plan_task", "compute_task", "publish_task"))
    split = {
        "read": t.get("read", 0), "validate": t.get("validate", 0), "pseudonymise": t.get("pseudonymise", 0),
        "stage": t.get("stage", 0),
        "ingest other (scan, sha256, audit rows, waiting for workers)": t.get("ingest_task", 0) + t.get("list_task", 0) - sum(t.get(k, 0) for k in ("read", "validate", "pseudonymise", "stage")),
        "plan the build (input digests)": t.get("plan_task", 0),
        "compute tasks (waiting for workers, or computing)": t.get("compute_task", 0),
        "publish (load computed rows, replace partitions, dims)": t.get("publish_task", 0),
        "Airflow + process (startup, DAG parse, dag.test, summary)": result["wall_s"] - tasks,
    }
    w = phases["worker_totals"]
    result.update(phases=split, detail=phases,
                  worker_phases={"processes": phases["worker_processes"],
                                 **{k: w.get(k, 0) for k in ("read", "validate", "pseudonymise", "compute")},
                                 **{f"compute {k.split(':', 1)[1]}": v for k, v in w.items() if k.startswith("build:")}},
                  airflow_tasks=airflow_task_durations(db, dag_run_ids(db) - before))
    return result


def full_run(inbox: Path, repeats: int) -> dict[str, Any]:
    runs = []
    template = airflow_template()
    for i in range(repeats):
        data_dir = BENCH_DATA / "runs" / "full"
        shutil.rmtree(data_dir, ignore_errors=True)
        (data_dir / "airflow").mkdir(parents=True)
        shutil.copy2(template, data_dir / "airflow" / "airflow.db")
        print(f"  full run {i + 1}/{repeats} (load {load()})…", flush=True)
        r = one_run(inbox, data_dir, f"full{i}")
        r["load_before"] = load()
        runs.append(r)
        print(f"    {r['wall_s']:.1f} s, peak {r['peak_rss_bytes'] / 2**30:.2f} GiB", flush=True)
    return {"runs": runs, "median_wall_s": statistics.median(r["wall_s"] for r in runs),
            "max_peak_rss_bytes": max(r["peak_rss_bytes"] for r in runs)}


BASELINE_SQL = """CREATE OR REPLACE TEMP TABLE t AS SELECT * FROM read_csv(?, delim=';', quote='"', header=true, all_varchar=true,
                  ignore_errors=true, null_padding=true, strict_mode=false, compression='auto'{enc})"""


def baseline(inbox: Path, repeats: int) -> dict[str, Any]:
    """The practical floor: DuckDB's CSV reader reads every input file once (all text, no checks)."""
    import duckdb

    files = sorted(p for p in inbox.rglob("*") if p.is_file() and p.name != "README.txt")
    times = []
    for _ in range(repeats):
        con = duckdb.connect()
        started = time.perf_counter()
        rows = 0
        for f in files:
            try:
                con.execute(BASELINE_SQL.format(enc=""), [str(f)])
            except duckdb.Error:  # Windows-1252 files
                con.execute(BASELINE_SQL.format(enc=", encoding='latin-1'"), [str(f)])
            rows += con.execute("SELECT COUNT(*) FROM t").fetchone()[0]
        times.append(time.perf_counter() - started)
        con.close()
    return {"runs_s": times, "median_s": statistics.median(times), "rows": rows, "files": len(files),
            "threads": "duckdb default (all cores)"}


def nightly(inbox: Path, kommunekode: int, repeats: int, seed: int = 42) -> dict[str, Any]:
    """One municipality delivers newer snapshots; rerun on a copy of the warm data dir of the full run."""
    base = BENCH_DATA / "runs" / "full"
    if not (base / "warehouse.duckdb").exists():
        raise SystemExit("the nightly benchmark needs a full run first (--only full,nightly)")
    new = BENCH_DATA / f"nightly-{generator_key(seed, 1)}-{kommunekode}"
    if not new.is_dir():  # the same municipality one month later: new case, school and ledger files
        tmp = Path(tempfile.mkdtemp(dir=BENCH_DATA))
        subprocess.run([PY, "-m", "transforms.cli", "generate", "--out", str(tmp), "--kommunekoder", str(kommunekode),
                        "--scale", "1", "--seed", str(seed), "--to-date", "2026-11-30"], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
        tmp.rename(new)
    runs = []
    for i in range(repeats):
        root = BENCH_DATA / "runs" / "nightly"
        shutil.rmtree(root, ignore_errors=True)
        night_inbox = root / "inbox"
        shutil.copytree(inbox, night_inbox, copy_function=os.link)  # hard links: the files are only read
        added = []
        for source in ("case", "school", "ledger"):
            for f in sorted((new / source / str(kommunekode)).glob("*")):
                target = night_inbox / source / str(kommunekode) / f.name
                if not target.exists():
                    shutil.copy2(f, target)
                    added.append(f"{source}/{kommunekode}/{f.name}")
        data_dir = root / "data"
        shutil.copytree(base, data_dir, ignore=shutil.ignore_patterns("timings-*", "run-*.out", "logs"))
        print(f"  nightly run {i + 1}/{repeats} (+{len(added)} files of {kommunekode}; load {load()})…", flush=True)
        r = one_run(night_inbox, data_dir, f"nightly{i}")
        r["added_files"] = added
        runs.append(r)
        print(f"    {r['wall_s']:.1f} s", flush=True)
    return {"kommunekode": kommunekode, "runs": runs, "median_wall_s": statistics.median(r["wall_s"] for r in runs)}


IMPORT_PROBE = """
import os, sys, time, runpy
sys.path.insert(0, {repo!r})
import airflow.sdk  # the bare interpreter + Airflow import is the floor, not counted
started = time.perf_counter()
runpy.run_path({path!r})
print(time.perf_counter() - started)
"""


def dag_imports(repeats: int) -> dict[str, Any]:
    """Seconds to import each DAG file in a fresh interpreter, after `import airflow.sdk`."""
    out = {}
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "AIRFLOW_HOME": home, "AIRFLOW__CORE__LOAD_EXAMPLES": "False", "GX_ANALYTICS_ENABLED": "False",
               "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home}/airflow.db"}
        for dag_file in sorted((REPO / "dags").glob("*.py")):
            times = []
            for _ in range(repeats):
                probe = IMPORT_PROBE.format(repo=str(REPO), path=str(dag_file))
                res = subprocess.run([PY, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True, check=True)
                times.append(float(res.stdout.strip().splitlines()[-1]))
            out[dag_file.name] = {"runs_s": times, "median_s": statistics.median(times)}
    return out


SCALE_PROBE = """
import sys, time
sys.path.insert(0, {repo!r})
from transforms.ingest import ingest
from transforms.run_context import RunContext
ctx = RunContext(inbox={inbox!r}, data_dir={data!r}, warehouse_url={url!r}, run_id="scaleout", started_at="2026-11-01T00:00:00+00:00", demo=True)
started = time.perf_counter()
ingest("case", {k}, ctx)
print(time.perf_counter() - started)
"""


def scaleout(inbox: Path, kommunekoder: list[int]) -> dict[str, Any]:
    """Two municipality ingests (case source) in two processes at once vs one after the other, on
    separate data dirs and DuckDB files (a DuckDB file takes one writer; production uses PostgreSQL)."""
    def start(k: int, tag: str) -> subprocess.Popen:
        data = BENCH_DATA / "runs" / f"scale-{tag}-{k}"
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(parents=True)
        probe = SCALE_PROBE.format(repo=str(REPO), inbox=str(inbox), data=str(data), url=f"duckdb:///{data / 'wh.duckdb'}", k=k)
        return subprocess.Popen([PY, "-c", probe], cwd=REPO, env=env_for_run(), stdout=subprocess.PIPE, text=True)

    started = time.perf_counter()
    seq = []
    for k in kommunekoder:
        p = start(k, "seq")
        seq.append(float(p.communicate()[0].strip().splitlines()[-1]))
    sequential = time.perf_counter() - started
    started = time.perf_counter()
    procs = [start(k, "par") for k in kommunekoder]
    par = [float(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    parallel = time.perf_counter() - started
    return {"kommunekoder": kommunekoder, "sequential_wall_s": sequential, "sequential_task_s": seq,
            "parallel_wall_s": parallel, "parallel_task_s": par, "speedup": sequential / parallel, "cores": os.cpu_count()}


# --------------------------------------------------------------------------- report

def report(res: dict[str, Any]) -> str:
    lines = [f"trappe benchmark {res['started']} on {res['machine']['cores']} cores, {res['machine']['memory_gib']:.0f} GiB; "
             f"load before {res['machine']['load_before']}, after {res['machine'].get('load_after', '?')}"]
    if "inbox" in res:
        i = res["inbox"]
        lines.append(f"inbox {i['key']}: {i['files']} files, {i['bytes'] / 1e6:.0f} MB" + (f", generated in {i['generate_s']:.0f} s" if "generate_s" in i else " (cached)"))
    checks = []
    if "full" in res:
        f = res["full"]
        lines.append(f"\nfull national run: median {f['median_wall_s']:.1f} s of {[round(r['wall_s'], 1) for r in f['runs']]}, "
                     f"peak RSS {f['max_peak_rss_bytes'] / 2**30:.2f} GiB")
        lines.append(f"  {'phase':58s} {'s':>8s} {'share':>6s}")
        first = f["runs"][len(f["runs"]) // 2] if len(f["runs"]) > 1 else f["runs"][0]
        for name, s in first["phases"].items():
            lines.append(f"  {name:58s} {s:8.1f} {100 * s / first['wall_s']:5.1f}%")
        wp = first.get("worker_phases", {})
        if wp.get("processes"):
            lines.append(f"  in {wp['processes']} worker processes (summed, overlapping the run): "
                         + ", ".join(f"{k} {v:.1f} s" for k, v in wp.items() if k != "processes"))
        checks.append(("full run ≤ 300 s", f["median_wall_s"], f["median_wall_s"] <= TARGETS["full_run_s"]))
        checks.append(("peak RSS ≤ 6 GiB", f["max_peak_rss_bytes"] / 2**30, f["max_peak_rss_bytes"] / 2**30 <= TARGETS["peak_rss_gib"]))
    if "baseline" in res:
        b = res["baseline"]
        lines.append(f"\nDuckDB read-only floor: median {b['median_s']:.1f} s ({b['files']} files, {b['rows']} rows)")
        if "full" in res:
            ratio = res["full"]["median_wall_s"] / b["median_s"]
            res["ratio_to_baseline"] = ratio
            checks.append(("full run ≤ 5 × floor", ratio, ratio <= TARGETS["ratio_to_baseline"]))
    if "nightly" in res:
        n = res["nightly"]
        lines.append(f"\nnightly run, {n['kommunekode']} delivered {len(n['runs'][0]['added_files'])} new files: median {n['median_wall_s']:.1f} s")
        r0 = n["runs"][0]
        for name, s in r0["phases"].items():
            lines.append(f"  {name:58s} {s:8.1f}")
        if "full" in res:
            frac = n["median_wall_s"] / res["full"]["median_wall_s"]
            res["nightly_fraction"] = frac
            checks.append(("nightly ≤ 1/20 of full run", frac, frac <= TARGETS["nightly_fraction"]))
    if "imports" in res:
        lines.append("\nDAG file import (after `import airflow.sdk`), median:")
        for name, d in res["imports"].items():
            lines.append(f"  {name:20s} {d['median_s']:.3f} s")
            checks.append((f"{name} imports ≤ 0.5 s", d["median_s"], d["median_s"] <= TARGETS["dag_import_s"]))
    if "scaleout" in res:
        s = res["scaleout"]
        lines.append(f"\nscale-out, case ingest of {s['kommunekoder']}: sequential {s['sequential_wall_s']:.1f} s, "
                     f"two processes at once {s['parallel_wall_s']:.1f} s (speed-up {s['speedup']:.2f} on {s['cores']} cores)")
    if checks:
        lines.append("\ntargets:")
        lines += [f"  {'met   ' if ok else 'MISSED'} {name:32s} {value:.3f}" for name, value, ok in checks]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="generate,full,baseline,nightly,imports",
                        help="comma-separated parts: generate, full, baseline, nightly, imports, scaleout")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=1, help="full and nightly runs (each a few minutes)")
    parser.add_argument("--nightly-kommunekode", type=int, default=510)
    parser.add_argument("--scaleout-kommunekoder", default="751,461")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    res: dict[str, Any] = {"started": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "args": vars(args),
                           "git": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip(),
                           "machine": {"cores": os.cpu_count(), "memory_gib": psutil.virtual_memory().total / 2**30, "load_before": load()}}
    BENCH_DATA.mkdir(parents=True, exist_ok=True)
    inbox, res["inbox"] = ensure_inbox(args.seed, args.scale)
    if "full" in parts:
        print("full national run…", flush=True)
        res["full"] = full_run(inbox, args.repeats)
    if "baseline" in parts:
        print("DuckDB read-only floor…", flush=True)
        res["baseline"] = baseline(inbox, 3)
    if "nightly" in parts:
        print("nightly run…", flush=True)
        res["nightly"] = nightly(inbox, args.nightly_kommunekode, args.repeats, args.seed)
    if "imports" in parts:
        print("DAG imports…", flush=True)
        res["imports"] = dag_imports(5)
    if "scaleout" in parts:
        print("scale-out…", flush=True)
        res["scaleout"] = scaleout(inbox, [int(k) for k in args.scaleout_kommunekoder.split(",")])
    res["machine"]["load_after"] = load()
    text = report(res)
    print("\n" + text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{res['started'].replace(':', '')}.json"
    out.write_text(json.dumps({**res, "report": text}, indent=1, default=str))
    print(f"\nresults: {out}")


if __name__ == "__main__":
    main()
