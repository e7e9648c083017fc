"""The simulated period and the extraction dates every source is cut at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .dates import add_months, day, jan1

OLDER_SNAPSHOT_MONTHS = 4
"""The older case-system snapshot is extracted this many months before the newest one."""

PLANNING_YEARS = 3
"""The simulation runs this far past the extraction date, so that measures ongoing at extraction
have a true end: some case systems record it as a planned end date."""


@dataclass(frozen=True)
class Window:
    """From 1 January ``from_year`` to the extraction date ``to_date`` of the newest deliveries."""

    from_year: int
    to_date: date

    def __post_init__(self) -> None:
        if self.to_date < date(self.from_year, 1, 1):
            raise ValueError(f"to_date {self.to_date} is before 1 January {self.from_year}")
        if self.from_year < 1990:
            raise ValueError("from_year must be 1990 or later")

    @property
    def to_year(self) -> int:
        return self.to_date.year

    @property
    def start(self) -> int:
        """Day number of 1 January ``from_year``."""
        return jan1(self.from_year)

    @property
    def end(self) -> int:
        """Day number of the newest extraction date."""
        return day(self.to_date)

    @property
    def horizon(self) -> int:
        """Last simulated day (past the extraction date, see PLANNING_YEARS)."""
        return jan1(self.to_year + PLANNING_YEARS + 1) - 1

    @property
    def older_date(self) -> date:
        """Extraction date of the older case-system snapshot."""
        return add_months(self.to_date, -OLDER_SNAPSHOT_MONTHS)

    @property
    def years(self) -> range:
        """Calendar years from ``from_year`` to the extraction year."""
        return range(self.from_year, self.to_year + 1)
