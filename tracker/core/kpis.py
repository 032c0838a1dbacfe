"""The indicator registry (kpis.md): every figure defined once, computed set-based.

Features register indicators with ``register_group``: a list of ``Indicator`` definitions
and one function that computes all of them for a ``Period`` with a few set-based queries,
returning ``{id: int | Ratio | None}``. A drill-down function returns the records behind an
indicator's numerator or denominator. Screens, the board pack, annual tables and the
``kpis`` command all call ``compute``; nothing recomputes a figure its own way.
"""

from __future__ import annotations

import calendar as _stdcal
import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

COUNT = "No."
PERCENT = "%"
AVERAGE = "average"
UNITS = (COUNT, PERCENT, AVERAGE)


@dataclass(frozen=True)
class Period:
    """The inclusive period [start, end] and the as-of date for snapshot indicators."""

    start: dt.date
    end: dt.date
    as_of: dt.date

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError("the period ends before it starts")


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int


@dataclass(frozen=True)
class Indicator:
    id: str
    unit: str  # COUNT, PERCENT or AVERAGE
    label: str
    section: str
    family: str  # record family for drill-down permission: children, escalations, lado, panels
    good_is: str = "-"  # High, Low or -
    describes_people: bool = True  # board users see 1–4 as "<5" (domain.md §8)
    help: str = ""

    @property
    def title(self) -> str:
        """The label as users read it: each ``{rule}`` in it is that timescale rule's duration in
        force ("within {lado_iem}" → "within 5 working days", or 10 once the rule says 10)."""
        if "{" not in self.label:
            return self.label
        from tracker.core import timescales

        return self.label.format_map({n: timescales.rule(n).duration_text for n in _RULE_NAMES.findall(self.label)})


_RULE_NAMES = re.compile(r"\{(\w+)\}")


@dataclass
class _Group:
    indicators: list[Indicator]
    compute: Callable[[Period], dict]
    drill: Callable[[str, Period, str], list] | None


@dataclass
class _Registry:
    groups: list[_Group] = field(default_factory=list)
    by_id: dict[str, tuple[Indicator, _Group]] = field(default_factory=dict)


REGISTRY = _Registry()


def register_group(
    indicators: Iterable[Indicator], compute: Callable[[Period], dict], drill: Callable | None = None
) -> None:
    """Register indicators computed together. ``compute(period)`` returns a value per id:
    an ``int`` for counts, a ``Ratio`` for percentages and averages.

    ``drill(indicator_id, period, part)`` with part ``numerator`` or ``denominator`` (counts:
    ``numerator``) returns the records behind the figure as a list of dicts with at least
    ``ref`` and ``label`` (and ``url`` when the record has a page).
    """
    indicators = list(indicators)
    group = _Group(indicators, compute, drill)
    for ind in indicators:
        if ind.unit not in UNITS:
            raise ValueError(f"{ind.id}: unknown unit {ind.unit!r}")
        if ind.id in REGISTRY.by_id:
            if REGISTRY.by_id[ind.id][0] == ind:
                return  # registering the same group again (a second app in one process)
            raise ValueError(f"indicator {ind.id} registered twice")
    REGISTRY.groups.append(group)
    REGISTRY.groups.sort(key=_feature_rank)  # stable: a feature's groups keep their own order
    for ind in indicators:
        REGISTRY.by_id[ind.id] = (ind, group)


def _feature_rank(group: _Group) -> int:
    """The catalogue follows ``tracker.features.FEATURES`` (reviews, consultations, escalations,
    LADO, panels), whichever module happened to be imported first."""
    from tracker.features import FEATURES

    module = group.compute.__module__
    return next((i for i, name in enumerate(FEATURES) if module.startswith(name + ".")), len(FEATURES))


def indicators() -> list[Indicator]:
    return [ind for grp in REGISTRY.groups for ind in grp.indicators]


def get(indicator_id: str) -> Indicator:
    return REGISTRY.by_id[indicator_id][0]


def round_half_up(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def percentage(numerator: int, denominator: int) -> Decimal | None:
    """100 × numerator / denominator rounded half-up to 2 decimals; None when denominator is 0."""
    if not denominator:
        return None
    return round_half_up(Decimal(100 * numerator) / Decimal(denominator))


def average(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return round_half_up(Decimal(numerator) / Decimal(denominator))


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    value: Decimal | int | None
    numerator: int | None = None
    denominator: int | None = None

    def as_dict(self) -> dict:
        value = float(self.value) if isinstance(self.value, Decimal) else self.value
        if self.indicator.unit == PERCENT:
            return {"numerator": self.numerator, "denominator": self.denominator, "value": value}
        return {"value": value}


def _figure(ind: Indicator, raw) -> Figure:
    if ind.unit == COUNT:
        return Figure(ind, int(raw or 0))
    ratio = raw if isinstance(raw, Ratio) else Ratio(0, 0)
    fn = percentage if ind.unit == PERCENT else average
    return Figure(ind, fn(ratio.numerator, ratio.denominator), ratio.numerator, ratio.denominator)


def compute(period: Period, ids: Iterable[str] | None = None) -> dict[str, Figure]:
    """Figures for the period, in catalogue order (all registered ids unless ``ids`` is given)."""
    wanted = None if ids is None else set(ids)
    result: dict[str, Figure] = {}
    for group in REGISTRY.groups:
        if wanted is not None and not any(i.id in wanted for i in group.indicators):
            continue
        values = group.compute(period)
        for ind in group.indicators:
            if wanted is None or ind.id in wanted:
                result[ind.id] = _figure(ind, values.get(ind.id))
    return result


def drill(indicator_id: str, period: Period, part: str = "numerator") -> list[dict]:
    ind, group = REGISTRY.by_id[indicator_id]
    if part not in ("numerator", "denominator"):
        raise ValueError("part must be numerator or denominator")
    if group.drill is None:
        return []
    return group.drill(indicator_id, period, part)


def financial_year(day: dt.date) -> tuple[dt.date, dt.date]:
    """The financial year (1 April – 31 March) containing ``day``: the default reporting year."""
    start = dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)
    return start, dt.date(start.year + 1, 3, 31)


def year_to_date(day: dt.date) -> Period:
    """From 1 April of ``day``'s financial year to ``day``, as of ``day``."""
    return Period(financial_year(day)[0], day, day)


def figures(indicator_list: Iterable[Indicator], values: dict) -> dict[str, Figure]:
    """Figures from raw values computed outside ``compute`` (e.g. one QARO's own figures from
    the same definitions), rounded the one way."""
    return {ind.id: _figure(ind, values.get(ind.id)) for ind in indicator_list}


def months(start: dt.date, end: dt.date) -> list[Period]:
    """One period per calendar month in [start, end], clipped, each with its last day as as-of."""
    periods = []
    year, month = start.year, start.month
    while dt.date(year, month, 1) <= end:
        first = max(start, dt.date(year, month, 1))
        last = min(end, dt.date(year, month, _stdcal.monthrange(year, month)[1]))
        periods.append(Period(first, last, last))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return periods


def months_ending(month: dt.date, as_of: dt.date, count: int = 12) -> list[Period]:
    """The ``count`` calendar months ending with ``month``'s (the board papers' "month ending"),
    one period each, as of its last day; a month not over on ``as_of`` runs to ``as_of`` (this
    month to date)."""
    index = month.year * 12 + month.month - 1 - (count - 1)
    first = dt.date(index // 12, index % 12 + 1, 1)
    last = dt.date(month.year, month.month, _stdcal.monthrange(month.year, month.month)[1])
    return months(first, min(last, max(as_of, dt.date(month.year, month.month, 1))))


def report(start: dt.date, end: dt.date, as_of: dt.date | None = None, by_month: bool = False) -> dict:
    """The JSON document of interchange.md §2."""
    period = Period(start, end, as_of or end)
    doc = {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "as_of": period.as_of.isoformat(),
        "indicators": {k: f.as_dict() for k, f in compute(period).items()},
    }
    if by_month:
        doc["months"] = [
            {"month": p.start.strftime("%Y-%m"), "indicators": {k: f.as_dict() for k, f in compute(p).items()}}
            for p in months(start, end)
        ]
    return doc


def report_rows(doc: dict) -> list[dict]:
    """CSV rows of interchange.md §2: one per (month or ``all``, indicator id)."""
    rows = []
    blocks = [("all", doc["indicators"])] + [(m["month"], m["indicators"]) for m in doc.get("months", [])]
    for label, figures in blocks:
        for ind_id, fig in figures.items():
            rows.append(
                {
                    "period": label,
                    "indicator": ind_id,
                    "unit": get(ind_id).unit,
                    "numerator": fig.get("numerator", ""),
                    "denominator": fig.get("denominator", ""),
                    "value": "" if fig["value"] is None else fig["value"],
                }
            )
    return rows
