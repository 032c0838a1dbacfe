"""Working days in England and Wales (domain.md §2): bank holidays, closure days, month arithmetic,
and the SQL face of the calendar agreeing with the Python face."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Date, literal, select

from tracker.core import calendar, checks, timescales
from tracker.core.calendar import add_months, add_working_days, is_working_day, working_days_between
from tracker.core.timescales import Unit
from tracker.formatters import format_date

D = dt.date.fromisoformat

# Every bank holiday in England and Wales, 2020–2027 (gov.uk/bank-holidays), written out by hand.
BANK_HOLIDAYS = {
    2020: [
        "2020-01-01",
        "2020-04-10",
        "2020-04-13",
        "2020-05-08",  # early May moved to Fri 8 May (VE Day 75)
        "2020-05-25",
        "2020-08-31",
        "2020-12-25",
        "2020-12-28",
    ],  # Boxing Day (Sat) substitute
    2021: [
        "2021-01-01",
        "2021-04-02",
        "2021-04-05",
        "2021-05-03",
        "2021-05-31",
        "2021-08-30",
        "2021-12-27",
        "2021-12-28",
    ],  # Christmas (Sat) and Boxing Day (Sun) substitutes
    2022: [
        "2022-01-03",  # New Year's Day (Sat) substitute
        "2022-04-15",
        "2022-04-18",
        "2022-05-02",
        "2022-06-02",  # spring bank holiday moved to Thu 2 June
        "2022-06-03",  # Platinum Jubilee
        "2022-08-29",
        "2022-09-19",  # state funeral of Queen Elizabeth II
        "2022-12-26",
        "2022-12-27",
    ],  # Christmas Day (Sun) substitute on the 27th
    2023: [
        "2023-01-02",  # New Year's Day (Sun) substitute
        "2023-04-07",
        "2023-04-10",
        "2023-05-01",
        "2023-05-08",  # coronation of King Charles III
        "2023-05-29",
        "2023-08-28",
        "2023-12-25",
        "2023-12-26",
    ],
    2024: [
        "2024-01-01",
        "2024-03-29",
        "2024-04-01",
        "2024-05-06",
        "2024-05-27",
        "2024-08-26",
        "2024-12-25",
        "2024-12-26",
    ],
    2025: [
        "2025-01-01",
        "2025-04-18",
        "2025-04-21",
        "2025-05-05",
        "2025-05-26",
        "2025-08-25",
        "2025-12-25",
        "2025-12-26",
    ],
    2026: [
        "2026-01-01",
        "2026-04-03",
        "2026-04-06",
        "2026-05-04",
        "2026-05-25",
        "2026-08-31",
        "2026-12-25",
        "2026-12-28",
    ],  # Boxing Day (Sat) substitute
    2027: [
        "2027-01-01",
        "2027-03-26",
        "2027-03-29",
        "2027-05-03",
        "2027-05-31",
        "2027-08-30",
        "2027-12-27",
        "2027-12-28",
    ],  # Christmas (Sat) and Boxing Day (Sun) substitutes
}
ALL_HOLIDAYS = sorted(D(d) for days in BANK_HOLIDAYS.values() for d in days)
HOLIDAY_SET = set(ALL_HOLIDAYS)


@pytest.mark.parametrize("year", sorted(BANK_HOLIDAYS))
def test_bank_holidays_of_the_year_are_exactly_these(year):
    # the package also lists the weekend day a substitute replaces (e.g. Sat 2020-12-26): not a working day anyway
    weekdays = [d for d in sorted(calendar.bank_holidays(year)) if d.weekday() < 5]
    assert weekdays == [D(d) for d in BANK_HOLIDAYS[year]]


@pytest.mark.parametrize("holiday", ALL_HOLIDAYS, ids=str)
def test_bank_holiday_is_not_a_working_day_but_the_weekdays_around_it_are(holiday):
    assert not is_working_day(holiday)
    for step in (-1, 1):
        day = holiday + dt.timedelta(days=step)
        while day.weekday() >= 5 or day in HOLIDAY_SET:
            day += dt.timedelta(days=step)
        assert is_working_day(day), f"{day} next to {holiday} should be a working day"


def test_weekends_are_not_working_days():
    assert not is_working_day(D("2026-01-03"))  # Saturday
    assert not is_working_day(D("2026-01-04"))  # Sunday
    assert is_working_day(D("2026-01-05"))


@pytest.mark.parametrize(
    "start, n, expected",
    [
        ("2026-01-05", 20, "2026-02-02"),  # domain.md §2's own example
        ("2026-01-05", 1, "2026-01-06"),
        ("2026-01-05", 0, "2026-01-05"),
        ("2026-01-09", 1, "2026-01-12"),  # Friday → Monday
        ("2026-01-10", 1, "2026-01-12"),  # from a Saturday
        ("2026-12-23", 3, "2026-12-30"),  # 24, (25 hol), (26/27 weekend), (28 substitute), 29, 30
        ("2020-12-23", 2, "2020-12-29"),  # 24, (25 Fri, 26–27, 28 substitute), 29
        ("2021-12-23", 2, "2021-12-29"),  # 24, (25–26, 27, 28), 29
        ("2022-12-23", 1, "2022-12-28"),  # (24–25, 26, 27) → 28
        ("2027-12-24", 1, "2027-12-29"),
        ("2022-05-31", 2, "2022-06-06"),  # 1 June, (2, 3 June, weekend), 6 June
        ("2023-05-05", 1, "2023-05-09"),  # coronation Monday skipped
        ("2026-02-02", -20, "2026-01-05"),  # negative: the n-th working day before
        ("2026-01-06", -1, "2026-01-05"),
        ("2026-01-05", -1, "2026-01-02"),  # (1 Jan holiday) Friday 2 Jan
        ("2026-01-05", -2, "2025-12-31"),
        ("2026-12-29", -1, "2026-12-24"),  # back across Christmas
        ("2026-01-04", -1, "2026-01-02"),  # from a Sunday
        ("2026-03-13", -5, "2026-03-06"),  # panel papers: 5 working days before a Friday panel
    ],
)
def test_add_working_days(start, n, expected):
    assert add_working_days(D(start), n) == D(expected)


@pytest.mark.parametrize(
    "start, n, expected",
    [
        ("2023-01-31", 1, "2023-02-28"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2023-08-31", 6, "2024-02-29"),
        ("2026-11-30", 3, "2027-02-28"),  # domain.md §2's own example
        ("2026-01-15", 12, "2027-01-15"),
        ("2026-03-31", -1, "2026-02-28"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2025-12-31", 2, "2026-02-28"),
        ("2026-05-31", 1, "2026-06-30"),
        ("2026-06-30", 1, "2026-07-30"),  # not "last day of month" semantics
    ],
)
def test_add_months_clamps_to_month_end(start, n, expected):
    assert add_months(D(start), n) == D(expected)


@pytest.mark.parametrize(
    "start, end, expected",
    [
        ("2026-01-05", "2026-02-02", 20),
        ("2026-01-05", "2026-01-05", 0),
        ("2026-01-09", "2026-01-12", 1),
        ("2026-12-24", "2026-12-29", 1),
        ("2026-02-02", "2026-01-05", -20),
        ("2026-01-03", "2026-01-04", 0),
    ],
)
def test_working_days_between(start, end, expected):
    assert working_days_between(D(start), D(end)) == expected


dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2050, 12, 31))


@settings(max_examples=300, deadline=None)
@given(day=dates, n=st.integers(min_value=1, max_value=80))
def test_add_working_days_property(day, n):
    result = add_working_days(day, n)
    assert result > day
    assert is_working_day(result)
    assert working_days_between(day, result) == n
    # nothing is skipped: the working day before the result is the (n-1)-th after day
    if n > 1:
        assert add_working_days(result, -1) == add_working_days(day, n - 1)
    else:
        assert add_working_days(result, -1) <= day


@settings(max_examples=300, deadline=None)
@given(day=dates, n=st.integers(min_value=1, max_value=80))
def test_negative_working_days_are_symmetric(day, n):
    result = add_working_days(day, -n)
    assert result < day
    assert is_working_day(result)
    # n working days in [result, day)
    assert working_days_between(result - dt.timedelta(days=1), day - dt.timedelta(days=1)) == n
    back = add_working_days(result, n)
    if is_working_day(day):
        assert back == day
    else:  # from a non-working day, going back and forth lands on the next working day
        assert back == add_working_days(day, 1)


@settings(max_examples=200, deadline=None)
@given(day=dates, n=st.integers(min_value=-40, max_value=40))
def test_add_months_property(day, n):
    result = add_months(day, n)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == n
    assert result.day == day.day or (result.day < day.day and (result + dt.timedelta(days=1)).day == 1)


def test_sql_and_python_deadlines_agree(app):
    """``timescales.add_sql`` (set-based, via calendar_days) gives what the Python functions give."""
    rng = random.Random(20261123)
    cases = []
    for _ in range(150):
        day = dt.date(1995, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 60))
        unit = rng.choice(list(Unit))
        amount = rng.choice([0, 1, 2, 5, 10, 20, 28, -1, -5, -20, 3, 6, 12, -6, 112, 365])
        if unit is Unit.months:
            amount = rng.choice([1, 2, 3, 6, 11, 12, -1, -3, -12, 24])
        cases.append((day, amount, unit))
    # month-end and holiday edge cases
    cases += [
        (D("2023-08-31"), 6, Unit.months),
        (D("2026-11-30"), 3, Unit.months),
        (D("2024-01-31"), 1, Unit.months),
        (D("2026-12-24"), 1, Unit.working_days),
        (D("2026-12-26"), 1, Unit.working_days),
        (D("2026-12-26"), -1, Unit.working_days),
        (D("2022-06-04"), -2, Unit.working_days),
        (D("2026-01-05"), 20, Unit.working_days),
    ]
    with app.app_context():
        from tracker.extensions import db

        exprs = [
            timescales.add_sql(literal(day, Date), amount, unit).label(f"c{i}")
            for i, (day, amount, unit) in enumerate(cases)
        ]
        got = []
        for i in range(0, len(exprs), 40):  # a few statements with many columns each
            got.extend(db.session.execute(select(*exprs[i : i + 40])).one())
        mismatches = {
            f"{day} {amount:+d} {unit.value}": (timescales.add(day, amount, unit), sql)
            for (day, amount, unit), sql in zip(cases, got, strict=True)
            if timescales.add(day, amount, unit) != sql
        }
        assert mismatches == {}, f"(python, sql) differ: {mismatches}"
        # deadline_sql reads the rule by name, like deadline
        for name in ("cic_review_first", "cic_review_later", "lado_paim", "panel_papers"):
            anchor = D("2026-11-30")
            assert db.session.scalar(
                select(timescales.deadline_sql(name, literal(anchor, Date)))
            ) == timescales.deadline(name, anchor)


def test_deadline_of_null_anchor_is_none(app):
    with app.app_context():
        from tracker.extensions import db

        assert timescales.deadline("review_minutes", None) is None
        assert db.session.scalar(select(timescales.deadline_sql("review_minutes", literal(None, Date)))) is None


def _recommendations_due(anchor: dt.date) -> tuple[dt.date, dt.date]:
    """The review-recommendations deadline from ``anchor``, in Python and in SQL (app context)."""
    from tracker.extensions import db

    sql = db.session.scalar(select(timescales.deadline_sql("review_recommendations", literal(anchor, Date))))
    return timescales.deadline("review_recommendations", anchor), sql


def test_closure_day_added_on_the_admin_page_moves_deadlines(app, client_request, admin, audit_rows):
    anchor = D("2026-01-05")  # review held Monday: recommendations due 5 working days later
    with app.app_context():
        assert _recommendations_due(anchor) == (D("2026-01-12"), D("2026-01-12"))
    page = client_request.post(
        "/admin/rules/closures/new", {"day": ["7", "1", "2026"], "reason": "Council closure"}, follow=True, status=200
    )
    assert page.banner == "Success Closure day 7 January 2026 added: deadlines now skip it."
    assert page.table("#closures") == [["Wednesday 7 January 2026", "Council closure", "Remove"]]
    with app.app_context():
        assert not is_working_day(D("2026-01-07"))
        assert _recommendations_due(anchor) == (D("2026-01-13"), D("2026-01-13"))
    assert [(e.object_id, e.after) for e in audit_rows("closure_day.create")] == [
        ("2026-01-07", {"day": "2026-01-07", "reason": "Council closure"})
    ]

    # removing it gives the working day back
    page = client_request.post("/admin/rules/closures/2026-01-07/remove", follow=True, status=200)
    assert page.banner == "Success Closure day 7 January 2026 removed: it is a working day again."
    assert page.select("#closures") == [] and "There are no closure days." in page.text
    with app.app_context():
        assert is_working_day(D("2026-01-07"))
        assert _recommendations_due(anchor) == (D("2026-01-12"), D("2026-01-12"))
    assert [(e.object_id, e.before) for e in audit_rows("closure_day.delete")] == [
        ("2026-01-07", {"day": "2026-01-07", "reason": "Council closure"})
    ]


CLOSURE_ERRORS = [
    (["3", "1", "2026"], "Closed", "day", "That date is a weekend day, so it is already not a working day"),
    (["25", "12", "2026"], "Closed", "day", "That date is a bank holiday, so it is already not a working day"),
    (["31", "2", "2026"], "Closed", "day", "Date must be a real date, for example 27 3 2023"),
    (["", "", ""], "Closed", "day", "Enter the date of the closure"),
    (["7", "1", "2101"], "Closed", "day", "Date must be between 1 January 1900 and {two_years_ahead}"),
    (["7", "1", "1899"], "Closed", "day", "Date must be between 1 January 1900 and {two_years_ahead}"),
    (["7", "1", "2026"], "", "reason", "Enter the reason for the closure"),
]


@pytest.mark.parametrize("day, reason, field, message", CLOSURE_ERRORS, ids=[e[3] for e in CLOSURE_ERRORS])
def test_closure_day_form_errors(app, client_request, admin, audit_rows, day, reason, field, message):
    with app.app_context():  # closure days are booked up to two years ahead (checks.date_in_range)
        message = message.format(two_years_ahead=format_date(checks.last_date(ahead=True)))
    page = client_request.post("/admin/rules/closures/new", {"day": day, "reason": reason}, status=200)
    assert page.errors == [message]
    assert page.field_error(field) == message
    assert page.title.startswith("Error: Add a closure day")
    if field == "day":  # the user's typing is kept
        assert [page.value(f"day-{part}") for part in ("day", "month", "year")] == day
    with app.app_context():
        assert is_working_day(D("2026-01-07"))
    assert audit_rows("closure_day.create") == []


def test_a_day_that_is_already_a_closure_day_is_refused(app, client_request, admin, audit_rows):
    data = {"day": ["7", "1", "2026"], "reason": "Council closure"}
    client_request.post("/admin/rules/closures/new", data)
    page = client_request.post("/admin/rules/closures/new", data, status=200)
    assert page.errors == ["That date is already a closure day"]
    assert len(audit_rows("closure_day.create")) == 1


def test_removing_a_day_that_is_not_a_closure_day_is_not_found(app, client_request, admin, audit_rows):
    client_request.post("/admin/rules/closures/2026-01-07/remove", status=404)
    client_request.post("/admin/rules/closures/not-a-date/remove", status=404)
    with app.app_context():
        assert is_working_day(D("2026-01-07"))
    assert audit_rows("closure_day.delete") == []
