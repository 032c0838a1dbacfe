"""Indicator pages (kpis.md): every registered figure for a period, the same figures month by
month for 12 months (a table, and a chart of one indicator), and the drill-down from a figure to
the records behind it. All call ``tracker.core.kpis``; nothing recomputes a figure. The period's
and the months' figures download as CSV or XLSX (``tracker.web.downloads``, audited), refused as
the page is.

Drill-downs show record-level rows, so they need ``kpis.drilldown`` *and* the view capability
of the indicator's record family (a manager never sees LADO rows; board members and analysts
never see any rows).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from tracker.core import kpis, permissions
from tracker.core.clock import today
from tracker.core.forms import date_boxes, iso_dates_as_boxes
from tracker.core.pagination import links, page_number, paginate_list
from tracker.core.permissions import require
from tracker.formatters import format_month
from tracker.indicators.chart import bar_chart, fraction
from tracker.indicators.forms import MonthlyForm, PeriodForm
from tracker.web.downloads import Column, download_links, requested_format, send_table
from tracker.web.lifecycle import note_read

bp = Blueprint("kpis", __name__, url_prefix="/kpis")

PARTS = ("numerator", "denominator")


def period_args(period: kpis.Period) -> dict[str, list[str]]:
    """The query arguments of a period: its dates as the filter's day, month and year boxes."""
    return {"from": date_boxes(period.start), "to": date_boxes(period.end)}


def _period() -> tuple[PeriodForm, kpis.Period]:
    """The period asked for in the query string (default: this financial year to date; the
    default too, with the form's errors, when what was asked is not a period)."""
    form = PeriodForm(iso_dates_as_boxes(request.args, "from", "to"))
    if not form.validate():
        return form, kpis.year_to_date(today())
    period = form.period()
    form.start.data, form.end.data = period.start, period.end  # blank boxes show the default's dates
    return form, period


def may_drill(user, indicator: kpis.Indicator) -> bool:
    family_cap = permissions.RECORD_FAMILY_CAPABILITY.get(indicator.family)
    return family_cap is not None and permissions.can(user, "kpis.drilldown") and permissions.can(user, family_cap)


def _figure_columns() -> list[Column]:
    """The download of the indicators page: each row as the page shows it (a count is its own
    numerator), the value a number (a percentage as 45.00, not "45.00%")."""
    return [
        Column("Section", lambda f: f.indicator.section),
        Column("Indicator", lambda f: f.indicator.title),
        Column("Id", lambda f: f.indicator.id),
        Column("Unit", lambda f: f.indicator.unit),
        Column("Numerator", lambda f: f.value if f.indicator.unit == kpis.COUNT else f.numerator),
        Column("Denominator", lambda f: None if f.indicator.unit == kpis.COUNT else f.denominator),
        Column("Value", lambda f: f.value),
    ]


@bp.route("/")
@require("kpis.view")
def index():
    fmt = requested_format()
    form, period = _period()
    figures = kpis.compute(period)
    if fmt:
        return send_table(
            fmt,
            title="Indicators",
            filename=f"indicators-{period.start.isoformat()}-to-{period.end.isoformat()}",
            columns=_figure_columns(),
            rows=figures.values(),
        )
    user = current_user._get_current_object()
    sections: dict[str, list[kpis.Figure]] = {}
    for figure in figures.values():
        sections.setdefault(figure.indicator.section, []).append(figure)
    return render_template(
        "indicators/index.html",
        form=form,
        period=period,
        args=period_args(period),
        sections=sections,
        drillable={ind.id for ind in kpis.indicators() if may_drill(user, ind)},
        downloads=download_links("kpis.index", period_args(period)) if figures else [],
    )


def last_complete_month(day: dt.date) -> dt.date:
    """The first day of the month before ``day``'s: the default last month of the 12."""
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def _chart_choices() -> list[SelectChoice]:
    return [SelectChoice(ind.id, f"{ind.section}: {ind.title}") for ind in kpis.indicators()]


def default_chart_indicator() -> str | None:
    """The first percentage in the catalogue (reviews held in timescale), else the first indicator."""
    registered = kpis.indicators()
    percentages = [ind.id for ind in registered if ind.unit == kpis.PERCENT]
    return (percentages or [ind.id for ind in registered] or [None])[0]


def _monthly_columns(periods: list[kpis.Period]) -> list[Column]:
    """The download of the months: the 12 values side by side (the board papers' layout), then
    the numerators and the denominators of the percentages and averages."""
    columns = [
        Column("Section", lambda row: row.indicator.section),
        Column("Indicator", lambda row: row.indicator.title),
        Column("Id", lambda row: row.indicator.id),
        Column("Unit", lambda row: row.indicator.unit),
    ]
    for i, period in enumerate(periods):
        columns.append(Column(_month_header(period), lambda row, i=i: row.figures[i].value))
    for part in PARTS:
        for i, period in enumerate(periods):
            columns.append(
                Column(
                    f"{_month_header(period)} {part}",
                    lambda row, i=i, part=part: (
                        None if row.indicator.unit == kpis.COUNT else getattr(row.figures[i], part)
                    ),
                )
            )
    return columns


def _whole_month(period: kpis.Period) -> bool:
    return period.end.day == calendar.monthrange(period.end.year, period.end.month)[1]


def _month_header(period: kpis.Period) -> str:
    """The column of a month: "May 2025", or "November 2026 to 23 November" while it is not over."""
    month = format_month(period.start)
    return month if _whole_month(period) else f"{month} to {period.end.day} {period.end:%B}"


@dataclass(frozen=True)
class MonthlyRow:
    indicator: kpis.Indicator
    figures: list[kpis.Figure]  # one per month, oldest first


@bp.route("/monthly")
@require("kpis.view")
def monthly():
    fmt = requested_format()
    as_of = today()
    form = MonthlyForm(request.args)
    form.indicator.choices = _chart_choices()
    form.validate()
    default_month = last_complete_month(as_of)
    month = form.month.data if form.month.data and not form.month.errors else default_month
    charted = form.indicator.data if form.indicator.data and not form.indicator.errors else default_chart_indicator()
    form.indicator.data = charted  # the select shows the indicator charted, the boxes the month
    if not form.month.errors:
        form.month.data = month
    periods = kpis.months_ending(month, as_of)
    computed = [kpis.compute(p) for p in periods]  # one compute per month: every figure from the registry
    rows = [MonthlyRow(ind, [column[ind.id] for column in computed]) for ind in kpis.indicators()]
    if fmt:
        return send_table(
            fmt,
            title="Indicators by month",
            filename=f"indicators-by-month-to-{month:%Y-%m}",
            columns=_monthly_columns(periods),
            rows=rows,
        )
    args = {"month": [str(month.month), str(month.year)]}
    if charted:
        args["indicator"] = charted
    sections: dict[str, list[MonthlyRow]] = {}
    for row in rows:
        sections.setdefault(row.indicator.section, []).append(row)
    chart_row = next((row for row in rows if row.indicator.id == charted), None)
    return render_template(
        "indicators/monthly.html",
        form=form,
        month=month,
        default_month=default_month,
        to_date=None if _whole_month(periods[-1]) else periods[-1].end,
        as_of=as_of,
        periods=[(p, _month_header(p), period_args(p)) for p in periods],
        sections=sections,
        chart=bar_chart(chart_row.indicator, periods, chart_row.figures) if chart_row else None,
        chart_row=chart_row,
        fraction=fraction,
        downloads=download_links("kpis.monthly", args) if rows else [],
    )


@bp.route("/<indicator_id>/<part>")
@require("kpis.drilldown")
def drill(indicator_id: str, part: str):
    if indicator_id not in kpis.REGISTRY.by_id or part not in PARTS:
        abort(404)
    indicator = kpis.get(indicator_id)
    if part == "denominator" and indicator.unit == kpis.COUNT:
        abort(404)
    if not may_drill(current_user, indicator):
        abort(403)
    form, period = _period()
    if form.errors:
        abort(400)
    page = paginate_list(kpis.drill(indicator_id, period, part), page_number(), int(current_app.config["PAGE_SIZE"]))
    if indicator.family == "lado":  # every read of LADO records is audited (domain.md §1)
        note_read([row["ref"] for row in page.items], page=page.page, total=page.total)
    args = {"indicator_id": indicator.id, "part": part, **period_args(period)}
    return render_template(
        "indicators/drill.html",
        indicator=indicator,
        part=part,
        period=period,
        back_args=period_args(period),
        page=page,
        pagination=links(page, "kpis.drill", **args),
        figure=kpis.compute(period, ids=[indicator_id])[indicator_id],
    )
