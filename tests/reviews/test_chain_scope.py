"""The review chain derived for a period only (issue 18: the cost follows the period, not the
history) gives every review, every child's next due date and every child's timeline exactly as
the chain derived over the whole history does — on generated authorities with several care
periods per child, early reviews and periods that end and restart."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import or_, select

from tracker.core import kpis
from tracker.extensions import db
from tracker.reviews import chain
from tracker.reviews.models import Child
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
    """review_id -> due date, from the chain over every care period (no period scope)."""
    rc = chain.review_chain(as_of)
    return dict(db.session.execute(select(rc.c.review_id, rc.c.due_date)).tuples().all())


def _review_dates() -> dict[str, dt.date]:
    rc = chain.review_chain(AS_OF)
    return dict(db.session.execute(select(rc.c.review_id, rc.c.review_date)).tuples().all())


def _months(first: dt.date, last: dt.date):
    month = first.replace(day=1)
    while month <= last:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        yield month, following - dt.timedelta(days=1)
        month = following


def test_a_periods_figures_derive_only_its_care_periods_chains_and_agree_with_the_whole_history(app, authority):
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
            assert len(derived) < len(whole)  # the month derived only its care periods' chains
        assert checked == {ref for ref, day in _review_dates().items() if day >= first}  # every review, once


def test_the_next_due_dates_of_the_children_in_care_agree_with_every_periods(app, authority):
    with app.app_context():
        for as_of in (D("2023-03-31"), D("2024-09-30"), D("2025-12-31"), AS_OF):
            every = chain.next_due(as_of)
            current = select(every.c.child_pk, every.c.due_date).where(
                or_(every.c.end_date.is_(None), every.c.end_date > as_of)
            )
            cur = chain.current_next_due(as_of)
            expected = sorted(db.session.execute(current).tuples())
            assert expected  # children in care on that day
            assert sorted(db.session.execute(select(cur.c.child_pk, cur.c.due_date)).tuples()) == expected


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
