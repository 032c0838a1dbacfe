"""Records for the panel tests, made the way the tracker makes them (``tracker.panels.operations``),
so every record obeys the rules and has its audit rows. Run inside an app context; they flush,
the caller commits."""

from __future__ import annotations

import datetime as dt

D = dt.date


# --- meetings and cases ----------------------------------------------------------------------
# ``meeting("fostering", D(2023, 1, 10), members=QUORATE)`` books a meeting and records its
# attendance; ``case(meeting, "approval", "H001", recommendation="deferred", minutes=D(...))``
# adds a case to it and records its outcome (and ``decision=("agreed", D(...))``). Outcomes
# need a meeting dated on or before today: the tests fix today with the ``TODAY`` config.

QUORATE = (("Chair", "chair"), ("Social worker", "social_worker"), ("Member A", "other"), ("Member B", "other"),
           ("Independent", "independent"))  # fmt: skip
"""Five members with a chair, a social worker and an independent member: quorate on either panel."""
MEETING_DAY = D(2023, 1, 10)  # the factories' meeting date unless told otherwise


def meeting(panel: str = "fostering", day: dt.date = MEETING_DAY, *, members=QUORATE, status: str | None = None):
    """A meeting of ``panel`` on ``day``, with ``members`` (name, role) recorded (None: no
    attendance). ``status="cancelled"`` cancels it; ``"held"`` is reached by recording an outcome."""
    from tracker.panels import operations

    made = operations.book_meeting(panel=panel, meeting_date=day, user=None)
    if members is not None:
        operations.record_attendance(made, members=list(members))
    if status == "cancelled":
        operations.cancel_meeting(made, reason="Not enough cases")
    return made


def case(
    at=None,
    case_type: str = "approval",
    subject_ref: str | None = "H001",
    *,
    panel: str | None = None,
    papers_sent: dt.date | None = None,
    recommendation: str | None = None,
    minutes: dt.date | None = None,
    decision: tuple[str, dt.date] | tuple[str, dt.date, str] | None = None,
    carer_type: str | None = "mainstream",
):
    """A case on the agenda of meeting ``at`` (None: awaiting a date, for ``panel``), with its
    recommendation and final minutes recorded when given, and the ADM's ``decision``
    (code, date[, reasons])."""
    from tracker.panels import operations

    made = operations.add_case(
        panel=panel or (at.panel if at is not None else "fostering"),
        case_type=case_type,
        subject_ref=subject_ref,
        carer_type=carer_type,
        meeting_id=at.meeting_id if at is not None else None,
        papers_sent_date=papers_sent,
    )
    if recommendation is not None:
        operations.record_outcome(made, recommendation=recommendation, minutes_final_date=minutes)
    if decision is not None:
        code, day, *reasons = decision
        operations.record_decision(made, decision=code, decision_date=day, reasons=reasons[0] if reasons else None)
    return made


def outcome(made, recommendation: str, minutes: dt.date | None = None):
    """Record the recommendation of a case already on a meeting's agenda (the meeting becomes held)."""
    from tracker.panels import operations

    return operations.record_outcome(made, recommendation=recommendation, minutes_final_date=minutes)


# --- foster households and carer reviews ---------------------------------------------------
# ``household(...)``, ``carer_review(household, day)`` and ``reviewing_officer("F1")`` through
# ``tracker.panels.operations`` and ``tracker.auth.operations``.

HOUSEHOLD_APPROVED = D(2022, 1, 10)  # the factories' households are approved on this day unless told otherwise


def reviewing_officer(officer_id: str = "F1", *, roles=("panel_admin",)):
    """A fostering reviewing officer (a panel administrator by default) who cannot sign in."""
    from tracker.auth import operations as users

    return users.create_user(
        email=f"{officer_id.lower()}@example.org",
        name=f"Reviewing officer {officer_id}",
        roles=roles,
        password=None,
        officer_id=officer_id,
        actor="test",
    )


def household(approval_date: dt.date = HOUSEHOLD_APPROVED, *, carer_type: str = "mainstream", **fields):
    """A foster household approved on ``approval_date`` (the next H0001 reference unless given)."""
    from tracker.panels import operations

    return operations.create_household(carer_type=carer_type, approval_date=approval_date, **fields)


def carer_review(household, review_date: dt.date, **fields):
    """A review of ``household`` on ``review_date`` (to panel as the rule says unless told)."""
    from tracker.panels import operations

    return operations.record_carer_review(household, review_date=review_date, **fields)


def reviewed(household, *days: dt.date):
    """``household`` with a review on each of ``days``; the household."""
    for day in days:
        carer_review(household, day)
    return household
