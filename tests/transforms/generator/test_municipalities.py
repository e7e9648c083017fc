"""The municipality reference table and the choice of municipalities."""

from __future__ import annotations

import csv

import pytest

from transforms.generator.municipalities import REFERENCE_CSV, load_municipalities, select_municipalities


def test_reference_table_has_the_98_municipalities() -> None:
    table = load_municipalities()
    codes = [m.kommunekode for m in table]
    assert len(table) == 98 == len(set(codes))
    assert 411 not in codes  # Christiansø is not a municipality
    names = {m.kommunekode: m.name_da for m in table}
    assert names[101] == "København" and names[825] == "Læsø" and names[751] == "Aarhus"
    assert {m.region_da for m in table} == {
        "Region Hovedstaden", "Region Sjælland", "Region Syddanmark", "Region Midtjylland", "Region Nordjylland"}


def test_children_are_of_the_right_order() -> None:
    children = {m.kommunekode: m.children_0_17 for m in load_municipalities()}
    assert 1_100_000 < sum(children.values()) < 1_200_000
    assert 10_500 <= children[510] <= 12_500
    assert 18_000 <= children[657] <= 20_000
    assert 10_500 <= children[167] <= 12_500
    assert children[101] == max(children.values()) and children[825] == min(children.values())


def test_reference_file_columns_and_source() -> None:
    with REFERENCE_CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["kommunekode", "name_da", "name_en", "region_da", "children_0_17", "source", "valid_from"]
    assert all(r["valid_from"] == "2007-01-01" and "approx" in r["source"] for r in rows)


def test_selection() -> None:
    table = load_municipalities()
    codes = lambda chosen: [m.kommunekode for m in chosen]  # noqa: E731
    assert len(select_municipalities(table)) == 98
    assert codes(select_municipalities(table, municipalities=3)) == [167, 510, 657]
    assert set(codes(select_municipalities(table, municipalities=5))) == {510, 657, 167, 101, 147}
    assert codes(select_municipalities(table, municipalities=2)) == [101, 147]
    assert codes(select_municipalities(table, kommunekoder=[825, 101])) == [101, 825]
    with pytest.raises(ValueError, match="411"):
        select_municipalities(table, kommunekoder=[411])
    with pytest.raises(ValueError):
        select_municipalities(table, kommunekoder=[101], municipalities=2)
