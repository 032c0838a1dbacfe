"""The read side of escalations: set-based selectables shared by lists, pages, indicators and
the worklist, and the lists themselves.

Each derived fact is defined once, here: the opening date and highest stage
(``stage_facts``), a stage's response due date (``response_due``) and the board chair's flag
(``board_flagged``: open and at stage 4 or beyond, 002:L272). The list, the escalation's page,
the child page, the stage 4 list, its count for the board and the worklist all read them.

"As of" a date, only what is dated on or before it has happened (kpis.md preamble): a stage
started later is not yet a stage, a closure dated later is not yet a closure, a response
dated later not yet a response.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased

from tracker.auth.models import User
from tracker.core import timescales
from tracker.core.clock import today
from tracker.core.enums import Status
from tracker.core.pagination import Page, paginate
from tracker.core.timescales import DueState
from tracker.escalations.models import (
    FORMAL_STAGES,
    Area,
    Escalation,
    EscalationArea,
    EscalationStage,
    Flag,
    Resolution,
    Stage,
    stage_rank_sql,
)
from tracker.extensions import db
from tracker.reviews.models import Child, child_label, full_name

BOARD_STAGES = tuple(s for s in Stage if s.flags_board)


def _not_closed_before(since: dt.date):
    """SQL: the escalation was still open on ``since`` (not closed, or closed on or after it)."""
    return or_(Escalation.closed_date.is_(None), Escalation.closed_date >= since)


def stage_facts(as_of: dt.date, since: dt.date | None = None):
    """Per escalation, from its stages started on or before ``as_of``: the opening date, the
    highest stage's rank and the first formal stage's start. Escalations with no stage by
    then do not appear (they have not opened yet). ``since``: only the escalations not closed
    before that day."""
    rank = stage_rank_sql(EscalationStage.stage)
    query = select(
        EscalationStage.escalation_pk.label("escalation_pk"),
        func.min(EscalationStage.started_date).label("opened"),
        func.max(rank).label("top_rank"),
        func.min(case((EscalationStage.stage.in_(FORMAL_STAGES), EscalationStage.started_date))).label("first_formal"),
    ).where(EscalationStage.started_date <= as_of)
    if since is not None:
        query = query.where(EscalationStage.escalation_pk.in_(select(Escalation.id).where(_not_closed_before(since))))
    return query.group_by(EscalationStage.escalation_pk).subquery("facts")


def escalation_facts(as_of: dt.date, since: dt.date | None = None):
    """One row per escalation opened on or before ``as_of`` with its facts as at that date:
    ``closed`` is the closure date only when it is on or before ``as_of``. ``since``: only the
    escalations not closed before that day — a period's figures (one closed before the period
    is opened, closed and open in none of it), whose cost then follows the period, not the
    escalations of every year."""
    facts = stage_facts(as_of, since)
    query = select(
        Escalation.id.label("pk"),
        Escalation.escalation_id,
        Escalation.raised_by,
        Escalation.external_partner,
        Escalation.child_pk,
        case((Escalation.closed_date <= as_of, Escalation.closed_date)).label("closed"),
        facts.c.opened,
        facts.c.top_rank,
        facts.c.first_formal,
    ).join(facts, facts.c.escalation_pk == Escalation.id)
    if since is not None:
        query = query.where(_not_closed_before(since))
    return query.subquery("esc")


def response_due(stage, as_of: dt.date):
    """SQL: when the response to ``stage`` (an ``EscalationStage`` alias) is due at ``as_of`` —
    its start plus the stage's response rule (informal 10 wd, formal 5 wd; domain.md §3) —
    or NULL once responded to, and for a Cafcass referral."""
    responded = and_(stage.response_date.is_not(None), stage.response_date <= as_of)
    whens = [(responded, None)] + [
        (stage.stage == s, timescales.deadline_sql(s.response_rule, stage.started_date))
        for s in Stage
        if s.response_rule
    ]
    return case(*whens, else_=None)


def board_flagged(escalation_pk, closed_date, as_of: dt.date):
    """SQL: open at ``as_of`` and has reached stage 4 or 5 by then (a later Cafcass referral
    keeps the flag): brought to the board chair's attention (002:L272)."""
    reached = exists().where(
        EscalationStage.escalation_pk == escalation_pk,
        EscalationStage.stage.in_(BOARD_STAGES),
        EscalationStage.started_date <= as_of,
    )
    return and_(reached, or_(closed_date.is_(None), closed_date > as_of))


def current_stages(as_of: dt.date):
    """For each escalation open at ``as_of``: its current (highest) stage as at that date, the
    response if dated on or before ``as_of``, and the response due date."""
    e = escalation_facts(as_of)
    s = aliased(EscalationStage)
    responded = and_(s.response_date.is_not(None), s.response_date <= as_of)
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
            response_due(s, as_of).label("response_due"),
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
    child_name: str  # "" when no name is recorded
    raised_by: str | None
    raiser_name: str | None
    team: str | None
    external_partner: str | None
    opened: dt.date
    stage: Stage
    stage_started: dt.date
    response_date: dt.date | None
    response_due: dt.date | None
    closed_date: dt.date | None
    resolution: Resolution | None
    areas: list[Area]
    as_of: dt.date
    board_flag: bool = False

    @property
    def child(self) -> str:
        """ "Amy Ng (C1)", as every list names the child."""
        return child_label(self.child_name, self.child_id)

    @property
    def flag(self) -> Flag | None:
        return Flag.board if self.board_flag else None

    @property
    def status(self) -> Status:
        return Status.of(self.closed_date)

    @property
    def days_open(self) -> int:
        end = self.closed_date or self.as_of
        return (end - self.opened).days

    @property
    def due_state(self) -> DueState | None:
        return None if self.response_due is None else timescales.due_state(self.response_due, self.as_of)


def _list_select(as_of: dt.date, filters: Filters):
    """Every escalation opened by ``as_of``, its current stage, response due date and flag, as at
    ``as_of``: a response or a closure dated later has not happened yet."""
    facts = stage_facts(as_of)
    s = aliased(EscalationStage)
    closed = case((Escalation.closed_date <= as_of, Escalation.closed_date))
    q = (
        select(
            Escalation.id,
            Escalation.escalation_id,
            Child.child_id,
            Child.first_name,
            Child.last_name,
            Escalation.raised_by,
            User.name.label("raiser_name"),
            User.team,
            Escalation.external_partner,
            facts.c.opened,
            s.stage,
            s.started_date,
            case((s.response_date <= as_of, s.response_date)).label("response_date"),
            case((closed.is_not(None), None), else_=response_due(s, as_of)).label("response_due"),
            closed.label("closed_date"),
            case((closed.is_not(None), Escalation.resolution)).label("resolution"),
            board_flagged(Escalation.id, Escalation.closed_date, as_of).label("board_flag"),
        )
        .join(facts, facts.c.escalation_pk == Escalation.id)
        .join(s, and_(s.escalation_pk == Escalation.id, stage_rank_sql(s.stage) == facts.c.top_rank))
        .join(Child, Child.id == Escalation.child_pk)
        .outerjoin(User, User.officer_id == Escalation.raised_by)
    )
    if filters.status == "open":
        q = q.where(closed.is_(None))
    elif filters.status == "closed":
        q = q.where(closed.is_not(None))
    if filters.stage:
        q = q.where(s.stage == filters.stage)
    if filters.area:
        q = q.where(exists().where(EscalationArea.escalation_pk == Escalation.id, EscalationArea.area == filters.area))
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


def _rows(query, as_of: dt.date) -> list[Row]:
    return _as_rows(db.session.execute(query).all(), as_of)


def _as_rows(rows, as_of: dt.date) -> list[Row]:
    areas: dict[int, list[Area]] = {}
    if rows:
        for pk, area in db.session.execute(
            select(EscalationArea.escalation_pk, EscalationArea.area).where(
                EscalationArea.escalation_pk.in_([r.id for r in rows])
            )
        ):
            areas.setdefault(pk, []).append(area)
    return [
        Row(
            escalation_id=r.escalation_id,
            child_id=r.child_id,
            child_name=full_name(r.first_name, r.last_name),
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
            areas=[a for a in Area if a in areas.get(r.id, [])],
            as_of=as_of,
            board_flag=bool(r.board_flag),
        )
        for r in rows
    ]


def _listed(filters: Filters, as_of: dt.date):
    """The list's query: the escalations the filters select, the response due first."""
    sub = _list_select(as_of, filters).subquery()
    return select(sub).order_by(sub.c.response_due.is_(None), sub.c.response_due, sub.c.opened, sub.c.escalation_id)


def escalations_page(filters: Filters, page: int = 1, per_page: int = 50, as_of: dt.date | None = None) -> Page:
    as_of = as_of or today()
    found = paginate(_listed(filters, as_of), page, per_page, scalars=False)
    return dataclasses.replace(found, items=_as_rows(found.items, as_of))


def escalations(filters: Filters, as_of: dt.date | None = None) -> list[Row]:
    """Every row of the list (its download), in the list's order."""
    as_of = as_of or today()
    return _rows(_listed(filters, as_of), as_of)


def row(escalation: Escalation, as_of: dt.date | None = None) -> Row | None:
    """One escalation as the lists show it at ``as_of`` (its page reads its flag from here);
    None when none of its stages had started by then (it was not open yet)."""
    as_of = as_of or today()
    sub = _list_select(as_of, Filters(status="all")).where(Escalation.id == escalation.id).subquery()
    rows = _rows(select(sub), as_of)
    return rows[0] if rows else None


def for_child(child) -> list[Row]:
    """All the escalations of one child (for the child page), open first."""
    as_of = today()
    sub = _list_select(as_of, Filters(status="all")).where(Escalation.child_pk == child.id).subquery()
    return _rows(select(sub).order_by(sub.c.closed_date.is_not(None), sub.c.opened.desc()), as_of)


def teams() -> list[str]:
    """Teams of the officers who raised escalations (for the filter)."""
    return list(
        db.session.scalars(
            select(User.team)
            .distinct()
            .join(Escalation, Escalation.raised_by == User.officer_id)
            .where(User.team.is_not(None))
            .order_by(User.team)
        )
    )


def partners() -> list[str]:
    return list(
        db.session.scalars(
            select(Escalation.external_partner)
            .distinct()
            .where(Escalation.external_partner.is_not(None))
            .order_by(Escalation.external_partner)
        )
    )


# ------------------------------------------------------------------ stage 4 (002:L272)


def _board_select(as_of: dt.date):
    return select(Escalation.id).where(board_flagged(Escalation.id, Escalation.closed_date, as_of))


def unresolved_stage4(as_of: dt.date | None = None) -> list[Row]:
    """Unresolved escalations at stage 4 or beyond: brought to the board chair's attention."""
    as_of = as_of or today()
    sub = _list_select(as_of, Filters(status="all")).where(Escalation.id.in_(_board_select(as_of))).subquery()
    return _rows(select(sub).order_by(sub.c.opened, sub.c.escalation_id), as_of)


def unresolved_stage4_count(as_of: dt.date | None = None) -> int:
    """The aggregate a board member may see (no child-level rows)."""
    as_of = as_of or today()
    return db.session.scalar(select(func.count()).select_from(_board_select(as_of).subquery())) or 0
