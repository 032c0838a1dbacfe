"""Every change to panel meetings, panel cases, foster households and carer reviews (domain.md
§7). Each operation checks its rule, changes the rows, writes one audit row and flushes; the
request lifecycle (or the import, or the LADO hook) commits.

The row rules (``check_*``) are also what the import applies to each row of panel_meetings.csv,
panel_cases.csv, foster_households.csv and carer_reviews.csv.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, or_, select

from tracker.auth.models import user_by_officer_id
from tracker.core import audit, calendar, checks, references, timescales
from tracker.core.clock import today
from tracker.core.enums import CodeEnum
from tracker.core.errors import DomainError
from tracker.extensions import db
from tracker.formatters import format_date
from tracker.panels.models import (
    QUORUM,
    AdmDecision,
    CarerReview,
    CarerReviewOutcome,
    CarerType,
    CaseType,
    EndReason,
    FosterHousehold,
    HouseholdStatus,
    MeetingStatus,
    MemberRole,
    Panel,
    PanelCase,
    PanelMeeting,
    PanelMember,
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
# The panel adviser books meetings (one, or a year's calendar at once), adds cases to an agenda
# (or leaves them awaiting a date), records who attended (quoracy is derived, domain.md §7),
# cancels a meeting (its cases without a recommendation go back to awaiting a date) and records
# each case's recommendation and final minutes; the Agency Decision Maker records the decision
# (agreed / not agreed, reasons required when not agreed) within 7 working days of the minutes.

MEETING_FIELDS = (
    "meeting_id",
    "panel",
    "meeting_date",
    "status",
    "cancelled_reason",
    "members_present",
    "chair_present",
    "social_worker_present",
    "independent_present",
)
ATTENDANCE_FIELDS = ("members_present", "chair_present", "social_worker_present", "independent_present")
CASE_FIELDS = (
    "case_id",
    "panel",
    "meeting_id",
    "case_type",
    "subject_ref",
    "carer_type",
    "papers_sent_date",
    "recommendation",
    "minutes_final_date",
    "adm_decision",
    "adm_decision_date",
    "adm_reasons",
    "lado_referral_id",
)
CASE_DETAIL_FIELDS = ("meeting_id", "case_type", "subject_ref", "carer_type", "papers_sent_date")
OUTCOME_FIELDS = ("recommendation", "minutes_final_date")
DECISION_FIELDS = ("adm_decision", "adm_decision_date", "adm_reasons")
MAX_MEMBERS = 20  # rows of the attendance form
MEMBER_NAME_LENGTH = 200


class Weekday(CodeEnum):
    """The day of the week a panel sits on (booking a year's calendar)."""

    monday = "0", "Monday"
    tuesday = "1", "Tuesday"
    wednesday = "2", "Wednesday"
    thursday = "3", "Thursday"
    friday = "4", "Friday"


class WeekOfMonth(CodeEnum):
    """Which of a month's weekdays ("the 1st and 3rd Tuesday of each month")."""

    first = "1", "1st"
    second = "2", "2nd"
    third = "3", "3rd"
    fourth = "4", "4th"
    last = "last", "Last"


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _panel(panel) -> Panel:
    return checks.code(panel, Panel, "panel", "Select the panel")


def _meeting_label(meeting: PanelMeeting) -> str:
    return f"the {Panel(meeting.panel).label.lower()} on {format_date(meeting.meeting_date)}"


def _meeting_sentence(meeting: PanelMeeting) -> str:
    """``_meeting_label`` at the start of a sentence."""
    label = _meeting_label(meeting)
    return label[:1].upper() + label[1:]


def _live_meeting_on(panel: Panel, day: dt.date, other_than: str | None = None) -> PanelMeeting | None:
    """The panel's meeting on ``day`` that is booked or held (a cancelled one does not count)."""
    query = select(PanelMeeting).where(
        PanelMeeting.panel == panel,
        PanelMeeting.meeting_date == day,
        PanelMeeting.status != MeetingStatus.cancelled,
    )
    if other_than is not None:
        query = query.where(PanelMeeting.meeting_id != other_than)
    return db.session.scalars(query.limit(1)).first()


def _check_meeting_date(panel: Panel, day: dt.date | None, other_than: str | None = None) -> None:
    checks.required(day, "meeting_date", "Enter the date of the meeting")
    checks.date_in_range(day, "meeting_date", "The date of the meeting", ahead=True)
    if _live_meeting_on(panel, day, other_than) is not None:
        raise DomainError(
            f"The {panel.label.lower()} already has a meeting on {format_date(day)}: choose another date",
            "meeting_date",
        )


def book_meeting(*, panel: str, meeting_date: dt.date | None, user=None) -> PanelMeeting:
    """Book one meeting of a panel (status ``booked``); one panel meets at most once a day."""
    panel = _panel(panel)
    _check_meeting_date(panel, meeting_date)
    meeting = PanelMeeting(
        meeting_id=references.new_ref("panel_meeting"),
        panel=panel,
        meeting_date=meeting_date,
        status=MeetingStatus.booked,
    )
    db.session.add(meeting)
    db.session.flush()
    audit.record(
        "panel_meeting.create",
        object_type="panel_meeting",
        object_id=meeting.meeting_id,
        summary=f"Meeting {meeting.meeting_id} of the {panel.label.lower()} booked for {meeting_date.isoformat()}",
        after=audit.snapshot(meeting, MEETING_FIELDS),
        user=user,
    )
    return meeting


def edit_meeting(meeting: PanelMeeting, *, meeting_date: dt.date | None, user=None) -> PanelMeeting:
    """Move a booked meeting to another date (its cases move with it; their papers deadline follows)."""
    if meeting.status is not MeetingStatus.booked:
        raise DomainError(f"This meeting is {meeting.status.label.lower()}: only a booked meeting can be moved")
    _check_meeting_date(Panel(meeting.panel), meeting_date, other_than=meeting.meeting_id)
    late = [c.case_id for c in meeting.cases if c.papers_sent_date is not None and c.papers_sent_date > meeting_date]
    if late:
        raise DomainError(
            f"The papers of case {late[0]} were sent after that date: choose a date on or after "
            f"{format_date(max(c.papers_sent_date for c in meeting.cases if c.papers_sent_date))}",
            "meeting_date",
        )
    before = audit.snapshot(meeting, ("meeting_date",))
    meeting.meeting_date = meeting_date
    db.session.flush()
    audit.record(
        "panel_meeting.update",
        object_type="panel_meeting",
        object_id=meeting.meeting_id,
        summary=f"Meeting {meeting.meeting_id} moved to {meeting_date.isoformat()}",
        before=before,
        after=audit.snapshot(meeting, ("meeting_date",)),
        user=user,
    )
    return meeting


@dataclass(frozen=True)
class YearPlan:
    """The dates a pattern gives between two dates, and what booking them would do."""

    panel: Panel
    dates: list[dt.date]  # every date of the pattern
    to_book: list[dt.date]
    already_booked: list[dt.date]  # the panel has a meeting that day
    not_working: list[tuple[dt.date, str]]  # a bank holiday or closure day: (date, why)


def pattern_dates(first: dt.date, last: dt.date, weekday: Weekday, weeks) -> list[dt.date]:
    """The dates from ``first`` to ``last`` that are the chosen weeks' ``weekday`` of each month
    (the 1st and 3rd Tuesday...)."""
    chosen = {WeekOfMonth(w) for w in weeks}
    found: set[dt.date] = set()
    month = first.replace(day=1)
    while month <= last:
        days = [
            month + dt.timedelta(days=i)
            for i in range(stdlib_calendar.monthrange(month.year, month.month)[1])
            if (month + dt.timedelta(days=i)).weekday() == int(weekday)
        ]
        for week in chosen:
            found.add(days[-1] if week is WeekOfMonth.last else days[int(week) - 1])
        month = calendar.add_months(month, 1)
    return sorted(d for d in found if first <= d <= last)


def plan_year(
    *, panel: str, first_date: dt.date | None, last_date: dt.date | None, weekday: str | None, weeks
) -> YearPlan:
    """What booking a calendar would do (the preview, and ``book_year``'s plan): the pattern's
    dates, less those the panel already has a meeting on and those that are not working days."""
    panel = _panel(panel)
    checks.required(first_date, "first_date", "Enter the date of the first meeting")
    checks.required(last_date, "last_date", "Enter the last date to book up to")
    checks.date_in_range(first_date, "first_date", "The first date", ahead=True)
    checks.date_in_range(last_date, "last_date", "The last date", ahead=True)
    checks.not_before(last_date, first_date, "last_date", "The last date must be on or after the first date")
    if last_date >= calendar.add_months(first_date, 12):
        raise DomainError(
            "Book up to a year at once: the last date must be less than 12 months after the first", "last_date"
        )
    day = checks.code(weekday, Weekday, "weekday", "Select the day of the week the panel meets")
    weeks = [w for w in (weeks or []) if w]
    checks.required(weeks, "weeks", "Select which weeks of the month the panel meets")
    for week in weeks:
        checks.code(week, WeekOfMonth, "weeks", "Select which weeks of the month the panel meets")
    dates = pattern_dates(first_date, last_date, day, weeks)
    booked = set(
        db.session.scalars(
            select(PanelMeeting.meeting_date).where(
                PanelMeeting.panel == panel,
                PanelMeeting.meeting_date.between(first_date, last_date),
                PanelMeeting.status != MeetingStatus.cancelled,
            )
        )
    )
    to_book, already, not_working = [], [], []
    for d in dates:
        if d in booked:
            already.append(d)
        elif not calendar.is_working_day(d):
            not_working.append((d, calendar.bank_holidays(d.year).get(d, "closure day")))
        else:
            to_book.append(d)
    return YearPlan(panel, dates, to_book, already, not_working)


def book_year(
    *, panel: str, first_date: dt.date | None, last_date: dt.date | None, weekday: str | None, weeks, user=None
) -> tuple[YearPlan, list[PanelMeeting]]:
    """Book a panel's calendar at once (up to a year): a meeting on each date of the pattern,
    skipping the dates the panel already has a meeting on and the non-working days (the plan
    says which). One audit row names every meeting booked."""
    plan = plan_year(panel=panel, first_date=first_date, last_date=last_date, weekday=weekday, weeks=weeks)
    if not plan.to_book:
        raise DomainError(
            "There are no dates to book between these dates: every date is booked already or is not a working day",
            "first_date",
        )
    meetings = [
        PanelMeeting(
            meeting_id=references.new_ref("panel_meeting"),
            panel=plan.panel,
            meeting_date=d,
            status=MeetingStatus.booked,
        )
        for d in plan.to_book
    ]
    db.session.add_all(meetings)
    db.session.flush()
    audit.record(
        "panel_meeting.book",
        object_type="panel_meeting",
        object_id=f"{meetings[0].meeting_id}-{meetings[-1].meeting_id}"
        if len(meetings) > 1
        else meetings[0].meeting_id,
        summary=f"{len(meetings)} meetings of the {plan.panel.label.lower()} booked from "
        f"{plan.to_book[0].isoformat()} to {plan.to_book[-1].isoformat()}",
        after={
            "panel": plan.panel,
            "meetings": {m.meeting_id: m.meeting_date for m in meetings},
            "skipped_already_booked": plan.already_booked,
            "skipped_not_working": [d for d, _ in plan.not_working],
        },
        user=user,
    )
    return plan, meetings


def cancel_meeting(meeting: PanelMeeting, *, reason: str | None, user=None) -> list[PanelCase]:
    """Cancel a booked meeting, with the reason. Its cases without a recommendation go back to
    awaiting a date (returned, so the page can say how many)."""
    if meeting.status is MeetingStatus.cancelled:
        raise DomainError("This meeting is already cancelled")
    if meeting.status is MeetingStatus.held:
        raise DomainError("This meeting was held: it cannot be cancelled")
    reason = _text(reason)
    checks.required(reason, "reason", "Enter why the meeting is cancelled")
    checks.plain_text(reason, "reason", "Reason")
    before = audit.snapshot(meeting, ("status", "cancelled_reason"))
    moved = [c for c in meeting.cases if c.recommendation is None]
    for c in moved:
        c.meeting_id = None
        c.meeting = None
    meeting.status = MeetingStatus.cancelled
    meeting.cancelled_reason = reason
    db.session.flush()
    audit.record(
        "panel_meeting.cancel",
        object_type="panel_meeting",
        object_id=meeting.meeting_id,
        summary=f"Meeting {meeting.meeting_id} cancelled: {len(moved)} cases back to awaiting a date",
        before=before,
        after={
            **audit.snapshot(meeting, ("status", "cancelled_reason")),
            "cases_awaiting_a_date": [c.case_id for c in moved],
        },
        user=user,
    )
    return moved


def quoracy_gaps(
    panel: Panel, members_present: int | None, chair: bool, social_worker: bool, independent: bool
) -> list[str]:
    """What a meeting lacks to be quorate (domain.md §7), in words; empty when it is quorate.
    ``PanelMeeting.quorate`` is the rule; this says why not."""
    gaps = []
    count = members_present or 0
    if count < QUORUM:
        gaps.append(f"{count} member{'s' if count != 1 else ''} present: at least {QUORUM} are needed")
    if not chair:
        gaps.append("no chair or vice-chair")
    if not social_worker:
        gaps.append("no social worker")
    if Panel(panel).needs_independent_member and not independent:
        gaps.append("no independent member (an adoption panel needs one)")
    return gaps


def meeting_gaps(meeting: PanelMeeting) -> list[str]:
    return quoracy_gaps(
        meeting.panel,
        meeting.members_present,
        meeting.chair_present,
        meeting.social_worker_present,
        meeting.independent_present,
    )


def _attendance(meeting: PanelMeeting) -> dict:
    return {
        **audit.snapshot(meeting, ATTENDANCE_FIELDS),
        "members": [{"name": m.name, "role": m.role.value} for m in meeting.members],
    }


def record_attendance(meeting: PanelMeeting, *, members, user=None) -> PanelMeeting:
    """The members present (before the meeting: those expected), each with the role they sit
    in; the counts and flags quoracy reads are derived from them. ``members`` is a list of
    (name, role) pairs; pairs with neither are ignored."""
    if meeting.status is MeetingStatus.cancelled:
        raise DomainError("This meeting was cancelled: its attendance cannot be recorded")
    rows = []
    for i, (name, role) in enumerate(members or [], 1):
        name = _text(name)
        if name is None and not role:
            continue
        field = f"members-{i - 1}"
        if name is None:
            raise DomainError(f"Enter the name of member {i}", f"{field}-name")
        checks.plain_text(name, f"{field}-name", f"The name of member {i}", multiline=False)
        if len(name) > MEMBER_NAME_LENGTH:
            raise DomainError(
                f"The name of member {i} must be {MEMBER_NAME_LENGTH} characters or fewer", f"{field}-name"
            )
        role = checks.code(role, MemberRole, f"{field}-role", f"Select the role {name} sat in")
        rows.append((name, role))
    if len(rows) > MAX_MEMBERS:
        raise DomainError(f"Record at most {MAX_MEMBERS} members")
    roles = {role for _, role in rows}
    facts = {
        "members_present": len(rows),
        "chair_present": bool(roles & {MemberRole.chair, MemberRole.vice_chair}),
        "social_worker_present": MemberRole.social_worker in roles,
        "independent_present": MemberRole.independent in roles,
    }
    heard = [c.case_id for c in meeting.cases if c.recommendation is not None]
    gaps = quoracy_gaps(meeting.panel, facts["members_present"], facts["chair_present"],
                        facts["social_worker_present"], facts["independent_present"])  # fmt: skip
    if heard and gaps:
        raise DomainError(
            f"Recommendations are recorded at this meeting (case {heard[0]}), so it must stay quorate: "
            + "; ".join(gaps),
            "members-0-name",
        )
    before = _attendance(meeting)
    meeting.members = [PanelMember(name=name, role=role) for name, role in rows]
    for key, value in facts.items():
        setattr(meeting, key, value)
    db.session.flush()
    after = _attendance(meeting)
    audit.record(
        "panel_meeting.attendance",
        object_type="panel_meeting",
        object_id=meeting.meeting_id,
        summary=f"Attendance of meeting {meeting.meeting_id} recorded: {len(rows)} members, "
        + ("quorate" if meeting.quorate else "not quorate"),
        before=before,
        after=after,
        user=user,
    )
    return meeting


def _check_case_type(panel: Panel, case_type) -> CaseType:
    kind = checks.code(case_type, CaseType, "case_type", "Select the type of case")
    if kind not in panel.case_types:
        raise DomainError(f"{kind.label} is not a type of case the {panel.label.lower()} hears", "case_type")
    return kind


def _check_subject(subject_ref: str | None) -> str | None:
    subject_ref = _text(subject_ref)
    checks.reference(subject_ref, "subject_ref", "The subject's reference")
    return subject_ref


def _target_meeting(panel: Panel, meeting_id: str | None, *, held: bool = False) -> PanelMeeting | None:
    """The meeting a case is added or moved to: a booked meeting of the same panel — or, for a
    case added after the event (``held``), a meeting it held — None: awaiting a date."""
    meeting_id = _text(meeting_id)
    if meeting_id is None:
        return None
    meeting = db.session.get(PanelMeeting, meeting_id)
    if meeting is None:
        raise DomainError("There is no such meeting: choose a booked meeting or awaiting a date", "meeting_id")
    if meeting.panel != panel:
        raise DomainError(
            f"Meeting {meeting_id} is a meeting of the {Panel(meeting.panel).label.lower()}", "meeting_id"
        )
    if not (meeting.status is MeetingStatus.booked or (held and meeting.status is MeetingStatus.held)):
        raise DomainError(
            f"{_meeting_sentence(meeting)} is {meeting.status.label.lower()}: choose a booked meeting",
            "meeting_id",
        )
    return meeting


def _check_papers(papers_sent_date: dt.date | None, meeting: PanelMeeting | None) -> None:
    checks.not_future(papers_sent_date, "papers_sent_date", "The date the papers were sent")
    if meeting is not None:
        checks.not_before(
            meeting.meeting_date,
            papers_sent_date,
            "papers_sent_date",
            f"The papers must be sent on or before the day of the meeting ({format_date(meeting.meeting_date)})",
        )


def add_case(
    *,
    panel: str,
    case_type: str | None,
    subject_ref: str | None,
    carer_type: str | None = None,
    meeting_id: str | None = None,
    papers_sent_date: dt.date | None = None,
    user=None,
) -> PanelCase:
    """Add a case for a panel: on a booked meeting's agenda (or a held one's, recorded after the
    event), or awaiting a date."""
    panel = _panel(panel)
    kind = _check_case_type(panel, case_type)
    subject_ref = _check_subject(subject_ref)
    carer = checks.code(carer_type, CarerType, "carer_type", "", required_=False)
    meeting = _target_meeting(panel, meeting_id, held=True)
    _check_papers(papers_sent_date, meeting)
    case_ = PanelCase(
        case_id=references.new_ref("panel_case"),
        panel=panel,
        meeting_id=meeting.meeting_id if meeting else None,
        case_type=kind,
        subject_ref=subject_ref,
        carer_type=carer,
        papers_sent_date=papers_sent_date,
    )
    db.session.add(case_)
    db.session.flush()
    where = f"on the agenda of meeting {meeting.meeting_id}" if meeting else "awaiting a date"
    audit.record(
        "panel_case.create",
        object_type="panel_case",
        object_id=case_.case_id,
        summary=f"Case {case_.case_id} ({kind}) added for the {panel.label.lower()}, {where}",
        after=audit.snapshot(case_, CASE_FIELDS),
        user=user,
    )
    return case_


def edit_case(
    case_: PanelCase,
    *,
    case_type: str | None,
    subject_ref: str | None,
    carer_type: str | None,
    meeting_id: str | None,
    papers_sent_date: dt.date | None,
    user=None,
) -> PanelCase:
    """Correct a case's details, or move it to another booked meeting of its panel (or back to
    awaiting a date). A case with a recommendation stays at the meeting that heard it."""
    panel = Panel(case_.panel)
    kind = _check_case_type(panel, case_type)
    subject_ref = _check_subject(subject_ref)
    carer = checks.code(carer_type, CarerType, "carer_type", "", required_=False)
    meeting_id = _text(meeting_id)
    if meeting_id == case_.meeting_id:
        meeting = case_.meeting
    elif case_.recommendation is not None:
        raise DomainError(
            f"This case was heard at {_meeting_label(case_.meeting)}: it cannot move to another meeting", "meeting_id"
        )
    else:
        meeting = _target_meeting(panel, meeting_id)
    _check_papers(papers_sent_date, meeting)
    before = audit.snapshot(case_, CASE_DETAIL_FIELDS)
    case_.case_type, case_.subject_ref, case_.carer_type = kind, subject_ref, carer
    case_.meeting = meeting
    case_.meeting_id = meeting.meeting_id if meeting else None
    case_.papers_sent_date = papers_sent_date
    db.session.flush()
    b, a = audit.changed(before, audit.snapshot(case_, CASE_DETAIL_FIELDS))
    moved = "meeting_id" in a
    audit.record(
        "panel_case.update",
        object_type="panel_case",
        object_id=case_.case_id,
        summary=f"Case {case_.case_id} "
        + (
            (f"moved to meeting {case_.meeting_id}" if case_.meeting_id else "moved back to awaiting a date")
            if moved
            else "details corrected"
        ),
        before=b,
        after=a,
        user=user,
    )
    return case_


def outcome_refusal(case_: PanelCase) -> str | None:
    """Why a recommendation cannot be recorded for this case now (None: it can): it has no
    meeting, its meeting was cancelled or has not happened yet, or the panel was not quorate
    (an inquorate panel cannot make recommendations, domain.md §7)."""
    meeting = case_.meeting
    if meeting is None:
        return "This case is awaiting a date: add it to a meeting before recording a recommendation"
    if meeting.status is MeetingStatus.cancelled:
        return f"{_meeting_sentence(meeting)} was cancelled: move the case to another meeting"
    if meeting.meeting_date > today():
        return f"{_meeting_sentence(meeting)} has not happened yet: record the recommendation after it"
    gaps = meeting_gaps(meeting)
    if gaps:
        return (
            f"{_meeting_sentence(meeting)} was not quorate ({'; '.join(gaps)}), so it cannot make "
            "recommendations: record who attended, or move the case to another meeting"
        )
    return None


def record_outcome(
    case_: PanelCase, *, recommendation: str | None, minutes_final_date: dt.date | None, user=None
) -> PanelCase:
    """The panel's recommendation and the date its minutes were finalised (blank until they
    are). Recording it marks a booked meeting held once its date has come."""
    refusal = outcome_refusal(case_)
    if refusal:
        raise DomainError(refusal, "recommendation")
    if case_.adm_decision is not None:
        raise DomainError(
            f"The Agency Decision Maker decided on this recommendation on {format_date(case_.adm_decision_date)}: "
            "it can no longer be changed",
            "recommendation",
        )
    rec = checks.code(recommendation, Recommendation, "recommendation", "Select the panel's recommendation")
    meeting = case_.meeting
    checks.not_future(minutes_final_date, "minutes_final_date", "The date the minutes were finalised")
    checks.not_before(
        minutes_final_date,
        meeting.meeting_date,
        "minutes_final_date",
        f"The minutes must be finalised on or after the day of the meeting ({format_date(meeting.meeting_date)})",
    )
    before = audit.snapshot(case_, OUTCOME_FIELDS)
    case_.recommendation, case_.minutes_final_date = rec, minutes_final_date
    after = audit.snapshot(case_, OUTCOME_FIELDS)
    if meeting.status is MeetingStatus.booked:
        meeting.status = MeetingStatus.held
        after["meeting_status"] = MeetingStatus.held.value
    db.session.flush()
    audit.record(
        "panel_case.outcome",
        object_type="panel_case",
        object_id=case_.case_id,
        summary=f"Recommendation for case {case_.case_id} at meeting {meeting.meeting_id}: {rec}",
        before=before,
        after=after,
        user=user,
    )
    return case_


def decision_refusal(case_: PanelCase) -> str | None:
    """Why the ADM cannot decide on this case (None: they can): no recommendation yet, a
    recommendation that needs no decision, or minutes not yet final."""
    if case_.recommendation is None:
        return "The panel has not made a recommendation on this case yet"
    if case_.recommendation is Recommendation.not_applicable:
        return "This case needs no decision: the panel's recommendation is not applicable"
    if case_.minutes_final_date is None:
        return "The panel's minutes are not final yet: the decision follows the final minutes"
    return None


def record_decision(
    case_: PanelCase, *, decision: str | None, decision_date: dt.date | None, reasons: str | None, user=None
) -> PanelCase:
    """The Agency Decision Maker's decision on the panel's recommendation: agreed or not agreed
    (reasons required then), dated on or after the final minutes and not after today."""
    refusal = decision_refusal(case_)
    if refusal:
        raise DomainError(refusal, "decision")
    member = checks.code(decision, AdmDecision, "decision", "Select whether you agree with the recommendation")
    checks.required(decision_date, "decision_date", "Enter the date of the decision")
    checks.not_future(decision_date, "decision_date", "The date of the decision")
    checks.not_before(
        decision_date,
        case_.minutes_final_date,
        "decision_date",
        f"The decision must be on or after the day the minutes were finalised ({format_date(case_.minutes_final_date)})",
    )
    reasons = _text(reasons)
    if member is AdmDecision.not_agreed:
        checks.required(reasons, "reasons", "Enter the reasons for not agreeing with the recommendation")
    checks.plain_text(reasons, "reasons", "Reasons")
    before = audit.snapshot(case_, DECISION_FIELDS)
    case_.adm_decision, case_.adm_decision_date, case_.adm_reasons = member, decision_date, reasons
    db.session.flush()
    audit.record(
        "panel_case.decision",
        object_type="panel_case",
        object_id=case_.case_id,
        summary=f"ADM decision on case {case_.case_id}: {member}",
        before=before,
        after=audit.snapshot(case_, DECISION_FIELDS),
        user=user,
    )
    return case_


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
