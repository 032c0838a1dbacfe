"""Every change to an escalation (domain.md §5). Each operation checks its rule, changes the
rows, writes one audit row and flushes; the caller (view, import, job) commits once.

Rules (the transition table of tests/escalations/test_transitions.py):

- an escalation is raised at ``informal`` or directly at a formal stage (stage 1–5);
- it only moves forward in the order informal < stage1 < … < stage5 < cafcass, skipping
  allowed; a Cafcass referral may be made from any stage;
- dates never run backwards: a stage cannot start before the current stage started, a
  response cannot precede its stage's start, a closure cannot precede the latest stage start;
- nothing that must already have happened may be dated after today;
- a closed escalation cannot be escalated, responded to or closed again;
- it closes as ``referred_to_cafcass`` only after a Cafcass referral.
"""
from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from tracker.core import audit
from tracker.core.clock import today
from tracker.escalations.models import (
    AREAS,
    FORMAL_STAGES,
    RESOLUTIONS,
    STAGE4_FLAG_STAGES,
    STAGE_RANK,
    STAGES,
    Escalation,
    EscalationArea,
    EscalationStage,
    Resolution,
    Stage,
    stage_short_label,
)
from tracker.extensions import db

FIELDS = ("escalation_id", "raised_by", "external_partner", "closed_date", "resolution")
STAGE_FIELDS = ("stage", "started_date", "to_whom", "response_date")
RAISE_STAGES = ("informal",) + FORMAL_STAGES  # a Cafcass referral follows an escalation, it does not open one


class EscalationError(Exception):
    """A refused change, with a message fit to show the user and the form field it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _d(value: dt.date) -> str:
    return value.strftime("%-d %B %Y")


def _not_future(value: dt.date | None, what: str, field: str) -> None:
    if value is None:
        raise EscalationError(f"Enter the {what}", field)
    if value > today():
        raise EscalationError(f"The {what} must be today or in the past", field)


def _open(escalation: Escalation, doing: str) -> None:
    if escalation.closed_date is not None:
        raise EscalationError(
            f"This escalation was closed on {_d(escalation.closed_date)}: it cannot be {doing}", None
        )


def next_escalation_id() -> str:
    """A new reference for an escalation raised on screen (imports bring their own)."""
    # the highest ESC + 6 digits, read from the unique index (never every reference into Python)
    candidates = db.session.scalars(
        select(Escalation.escalation_id).where(Escalation.escalation_id.like("ESC______"))
        .order_by(Escalation.escalation_id.desc()).limit(50)
    ).all()
    latest = next((ref for ref in candidates if re.fullmatch(r"ESC\d{6}", ref)), None)
    return f"ESC{(int(latest[3:]) if latest else 0) + 1:06d}"


def _stage_snapshot(stage: EscalationStage) -> dict:
    return audit.snapshot(stage, STAGE_FIELDS)


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
    escalation_id: str | None = None,
    user=None,
) -> Escalation:
    """Open an escalation at ``informal`` or straight at a formal stage."""
    if child is None:
        raise EscalationError("Select the child the escalation is about", "child_id")
    areas = list(dict.fromkeys(a for a in (areas or []) if a))
    if not areas:
        raise EscalationError("Select at least one area of concern", "areas")
    unknown = [a for a in areas if a not in AREAS]
    if unknown:
        raise EscalationError(f"Unknown area of concern: {', '.join(unknown)}", "areas")
    if stage not in RAISE_STAGES:
        raise EscalationError("Select the informal stage or a formal stage (1 to 5)", "stage")
    _not_future(started_date, "date the escalation started", "started_date")
    escalation = Escalation(
        escalation_id=escalation_id or next_escalation_id(),
        child_pk=child.id,
        raised_by=raised_by or None,
        external_partner=(external_partner or "").strip() or None,
        summary=(summary or "").strip() or None,
    )
    escalation.areas = [EscalationArea(area=a) for a in areas]
    escalation.stages = [EscalationStage(stage=stage, started_date=started_date, to_whom=(to_whom or "").strip() or None)]
    db.session.add(escalation)
    db.session.flush()
    flagged = stage in STAGE4_FLAG_STAGES
    after = {**audit.snapshot(escalation, FIELDS), "areas": areas, "stage": stage, "started_date": started_date}
    audit.record(
        "escalation.raised",
        object_type="escalation",
        object_id=escalation.escalation_id,
        summary=f"Escalation {escalation.escalation_id} raised at {stage} for child {child.child_id}" + _flag_note(flagged),
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
    current = escalation.current_stage
    target = current if stage is None else escalation.stage(stage)
    if target is None:
        raise EscalationError("This escalation has no such stage", "stage")
    if target.response_date is not None:
        raise EscalationError(
            f"{target.short_label} already has a response, dated {_d(target.response_date)}", "response_date"
        )
    _not_future(response_date, "response date", "response_date")
    if response_date < target.started_date:
        raise EscalationError(
            f"The response date must be on or after the day {target.short_label} started ({_d(target.started_date)})",
            "response_date",
        )
    before = _stage_snapshot(target)
    target.response_date = response_date
    target.response_summary = (response_summary or "").strip() or None
    db.session.flush()
    audit.record(
        "escalation.response_recorded",
        object_type="escalation",
        object_id=escalation.escalation_id,
        summary=f"Response to {target.stage} of escalation {escalation.escalation_id} recorded",
        before=before,
        after=_stage_snapshot(target),
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
    doing = "referred to Cafcass" if to_stage == Stage.cafcass.value else "escalated"
    _open(escalation, doing)
    if to_stage not in STAGES:
        raise EscalationError("Select the stage to escalate to", "to_stage")
    current = escalation.current_stage
    if current is not None:
        if to_stage == current.stage:
            raise EscalationError(
                f"The escalation is already at {current.short_label}: choose a later stage", "to_stage"
            )
        if STAGE_RANK[to_stage] < current.rank:
            raise EscalationError(
                f"{stage_short_label(to_stage)} comes before the current stage ({current.short_label}): "
                "an escalation can only move forward",
                "to_stage",
            )
    _not_future(started_date, "date the stage started", "started_date")
    if current is not None and started_date < current.started_date:
        raise EscalationError(
            f"The start date must be on or after the day {current.short_label} started ({_d(current.started_date)})",
            "started_date",
        )
    flagged = to_stage in STAGE4_FLAG_STAGES and not any(s.stage in STAGE4_FLAG_STAGES for s in escalation.stages)
    new = EscalationStage(stage=to_stage, started_date=started_date, to_whom=(to_whom or "").strip() or None)
    escalation.stages.append(new)
    db.session.flush()
    referral = to_stage == Stage.cafcass.value
    after = _stage_snapshot(new)
    audit.record(
        "escalation.referred_to_cafcass" if referral else "escalation.escalated",
        object_type="escalation",
        object_id=escalation.escalation_id,
        summary=(
            f"Escalation {escalation.escalation_id} "
            + ("referred to Cafcass" if referral else f"escalated from {current.stage if current else '-'} to {to_stage}")
            + _flag_note(flagged)
        ),
        before={"stage": current.stage if current else None},
        after={**after, "stage4_flagged": True} if flagged else after,
        user=user,
    )
    return new


def refer_to_cafcass(escalation: Escalation, *, started_date: dt.date | None, to_whom: str | None = None, user=None) -> EscalationStage:
    """The IRO's referral to Cafcass, possible at any point (domain.md §5)."""
    return escalate(escalation, to_stage=Stage.cafcass.value, started_date=started_date, to_whom=to_whom, user=user)


def close(escalation: Escalation, *, closed_date: dt.date | None, resolution: str | None, user=None) -> Escalation:
    """Close with a date and a resolution (resolved, withdrawn, referred to Cafcass)."""
    if escalation.closed_date is not None:
        raise EscalationError(f"This escalation was already closed on {_d(escalation.closed_date)}", None)
    if resolution not in RESOLUTIONS:
        raise EscalationError("Select how the escalation was resolved", "resolution")
    if resolution == Resolution.referred_to_cafcass.value and escalation.stage(Stage.cafcass.value) is None:
        raise EscalationError(
            "Record the referral to Cafcass before closing the escalation as referred to Cafcass", "resolution"
        )
    _not_future(closed_date, "date the escalation closed", "closed_date")
    latest = max(escalation.stages, key=lambda s: s.started_date, default=None)
    if latest is not None and closed_date < latest.started_date:
        raise EscalationError(
            f"The closing date must be on or after the day {latest.short_label} started ({_d(latest.started_date)})",
            "closed_date",
        )
    before = audit.snapshot(escalation, FIELDS)
    escalation.closed_date = closed_date
    escalation.resolution = resolution
    db.session.flush()
    audit.record(
        "escalation.closed",
        object_type="escalation",
        object_id=escalation.escalation_id,
        summary=f"Escalation {escalation.escalation_id} closed: {resolution}",
        before=before,
        after=audit.snapshot(escalation, FIELDS),
        user=user,
    )
    return escalation


def _flag_note(flagged: bool) -> str:
    """The stage 4 flag (002:L272) rides on the change's one audit row ("stage4_flagged" in
    ``after``); the escalation then shows on /escalations/stage4. The e-mail to the board
    chair is a later issue."""
    return ": reached stage 4, flagged for the board chair" if flagged else ""


def count_audit(action: str, escalation_id: str) -> int:
    """How many audit rows of ``action`` an escalation has (tests and the page's history)."""
    return db.session.scalar(
        select(func.count()).select_from(audit.AuditEntry).where(
            audit.AuditEntry.action == action, audit.AuditEntry.object_id == escalation_id,
            audit.AuditEntry.object_type == "escalation",
        )
    )
