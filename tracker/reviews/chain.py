"""The reg 33 review chain (domain.md §4), derived in SQL — never stored.

For each care period its reviews are ordered by date: the first is due
``cic_review_first`` after the period starts, the second ``cic_review_second`` after the
first was held, each later one ``cic_review_later`` after the previous one was held. A
review belongs to the period with start ≤ review date ≤ end (or no end); a new period
restarts the chain; an early review simply resets the clock.

``review_chain(as_of)`` gives one row per review (set-based: each review's place in its chain
by indexed lookups, the same on SQLite and PostgreSQL); ``next_due(as_of)`` one row per care
period with the date the next review is due. ``timeline(child)`` arranges the same rows for one child's page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from tracker.core.enums import Timeliness
from tracker.core.timescales import deadline_sql
from tracker.reviews.models import CarePeriod, Child, Review


def covers(period, child_pk, day) -> ColumnElement:
    """SQL: a review of ``child_pk`` on ``day`` belongs to ``period`` (start ≤ day ≤ end, or no
    end; domain.md §4), a period in force (not removed). ``child_pk`` and ``day`` may be columns
    or values."""
    return and_(
        period.removed_at.is_(None),
        period.child_pk == child_pk,
        period.start_date <= day,
        or_(period.end_date.is_(None), period.end_date >= day),
    )


def in_period(period=CarePeriod, review=Review) -> ColumnElement:
    """The review lies inside the care period."""
    return covers(period, review.child_pk, review.review_date)


def overlaps(start, end, period=CarePeriod) -> ColumnElement:
    """SQL: the period from ``start`` to ``end`` (None/NULL: no end) shares a day with ``period``
    — a period includes its end date, as a review on that date belongs to it (domain.md §4).
    ``start`` and ``end`` may be columns (the import's self-join) or values (a form). A removed
    ``period`` overlaps nothing."""
    shares = [period.removed_at.is_(None), or_(period.end_date.is_(None), period.end_date >= start)]
    if isinstance(end, dt.date):
        shares.append(period.start_date <= end)
    elif end is not None:  # a column (an ORM attribute is not a ColumnElement): NULL = no end
        shares.append(or_(end.is_(None), period.start_date <= end))
    return and_(*shares)


def _due_for(seq, period_start, previous) -> ColumnElement:
    return case(
        (seq == 1, deadline_sql("cic_review_first", period_start)),
        (seq == 2, deadline_sql("cic_review_second", previous)),
        else_=deadline_sql("cic_review_later", previous),
    )


def review_chain(
    as_of: dt.date | None = None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    child_pk: int | None = None,
):
    """Subquery: one row per review in force (not removed) that lies in a care period (dated ≤
    ``as_of`` when given).

    Each review finds its own place in its period's chain — how many reviews of the period came
    before it and the date of the last of them — by two lookups on the (child, review date) index,
    so a review's due date costs the same however long the history: ``start``/``end`` keep the
    reviews dated in that period only (a month's figures derive that month's reviews, not the
    authority's history); ``child_pk`` one child's (the child's page). Reviews on the same day
    are ordered by reference.

    Columns: review_pk, review_id, child_pk, period_id, period_start, review_date, seq,
    previous_date, due_date.
    """
    earlier = aliased(Review)
    before = and_(
        earlier.child_pk == Review.child_pk,
        earlier.removed_at.is_(None),
        earlier.review_date >= CarePeriod.start_date,  # the same period: it started on or before them
        or_(
            earlier.review_date < Review.review_date,
            and_(earlier.review_date == Review.review_date, earlier.review_id < Review.review_id),
        ),
    )
    previous = select(func.max(earlier.review_date)).where(before).correlate(Review, CarePeriod).scalar_subquery()
    count = select(func.count()).where(before).correlate(Review, CarePeriod).scalar_subquery()
    where = [in_period(), Review.removed_at.is_(None)]
    if as_of is not None:
        where += [Review.review_date <= as_of, CarePeriod.start_date <= as_of]
    if start is not None:
        where.append(Review.review_date >= start)
    if end is not None:
        where.append(Review.review_date <= end)
    if child_pk is not None:
        where.append(Review.child_pk == child_pk)
    placed = (
        select(
            Review.id.label("review_pk"),
            Review.review_id.label("review_id"),
            Review.child_pk.label("child_pk"),
            CarePeriod.id.label("period_id"),
            CarePeriod.start_date.label("period_start"),
            Review.review_date.label("review_date"),
            (count + 1).label("seq"),
            previous.label("previous_date"),
        )
        .select_from(Review)
        .join(CarePeriod, in_period())
        .where(*where)
        .subquery("placed_reviews")
    )
    due = _due_for(placed.c.seq, placed.c.period_start, placed.c.previous_date)
    return select(placed, due.label("due_date")).subquery("review_chain")


def next_due(as_of: dt.date, *, current: bool = False, child_pk: int | None = None):
    """Subquery: per care period in force started on or before ``as_of``, the next review's due
    date, counted only from reviews in force dated on or before ``as_of``. ``current``: only the
    periods not ended by ``as_of`` (the children looked after then: the cost follows the children
    in care, not the history); ``child_pk``: one child's periods.

    Columns: period_id, child_pk, start_date, end_date, reviews (count), last_review_date, due_date.
    """
    periods = [CarePeriod.start_date <= as_of, CarePeriod.removed_at.is_(None)]
    if current:
        periods.append(or_(CarePeriod.end_date.is_(None), CarePeriod.end_date > as_of))
    if child_pk is not None:
        periods.append(CarePeriod.child_pk == child_pk)
    stats = (
        select(
            CarePeriod.id.label("period_id"),
            func.count(Review.id).label("reviews"),
            func.max(Review.review_date).label("last_review_date"),
        )
        .select_from(CarePeriod)
        .outerjoin(Review, and_(in_period(), Review.removed_at.is_(None), Review.review_date <= as_of))
        .where(*periods)
        .group_by(CarePeriod.id)
        .subquery("period_reviews")
    )
    due = case(
        (stats.c.reviews == 0, deadline_sql("cic_review_first", CarePeriod.start_date)),
        (stats.c.reviews == 1, deadline_sql("cic_review_second", stats.c.last_review_date)),
        else_=deadline_sql("cic_review_later", stats.c.last_review_date),
    )
    return (
        select(
            CarePeriod.id.label("period_id"),
            CarePeriod.child_pk.label("child_pk"),
            CarePeriod.start_date.label("start_date"),
            CarePeriod.end_date.label("end_date"),
            stats.c.reviews,
            stats.c.last_review_date,
            due.label("due_date"),
        )
        .join(stats, stats.c.period_id == CarePeriod.id)
        .subquery("next_review_due")
    )


def current_next_due(as_of: dt.date):
    """Subquery: one row per child looked after on ``as_of`` with its next review due date."""
    return next_due(as_of, current=True)


# --- one child, in Python (the child page) ---------------------------------------------


@dataclass
class ChainEntry:
    """One step of a period's chain: a held review, or the next review still to hold."""

    seq: int
    due_date: dt.date
    review: Review | None = None

    @property
    def held(self) -> dt.date | None:
        return self.review.review_date if self.review else None

    @property
    def timeliness(self) -> Timeliness | None:
        """Held in timescale or late (None while not yet held)."""
        return Timeliness.of(self.held, self.due_date)


@dataclass
class PeriodTimeline:
    period: CarePeriod
    entries: list[ChainEntry] = field(default_factory=list)
    next_due: dt.date | None = None  # None once the period has ended (as of the date asked)


def timeline(child: Child, as_of: dt.date) -> list[PeriodTimeline]:
    """The chain of each care period of one child (latest period first), read from the same
    SQL as the lists, worklists and figures (``review_chain`` and ``next_due``), so the child
    page can never disagree with them."""
    from tracker.extensions import db

    periods = {p.id: p for p in child.care_periods if p.start_date <= as_of}
    reviews = {r.id: r for r in child.reviews}
    rc = review_chain(as_of, child_pk=child.id)
    held = db.session.execute(
        select(rc.c.period_id, rc.c.review_pk, rc.c.seq, rc.c.due_date)
        .where(rc.c.child_pk == child.id)
        .order_by(rc.c.period_id, rc.c.seq)
    ).all()
    nd = next_due(as_of, child_pk=child.id)
    upcoming = {row.period_id: row for row in db.session.execute(select(nd))}
    timelines = {pid: PeriodTimeline(period) for pid, period in periods.items()}
    for row in held:
        timelines[row.period_id].entries.append(ChainEntry(row.seq, row.due_date, reviews[row.review_pk]))
    for pid, pt in timelines.items():
        period = pt.period
        if period.end_date is None or period.end_date > as_of:
            row = upcoming[pid]
            pt.next_due = row.due_date
            pt.entries.append(ChainEntry(row.reviews + 1, row.due_date))
    return sorted(timelines.values(), key=lambda pt: pt.period.start_date, reverse=True)
