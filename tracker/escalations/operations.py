"""Every change to an escalation (domain.md §5). Each operation checks its rule, changes the
rows, writes one audit row and flushes; the request lifecycle (or the import, or a job) commits.

Rules (the transition table of tests/escalations/test_escalations_transitions.py):

- an escalation is raised at ``informal`` or directly at a formal stage (stage 1–5);
- it only moves forward in the order informal < stage1 < … < stage5 < cafcass, skipping
  allowed; a Cafcass referral may be made from any stage;
- dates never run backwards: a stage cannot start before an earlier stage started, a
  response cannot precede its stage's start, a closure cannot precede the latest stage start;
- nothing that must already have happened may be dated after today;
- a closed escalation cannot be escalated, responded to or closed again;
- it closes as ``referred_to_cafcass`` only after a Cafcass referral.

Corrections (``edit_details``, ``edit_stage``), open or closed, change what was typed: the
areas of concern, external partner, summary and raising officer; a stage's start, who it was
raised with and its response. They apply the same rules (``check_areas``, ``check_stage_start``,
``check_response`` and the rules across stages), and the deadlines and figures, computed from
the stored dates, follow.

The row rules (``check_areas``, ``check_closure``, ``check_stage_start``, ``check_response``)
are also what the import applies to each row of escalations.csv and escalation_stages.csv;
the rules across stages (``stages_out_of_order``, ``closed_before_latest_stage``) are one SQL
condition each, used here for one escalation and by the import for a whole file.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from tracker.auth.models import user_by_officer_id
from tracker.core import audit, checks, references
from tracker.core.errors import DomainError
from tracker.escalations.models import (
    RAISE_STAGES,
    Area,
    Escalation,
    EscalationArea,
    EscalationStage,
    Resolution,
    Stage,
    stage_rank_sql,
)
from tracker.extensions import db
from tracker.formatters import format_date

FIELDS = ("escalation_id", "raised_by", "external_partner", "closed_date", "resolution")
STAGE_FIELDS = ("stage", "started_date", "to_whom", "response_date")
DETAIL_FIELDS = ("raised_by", "external_partner", "summary")  # and the areas: what a correction may change
STAGE_EDIT_FIELDS = ("started_date", "to_whom", "response_date", "response_summary")

references.register("escalation", "E", 5, Escalation.escalation_id)


# --- rules shared with the import ---------------------------------------------------------


def check_areas(areas) -> list[Area]:
    """One or more known areas of concern (duplicates dropped, the report's order kept)."""
    codes = list(dict.fromkeys(a for a in (areas or []) if a))
    checks.required(codes, "areas", "Select at least one area of concern")
    unknown = [a for a in codes if Area.get(a) is None]
    if unknown:
        raise DomainError(f"Unknown area of concern: {', '.join(unknown)}", "areas")
    return [Area(a) for a in codes]


def check_closure(closed_date: dt.date | None, resolution: str | None) -> None:
    """A closure has a date and a known resolution, or neither; it has already happened."""
    checks.code(resolution, Resolution, "resolution", "Select how the escalation was resolved", required_=False)
    checks.paired(
        resolution,
        closed_date,
        "resolution",
        "closed_date",
        no_date="Enter the date the escalation closed",
        no_value="Select how the escalation was resolved as well as the date it closed",
    )
    checks.not_future(closed_date, "closed_date", "The date the escalation closed")


def check_stage_start(started_date: dt.date | None, what: str = "the date the stage started") -> None:
    """A stage has a start date, and it has already happened."""
    checks.required(started_date, "started_date", f"Enter {what}")
    checks.not_future(started_date, "started_date", what[:1].upper() + what[1:])


def check_response(stage: Stage, started_date: dt.date, response_date: dt.date | None) -> None:
    """A response has already happened and is not before its stage started."""
    checks.not_future(response_date, "response_date", "The response date")
    checks.not_before(
        response_date,
        started_date,
        "response_date",
        f"The response date must be on or after the day {stage.short_label} started ({format_date(started_date)})",
    )


def stages_out_of_order(escalation_pk: int | None = None):
    """Pairs (later, earlier) of stages of one escalation where a later stage in the order
    started before an earlier one (interchange.md §1): the later stage's escalation, code and
    start, and the earlier stage's code and start (latest first)."""
    later, earlier = aliased(EscalationStage), aliased(EscalationStage)
    query = select(
        later.escalation_pk,
        later.stage,
        later.started_date,
        earlier.stage.label("earlier_stage"),
        earlier.started_date.label("earlier_started"),
    ).join(
        earlier,
        and_(
            earlier.escalation_pk == later.escalation_pk,
            stage_rank_sql(earlier.stage) < stage_rank_sql(later.stage),
            earlier.started_date > later.started_date,
        ),
    )
    if escalation_pk is not None:
        query = query.where(later.escalation_pk == escalation_pk)
    return query.order_by(later.escalation_pk, later.stage, earlier.started_date.desc())


def closed_before_latest_stage(escalation_pk: int | None = None):
    """Escalations closed before their latest stage started: escalation_pk, closed_date, latest."""
    latest = (
        select(EscalationStage.escalation_pk, func.max(EscalationStage.started_date).label("latest"))
        .group_by(EscalationStage.escalation_pk)
        .subquery()
    )
    query = (
        select(Escalation.id.label("escalation_pk"), Escalation.closed_date, latest.c.latest)
        .join(latest, latest.c.escalation_pk == Escalation.id)
        .where(Escalation.closed_date.is_not(None), Escalation.closed_date < latest.c.latest)
    )
    return query if escalation_pk is None else query.where(Escalation.id == escalation_pk)


def _check_dates_in_order(escalation: Escalation, corrected: EscalationStage | None = None) -> None:
    """After a change: the rules across stages hold for this escalation. The message speaks of
    the date just entered: a new stage's start or a closure, or the start of the ``corrected``
    stage, which may now fall after a later stage's start or after the closure."""
    db.session.flush()
    row = db.session.execute(stages_out_of_order(escalation.id).limit(1)).first()
    if row is not None:
        if corrected is not None and row.earlier_stage == corrected.stage:
            after = [s for s in escalation.stages if s.stage.rank > corrected.stage.rank]
            first_after = min(after, key=lambda s: s.started_date)
            raise DomainError(
                f"The start date must be on or before the day {first_after.stage.short_label} started "
                f"({format_date(first_after.started_date)})",
                "started_date",
            )
        raise DomainError(
            f"The start date must be on or after the day {Stage(row.earlier_stage).short_label} started "
            f"({format_date(row.earlier_started)})",
            "started_date",
        )
    row = db.session.execute(closed_before_latest_stage(escalation.id)).first()
    if row is not None:
        if corrected is not None:
            raise DomainError(
                f"The start date must be on or before the day the escalation closed ({format_date(row.closed_date)})",
                "started_date",
            )
        latest = max(escalation.stages, key=lambda s: s.started_date)
        raise DomainError(
            f"The closing date must be on or after the day {latest.stage.short_label} started "
            f"({format_date(row.latest)})",
            "closed_date",
        )


def set_areas(escalation: Escalation, areas) -> None:
    """The escalation's areas of concern become ``areas`` (rows kept for the areas it keeps)."""
    current = {a.area: a for a in escalation.areas}
    escalation.areas = [current.get(a) or EscalationArea(area=a) for a in areas]


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _officer(officer_id: str | None) -> str | None:
    """A raising officer: blank (not recorded) or the officer id of a user."""
    officer_id = _text(officer_id)
    if officer_id is not None and user_by_officer_id(officer_id) is None:
        raise DomainError(f"There is no officer with the id {officer_id}", "raised_by")
    return officer_id


# --- the workflow ---------------------------------------------------------------------------


def _open(escalation: Escalation, doing: str) -> None:
    if escalation.closed_date is not None:
        raise DomainError(f"This escalation was closed on {format_date(escalation.closed_date)}: it cannot be {doing}")


def raise_escalation(
    *,
    child,
    raised_by: str | None,
    areas: list[str],
    stage: str,
    started_date: dt.date | None,
    to_whom: str | None = None,
    external_partner: str | None = None,
    summary: str | None = None,
    user=None,
) -> Escalation:
    """Open an escalation at ``informal`` or straight at a formal stage."""
    if child is None:
        raise DomainError("Select the child the escalation is about", "child_id")
    area_codes = check_areas(areas)
    if Stage.get(stage) not in RAISE_STAGES:
        raise DomainError("Select the informal stage or a formal stage (1 to 5)", "stage")
    check_stage_start(started_date, "the date the escalation started")
    escalation = Escalation(
        escalation_id=references.new_ref("escalation"),
        child_pk=child.id,
        raised_by=raised_by or None,
        external_partner=_text(external_partner),
        summary=_text(summary),
    )
    set_areas(escalation, area_codes)
    escalation.stages = [EscalationStage(stage=Stage(stage), started_date=started_date, to_whom=_text(to_whom))]
    db.session.add(escalation)
    db.session.flush()
    flagged = Stage(stage).flags_board
    after = {**audit.snapshot(escalation, FIELDS), "areas": area_codes, "stage": stage, "started_date": started_date}
    audit.record(
        "escalation.raise",
        object_type="escalation",
        object_id=escalation.escalation_id,
        summary=f"Escalation {escalation.escalation_id} raised at {stage} for child {child.child_id}"
        + _flag_note(flagged),
        after={**after, "stage4_flagged": True} if flagged else after,
        user=user,
    )
    return escalation


def record_response(
    escalation: Escalation,
    *,
    response_date: dt.date | None,
    response_summary: str | None = None,
    stage: str | None = None,
    user=None,
) -> EscalationStage:
    """Record the response to the current stage (or to ``stage``)."""
    _open(escalation, "responded to")
    target = escalation.current_stage if stage is None else escalation.stage(stage)
    if target is None:
        raise DomainError("This escalation has no such stage", "stage")
    if target.response_date is not None:
        raise DomainError(
            f"{target.stage.short_label} already has a response, dated {format_date(target.response_date)}",
            "response_date",
        )
    checks.required(response_date, "response_date", "Enter the response date")
    check_response(target.stage, target.started_date, response_date)
    before = audit.snapshot(target, STAGE_FIELDS)
    target.response_date = response_date
    target.response_summary = _text(response_summary)
    db.session.flush()
    audit.record(
        "escalation.respond",
        object_type="escalation",
        object_id=escalation.escalation_id,
        summary=f"Response to {target.stage} of escalation {escalation.escalation_id} recorded",
        before=before,
        after=audit.snapshot(target, STAGE_FIELDS),
        user=user,
    )
    return target


def escalate(
    escalation: Escalation,
    *,
    to_stage: str,
    started_date: dt.date | None,
    to_whom: str | None = None,
    user=None,
) -> EscalationStage:
    """Move the escalation forward to ``to_stage`` (the next stage, a later one, or Cafcass)."""
    referral = to_stage == Stage.cafcass
    _open(escalation, "referred to Cafcass" if referral else "escalated")
    target = Stage.get(to_stage)
    if target is None:
        raise DomainError("Select the stage to escalate to", "to_stage")
    current = escalation.current_stage
    if current is not None:
        if target is current.stage:
            raise DomainError(
                f"The escalation is already at {current.stage.short_label}: choose a later stage", "to_stage"
            )
        if target.rank < current.stage.rank:
            raise DomainError(
                f"{target.short_label} comes before the current stage ({current.stage.short_label}): "
                "an escalation can only move forward",
                "to_stage",
            )
    check_stage_start(started_date)
    flagged = target.flags_board and not any(s.stage.flags_board for s in escalation.stages)
    new = EscalationStage(stage=target, started_date=started_date, to_whom=_text(to_whom))
    escalation.stages.append(new)
    _check_dates_in_order(escalation)
    after = audit.snapshot(new, STAGE_FIELDS)
    audit.record(
        "escalation.refer_to_cafcass" if referral else "escalation.escalate",
        object_type="escalation",
        object_id=escalation.escalation_id,
        summary=(
            f"Escalation {escalation.escalation_id} "
            + ("referred to Cafcass" if referral else f"escalated from {current.stage if current else '-'} to {target}")
            + _flag_note(flagged)
        ),
        before={"stage": current.stage if current else None},
        after={**after, "stage4_flagged": True} if flagged else after,
        user=user,
    )
    return new


def refer_to_cafcass(
    escalation: Escalation, *, started_date: dt.date | None, to_whom: str | None = None, user=None
) -> EscalationStage:
    """The IRO's referral to Cafcass, possible at any point (domain.md §5)."""
    return escalate(escalation, to_stage=Stage.cafcass, started_date=started_date, to_whom=to_whom, user=user)


def close(escalation: Escalation, *, closed_date: dt.date | None, resolution: str | None, user=None) -> Escalation:
    """Close with a date and a resolution (resolved, withdrawn, referred to Cafcass)."""
    if escalation.closed_date is not None:
        raise DomainError(f"This escalation was already closed on {format_date(escalation.closed_date)}")
    checks.code(resolution, Resolution, "resolution", "Select how the escalation was resolved")
    if resolution == Resolution.referred_to_cafcass and escalation.stage(Stage.cafcass) is None:
        raise DomainError(
            "Record the referral to Cafcass before closing the escalation as referred to Cafcass", "resolution"
        )
    checks.required(closed_date, "closed_date", "Enter the date the escalation closed")
    check_closure(closed_date, resolution)
    before = audit.snapshot(escalation, FIELDS)
    escalation.closed_date = closed_date
    escalation.resolution = Resolution(resolution)
    _check_dates_in_order(escalation)
    audit.record(
        "escalation.close",
        object_type="escalation",
        object_id=escalation.escalation_id,
        summary=f"Escalation {escalation.escalation_id} closed: {resolution}",
        before=before,
        after=audit.snapshot(escalation, FIELDS),
        user=user,
    )
    return escalation


# --- corrections ------------------------------------------------------------------------------


def _details(escalation: Escalation) -> dict:
    return {**audit.snapshot(escalation, DETAIL_FIELDS), "areas": escalation.area_codes}


def edit_details(escalation: Escalation, *, user=None, **changes) -> Escalation:
    """Correct what was typed when the escalation was raised: ``areas``, ``external_partner``,
    ``summary`` and ``raised_by`` (who may change which is the view's: the raising officer is
    the IRO manager's to change). Open or closed: the figures of a closed one follow too."""
    unknown = set(changes) - {"areas", *DETAIL_FIELDS}
    if unknown:
        raise ValueError(f"edit_details cannot change {', '.join(sorted(unknown))}")
    area_codes = check_areas(changes["areas"]) if "areas" in changes else None
    raised_by = _officer(changes["raised_by"]) if "raised_by" in changes else escalation.raised_by
    before = _details(escalation)
    if area_codes is not None:
        set_areas(escalation, area_codes)
    escalation.raised_by = raised_by
    for key in ("external_partner", "summary"):
        if key in changes:
            setattr(escalation, key, _text(changes[key]))
    db.session.flush()
    b, a = audit.changed(audit.jsonable(before), audit.jsonable(_details(escalation)))
    audit.record(
        "escalation.update",
        object_type="escalation",
        object_id=escalation.escalation_id,
        summary=f"Details of escalation {escalation.escalation_id} corrected",
        before=b,
        after=a,
        user=user,
    )
    return escalation


def edit_stage(
    escalation: Escalation,
    stage: str,
    *,
    started_date: dt.date | None,
    to_whom: str | None = None,
    response_date: dt.date | None = None,
    response_summary: str | None = None,
    user=None,
) -> EscalationStage:
    """Correct one stage: its start (the response deadline is computed from it), who it was
    raised with and its response (a blank date: no response yet). The transitions' rules hold:
    nothing after today, a response not before its stage started, a stage not before an earlier
    stage started nor after a later one, and not after the escalation closed."""
    target = escalation.stage(stage)
    if target is None:
        raise DomainError("This escalation has no such stage", "stage")
    check_stage_start(started_date)
    check_response(target.stage, started_date, response_date)
    summary = _text(response_summary)
    if summary is not None and response_date is None:
        raise DomainError("Enter the date of the response, or remove its summary", "response_date")
    before = audit.snapshot(target, STAGE_EDIT_FIELDS)
    target.started_date, target.to_whom = started_date, _text(to_whom)
    target.response_date, target.response_summary = response_date, summary
    _check_dates_in_order(escalation, corrected=target)
    b, a = audit.changed(before, audit.snapshot(target, STAGE_EDIT_FIELDS))
    audit.record(
        "escalation.update_stage",
        object_type="escalation",
        object_id=escalation.escalation_id,
        summary=f"{target.stage} of escalation {escalation.escalation_id} corrected",
        before={"stage": target.stage, **b},
        after={"stage": target.stage, **a},
        user=user,
    )
    return target


def _flag_note(flagged: bool) -> str:
    """The stage 4 flag (002:L272) rides on the change's one audit row ("stage4_flagged" in
    ``after``); the escalation then shows on /escalations/stage4."""
    return ": reached stage 4, flagged for the board chair" if flagged else ""
