"""The indicators month by month (issue 12), the indicators' downloads and the GOV.UK date boxes
of their filters, on the small authority: every figure is ``kpis.compute``'s for that month's
period, the chart's numbers are the table's, the CSV and the XLSX hold the page's figures (numbers
as numbers), each download is audited, and a role without ``kpis.view`` gets neither."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from itertools import zip_longest

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.exports import download, with_args
from tests.pages import normalise
from tracker.core import kpis
from tracker.core.kpis import Period
from tracker.formatters import format_figure
from tracker.indicators.chart import fraction

D = dt.date.fromisoformat
MARCH_2023 = "/kpis/monthly?month=3&month=2023"  # April 2022 to March 2023: the small authority's year
MONTHS_2022_23 = [
    "April 2022",
    "May 2022",
    "June 2022",
    "July 2022",
    "August 2022",
    "September 2022",
    "October 2022",
    "November 2022",
    "December 2022",
    "January 2023",
    "February 2023",
    "March 2023",
]


@pytest.fixture
def app_config():
    return {"TODAY": "2026-11-23"}  # after every date of the small authority (tests/test_small_authority.py)


def computed(app, periods: list[Period]) -> list[dict[str, kpis.Figure]]:
    with app.app_context():
        return [kpis.compute(p) for p in periods]


def shown(figure: kpis.Figure) -> str:
    """A figure as the month-by-month table shows it: the value, and what a percentage is made of."""
    return normalise(f"{format_figure(figure.value, figure.indicator.unit)} {fraction(figure)}")


def month_headers(page) -> list[str]:
    return [normalise(th.get_text(" ")) for th in page.select("#section-1 thead th")][1:]


def monthly_rows(page) -> dict[str, list[str]]:
    return {
        row["data-indicator"]: [normalise(td.get_text(" ")) for td in row.select("td")]
        for row in page.select("table.tracker-months tr[data-indicator]")
    }


def last_audit_row(app):
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    with app.app_context():
        row = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
        db.session.expunge(row)
        return row


# --- the months ------------------------------------------------------------------------------------


def test_each_month_is_kpis_compute_for_that_months_period(app, small_authority, client_request, login_as):
    login_as("analyst")
    page = client_request.get(MARCH_2023)
    assert page.h1 == "Indicators month by month" and page.errors == []
    assert month_headers(page) == MONTHS_2022_23
    periods = kpis.months(D("2022-04-01"), D("2023-03-31"))
    assert len(periods) == 12
    expected = computed(app, periods)
    rows = monthly_rows(page)
    assert list(rows) == [ind.id for ind in kpis.indicators()]  # one row per indicator, in catalogue order
    for indicator_id, cells in rows.items():
        assert len(cells) == 12, indicator_id
        assert cells == [shown(month[indicator_id]) for month in expected], indicator_id
    # the months are not all empty: the small authority's year has figures to compare
    assert any(month["reviews.held"].value for month in expected)
    assert rows["reviews.in_timescale"][0] == shown(expected[0]["reviews.in_timescale"])
    # each month's header opens the indicators page of that month (and its drill-downs)
    april = page.select("#section-1 thead th a")[0]["href"]
    assert april == "/kpis/?from=1&from=4&from=2022&to=30&to=4&to=2022"


def test_by_default_the_12_months_end_with_the_last_complete_month(app, small_authority, client_request, login_as):
    login_as("manager")
    page = client_request.get("/kpis/monthly")
    assert month_headers(page)[0] == "November 2025" and month_headers(page)[-1] == "October 2026"
    assert "the last complete month, October 2026" in page.text_of("#months-explained")
    assert (page.value("month-month"), page.value("month-year")) == ("10", "2026")
    # this month, chosen: its column runs to today, its snapshots taken today
    page = client_request.get("/kpis/monthly?month=11&month=2026")
    assert month_headers(page)[-1] == "November 2026 to 23 November"
    assert page.text_of("#months-shown") == "The 12 months from December 2025 to November 2026 (to 23 November 2026)."
    (today_figures,) = computed(app, [Period(D("2026-11-01"), D("2026-11-23"), D("2026-11-23"))])
    rows = monthly_rows(page)
    assert {i: cells[-1] for i, cells in rows.items()} == {i: shown(f) for i, f in today_figures.items()}


# --- the chart -------------------------------------------------------------------------------------


@pytest.mark.parametrize("indicator", [None, "reviews.held", "escalations.open", "lado.referral_rate"])
def test_the_charts_numbers_are_the_tables(app, small_authority, client_request, login_as, indicator):
    login_as("analyst")
    url = MARCH_2023 + (f"&indicator={indicator}" if indicator else "")
    page = client_request.get(url)
    charted = indicator or "reviews.in_timescale"  # the first percentage in the catalogue, by default
    assert page.one("#indicator option[selected]")["value"] == charted
    svg = page.one("svg#chart")
    assert svg["role"] == "img"
    assert svg["aria-label"] == normalise(svg.title.get_text()) != ""
    assert svg["aria-label"].startswith(kpis.get(charted).title)
    assert svg["aria-label"].endswith("month by month, April 2022 to March 2023")
    description = normalise(svg.desc.get_text())
    table = page.table("#chart-table")
    assert [row[0] for row in table] == MONTHS_2022_23
    values = [row[1] for row in table]
    # the value printed over each bar, the bar's data, the description and the table agree
    assert [normalise(t.get_text()) for t in svg.select(".tracker-chart__value")] == values
    expected = computed(app, kpis.months(D("2022-04-01"), D("2023-03-31")))
    figures = [month[charted] for month in expected]
    assert [g["data-value"] for g in svg.select("g[data-month]")] == [
        "" if f.value is None else str(f.value) for f in figures
    ]
    assert values == [format_figure(f.value, f.indicator.unit) for f in figures]
    for month, value in zip(MONTHS_2022_23, values, strict=True):
        assert f"{month}: {value}" in description or f"{month}: no figure" in description
    # and the chart's table is the big table's row
    row = monthly_rows(page)[charted]
    assert [normalise(" ".join(r[1:])) for r in table] == row
    # a bar per month with a figure, as high as its value
    bars = svg.select("rect.tracker-chart__bar")
    assert len(bars) == len([f for f in figures if f.value is not None])
    heights = [float(b["height"]) for b in bars]
    numbers = [float(f.value) for f in figures if f.value is not None]
    pairs = list(zip(numbers, heights, strict=True))
    assert all(h1 <= h2 for v1, h1 in pairs for v2, h2 in pairs if v1 <= v2)


def test_the_chart_holds_no_style_attribute_and_no_script(small_authority, client_request, login_as):
    login_as("analyst")
    page = client_request.get(MARCH_2023)
    svg = page.one("svg#chart")
    assert not [tag.name for tag in svg.find_all(True) if "style" in tag.attrs]
    assert not svg.select("script")


# --- downloads ---------------------------------------------------------------------------------


def xlsx_rows(client, url: str) -> list[tuple]:
    response = client.get(with_args(url, format="xlsx"))
    assert response.status_code == 200
    return list(load_workbook(io.BytesIO(response.get_data()), read_only=True).active.iter_rows(values_only=True))


def test_the_monthly_downloads_are_the_page(app, small_authority, client_request, login_as):
    login_as("analyst")
    page = client_request.get(MARCH_2023)
    links = page.links("#downloads")
    assert links == {
        "Download CSV": "/kpis/monthly?month=3&month=2023&indicator=reviews.in_timescale&format=csv",
        "Download XLSX (Excel)": "/kpis/monthly?month=3&month=2023&indicator=reviews.in_timescale&format=xlsx",
    }
    rows = monthly_rows(page)
    for fmt in ("csv", "xlsx"):
        got = download(client_request.client, MARCH_2023, fmt)
        assert [r["Id"] for r in got] == list(rows)
        for r in got:
            figures = [
                normalise(
                    f"{format_figure(_number(r[m], r['Unit']), r['Unit'])} "
                    + (
                        ""
                        if r["Unit"] == "No."
                        else f"{r[m + ' numerator']} {'of' if r['Unit'] == '%' else 'over'} {r[m + ' denominator']}"
                    )
                )
                for m in MONTHS_2022_23
            ]
            assert figures == [_plain(cell) for cell in rows[r["Id"]]], (fmt, r["Id"])
        audit = last_audit_row(app)
        assert (audit.action, audit.object_type) == ("list.export", "export")
        assert audit.after == {
            "list": "Indicators by month",
            "format": fmt,
            "filters": {"month": ["3", "2023"]},
            "rows": len(rows),
        }
    # numbers are numbers in the XLSX: a percentage is 45.0, not "45.00%"
    header, *data = xlsx_rows(client_request.client, MARCH_2023)
    by_id = {row[2]: dict(zip_longest(header, row)) for row in data}  # (a row's blank last cells are not read)
    (march,) = computed(app, [Period(D("2023-03-01"), D("2023-03-31"), D("2023-03-31"))])
    for indicator_id in ("reviews.in_timescale", "reviews.held", "contacts.children_in_care"):
        cell = by_id[indicator_id]["March 2023"]
        value = march[indicator_id].value
        assert cell == (None if value is None else pytest.approx(float(value)))
        assert value is None or isinstance(cell, (int, float))


def _number(text: str, unit: str):
    """A downloaded value as the page formats it (the XLSX's 45 or 45.0 for a percentage is 45.00)."""
    if text == "":
        return None
    return int(Decimal(text)) if unit == "No." else Decimal(text).quantize(Decimal("0.01"))


def _plain(text: str) -> str:
    return normalise(text.replace(",", ""))


def test_the_period_downloads_are_the_page(app, small_authority, client_request, login_as):
    login_as("iro_manager")
    url = "/kpis/?from=1&from=4&from=2022&to=31&to=3&to=2023"
    page = client_request.get(url)
    assert page.links("#downloads") == {
        "Download CSV": url + "&format=csv",
        "Download XLSX (Excel)": url + "&format=xlsx",
    }
    shown_rows = {
        row["data-indicator"]: [normalise(td.get_text(" ")).replace(",", "") for td in row.select("td")]
        for row in page.select("tr[data-indicator]")
    }
    for fmt in ("csv", "xlsx"):
        got = download(client_request.client, url, fmt)
        assert [r["Id"] for r in got] == list(shown_rows)
        for r in got:
            value = format_figure(_number(r["Value"], r["Unit"]), r["Unit"])
            assert [r["Numerator"], r["Denominator"], value] == shown_rows[r["Id"]], (fmt, r["Id"])
        audit = last_audit_row(app)
        assert audit.action == "list.export" and audit.after["list"] == "Indicators"
        assert audit.after["filters"] == {"from": ["1", "4", "2022"], "to": ["31", "3", "2023"]}
    header, *data = xlsx_rows(client_request.client, url)
    row = dict(zip_longest(header, next(r for r in data if r[2] == "reviews.in_timescale")))
    with app.app_context():
        figure = kpis.compute(Period(D("2022-04-01"), D("2023-03-31"), D("2023-03-31")))["reviews.in_timescale"]
    assert (row["Numerator"], row["Denominator"]) == (figure.numerator, figure.denominator)
    assert row["Value"] == pytest.approx(float(figure.value)) and row["Unit"] == "%"


@pytest.mark.parametrize("role", ["board", "qaro", "adm", "panel_admin"])
@pytest.mark.parametrize("url", ["/kpis/", "/kpis/monthly", MARCH_2023])
def test_a_role_without_kpis_view_gets_neither_page_nor_download(small_authority, client_request, login_as, role, url):
    login_as(role)
    client_request.get(url, status=403)
    for fmt in ("csv", "xlsx"):
        download(client_request.client, url, fmt, status=403)


def test_an_unknown_download_format_is_a_bad_request(client_request, login_as):
    login_as("analyst")
    client_request.get("/kpis/monthly?format=pdf", status=400)
    client_request.get("/kpis/?format=ods", status=400)


# --- the date boxes --------------------------------------------------------------------------------


def test_the_period_filter_takes_day_month_and_year(app, small_authority, client_request, login_as):
    login_as("iro_manager")
    page = client_request.get("/kpis/?from=1&from=4&from=2022&to=31&to=3&to=2023")
    assert page.errors == []
    assert "From 1 April 2022 to 31 March 2023." in page.text
    assert [page.value(f"from-{box}") for box in ("day", "month", "year")] == ["1", "4", "2022"]
    assert [page.value(f"to-{box}") for box in ("day", "month", "year")] == ["31", "3", "2023"]
    # the drill-down links carry the period as boxes, and the drill-down's back link too
    drill = next(h for h in page.hrefs() if h.startswith("/kpis/reviews.held/numerator"))
    assert drill == "/kpis/reviews.held/numerator?from=1&from=4&from=2022&to=31&to=3&to=2023"
    back = client_request.get(drill).one("a.govuk-back-link")["href"]
    assert back == "/kpis/?from=1&from=4&from=2022&to=31&to=3&to=2023"
    # a link made before the boxes (one YYYY-MM-DD value) still works
    old = client_request.get("/kpis/?from=2022-04-01&to=2023-03-31")
    assert old.errors == [] and "From 1 April 2022 to 31 March 2023." in old.text
    assert old.table("#section-1") == page.table("#section-1")
    old_drill = client_request.get("/kpis/reviews.held/numerator?from=2022-04-01&to=2023-03-31")
    assert old_drill.table("#rows") == client_request.get(drill).table("#rows")


@pytest.mark.parametrize(
    "query, field, message",
    [
        ("from=30&from=2&from=2022", "from", "Start date must be a real date, for example 27 3 2023"),
        ("to=1&to=13&to=2023", "to", "End date must be a real date, for example 27 3 2023"),
        ("from=2022-02-30", "from", "Start date must be a real date, for example 27 3 2023"),
        ("from=1&from=1&from=1899", "from", "Start date must be between 1 January 1900 and 23 November 2028"),
        (
            "from=1&from=5&from=2022&to=30&to=4&to=2022",
            "to",
            "The end date must be the same as or after the start date",
        ),
        ("to=1&to=1", "to", "End date must be a real date, for example 27 3 2023"),
    ],
)
def test_a_bad_period_is_an_error_summary_not_a_server_error(client_request, login_as, query, field, message):
    login_as("analyst")
    page = client_request.get(f"/kpis/?{query}")
    assert page.errors == [message]
    assert page.field_error(field) == message
    assert page.title.startswith("Error: Indicators")
    assert page.one(".govuk-error-summary a")["href"] == f"#{field}"
    assert "From 1 April 2026 to 23 November 2026." in page.text  # the default period's figures, shown
    # and the drill-down of a bad period is a bad request
    login_as("iro_manager")
    client_request.get(f"/kpis/reviews.held/numerator?{query}", status=400)


@pytest.mark.parametrize(
    "query, message",
    [
        ("month=13&month=2023", "Month ending must be a real month, for example 3 2023"),
        ("month=3", "Month ending must be a real month, for example 3 2023"),
        ("month=3&month=2023&month=1", "Month ending must be a real month, for example 3 2023"),
        ("month=12&month=2026", "Month ending must be this month or an earlier month"),
        ("month=1&month=1900", "Month ending must be December 1900 or a later month"),
        ("month=1&month=99999999999999999999", "Month ending must be a real month, for example 3 2023"),
        ("indicator=no.such", "Not a valid choice."),
    ],
)
def test_a_bad_month_is_an_error_summary_not_a_server_error(client_request, login_as, query, message):
    login_as("analyst")
    page = client_request.get(f"/kpis/monthly?{query}")
    assert page.errors == [message]
    assert page.title.startswith("Error: Indicators month by month")
    assert month_headers(page)[-1] == "October 2026" or query.startswith("indicator")
    assert len(month_headers(page)) == 12


def test_the_audit_filter_takes_day_month_and_year(app, client_request, login_as):
    login_as("admin")
    page = client_request.get("/admin/audit?date_from=1&date_from=1&date_from=2026&date_to=31&date_to=12&date_to=2026")
    assert page.errors == []
    assert [page.value(f"date_from-{box}") for box in ("day", "month", "year")] == ["1", "1", "2026"]
    page = client_request.get("/admin/audit?date_from=31&date_from=2&date_from=2026")
    assert page.errors == ["From must be a real date, for example 27 3 2023"]
    assert page.field_error("date_from") == "From must be a real date, for example 27 3 2023"
    assert page.title.startswith("Error: ")
    page = client_request.get("/lado/audit?date_to=x", status=403)  # the LADO log: LADO manager only
    login_as("lado_manager")
    page = client_request.get("/lado/audit?date_to=1&date_to=13&date_to=2026")
    assert page.errors == ["To must be a real date, for example 27 3 2023"]


# --- dates on drill-downs --------------------------------------------------------------------------

ISO = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def test_drill_downs_print_no_iso_date(app, small_authority, client_request, login_as):
    login_as("iro_manager", "lado_manager")
    page = client_request.get("/kpis/?from=1&from=4&from=2022&to=31&to=3&to=2023")
    drills = sorted({h for h in page.hrefs() if "/numerator?" in h or "/denominator?" in h})
    assert len(drills) > 20
    for href in drills:
        drill = client_request.get(href)
        assert drill.table("#rows"), href
        assert not ISO.findall(drill.text), href
