"""Every change to panel meetings, panel cases, foster households and carer reviews (domain.md
§7). Each operation checks its rule, changes the rows, writes one audit row and flushes; the
request lifecycle (or the import, or the LADO hook) commits.

The row rules (``check_*``) are also what the import applies to each row of panel_meetings.csv,
panel_cases.csv, foster_households.csv and carer_reviews.csv.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, or_, select

from tracker.core import checks, references
from tracker.core.errors import DomainError
from tracker.panels.models import (
    AdmDecision,
    CarerReview,
    CarerType,
    CaseType,
    FosterHousehold,
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
# (helper C)


# --- review after an allegation: the LADO hook (domain.md §6) ------------------------------
# (helper C)
