"""A bar chart of one indicator month by month, drawn on the server as SVG (no script: the
Content-Security-Policy allows none inline, and the page must work without JavaScript).

This module only places the figures ``tracker.core.kpis.compute`` gave: every bar's value and
label is a ``Figure``'s, formatted as the table beside the chart formats it (``format_figure``),
so the chart and the table cannot disagree. The template draws the shapes with CSS classes of
``tracker.css`` and SVG presentation attributes (no ``style`` attribute)."""

from __future__ import annotations

import datetime as dt
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
class TargetLine:
    """A horizontal line across the plot at a target, with its label in words."""

    y: float
    text: str  # "Target: 85%"


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
    target: TargetLine | None = None

    @property
    def unit(self) -> str:
        return self.indicator.unit


def fraction(figure: kpis.Figure) -> str:
    """What a percentage or an average is made of, in words: "9 of 20", "30 over 7" ("" for a count)."""
    if figure.indicator.unit == kpis.COUNT:
        return ""
    joint = "of" if figure.indicator.unit == kpis.PERCENT else "over"
    return f"{figure.numerator:,} {joint} {figure.denominator:,}"


def nice_step(top: float, *, whole: bool) -> float:
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


PLOT_HEIGHT = HEIGHT - TOP - BOTTOM


def axis_scale(unit: str, values) -> tuple[float, float]:
    """The axis's step and top for ``values`` (None ignored) of ``unit``: 0–100% by 25 for a
    percentage, else a round step up to the highest value."""
    if unit == kpis.PERCENT:
        return 25.0, 100.0
    highest = max((float(v) for v in values if v is not None), default=0.0)
    step = nice_step(highest, whole=unit == kpis.COUNT)
    return step, max(step, math.ceil(highest / step) * step)


def y_of(value, top: float) -> float:
    """The y of ``value`` on an axis running from 0 at the baseline to ``top``."""
    return round(HEIGHT - BOTTOM - float(value) / top * PLOT_HEIGHT, 1)


def axis_ticks(step: float, top: float) -> list[Tick]:
    ticks = []
    n = 0
    while n * step <= top + 1e-9:
        ticks.append(Tick(y_of(n * step, top), _number(n * step)))
        n += 1
    return ticks


def place_bars(months: list[dt.date], values, texts: list[str], top: float) -> list[Bar]:
    """One bar per month (first days), its height ``value`` on the axis up to ``top`` (no bar
    for None), labelled with ``texts`` (the figure as the page shows it)."""
    slot = (WIDTH - LEFT - RIGHT) / max(len(months), 1)
    bars = []
    for i, (month, value, text) in enumerate(zip(months, values, texts, strict=True)):
        height = 0.0 if value is None else round(float(value) / top * PLOT_HEIGHT, 1)
        x = LEFT + i * slot
        top_y = HEIGHT - BOTTOM - height
        bars.append(
            Bar(
                month=format_month(month),
                month_short=f"{month:%b}",
                year=f"{month:%Y}",
                value=value,
                text=text,
                x=round(x + slot * 0.15, 1),
                y=round(top_y, 1),
                width=round(slot * 0.7, 1),
                height=height,
                centre=round(x + slot / 2, 1),
                label_y=round(top_y - 6, 1),
            )
        )
    return bars


def bar_chart(indicator: kpis.Indicator, periods: list[kpis.Period], figures: list[kpis.Figure]) -> Chart:
    """The chart of ``figures`` (one per period, in order) of ``indicator``."""
    values = [f.value for f in figures]
    step, top = axis_scale(indicator.unit, values)
    texts = [format_figure(v, indicator.unit) for v in values]
    bars = place_bars([p.start for p in periods], values, texts, top)
    ticks = axis_ticks(step, top)
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
