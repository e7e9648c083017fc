"""Case-system deliveries: the four file kinds of sources.md §2, as two snapshots.

A case system delivers full snapshots of the municipality's history; the generator writes one at
the extraction date and one four months earlier holding only what was known then (measures not yet
started are absent, measures that had not yet ended are open, later investigations, counting dates
and follow-ups are missing), so the pipeline sees a superseded snapshot. Ids are stable across
snapshots (``F<kommunekode>-<seq>`` numbered in start order), as a real system's are.

The history is full: measures ongoing on 1 January ``from_year`` keep their real, earlier start
dates (a placement of a baby may have started 15 years before), with their investigations and
follow-ups, as in a case system migrated with its open cases. Population figures start at
``from_year``, so key figures for points before it have no denominator.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np

from .caseworkers import Caseworkers
from .dates import day
from .followups import Followups
from .investigations import Investigations
from .measures import Measures
from .population import Children
from .window import Window
from .writer import Col, Delivery, Schema, prefixed_ids

MEASURES = Schema("foranstaltninger", "case", (
    ("kommunekode", Col.INT), ("foranstaltning_id", Col.TEXT), ("cpr", Col.CPR), ("paragraf", Col.TEXT),
    ("anbringelsessted", Col.TEXT), ("startdato", Col.DATE), ("slutdato", Col.DATE), ("bevilget_af", Col.TEXT),
    ("handicap", Col.BOOL), ("uledsaget_flygtning", Col.BOOL),
))
INVESTIGATIONS = Schema("undersoegelser", "case", (
    ("kommunekode", Col.INT), ("undersoegelse_id", Col.TEXT), ("cpr", Col.CPR), ("paragraf", Col.TEXT),
    ("afgoerelsesdato", Col.DATE),
))
CASEWORKERS = Schema("sagsbehandlere", "case", (
    ("kommunekode", Col.INT), ("opgoerelsesdato", Col.DATE), ("medarbejder_id", Col.TEXT), ("team", Col.TEXT),
    ("normtid", Col.DECIMAL), ("antal_sager", Col.INT),
))
FOLLOWUPS = Schema("opfoelgninger", "case", (
    ("kommunekode", Col.INT), ("foranstaltning_id", Col.TEXT), ("opfoelgningsdato", Col.DATE),
))
UNKNOWN_MEASURE_OFFSET = 1_000_000
"""Follow-ups of unknown measures refer to ids this far beyond the last real measure, clear of the
fresh ids of flawed measure rows."""


def measure_prefix(kommunekode: int) -> str:
    """``F510-``: the start of the municipality's measure ids."""
    return f"F{kommunekode}-"


def _fresh(prefix: str, first: int) -> Callable[[int], str]:
    """The i-th id from ``first`` on, for flawed rows that must not collide with real ones."""
    return lambda i: f"{prefix}{first + i:06d}"


def _code(kommunekode: int, n: int) -> np.ndarray:
    """The folder's kommunekode on every row."""
    return np.full(n, kommunekode)


def _snapshot(k: int, extraction: date, children: Children, m: Measures, inv: Investigations,
              cw: Caseworkers, fu: Followups, n_measures: int, n_investigations: int) -> list[Delivery]:
    folder, stamp = f"case/{k}", extraction.isoformat()
    return [
        Delivery(folder, f"foranstaltninger_{stamp}", MEASURES, {
            "kommunekode": _code(k, len(m)), "foranstaltning_id": prefixed_ids(measure_prefix(k), m.seq),
            "cpr": children.cpr[m.child], "paragraf": m.paragraf, "anbringelsessted": m.setting,
            "startdato": m.start, "slutdato": m.end, "bevilget_af": m.bevilget_af,
            "handicap": m.handicap, "uledsaget_flygtning": m.refugee,
        }, extraction, fresh_id=_fresh(measure_prefix(k), n_measures + 1)),
        Delivery(folder, f"undersoegelser_{stamp}", INVESTIGATIONS, {
            "kommunekode": _code(k, len(inv)), "undersoegelse_id": prefixed_ids(f"U{k}-", inv.seq),
            "cpr": children.cpr[inv.child], "paragraf": inv.paragraf, "afgoerelsesdato": inv.decided,
        }, extraction, fresh_id=_fresh(f"U{k}-", n_investigations + 1)),
        Delivery(folder, f"sagsbehandlere_{stamp}", CASEWORKERS, {
            "kommunekode": _code(k, len(cw)), "opgoerelsesdato": cw.counted,
            "medarbejder_id": prefixed_ids("M", cw.worker, 4), "team": cw.team, "normtid": cw.normtid,
            "antal_sager": cw.cases,
        }, extraction),
        Delivery(folder, f"opfoelgninger_{stamp}", FOLLOWUPS, {
            "kommunekode": _code(k, len(fu)), "foranstaltning_id": prefixed_ids(measure_prefix(k), fu.measure_seq),
            "opfoelgningsdato": fu.day,
        }, extraction, fresh_id=_fresh(measure_prefix(k), n_measures + UNKNOWN_MEASURE_OFFSET)),
    ]


def case_deliveries(kommunekode: int, children: Children, measures: Measures, investigations: Investigations,
                    caseworkers: Caseworkers, followups: Followups, window: Window) -> list[Delivery]:
    """The older and the newest snapshot of each case-system file kind."""
    out = []
    for extraction in (window.older_date, window.to_date):
        at = day(extraction)
        out += _snapshot(kommunekode, extraction, children, measures.known_on(at), investigations.known_on(at),
                         caseworkers.known_on(at), followups.known_on(at), len(measures), len(investigations))
    return out
