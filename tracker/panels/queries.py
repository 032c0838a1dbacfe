"""The read side of panels (domain.md §7): lists, the ADM queue, returns to panel, the due-item
queries and the indicators' rows. Set-based: one query per list, no Python loop over a table."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased

from tracker.auth.models import User, UserRole
from tracker.core import timescales
from tracker.core.clock import today
from tracker.core.enums import CodeEnum
from tracker.core.kpis import Period
from tracker.core.pagination import Page, paginate
from tracker.core.timescales import DueState, deadline_sql, due_state_sql
from tracker.extensions import db
from tracker.panels.models import (
    AdmDecision,
    CarerReview,
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
    quorate_sql,
)

# --- due items and indicators --------------------------------------------------------------
# The indicator frames (kpis.md §5): one row per meeting or per case heard, each condition a 0/1
# column, so a figure is a SUM and its drill-down the rows where the column is 1. Only what is
# dated on or before the as-of date counts (kpis.md: a later date has not happened yet).


def _flag(condition) -> Any:
    return case((condition, 1), else_=0)


def panel_meetings_in(period: Period):
    """Meetings dated in the period (and on or before as-of), any status: ref, panel, day,
    status, and the flags ``held``, ``cancelled`` and ``quorate`` (a held meeting that was,
    ``models.quorate_sql``)."""
    held = PanelMeeting.status == MeetingStatus.held.value
    return (
        select(
            PanelMeeting.meeting_id.label("ref"),
            PanelMeeting.panel.label("panel"),
            PanelMeeting.meeting_date.label("day"),
            PanelMeeting.status.label("status"),
            _flag(held).label("held"),
            _flag(PanelMeeting.status == MeetingStatus.cancelled.value).label("cancelled"),
            _flag(and_(held, quorate_sql())).label("quorate"),
        )
        .where(PanelMeeting.meeting_date >= period.start, PanelMeeting.meeting_date <= min(period.end, period.as_of))
        .subquery("panel_meetings_in")
    )


def heard_cases(period: Period):
    """Cases heard in the period: on the agenda of a held meeting dated in the period and on or
    before as-of ("cases count at the date of the meeting they were heard at", kpis.md §5).

    Columns: ref, panel (the meeting's), meeting_id, day (the meeting's date), case_type,
    subject_ref, carer_type, recommendation, papers_sent_date, minutes_final_date, adm_decision,
    adm_decision_date, and the flags
    ``papers_ok`` (papers sent on or before meeting − 5 wd, rule ``panel_papers``; no date: not in time),
    ``adm_due`` (final minutes by as-of and a recommendation other than not applicable),
    ``adm_ok`` (of those, decided by minutes + 7 wd, rule ``adm_decision``, and by as-of) and
    ``not_agreed`` (the ADM did not agree, by as-of)."""
    as_of = period.as_of
    decided = and_(PanelCase.adm_decision_date.is_not(None), PanelCase.adm_decision_date <= as_of)
    adm_due = and_(
        PanelCase.minutes_final_date.is_not(None),
        PanelCase.minutes_final_date <= as_of,
        PanelCase.recommendation.is_not(None),
        PanelCase.recommendation != Recommendation.not_applicable.value,
    )
    return (
        select(
            PanelCase.case_id.label("ref"),
            PanelMeeting.panel.label("panel"),
            PanelMeeting.meeting_id.label("meeting_id"),
            PanelMeeting.meeting_date.label("day"),
            PanelCase.case_type.label("case_type"),
            PanelCase.subject_ref.label("subject_ref"),
            PanelCase.carer_type.label("carer_type"),
            PanelCase.recommendation.label("recommendation"),
            PanelCase.papers_sent_date.label("papers_sent_date"),
            PanelCase.minutes_final_date.label("minutes_final_date"),
            PanelCase.adm_decision.label("adm_decision"),
            PanelCase.adm_decision_date.label("adm_decision_date"),
            _flag(
                and_(
                    PanelCase.papers_sent_date.is_not(None),
                    PanelCase.papers_sent_date <= deadline_sql("panel_papers", PanelMeeting.meeting_date),
                )
            ).label("papers_ok"),
            _flag(adm_due).label("adm_due"),
            _flag(
                and_(
                    adm_due,
                    decided,
                    PanelCase.adm_decision_date <= deadline_sql("adm_decision", PanelCase.minutes_final_date),
                )
            ).label("adm_ok"),
            _flag(and_(decided, PanelCase.adm_decision == AdmDecision.not_agreed.value)).label("not_agreed"),
        )
        .join(PanelMeeting, PanelMeeting.meeting_id == PanelCase.meeting_id)
        .where(
            PanelMeeting.status == MeetingStatus.held.value,
            PanelMeeting.meeting_date >= period.start,
            PanelMeeting.meeting_date <= min(period.end, period.as_of),
        )
        .subquery("heard_cases")
    )


# --- meetings, agendas, the ADM queue, the to-return list ----------------------------------
# (helper B)


# --- foster households, returns to panel, temporary approvals --------------------------------
# "As of" a date, only what is dated on or before it has happened (kpis.md preamble): a review
# dated later is not yet a review, a household approved later is not yet approved, one that ended
# on or before it is no longer fostering, a case heard at a meeting dated later is not yet heard.


class ReturnReason(CodeEnum):
    """Why a household's next review goes to panel (domain.md §7); any other goes to the ADM."""

    first = "first", "First review after approval", "blue"
    third_year = "third_year", "Third-year review", "purple"
    after_allegation = "after_allegation", "Review after an allegation", "red"


TEMPORARY_CASE_TYPES = (CaseType.reg25_extension, CaseType.approval)  # what a temporary approval waits for


def review_counts(as_of: dt.date):
    """Per household: the reviews dated on or before ``as_of`` and the latest of them."""
    return (
        select(
            CarerReview.household_id.label("household_id"),
            func.count().label("reviews"),
            func.max(CarerReview.review_date).label("last_review"),
        )
        .where(CarerReview.review_date <= as_of)
        .group_by(CarerReview.household_id)
        .subquery("review_counts")
    )


def case_was_heard(case=PanelCase, as_of: dt.date | None = None):
    """SQL: the case was heard at a held meeting (dated on or before ``as_of``)."""
    meeting = aliased(PanelMeeting)
    conditions = [meeting.meeting_id == case.meeting_id, meeting.status == MeetingStatus.held.value]
    if as_of is not None:
        conditions.append(meeting.meeting_date <= as_of)
    return select(meeting.meeting_id).where(*conditions).exists()


def allegation_pending(household_id, as_of: dt.date):
    """SQL: the household has a review-after-allegation case not yet heard at a held meeting."""
    case_ = aliased(PanelCase)
    return (
        select(case_.case_id)
        .where(
            case_.subject_ref == household_id,
            case_.case_type == CaseType.review_after_allegation.value,
            ~case_was_heard(case_, as_of),
        )
        .exists()
    )


def fostering_on(as_of: dt.date, household=FosterHousehold):
    """SQL: approved on or before ``as_of`` and not ended by then."""
    return and_(household.approval_date <= as_of, or_(household.end_date.is_(None), household.end_date > as_of))


def household_frame(as_of: dt.date):
    """One row per household, with its reviews as at ``as_of`` and why its next review goes to
    panel: ``first`` (no review yet), ``third_year`` (the next is the 3rd, 6th, 9th…) and
    ``after_allegation`` (a review-after-allegation case naming it is not yet heard), as 0/1."""
    rc = review_counts(as_of)
    reviews = func.coalesce(rc.c.reviews, 0)
    return (
        select(
            FosterHousehold.household_id,
            FosterHousehold.name,
            FosterHousehold.carer_type,
            FosterHousehold.approval_date,
            FosterHousehold.status,
            FosterHousehold.end_date,
            FosterHousehold.end_reason,
            FosterHousehold.reviewing_officer_id,
            FosterHousehold.temporary_extended_date,
            reviews.label("reviews"),
            rc.c.last_review,
            case((reviews == 0, 1), else_=0).label("first"),
            case(((reviews + 1) % 3 == 0, 1), else_=0).label("third_year"),
            case((allegation_pending(FosterHousehold.household_id, as_of), 1), else_=0).label("after_allegation"),
            case((fostering_on(as_of), 1), else_=0).label("fostering"),
        )
        .outerjoin(rc, rc.c.household_id == FosterHousehold.household_id)
        .subquery("households")
    )


def carer_review_due(as_of: dt.date):
    """The ``carer_review`` due items (interchange.md §3): one per household fostering on
    ``as_of``; owner its reviewing officer (blank: the fostering team's queue); due its latest
    review dated on or before ``as_of`` (else its approval) + the ``carer_review`` rule."""
    rc = review_counts(as_of)
    anchor = func.coalesce(rc.c.last_review, FosterHousehold.approval_date)
    return (
        select(
            FosterHousehold.household_id.label("ref"),
            FosterHousehold.reviewing_officer_id.label("owner"),
            timescales.deadline_sql("carer_review", anchor).label("due_date"),
            FosterHousehold.household_id.label("record_ref"),
            FosterHousehold.name,
        )
        .outerjoin(rc, rc.c.household_id == FosterHousehold.household_id)
        .where(fostering_on(as_of))
    )


def review_reasons(household_id: str, review_date: dt.date) -> list[ReturnReason]:
    """Why a review of the household on ``review_date`` goes to panel, by the reviews and the
    cases before that day (none: it goes to the ADM)."""
    frame = household_frame(review_date - dt.timedelta(days=1))
    row = db.session.execute(select(frame).where(frame.c.household_id == household_id)).first()
    return _reasons(row) if row is not None else [ReturnReason.first]


def _reasons(row) -> list[ReturnReason]:
    return [r for r in ReturnReason if getattr(row, r.value)]


@dataclass
class HouseholdRow:
    household_id: str
    name: str | None
    carer_type: CarerType
    approval_date: dt.date
    status: HouseholdStatus
    end_date: dt.date | None
    end_reason: EndReason | None
    reviewing_officer_id: str | None
    officer_name: str | None
    temporary_extended_date: dt.date | None
    reviews: int
    last_review: dt.date | None
    due_date: dt.date | None  # the ``carer_review`` item's (None once ended)
    reasons: list[ReturnReason]
    as_of: dt.date

    @property
    def ended(self) -> bool:
        return self.status == HouseholdStatus.ended

    @property
    def to_panel(self) -> bool | None:
        """Whether the next review goes to panel (None: no review is due, the household ended)."""
        return None if self.due_date is None else bool(self.reasons)

    @property
    def due_state(self) -> DueState | None:
        return None if self.due_date is None else timescales.due_state(self.due_date, self.as_of)

    @property
    def officer(self) -> str:
        return self.officer_name or self.reviewing_officer_id or ""


@dataclass
class HouseholdFilters:
    status: str | None = "current"  # current (approved or on hold), approved, on_hold, ended, all
    carer_type: str | None = None
    state: str | None = None  # a due state of the next review
    officer: str | None = None  # an officer id, or "none" (no reviewing officer)
    search: str | None = None  # part of a reference or a name (kept in the session, never in a URL)
    to_panel: bool = False  # only those whose next review goes to panel


def _households_select(as_of: dt.date, filters: HouseholdFilters):
    frame = household_frame(as_of)
    due = carer_review_due(as_of).subquery("due")
    query = (
        select(frame, due.c.due_date, User.name.label("officer_name"))
        .outerjoin(due, due.c.ref == frame.c.household_id)
        .outerjoin(User, User.officer_id == frame.c.reviewing_officer_id)
    )
    if filters.status == "current":
        query = query.where(frame.c.status != HouseholdStatus.ended.value)
    elif HouseholdStatus.get(filters.status) is not None:
        query = query.where(frame.c.status == filters.status)
    if filters.carer_type:
        query = query.where(frame.c.carer_type == filters.carer_type)
    if filters.state:
        query = query.where(due.c.due_date.is_not(None), due_state_sql(due.c.due_date, as_of) == filters.state)
    if filters.officer == "none":
        query = query.where(frame.c.reviewing_officer_id.is_(None))
    elif filters.officer:
        query = query.where(frame.c.reviewing_officer_id == filters.officer)
    if filters.search:
        words = filters.search.strip().lower()
        query = query.where(
            or_(
                func.lower(frame.c.household_id).contains(words, autoescape=True),
                func.lower(func.coalesce(frame.c.name, "")).contains(words, autoescape=True),
            )
        )
    if filters.to_panel:
        query = query.where(
            due.c.due_date.is_not(None), (frame.c.first + frame.c.third_year + frame.c.after_allegation) > 0
        )
    sub = query.subquery("listed")
    return select(sub).order_by(sub.c.due_date.is_(None), sub.c.due_date, sub.c.household_id)


def _household_rows(rows, as_of: dt.date) -> list[HouseholdRow]:
    return [
        HouseholdRow(
            household_id=r.household_id,
            name=r.name,
            carer_type=CarerType(r.carer_type),
            approval_date=r.approval_date,
            status=HouseholdStatus(r.status),
            end_date=r.end_date,
            end_reason=EndReason.get(r.end_reason),
            reviewing_officer_id=r.reviewing_officer_id,
            officer_name=r.officer_name,
            temporary_extended_date=r.temporary_extended_date,
            reviews=r.reviews,
            last_review=r.last_review,
            due_date=r.due_date,
            reasons=_reasons(r),
            as_of=as_of,
        )
        for r in rows
    ]


def households_page(filters: HouseholdFilters, page: int = 1, per_page: int = 50, as_of: dt.date | None = None) -> Page:
    as_of = as_of or today()
    found = paginate(_households_select(as_of, filters), page, per_page, scalars=False)
    return dataclasses.replace(found, items=_household_rows(found.items, as_of))


def households(filters: HouseholdFilters, as_of: dt.date | None = None) -> list[HouseholdRow]:
    """Every row of the list (its download, the returns to panel), in the list's order."""
    as_of = as_of or today()
    return _household_rows(db.session.execute(_households_select(as_of, filters)).all(), as_of)


def household_row(household_id: str, as_of: dt.date | None = None) -> HouseholdRow | None:
    """One household as the lists show it (its page reads its next review and reasons here)."""
    as_of = as_of or today()
    sub = _households_select(as_of, HouseholdFilters(status="all")).subquery()
    rows = db.session.execute(select(sub).where(sub.c.household_id == household_id)).all()
    return _household_rows(rows, as_of)[0] if rows else None


def returns_to_panel(as_of: dt.date | None = None) -> list[HouseholdRow]:
    """Households whose next review must go to panel (first, third-year, after an allegation),
    the review due first."""
    return households(HouseholdFilters(status="current", to_panel=True), as_of)


def reviewing_officers() -> list[tuple[str, str]]:
    """(officer_id, name) of the fostering reviewing officers: enabled users with an officer id
    and the panel_admin role, and every officer already named by a household, by name."""
    named = select(FosterHousehold.reviewing_officer_id).where(FosterHousehold.reviewing_officer_id.is_not(None))
    panel_admins = select(UserRole.user_id).where(UserRole.user_id == User.id, UserRole.role == "panel_admin")
    rows = db.session.execute(
        select(User.officer_id, User.name)
        .where(
            User.officer_id.is_not(None),
            or_(and_(User.active.is_(True), panel_admins.exists()), User.officer_id.in_(named)),
        )
        .order_by(User.name, User.officer_id)
    )
    return [(officer_id, name or officer_id) for officer_id, name in rows]


# --- a household's reviews and panel history -----------------------------------------------


@dataclass
class HouseholdCaseRow:
    case_id: str
    panel: Panel
    case_type: CaseType
    meeting_id: str | None
    meeting_date: dt.date | None
    meeting_status: MeetingStatus | None
    recommendation: Recommendation | None
    adm_decision: AdmDecision | None
    adm_decision_date: dt.date | None
    lado_referral_id: str | None


def panel_history(household_id: str) -> list[HouseholdCaseRow]:
    """The panel cases naming the household (subject_ref), latest meeting first, those awaiting a
    date on top. The LADO referral of a review after an allegation is its reference only."""
    rows = db.session.execute(
        select(PanelCase, PanelMeeting.meeting_date, PanelMeeting.status)
        .outerjoin(PanelMeeting, PanelMeeting.meeting_id == PanelCase.meeting_id)
        .where(PanelCase.subject_ref == household_id)
        .order_by(PanelMeeting.meeting_date.is_not(None), PanelMeeting.meeting_date.desc(), PanelCase.case_id)
    ).all()
    return [
        HouseholdCaseRow(
            case_id=c.case_id,
            panel=Panel(c.panel),
            case_type=CaseType(c.case_type),
            meeting_id=c.meeting_id,
            meeting_date=meeting_date,
            meeting_status=MeetingStatus.get(status),
            recommendation=Recommendation.get(c.recommendation),
            adm_decision=AdmDecision.get(c.adm_decision),
            adm_decision_date=c.adm_decision_date,
            lado_referral_id=c.lado_referral_id,
        )
        for c, meeting_date, status in rows
    ]


@dataclass
class AwaitingCase:
    case_id: str
    carer_type: CarerType | None
    lado_referral_id: str | None
    meeting_id: str | None
    meeting_date: dt.date | None


def unnamed_allegation_cases(as_of: dt.date | None = None) -> list[AwaitingCase]:
    """Reviews after an allegation not yet heard whose household the panel adviser has still to
    name (made by the LADO hook): awaiting a date, or booked."""
    as_of = as_of or today()
    rows = db.session.execute(
        select(PanelCase, PanelMeeting.meeting_date)
        .outerjoin(PanelMeeting, PanelMeeting.meeting_id == PanelCase.meeting_id)
        .where(
            PanelCase.case_type == CaseType.review_after_allegation.value,
            PanelCase.subject_ref.is_(None),
            ~case_was_heard(PanelCase, as_of),
        )
        .order_by(PanelCase.case_id)
    ).all()
    return [
        AwaitingCase(c.case_id, CarerType.get(c.carer_type), c.lado_referral_id, c.meeting_id, meeting_date)
        for c, meeting_date in rows
    ]


def cases_for_referral(referral) -> list[str]:
    """The panel cases a LADO referral caused (their references only): for the referral's page."""
    return list(
        db.session.scalars(
            select(PanelCase.case_id)
            .where(PanelCase.lado_referral_id == referral.referral_id)
            .order_by(PanelCase.case_id)
        )
    )


# --- connected-person temporary approvals (reg 24–25, domain.md §3) ---------------------------


@dataclass
class BookedCase:
    case_id: str
    case_type: CaseType
    meeting_id: str | None
    meeting_date: dt.date | None  # None: awaiting a date


@dataclass
class TemporaryRow:
    household_id: str
    name: str | None
    placement_start: dt.date
    extended_date: dt.date | None
    end_date: dt.date
    as_of: dt.date
    booked: list[BookedCase]

    @property
    def state(self) -> DueState:
        return timescales.due_state(self.end_date, self.as_of)

    @property
    def may_extend(self) -> bool:
        return self.extended_date is None and self.end_date >= self.as_of


def temporary_approvals(as_of: dt.date | None = None) -> list[TemporaryRow]:
    """Temporary approvals (reg 24) not ended, with their end date (extended once under reg 25),
    earliest end first, and the reg 25 extension or approval cases booked for them."""
    as_of = as_of or today()
    base = (
        select(
            FosterHousehold.household_id,
            FosterHousehold.name,
            FosterHousehold.approval_date,
            FosterHousehold.temporary_extended_date,
            timescales.deadline_sql("connected_temporary_approval", FosterHousehold.approval_date).label("first_end"),
        )
        .where(FosterHousehold.carer_type == CarerType.temporary.value, fostering_on(as_of))
        .subquery("temporary")
    )
    end = case(
        (
            base.c.temporary_extended_date.is_not(None),
            timescales.deadline_sql("connected_temporary_extension", base.c.first_end),
        ),
        else_=base.c.first_end,
    )
    listed = select(base, end.label("end_date")).subquery("ends")
    rows = db.session.execute(select(listed).order_by(listed.c.end_date, listed.c.household_id)).all()
    booked = booked_cases([r.household_id for r in rows])
    return [
        TemporaryRow(
            household_id=r.household_id,
            name=r.name,
            placement_start=r.approval_date,
            extended_date=r.temporary_extended_date,
            end_date=r.end_date,
            as_of=as_of,
            booked=booked.get(r.household_id, []),
        )
        for r in rows
    ]


def booked_cases(household_ids) -> dict[str, list[BookedCase]]:
    """household_id → its reg 25 extension and approval cases not yet heard: at a booked meeting,
    or awaiting a date (one query for the households given)."""
    if not household_ids:
        return {}
    rows = db.session.execute(
        select(PanelCase.subject_ref, PanelCase.case_id, PanelCase.case_type, PanelCase.meeting_id, PanelMeeting)
        .outerjoin(PanelMeeting, PanelMeeting.meeting_id == PanelCase.meeting_id)
        .where(
            PanelCase.subject_ref.in_(list(household_ids)),
            PanelCase.case_type.in_([t.value for t in TEMPORARY_CASE_TYPES]),
            or_(PanelCase.meeting_id.is_(None), PanelMeeting.status == MeetingStatus.booked.value),
        )
        .order_by(PanelMeeting.meeting_date.is_(None), PanelMeeting.meeting_date, PanelCase.case_id)
    ).all()
    found: dict[str, list[BookedCase]] = {}
    for subject, case_id, case_type, meeting_id, meeting in rows:
        found.setdefault(subject, []).append(
            BookedCase(case_id, CaseType(case_type), meeting_id, meeting.meeting_date if meeting else None)
        )
    return found
