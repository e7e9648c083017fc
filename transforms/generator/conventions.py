"""How each municipality's systems write their extracts, drawn once per municipality from the seed.

Real extracts differ by municipality because their case, school and finance systems differ; the
pipeline's reader must cope with all of it (sources.md §1). Each municipality gets a fixed
combination of:

- encoding: UTF-8 (55 %), UTF-8 with BOM (20 %) or Windows-1252 (25 %, with CRLF line ends, as
  Windows exports write them; 20 % of the others use CRLF too);
- gzip: each source folder of the municipality compressed (``.csv.gz``) with probability 20 %;
- dates: all ``YYYY-MM-DD`` (50 %), all ``DD-MM-YYYY`` (20 %), or mixed per value with 20-40 % in
  ``DD-MM-YYYY`` (30 %);
- CPR numbers: never (60 %), sometimes (10-50 % of values, 30 %) or always (10 %) as ``DDMMYY-SSSS``;
- header names: lower case (70 %), UPPER (10 %), Title_Case (10 %), or with surrounding spaces (10 %);
- column order: shuffled (20 %, the same order in every file of a kind);
- an extra, unknown column ``bemaerkning`` with free Danish text (15 %);
- booleans: false written as an empty field rather than ``0`` (20 %; sources.md: empty means 0).

The national population file has conventions of its own (drawn for pseudo municipality 0).
"""

from __future__ import annotations

from dataclasses import dataclass

from .seeding import Stream, rng_for

SOURCES = ("case", "school", "ledger", "population")


@dataclass(frozen=True)
class Conventions:
    """One producer's writing habits (see the module docstring for the shares)."""

    encoding: str
    newline: str
    gzip_sources: frozenset[str]
    dmy_share: float
    cpr_hyphen_share: float
    header_case: str
    shuffle_columns: bool
    remark_column: bool
    empty_false: bool


def conventions_for(seed: int, kommunekode: int) -> Conventions:
    """The conventions of municipality ``kommunekode`` (0: the national population register)."""
    rng = rng_for(seed, kommunekode, Stream.CONVENTIONS)
    encoding = str(rng.choice(["utf-8", "utf-8-sig", "cp1252"], p=[0.55, 0.20, 0.25]))
    crlf = rng.random() < 0.2 or encoding == "cp1252"
    gzipped = frozenset(s for s in SOURCES if rng.random() < 0.2)
    date_style = rng.choice(3, p=[0.5, 0.2, 0.3])
    dmy_share = (0.0, 1.0, float(rng.uniform(0.2, 0.4)))[date_style]
    cpr_style = rng.choice(3, p=[0.6, 0.3, 0.1])
    cpr_hyphen_share = (0.0, float(rng.uniform(0.1, 0.5)), 1.0)[cpr_style]
    return Conventions(
        encoding=encoding,
        newline="\r\n" if crlf else "\n",
        gzip_sources=gzipped,
        dmy_share=dmy_share,
        cpr_hyphen_share=cpr_hyphen_share,
        header_case=str(rng.choice(["lower", "upper", "title", "padded"], p=[0.7, 0.1, 0.1, 0.1])),
        shuffle_columns=bool(rng.random() < 0.2),
        remark_column=bool(rng.random() < 0.15),
        empty_false=bool(rng.random() < 0.2),
    )
