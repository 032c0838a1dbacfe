"""Working days in England and Wales (domain.md §2): bank holidays plus closure days.

Two faces of one calendar:

- Python functions (``add_working_days``, ``add_months``, ``add_days``, ``working_days_between``,
  ``is_working_day``) for single dates: forms, operations, the import.
- The ``calendar_days`` table, one row per date from 1900 to 2100 with running counters, so
  that a deadline can be computed inside a set-based SQL query (see
  ``tracker.core.timescales.deadline_sql``) without looping over records in Python.

Both read the same holidays and closure days; ``rebuild`` refreshes the table after an
administrator changes closure days, and a test checks the two faces agree.
"""

from __future__ import annotations

import calendar as _stdcal
import datetime as dt
from functools import cache

import holidays
from flask import g, has_app_context
from sqlalchemy import Boolean, Date, Index, Integer, String, delete, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db

FIRST_DAY = dt.date(1900, 1, 1)  # covers every date the tracker accepts (tracker.core.checks.date_in_range)
LAST_DAY = dt.date(2100, 12, 31)


class ClosureDay(db.Model):
    """An extra non-working day the council adds (e.g. closure between Christmas and New Year)."""

    __tablename__ = "closure_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    reason: Mapped[str] = mapped_column(String(200), default="")


class CalendarDay(db.Model):
    """One row per date, so SQL can do working-day and month arithmetic set-based.

    ``wd_seq`` counts working days up to and including ``day``; ``day_seq`` is the day's
    ordinal; ``month_index`` = year*12 + month-1; ``dom`` the day of month; ``month_len`` the
    number of days in that month.
    """

    __tablename__ = "calendar_days"
    # a month-arithmetic deadline looks its day up by month and day of month (0016)
    __table_args__ = (Index("ix_calendar_days_month_index_dom", "month_index", "dom"),)

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    working: Mapped[bool] = mapped_column(Boolean)
    wd_seq: Mapped[int] = mapped_column(Integer, index=True)
    day_seq: Mapped[int] = mapped_column(Integer, unique=True)
    month_index: Mapped[int] = mapped_column(Integer)
    dom: Mapped[int] = mapped_column(Integer)
    month_len: Mapped[int] = mapped_column(Integer)


@cache
def _bank_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.UK(subdiv="ENG", years=year).keys())


def bank_holidays(year: int) -> dict[dt.date, str]:
    """The bank holidays of England and Wales in a year, with their names."""
    return dict(sorted(holidays.UK(subdiv="ENG", years=year).items()))


def _closures() -> frozenset[dt.date]:
    if not has_app_context():
        return frozenset()
    cached = g.get("_tracker_closures")
    if cached is None:
        cached = frozenset(db.session.scalars(select(ClosureDay.day)))
        g._tracker_closures = cached
    return cached


def forget_closures() -> None:
    """Drop the per-context cache after closure days change."""
    if has_app_context():
        g.pop("_tracker_closures", None)


def is_working_day(day: dt.date, closures: frozenset[dt.date] | None = None) -> bool:
    if day.weekday() >= 5 or day in _bank_holidays(day.year):
        return False
    return day not in (_closures() if closures is None else closures)


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The n-th working day strictly after ``day`` (n < 0: strictly before; n = 0: ``day``);
    the first or last date Python knows when that is beyond it (see ``add_months``)."""
    closures = _closures()
    step = 1 if n > 0 else -1
    remaining = abs(n)
    current = day
    while remaining:
        if current in (dt.date.min, dt.date.max):
            return current
        current += dt.timedelta(days=step)
        if is_working_day(current, closures):
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -working_days_between(end, start)
    closures = _closures()
    return sum(1 for i in range(1, (end - start).days + 1) if is_working_day(start + dt.timedelta(days=i), closures))


def add_months(day: dt.date, n: int) -> dt.date:
    """Same day-of-month n months later, or that month's last day (2026-11-30 + 3 = 2027-02-28).

    Saturates at the first or last date Python knows (1 January 1 and 31 December 9999): no
    accepted date comes near them (``tracker.core.checks.date_in_range``), but a date stored
    before that rule (a date of birth of 9999-12-31) shows as a far date instead of failing
    the page that computes from it (a retention date)."""
    index = day.year * 12 + day.month - 1 + n
    year, month = divmod(index, 12)
    if year < dt.MINYEAR:
        return dt.date.min
    if year > dt.MAXYEAR:
        return dt.date.max
    last = _stdcal.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add_days(day: dt.date, n: int) -> dt.date:
    """``day`` + n days, saturating as ``add_months`` does."""
    try:
        return day + dt.timedelta(days=n)
    except OverflowError:
        return dt.date.max if n > 0 else dt.date.min


def build_rows(
    closures: frozenset[dt.date] = frozenset(), first: dt.date = FIRST_DAY, last: dt.date = LAST_DAY
) -> list[dict]:
    """Rows for ``calendar_days`` (used by the migration and by ``rebuild``)."""
    rows = []
    wd_seq = 0
    day = first
    while day <= last:
        working = is_working_day(day, closures)
        if working:
            wd_seq += 1
        rows.append(
            {
                "day": day,
                "working": working,
                "wd_seq": wd_seq,
                "day_seq": day.toordinal(),
                "month_index": day.year * 12 + day.month - 1,
                "dom": day.day,
                "month_len": _stdcal.monthrange(day.year, day.month)[1],
            }
        )
        day += dt.timedelta(days=1)
    return rows


def rebuild() -> int:
    """Recompute ``calendar_days`` from the holidays and the closure days (same transaction)."""
    forget_closures()
    rows = build_rows(frozenset(db.session.scalars(select(ClosureDay.day))))
    db.session.execute(delete(CalendarDay))
    for i in range(0, len(rows), 5000):
        db.session.execute(insert(CalendarDay), rows[i : i + 5000])
    return len(rows)
