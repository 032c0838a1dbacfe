"""Every change to panel meetings, panel cases, foster households and carer reviews (domain.md
§7). Each operation checks its rule, changes the rows, writes one audit row and flushes; the
request lifecycle (or the import, or the LADO hook) commits.

The row rules (``check_*``) are also what the import applies to each row of panel_meetings.csv,
panel_cases.csv, foster_households.csv and carer_reviews.csv.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select

from tracker.auth.models import user_by_officer_id
from tracker.core import audit, checks, references, timescales
from tracker.core.errors import DomainError
from tracker.extensions import db
from tracker.formatters import format_date
from tracker.panels.models import (
    AdmDecision,
    CarerReview,
    CarerReviewOutcome,
    CarerType,
    CaseType,
    EndReason,
    FosterHousehold,
    HouseholdStatus,
    MeetingStatus,
    Panel,
    PanelCase,
    PanelMeeting,
    Recommendation,
)

references.register("panel_meeting", "PM", 4, PanelMeeting.meeting_id)
references.register("panel_case", "PC", 5, PanelCase.case_id)
references.register("foster_household", "H", 4, FosterHousehold.household_id)
references.register("carer_review", "CR", 5, CarerReview.review_id)


# --- rules shared with the import ---------------------------------------------------------
# Each ``check_*`` raises ``DomainError(message, field)``: a form shows it at the field, the
# import (``RowReader.check``) at the column of the same name (interchange.md §1). The rules
# across records (a case and its meeting, a review and its household) are one SQL query each
# (``cases_not_fitting_their_meeting``, ``reviews_before_approval``), used by the import for a
# whole file; the pages call the ``check_*`` for the one record they change.

MAX_MEMBERS_PRESENT = 999  # a panel's central list is a few dozen people: anything more is a typing error


def check_meeting(panel: str | None, meeting_date: dt.date | None, status: str | None) -> None:
    """A known panel and status, and a date. A meeting held is not dated after today; a booked
    (or cancelled) meeting may lie ahead, up to two years (interchange.md §1)."""
    checks.code(panel, Panel, "panel", "Select the panel")
    status = checks.code(status, MeetingStatus, "status", "Select the status of the meeting")
    checks.required(meeting_date, "meeting_date", "Enter the date of the meeting")
    if status is MeetingStatus.held:
        checks.not_future(meeting_date, "meeting_date", "The date of a meeting held")
    checks.date_in_range(meeting_date, "meeting_date", "The date of the meeting", ahead=True)


def check_members_present(members_present: int | None) -> None:
    """How many members attended: a whole number from 0 (blank: not recorded)."""
    if members_present is None:
        return
    if isinstance(members_present, bool) or not isinstance(members_present, int) or members_present < 0:
        raise DomainError("The number of members present must be a whole number, 0 or more", "members_present")
    if members_present > MAX_MEMBERS_PRESENT:
        raise DomainError(f"The number of members present must be {MAX_MEMBERS_PRESENT} or fewer", "members_present")


def check_case(
    case_type: str | None,
    carer_type: str | None = None,
    papers_sent_date: dt.date | None = None,
    minutes_final_date: dt.date | None = None,
) -> None:
    """A case's own fields: known codes; the papers were sent and the minutes finalised by today."""
    checks.code(case_type, CaseType, "case_type", "Select the type of case")
    checks.code(carer_type, CarerType, "carer_type", "Select the type of carer", required_=False)
    checks.not_future(papers_sent_date, "papers_sent_date", "The date the papers were sent")
    checks.not_future(minutes_final_date, "minutes_final_date", "The date the minutes were finalised")


def check_case_type(panel: str, case_type: str | None) -> None:
    """The case type is one of its panel's (domain.md §7: ``Panel.case_types``)."""
    case_type = checks.code(case_type, CaseType, "case_type", "Select the type of case")
    panel = Panel(panel)
    if case_type not in panel.case_types:
        raise DomainError(
            f"{case_type.value!r} is not a case type of the {panel.label.lower()} "
            f"(expected one of: {', '.join(panel.case_types)})",
            "case_type",
        )


def check_decision(
    recommendation: str | None,
    decision: str | None,
    decision_date: dt.date | None,
    minutes_final_date: dt.date | None = None,
) -> None:
    """The panel's recommendation and the ADM's decision: known codes; a decision comes with its
    date and a date with its decision (interchange.md §1), after a recommendation, not after
    today and not before the minutes it is made on were finalised (Fostering NMS 14)."""
    checks.code(recommendation, Recommendation, "recommendation", "Select the panel's recommendation", required_=False)
    checks.code(decision, AdmDecision, "adm_decision", "Select the ADM's decision", required_=False)
    checks.paired(
        decision,
        decision_date,
        "adm_decision",
        "adm_decision_date",
        no_date="Enter the date of the ADM's decision",
        no_value="Select the ADM's decision as well as its date",
    )
    checks.not_future(decision_date, "adm_decision_date", "The date of the ADM's decision")
    checks.not_future(minutes_final_date, "minutes_final_date", "The date the minutes were finalised")
    if decision and not recommendation:
        raise DomainError(
            "An ADM decision needs the panel's recommendation: record the recommendation first", "adm_decision"
        )
    checks.not_before(
        decision_date,
        minutes_final_date,
        "adm_decision_date",
        "The ADM's decision cannot be dated before the minutes were finalised",
    )


# what only a case heard at a held meeting can have: (field, words)
HEARD_ONLY = (
    ("recommendation", "a recommendation"),
    ("minutes_final_date", "final minutes"),
    ("adm_decision", "an ADM decision"),
)


def check_heard(
    meeting_id: str | None,
    meeting_status: str | None,
    meeting_date: dt.date | None,
    *,
    recommendation: str | None = None,
    minutes_final_date: dt.date | None = None,
    adm_decision: str | None = None,
    adm_decision_date: dt.date | None = None,
) -> None:
    """A recommendation, final minutes and an ADM decision belong to a case heard at a held
    meeting, and none of them is dated before that meeting."""
    values = {"recommendation": recommendation, "minutes_final_date": minutes_final_date, "adm_decision": adm_decision}
    if meeting_id is None or MeetingStatus.get(meeting_status) is not MeetingStatus.held:
        where = (
            "the case has no meeting"
            if meeting_id is None
            else f"meeting {meeting_id} is {MeetingStatus.label_of(meeting_status).lower()}"
        )
        for field, words in HEARD_ONLY:
            if values[field]:
                raise DomainError(f"Only a case heard at a held meeting can have {words}: {where}", field)
        return
    checks.not_before(
        minutes_final_date, meeting_date, "minutes_final_date", "The minutes cannot be finalised before the meeting"
    )
    checks.not_before(
        adm_decision_date, meeting_date, "adm_decision_date", "The ADM's decision cannot be dated before the meeting"
    )


def _not_a_case_type_of_its_panel(panel_column, case_type_column):
    return or_(
        *(and_(panel_column == p.value, case_type_column.not_in([t.value for t in p.case_types])) for p in Panel)
    )


def cases_not_fitting_their_meeting():
    """Cases that break ``check_case_type`` or ``check_heard`` against their meeting as it is in
    the database (one query, for a whole import): the case's and its meeting's columns."""
    outcome = or_(
        PanelCase.recommendation.is_not(None),
        PanelCase.minutes_final_date.is_not(None),
        PanelCase.adm_decision.is_not(None),
    )
    return (
        select(
            PanelCase.case_id,
            PanelCase.case_type,
            PanelCase.recommendation,
            PanelCase.minutes_final_date,
            PanelCase.adm_decision,
            PanelCase.adm_decision_date,
            PanelMeeting.meeting_id,
            PanelMeeting.panel,
            PanelMeeting.status,
            PanelMeeting.meeting_date,
        )
        .join(PanelMeeting, PanelMeeting.meeting_id == PanelCase.meeting_id)
        .where(
            or_(
                _not_a_case_type_of_its_panel(PanelMeeting.panel, PanelCase.case_type),
                and_(PanelMeeting.status != MeetingStatus.held.value, outcome),
                PanelCase.minutes_final_date < PanelMeeting.meeting_date,
                PanelCase.adm_decision_date < PanelMeeting.meeting_date,
            )
        )
        .order_by(PanelCase.case_id)
    )


def check_case_at_meeting(row) -> None:
    """The rules of a case against its meeting, for a row of ``cases_not_fitting_their_meeting``."""
    check_case_type(row.panel, row.case_type)
    check_heard(
        row.meeting_id,
        row.status,
        row.meeting_date,
        recommendation=row.recommendation,
        minutes_final_date=row.minutes_final_date,
        adm_decision=row.adm_decision,
        adm_decision_date=row.adm_decision_date,
    )


def check_household(carer_type: str | None, approval_date: dt.date | None, end_date: dt.date | None) -> None:
    """A foster household's type of carer and its dates (``check_household_dates``)."""
    checks.code(carer_type, CarerType, "carer_type", "Select the type of carer")
    check_household_dates(approval_date, end_date)


def check_household_dates(approval_date: dt.date | None, end_date: dt.date | None) -> None:
    """Approved (for a temporary approval: placed) by today; an end, if any, by today and not
    before the approval."""
    checks.required(approval_date, "approval_date", "Enter the date of approval")
    checks.not_future(approval_date, "approval_date", "The date of approval")
    checks.not_future(end_date, "end_date", "The end date")
    checks.not_before(end_date, approval_date, "end_date", "The end date cannot be before the date of approval")


def check_carer_review(review_date: dt.date | None, approval_date: dt.date | None = None) -> None:
    """A foster carer review has been held (not after today), not before the household's approval."""
    checks.required(review_date, "review_date", "Enter the date of the review")
    checks.not_future(review_date, "review_date", "The date of the review")
    checks.not_before(
        review_date, approval_date, "review_date", "The review cannot be dated before the household's approval"
    )


def reviews_before_approval():
    """Carer reviews dated before their household's approval (one query, for a whole import):
    review_id, household_id, review_date, approval_date."""
    return (
        select(
            CarerReview.review_id, FosterHousehold.household_id, CarerReview.review_date, FosterHousehold.approval_date
        )
        .join(FosterHousehold, FosterHousehold.household_id == CarerReview.household_id)
        .where(CarerReview.review_date < FosterHousehold.approval_date)
        .order_by(CarerReview.review_id)
    )


# --- meetings and cases: the panel adviser and the ADM -------------------------------------
# (helper B)


# --- foster households and carer reviews ---------------------------------------------------
# A household's next review (approval or last review + 12 months) and whether it goes to panel are
# derived (``queries.household_frame``), never stored. Corrections change what was typed, under the
# same rules; a review recorded by mistake is removed (the audit row keeps it, with the reason).

HOUSEHOLD_FIELDS = (
    "name",
    "carer_type",
    "approval_date",
    "status",
    "end_date",
    "end_reason",
    "reviewing_officer_id",
    "temporary_extended_date",
)
CARER_REVIEW_FIELDS = ("household_id", "review_date", "reviewing_officer_id", "to_panel", "outcome")
FULL_APPROVAL_TYPES = (CarerType.connected, CarerType.mainstream)  # what a temporary approval becomes


def _household_text(value: str | None) -> str | None:
    return (value or "").strip() or None


def check_reviewing_officer(officer_id: str | None, field: str = "reviewing_officer_id") -> str | None:
    """A fostering reviewing officer: blank (not allocated: the fostering team's queue) or the
    officer id of a known user (the panel adviser's list offers the panel administrators)."""
    officer_id = _household_text(officer_id)
    if officer_id is None:
        return None
    checks.reference(officer_id, field, "The officer id")
    if user_by_officer_id(officer_id) is None:
        raise DomainError(f"There is no officer with the id {officer_id}", field)
    return officer_id


def _check_household_details(name: str | None, carer_type: str | None, approval_date: dt.date | None) -> None:
    checks.plain_text(name, "name", "The household's name", multiline=False)
    if name is not None and len(name) > 200:
        raise DomainError("The household's name must be 200 characters or fewer", "name")
    checks.code(carer_type, CarerType, "carer_type", "Select the type of carer")
    checks.required(approval_date, "approval_date", "Enter the date of approval")
    checks.not_future(approval_date, "approval_date", "The date of approval")


def _first_review(household: FosterHousehold) -> CarerReview | None:
    return min(household.reviews, key=lambda r: r.review_date, default=None)


def _last_review(household: FosterHousehold) -> CarerReview | None:
    return max(household.reviews, key=lambda r: r.review_date, default=None)


def _household_audit(household: FosterHousehold, action: str, summary: str, before: dict | None, user) -> None:
    after = audit.snapshot(household, HOUSEHOLD_FIELDS)
    if before is not None:
        before, after = audit.changed(before, after)
    audit.record(
        action,
        object_type="foster_household",
        object_id=household.household_id,
        summary=f"Foster household {household.household_id}: {summary}",
        before=before,
        after=after,
        user=user,
    )
    db.session.flush()


def _not_ended(household: FosterHousehold, doing: str) -> None:
    if household.status == HouseholdStatus.ended:
        raise DomainError(
            f"This household ended on {format_date(household.end_date)}: it cannot be {doing}", "household"
        )


def create_household(
    *,
    carer_type: str | None,
    approval_date: dt.date | None,
    household_id: str | None = None,
    name: str | None = None,
    reviewing_officer_id: str | None = None,
    user=None,
) -> FosterHousehold:
    """A newly approved household (or, for a temporary approval under reg 24, the placement's
    start as its approval date). Its reference is the next ``H0001`` unless one is given."""
    household_id, name = _household_text(household_id), _household_text(name)
    _check_household_details(name, carer_type, approval_date)
    officer_id = check_reviewing_officer(reviewing_officer_id)
    if household_id is None:
        household_id = references.new_ref("foster_household")
    else:
        checks.reference(household_id, "household_id", "The household reference")
        if db.session.get(FosterHousehold, household_id) is not None:
            raise DomainError(f"There is already a household with the reference {household_id}", "household_id")
    household = FosterHousehold(
        household_id=household_id,
        name=name,
        carer_type=CarerType(carer_type),
        approval_date=approval_date,
        status=HouseholdStatus.approved,
        reviewing_officer_id=officer_id,
    )
    db.session.add(household)
    db.session.flush()
    _household_audit(household, "foster_household.create", f"approved as {carer_type}", None, user)
    return household


def update_household(
    household: FosterHousehold,
    *,
    carer_type: str | None,
    approval_date: dt.date | None,
    name: str | None = None,
    reviewing_officer_id: str | None = None,
    user=None,
) -> FosterHousehold:
    """Correct the household's name, type of carer, approval date and reviewing officer. The
    approval stays on or before its first review, its end and a temporary approval's extension."""
    name = _household_text(name)
    _check_household_details(name, carer_type, approval_date)
    officer_id = check_reviewing_officer(reviewing_officer_id)
    first = _first_review(household)
    if first is not None and approval_date > first.review_date:
        raise DomainError(
            f"The date of approval must be on or before the household's first review ({format_date(first.review_date)})",
            "approval_date",
        )
    for day, what in ((household.end_date, "it ended"), (household.temporary_extended_date, "its extension")):
        if day is not None and approval_date > day:
            raise DomainError(
                f"The date of approval must be on or before the day {what} ({format_date(day)})", "approval_date"
            )
    before = audit.snapshot(household, HOUSEHOLD_FIELDS)
    household.name, household.carer_type, household.approval_date = name, CarerType(carer_type), approval_date
    household.reviewing_officer_id = officer_id
    _household_audit(household, "foster_household.update", "details corrected", before, user)
    return household


def put_on_hold(household: FosterHousehold, *, user=None) -> FosterHousehold:
    """An approved household put on hold (no placements for now); its reviews stay due."""
    _not_ended(household, "put on hold")
    if household.status == HouseholdStatus.on_hold:
        raise DomainError("This household is already on hold", "household")
    before = audit.snapshot(household, HOUSEHOLD_FIELDS)
    household.status = HouseholdStatus.on_hold
    _household_audit(household, "foster_household.put_on_hold", "put on hold", before, user)
    return household


def return_to_approved(household: FosterHousehold, *, user=None) -> FosterHousehold:
    """A household on hold approved for placements again."""
    _not_ended(household, "returned to approved")
    if household.status != HouseholdStatus.on_hold:
        raise DomainError("This household is not on hold", "household")
    before = audit.snapshot(household, HOUSEHOLD_FIELDS)
    household.status = HouseholdStatus.approved
    _household_audit(household, "foster_household.return_to_approved", "approved again", before, user)
    return household


def end_household(
    household: FosterHousehold, *, end_date: dt.date | None, end_reason: str | None, user=None
) -> FosterHousehold:
    """The household stops fostering for the council: the date (not before its approval nor its
    last review, not after today) and the reason. Its reviews are no longer due."""
    _not_ended(household, "ended again")
    checks.required(end_date, "end_date", "Enter the date the household stopped fostering")
    checks.not_future(end_date, "end_date", "The end date")
    checks.not_before(
        end_date,
        household.approval_date,
        "end_date",
        f"The end date must be on or after the date of approval ({format_date(household.approval_date)})",
    )
    last = _last_review(household)
    if last is not None:
        checks.not_before(
            end_date,
            last.review_date,
            "end_date",
            f"The end date must be on or after the household's last review ({format_date(last.review_date)})",
        )
    checks.code(end_reason, EndReason, "end_reason", "Select why the household stopped fostering")
    before = audit.snapshot(household, HOUSEHOLD_FIELDS)
    household.status, household.end_date, household.end_reason = HouseholdStatus.ended, end_date, EndReason(end_reason)
    _household_audit(household, "foster_household.end", f"ended ({end_reason})", before, user)
    return household


def _check_review(
    household: FosterHousehold, review_date: dt.date | None, outcome: str | None, review: CarerReview | None = None
) -> None:
    """A review has happened, on or after the approval, not after the household ended, and is
    the household's only review that day."""
    checks.required(review_date, "review_date", "Enter the date of the review")
    checks.not_future(review_date, "review_date", "The date of the review")
    checks.not_before(
        review_date,
        household.approval_date,
        "review_date",
        f"The review must be on or after the date of approval ({format_date(household.approval_date)})",
    )
    if household.end_date is not None and review_date > household.end_date:
        raise DomainError(
            f"The review must be on or before the day the household ended ({format_date(household.end_date)})",
            "review_date",
        )
    if any(r.review_date == review_date and r is not review for r in household.reviews):
        raise DomainError(
            f"The household already has a review on {format_date(review_date)}: change that one instead",
            "review_date",
        )
    checks.code(outcome, CarerReviewOutcome, "outcome", "Select the outcome", required_=False)


def _review_audit(review: CarerReview, action: str, summary: str, before: dict | None, user, after=None) -> None:
    if after is None:
        after = audit.snapshot(review, CARER_REVIEW_FIELDS)
        if before is not None:
            before, after = audit.changed(before, after)
    audit.record(
        action,
        object_type="carer_review",
        object_id=review.review_id,
        summary=f"Review {review.review_id} of foster household {review.household_id} {summary}",
        before=before,
        after=after,
        user=user,
    )
    db.session.flush()


def record_carer_review(
    household: FosterHousehold,
    *,
    review_date: dt.date | None,
    reviewing_officer_id: str | None = None,
    to_panel: bool | None = None,
    outcome: str | None = None,
    user=None,
) -> CarerReview:
    """A household's annual review (reg 28). ``to_panel`` None: as the rule says for a review on
    that day (domain.md §7: the first, every third-year and any after an allegation go to panel)."""
    _check_review(household, review_date, outcome)
    officer_id = check_reviewing_officer(reviewing_officer_id)
    if to_panel is None:
        from tracker.panels import queries

        to_panel = bool(queries.review_reasons(household.household_id, review_date))
    review = CarerReview(
        review_id=references.new_ref("carer_review"),
        household_id=household.household_id,
        review_date=review_date,
        reviewing_officer_id=officer_id,
        to_panel=bool(to_panel),
        outcome=CarerReviewOutcome.get(outcome),
    )
    household.reviews.append(review)
    db.session.flush()
    _review_audit(review, "carer_review.create", f"recorded ({'to panel' if to_panel else 'to the ADM'})", None, user)
    return review


def update_carer_review(
    review: CarerReview,
    *,
    review_date: dt.date | None,
    reviewing_officer_id: str | None = None,
    to_panel: bool = False,
    outcome: str | None = None,
    user=None,
) -> CarerReview:
    """Correct a review: its date, reviewing officer, whether it went to panel and its outcome."""
    _check_review(review.household, review_date, outcome, review)
    officer_id = check_reviewing_officer(reviewing_officer_id)
    before = audit.snapshot(review, CARER_REVIEW_FIELDS)
    review.review_date, review.reviewing_officer_id = review_date, officer_id
    review.to_panel, review.outcome = bool(to_panel), CarerReviewOutcome.get(outcome)
    _review_audit(review, "carer_review.update", "corrected", before, user)
    return review


def remove_carer_review(review: CarerReview, *, reason: str | None, user=None) -> None:
    """Remove a review recorded by mistake, with the reason: the household's next review is due
    from its previous review again. The audit row keeps the review as it was, and the reason."""
    reason = (reason or "").strip()
    checks.required(reason, "reason", "Enter why the review is being removed")
    checks.plain_text(reason, "reason", "The reason")
    household = review.household
    before = audit.snapshot(review, CARER_REVIEW_FIELDS)
    _review_audit(review, "carer_review.remove", "removed", before, user, after={"reason": reason})
    household.reviews.remove(review)  # delete-orphan
    db.session.flush()


def temporary_approval_end(household: FosterHousehold) -> dt.date | None:
    """The last day of a temporary approval (reg 24: placement start + 16 weeks; reg 25: a further
    8 weeks once extended), by the timescale rules; None for any other carer."""
    if household.carer_type != CarerType.temporary:
        return None
    end = timescales.deadline("connected_temporary_approval", household.approval_date)
    if household.temporary_extended_date is not None:
        end = timescales.deadline("connected_temporary_extension", end)
    return end


def extend_temporary_approval(
    household: FosterHousehold, *, extended_date: dt.date | None, user=None
) -> FosterHousehold:
    """Reg 25: a temporary approval extended once, by a further 8 weeks, agreed (``extended_date``)
    before it ran out."""
    _not_ended(household, "extended")
    if household.carer_type != CarerType.temporary:
        raise DomainError("Only a temporary approval (regulation 24) can be extended", "extended_date")
    if household.temporary_extended_date is not None:
        raise DomainError(
            "This temporary approval was already extended on "
            f"{format_date(household.temporary_extended_date)}: it can be extended only once",
            "extended_date",
        )
    checks.required(extended_date, "extended_date", "Enter the date the extension was agreed")
    checks.not_future(extended_date, "extended_date", "The date the extension was agreed")
    checks.not_before(
        extended_date,
        household.approval_date,
        "extended_date",
        f"The extension must be agreed on or after the placement started ({format_date(household.approval_date)})",
    )
    end = temporary_approval_end(household)
    if extended_date > end:
        raise DomainError(
            f"The temporary approval ran out on {format_date(end)}: an extension must be agreed before it runs out",
            "extended_date",
        )
    before = audit.snapshot(household, HOUSEHOLD_FIELDS)
    household.temporary_extended_date = extended_date
    _household_audit(
        household, "foster_household.extend_temporary_approval", "temporary approval extended", before, user
    )
    return household


def record_full_approval(
    household: FosterHousehold, *, carer_type: str | None, approval_date: dt.date | None, user=None
) -> FosterHousehold:
    """A temporary approval becomes a full approval (connected person or mainstream) on the day
    the ADM approved the household: its reviews are due from that day."""
    _not_ended(household, "approved")
    if household.carer_type != CarerType.temporary:
        raise DomainError("This household is already fully approved", "carer_type")
    checks.code(carer_type, CarerType, "carer_type", "Select the type of approval")
    if CarerType(carer_type) not in FULL_APPROVAL_TYPES:
        raise DomainError("Select a connected person or a mainstream approval", "carer_type")
    checks.required(approval_date, "approval_date", "Enter the date of the full approval")
    checks.not_future(approval_date, "approval_date", "The date of the full approval")
    checks.not_before(
        approval_date,
        household.approval_date,
        "approval_date",
        f"The full approval must be on or after the placement started ({format_date(household.approval_date)})",
    )
    first = _first_review(household)
    if first is not None and approval_date > first.review_date:
        raise DomainError(
            f"The full approval must be on or before the household's first review ({format_date(first.review_date)})",
            "approval_date",
        )
    before = audit.snapshot(household, HOUSEHOLD_FIELDS)
    household.carer_type, household.approval_date = CarerType(carer_type), approval_date
    _household_audit(household, "foster_household.approve", f"fully approved as {carer_type}", before, user)
    return household


# --- review after an allegation: the LADO hook (domain.md §6) ------------------------------
# The LADO marks an own foster carer as returned to panel (003:L1493): a fostering
# ``review_after_allegation`` case appears awaiting a date, linked to the referral (its reference
# only: the referral's details stay LADO-only). The panel adviser names the household later. The
# signal is sent on every save of such a referral, and again on closure: one case per referral.


def review_after_allegation_case(referral) -> PanelCase:
    """The referral's review-after-allegation case: the one that links it already (made before,
    or imported), else a new one awaiting a date (audited ``panel_case.create``)."""
    existing = db.session.scalar(
        select(PanelCase).where(PanelCase.lado_referral_id == referral.referral_id).order_by(PanelCase.case_id).limit(1)
    )
    if existing is not None:
        return existing
    carer_type = CarerType.get(getattr(referral.contact, "foster_carer_type", None))
    case = PanelCase(
        case_id=references.new_ref("panel_case"),
        panel=Panel.fostering,
        meeting_id=None,
        case_type=CaseType.review_after_allegation,
        subject_ref=None,
        carer_type=carer_type,
        lado_referral_id=referral.referral_id,
    )
    db.session.add(case)
    db.session.flush()
    audit.record(
        "panel_case.create",
        object_type="panel_case",
        object_id=case.case_id,
        summary=f"Panel case {case.case_id} (review after an allegation) created from LADO referral "
        f"{referral.referral_id}, awaiting a date",
        after=audit.snapshot(case, ("panel", "case_type", "carer_type", "lado_referral_id")),
    )
    db.session.flush()
    return case


def on_returned_to_panel(referral, **_kwargs) -> None:
    """The receiver of ``tracker.lado.operations.returned_to_panel`` (connected in ``init_app``)."""
    review_after_allegation_case(referral)
