"""Indicator pages (kpis.md): every registered figure for a period, and the drill-down from a
figure to the records behind it. Both call ``tracker.core.kpis``; nothing recomputes a figure.

Drill-downs show record-level rows, so they need ``kpis.drilldown`` *and* the view capability
of the indicator's record family (a manager never sees LADO rows; board members and analysts
never see any rows).
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from tracker.core import kpis, permissions
from tracker.core.clock import today
from tracker.core.pagination import links, page_number, paginate_list
from tracker.core.permissions import require
from tracker.web.lifecycle import note_read

bp = Blueprint("kpis", __name__, url_prefix="/kpis")

PARTS = ("numerator", "denominator")


def _parse(name: str, label: str, default: dt.date, errors: list[dict]) -> dt.date:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return default
    try:
        if len(raw) != 10:
            raise ValueError
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors.append(
            {"text": f"{label} must be a real date in the form YYYY-MM-DD, like 2023-03-31", "href": f"#{name}"}
        )
        return default


def _period() -> tuple[kpis.Period, list[dict], dict[str, str]]:
    """The period asked for in the query string (default: this financial year to date)."""
    errors: list[dict] = []
    default = kpis.year_to_date(today())
    start = _parse("from", "The start date", default.start, errors)
    end = _parse("to", "The end date", default.end, errors)
    if not errors and end < start:
        errors.append({"text": "The end date must be the same as or after the start date", "href": "#to"})
    if errors:
        start, end = default.start, default.end
    raw = {"from": request.args.get("from", start.isoformat()), "to": request.args.get("to", end.isoformat())}
    return kpis.Period(start, end, end), errors, raw


def may_drill(user, indicator: kpis.Indicator) -> bool:
    family_cap = permissions.RECORD_FAMILY_CAPABILITY.get(indicator.family)
    return family_cap is not None and permissions.can(user, "kpis.drilldown") and permissions.can(user, family_cap)


@bp.route("/")
@require("kpis.view")
def index():
    period, errors, raw = _period()
    user = current_user._get_current_object()
    sections: dict[str, list[kpis.Figure]] = {}
    for figure in kpis.compute(period).values():
        sections.setdefault(figure.indicator.section, []).append(figure)
    return render_template(
        "indicators/index.html",
        period=period,
        errors=errors,
        raw=raw,
        sections=sections,
        drillable={ind.id for ind in kpis.indicators() if may_drill(user, ind)},
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
    page = paginate_list(kpis.drill(indicator_id, period, part), page_number(), int(current_app.config["PAGE_SIZE"]))
    if indicator.family == "lado":  # every read of LADO records is audited (domain.md §1)
        note_read([row["ref"] for row in page.items], page=page.page, total=page.total)
    args = {"indicator_id": indicator.id, "part": part, "from": period.start.isoformat(), "to": period.end.isoformat()}
    return render_template(
        "indicators/drill.html",
        indicator=indicator,
        part=part,
        period=period,
        raw=raw,
        page=page,
        pagination=links(page, "kpis.drill", **args),
        figure=kpis.compute(period, ids=[indicator_id])[indicator_id],
    )
