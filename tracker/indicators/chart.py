"""A bar chart of one indicator month by month, drawn on the server as SVG (no script: the
Content-Security-Policy allows none inline, and the page must work without JavaScript).

This module only places the figures ``tracker.core.kpis.compute`` gave: every bar's value and
label is a ``Figure``'s, formatted as the table beside the chart formats it (``format_figure``),
so the chart and the table cannot disagree. The template draws the shapes with CSS classes of
``tracker.css`` and SVG presentation attributes (no ``style`` attribute)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from tracker.core import kpis
from tracker.formatters import format_figure, format_month

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 28, 44  # room for the axis's numbers, the months and the values


@dataclass(frozen=True)
class Bar:
    month: str  # "May 2025"
    month_short: str  # "May"
    year: str  # "2025"
    value: Decimal | int | None
    text: str  # the figure as the page shows it: "45.00%", "12", "–"
    x: float  # left edge of the bar
    y: float  # top of the bar
    width: float
    height: float
    centre: float  # x of the labels
    label_y: float  # y of the value's label

    @property
    def data_value(self) -> str:
        return "" if self.value is None else str(self.value)


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    indicator: kpis.Indicator
    title: str
    description: str
    bars: list[Bar]
    ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM


def fraction(figure: kpis.Figure) -> str:
    """What a percentage or an average is made of, in words: "9 of 20", "30 over 7" ("" for a count)."""
    if figure.indicator.unit == kpis.COUNT:
        return ""
    joint = "of" if figure.indicator.unit == kpis.PERCENT else "over"
    return f"{figure.numerator:,} {joint} {figure.denominator:,}"


def _step(top: float, *, whole: bool) -> float:
    """A round step (1, 2 or 5 × a power of ten) giving at most 5 intervals up to ``top``."""
    if top <= 0:
        return 1
    raw = top / 5
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        step = factor * power
        if step >= raw:
            break
    return max(step, 1) if whole else step


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def bar_chart(indicator: kpis.Indicator, periods: list[kpis.Period], figures: list[kpis.Figure]) -> Chart:
    """The chart of ``figures`` (one per period, in order) of ``indicator``."""
    values = [f.value for f in figures]
    if indicator.unit == kpis.PERCENT:
        step, top = 25.0, 100.0
    else:
        highest = max((float(v) for v in values if v is not None), default=0.0)
        step = _step(highest, whole=indicator.unit == kpis.COUNT)
        top = max(step, math.ceil(highest / step) * step)
    plot_height = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(len(figures), 1)
    bars = []
    for i, (period, figure) in enumerate(zip(periods, figures, strict=True)):
        height = 0.0 if figure.value is None else round(float(figure.value) / top * plot_height, 1)
        x = LEFT + i * slot
        top_y = HEIGHT - BOTTOM - height
        bars.append(
            Bar(
                month=format_month(period.start),
                month_short=f"{period.start:%b}",
                year=f"{period.start:%Y}",
                value=figure.value,
                text=format_figure(figure.value, indicator.unit),
                x=round(x + slot * 0.15, 1),
                y=round(top_y, 1),
                width=round(slot * 0.7, 1),
                height=height,
                centre=round(x + slot / 2, 1),
                label_y=round(top_y - 6, 1),
            )
        )
    ticks = []
    n = 0
    while n * step <= top + 1e-9:
        ticks.append(Tick(round(HEIGHT - BOTTOM - n * step / top * plot_height, 1), _number(n * step)))
        n += 1
    first, last = (bars[0].month, bars[-1].month) if bars else ("", "")
    unit = " (%)" if indicator.unit == kpis.PERCENT else ""
    title = f"{indicator.title}{unit}, month by month, {first} to {last}"
    shown = []
    for bar, figure in zip(bars, figures, strict=True):
        text = "no figure (nothing to count)" if figure.value is None else bar.text
        if indicator.unit != kpis.COUNT and figure.value is not None:
            text += f" ({fraction(figure)})"
        shown.append(f"{bar.month}: {text}")
    description = "Bar chart. " + "; ".join(shown) + ". The table next to the chart gives the same figures."
    return Chart(indicator, title, description, bars, ticks)
