"""The school build gives the same rows on PostgreSQL 15 as on DuckDB (portable SQL only)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from transforms import school
from transforms.postgres_warehouse import PostgresWarehouse

from .builders import run
from .test_disclosure import _random_school


class _RolledBack(Exception):
    """Raised to roll the test's transaction back: the shared test database's staging tables,
    which other tests (and other test runs) use, are never replaced or dropped."""


def test_postgresql_builds_the_same_table_as_duckdb(postgres_url):
    f = _random_school(7)
    duck = run(f, suppression_threshold=5)
    with PostgresWarehouse(postgres_url) as wh:
        try:
            with wh.transaction():  # PostgreSQL's DDL is transactional
                wh.execute("CREATE SCHEMA IF NOT EXISTS staging")
                school.load_frames(wh, f)
                school.build(wh, school.SchoolParams())
                pg = school.published_rows(wh)
                notes = school.warnings(wh)
                raise _RolledBack
        except _RolledBack:
            pass
    assert notes == []
    assert len(duck) == len(pg) > 0
    pd.testing.assert_frame_equal(duck.drop(columns="mean"), pg.drop(columns="mean"), check_dtype=False)
    assert np.allclose(duck["mean"], pg["mean"], equal_nan=True, rtol=0, atol=1e-9)
