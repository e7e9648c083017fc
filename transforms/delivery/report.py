"""The report: one self-contained HTML page (inline CSS and SVG, no script, no external resource, a
Content-Security-Policy that forbids loading any) with the charts the evaluation report draws, each
with a title, axis titles with units and a one-line reading guide in Danish.

A chart whose table does not exist yet, or has no rows for the municipality, is replaced by a
visible note ("Ingen data …"), never an error. The page carries the run's start as its only time,
so the same run gives the same bytes.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html import escape

from transforms.delivery.charts import GREY, PALETTE, Bars, Line, bar_chart, fmt, line_chart
from transforms.delivery.formatting import date_da
from transforms.delivery.source import CASELOAD, Extract
from transforms.delivery.tabular import UNIT_DECIMALS, VALUE_LABELS


@dataclass(frozen=True)
class Figure:
    id: str
    title: str
    guide: str  # one line: how to read the chart
    source: str
    svg: str | None  # None: no data
    note: str = ""  # the visible note when there is no data


ALL = "Alle kommuner i datavarehuset"


def _no_data(extract: Extract, table: str, what: str) -> str:
    rows = extract.tables.get(table)
    if rows is None or not rows.exists:
        return f"Ingen data: tabellen published.{table} findes endnu ikke i datavarehuset, så figuren udelades."
    return f"Ingen data: {what} for {extract.municipality} til og med målepunktet, så figuren udelades."


def _series(extract: Extract, key_figure: str, breakdown: str = "") -> list[tuple[date, float | None]]:
    return [(r["measurement_date"], r["value"]) for r in extract.rows("key_figures")
            if r["key_figure"] == key_figure and (r["breakdown"] or "") == breakdown]


def _label(extract: Extract, key_figure: str, breakdown: str = "") -> str:
    return extract.key_figure_labels.get((key_figure, breakdown), f"{key_figure} {breakdown}".strip())


def _average(extract: Extract, key_figure: str, breakdown: str = "") -> list[tuple[date, float | None]]:
    return [(d, v) for d, v, _ in extract.averages.get((key_figure, breakdown), [])]


def _key_figure_lines(extract: Extract, key_figure: str, breakdowns: list[str], with_average: bool) -> list[Line]:
    lines = []
    for i, bd in enumerate(breakdowns):
        points = _series(extract, key_figure, bd)
        if any(v is not None for _, v in points):
            name = _label(extract, key_figure, bd) if len(breakdowns) > 1 else extract.municipality
            lines.append(Line(name, points, PALETTE[i % len(PALETTE)]))
    if with_average and lines:
        for i, bd in enumerate(breakdowns):
            avg = _average(extract, key_figure, bd)
            if avg:
                name = f"Alle kommuner: {_label(extract, key_figure, bd)}" if len(breakdowns) > 1 else f"{ALL} (samlet)"
                lines.append(Line(name, avg, PALETTE[i % len(PALETTE)] if len(breakdowns) > 1 else GREY, dashed=True))
    return lines


def _line_figure(extract: Extract, chart_id: str, title: str, guide: str, key_figure: str, breakdowns: list[str],
                 y_label: str, with_average: bool = False) -> Figure:
    source = f"Kilde: published.key_figures ({key_figure})" + (", alle kommuner under ét som sum af tællere / sum af nævnere"
                                                                if with_average else "")
    lines = _key_figure_lines(extract, key_figure, breakdowns, with_average)
    if not lines:
        return Figure(chart_id, title, guide, source, None, _no_data(extract, "key_figures", f"nøgletallet {key_figure} har ingen værdier"))
    unit = next((r["unit"] for r in extract.rows("key_figures") if r["key_figure"] == key_figure), "pct")
    svg = line_chart(chart_id, title, guide, lines, y_label, decimals=UNIT_DECIMALS.get(unit, 1))
    return Figure(chart_id, title, guide, source, svg)


def placement_rate(extract: Extract) -> Figure:
    return _line_figure(
        extract, "placement_rate", "Anbragte børn pr. 1.000 0-17-årige",
        "Sådan læses figuren: den fuldt optrukne linje er kommunens anbragte børn (trin 4-6) pr. 1.000 0-17-årige på hvert "
        "målepunkt; den stiplede er alle kommuner i datavarehuset under ét.",
        "placed_per_1000", [""], "Anbragte pr. 1.000 0-17-årige", with_average=True)


def placement_forms(extract: Extract) -> Figure:
    return _line_figure(
        extract, "placement_forms", "Anbringelsesformer: andel af de anbragte børn",
        "Sådan læses figuren: hver farve er en anbringelsesform, og kommunens tre fuldt optrukne linjer summerer til 100 % på "
        "hvert målepunkt; de stiplede er alle kommuner i datavarehuset under ét.",
        "placement_form_share", ["network_care", "foster_care", "institution"], "Andel af de anbragte børn (%)", with_average=True)


def home_based_kinds(extract: Extract) -> Figure:
    return _line_figure(
        extract, "home_based_kinds", "Hjemmebaserede foranstaltninger efter art, pr. 1.000 0-17-årige",
        "Sådan læses figuren: hver linje er børn med en aktiv hjemmebaseret foranstaltning af den art pr. 1.000 0-17-årige; "
        "'i alt' tæller hvert barn én gang, så arterne summerer ikke altid til i alt.",
        "home_based_per_1000", ["total", "family_residential", "home_placement", "preventive_measure", "parent_directed_during_placement"],
        "Børn pr. 1.000 0-17-årige")


def staircase_movement(extract: Extract) -> Figure:
    return _line_figure(
        extract, "staircase_movement", "Bevægelser op og ned ad trappen fra hjemmebaserede foranstaltninger",
        "Sådan læses figuren: af børnene med en hjemmebaseret foranstaltning og ingen anbringelse et år før målepunktet er "
        "'op' nu anbragt, 'ned' uden foranstaltning på trin 3-6 og 'ingen bevægelse' stadig på trin 3 (i alt 100 %).",
        "home_based_movement", ["up", "down", "none"], "Andel af børnene (%)")


def institution_exits(extract: Extract) -> Figure:
    return _line_figure(
        extract, "institution_exits", "Udskrivninger fra institution",
        "Sådan læses figuren: 'udskrevet' er andelen af børnene på institution ved forrige målepunkt, der ikke er det nu; de to "
        "andre linjer fordeler de udskrevne på netværk/familiepleje og ikke anbragt (summerer til 100 %).",
        "institution_exits", ["total", "to_network_or_foster_care", "not_placed"], "Andel (%)")


def preventive_investigation(extract: Extract) -> Figure:
    return _line_figure(
        extract, "preventive_investigation", "Forebyggende indsatser (§ 11, stk. 3) efterfulgt af en børnefaglig undersøgelse",
        "Sådan læses figuren: af børnene, der begyndte en forebyggende indsats bevilget af myndigheden i de seks måneder op til "
        "målepunktet, er linjen andelen, der også fik en børnefaglig undersøgelse; stiplet: alle kommuner under ét.",
        "preventive_followed_by_investigation", [""], "Andel af børnene (%)", with_average=True)


def _year_label(year: int, statuses: set[str]) -> str:
    return f"{year} (forventet)" if "expected" in statuses else str(year)


def expenditure_by_step(extract: Extract) -> Figure:
    chart_id, title = "expenditure_by_step", "Bruttoudgifter til service fordelt på indsatstrappens trin"
    guide = ("Sådan læses figuren: hver søjle er et års bruttoudgifter til service, delt på trappens trin (trin 1 kan ikke "
             "udskilles); 'ikke fordelt' er udgifter, der ikke kan henføres til et trin.")
    source = "Kilde: published.expenditure_by_step, faste priser"
    rows = [r for r in extract.rows("expenditure_by_step") if r.get("gross_expenditure_dkk") is not None]
    if not rows:
        return Figure(chart_id, title, guide, source, None, _no_data(extract, "expenditure_by_step", "der er ingen udgifter pr. trin"))
    years = sorted({r["fiscal_year"] for r in rows})
    statuses = {y: {r["accounts_status"] for r in rows if r["fiscal_year"] == y} for y in years}
    steps = sorted({r["step"] for r in rows}, key=lambda s: (extract.step_order.get(s, 50), s))
    series = []
    for i, step in enumerate(steps):
        by_year = {r["fiscal_year"]: r["gross_expenditure_dkk"] / 1000 for r in rows if r["step"] == step}
        series.append(Bars(extract.step_labels.get(step, step), [by_year.get(y) for y in years],
                           GREY if step == "not_allocated" else PALETTE[i % len(PALETTE)]))
    base = _price_base(rows)
    svg = bar_chart(chart_id, title, guide, [_year_label(y, statuses[y]) for y in years], series,
                    f"Bruttoudgift (1.000 kr.{base})", "Regnskabsår", decimals=0, stacked=True)
    return Figure(chart_id, title, guide, source, svg)


def _price_base(rows: list[dict]) -> str:
    bases = sorted({r.get("price_base_year") for r in rows if r.get("price_base_year") is not None})
    return f", {bases[-1]}-priser" if len(bases) == 1 else ""


def extra_expenditure(extract: Extract) -> Figure:
    chart_id, title = "extra_expenditure", "Merudgift i forhold til basisperioden"
    order = ["service", "administration", "total"]  # refunds have no baseline
    rows = [r for r in extract.rows("expenditure_development") if r.get("extra_expenditure_dkk") is not None and r["category"] in order]
    baselines = sorted({(r["category"], r.get("baseline_first_year"), r.get("baseline_last_year")) for r in rows})
    spans = "; ".join(f"{VALUE_LABELS['category'].get(c, c).lower()} {a}-{b}" for c, a, b in baselines if a is not None)
    guide = ("Sådan læses figuren: søjlen er årets nettodriftsudgift minus gennemsnittet i basisperioden"
             + (f" ({spans})" if spans else "") + "; over nul er udgiften højere end i basisperioden.")
    source = "Kilde: published.expenditure_development, faste priser"
    if not rows:
        return Figure(chart_id, title, guide, source, None,
                      _no_data(extract, "expenditure_development", "der er ingen merudgift i projektårene"))
    years = sorted({r["fiscal_year"] for r in rows})
    statuses = {y: {r["accounts_status"] for r in rows if r["fiscal_year"] == y} for y in years}
    categories = sorted({r["category"] for r in rows}, key=order.index)
    series = []
    for i, cat in enumerate(categories):
        by_year = {r["fiscal_year"]: r["extra_expenditure_dkk"] / 1000 for r in rows if r["category"] == cat}
        series.append(Bars(VALUE_LABELS["category"].get(cat, cat), [by_year.get(y) for y in years], PALETTE[i % len(PALETTE)]))
    svg = bar_chart(chart_id, title, guide, [_year_label(y, statuses[y]) for y in years], series,
                    f"Merudgift (1.000 kr.{_price_base(rows)})", "Regnskabsår", decimals=0)
    return Figure(chart_id, title, guide, source, svg)


WELLBEING = ["academic_wellbeing", "social_wellbeing", "classroom_calm", "support_inspiration"]
GROUPS = [("vulnerable", PALETTE[3]), ("other", PALETTE[0])]
SUPPRESSED = "undertrykt"


def _group_bars(rows: list[dict], categories: list, key: str) -> list[Bars]:
    series = []
    for group, colour in GROUPS:
        values, notes = [], []
        for c in categories:
            row = next((r for r in rows if r["pupil_group"] == group and r[key] == c), None)
            values.append(None if row is None else row["mean"])
            notes.append(SUPPRESSED if row is not None and row["suppressed"] else ("ingen data" if row is None else None))
        series.append(Bars(VALUE_LABELS["pupil_group"][group], values, colour, notes))
    return series


def school_wellbeing(extract: Extract) -> Figure:
    chart_id = "school_wellbeing"
    rows = [r for r in extract.rows("school_wellbeing") if r["indicator"] in WELLBEING and r["pupil_group"] in ("vulnerable", "other")]
    years = sorted({r["school_year"] for r in rows if r["mean"] is not None})
    year = years[-1] if years else None
    title = "Trivsel for udsatte og øvrige elever" + (f", skoleåret {year}" if year else "")
    guide = ("Sådan læses figuren: gennemsnittet af elevernes svar på en skala fra 1 til 5 (højere er bedre) for elever i "
             "4.-9. klasse; 'undertrykt' betyder for få elever til at vise tallet.")
    source = "Kilde: published.school_wellbeing, nyeste skoleår med data"
    if year is None:
        return Figure(chart_id, title, guide, source, None, _no_data(extract, "school_wellbeing", "der er ingen trivselsmålinger"))
    in_year = [r for r in rows if r["school_year"] == year]
    svg = bar_chart(chart_id, title, guide, [VALUE_LABELS["indicator"][i] for i in WELLBEING],
                    _group_bars([{**r, "indicator": VALUE_LABELS["indicator"][r["indicator"]]} for r in in_year],
                                [VALUE_LABELS["indicator"][i] for i in WELLBEING], "indicator"),
                    "Gennemsnit (indeks 1-5)", "Indikator", decimals=1, y_ceiling=5)
    return Figure(chart_id, title, guide, source, svg)


def school_absence(extract: Extract) -> Figure:
    chart_id, title = "school_absence", "Fravær for udsatte og øvrige elever"
    guide = ("Sådan læses figuren: søjlen er elevernes gennemsnitlige fravær i procent af skoledagene i hvert skoleår, for "
             "udsatte og øvrige elever i 4.-9. klasse; 'undertrykt' betyder for få elever.")
    source = "Kilde: published.school_wellbeing (absence_pct)"
    rows = [r for r in extract.rows("school_wellbeing") if r["indicator"] == "absence_pct" and r["pupil_group"] in ("vulnerable", "other")]
    years = sorted({r["school_year"] for r in rows})
    if not any(r["mean"] is not None for r in rows):
        return Figure(chart_id, title, guide, source, None, _no_data(extract, "school_wellbeing", "der er ingen fraværstal"))
    svg = bar_chart(chart_id, title, guide, years, _group_bars(rows, years, "school_year"),
                    "Fravær (% af skoledagene)", "Skoleår", decimals=1)
    return Figure(chart_id, title, guide, source, svg)


FIGURES: list[Callable[[Extract], Figure]] = [
    placement_rate, placement_forms, home_based_kinds, staircase_movement, institution_exits, preventive_investigation,
    expenditure_by_step, extra_expenditure, school_wellbeing, school_absence,
]
CHART_IDS = [f.__name__ for f in FIGURES]


def figures(extract: Extract) -> list[Figure]:
    return [make(extract) for make in FIGURES]


# --- the page --------------------------------------------------------------------------------------------

CSS = """
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Verdana, Arial, sans-serif; color: #1d1d1d; margin: 24px auto; max-width: 820px;
       padding: 0 16px; line-height: 1.45; font-size: 14px; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 0 0 4px; }
.lead { margin: 0 0 12px; color: #333; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 18px; font-size: 13px; }
dl.facts dt { font-weight: bold; }
dl.facts dd { margin: 0; }
table.overview { border-collapse: collapse; width: 100%; font-size: 12.5px; margin-bottom: 20px; }
table.overview th, table.overview td { border-bottom: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top; }
table.overview td.num, table.overview th.num { text-align: right; white-space: nowrap; }
figure.chart { margin: 0 0 26px; padding: 12px 0 0; border-top: 2px solid #0072B2; break-inside: avoid; page-break-inside: avoid; }
figure.chart svg { display: block; max-width: 100%; height: auto; margin-top: 6px; }
p.guide { margin: 0; font-size: 13px; color: #333; }
p.no-data { margin: 10px 0; padding: 10px 12px; background: #fff4e5; border-left: 4px solid #E69F00; font-weight: bold; }
figcaption { font-size: 11.5px; color: #555; margin-top: 4px; }
footer { font-size: 12px; color: #444; border-top: 1px solid #ccc; padding-top: 8px; }
@page { size: A4; margin: 14mm 12mm; }
@media print { body { margin: 0; max-width: none; } }
"""


ORDER = ["placed_per_1000", "placement_form_share", "home_based_per_1000", "preventive_per_1000", "institution_exits",
         "home_based_movement", "preventive_followed_by_investigation", "caseload_per_worker", "days_between_followups"]
"""The key figures in the order of methodology.md §3."""
BREAKDOWN_ORDER = ["", "network_care", "foster_care", "institution", "total", "family_residential", "home_placement",
                   "preventive_measure", "parent_directed_during_placement", "to_network_or_foster_care", "not_placed", "up",
                   "down", "none", "mean", "mean_per_fte", "max", "min", "median", "share_within_standard"]


def _catalogue_order(row: dict) -> tuple:
    kf, bd = row["key_figure"], row["breakdown"] or ""
    return (ORDER.index(kf) if kf in ORDER else len(ORDER), kf,
            BREAKDOWN_ORDER.index(bd) if bd in BREAKDOWN_ORDER else len(BREAKDOWN_ORDER), bd)


def _overview(extract: Extract) -> str:
    """The key figures at the point; caseloads at their newest counting date on or before it."""
    rows = [r for r in extract.rows("key_figures") if r["measurement_date"] == extract.point and r["key_figure"] != CASELOAD]
    counted = sorted({r["measurement_date"] for r in extract.rows("key_figures") if r["key_figure"] == CASELOAD})
    if counted:
        rows += [r for r in extract.rows("key_figures") if r["key_figure"] == CASELOAD and r["measurement_date"] == counted[-1]]
    if not rows:
        return f'<p class="no-data">Ingen data: ingen nøgletal for {escape(extract.municipality)} på målepunktet.</p>'
    body = []
    for r in sorted(rows, key=_catalogue_order):
        unit = r["unit"] or ""
        decimals = UNIT_DECIMALS.get(unit, 2)
        value = "–" if r["value"] is None else fmt(r["value"], decimals)
        num = "" if r["numerator"] is None else fmt(r["numerator"], 0 if float(r["numerator"]).is_integer() else 2)
        den = "" if r["denominator"] is None else fmt(r["denominator"], 0 if float(r["denominator"]).is_integer() else 2)
        label = _label(extract, r["key_figure"], r["breakdown"] or "")
        if r["key_figure"] == CASELOAD:
            label += f" (tælledato {r['measurement_date'].isoformat()})"
        body.append(f'<tr><td>{escape(label)}</td><td class="num">{value}</td>'
                    f'<td>{escape(VALUE_LABELS["unit"].get(unit, unit))}</td><td class="num">{num}</td><td class="num">{den}</td></tr>')
    return ('<table class="overview"><thead><tr><th>Nøgletal</th><th class="num">Værdi</th><th>Enhed</th>'
            '<th class="num">Tæller</th><th class="num">Nævner</th></tr></thead><tbody>' + "".join(body) + "</tbody></table>")


def report_html(extract: Extract, figs: list[Figure]) -> str:
    started = extract.run_started.strftime("%Y-%m-%d %H:%M:%S UTC")
    title = f"Nøgletal for {extract.municipality} Kommune – målepunkt {date_da(extract.point)}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="da">',
        "<head>",
        '<meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="trappe">',
        f'<meta name="dcterms.created" content="{extract.run_started.strftime("%Y-%m-%dT%H:%M:%SZ")}">',
        f"<title>{escape(title)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{escape(title)}</h1>",
        '<p class="lead">Udtræk til partnerskabssekretariatet: kommunens nøgletal for omlægningen til en tidligere forebyggende '
        "indsats (indsatstrappen), som de stod på målepunktet, med figurerne fra evalueringsrapporten.</p>",
        '<dl class="facts">',
        f"<dt>Kommune</dt><dd>{escape(extract.municipality)} ({extract.kommunekode})</dd>",
        f"<dt>Målepunkt</dt><dd>{extract.point.isoformat()}</dd>",
        f"<dt>Kørsel</dt><dd>{escape(extract.run_id or '(ingen)')}, startet {started}</dd>",
        "</dl>",
        "</header>",
        "<main>",
        '<section id="overview"><h2>Nøgletal på målepunktet</h2>', _overview(extract), "</section>",
    ]
    for fig in figs:
        state = "no-data" if fig.svg is None else "has-data"
        parts.append(f'<figure class="chart {state}" id="chart-{fig.id}" data-chart="{fig.id}">')
        parts.append(f"<h2>{escape(fig.title)}</h2>")
        parts.append(f'<p class="guide">{escape(fig.guide)}</p>')
        parts.append(fig.svg if fig.svg is not None else f'<p class="no-data">{escape(fig.note)}</p>')
        parts.append(f"<figcaption>{escape(fig.source)}</figcaption>")
        parts.append("</figure>")
    parts += [
        "</main>",
        "<footer>",
        "<p>Tallene er afrundet som i metodebeskrivelsen (§ 2): pr. 1.000 med 2 decimaler, procenter og skolegennemsnit med "
        "1 decimal, beløb i hele 1.000 kr. Diskretionering som i datavarehuset: skoleceller med for få elever er undertrykt. "
        "Udtrækket indeholder ingen mikrodata og ingen pseudonymer. Alle kommuner under ét er summen af kommunernes tællere "
        "delt med summen af deres nævnere.</p>",
        f"<p>Dannet af trappe fra datavarehusets skema published, kørsel {escape(extract.run_id or '(ingen)')}.</p>",
        "</footer>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(parts)
