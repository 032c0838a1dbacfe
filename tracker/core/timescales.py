"""Timescale rules as data (domain.md §3) and the one ``due_state`` (domain.md §2).

Every deadline in the tracker is ``anchor + amount × unit`` for a named rule. Features ask
for a rule by name: ``deadline(name, anchor)`` for one date in Python, ``deadline_sql(name,
anchor_column)`` for a set-based query (it joins ``calendar_days``). An administrator edits
the rules (with audit) and every screen, list, figure and export follows.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, g, has_app_context
from sqlalchemy import Integer, String, Text, case, select
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from tracker.core import calendar
from tracker.core.calendar import CalendarDay
from tracker.core.clock import now_utc
from tracker.core.enums import CodeEnum
from tracker.db import UTCDateTime, Versioned
from tracker.extensions import db


class Unit(CodeEnum):
    working_days = "working_days", "Working days"
    days = "days", "Days"
    months = "months", "Months"


class DueState(CodeEnum):
    """domain.md §2: one state for every open item with a deadline."""

    overdue = "overdue", "Overdue", "red"
    due_soon = "due_soon", "Due soon", "yellow"
    upcoming = "upcoming", "Upcoming", "grey"


class TimescaleRule(Versioned, db.Model):
    __tablename__ = "timescale_rules"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    anchor: Mapped[str] = mapped_column(String(200))
    amount: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=now_utc)

    @property
    def unit_enum(self) -> Unit:
        return Unit(self.unit)

    @property
    def duration_text(self) -> str:
        n = abs(self.amount)
        text = f"{n} {self.unit_enum.label.lower()}"
        if n == 1:
            text = text.rstrip("s")
        return text + (" before" if self.amount < 0 else "")


# The defaults of domain.md §3; the migration that creates the table seeds these rows.
DEFAULT_RULES: tuple[dict, ...] = (
    dict(
        name="cic_review_first",
        label="First CiC review",
        anchor="start of the care period",
        amount=20,
        unit="working_days",
        source="Care Planning, Placement and Case Review (England) Regulations 2010, reg 33(1)",
    ),
    dict(
        name="cic_review_second",
        label="Second CiC review",
        anchor="date the first review was held",
        amount=3,
        unit="months",
        source="Care Planning Regulations 2010, reg 33(2)",
    ),
    dict(
        name="cic_review_later",
        label="Later CiC reviews",
        anchor="date the previous review was held",
        amount=6,
        unit="months",
        source="Care Planning Regulations 2010, reg 33(2)",
    ),
    dict(
        name="review_recommendations",
        label="Review recommendations issued",
        anchor="review date",
        amount=5,
        unit="working_days",
        source="IRO Handbook practice; IRO annual report 2022/23",
    ),
    dict(
        name="review_minutes",
        label="Review minutes (letter to the child) completed",
        anchor="review date",
        amount=20,
        unit="working_days",
        source="IRO Handbook practice; IRO annual report 2022/23",
    ),
    dict(
        name="iro_contact",
        label="IRO contact with the child",
        anchor="last IRO contact (or start of care period)",
        amount=6,
        unit="months",
        source="IRO annual report 2022/23",
    ),
    dict(
        name="escalation_informal_response",
        label="Informal escalation response",
        anchor="informal stage start",
        amount=10,
        unit="working_days",
        source="Local dispute resolution protocol",
    ),
    dict(
        name="escalation_formal_response",
        label="Formal escalation stage response (stages 1–5)",
        anchor="that stage's start",
        amount=5,
        unit="working_days",
        source="Local dispute resolution protocol",
    ),
    dict(
        name="escalation_formal_process",
        label="Whole formal dispute process",
        anchor="first formal stage start",
        amount=20,
        unit="working_days",
        source="IRO Handbook, chapter 6",
    ),
    dict(
        name="lado_referral_decision",
        label="LADO: referral decision",
        anchor="contact",
        amount=1,
        unit="working_days",
        source="Local procedures",
    ),
    dict(
        name="lado_iem",
        label="LADO: Initial Evaluation Meeting (IEM)",
        anchor="referral",
        amount=5,
        unit="working_days",
        source="LADO annual report 2022/23 (target for 2023/24 was 10 days)",
    ),
    dict(
        name="lado_paim",
        label="LADO: Post-Allegation Investigation Meeting (PAIM)",
        anchor="Initial Evaluation Meeting",
        amount=28,
        unit="days",
        source="LADO annual report 2022/23",
    ),
    dict(
        name="lado_conclusion",
        label="LADO: conclusion of involvement (target 85%)",
        anchor="contact",
        amount=28,
        unit="days",
        source="LADO annual report 2022/23",
    ),
    dict(
        name="lado_resolution_1m",
        label="LADO: resolved within 1 month (target 80%)",
        anchor="contact",
        amount=1,
        unit="months",
        source="Keeping Children Safe in Education (earlier statutory guidance)",
    ),
    dict(
        name="lado_resolution_3m",
        label="LADO: resolved within 3 months (target 90%)",
        anchor="contact",
        amount=3,
        unit="months",
        source="Keeping Children Safe in Education (earlier statutory guidance)",
    ),
    dict(
        name="lado_resolution_12m",
        label="LADO: resolved within 12 months (all)",
        anchor="contact",
        amount=12,
        unit="months",
        source="Keeping Children Safe in Education (earlier statutory guidance)",
    ),
    dict(
        name="panel_papers",
        label="Panel papers to members",
        anchor="panel meeting",
        amount=-5,
        unit="working_days",
        source="Fostering National Minimum Standards, standard 14",
    ),
    dict(
        name="adm_decision",
        label="ADM decision",
        anchor="final panel minutes",
        amount=7,
        unit="working_days",
        source="Fostering National Minimum Standards, standard 14",
    ),
    dict(
        name="carer_review",
        label="Foster carer review",
        anchor="approval, then previous review",
        amount=12,
        unit="months",
        source="Fostering Services (England) Regulations 2011, reg 28 (local target 11 months)",
    ),
    dict(
        name="connected_temporary_approval",
        label="Connected-person temporary approval",
        anchor="placement start",
        amount=112,
        unit="days",
        source="Care Planning Regulations 2010, regs 24–25 (16 weeks)",
    ),
    dict(
        name="connected_temporary_extension",
        label="Connected-person temporary approval extension",
        anchor="end of temporary approval",
        amount=56,
        unit="days",
        source="Care Planning Regulations 2010, reg 25 (8 weeks, once)",
    ),
)

DEFAULTS_BY_NAME = {r["name"]: r for r in DEFAULT_RULES}


def _rules() -> dict[str, TimescaleRule]:
    cached = g.get("_tracker_rules") if has_app_context() else None
    if cached is None:
        cached = {r.name: r for r in db.session.scalars(select(TimescaleRule))}
        g._tracker_rules = cached
    return cached


def forget_rules() -> None:
    if has_app_context():
        g.pop("_tracker_rules", None)


def rule(name: str) -> TimescaleRule:
    try:
        return _rules()[name]
    except KeyError:
        raise KeyError(f"no timescale rule named {name!r}") from None


def all_rules() -> list[TimescaleRule]:
    order = list(DEFAULTS_BY_NAME)
    return sorted(_rules().values(), key=lambda r: order.index(r.name) if r.name in order else len(order))


def add(anchor: dt.date, amount: int, unit: Unit | str) -> dt.date:
    unit = Unit(unit)
    if unit is Unit.working_days:
        return calendar.add_working_days(anchor, amount)
    if unit is Unit.months:
        return calendar.add_months(anchor, amount)
    return calendar.add_days(anchor, amount)


def deadline(name: str, anchor: dt.date | None) -> dt.date | None:
    """The due date of rule ``name`` counted from ``anchor`` (None when there is no anchor)."""
    if anchor is None:
        return None
    r = rule(name)
    return add(anchor, r.amount, r.unit)


def deadline_sql(name: str, anchor: ColumnElement) -> ColumnElement:
    """The due date of rule ``name`` from a date column/expression, as a SQL scalar subquery.

    Uses ``calendar_days`` so the same working days and month-end clamping apply as in Python.
    NULL when the anchor is NULL.
    """
    r = rule(name)
    return add_sql(anchor, r.amount, Unit(r.unit))


def add_sql(anchor: ColumnElement, amount: int, unit: Unit) -> ColumnElement:
    # Core aliases of the calendar table (an ORM ``aliased`` costs milliseconds to build, and a
    # month's figures build hundreds of these). One level of subquery (both calendar rows in its
    # FROM), so that an anchor column of the outer query correlates; a nested subquery would not
    # correlate to the outermost query.
    table = CalendarDay.__table__
    c1, c2 = table.alias(), table.alias()
    c1, c2 = c1.c, c2.c
    if unit is Unit.working_days:
        if amount == 0:
            return anchor
        if amount > 0:
            target = c1.wd_seq + amount
        else:
            # From a non-working day, the first working day before it already has its wd_seq.
            target = c1.wd_seq + amount + case((c1.working, 0), else_=1)
        return select(c2.day).where(c1.day == anchor, c2.working.is_(True), c2.wd_seq == target).scalar_subquery()
    if unit is Unit.days:
        return select(c2.day).where(c1.day == anchor, c2.day_seq == c1.day_seq + amount).scalar_subquery()
    # months: the same day of the month ``amount`` months on, or that month's last day when it is
    # shorter — found as the month's first day (the (month, day of month) index) plus the days
    # before it, by three single-row lookups (matching on the clipped day itself read the month)
    c3 = table.alias().c
    return (
        select(c3.day)
        .where(
            c1.day == anchor,
            c2.month_index == c1.month_index + amount,
            c2.dom == 1,
            c3.day_seq == c2.day_seq + case((c1.dom <= c2.month_len, c1.dom), else_=c2.month_len) - 1,
        )
        .scalar_subquery()
    )


def max_span_days(name: str) -> int:
    """An upper bound, in calendar days, of how far rule ``name`` reaches from its anchor: lets a
    query pre-filter on an indexed date column before the exact ``deadline_sql`` test, and
    stays right when an administrator lengthens the rule."""
    r = rule(name)
    amount = abs(r.amount)
    if Unit(r.unit) is Unit.months:
        return 31 * amount + 1
    if Unit(r.unit) is Unit.working_days:
        return 2 * amount + 21  # weekends, bank holidays and closure days between
    return amount


def due_soon_days() -> int:
    return int(current_app.config.get("DUE_SOON_WORKING_DAYS", 10)) if has_app_context() else 10


def due_soon_limit(as_of: dt.date) -> dt.date:
    """The last date that still counts as due soon at ``as_of``."""
    return calendar.add_working_days(as_of, due_soon_days())


def due_state(due: dt.date, as_of: dt.date) -> DueState:
    """Overdue after the due date (due today is not overdue); due soon within the next N working days."""
    if due < as_of:
        return DueState.overdue
    if due <= due_soon_limit(as_of):
        return DueState.due_soon
    return DueState.upcoming


def due_state_sql(due: ColumnElement, as_of: dt.date) -> ColumnElement:
    """``due_state`` as a SQL CASE, for filtering and counting in the database."""
    return case(
        (due < as_of, DueState.overdue.value),
        (due <= due_soon_limit(as_of), DueState.due_soon.value),
        else_=DueState.upcoming.value,
    )
