"""Inline SVG charts: lines over time and grouped or stacked bars, drawn by hand so the report needs
no library, no font files and no network, and the same figures give the same bytes.

Every chart is an `<svg role="img">` with a `<title>` and a `<desc>`, axis titles with units, a
legend, and Danish number spelling. Each drawn datum carries `class="mark"` (tests count them).
Colours are the Okabe-Ito palette, distinguishable with the common colour-vision deficiencies; the
comparison line (all municipalities) is dashed, so it reads in black and white too.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from html import escape

from transforms.delivery.formatting import number_da, rounded

PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000")
GREY = "#6b6b6b"
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
WIDTH, PLOT_HEIGHT = 760, 260
LEFT, RIGHT, TOP = 72, 24, 16


@dataclass
class Line:
    label: str
    points: list[tuple[date, float | None]]
    color: str
    dashed: bool = False


@dataclass
class Bars:
    label: str
    values: list[float | None]
    color: str
    notes: list[str | None] = field(default_factory=list)  # shown where a value is missing ("undertrykt")


def fmt(value: float, decimals: int) -> str:
    return number_da(rounded(value, decimals), decimals, thousands=True)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(lo / step) * step
    ticks, t = [], first
    while t < hi + step * 0.999:
        ticks.append(round(t, 10))
        t += step
    return ticks


def _decimals_for(ticks: list[float]) -> int:
    for d in range(0, 4):
        if all(abs(t * 10 ** d - round(t * 10 ** d)) < 1e-9 for t in ticks):
            return d
    return 3


def _svg_open(chart_id: str, title: str, desc: str, height: int) -> list[str]:
    return [
        f'<svg class="chart-svg" id="svg-{chart_id}" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="svg-{chart_id}-title svg-{chart_id}-desc" font-family="{FONT}" font-size="12">',
        f'<title id="svg-{chart_id}-title">{escape(title)}</title>',
        f'<desc id="svg-{chart_id}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
    ]


def _y_axis(lines: list[str], ticks: list[float], y, y_label: str, bottom: float) -> None:
    decimals = _decimals_for(ticks)
    for t in ticks:
        yy = y(t)
        lines.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#e3e3e3" stroke-width="1"/>')
        lines.append(f'<text x="{LEFT - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="#333">{fmt(t, decimals)}</text>')
    mid = (TOP + bottom) / 2
    lines.append(f'<text class="axis-title" x="14" y="{mid:.1f}" transform="rotate(-90 14 {mid:.1f})" text-anchor="middle" '
                 f'fill="#222">{escape(y_label)}</text>')
    lines.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{bottom}" stroke="#888"/>')


def legend_rows(labels: list[str]) -> int:
    return len(labels) if any(len(label) > 40 for label in labels) else math.ceil(len(labels) / 2)


def _legend(lines: list[str], items: list[tuple[str, str, bool, str]], top: float) -> float:
    """Legend rows below the plot; items are (label, colour, dashed, shape). Returns the bottom."""
    x, y = LEFT, top
    per_row = 2 if all(len(label) <= 40 for label, *_ in items) else 1
    col_width = (WIDTH - LEFT - RIGHT) / per_row
    for i, (label, color, dashed, shape) in enumerate(items):
        cx = x + (i % per_row) * col_width
        cy = y + (i // per_row) * 18
        if shape == "bar":
            lines.append(f'<rect x="{cx:.1f}" y="{cy - 9:.1f}" width="14" height="10" fill="{color}"/>')
        else:
            dash = ' stroke-dasharray="6 4"' if dashed else ""
            lines.append(f'<line x1="{cx:.1f}" x2="{cx + 22:.1f}" y1="{cy - 4:.1f}" y2="{cy - 4:.1f}" stroke="{color}" stroke-width="2.5"{dash}/>')
        lines.append(f'<text x="{cx + 28:.1f}" y="{cy:.1f}" fill="#222">{escape(label)}</text>')
    return y + math.ceil(len(items) / per_row) * 18


def line_chart(chart_id: str, title: str, desc: str, series: list[Line], y_label: str, x_label: str = "Målepunkt",
               decimals: int = 1, y_floor: float | None = 0.0) -> str:
    """Lines over time; gaps where a value is missing. Legend entries give each line's newest value."""
    values = [v for s in series for _, v in s.points if v is not None]
    dates = [d for s in series for d, v in s.points if v is not None]
    lo = min(values + ([y_floor] if y_floor is not None else []))
    ticks = nice_ticks(lo, max(values))
    y0, y1 = ticks[0], ticks[-1]
    first, last = min(dates), max(dates)
    x0, x1 = date(first.year, 1, 1).toordinal(), date(last.year + 1, 1, 1).toordinal()
    bottom = TOP + PLOT_HEIGHT

    def x(d: date) -> float:
        return LEFT + (d.toordinal() - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT)

    def y(v: float) -> float:
        return bottom - (v - y0) / (y1 - y0) * PLOT_HEIGHT

    legend = []
    for s in series:
        present = [v for _, v in s.points if v is not None]
        newest = f" (seneste: {fmt(present[-1], decimals)})" if present else " (ingen værdier)"
        legend.append((s.label + newest, s.color, s.dashed, "line"))
    height = int(bottom + 56 + legend_rows([item[0] for item in legend]) * 18)
    lines = _svg_open(chart_id, title, desc, height)
    _y_axis(lines, ticks, y, y_label, bottom)
    years = list(range(first.year, last.year + 2))
    step = max(1, math.ceil(len(years) / 12))
    lines.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{bottom}" y2="{bottom}" stroke="#888"/>')
    for yr in years:
        xx = x(date(yr, 1, 1))
        lines.append(f'<line x1="{xx:.1f}" x2="{xx:.1f}" y1="{bottom}" y2="{bottom + 4}" stroke="#888"/>')
        if (yr - years[0]) % step == 0 and yr <= last.year:
            mid = x(date(yr, 7, 2))
            lines.append(f'<text x="{mid:.1f}" y="{bottom + 17}" text-anchor="middle" fill="#333">{yr}</text>')
    lines.append(f'<text class="axis-title" x="{(LEFT + WIDTH - RIGHT) / 2:.1f}" y="{bottom + 34}" text-anchor="middle" fill="#222">{escape(x_label)}</text>')

    for s in series:
        dash = ' stroke-dasharray="6 4"' if s.dashed else ""
        segment: list[str] = []
        segments: list[list[str]] = []
        for d, v in s.points:
            if v is None:
                if segment:
                    segments.append(segment)
                segment = []
            else:
                segment.append(f"{x(d):.1f},{y(v):.1f}")
        if segment:
            segments.append(segment)
        for seg in segments:
            if len(seg) == 1:
                px, py = seg[0].split(",")
                lines.append(f'<circle class="mark" cx="{px}" cy="{py}" r="3" fill="{s.color}"/>')
            else:
                lines.append(f'<polyline class="mark" points="{" ".join(seg)}" fill="none" stroke="{s.color}" '
                             f'stroke-width="{2 if s.dashed else 2.5}"{dash} stroke-linejoin="round"/>')
        present = [(d, v) for d, v in s.points if v is not None]
        if present and not s.dashed:
            d, v = present[-1]
            lines.append(f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="4" fill="{s.color}" stroke="#fff" stroke-width="1.5"/>')
    _legend(lines, legend, bottom + 56)
    lines.append("</svg>")
    return "\n".join(lines)


def bar_chart(chart_id: str, title: str, desc: str, categories: list[str], series: list[Bars], y_label: str,
              x_label: str, decimals: int = 1, stacked: bool = False, y_ceiling: float | None = None,
              value_labels: bool = True) -> str:
    """Grouped (or stacked) bars per category; a missing value leaves a gap with its note."""
    values = [v for s in series for v in s.values if v is not None]
    if stacked:
        sums = [sum(v for v in (s.values[i] for s in series) if v is not None and v > 0) for i in range(len(categories))]
        lo, hi = 0.0, max(sums + [0.0])
    else:
        lo, hi = min(values + [0.0]), max(values + [0.0])
    if y_ceiling is not None:
        hi = max(hi, y_ceiling)
    ticks = nice_ticks(lo, hi)
    y0, y1 = ticks[0], ticks[-1]
    bottom = TOP + PLOT_HEIGHT

    def y(v: float) -> float:
        return bottom - (v - y0) / (y1 - y0) * PLOT_HEIGHT

    band = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    longest = max((len(c) for c in categories), default=0)
    rotate = longest * 7 > band * 0.95
    label_space = int(longest * 4.6) - 10 if rotate else 0
    height = int(bottom + 56 + label_space + legend_rows([s.label for s in series]) * 18)
    lines = _svg_open(chart_id, title, desc, height)
    _y_axis(lines, ticks, y, y_label, bottom)
    lines.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(0):.1f}" y2="{y(0):.1f}" stroke="#666"/>')
    inner = band * 0.78
    width = inner if stacked else inner / max(len(series), 1)
    show_values = value_labels and (stacked or width >= 26)
    for i, category in enumerate(categories):
        start = LEFT + i * band + (band - inner) / 2
        base = 0.0
        for j, s in enumerate(series):
            v = s.values[i] if i < len(s.values) else None
            bx = start if stacked else start + j * width
            if v is None:
                note = s.notes[i] if i < len(s.notes) else None
                if note and not stacked:
                    lines.append(f'<text x="{bx + width / 2:.1f}" y="{y(0) - 6:.1f}" text-anchor="middle" font-size="10" '
                                 f'fill="#555" transform="rotate(-90 {bx + width / 2:.1f} {y(0) - 6:.1f})">{escape(note)}</text>')
                continue
            lo_v, hi_v = (base, base + v) if stacked else (min(0.0, v), max(0.0, v))
            top, h = y(hi_v), max(y(lo_v) - y(hi_v), 0.5)
            label = f"{s.label}, {category}: {fmt(v, decimals)}"
            lines.append(f'<rect class="mark" x="{bx + 0.5:.1f}" y="{top:.1f}" width="{max(width - 1, 1):.1f}" height="{h:.1f}" '
                         f'fill="{s.color}"><title>{escape(label)}</title></rect>')
            if show_values and (not stacked or h >= 14):
                ty = top + h / 2 + 4 if stacked else (top - 4 if v >= 0 else top + h + 12)
                colour = "#fff" if stacked else "#222"
                lines.append(f'<text x="{bx + width / 2:.1f}" y="{ty:.1f}" text-anchor="middle" font-size="10" fill="{colour}">'
                             f'{fmt(v, decimals)}</text>')
            if stacked:
                base += v
        cx = LEFT + i * band + band / 2
        if rotate:
            lines.append(f'<text x="{cx:.1f}" y="{bottom + 14}" text-anchor="end" fill="#333" '
                         f'transform="rotate(-40 {cx:.1f} {bottom + 14})">{escape(category)}</text>')
        else:
            lines.append(f'<text x="{cx:.1f}" y="{bottom + 17}" text-anchor="middle" fill="#333">{escape(category)}</text>')
    lines.append(f'<text class="axis-title" x="{(LEFT + WIDTH - RIGHT) / 2:.1f}" y="{bottom + 34 + label_space}" '
                 f'text-anchor="middle" fill="#222">{escape(x_label)}</text>')
    _legend(lines, [(s.label, s.color, False, "bar") for s in series], bottom + 56 + label_space)
    lines.append("</svg>")
    return "\n".join(lines)
