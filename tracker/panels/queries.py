"""The read side of panels (domain.md §7): lists, the ADM queue, returns to panel, the due-item
queries and the indicators' rows. Set-based: one query per list, no Python loop over a table."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, literal_column, or_, select
from sqlalchemy.orm import aliased, joinedload

from tracker.auth.models import User, UserRole
from tracker.core import timescales, worklist
from tracker.core.clock import today
from tracker.core.enums import CodeEnum, Timeliness
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


def heard_case_counts(period: Period, panel: str) -> dict[tuple[str, str | None, str | None], int]:
    """Cases heard in the period at ``panel``'s meetings by (case type, carer type, recommendation):
    the fostering panel report's table of case types × recommendations with approvals split
    mainstream / connected (000:L676–683, kpis.md §7). One GROUP BY over ``heard_cases``, the
    frame of ``panel.<panel>.cases.*`` and ``recommendation.*``, so the table adds up to them."""
    cf = heard_cases(period)
    rows = db.session.execute(
        select(cf.c.case_type, cf.c.carer_type, cf.c.recommendation, func.count())
        .where(cf.c.panel == panel)
        .group_by(cf.c.case_type, cf.c.carer_type, cf.c.recommendation)
    )
    return {
        (str(case_type), None if carer is None else str(carer), None if rec is None else str(rec)): n
        for case_type, carer, rec, n in rows
    }


# --- meetings, agendas, the ADM queue, the to-return list ----------------------------------
# Derived states with their labels (shown as tags): whether a meeting is quorate, where a case
# stands, whether a deferred case's return is booked. "As of" a date: a meeting counts as held
# (a case as heard) only when it is held and dated on or before it.


class Quoracy(CodeEnum):
    quorate = "quorate", "Quorate", "green"
    inquorate = "inquorate", "Not quorate", "red"
    not_recorded = "not_recorded", "Attendance not recorded", "grey"

    @classmethod
    def of(cls, members_present: int | None, quorate: bool) -> Quoracy:
        if members_present is None:
            return cls.not_recorded
        return cls.quorate if quorate else cls.inquorate


class CaseStage(CodeEnum):
    """Where a panel case stands (its page, lists)."""

    awaiting_date = "awaiting_date", "Awaiting a date", "grey"
    on_agenda = "on_agenda", "On the agenda", "blue"
    awaiting_recommendation = "awaiting_recommendation", "Awaiting the recommendation", "yellow"
    awaiting_minutes = "awaiting_minutes", "Awaiting final minutes", "yellow"
    awaiting_decision = "awaiting_decision", "Awaiting the ADM's decision", "yellow"
    decided = "decided", "Decided by the ADM", "green"
    no_decision_needed = "no_decision_needed", "No decision needed", "green"

    @classmethod
    def of(cls, case_: PanelCase, as_of: dt.date) -> CaseStage:
        meeting = case_.meeting
        if case_.adm_decision is not None:
            return cls.decided
        if case_.recommendation is Recommendation.not_applicable:
            return cls.no_decision_needed
        if case_.recommendation is not None:
            return cls.awaiting_decision if case_.minutes_final_date is not None else cls.awaiting_minutes
        if meeting is None or meeting.status is MeetingStatus.cancelled:
            return cls.awaiting_date
        return cls.on_agenda if meeting.meeting_date > as_of else cls.awaiting_recommendation


class ReturnState(CodeEnum):
    """Whether a deferred case's return to panel is arranged."""

    booked = "booked", "Return booked", "green"
    awaiting_date = "awaiting_date", "Return awaiting a date", "yellow"
    not_booked = "not_booked", "No return booked", "red"


def _financial_year(year: int) -> tuple[dt.date, dt.date]:
    """April to March: the panel's year (2022 = 1 April 2022 to 31 March 2023)."""
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


@dataclass
class MeetingFilters:
    panel: str | None = None
    year: int | None = None  # the financial year starting in April of this year
    status: str | None = None


@dataclass
class MeetingRow:
    meeting_id: str
    panel: Panel
    meeting_date: dt.date
    status: MeetingStatus
    members_present: int | None
    quorate: bool
    cases: int

    @property
    def quoracy(self) -> Quoracy:
        return Quoracy.of(self.members_present, self.quorate)


def _case_counts():
    return (
        select(PanelCase.meeting_id, func.count().label("cases"))
        .where(PanelCase.meeting_id.is_not(None))
        .group_by(PanelCase.meeting_id)
        .subquery("case_counts")
    )


def _meetings_select(filters: MeetingFilters):
    counts = _case_counts()
    q = select(
        PanelMeeting.meeting_id,
        PanelMeeting.panel,
        PanelMeeting.meeting_date,
        PanelMeeting.status,
        PanelMeeting.members_present,
        case((quorate_sql(), True), else_=False).label("quorate"),
        func.coalesce(counts.c.cases, 0).label("cases"),
    ).outerjoin(counts, counts.c.meeting_id == PanelMeeting.meeting_id)
    if filters.panel:
        q = q.where(PanelMeeting.panel == filters.panel)
    if filters.status:
        q = q.where(PanelMeeting.status == filters.status)
    if filters.year is not None:
        q = q.where(PanelMeeting.meeting_date.between(*_financial_year(filters.year)))
    return q


def _meeting_rows(rows) -> list[MeetingRow]:
    return [
        MeetingRow(
            r.meeting_id,
            Panel(r.panel),
            r.meeting_date,
            MeetingStatus(r.status),
            r.members_present,
            bool(r.quorate),
            r.cases,
        )  # fmt: skip
        for r in rows
    ]


def upcoming_meetings(filters: MeetingFilters, as_of: dt.date | None = None) -> list[MeetingRow]:
    """The filters' meetings dated today or later, soonest first (at most two years of them)."""
    as_of = as_of or today()
    q = _meetings_select(filters).where(PanelMeeting.meeting_date >= as_of)
    return _meeting_rows(db.session.execute(q.order_by(PanelMeeting.meeting_date, PanelMeeting.meeting_id)))


def past_meetings_page(filters: MeetingFilters, page: int, per_page: int, as_of: dt.date | None = None) -> Page:
    """The filters' meetings dated before today, latest first, a page of them."""
    as_of = as_of or today()
    q = _meetings_select(filters).where(PanelMeeting.meeting_date < as_of)
    found = paginate(
        q.order_by(PanelMeeting.meeting_date.desc(), PanelMeeting.meeting_id), page, per_page, scalars=False
    )
    return dataclasses.replace(found, items=_meeting_rows(found.items))


def meetings(filters: MeetingFilters) -> list[MeetingRow]:
    """Every meeting the filters select, by date (the calendar's download)."""
    q = _meetings_select(filters).order_by(PanelMeeting.meeting_date, PanelMeeting.meeting_id)
    return _meeting_rows(db.session.execute(q))


def meeting_years() -> list[int]:
    """The financial years (by their first year) from the first meeting to the last."""
    first, last = db.session.execute(
        select(func.min(PanelMeeting.meeting_date), func.max(PanelMeeting.meeting_date))
    ).one()
    if first is None:
        return []
    start = first.year if first.month >= 4 else first.year - 1
    end = last.year if last.month >= 4 else last.year - 1
    return list(range(end, start - 1, -1))


def booked_meetings(panel: str, as_of: dt.date | None = None, keep: str | None = None) -> list[PanelMeeting]:
    """The panel's booked meetings a case may be added or moved to: from a month before today
    (a meeting not yet marked held) onwards; ``keep``: a meeting id listed whatever its date."""
    as_of = as_of or today()
    recent = PanelMeeting.meeting_date >= as_of - dt.timedelta(days=31)
    q = select(PanelMeeting).where(
        PanelMeeting.panel == panel,
        PanelMeeting.status == MeetingStatus.booked,
        or_(recent, PanelMeeting.meeting_id == keep) if keep else recent,
    )
    return list(db.session.scalars(q.order_by(PanelMeeting.meeting_date, PanelMeeting.meeting_id)))


@dataclass
class AgendaRow:
    case: PanelCase
    papers_due: dt.date
    papers: Timeliness | None  # late: sent after the deadline, or not sent and the deadline passed
    stage: CaseStage
    adm_item: object | None = None  # the ADM decision's due item (the worklist's)


def papers_state(papers_sent: dt.date | None, papers_due: dt.date, as_of: dt.date) -> Timeliness | None:
    if papers_sent is not None:
        return Timeliness.of(papers_sent, papers_due)
    return Timeliness.late if papers_due < as_of else None


def agenda(meeting: PanelMeeting, as_of: dt.date | None = None) -> list[AgendaRow]:
    """The meeting's cases, each with its papers deadline (meeting − 5 working days, rule
    ``panel_papers``) and whether the papers are late, and the ADM deadline the worklist computes."""
    as_of = as_of or today()
    due = timescales.deadline("panel_papers", meeting.meeting_date)
    cases = list(meeting.cases)
    items = {i.ref: i for i in worklist.for_records("panel_case", [c.case_id for c in cases], as_of)}
    return [
        AgendaRow(c, due, papers_state(c.papers_sent_date, due, as_of), CaseStage.of(c, as_of), items.get(c.case_id))
        for c in cases
    ]


def awaiting_select(panel: str | None = None):
    """Cases awaiting a date (no meeting), oldest reference first."""
    q = select(PanelCase).where(PanelCase.meeting_id.is_(None))
    if panel:
        q = q.where(PanelCase.panel == panel)
    return q.order_by(PanelCase.case_id)


def subject_cases(case_: PanelCase) -> list[PanelCase]:
    """The other cases of the same subject at the same panel (a case's history), latest first."""
    if not case_.subject_ref:
        return []
    q = (
        select(PanelCase)
        .outerjoin(PanelMeeting, PanelMeeting.meeting_id == PanelCase.meeting_id)
        .where(
            PanelCase.panel == case_.panel,
            PanelCase.subject_ref == case_.subject_ref,
            PanelCase.case_id != case_.case_id,
        )
        .order_by(PanelMeeting.meeting_date.desc().nulls_first(), PanelCase.case_id.desc())
    )
    return list(db.session.scalars(q))


# the ADM decision (interchange.md §3) -------------------------------------------------------


def adm_decision_due(as_of: dt.date):
    """One row per case heard at a held meeting (dated on or before ``as_of``) with final
    minutes by then, a recommendation other than ``not_applicable`` and no ADM decision dated
    on or before ``as_of``; due = final minutes + 7 working days (rule ``adm_decision``). Blank
    owner: the ADM queue."""
    return (
        select(
            PanelCase.case_id.label("ref"),
            literal_column("''").label("owner"),
            timescales.deadline_sql("adm_decision", PanelCase.minutes_final_date).label("due_date"),
            PanelCase.case_id.label("record_ref"),
            PanelCase.panel,
            PanelCase.case_type,
            PanelCase.recommendation,
            PanelMeeting.meeting_date,
        )
        .join(PanelMeeting, PanelMeeting.meeting_id == PanelCase.meeting_id)
        .where(
            PanelMeeting.status == MeetingStatus.held,
            PanelMeeting.meeting_date <= as_of,
            PanelCase.minutes_final_date <= as_of,
            PanelCase.recommendation.is_not(None),
            PanelCase.recommendation != Recommendation.not_applicable,
            or_(PanelCase.adm_decision_date.is_(None), PanelCase.adm_decision_date > as_of),
        )
    )


@dataclass
class AdmRow:
    item: object  # the worklist's DueItem: due date and state
    case: PanelCase
    meeting: PanelMeeting


def adm_queue(as_of: dt.date | None = None, user=None) -> list[AdmRow]:
    """Each case awaiting the ADM's decision, from the worklist's ``adm_decision`` items (so the
    deadline and state are the worklist's), earliest deadline first."""
    as_of = as_of or today()
    items = worklist.collect(as_of, kinds=["adm_decision"], user=user)
    cases = {
        c.case_id: c
        for c in db.session.scalars(
            select(PanelCase)
            .where(PanelCase.case_id.in_([i.ref for i in items]))
            .options(joinedload(PanelCase.meeting))
        )
    }
    return [AdmRow(i, cases[i.ref], cases[i.ref].meeting) for i in items if i.ref in cases]


# the to-return list: deferred cases until the subject is heard again (000:L704) --------------


@dataclass
class ReturnRow:
    case_id: str
    panel: Panel
    case_type: CaseType
    subject_ref: str | None
    carer_type: CarerType | None
    meeting_id: str
    deferred_on: dt.date
    return_date: dt.date | None  # the next booked meeting with a case of the subject
    return_meeting_id: str | None
    return_awaiting: bool  # a case of the subject is awaiting a date

    @property
    def state(self) -> ReturnState:
        if self.return_date is not None:
            return ReturnState.booked
        return ReturnState.awaiting_date if self.return_awaiting else ReturnState.not_booked


def to_return_select(as_of: dt.date, panel: str | None = None):
    """Deferred cases heard at a held meeting (dated on or before ``as_of``) for which no later
    case of the same subject at the same panel has been heard at a held meeting by then — a
    later case merely booked does not take it off the list. With the next booked return, if any."""
    c, m = PanelCase, PanelMeeting
    later, later_m = aliased(PanelCase), aliased(PanelMeeting)
    same_subject = and_(later.panel == c.panel, later.subject_ref == c.subject_ref, later.case_id != c.case_id)
    heard_later = (
        select(later.case_id)
        .join(later_m, later_m.meeting_id == later.meeting_id)
        .where(
            same_subject,
            later_m.status == MeetingStatus.held,
            later_m.meeting_date > m.meeting_date,
            later_m.meeting_date <= as_of,
        )
        .exists()
    )
    next_booked = (
        select(later_m.meeting_date, later_m.meeting_id)
        .join(later, later.meeting_id == later_m.meeting_id)
        .where(same_subject, later_m.status == MeetingStatus.booked, later_m.meeting_date > m.meeting_date)
        .order_by(later_m.meeting_date, later_m.meeting_id)
        .limit(1)
        .correlate(c, m)
    )
    awaiting = select(later.case_id).where(same_subject, later.meeting_id.is_(None)).exists()
    q = (
        select(
            c.case_id,
            c.panel,
            c.case_type,
            c.subject_ref,
            c.carer_type,
            m.meeting_id,
            m.meeting_date.label("deferred_on"),
            next_booked.with_only_columns(later_m.meeting_date).scalar_subquery().label("return_date"),
            next_booked.with_only_columns(later_m.meeting_id).scalar_subquery().label("return_meeting_id"),
            awaiting.label("return_awaiting"),
        )
        .join(m, m.meeting_id == c.meeting_id)
        .where(
            c.recommendation == Recommendation.deferred,
            m.status == MeetingStatus.held,
            m.meeting_date <= as_of,
            ~heard_later,
        )
    )
    if panel:
        q = q.where(c.panel == panel)
    return q.order_by(m.meeting_date, c.case_id)


def to_return(as_of: dt.date | None = None, panel: str | None = None) -> list[ReturnRow]:
    as_of = as_of or today()
    return [
        ReturnRow(
            r.case_id,
            Panel(r.panel),
            CaseType(r.case_type),
            r.subject_ref,
            CarerType(r.carer_type) if r.carer_type else None,
            r.meeting_id,
            r.deferred_on,
            r.return_date,
            r.return_meeting_id,
            bool(r.return_awaiting),
        )  # fmt: skip
        for r in db.session.execute(to_return_select(as_of, panel))
    ]


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


def review_counts(as_of: dt.date, *conditions):
    """Per household: the reviews dated on or before ``as_of`` and the latest of them — of the
    households that meet ``conditions`` (on ``FosterHousehold``) only, when given: their reviews
    are found by the household index, so the cost follows those households (the ones fostering),
    not every review ever held."""
    query = select(
        CarerReview.household_id.label("household_id"),
        func.count().label("reviews"),
        func.max(CarerReview.review_date).label("last_review"),
    ).where(CarerReview.review_date <= as_of)
    if conditions:
        query = query.where(CarerReview.household_id.in_(select(FosterHousehold.household_id).where(*conditions)))
    return query.group_by(CarerReview.household_id).subquery("review_counts")


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
    rc = review_counts(as_of, fostering_on(as_of))
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
