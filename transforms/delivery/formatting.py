"""Numbers and text as the partnership office's files show them.

Rounding follows methodology.md §2 (per 1000: 2 decimals, percentages and school means: 1, money:
whole 1000 DKK), half away from zero on the decimal value (12.345 → 12.35). The warehouse's values
are binary floats computed in SQL (2469 / 200000 × 1000 is stored as 12.344999999999999), so a value
is first read to 12 significant digits, which removes the float's noise and nothing a report shows. Danish spelling: decimal comma, and a point between thousands where the format
shows thousands (HTML, the workbook's money columns); CSV files never group thousands.

Text that a spreadsheet could take for a formula (it begins with =, +, -, @, or a tab or carriage
return) is neutralised with a leading apostrophe, in every file.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def rounded(value: float | int | Decimal | None, decimals: int, scale: Decimal | None = None) -> Decimal | None:
    """`value` × `scale`, rounded half away from zero to `decimals` places (None stays None)."""
    if value is None:
        return None
    number = value if isinstance(value, Decimal) else Decimal(f"{value:.12g}" if isinstance(value, float) else str(value))
    if not number.is_finite():
        return None
    if scale is not None:
        number *= scale
    result = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return result.copy_abs() if result.is_zero() else result  # never "-0,0"


def number_da(value: Decimal | None, decimals: int, thousands: bool = False) -> str:
    """A rounded number in Danish spelling: 1234.5 → "1234,5" (or "1.234,5" with thousands)."""
    if value is None:
        return ""
    text = f"{value:,.{decimals}f}" if thousands else f"{value:.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def neutralise(text: str) -> str:
    """Text that cannot start a formula in Excel or LibreOffice (OWASP CSV injection)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


MONTHS_DA = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
             "november", "december")


def date_da(d) -> str:
    """31. januar 2026."""
    return f"{d.day}. {MONTHS_DA[d.month - 1]} {d.year}"
