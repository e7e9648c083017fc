"""The report: self-contained HTML, rendered in headless Chromium, every chart present and visible
(or its visible "ingen data" note), each with a title, axis titles and a reading guide in Danish."""
from __future__ import annotations

import re

import pytest

from tests.transforms.delivery.cdp import Chromium
from tests.transforms.delivery.conftest import stem
from tests.transforms.delivery.test_tables import da
from transforms.delivery.report import CHART_IDS

INSPECT = """(() => {
  const shown = el => {
    if (!el) return false;
    const s = getComputedStyle(el), b = el.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && parseFloat(s.opacity) > 0 && b.width > 0 && b.height > 0;
  };
  return {
    figures: [...document.querySelectorAll('figure.chart')].map(fig => {
      const svg = fig.querySelector('svg');
      const note = fig.querySelector('p.no-data');
      const marks = svg ? [...svg.querySelectorAll('.mark')].filter(m => {
        const b = m.getBoundingClientRect(); return b.width > 0 || b.height > 0; }).length : 0;
      return {id: fig.dataset.chart, figureShown: shown(fig), svgShown: shown(svg), marks,
              svgWidth: svg ? svg.getBoundingClientRect().width : 0, noteShown: shown(note),
              note: note ? note.textContent : '', title: (fig.querySelector('h2') || {}).textContent || '',
              guide: (fig.querySelector('p.guide') || {}).textContent || '',
              axes: svg ? [...svg.querySelectorAll('.axis-title')].map(t => t.textContent) : [],
              legend: svg ? svg.querySelectorAll('text').length : 0};
    }),
    resources: performance.getEntriesByType('resource').length,
    overflow: document.documentElement.scrollWidth > window.innerWidth,
    title: document.title,
  };
})()"""


@pytest.fixture(scope="module")
def browser(chromium):
    b = Chromium(chromium)
    yield b
    b.close()


def inspect(browser, path):
    browser.open(path.resolve().as_uri())
    return browser.evaluate(INSPECT)


def test_every_chart_is_drawn_and_visible(browser, newest):
    page = inspect(browser, newest / f"{stem()}_rapport.html")
    assert page["title"].startswith("Nøgletal for Haderslev Kommune")
    assert [f["id"] for f in page["figures"]] == CHART_IDS
    for fig in page["figures"]:
        assert fig["figureShown"] and fig["svgShown"], fig["id"]
        assert fig["marks"] >= 1, f"{fig['id']} draws nothing"
        assert fig["svgWidth"] >= 400, fig["id"]
        assert fig["title"] and fig["guide"].startswith("Sådan læses figuren:"), fig["id"]
        assert len(fig["axes"]) == 2 and all(fig["axes"]), fig["id"]  # both axes have a title
        assert not fig["noteShown"], fig["id"]
    assert page["resources"] == 0 and not page["overflow"]


def test_units_are_on_the_value_axes(browser, newest):
    page = inspect(browser, newest / f"{stem()}_rapport.html")
    axes = {f["id"]: f["axes"][0] for f in page["figures"]}
    assert "pr. 1.000 0-17-årige" in axes["placement_rate"]
    assert "(%)" in axes["placement_forms"] and "(%)" in axes["staircase_movement"]
    assert "1.000 kr." in axes["expenditure_by_step"] and "1.000 kr." in axes["extra_expenditure"]
    assert "indeks 1-5" in axes["school_wellbeing"] and "%" in axes["school_absence"]


def test_charts_without_data_say_so_visibly(browser, outbox):
    page = inspect(browser, outbox / "657" / "2026-05-31" / f"{stem(657, '2026-05-31')}_rapport.html")
    figures = {f["id"]: f for f in page["figures"]}
    assert set(figures) == set(CHART_IDS)
    for chart in ("expenditure_by_step", "extra_expenditure", "school_wellbeing", "school_absence"):
        fig = figures[chart]
        assert fig["noteShown"] and not fig["svgShown"] and fig["note"].startswith("Ingen data"), chart
    for chart in ("placement_rate", "placement_forms", "home_based_kinds", "staircase_movement", "preventive_investigation"):
        assert figures[chart]["svgShown"] and figures[chart]["marks"] >= 1, chart


def test_suppressed_bars_are_labelled_not_drawn(newest, outbox):
    html = (outbox / "510" / "2025-09-30" / f"{stem(510, '2025-09-30')}_rapport.html").read_text(encoding="utf-8")
    wellbeing = html.split('id="chart-school_wellbeing"')[1].split("</figure>")[0]
    assert "skoleåret 2025/26" in wellbeing and ">undertrykt</text>" in wellbeing
    assert "Udsatte børn, Ro og orden" not in wellbeing  # no bar for the small group


def test_the_html_is_self_contained(newest):
    html = (newest / f"{stem()}_rapport.html").read_text(encoding="utf-8")
    assert "default-src 'none'" in html  # the page may load nothing at all
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|\bsrc=|<link\b|<script\b|url\(|@import", html, re.I)
    assert html.count("<svg ") == len(CHART_IDS)


def test_the_average_of_all_municipalities_is_beside_the_municipality(newest, warehouse_db):
    html = (newest / f"{stem()}_rapport.html").read_text(encoding="utf-8")
    rate = html.split('id="chart-placement_rate"')[1].split("</figure>")[0]
    assert "Haderslev (seneste: 12,35)" in rate
    pooled = warehouse_db("SELECT SUM(numerator) / SUM(denominator) * 1000 AS v FROM published.key_figures "
                          "WHERE key_figure = 'placed_per_1000' AND measurement_date = DATE '2026-09-30'")["v"].iloc[0]
    assert f"Alle kommuner i datavarehuset (samlet) (seneste: {da(pooled, 2)})" in rate
    assert 'stroke-dasharray="6 4"' in rate
