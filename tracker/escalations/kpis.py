"""The escalation indicators of kpis.md §3, computed set-based.

Only records dated on or before ``period.as_of`` count: a stage started later does not count
as started (nor towards the opening date or the highest stage), a closure dated later is not
a closure. Three queries: stage starts by stage, escalation facts by highest stage, and
areas of concern.
"""

from __future__ import annotations

from sqlalchemy import and_, case, func, select

from tracker.core import timescales
from tracker.core.kpis import COUNT, PERCENT, Indicator, Period, Ratio, register_group
from tracker.escalations import queries
from tracker.escalations.models import (
    COUNTED_STAGES,
    FORMAL_STAGES,
    Area,
    Escalation,
    EscalationArea,
    EscalationStage,
    Stage,
)
from tracker.extensions import db
from tracker.formatters import format_date
from tracker.web.records import record_url

SECTION = "Escalations"
FAMILY = "escalations"


def _indicators() -> list[Indicator]:
    out = [
        Indicator(
            f"escalations.started.{s}",
            COUNT,
            f"Escalations started: {s.label}",
            SECTION,
            FAMILY,
            good_is="High" if s == "informal" else "-",
        )
        for s in Stage
    ]
    out += [
        Indicator("escalations.started.total", COUNT, "Escalations started (informal and stages 1–5)", SECTION, FAMILY),
        Indicator(
            "escalations.formal_started",
            COUNT,
            "Formal escalations started (stages 1–5)",
            SECTION,
            FAMILY,
            good_is="High",
        ),
        Indicator("escalations.opened", COUNT, "Escalations opened", SECTION, FAMILY),
        Indicator("escalations.closed", COUNT, "Escalations closed", SECTION, FAMILY, good_is="High"),
    ]
    out += [
        Indicator(f"escalations.closed_at.{s}", COUNT, f"Escalations closed, highest stage {s.label}", SECTION, FAMILY)
        for s in Stage
    ]
    for a in Area:
        out.append(
            Indicator(f"escalations.area_started.{a}", COUNT, f"Escalations started about: {a.label}", SECTION, FAMILY)
        )
        out.append(
            Indicator(f"escalations.area_closed.{a}", COUNT, f"Escalations concluded about: {a.label}", SECTION, FAMILY)
        )
    out += [
        Indicator(
            "escalations.formal_resolved_in_timescale",
            PERCENT,
            "Formal escalations resolved within {escalation_formal_process} of the first formal stage",
            SECTION,
            FAMILY,
            good_is="High",
        ),
        Indicator("escalations.external", COUNT, "Escalations opened about an external partner", SECTION, FAMILY),
        Indicator("escalations.open", COUNT, "Escalations open", SECTION, FAMILY),
        # not in kpis.md §3: the board scorecard's Safety line for the chair (issue 14, 002:L272)
        Indicator(
            "escalations.unresolved_stage4",
            COUNT,
            "Unresolved escalations at stage 4 or beyond",
            SECTION,
            FAMILY,
            good_is="Low",
            help="Open on the last day of the period, having reached stage 4 or 5 by then.",
        ),
    ]
    return out


INDICATORS = _indicators()


def _conditions(e, p: Period):
    """The escalation-level conditions, over ``queries.escalation_facts(p.as_of, since=p.start)``
    as ``e``."""
    opened = e.c.opened.between(p.start, p.end)
    closed = and_(e.c.closed.is_not(None), e.c.closed.between(p.start, p.end))
    formal = and_(closed, e.c.first_formal.is_not(None))
    in_time = and_(formal, e.c.closed <= timescales.deadline_sql("escalation_formal_process", e.c.first_formal))
    return {
        "opened": opened,
        "closed": closed,
        "formal": formal,
        "in_time": in_time,
        "external": and_(opened, e.c.external_partner.is_not(None), e.c.external_partner != ""),
        "open": e.c.closed.is_(None),  # opened by as_of (a row exists) and not closed by as_of
        "unresolved_stage4": queries.board_flagged(e.c.pk, e.c.closed, p.as_of),
    }


def _stage_window(p: Period):
    return EscalationStage.started_date.between(p.start, min(p.end, p.as_of))


def compute(p: Period) -> dict:
    values: dict = {ind.id: 0 for ind in INDICATORS}
    # 1. stages started in P, by stage
    for stage, n in db.session.execute(
        select(EscalationStage.stage, func.count()).where(_stage_window(p)).group_by(EscalationStage.stage)
    ):
        values[f"escalations.started.{stage}"] = n
    values["escalations.started.total"] = sum(values[f"escalations.started.{s}"] for s in COUNTED_STAGES)
    values["escalations.formal_started"] = sum(values[f"escalations.started.{s}"] for s in FORMAL_STAGES)

    # 2. escalation facts as at A, grouped by highest stage reached
    e = queries.escalation_facts(p.as_of, since=p.start)
    c = _conditions(e, p)
    totals = dict.fromkeys(c, 0)
    for row in db.session.execute(
        select(e.c.top_rank, *[_count(cond).label(k) for k, cond in c.items()]).group_by(e.c.top_rank)
    ):
        for k in c:
            totals[k] += row._mapping[k] or 0
        values[f"escalations.closed_at.{list(Stage)[row.top_rank]}"] = row._mapping["closed"] or 0
    values["escalations.opened"] = totals["opened"]
    values["escalations.closed"] = totals["closed"]
    values["escalations.external"] = totals["external"]
    values["escalations.open"] = totals["open"]
    values["escalations.unresolved_stage4"] = totals["unresolved_stage4"]
    values["escalations.formal_resolved_in_timescale"] = Ratio(totals["in_time"], totals["formal"])

    # 3. areas of concern of the escalations opened / closed in P
    for area, started, concluded in db.session.execute(
        select(EscalationArea.area, _count(c["opened"]), _count(c["closed"]))
        .join(e, e.c.pk == EscalationArea.escalation_pk)
        .group_by(EscalationArea.area)
    ):
        values[f"escalations.area_started.{area}"] = started or 0
        values[f"escalations.area_closed.{area}"] = concluded or 0
    return values


def _count(cond):
    """COUNT of rows meeting ``cond`` (portable: SUM of a CASE)."""
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _row(escalation_id: str, label: str) -> dict:
    return {"ref": escalation_id, "label": label, "url": record_url("escalation", escalation_id)}


def drill(indicator_id: str, p: Period, part: str = "numerator") -> list[dict]:
    """The escalations (or stages) behind a figure."""
    name = indicator_id.removeprefix("escalations.")
    if name.startswith("started.") or name in ("started.total", "formal_started"):
        stage = name.split(".", 1)[1] if name.startswith("started.") else None
        wanted = COUNTED_STAGES if stage == "total" else FORMAL_STAGES if name == "formal_started" else (stage,)
        rows = db.session.execute(
            select(Escalation.escalation_id, EscalationStage.stage, EscalationStage.started_date)
            .join(Escalation, Escalation.id == EscalationStage.escalation_pk)
            .where(_stage_window(p), EscalationStage.stage.in_(wanted))
            .order_by(EscalationStage.started_date, Escalation.escalation_id)
        ).all()
        return [
            _row(r.escalation_id, f"{r.escalation_id}: {Stage(r.stage).label} started {format_date(r.started_date)}")
            for r in rows
        ]

    e = queries.escalation_facts(p.as_of, since=p.start)
    c = _conditions(e, p)
    q = select(e.c.escalation_id, e.c.opened, e.c.closed, e.c.top_rank)
    if name in ("opened", "closed", "external", "open", "unresolved_stage4"):
        q = q.where(c[name])
    elif name.startswith("closed_at."):
        q = q.where(c["closed"], e.c.top_rank == Stage(name.split(".", 1)[1]).rank)
    elif name.startswith(("area_started.", "area_closed.")):
        kind, area = name.split(".", 1)
        q = q.join(EscalationArea, and_(EscalationArea.escalation_pk == e.c.pk, EscalationArea.area == area)).where(
            c["opened" if kind == "area_started" else "closed"]
        )
    elif name == "formal_resolved_in_timescale":
        q = q.where(c["in_time" if part == "numerator" else "formal"])
    else:
        raise KeyError(indicator_id)
    rows = db.session.execute(q.order_by(e.c.opened, e.c.escalation_id)).all()
    return [
        _row(
            r.escalation_id,
            f"{r.escalation_id}: opened {format_date(r.opened)}, highest stage {list(Stage)[r.top_rank].label}"
            + (f", closed {format_date(r.closed)}" if r.closed else ""),
        )
        for r in rows
    ]


register_group(INDICATORS, compute, drill)
