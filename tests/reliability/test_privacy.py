"""Privacy of a whole nightly run: no CPR number of the inbox and no byte of the key in anything the
pipeline writes (staging, warehouse, quarantine, logs, the partnership office's extract); no key or
a short key stops the run before anything is written; keys and pseudonyms behave as sources.md §2.1
says (a new key, new pseudonyms; one key, one pseudonym per child in every source and run).
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.privacy import inbox_cprs
from tests.transforms.inputs import csv_text, investigation, measure
from transforms import ingest as ingest_module
from transforms.file_kinds import sources
from transforms.pseudonym import MIN_KEY_LENGTH, MissingKey
from transforms.staging import Staging
from transforms.warehouse import open_warehouse

from .conftest import hermetic
from .pipeline import KEY, Night
from .scan import find

TRAPPE = str(Path(sys.executable).with_name("trappe"))


# ------------------------------------------------------------------------------------------------
# nothing the pipeline writes holds a CPR number or the key
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def delivered(clean) -> Path | None:
    """`trappe deliver` of the clean run's warehouse into its data folder (None while the delivery
    package does not exist). The PDF is left out: it is Chromium's print of the HTML report, which is
    scanned, and its text is stored as font glyphs that no byte scan could read anyway."""
    try:
        import transforms.delivery  # noqa: F401
    except ImportError:
        return None
    out = clean.night.data_dir / "outbox"
    done = subprocess.run([TRAPPE, "deliver", "--warehouse", clean.night.url, "--out", str(out), "--no-pdf"],
                          capture_output=True, text=True, cwd=clean.night.data_dir, check=False)
    (clean.logs / "deliver.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def test_no_cpr_number_of_the_inbox_and_no_trace_of_the_key_in_anything_the_pipeline_wrote(clean, delivered):
    inbox = clean.night.inbox
    cprs = inbox_cprs(inbox)
    case_bytes = b"".join(p.read_bytes() for p in inbox.glob("case/*/*.csv"))
    assert len(cprs) > 50
    assert re.search(rb"(?<!\d)\d{6}-\d{4}(?!\d)", case_bytes) and re.search(rb"(?<![\d-])\d{10}(?!\d)", case_bytes)  # both spellings

    written = sorted(p.relative_to(clean.night.data_dir).as_posix() for p in clean.night.data_dir.rglob("*") if p.is_file())
    assert any(w.startswith("staging/") and w.endswith(".parquet") for w in written)
    assert "warehouse.duckdb" in written
    assert {"logs/logging.log", "logs/output.log"} <= set(written)
    assert "partially_loaded" in (clean.logs / "logging.log").read_text(encoding="utf-8")  # the log is no empty file
    assert {"cpr_format"} & set(clean.snapshot.quarantine["rule"])  # quarantine holds rejected CPR values (masked)
    if delivered is not None:
        assert any(w.endswith(".xlsx") for w in written) and any(w.endswith(".csv") for w in written)

    assert find(clean.night.data_dir, cprs, KEY) == []


def test_the_scan_finds_what_it_looks_for(workdir, clean):
    """The scan above would see a CPR number or the key in every container it claims to read."""
    cpr = sorted(inbox_cprs(clean.night.inbox))[0]
    dashed = f"{cpr[:6]}-{cpr[6:]}"
    planted = workdir / "planted"
    planted.mkdir()
    pq.write_table(pa.table({"x": [f"id {cpr}"]}), planted / "a.parquet")
    import zipfile

    with zipfile.ZipFile(planted / "b.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", f"<si><t>{dashed}</t></si>" * 50)
    (planted / "c.log").write_text(f"key={KEY.encode().hex()}")
    import duckdb

    con = duckdb.connect(str(planted / "d.duckdb"))
    con.execute("CREATE TABLE t AS SELECT ? AS v FROM range(5000)", [f"x{cpr}"])
    con.close()
    found = find(planted, {cpr}, KEY)
    for name in ("a.parquet", "b.xlsx", "c.log", "d.duckdb"):
        assert any(name in f for f in found), (name, found)
    assert not any(cpr in f for f in found)  # a finding names the place, never the number


# ------------------------------------------------------------------------------------------------
# without a (long enough) key nothing is written
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key, says", [(None, "No pseudonymisation key"), ("short-key-123", "too short")], ids=["missing", "too_short"])
def test_a_missing_or_too_short_key_stops_the_run_before_anything_is_written(clean, workdir, monkeypatch, key, says):
    """Last night ran with the key; tonight the key is gone (or mangled): every ingest task stops at
    once with a message that says what to do, and staging and the warehouse stay as they were."""
    night = Night(clean.night.inbox, workdir / "data", f"duckdb:///{workdir / 'data' / 'warehouse.duckdb'}")
    shutil.copytree(clean.night.data_dir, night.data_dir, ignore=shutil.ignore_patterns("logs", "outbox"))
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in night.data_dir.rglob("*") if p.is_file()}
    hermetic(monkeypatch, key)

    ctx = night.context("run_2")
    for source in sources():
        for k in ingest_module.municipalities(source, ctx):
            with pytest.raises(MissingKey) as stopped:
                ingest_module.ingest(source, k, ctx)
            message = str(stopped.value)
            assert says in message and "TRAPPE_PSEUDONYM_KEY" in message, message
            if key:
                assert key not in message and str(MIN_KEY_LENGTH) in message
    with pytest.raises(MissingKey):
        night.run("run_2")

    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in night.data_dir.rglob("*") if p.is_file()}
    assert after == before  # no staging file, no warehouse write
    with open_warehouse(night.url) as wh:
        assert wh.query("SELECT COUNT(*) AS n FROM published.load_audit WHERE run_id = 'run_2'")["n"].iloc[0] == 0

    first = Night.duckdb(clean.night.inbox, workdir / "first")  # a first night without the key: not even a warehouse file
    with pytest.raises(MissingKey):
        first.run("run_1")
    assert not (workdir / "first").exists()


# ------------------------------------------------------------------------------------------------
# keys and pseudonyms
# ------------------------------------------------------------------------------------------------

CHILD_A, CHILD_B = "0103154321", "1506174322"
"""Born 1 March 2015 and 15 June 2017 (7th digit 4, YY ≤ 36: the 2000s)."""
OTHER_KEY = "another-key-of-at-least-sixteen-chars"


def _dashed(cpr: str) -> str:
    return f"{cpr[:6]}-{cpr[6:]}"


def _small_inbox(root: Path) -> Path:
    """Two children in the case system and in both school registers, in both CPR spellings."""
    inbox = root / "inbox"
    files = {
        "case/510/foranstaltninger_2025-10-31.csv": csv_text(measure("m_a", cpr=_dashed(CHILD_A)), measure("m_b", cpr=CHILD_B)),
        "case/510/undersoegelser_2025-10-31.csv": csv_text(investigation("u_a", cpr=CHILD_A), investigation("u_b", cpr=_dashed(CHILD_B))),
        "school/510/trivsel_2025-26_2025-10-31.csv":
            "kommunekode;skoleaar;cpr;klassetrin;faglig_trivsel;social_trivsel;ro_og_orden;stoette_og_inspiration\n"
            f"510;2025/26;{CHILD_A};4;4,5;4;3,5;4\n510;2025/26;{CHILD_B};2;3;3,5;4;4,25\n",
        "school/510/fravaer_2025-26_2025-10-31.csv":
            "kommunekode;skoleaar;cpr;klassetrin;skoledage;fravaersdage\n"
            f"510;2025/26;{_dashed(CHILD_A)};4;200;4,5\n510;2025/26;{CHILD_B};2;200;12\n",
    }
    for name, text in files.items():
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_text(text, encoding="utf-8")
    return inbox


def _pseudonyms(night: Night) -> dict[str, dict[str, str]]:
    """Per source table, the pseudonym of child A and of child B."""
    staging = Staging(night.staging)
    m, i = staging.read("measures").set_index("foranstaltning_id"), staging.read("investigations").set_index("undersoegelse_id")
    w, a = (staging.read(t).set_index("klassetrin") for t in ("pupil_wellbeing", "pupil_absence"))
    return {"measures": {"A": m.loc["m_a", "person_id"], "B": m.loc["m_b", "person_id"]},
            "investigations": {"A": i.loc["u_a", "person_id"], "B": i.loc["u_b", "person_id"]},
            "pupil_wellbeing": {"A": w.loc[4, "person_id"], "B": w.loc[2, "person_id"]},
            "pupil_absence": {"A": a.loc[4, "person_id"], "B": a.loc[2, "person_id"]}}


def _ingest_with(key: str, inbox: Path, root: Path, monkeypatch) -> dict[str, dict[str, str]]:
    night = Night(inbox, root / "data", f"duckdb:///{root / 'data' / 'warehouse.duckdb'}")
    hermetic(monkeypatch, key)
    summaries = night.ingest("run_1", only=("case", "school"))
    assert all(s["rows_quarantined"] == 0 for s in summaries), summaries
    return _pseudonyms(night)


def test_one_key_gives_one_pseudonym_per_child_in_every_source_and_run_and_another_key_other_pseudonyms(workdir, monkeypatch):
    inbox = _small_inbox(workdir)
    first = _ingest_with(KEY, inbox, workdir / "first", monkeypatch)
    again = _ingest_with(KEY, inbox, workdir / "again", monkeypatch)  # another installation, another run
    other = _ingest_with(OTHER_KEY, inbox, workdir / "other", monkeypatch)

    for found in (first, other):
        a, b = {t: p["A"] for t, p in found.items()}, {t: p["B"] for t, p in found.items()}
        assert len(set(a.values())) == 1, a  # the same child in the case system and the school registers,
        assert len(set(b.values())) == 1, b  # whether its CPR was written with a dash or not
        assert set(a.values()) != set(b.values())
    assert again == first
    assert {p for t in other.values() for p in t.values()}.isdisjoint({p for t in first.values() for p in t.values()})
    for pseudonym in {p for t in (*first.values(), *other.values()) for p in t.values()}:
        assert re.fullmatch(r"[0-9a-f]{64}", pseudonym)
        assert CHILD_A not in pseudonym and CHILD_B not in pseudonym
