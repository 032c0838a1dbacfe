"""The reg 33 review chain (domain.md §4): due dates derived in SQL, the same on every screen."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tracker.core.clock import today
from tracker.core.timescales import deadline
from tracker.extensions import db
from tracker.reviews import chain, operations, queries
from tracker.reviews.models import Child, Review

from .factories import care_period, child, d, review


@pytest.fixture
def app_config():
    return {"TODAY": "2026-11-23"}


def sql_chain(c: Child) -> dict[str, tuple[dt.date, bool]]:
    """review id → (due date, held in timescale), as the figures count them (``review_flags``
    over the chain: in timescale = held on or before the due date)."""
    flags = queries.review_flags(dt.date.min, today(), today())
    rows = db.session.execute(
        select(flags.c.review_id, flags.c.due_date, flags.c.in_timescale).where(flags.c.child_id == c.child_id)
    ).all()
    return {rid: (due, bool(ok)) for rid, due, ok in rows}


def sql_next_due(c: Child, as_of: dt.date) -> dt.date | None:
    cur = chain.current_next_due(as_of)
    return db.session.scalar(select(cur.c.due_date).where(cur.c.child_pk == c.id))


@pytest.mark.parametrize(
    "start, due",
    [
        # Christmas 2022: 26 and 27 December and 2 January are bank holidays in England.
        ("2022-12-12", "2023-01-12"),
        ("2022-12-23", "2023-01-25"),
        # Easter 2023: Good Friday 7 April and Easter Monday 10 April.
        ("2023-03-27", "2023-04-26"),
        ("2023-04-06", "2023-05-10"),  # also crosses 1 May and the Coronation bank holiday (8 May 2023)
    ],
)
def test_first_review_due_20_working_days_after_the_period_starts(app, start, due):
    with app.app_context():
        c = child(start=start)
        assert sql_next_due(c, d(start)) == d(due)
        r = review(c, due)
        assert sql_chain(c)[r.review_id] == (d(due), True)


@pytest.mark.parametrize(
    "first, second_due",
    [
        ("2023-11-30", "2024-02-29"),  # leap year: 30 November + 3 months clamps to 29 February
        ("2022-11-30", "2023-02-28"),
        ("2023-05-31", "2023-08-31"),
        ("2023-03-31", "2023-06-30"),  # 30-day month
    ],
)
def test_second_review_due_three_months_after_the_first(app, first, second_due):
    with app.app_context():
        start = (d(first) - dt.timedelta(days=10)).isoformat()
        c = child(start=start)
        review(c, first)
        assert sql_next_due(c, d(first)) == d(second_due)


@pytest.mark.parametrize(
    "previous, due",
    [
        ("2023-08-31", "2024-02-29"),
        ("2022-08-31", "2023-02-28"),
        ("2023-12-31", "2024-06-30"),
        ("2024-01-15", "2024-07-15"),
    ],
)
def test_later_reviews_due_six_months_after_the_previous(app, previous, due):
    with app.app_context():
        p = d(previous)
        c = child(start=(p - dt.timedelta(days=150)).isoformat())
        review(c, (p - dt.timedelta(days=120)).isoformat())
        r2 = review(c, previous)
        assert sql_next_due(c, p) == d(due)
        r3 = review(c, due)
        assert sql_chain(c)[r3.review_id] == (d(due), True)
        assert r2.review_id in sql_chain(c)


def test_review_on_its_due_date_is_in_timescale_and_a_day_later_is_not(app):
    with app.app_context():
        on_time = child(start="2023-01-09")
        late = child(start="2023-01-09")
        due = deadline("cic_review_first", d("2023-01-09"))
        r1 = review(on_time, due.isoformat())
        r2 = review(late, (due + dt.timedelta(days=1)).isoformat())
        assert sql_chain(on_time)[r1.review_id] == (due, True)
        assert sql_chain(late)[r2.review_id] == (due, False)


def test_leaving_and_returning_to_care_restarts_the_chain(app):
    with app.app_context():
        c = child(start="2022-01-10", end="2022-06-30")
        review(c, "2022-02-01")
        review(c, "2022-05-01")
        care_period(c, "2022-09-05")
        first_of_new = review(c, "2022-09-20")
        chain_rows = sql_chain(c)
        # The first review of the new period is due 20 working days after its start, not 6 months after May.
        assert chain_rows[first_of_new.review_id][0] == deadline("cic_review_first", d("2022-09-05"))
        assert sql_next_due(c, d("2022-09-20")) == d("2022-12-20")  # second review: 3 months


def test_an_early_review_resets_the_clock(app):
    with app.app_context():
        c = child(start="2022-01-10")
        review(c, "2022-02-01")
        review(c, "2022-03-01")  # early second review (e.g. placement change)
        assert sql_next_due(c, d("2022-03-01")) == d("2022-09-01")


def test_editing_a_review_date_moves_the_next_due_date(app):
    with app.app_context():
        c = child(start="2022-01-10")
        r1 = review(c, "2022-02-01")
        assert sql_next_due(c, d("2022-03-01")) == d("2022-05-01")
        operations.edit_review(r1, review_date=d("2022-02-07"))
        assert sql_next_due(c, d("2022-03-01")) == d("2022-05-07")
        operations.remove_review(r1, reason="Recorded twice")
        assert sql_next_due(c, d("2022-03-01")) == deadline("cic_review_first", d("2022-01-10"))


def test_next_due_counts_only_reviews_on_or_before_the_as_of_date(app):
    with app.app_context():
        c = child(start="2022-01-10")
        review(c, "2022-02-01")
        assert sql_next_due(c, d("2022-01-31")) == deadline("cic_review_first", d("2022-01-10"))
        assert sql_next_due(c, d("2022-02-01")) == d("2022-05-01")


def test_a_child_not_looked_after_has_no_next_review(app):
    with app.app_context():
        c = child(start="2022-01-10", end="2022-03-01")
        assert sql_next_due(c, d("2022-02-28")) is not None
        assert sql_next_due(c, d("2022-03-01")) is None  # looked after while end_date > d


def test_child_page_timeline_matches_the_chain_used_by_lists_and_figures(app, small_authority):
    with app.app_context():
        as_of = d("2023-01-16")
        rc = chain.review_chain(as_of)
        sql = dict(db.session.execute(select(rc.c.review_id, rc.c.due_date)).tuples().all())
        cur = chain.current_next_due(as_of)
        sql_next = dict(db.session.execute(select(cur.c.child_pk, cur.c.due_date)).tuples().all())
        py, py_next = {}, {}
        for c in db.session.scalars(select(Child)):
            for pt in chain.timeline(c, as_of):
                for e in pt.entries:
                    if e.review is not None:
                        py[e.review.review_id] = e.due_date
                if pt.next_due is not None:
                    py_next[c.id] = pt.next_due
        assert len(sql) > 100 and sql == py
        assert len(sql_next) > 20 and sql_next == py_next
        assert db.session.scalar(select(Review.id).limit(1)) is not None
