"""The review chain derived for a period only (issue 18: the cost follows the period, not the
history) gives every review, every child's next due date and every child's timeline exactly as
the chain worked out in Python over the whole history does — on generated authorities with
several care periods per child, early reviews and periods that end and restart."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import or_, select

from tracker.core import kpis
from tracker.core.timescales import deadline
from tracker.extensions import db
from tracker.reviews import chain
from tracker.reviews.models import CarePeriod, Child, Review
from tracker.reviews.queries import review_flags

D = dt.date.fromisoformat
AS_OF = D("2026-11-23")


@pytest.fixture
def app_config():
    return {"TODAY": AS_OF.isoformat()}


@pytest.fixture
def authority(runner, tmp_path, import_folder):
    out = tmp_path / "authority"
    result = runner.invoke(args=["generate-data", str(out), "--children", "60", "--years", "4", "--seed", "11"])
    assert result.exit_code == 0, result.output
    import_folder(out)


def _whole_history(as_of: dt.date) -> dict[str, dt.date]:
    """review_id -> due date, worked out in Python from every care period and review in force
    (domain.md §4, with the Python calendar): the independent reference the SQL must match."""
    periods = db.session.scalars(
        select(CarePeriod).where(CarePeriod.removed_at.is_(None), CarePeriod.start_date <= as_of)
    ).all()
    reviews = db.session.scalars(select(Review).where(Review.removed_at.is_(None), Review.review_date <= as_of)).all()
    by_child: dict[int, list[Review]] = {}
    for review in reviews:
        by_child.setdefault(review.child_pk, []).append(review)
    due: dict[str, dt.date] = {}
    for period in periods:
        held = sorted(
            (
                r
                for r in by_child.get(period.child_pk, [])
                if period.start_date <= r.review_date and (period.end_date is None or r.review_date <= period.end_date)
            ),
            key=lambda r: (r.review_date, r.review_id),
        )
        previous = None
        for seq, review in enumerate(held, start=1):
            if seq == 1:
                due[review.review_id] = deadline("cic_review_first", period.start_date)
            else:
                due[review.review_id] = deadline("cic_review_second" if seq == 2 else "cic_review_later", previous)
            previous = review.review_date
    return due


def _review_dates() -> dict[str, dt.date]:
    rc = chain.review_chain(AS_OF)
    return dict(db.session.execute(select(rc.c.review_id, rc.c.review_date)).tuples().all())


def _months(first: dt.date, last: dt.date):
    month = first.replace(day=1)
    while month <= last:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        yield month, following - dt.timedelta(days=1)
        month = following


def test_a_periods_figures_derive_only_its_reviews_and_agree_with_the_whole_history(app, authority):
    with app.app_context():
        whole = _whole_history(AS_OF)
        assert len(whole) > 200  # enough reviews for the comparison to mean something
        first = (AS_OF - dt.timedelta(days=4 * 365)).replace(day=1)
        checked = set()
        for start, end in _months(first, AS_OF):
            flags = review_flags(start, end, AS_OF)
            rows = db.session.execute(select(flags.c.review_id, flags.c.due_date)).tuples().all()
            assert dict(rows) == {ref: whole.get(ref) for ref, _due in rows}
            checked |= {ref for ref, due in rows if due is not None}
            scoped = chain.review_chain(AS_OF, start=start, end=end)
            derived = db.session.scalars(select(scoped.c.review_id)).all()
            assert len(derived) == sum(1 for _ref, due in rows if due is not None) < len(whole)  # its own reviews only
        assert checked == {ref for ref, day in _review_dates().items() if day >= first}  # every review, once


def test_the_next_due_dates_of_the_children_in_care_agree_with_the_python_chain(app, authority):
    with app.app_context():
        for as_of in (D("2023-03-31"), D("2024-09-30"), D("2025-12-31"), AS_OF):
            expected = []
            for period in db.session.scalars(
                select(CarePeriod).where(
                    CarePeriod.removed_at.is_(None),
                    CarePeriod.start_date <= as_of,
                    or_(CarePeriod.end_date.is_(None), CarePeriod.end_date > as_of),
                )
            ):
                held = sorted(
                    r.review_date
                    for r in db.session.scalars(
                        select(Review).where(
                            Review.child_pk == period.child_pk,
                            Review.removed_at.is_(None),
                            Review.review_date >= period.start_date,
                            Review.review_date <= as_of,
                        )
                    )
                )
                if not held:
                    due = deadline("cic_review_first", period.start_date)
                else:
                    due = deadline("cic_review_second" if len(held) == 1 else "cic_review_later", held[-1])
                expected.append((period.child_pk, due))
            cur = chain.current_next_due(as_of)
            assert expected  # children in care on that day
            assert sorted(db.session.execute(select(cur.c.child_pk, cur.c.due_date)).tuples()) == sorted(expected)


def test_each_childs_timeline_is_the_whole_historys_chain(app, authority):
    with app.app_context():
        whole = _whole_history(AS_OF)
        for child in db.session.scalars(select(Child).order_by(Child.child_id).limit(25)):
            for period in chain.timeline(child, AS_OF):
                for entry in period.entries:
                    if entry.review is not None:
                        assert entry.due_date == whole[entry.review.review_id]


def test_the_yearly_figures_are_the_sum_of_nothing_lost(app, authority):
    """A year's review figures by month add up to the same year's figure as one period: no review
    falls between the months' care-period scopes."""
    with app.app_context():
        year = kpis.Period(D("2025-04-01"), D("2026-03-31"), D("2026-03-31"))
        whole = kpis.compute(year, ["reviews.held", "reviews.in_timescale"])
        by_month = [
            kpis.compute(kpis.Period(start, end, D("2026-03-31")), ["reviews.held", "reviews.in_timescale"])
            for start, end in _months(year.start, year.end)
        ]
        assert sum(m["reviews.held"].value for m in by_month) == whole["reviews.held"].value
        assert sum(m["reviews.in_timescale"].numerator for m in by_month) == whole["reviews.in_timescale"].numerator


def test_nothing_goes_stale(app):
    """Change a review, a care period, a timescale rule and a closure day: every figure of the
    months asked for and every due item follow at once (the chain is derived, never stored), and
    each equals the Python calendar's own count (``timescales.deadline``)."""
    from tests.reviews import factories as f
    from tracker.core import worklist
    from tracker.core.timescales import rule
    from tracker.rules import operations as rules

    as_of = D("2025-06-30")
    feb, may = (D("2025-02-01"), D("2025-02-28")), (D("2025-05-01"), D("2025-05-31"))

    def shown():
        items = {(i.kind, i.ref): i.due_date for i in worklist.collect(as_of, record_refs=["C1"])}
        figures = [
            kpis.compute(kpis.Period(start, end, as_of), ["reviews.in_timescale"])["reviews.in_timescale"].numerator
            for start, end in (feb, may)
        ]
        return items[("cic_review", "C1")], items[("review_recommendations", second.review_id)], figures

    def expected():
        start = period.start_date
        return (
            deadline("cic_review_later", second.review_date),
            deadline("review_recommendations", second.review_date),
            [
                int(first.review_date <= deadline("cic_review_first", start)),
                int(second.review_date <= deadline("cic_review_second", first.review_date)),
            ],
        )

    with app.app_context():
        f.officer("Q1")
        child = f.child("C1", start="2024-12-02", officer_id="Q1")
        period = db.session.scalar(select(CarePeriod).where(CarePeriod.child_pk == child.id))
        first = f.review(child, "2025-02-03", recommendations_date="2025-02-05")
        second = f.review(child, "2025-05-01")
        db.session.commit()
        before = shown()
        assert before == expected()
        assert before[2] == [0, 1]  # the first review was late: 20 working days from 2 December

        second.review_date = D("2025-05-28")  # a review's date corrected: after its due date
        db.session.commit()
        assert shown() == expected() and shown()[2] == [0, 0] and shown()[0] != before[0]

        period.start_date = D("2025-01-06")  # the care period's start corrected: the first review in time
        db.session.commit()
        assert shown() == expected() and shown()[2] == [1, 0]

        later = shown()[0]
        rules.update_rule(rule("cic_review_later"), 4, "months")  # the council shortens the rule
        db.session.commit()
        assert shown() == expected() and shown()[0] < later

        due = shown()[1]
        rules.add_closure_day(due - dt.timedelta(days=1) if due.weekday() else due - dt.timedelta(days=3), "Closed")
        db.session.commit()
        assert shown() == expected() and shown()[1] > due  # the recommendations' deadline skips it
        assert db.session.get(Review, second.id).review_date == D("2025-05-28")
