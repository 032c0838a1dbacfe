"""The scorecard as the page and the print view show it (domain.md §8): each month's header,
each figure's text (small numbers suppressed for board members, ``tracker.board.suppression``)
with, for the roles allowed, the link to the records behind it, and which months are frozen
(by whom, when, re-frozen why) or provisional. Built from ``scorecard.build`` only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from flask import url_for

from tracker.board import suppression
from tracker.board.models import FrozenMonth
from tracker.board.scorecard import Block, Line, Scorecard, Value, first_of, last_of
from tracker.core import kpis
from tracker.formatters import format_date, format_month
from tracker.indicators.views import period_args


@dataclass(frozen=True)
class MonthColumn:
    month: dt.date
    header: str  # "Oct 2026", "Nov 2026 (provisional)", "Nov 2026 (provisional, to 27 Nov)"
    provisional: bool
    to_date: dt.date | None
    frozen: FrozenMonth | None

    @property
    def key(self) -> str:
        return f"{self.month:%Y-%m}"


@dataclass(frozen=True)
class ShownFigure:
    text: str
    href: str | None = None


@dataclass(frozen=True)
class ShownLine:
    line: Line
    figures: list[ShownFigure]

    @property
    def registered(self) -> bool:
        return self.line.indicator is not None


@dataclass(frozen=True)
class ShownBlock:
    block: Block
    lines: list[ShownLine]


def to_date(month: dt.date, as_of: dt.date) -> dt.date | None:
    """The day a month not over on ``as_of`` runs to (None for a month that is over)."""
    return as_of if first_of(as_of) == month and as_of < last_of(month) else None


def month_header(month: dt.date, provisional: bool, runs_to: dt.date | None) -> str:
    notes = (["provisional"] if provisional else []) + ([f"to {runs_to.day} {runs_to:%b}"] if runs_to else [])
    return f"{month:%b %Y}" + (f" ({', '.join(notes)})" if notes else "")


def columns(card: Scorecard) -> list[MonthColumn]:
    out = []
    for m in card.months:
        runs_to = to_date(m, card.as_of)
        out.append(
            MonthColumn(
                m, month_header(m, card.provisional(m), runs_to), card.provisional(m), runs_to, card.frozen.get(m)
            )
        )
    return out


def frozen_notes(cols: list[MonthColumn]) -> list[str]:
    """ "October 2026: frozen on 4 November 2026 by …", and for a re-frozen month "Re-frozen on 3
    December 2026 because …" (what the board must see about a correction)."""
    notes = []
    for c in cols:
        f = c.frozen
        if f is None:
            continue
        when = format_date(f.frozen_at.date()) if f.frozen_at else ""
        if f.refrozen_reason:
            notes.append(f"{format_month(c.month)}: Re-frozen on {when} because {f.refrozen_reason} (by {f.frozen_by})")
        else:
            notes.append(f"{format_month(c.month)}: frozen on {when} by {f.frozen_by}")
    return notes


def figure_text(indicator: kpis.Indicator | None, v: Value, suppress: bool) -> str:
    if indicator is None:
        return "–"
    return suppression.text(
        indicator.unit,
        v.value,
        v.numerator,
        v.denominator,
        describes_people=indicator.describes_people,
        suppress=suppress,
    )


def period_of(v: Value) -> kpis.Period:
    end = v.to_date or last_of(v.month)
    return kpis.Period(v.month, end, end)


def shown_line(line: Line, suppress: bool, drillable: Callable[[kpis.Indicator], bool] | None = None) -> ShownLine:
    """The line's figures as text and, when ``drillable(indicator)``, each non-zero figure's link to
    its records for that month (``kpis.drill``)."""
    ind = line.indicator
    may = ind is not None and drillable is not None and drillable(ind)
    figures = []
    for v in line.values:
        text = figure_text(ind, v, suppress)
        href = None
        if may and v.value:
            href = url_for("kpis.drill", indicator_id=ind.id, part="numerator", **period_args(period_of(v)))
        figures.append(ShownFigure(text, href))
    return ShownLine(line, figures)


def shown_blocks(card: Scorecard, suppress: bool, drillable=None) -> list[ShownBlock]:
    return [ShownBlock(b, [shown_line(line, suppress, drillable) for line in b.lines]) for b in card.blocks]
