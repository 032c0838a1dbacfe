"""A scorecard row's 12-month trend as a bar chart with the target drawn as a line, on the
server as SVG (``tracker.indicators.chart`` places the bars, the axis and the target; the
template macro ``indicators/_macros.html`` ``bar_chart`` draws them).

The bars carry the figures as the scorecard shows them (``tracker.board.suppression``): for a
board member a suppressed month draws no bar (its height would disclose the number), is left out
of the axis's scale for the same reason, and shows the mark (``<5``, ``[c]``) as its label."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.board import suppression
from tracker.board.scorecard import Line, Value
from tracker.core import kpis
from tracker.formatters import format_figure
from tracker.indicators.chart import (
    Chart,
    TargetLine,
    axis_scale,
    axis_ticks,
    place_bars,
    y_of,
)


@dataclass(frozen=True)
class Point:
    """One month of a trend as the page shows it: the figure's text and, when it may be drawn,
    its value (None for a month without a figure or a suppressed one)."""

    value: Value
    text: str
    drawn: object  # the value the bar is drawn to, or None
    hidden: bool  # suppressed for this reader


def points(line: Line, suppress: bool) -> list[Point]:
    ind = line.indicator
    out = []
    for v in line.values:
        hidden = bool(
            suppress
            and ind is not None
            and suppression.mark(ind.unit, v.value, v.numerator, v.denominator, ind.describes_people)
        )
        text = (
            suppression.text(
                ind.unit, v.value, v.numerator, v.denominator, describes_people=ind.describes_people, suppress=suppress
            )
            if ind is not None
            else "–"
        )
        out.append(Point(v, text, None if hidden else v.value, hidden))
    return out


def target_text(line: Line) -> str | None:
    if line.row.target is None or line.indicator is None:
        return None
    target = line.row.target
    if line.indicator.unit == kpis.COUNT and target == int(target):
        target = int(target)
    return f"Target: {format_figure(target, line.indicator.unit)}"


def trend_chart(line: Line, suppress: bool) -> Chart | None:
    """The chart of ``line`` (a ``scorecard.trend``), as ``suppress`` shows it; None when the
    row's indicator is no longer registered (there is nothing to draw)."""
    ind = line.indicator
    if ind is None:
        return None
    shown = points(line, suppress)
    drawn = [p.drawn for p in shown]
    target = line.row.target
    step, top = axis_scale(ind.unit, [*drawn, target])
    bars = place_bars([p.value.month for p in shown], drawn, [p.text for p in shown], top)
    first, last = (bars[0].month, bars[-1].month) if bars else ("", "")
    unit = " (%)" if ind.unit == kpis.PERCENT else ""
    title = f"{line.label}{unit}, month by month, {first} to {last}"
    words = []
    for bar, p in zip(bars, shown, strict=True):
        if p.hidden:
            words.append(f"{bar.month}: {p.text} (not shown: fewer than 5)")
        elif p.value.value is None:
            words.append(f"{bar.month}: no figure")
        else:
            words.append(f"{bar.month}: {p.text}")
    label = target_text(line)
    line_at = TargetLine(y_of(target, top), label) if label else None
    description = (
        "Bar chart. "
        + "; ".join(words)
        + (f". {label}, drawn as a line" if label else "")
        + ". The table below gives the same figures."
    )
    return Chart(ind, title, description, bars, axis_ticks(step, top), target=line_at)
