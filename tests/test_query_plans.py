"""Cost follows the period (issue 18): every statement behind a month's figures is planned with
index searches on the tables of records — none of them is read whole — so a month costs the
records of that month, not the authority's history.

SQLite's plans are read (``EXPLAIN QUERY PLAN``): without ``ANALYZE`` statistics they depend on
the schema and the statement only, so an empty database gives the plans of a loaded one.
PostgreSQL's depend on its statistics and were read by hand on the benchmark's authority
(docs/benchmarks.md, Scale). One table is read whole on purpose: ``care_periods``, for the
children looked after on a date — a period still open may have started at any time, so no date
bounds the search; it is one row per care period (11,182 at 10 years of a large authority).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from tracker.core import kpis
from tracker.extensions import db

# the tables of records (and the calendar, 73,000 days) that a month's figures must search, not scan
RECORDS = {
    "children",
    "reviews",
    "iro_contacts",
    "escalations",
    "escalation_stages",
    "escalation_areas",
    "lado_contacts",
    "lado_contact_categories",
    "lado_referrals",
    "lado_meetings",
    "lado_actions",
    "panel_meetings",
    "panel_cases",
    "foster_households",
    "carer_reviews",
    "consultation_rounds",
    "consultation_respondents",
    "consultation_answers",
    "calendar_days",
}
READ_WHOLE = {"care_periods"}  # the periods in force on a date (the docstring says why)
MONTH = kpis.months(dt.date(2025, 6, 1), dt.date(2025, 6, 30))[0]
# every indicator family (the registry fills when the app is made: the last test checks the list)
FAMILIES = ("reviews", "consultations", "escalations", "lado", "panel", "carer_reviews")


def _family(group) -> str:
    return group.indicators[0].id.split(".")[0]


def _scanned(plan_lines: list[str]) -> set[str]:
    """The tables a plan reads whole: ``SCAN name`` (with or without a covering index), an alias
    ``reviews_1`` named by its table."""
    tables = set()
    for line in plan_lines:
        found = re.match(r"SCAN (\w+)", line)
        if found:
            tables.add(re.sub(r"_\d+$", "", found.group(1)))
    return tables


def _plans(app, compute) -> list[tuple[str, set[str]]]:
    """Runs ``compute`` and plans each SELECT it sent: (statement, tables read whole)."""
    sent: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            sent.append((statement, parameters))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", keep)
        try:
            compute()
        finally:
            event.remove(db.engine, "before_cursor_execute", keep)
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            return [
                (sql, _scanned([row[3] for row in cursor.execute("EXPLAIN QUERY PLAN " + sql, params)]))
                for sql, params in sent
            ]
        finally:
            raw.close()


@pytest.fixture
def sqlite_only(database_uri):
    if make_url(database_uri).get_backend_name() != "sqlite":
        pytest.skip("SQLite's plans (PostgreSQL's follow its statistics: read by hand, docs/benchmarks.md)")


@pytest.mark.parametrize("family", FAMILIES)
def test_a_months_figures_search_the_records_of_the_month(app, sqlite_only, family):
    (group,) = [g for g in kpis.REGISTRY.groups if _family(g) == family]
    plans = _plans(app, lambda: group.compute(MONTH))
    assert plans, "the family ran no query"
    for sql, scanned in plans:
        assert not scanned & RECORDS, f"{family}: {sorted(scanned & RECORDS)} read whole by\n{sql}"
        assert scanned <= RECORDS | READ_WHOLE | _derived(sql), f"{family}: {sorted(scanned)} read whole by\n{sql}"


def _derived(sql: str) -> set[str]:
    """The names a statement gives its own subqueries and CTEs (``AS name``): reading one of them
    whole reads what it already searched, and the small ``timescale_rules`` table of the rules."""
    return set(re.findall(r"\bAS (\w+)", sql)) | {"timescale_rules"}


def test_the_check_finds_a_table_read_whole(app, sqlite_only):
    """The check can fail: a count of every review reads the table whole."""
    from sqlalchemy import func, select

    from tracker.reviews.models import Review

    (plan,) = _plans(
        app, lambda: db.session.scalar(select(func.count()).select_from(Review).where(Review.officer_id != ""))
    )
    assert "reviews" in plan[1]


def test_every_family_is_checked(app):
    assert sorted(_family(g) for g in kpis.REGISTRY.groups) == sorted(FAMILIES)
