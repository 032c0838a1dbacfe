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


def test_figures_page_lists_every_indicator_by_section(app, client, login_as, fake_indicators):
    login_as("analyst")
    response = client.get("/kpis/?from=2022-04-01&to=2022-04-30")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for ind in kpis.indicators():
        assert f'data-indicator="{ind.id}"' in page
    assert "Test section" in page and "Test other" in page
    assert "71.93%" not in page and "70.00%" in page  # April 2022: 21 weekdays of 30 days
    assert "/kpis/test.days/numerator" not in page  # an analyst never drills to records


def test_figures_page_defaults_to_the_financial_year_to_date(app, client, login_as, fake_indicators):
    app.config["TODAY"] = "2026-11-23"
    login_as("analyst")
    page = client.get("/kpis/").get_data(as_text=True)
    assert "From 1 April 2026 to 23 November 2026" in page
    app.config["TODAY"] = "2026-02-10"
    assert "From 1 April 2025 to 10 February 2026" in client.get("/kpis/").get_data(as_text=True)


def test_figures_page_date_errors(app, client, login_as, fake_indicators):
    login_as("analyst")
    for query, message in [
        ("from=2022-02-30&to=2022-04-30", "The start date must be a real date"),
        ("from=2022-04-01&to=soon", "The end date must be a real date"),
        ("from=2022-05-01&to=2022-04-30", "The end date must be the same as or after the start date"),
    ]:
        page = client.get(f"/kpis/?{query}").get_data(as_text=True)
        assert "govuk-error-summary" in page and message in page, query


def test_drill_down_needs_drilldown_and_the_family_capability(app, client, sign_in, fake_indicators):
    url = "/kpis/test.days/numerator?from=2022-04-01&to=2022-04-03"
    for roles, status in [
        (("board",), 403),
        (("analyst",), 403),
        (("admin",), 403),
        (("iro_manager",), 200),
        (("manager",), 200),
        (("lado",), 403),
        (("qaro",), 200),
    ]:
        sign_in(*roles, email=f"{roles[0]}.a@example.org")
        assert client.get(url).status_code == status, roles
    # a LADO family figure: LADO roles only; their reads are audited
    lado_url = "/kpis/test.users_active/denominator?from=2022-04-01&to=2022-04-03"
    for roles, status in [(("manager",), 403), (("iro_manager",), 403), (("lado",), 200), (("lado_manager",), 200)]:
        sign_in(*roles, email=f"{roles[0]}.b@example.org")
        assert client.get(lado_url).status_code == status, roles
    with app.app_context():
        from tracker.core.audit import AuditEntry
        from tracker.extensions import db

        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "lado_record.read")
            )
            == 2
        )


def test_drill_down_lists_the_rows(app, client, login_as, fake_indicators):
    login_as("manager")
    page = client.get("/kpis/test.days/numerator?from=2022-04-01&to=2022-04-03").get_data(as_text=True)
    assert "2022-04-01" in page and "2022-04-03" in page and "2022-04-04" not in page
    assert "Records 1 to 3 of 3" in page
    page = client.get("/kpis/test.weekdays/denominator?from=2022-04-01&to=2022-04-03").get_data(as_text=True)
    assert 'href="/somewhere"' in page and "test.weekdays denominator" in page
    main = client.get("/kpis/?from=2022-04-01&to=2022-04-03").get_data(as_text=True)
    assert "/kpis/test.days/numerator?" in main and "/kpis/test.users/numerator" not in main  # manager: no LADO rows
    assert client.get("/kpis/test.days/denominator").status_code == 404  # a count has no denominator
    assert client.get("/kpis/no.such/numerator").status_code == 404
    assert client.get("/kpis/test.days/everything").status_code == 404


def test_kpis_pages_need_kpis_view(app, client, login_as):
    login_as("qaro")
    assert client.get("/kpis/").status_code == 403


def test_board_members_do_not_get_the_unsuppressed_figures(app, client, sign_in, fake_indicators):
    """domain.md §1: board members read the board pack only (small numbers suppressed)."""
    sign_in("board", email="board.k@example.org")
    assert client.get("/kpis/").status_code == 403
    assert b'href="/kpis/"' not in client.get("/").data
    sign_in("analyst", email="analyst.k@example.org")
    page = client.get("/kpis/").get_data(as_text=True)
    assert 'href="#section-1"' in page and "Contents" in page  # a long page: jump to a section
