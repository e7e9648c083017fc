"""The expenditure SQL gives the same rows on PostgreSQL as on DuckDB, to the øre (the end-to-end test
compares whole runs; this one is fast and covers overrides, refunds, odd amounts and odd indices)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from tests.transforms.expenditure.builders import own_rows, pl_index
from transforms import expenditure_by_step, expenditure_development
from transforms.expenditure import BY_STEP_COLUMNS, DEVELOPMENT_COLUMNS, LedgerFrames, compute_expenditure
from transforms.postgres_warehouse import PostgresWarehouse

ACCOUNTS = [("5.28.20", "003"), ("5.28.20", "005"), ("5.28.21", "017"), ("5.28.21", "002"), ("5.28.21", "014"),
            ("5.28.22", "005"), ("5.28.22", "002"), ("5.28.23", "001"), ("5.28.24", None), ("5.28.25", "001"),
            ("5.28.29", "001"), ("6.45.58", None), ("6.45.51", None), ("3.22.01", "001")]
ARTS = ["1.0", "2.2", "4.0", "5.9", "7.1", "7.2", "9.4", "9.7"]


def ledger(seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for k in (510, 657):
        for year in range(2011, 2019):
            for funktion, gruppering in ACCOUNTS:
                for _ in range(3):
                    art = str(rng.choice(ARTS))
                    dranst = int(rng.choice([1, 1, 1, 2, 3]))
                    beloeb = round(float(rng.uniform(1e3, 5e7)) * (-1 if art.startswith("7") or dranst == 2 else 1), 2)
                    rows.append((k, year, "forventet" if year == 2018 else "regnskab", funktion, gruppering, dranst, art, beloeb))
    return pd.DataFrame(rows, columns=["kommunekode", "aar", "status", "funktion", "gruppering", "dranst", "art", "beloeb"])


def test_postgres_and_duckdb_publish_the_same_expenditure_rows(postgres_url):
    index = {y: round(97.3 + 1.37 * (y - 2011) + 0.013 * y % 7, 4) for y in range(2011, 2019)}
    frames = LedgerFrames(ledger(), mapping=own_rows(("6.45.51", None, "administration", None, 0.137), k=657),
                          pl_index=pl_index(index))
    config = {"expenditure": {"baseline_years": {"service": [2011, 2013]}}}
    duck = compute_expenditure(frames, config)
    with PostgresWarehouse(postgres_url) as wh:
        wh.replace_table("staging.ledger", frames.ledger)
        wh.replace_table("staging.ledger_mapping", frames.mapping)
        wh.replace_table("staging.ledger_pl_index", frames.pl_index)
        pg = {}
        for module, columns, keys in ((expenditure_by_step, BY_STEP_COLUMNS, "kommunekode, fiscal_year, step"),
                                      (expenditure_development, DEVELOPMENT_COLUMNS, "kommunekode, fiscal_year, category")):
            module.build(wh, config)
            pg[module.TABLE] = wh.query(f"SELECT {', '.join(columns)} FROM staging.{module.TABLE} ORDER BY {keys}")
    for table, frame in duck.items():
        assert len(pg[table]) == len(frame) and frame.filter(like="_dkk").abs().sum().sum() > 1e9
        other = pg[table].astype(frame.dtypes.to_dict(), errors="ignore")
        for column in frame.columns:
            left, right = frame[column], other[column]
            if column.endswith("_dkk"):  # to the øre: exactly the same numbers
                assert (left.isna() == pd.to_numeric(right).isna()).all(), (table, column)
                assert (left.dropna().to_numpy() == pd.to_numeric(right).dropna().astype(float).to_numpy()).all(), (table, column)
            elif column == "share_pct":
                assert np.allclose(left.astype(float), pd.to_numeric(right).astype(float), rtol=0, atol=1e-11, equal_nan=True)
            else:
                assert left.astype(str).tolist() == right.astype(str).tolist(), (table, column)
    assert len(duck["expenditure_by_step"]) == 2 * 8 * 6 and len(duck["expenditure_development"]) == 2 * 8 * 4
