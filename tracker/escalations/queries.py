"""The read side of escalations: set-based selectables shared by lists, indicators and the
worklist, and the lists and pages themselves.

"As of" a date, only what is dated on or before it has happened (kpis.md preamble): a stage
started later is not yet a stage, a closure dated later is not yet a closure, a response
dated later not yet a response.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import has_request_context, url_for
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from tracker.auth.models import User
from tracker.core import timescales
from tracker.core.clock import today
from tracker.escalations.models import (
    FORMAL_STAGES,
    STAGE4_FLAG_STAGES,
    STAGE_RANK,
    STAGE_SHORT_LABELS,
    STAGES,
    Escalation,
    EscalationArea,
    EscalationStage,
    stage_rank_sql,
)
from tracker.core.pagination import Page, clamp
from tracker.extensions import db
from tracker.reviews.models import Child



def escalation_url(escalation_id: str) -> str:
    if has_request_context():
        return url_for("escalations.show", escalation_id=escalation_id)
    return f"/escalations/{escalation_id}"


def stage_facts(as_of: dt.date):
    """Per escalation, from its stages started on or before ``as_of``: the opening date, the
    highest stage's rank and the first formal stage's start. Escalations with no stage by
    then do not appear (they have not opened yet)."""
    rank = stage_rank_sql(EscalationStage.stage)
    return (
        select(
            EscalationStage.escalation_pk.label("escalation_pk"),
            func.min(EscalationStage.started_date).label("opened"),
            func.max(rank).label("top_rank"),
            func.min(case((EscalationStage.stage.in_(FORMAL_STAGES), EscalationStage.started_date))).label("first_formal"),
        )
        .where(EscalationStage.started_date <= as_of)
        .group_by(EscalationStage.escalation_pk)
        .subquery("facts")
    )


def escalation_facts(as_of: dt.date):
    """One row per escalation opened on or before ``as_of`` with its facts as at that date:
    ``closed`` is the closure date only when it is on or before ``as_of``."""
    facts = stage_facts(as_of)
    return (
        select(
            Escalation.id.label("pk"),
            Escalation.escalation_id,
            Escalation.raised_by,
            Escalation.external_partner,
            Escalation.child_pk,
            case((Escalation.closed_date <= as_of, Escalation.closed_date)).label("closed"),
            facts.c.opened,
            facts.c.top_rank,
            facts.c.first_formal,
        )
        .join(facts, facts.c.escalation_pk == Escalation.id)
        .subquery("esc")
    )


def current_stages(as_of: dt.date):
    """For each escalation open at ``as_of``: its current (highest) stage row as at that date,
    with the response only if dated on or before ``as_of`` and the response due date."""
    e = escalation_facts(as_of)
    s = aliased(EscalationStage)
    responded = and_(s.response_date.is_not(None), s.response_date <= as_of)
    due = case(
        (responded, None),
        (s.stage == "informal", timescales.deadline_sql("escalation_informal_response", s.started_date)),
        (s.stage.in_(FORMAL_STAGES), timescales.deadline_sql("escalation_formal_response", s.started_date)),
        else_=None,
    )
    return (
        select(
            e.c.pk,
            e.c.escalation_id,
            e.c.raised_by,
            e.c.external_partner,
            e.c.child_pk,
            e.c.opened,
            e.c.top_rank,
            s.stage.label("stage"),
            s.started_date.label("stage_started"),
            case((responded, s.response_date)).label("response_date"),
            due.label("response_due"),
        )
        .join(s, and_(s.escalation_pk == e.c.pk, stage_rank_sql(s.stage) == e.c.top_rank))
        .where(e.c.closed.is_(None))
    )


# ------------------------------------------------------------------ lists


@dataclass
class Filters:
    stage: str | None = None
    area: str | None = None
    team: str | None = None
    partner: str | None = None  # "any" (about an external partner), "none" (own teams) or a partner's name
    raised_by: str | None = None
    status: str = "open"  # open, closed, all


@dataclass
class Row:
    escalation_id: str
    child_id: str
    raised_by: str | None
    raiser_name: str | None
    team: str | None
    external_partner: str | None
    opened: dt.date
    stage: str
    stage_started: dt.date
    response_date: dt.date | None
    response_due: dt.date | None
    closed_date: dt.date | None
    resolution: str | None
    areas: list[str]
    as_of: dt.date
    stage4_reached: bool = False

    @property
    def stage4_flag(self) -> bool:
        """Open and has reached stage 4 or 5 (the stage 4 list's rule, 002:L272)."""
        return bool(self.stage4_reached) and self.closed_date is None

    @property
    def days_open(self) -> int:
        end = self.closed_date or self.as_of
        return (end - self.opened).days

    @property
    def due_state(self):
        if self.response_due is None or self.closed_date is not None:
            return None
        return timescales.due_state(self.response_due, self.as_of)

    @property
    def stage_label(self) -> str:
        return STAGE_SHORT_LABELS[self.stage]

    @property
    def url(self) -> str:
        return escalation_url(self.escalation_id)


def _list_select(as_of: dt.date, filters: Filters):
    """Every escalation opened by ``as_of``, its current stage and its response due date."""
    facts = stage_facts(as_of)
    s = aliased(EscalationStage)
    responded = s.response_date.is_not(None)
    due = case(
        (responded, None),
        (Escalation.closed_date.is_not(None), None),
        (s.stage == "informal", timescales.deadline_sql("escalation_informal_response", s.started_date)),
        (s.stage.in_(FORMAL_STAGES), timescales.deadline_sql("escalation_formal_response", s.started_date)),
        else_=None,
    )
    reached4 = (
        select(EscalationStage.id)
        .where(EscalationStage.escalation_pk == Escalation.id, EscalationStage.stage.in_(STAGE4_FLAG_STAGES),
               EscalationStage.started_date <= as_of)
        .exists()
    )
    q = (
        select(
            Escalation.id,
            Escalation.escalation_id,
            Child.child_id,
            Escalation.raised_by,
            User.name.label("raiser_name"),
            User.team,
            Escalation.external_partner,
            facts.c.opened,
            s.stage,
            s.started_date,
            s.response_date,
            due.label("response_due"),
            Escalation.closed_date,
            Escalation.resolution,
            reached4.label("stage4_reached"),
        )
        .join(facts, facts.c.escalation_pk == Escalation.id)
        .join(s, and_(s.escalation_pk == Escalation.id, stage_rank_sql(s.stage) == facts.c.top_rank))
        .join(Child, Child.id == Escalation.child_pk)
        .outerjoin(User, User.officer_id == Escalation.raised_by)
    )
    if filters.status == "open":
        q = q.where(Escalation.closed_date.is_(None))
    elif filters.status == "closed":
        q = q.where(Escalation.closed_date.is_not(None))
    if filters.stage:
        q = q.where(s.stage == filters.stage)
    if filters.area:
        q = q.where(select(EscalationArea.area).where(EscalationArea.escalation_pk == Escalation.id, EscalationArea.area == filters.area).exists())
    if filters.team:
        q = q.where(User.team == filters.team)
    if filters.partner == "any":
        q = q.where(Escalation.external_partner.is_not(None))
    elif filters.partner == "none":
        q = q.where(Escalation.external_partner.is_(None))
    elif filters.partner:
        q = q.where(Escalation.external_partner == filters.partner)
    if filters.raised_by is not None:  # "" (a user with no officer id) matches nothing
        q = q.where(Escalation.raised_by == filters.raised_by)
    return q


def escalations_page(filters: Filters, page: int = 1, per_page: int = 50, as_of: dt.date | None = None) -> Page:
    as_of = as_of or today()
    q = _list_select(as_of, filters)
    total = db.session.scalar(select(func.count()).select_from(q.subquery()))
    page = clamp(page, total, per_page)
    sub = q.subquery()
    rows = db.session.execute(
        select(sub).order_by(sub.c.response_due.is_(None), sub.c.response_due, sub.c.opened, sub.c.escalation_id)
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    areas: dict[int, list[str]] = {}
    if rows:
        for pk, area in db.session.execute(
            select(EscalationArea.escalation_pk, EscalationArea.area).where(EscalationArea.escalation_pk.in_([r.id for r in rows]))
        ):
            areas.setdefault(pk, []).append(area)
    from tracker.escalations.models import AREAS

    return Page(
        items=[
            Row(
                escalation_id=r.escalation_id,
                child_id=r.child_id,
                raised_by=r.raised_by,
                raiser_name=r.raiser_name,
                team=r.team,
                external_partner=r.external_partner,
                opened=r.opened,
                stage=r.stage,
                stage_started=r.started_date,
                response_date=r.response_date,
                response_due=r.response_due,
                closed_date=r.closed_date,
                resolution=r.resolution,
                areas=sorted(areas.get(r.id, []), key=AREAS.index),
                as_of=as_of,
                stage4_reached=bool(r.stage4_reached),
            )
            for r in rows
        ],
        total=total,
        page=page,
        per_page=per_page,
    )


def teams() -> list[str]:
    """Teams of the officers who raised escalations (for the filter)."""
    return list(
        db.session.scalars(
            select(User.team).distinct().join(Escalation, Escalation.raised_by == User.officer_id)
            .where(User.team.is_not(None)).order_by(User.team)
        )
    )


def partners() -> list[str]:
    return list(
        db.session.scalars(
            select(Escalation.external_partner).distinct().where(Escalation.external_partner.is_not(None)).order_by(Escalation.external_partner)
        )
    )


def by_reference(escalation_id: str) -> Escalation | None:
    return db.session.scalar(select(Escalation).where(Escalation.escalation_id == escalation_id))


def child_by_reference(child_id: str | None) -> Child | None:
    if not child_id:
        return None
    return db.session.scalar(select(Child).where(Child.child_id == child_id))


def for_child(child) -> list[Row]:
    """All the escalations of one child (for the child page), open first."""
    if child is None:
        return []
    q = _list_select(today(), Filters(status="all"))
    sub = q.where(Escalation.child_pk == child.id).subquery()
    page_rows = db.session.execute(select(sub).order_by(sub.c.closed_date.is_not(None), sub.c.opened.desc())).all()
    areas: dict[int, list[str]] = {}
    for pk, area in db.session.execute(
        select(EscalationArea.escalation_pk, EscalationArea.area).where(EscalationArea.escalation_pk.in_([r.id for r in page_rows] or [0]))
    ):
        areas.setdefault(pk, []).append(area)
    from tracker.escalations.models import AREAS

    as_of = today()
    return [
        Row(r.escalation_id, r.child_id, r.raised_by, r.raiser_name, r.team, r.external_partner, r.opened, r.stage,
            r.started_date, r.response_date, r.response_due, r.closed_date, r.resolution,
            sorted(areas.get(r.id, []), key=AREAS.index), as_of, bool(r.stage4_reached))
        for r in page_rows
    ]


# ------------------------------------------------------------------ stage 4 (002:L272)


def _stage4_select(as_of: dt.date):
    """Open escalations that have reached stage 4 or 5 by ``as_of`` (a later Cafcass referral
    leaves them unresolved and flagged)."""
    reached = (
        select(EscalationStage.escalation_pk)
        .where(EscalationStage.stage.in_(STAGE4_FLAG_STAGES), EscalationStage.started_date <= as_of)
        .distinct()
        .subquery()
    )
    return (
        select(Escalation.id)
        .join(reached, reached.c.escalation_pk == Escalation.id)
        .where(or_(Escalation.closed_date.is_(None), Escalation.closed_date > as_of))
    )


def unresolved_stage4(as_of: dt.date | None = None) -> list[Row]:
    """Unresolved escalations at stage 4 or beyond: brought to the board chair's attention."""
    as_of = as_of or today()
    ids = _stage4_select(as_of).subquery()
    q = _list_select(as_of, Filters(status="all")).where(Escalation.id.in_(select(ids.c.id)))
    sub = q.subquery()
    rows = db.session.execute(select(sub).order_by(sub.c.opened, sub.c.escalation_id)).all()
    return [
        Row(r.escalation_id, r.child_id, r.raised_by, r.raiser_name, r.team, r.external_partner, r.opened, r.stage,
            r.started_date, r.response_date, r.response_due, None, None, [], as_of, True)
        for r in rows
    ]


def unresolved_stage4_count(as_of: dt.date | None = None) -> int:
    """The aggregate a board member may see (no child-level rows)."""
    as_of = as_of or today()
    return db.session.scalar(select(func.count()).select_from(_stage4_select(as_of).subquery())) or 0


def stage_choices_after(code: str | None) -> list[str]:
    """The stages an escalation at ``code`` may move to (forward only; skipping allowed)."""
    if code is None:
        return list(STAGES)
    return [s for s in STAGES if STAGE_RANK[s] > STAGE_RANK[code]]

