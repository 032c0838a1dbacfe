"""Indicator pages (kpis.md): every registered figure for a period, and the drill-down from a
figure to the records behind it. Both call ``tracker.core.kpis``; nothing recomputes a figure.

Drill-downs show record-level rows, so they need ``kpis.drilldown`` *and* the view capability
of the indicator's record family (a manager never sees LADO rows; board members and analysts
never see any rows).
"""
from __future__ import annotations

import datetime as dt
import math

from flask import Blueprint, Flask, abort, current_app, render_template, request
from flask_login import current_user

from tracker.core import audit, kpis, permissions
from tracker.core.clock import today
from tracker.core.permissions import require
from tracker.extensions import db

bp = Blueprint("kpis", __name__, url_prefix="/kpis")

PARTS = ("numerator", "denominator")


def financial_year_start(day: dt.date) -> dt.date:
    """1 April of the financial year containing ``day``."""
    return dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def _parse(name: str, label: str, default: dt.date, errors: list[dict]) -> dt.date:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return default
    try:
        if len(raw) != 10:
            raise ValueError
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.append({"text": f"{label} must be a real date in the form YYYY-MM-DD, like 2023-03-31", "href": f"#{name}"})
        return default


def _period() -> tuple[kpis.Period, list[dict], dict[str, str]]:
    """The period asked for in the query string (default: this financial year to date)."""
    errors: list[dict] = []
    now = today()
    start = _parse("from", "The start date", financial_year_start(now), errors)
    end = _parse("to", "The end date", now, errors)
    if not errors and end < start:
        errors.append({"text": "The end date must be the same as or after the start date", "href": "#to"})
    if errors:
        start, end = financial_year_start(now), now
    raw = {"from": request.args.get("from", start.isoformat()), "to": request.args.get("to", end.isoformat())}
    return kpis.Period(start, end, end), errors, raw


def may_drill(user, indicator: kpis.Indicator) -> bool:
    family_cap = permissions.RECORD_FAMILY_CAPABILITY.get(indicator.family)
    return family_cap is not None and permissions.can(user, "kpis.drilldown") and permissions.can(user, family_cap)


def display(figure: kpis.Figure) -> str:
    if figure.value is None:
        return "–"
    if figure.indicator.unit == kpis.PERCENT:
        return f"{figure.value}%"
    return str(figure.value)


@bp.route("/")
@require("kpis.view")
def index():
    period, errors, raw = _period()
    user = current_user._get_current_object()
    figures = kpis.compute(period)
    sections: dict[str, list[kpis.Figure]] = {}
    for figure in figures.values():
        sections.setdefault(figure.indicator.section, []).append(figure)
    return render_template(
        "kpis/index.html",
        period=period,
        errors=errors,
        raw=raw,
        sections=sections,
        may_drill=lambda ind: may_drill(user, ind),
        display=display,
        COUNT=kpis.COUNT,
        PERCENT=kpis.PERCENT,
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
    period, errors, raw = _period()
    if errors:
        abort(400)
    rows = kpis.drill(indicator_id, period, part)
    figure = kpis.compute(period, ids=[indicator_id])[indicator_id]
    if indicator.family == "lado":
        # Every read of LADO records is audited (domain.md §1); ids only in the summary.
        audit.record("lado.read", object_type="indicator", object_id=indicator_id,
                     summary=f"drill-down {indicator_id} {part} {period.start}..{period.end}")
        db.session.commit()
    per_page = int(current_app.config.get("PAGE_SIZE", 50))
    try:
        number = max(1, int(request.args.get("page", 1)))
    except ValueError:
        number = 1
    pages = max(1, math.ceil(len(rows) / per_page))
    number = min(number, pages)
    shown = rows[(number - 1) * per_page : number * per_page]
    return render_template(
        "kpis/drill.html",
        indicator=indicator,
        part=part,
        period=period,
        raw=raw,
        rows=shown,
        total=len(rows),
        page=number,
        pages=pages,
        first_index=(number - 1) * per_page + 1,
        figure=figure,
        display=display,
    )


def init_app(app: Flask) -> None:
    from tracker.web import nav_item

    app.register_blueprint(bp)
    nav_item("Indicators", "kpis.index", "kpis.view", order=60)
