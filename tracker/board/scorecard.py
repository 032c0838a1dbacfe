"""The scorecard's figures (domain.md §8, kpis.md §6): each configured row's value for each of
the months shown, read from the frozen snapshot when the month is frozen and computed live by
``tracker.core.kpis`` (and marked provisional) when it is not; the direction of travel and RAG.
Pages, the board pack's XLSX/JSON/print and the ``board-pack`` command all build from ``build``
and ``trend``; nothing here recomputes a figure its own way.
"""

from __future__ import annotations

import calendar as _stdcal
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.board.models import (
    BoardUnit,
    Direction,
    FrozenFigure,
    FrozenMonth,
    GoodIs,
    Rag,
    ScorecardRow,
    ScorecardSection,
    SectionCommentary,
)
from tracker.core import calendar, kpis
from tracker.extensions import db

SIX = 6  # the months the board sees side by side (003:L109–723)
TWELVE = 12  # the months of a row's trend chart

BOARD_UNIT = {kpis.COUNT: BoardUnit.count, kpis.PERCENT: BoardUnit.percent, kpis.AVERAGE: BoardUnit.rate}


def first_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def last_of(month: dt.date) -> dt.date:
    return month.replace(day=_stdcal.monthrange(month.year, month.month)[1])


def freeze_day(month: dt.date) -> dt.date:
    """The day ``month`` is frozen (003:L277): the 4th of the following month, or the next
    working day after it when the 4th is not one."""
    day = last_of(month) + dt.timedelta(days=4)
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


@dataclass(frozen=True)
class Value:
    """One indicator's figure for one month."""

    month: dt.date  # the first day of the month
    value: Decimal | int | None
    numerator: int | None
    denominator: int | None
    provisional: bool  # computed live: the month is not frozen
    to_date: dt.date | None = None  # a month not over yet: the live figure runs to this day


def _frozen_value(indicator: kpis.Indicator | None, figure: FrozenFigure):
    if figure.value is None:
        return None
    if indicator is not None and indicator.unit == kpis.COUNT:
        return int(figure.value)
    return Decimal(figure.value).quantize(Decimal("0.01"))


def month_values(
    periods: list[kpis.Period], ids: list[str]
) -> tuple[dict[dt.date, dict[str, Value]], dict[dt.date, FrozenMonth]]:
    """``{month: {indicator id: Value}}`` for the periods (one per month) and the frozen months
    among them. A frozen month is read from its snapshot (one query for all of them); the others
    are computed live, once per month, for the ids asked for only."""
    ids = [i for i in ids if i in kpis.REGISTRY.by_id]
    firsts = [first_of(p.start) for p in periods]
    frozen = {fm.month: fm for fm in db.session.scalars(select(FrozenMonth).where(FrozenMonth.month.in_(firsts))).all()}
    out: dict[dt.date, dict[str, Value]] = {m: {} for m in firsts}
    if frozen and ids:
        for figure in db.session.scalars(
            select(FrozenFigure).where(FrozenFigure.month.in_(list(frozen)), FrozenFigure.indicator_id.in_(ids))
        ):
            indicator = kpis.get(figure.indicator_id)
            out[figure.month][figure.indicator_id] = Value(
                figure.month, _frozen_value(indicator, figure), figure.numerator, figure.denominator, False
            )
    for period, month in zip(periods, firsts, strict=True):
        if month in frozen or not ids:
            continue
        to_date = None if period.end == last_of(month) else period.end
        for ind_id, fig in kpis.compute(period, ids).items():
            out[month][ind_id] = Value(month, fig.value, fig.numerator, fig.denominator, True, to_date)
    return out, frozen


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def direction_of_travel(good_is: GoodIs | str, previous, latest) -> Direction | None:
    """The latest month against the one before, read through *good is* (domain.md §8): blank
    when good is "-" or either value is missing."""
    if GoodIs(good_is) is GoodIs.neither or previous is None or latest is None:
        return None
    previous, latest = _decimal(previous), _decimal(latest)
    if latest == previous:
        return Direction.same
    better = latest > previous if GoodIs(good_is) is GoodIs.high else latest < previous
    return Direction.improving if better else Direction.worsening


def default_tolerance(unit: BoardUnit | str, target) -> Decimal:
    """5 percentage points for ``%``, 10% of the target otherwise (domain.md §8)."""
    if BoardUnit(unit) is BoardUnit.percent:
        return Decimal(5)
    return abs(_decimal(target)) * Decimal("0.1")


def rag(good_is: GoodIs | str, unit: BoardUnit | str, value, target, tolerance=None) -> Rag | None:
    """Green when the target is met; Amber when short of it by no more than the tolerance; Red
    beyond. None without a target, a value, or a direction (good is "-")."""
    if target is None or value is None or GoodIs(good_is) is GoodIs.neither:
        return None
    target, value = _decimal(target), _decimal(value)
    allowed = _decimal(tolerance) if tolerance is not None else default_tolerance(unit, target)
    short_by = target - value if GoodIs(good_is) is GoodIs.high else value - target
    if short_by <= 0:
        return Rag.green
    return Rag.amber if short_by <= allowed else Rag.red


@dataclass(frozen=True)
class Line:
    """One row of the scorecard, with its values oldest month first."""

    row: ScorecardRow
    indicator: kpis.Indicator | None  # None when the configured indicator is no longer registered
    values: list[Value]

    @property
    def label(self) -> str:
        if self.row.label:
            return self.row.label
        return self.indicator.title if self.indicator else self.row.indicator_id

    @property
    def latest(self) -> Value | None:
        return self.values[-1] if self.values else None

    @property
    def dot(self) -> Direction | None:
        if len(self.values) < 2:
            return None
        return direction_of_travel(self.row.good_is, self.values[-2].value, self.values[-1].value)

    @property
    def rag(self) -> Rag | None:
        latest = self.latest
        return rag(
            self.row.good_is, self.row.unit, latest.value if latest else None, self.row.target, self.row.tolerance
        )


@dataclass(frozen=True)
class Block:
    section: ScorecardSection
    lines: list[Line]
    commentary: SectionCommentary | None


@dataclass(frozen=True)
class Scorecard:
    month: dt.date  # the latest month shown (first day)
    as_of: dt.date
    months: list[dt.date]  # oldest first
    frozen: dict[dt.date, FrozenMonth]
    blocks: list[Block]

    def provisional(self, month: dt.date) -> bool:
        return month not in self.frozen


def sections() -> list[ScorecardSection]:
    return list(
        db.session.scalars(
            select(ScorecardSection).order_by(ScorecardSection.position).options(selectinload(ScorecardSection.rows))
        )
    )


def _line(row: ScorecardRow, months: list[dt.date], values: dict[dt.date, dict[str, Value]]) -> Line:
    indicator = kpis.REGISTRY.by_id.get(row.indicator_id, (None,))[0]
    return Line(
        row,
        indicator,
        [values[m].get(row.indicator_id) or Value(m, None, None, None, False) for m in months],
    )


def build(month: dt.date, as_of: dt.date, count: int = SIX) -> Scorecard:
    """The scorecard for the ``count`` months ending with ``month``'s (a month not over on
    ``as_of`` runs to ``as_of``)."""
    month = first_of(month)
    configured = sections()
    periods = kpis.months_ending(month, as_of, count)
    months = [first_of(p.start) for p in periods]
    values, frozen = month_values(periods, [r.indicator_id for s in configured for r in s.rows])
    notes = {
        c.section_id: c
        for c in db.session.scalars(select(SectionCommentary).where(SectionCommentary.month == month)).all()
    }
    blocks = [Block(s, [_line(r, months, values) for r in s.rows], notes.get(s.id)) for s in configured]
    return Scorecard(month, as_of, months, frozen, blocks)


def trend(row: ScorecardRow, month: dt.date, as_of: dt.date, count: int = TWELVE) -> Line:
    """One row over the ``count`` months ending with ``month``'s: its trend chart and table."""
    periods = kpis.months_ending(first_of(month), as_of, count)
    months = [first_of(p.start) for p in periods]
    values, _ = month_values(periods, [row.indicator_id])
    return _line(row, months, values)
