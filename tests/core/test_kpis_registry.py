"""The indicator registry (kpis.md, interchange.md §2): rounding, periods, report shape, the
``kpis`` command on an empty database for every registered indicator, and the pages."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.pages import normalise
from tracker.core import kpis
from tracker.core.kpis import AVERAGE, COUNT, PERCENT, Indicator, Period, Ratio

D = dt.date.fromisoformat


@pytest.mark.parametrize(
    "numerator, denominator, expected",
    [
        (1, 8, "12.50"),
        (2, 3, "66.67"),
        (1, 6, "16.67"),
        (5, 16, "31.25"),
        (1, 3, "33.33"),
        (1, 800, "0.13"),  # 0.125 exactly: half-up gives 0.13 (round(0.125, 2) gives 0.12)
        (201, 20000, "1.01"),  # 1.005 exactly: a binary float is 1.00499… and would round down
        (107, 4000, "2.68"),  # 2.675 exactly (float: 2.67)
        (1, 8000, "0.01"),  # 0.0125
        (3, 8000, "0.04"),  # 0.0375
        (1221, 1316, "92.78"),  # interchange.md §2's example
        (0, 5, "0.00"),
        (5, 5, "100.00"),
    ],
)
def test_percentage_rounds_half_up(numerator, denominator, expected):
    assert kpis.percentage(numerator, denominator) == Decimal(expected)
    assert str(kpis.percentage(numerator, denominator)) == expected


def test_percentage_and_average_of_zero_denominator_are_none():
    assert kpis.percentage(0, 0) is None
    assert kpis.percentage(3, 0) is None
    assert kpis.average(3, 0) is None


@pytest.mark.parametrize(
    "numerator, denominator, expected",
    [(5, 2, "2.50"), (1, 3, "0.33"), (2, 3, "0.67"), (1, 8, "0.13"), (10, 4, "2.50"), (0, 4, "0.00")],
)
def test_average_rounds_half_up(numerator, denominator, expected):
    assert kpis.average(numerator, denominator) == Decimal(expected)


def test_months_are_clipped_to_the_period():
    periods = kpis.months(D("2022-04-15"), D("2022-06-10"))
    assert periods == [
        Period(D("2022-04-15"), D("2022-04-30"), D("2022-04-30")),
        Period(D("2022-05-01"), D("2022-05-31"), D("2022-05-31")),
        Period(D("2022-06-01"), D("2022-06-10"), D("2022-06-10")),
    ]
    fy = kpis.months(D("2022-04-01"), D("2023-03-31"))
    assert [p.start.strftime("%Y-%m") for p in fy] == [f"2022-{m:02d}" for m in range(4, 13)] + [
        "2023-01",
        "2023-02",
        "2023-03",
    ]
    assert fy[10] == Period(D("2023-02-01"), D("2023-02-28"), D("2023-02-28"))
    assert kpis.months(D("2024-02-29"), D("2024-02-29")) == [Period(D("2024-02-29"), D("2024-02-29"), D("2024-02-29"))]
    assert kpis.months(D("2023-12-31"), D("2024-01-01")) == [
        Period(D("2023-12-31"), D("2023-12-31"), D("2023-12-31")),
        Period(D("2024-01-01"), D("2024-01-01"), D("2024-01-01")),
    ]


def test_period_must_not_end_before_it_starts():
    with pytest.raises(ValueError):
        Period(D("2023-01-02"), D("2023-01-01"), D("2023-01-02"))


FAKE = [
    Indicator("test.days", COUNT, "Days in the period", "Test section", "children"),
    Indicator("test.weekdays", PERCENT, "Weekdays among the days", "Test section", "children"),
    Indicator("test.per_week", AVERAGE, "Days per week", "Test section", "children"),
    Indicator("test.users", COUNT, "Users in the database", "Test other", "lado"),
    Indicator("test.users_active", PERCENT, "Active users", "Test other", "lado"),
]


def _fake_compute(period: Period) -> dict:
    from tracker.auth.models import User
    from tracker.extensions import db

    days = (period.end - period.start).days + 1
    weekdays = sum(1 for i in range(days) if (period.start + dt.timedelta(days=i)).weekday() < 5)
    users = db.session.scalar(select(func.count()).select_from(User))
    active = db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(True)))
    return {
        "test.days": days,
        "test.weekdays": Ratio(weekdays, days),
        "test.per_week": Ratio(days, 7),
        "test.users": users,
        "test.users_active": Ratio(active, users),
    }


def _fake_drill(indicator_id: str, period: Period, part: str) -> list[dict]:
    if indicator_id == "test.days":
        return [
            {"ref": (period.start + dt.timedelta(days=i)).isoformat(), "label": "A day", "url": None}
            for i in range((period.end - period.start).days + 1)
        ]
    return [{"ref": "R1", "label": f"{indicator_id} {part}", "url": "/somewhere"}]


@pytest.fixture
def fake_indicators():
    """Registers test indicators for the test and removes them afterwards."""
    kpis.register_group(FAKE, _fake_compute, _fake_drill)
    group = kpis.REGISTRY.by_id["test.days"][1]
    yield FAKE
    kpis.REGISTRY.groups.remove(group)
    for ind in FAKE:
        kpis.REGISTRY.by_id.pop(ind.id, None)


def test_register_group_refuses_bad_units_and_duplicates(fake_indicators):
    with pytest.raises(ValueError):
        kpis.register_group([Indicator("test.bad", "percent", "Bad", "S", "children")], lambda p: {})
    with pytest.raises(ValueError):
        kpis.register_group([Indicator("test.days", COUNT, "Another label", "S", "children")], lambda p: {})
    kpis.register_group(FAKE, _fake_compute, _fake_drill)  # the same group again: ignored
    assert [i.id for i in kpis.indicators()].count("test.days") == 1


def test_report_shape_with_months(app, fake_indicators):
    with app.app_context():
        doc = kpis.report(D("2022-04-15"), D("2022-06-10"), by_month=True)
    assert doc["from"] == "2022-04-15" and doc["to"] == "2022-06-10" and doc["as_of"] == "2022-06-10"
    assert list(doc["indicators"]) == [i.id for i in kpis.indicators()]
    assert doc["indicators"]["test.days"] == {"value": 57}
    assert doc["indicators"]["test.weekdays"] == {"numerator": 41, "denominator": 57, "value": 71.93}
    assert doc["indicators"]["test.per_week"] == {"value": 8.14}
    assert doc["indicators"]["test.users_active"] == {"numerator": 0, "denominator": 0, "value": None}
    assert [m["month"] for m in doc["months"]] == ["2022-04", "2022-05", "2022-06"]
    assert doc["months"][0]["indicators"]["test.days"] == {"value": 16}
    assert doc["months"][2]["indicators"]["test.days"] == {"value": 10}
    assert all(list(m["indicators"]) == list(doc["indicators"]) for m in doc["months"])
    json.dumps(doc)  # JSON-serialisable as it is

    rows = kpis.report_rows(doc)
    n = len(doc["indicators"])
    assert len(rows) == n * 4
    assert rows[0]["period"] == "all" and rows[n]["period"] == "2022-04"
    by_key = {(r["period"], r["indicator"]): r for r in rows}
    assert by_key[("all", "test.weekdays")] == {
        "period": "all",
        "indicator": "test.weekdays",
        "unit": "%",
        "numerator": 41,
        "denominator": 57,
        "value": 71.93,
    }
    assert by_key[("2022-05", "test.days")] == {
        "period": "2022-05",
        "indicator": "test.days",
        "unit": "No.",
        "numerator": "",
        "denominator": "",
        "value": 31,
    }
    assert by_key[("all", "test.users_active")]["value"] == ""


def test_as_of_defaults_to_the_end_and_can_be_given(app, fake_indicators):
    with app.app_context():
        assert kpis.report(D("2022-04-01"), D("2022-04-30"))["as_of"] == "2022-04-30"
        doc = kpis.report(D("2022-04-01"), D("2022-04-30"), as_of=D("2022-05-15"))
    assert doc["as_of"] == "2022-05-15" and "months" not in doc


def _expected_empty(ind: Indicator) -> dict:
    if ind.unit == PERCENT:
        return {"numerator": 0, "denominator": 0, "value": None}
    if ind.unit == AVERAGE:
        return {"value": None}
    return {"value": 0}


def test_kpis_command_on_an_empty_database_gives_every_indicator(app, runner, fake_indicators):
    """Every registered indicator (features add theirs) is present, with zeros, in catalogue order."""
    # the fake indicators that do not depend on the data are left out of the zero check
    data_free = {"test.days", "test.weekdays", "test.per_week"}
    result = runner.invoke(
        args=["kpis", "--from", "2022-04-01", "--to", "2023-03-31", "--by", "month", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    registered = kpis.indicators()
    assert list(doc["indicators"]) == [i.id for i in registered]
    wrong = {
        i.id: doc["indicators"][i.id]
        for i in registered
        if i.id not in data_free and doc["indicators"][i.id] != _expected_empty(i)
    }
    assert wrong == {}, f"indicators not zero on an empty database: {wrong}"
    assert len(doc["months"]) == 12
    for month in doc["months"]:
        assert list(month["indicators"]) == [i.id for i in registered]
        wrong = {
            i.id: month["indicators"][i.id]
            for i in registered
            if i.id not in data_free and month["indicators"][i.id] != _expected_empty(i)
        }
        assert wrong == {}, f"{month['month']}: {wrong}"


def test_kpis_command_csv(app, runner, fake_indicators):
    result = runner.invoke(
        args=["kpis", "--from", "2022-04-01", "--to", "2022-05-31", "--by", "month", "--format", "csv"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "period,indicator,unit,numerator,denominator,value"
    rows = list(csv.DictReader(io.StringIO(result.output)))
    ids = [i.id for i in kpis.indicators()]
    assert [(r["period"], r["indicator"]) for r in rows] == [(p, i) for p in ("all", "2022-04", "2022-05") for i in ids]
    by_key = {(r["period"], r["indicator"]): r for r in rows}
    assert by_key[("all", "test.days")] == {
        "period": "all",
        "indicator": "test.days",
        "unit": "No.",
        "numerator": "",
        "denominator": "",
        "value": "61",
    }
    assert by_key[("2022-04", "test.weekdays")] == {
        "period": "2022-04",
        "indicator": "test.weekdays",
        "unit": "%",
        "numerator": "21",
        "denominator": "30",
        "value": "70.0",
    }
    assert by_key[("all", "test.users_active")] == {
        "period": "all",
        "indicator": "test.users_active",
        "unit": "%",
        "numerator": "0",
        "denominator": "0",
        "value": "",
    }
    for ind in kpis.indicators():
        if not ind.id.startswith("test."):
            assert by_key[("all", ind.id)]["unit"] == ind.unit


@pytest.mark.parametrize(
    "args, message",
    [
        (["--from", "2022-13-01", "--to", "2023-03-31"], "'2022-13-01' is not a date in the form YYYY-MM-DD"),
        (["--from", "20220401", "--to", "2023-03-31"], "is not a date in the form YYYY-MM-DD"),
        (["--from", "2022-04-01", "--to", "31/03/2023"], "'31/03/2023' is not a date"),
        (["--from", "2022-04-01", "--to", "2023-03-31", "--as-of", "yesterday"], "'yesterday' is not a date"),
        (["--from", "2023-04-01", "--to", "2023-03-31"], "is before --from"),
        (["--to", "2023-03-31"], "Missing option '--from'"),
        (["--from", "2022-04-01", "--to", "2023-03-31", "--by", "week"], "'week' is not 'month'"),
        (["--from", "2022-04-01", "--to", "2023-03-31", "--format", "xml"], "Invalid value for '--format'"),
    ],
)
def test_kpis_command_refuses_bad_usage_with_exit_code_2(app, runner, args, message):
    result = runner.invoke(args=["kpis", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output


def _row(page, indicator_id: str) -> list[str]:
    """The figures page's row of one indicator: label and id, numerator, denominator, value."""
    (row,) = page.select(f'tr[data-indicator="{indicator_id}"]')
    return [normalise(cell.get_text(" ")) for cell in row.select("th, td")]


def test_figures_page_lists_every_indicator_by_section(app, client_request, login_as, fake_indicators):
    login_as("analyst")
    page = client_request.get("/kpis/?from=2022-04-01&to=2022-04-30")
    assert page.h1 == "Indicators" and page.errors == []
    shown = [row["data-indicator"] for row in page.select("tr[data-indicator]")]
    assert shown == [ind.id for ind in kpis.indicators()]
    captions = page.texts("table caption")
    assert "Test section" in captions and "Test other" in captions
    # April 2022: 21 weekdays of 30 days (71.93% would be the whole period's)
    assert _row(page, "test.weekdays") == ["Weekdays among the days test.weekdays", "21", "30", "70.00%"]
    assert _row(page, "test.days") == ["Days in the period test.days", "30", "", "30"]
    assert _row(page, "test.per_week") == ["Days per week test.per_week", "30", "7", "4.29"]
    assert _row(page, "test.users_active") == ["Active users test.users_active", "1", "1", "100.00%"]  # the analyst
    assert [href for href in page.hrefs() if href.startswith("/kpis/test.")] == []  # an analyst never drills


def boxes(page, name: str) -> list[str]:
    """The day, month and year boxes of a GOV.UK date input, as shown."""
    return [page.value(f"{name}-{box}") or "" for box in ("day", "month", "year")]


def test_figures_page_defaults_to_the_financial_year_to_date(app, client_request, login_as, fake_indicators):
    app.config["TODAY"] = "2026-11-23"
    login_as("analyst")
    page = client_request.get("/kpis/")
    assert "From 1 April 2026 to 23 November 2026." in page.text
    assert (boxes(page, "from"), boxes(page, "to")) == (["1", "4", "2026"], ["23", "11", "2026"])
    app.config["TODAY"] = "2026-02-10"
    assert "From 1 April 2025 to 10 February 2026." in client_request.get("/kpis/").text


def test_figures_page_takes_the_period_in_date_boxes_and_from_old_links(app, client_request, login_as, fake_indicators):
    login_as("analyst")
    page = client_request.get("/kpis/?from=1&from=4&from=2022&to=30&to=4&to=2022")
    assert page.errors == [] and "From 1 April 2022 to 30 April 2022." in page.text
    assert _row(page, "test.days") == ["Days in the period test.days", "30", "", "30"]
    # a link made before the date boxes (one YYYY-MM-DD value each) still shows the same period
    old = client_request.get("/kpis/?from=2022-04-01&to=2022-04-30")
    assert old.errors == [] and _row(old, "test.days") == _row(page, "test.days")
    # one date given: the other is the default period's (this financial year to date)
    app.config["TODAY"] = "2026-11-23"
    assert "From 1 October 2026 to 23 November 2026." in client_request.get("/kpis/?from=1&from=10&from=2026").text


def test_monthly_page_shows_each_unit_as_the_figures_page(app, client_request, login_as, fake_indicators):
    """Each month's figure is compute's for the month: a count, a percentage and an average
    with what they are made of; the chart of an average is scaled to its values."""
    app.config["TODAY"] = "2026-11-23"
    login_as("analyst")
    page = client_request.get("/kpis/monthly?month=4&month=2022&indicator=test.per_week")
    assert page.errors == []

    def last_month(indicator_id):
        (row,) = page.select(f'table.tracker-months tr[data-indicator="{indicator_id}"]')
        return [normalise(td.get_text(" ")) for td in row.select("td")]

    assert len(last_month("test.days")) == 12
    assert last_month("test.days")[-2:] == ["31", "30"]  # March 2022, April 2022
    assert last_month("test.weekdays")[-1] == "70.00% 21 of 30"
    assert last_month("test.per_week")[-1] == "4.29 30 over 7"
    assert page.table("#chart-table")[-1] == ["April 2022", "4.29", "30 over 7"]
    ticks = page.texts("#chart .tracker-chart__tick")
    assert ticks[0] == "0" and float(ticks[-1]) >= 4.43  # 31 days over 7: the highest bar fits


FIGURES_DATE_ERRORS = [
    ("from=30&from=2&from=2022&to=30&to=4&to=2022", "from", "Start date must be a real date, for example 27 3 2023"),
    ("from=2022-02-30&to=2022-04-30", "from", "Start date must be a real date, for example 27 3 2023"),
    ("from=1&from=4&from=2022&to=soon", "to", "End date must be a real date, for example 27 3 2023"),
    ("from=1&from=5&from=2022&to=30&to=4&to=2022", "to", "The end date must be the same as or after the start date"),
]


@pytest.mark.parametrize("query, field, message", FIGURES_DATE_ERRORS)
def test_figures_page_date_errors(app, client_request, login_as, fake_indicators, query, field, message):
    app.config["TODAY"] = "2026-11-23"
    login_as("analyst")
    page = client_request.get(f"/kpis/?{query}")
    assert page.errors == [message]
    assert page.field_error(field) == message
    assert page.title.startswith("Error: Indicators")
    # the figures shown are the default period's, and what was typed is kept
    assert "From 1 April 2026 to 23 November 2026." in page.text
    typed = [value for name, value in (part.split("=") for part in query.split("&")) if name == field]
    assert boxes(page, field) == (typed if len(typed) == 3 else [typed[0], "", ""])


DRILL_ACCESS = [
    ("board", "/kpis/test.days/numerator", 403),
    ("analyst", "/kpis/test.days/numerator", 403),
    ("admin", "/kpis/test.days/numerator", 403),
    ("iro_manager", "/kpis/test.days/numerator", 200),
    ("manager", "/kpis/test.days/numerator", 200),
    ("lado", "/kpis/test.days/numerator", 403),
    ("qaro", "/kpis/test.days/numerator", 200),
    # a LADO family figure: LADO roles only
    ("manager", "/kpis/test.users_active/denominator", 403),
    ("iro_manager", "/kpis/test.users_active/denominator", 403),
    ("lado", "/kpis/test.users_active/denominator", 200),
    ("lado_manager", "/kpis/test.users_active/denominator", 200),
]


@pytest.mark.parametrize("role, url, status", DRILL_ACCESS)
def test_drill_down_needs_drilldown_and_the_family_capability(
    app, client_request, login_as, audit_rows, fake_indicators, role, url, status
):
    login_as(role)
    client_request.get(f"{url}?from=2022-04-01&to=2022-04-03", status=status)
    # reads of a LADO figure's records are audited; nothing else is
    lado_read = status == 200 and "users_active" in url
    assert [(e.object_type, e.object_id, e.after) for e in audit_rows("lado_record.read")] == (
        [("lado_page", "kpis.drill", {"refs": ["R1"], "page": 1, "total": 1})] if lado_read else []
    )


def test_drill_down_lists_the_rows(app, client_request, login_as, fake_indicators):
    login_as("manager")
    page = client_request.get("/kpis/test.days/numerator?from=2022-04-01&to=2022-04-03")
    assert page.h1 == "Test section Days in the period"
    assert page.table("#rows") == [["2022-04-01", "A day"], ["2022-04-02", "A day"], ["2022-04-03", "A day"]]
    assert page.text_of("#rows caption") == "Records 1 to 3 of 3"
    assert page.text.startswith("Test section Days in the period The 3 records counted, from 1 April 2022 to 3 April")
    page = client_request.get("/kpis/test.days/numerator?from=2022-04-01&to=2022-04-01")
    assert page.text.startswith("Test section Days in the period The 1 record counted, from 1 April 2022 to 1 April")
    page = client_request.get("/kpis/test.weekdays/denominator?from=2022-04-01&to=2022-04-03")
    assert page.table("#rows") == [["R1", "test.weekdays denominator"]]
    assert page.links("#rows") == {"R1": "/somewhere"}
    assert "The records in the denominator (3) of 33.33%, from 1 April 2022 to 3 April 2022." in page.text
    page = client_request.get("/kpis/test.per_week/denominator?from=2022-04-01&to=2022-04-03")
    assert "The records in the denominator (7) of 0.43, from 1 April 2022 to 3 April 2022." in page.text
    main = client_request.get("/kpis/?from=2022-04-01&to=2022-04-03")
    drills = {href.split("?")[0] for href in main.hrefs() if href.startswith("/kpis/test.")}
    # manager: the children figures open to their records, the LADO ones do not
    assert drills == {
        "/kpis/test.days/numerator",
        "/kpis/test.weekdays/numerator",
        "/kpis/test.weekdays/denominator",
        "/kpis/test.per_week/numerator",
        "/kpis/test.per_week/denominator",
    }
    client_request.get("/kpis/test.days/denominator", status=404)  # a count has no denominator
    client_request.get("/kpis/no.such/numerator", status=404)
    client_request.get("/kpis/test.days/everything", status=404)
    client_request.get("/kpis/test.days/numerator?from=2022-04-31", status=400)


def test_kpis_pages_need_kpis_view(app, client_request, login_as):
    login_as("qaro")
    client_request.get("/kpis/", status=403)


def test_board_members_do_not_get_the_unsuppressed_figures(app, client_request, login_as, fake_indicators):
    """domain.md §1: board members read the board pack only (small numbers suppressed)."""
    login_as("board")
    client_request.get("/kpis/", status=403)
    assert "/kpis/" not in client_request.get("/").hrefs("body")
    login_as("analyst")
    page = client_request.get("/kpis/")
    assert page.links("nav[aria-labelledby=contents-heading]") == {  # a long page: jump to a section
        section: f"#section-{n}" for n, section in enumerate(dict.fromkeys(i.section for i in kpis.indicators()), 1)
    }


def test_the_catalogue_follows_the_features_whatever_was_imported_first(app):
    """Reviews' figures lead the catalogue (the monthly page's default chart is its first
    percentage) even when a later feature's module was imported first, as a test run may do."""

    def compute(period):
        return {"reviews.test_late": 0}

    compute.__module__ = "tracker.reviews.late"  # a reviews module registering after everyone
    late = Indicator("reviews.test_late", COUNT, "Registered late", "Reviews", "children")
    kpis.register_group([late], compute)
    try:
        ids = [i.id for i in kpis.indicators()]
        families = [i.split(".")[0] for i in ids if not i.startswith("test.")]
        assert ids.index("reviews.test_late") < ids.index("consultations.sent")
        assert families.index("consultations") > max(i for i, f in enumerate(families) if f == "reviews")
        assert families.index("escalations") > max(i for i, f in enumerate(families) if f == "consultations")
    finally:
        kpis.REGISTRY.groups.remove(kpis.REGISTRY.by_id["reviews.test_late"][1])
        kpis.REGISTRY.by_id.pop("reviews.test_late")
