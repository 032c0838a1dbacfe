"""Read side of LADO: the per-record frames behind the indicators and worklists, lists,
searches and the retention report. Everything here runs in the database.

Only records dated on or before the as-of date count (kpis.md preamble): a meeting, outcome,
closure, completion or DBS referral dated after it is treated as not yet happened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import Select, and_, case, exists, func, or_, select, type_coerce
from sqlalchemy.orm import aliased, joinedload

from tracker.core import calendar, removal
from tracker.core.timescales import DueState, Unit, add_sql, deadline_sql, due_state_sql
from tracker.db import Code, like_pattern
from tracker.extensions import db
from tracker.lado.models import (
    LadoAction,
    LadoContact,
    LadoMeeting,
    LadoOrganisation,
    LadoPerson,
    LadoReferral,
    Outcome,
)


def _flag(condition) -> Any:
    return case((condition, 1), else_=0)


# --- meetings as of a date ----------------------------------------------------------------


def first_meetings(as_of: dt.date, *conditions):
    """Per referral: the first IEM and the first PAIM held on or before ``as_of`` — of the
    referrals that meet ``conditions`` (on ``LadoReferral``) only, when given: their meetings are
    found by the referral index, so the cost follows those referrals (a month's, the open ones),
    not every meeting ever held."""
    query = select(
        LadoMeeting.referral_id.label("referral_id"),
        func.min(case((LadoMeeting.meeting_type == "iem", LadoMeeting.meeting_date))).label("first_iem"),
        func.min(case((LadoMeeting.meeting_type == "paim", LadoMeeting.meeting_date))).label("first_paim"),
    ).where(LadoMeeting.meeting_date <= as_of, LadoMeeting.removed_at.is_(None))  # not removed by mistake
    if conditions:
        query = query.where(LadoMeeting.referral_id.in_(select(LadoReferral.referral_id).where(*conditions)))
    return query.group_by(LadoMeeting.referral_id).subquery("first_meetings")


def _open(as_of: dt.date) -> tuple:
    """The referrals made on or before ``as_of`` and not closed by then."""
    return (
        LadoReferral.referral_date <= as_of,
        or_(LadoReferral.closed_date.is_(None), LadoReferral.closed_date > as_of),
    )


# --- the indicator frames (kpis.md §4) ------------------------------------------------------


def contacts_frame(start: dt.date, end: dt.date, as_of: dt.date):
    """Contacts dated in [start, end] and on or before as_of, with the columns indicators read."""
    hi = min(end, as_of)
    return (
        select(
            LadoContact.contact_id.label("ref"),
            LadoContact.contact_date.label("day"),
            LadoContact.disposition,
            LadoContact.employer_sector.label("sector"),
            _flag(LadoContact.foster_carer_agency == "own").label("fc_own"),
        )
        .where(LadoContact.contact_date >= start, LadoContact.contact_date <= hi)
        .subquery("contacts_frame")
    )


REFERRAL_FLAGS = (
    "iem_ok",
    "paim_den",
    "paim_num",
    "c_4w",
    "c_8w",
    "c_12w",
    "c_over",
    "c_open",
    "r_1m",
    "r_3m",
    "r_12m",
    *(f"o_{o}" for o in Outcome),
    "o_pending",
    "fc_own",
    "fc_connected",
    "fc_substantiated",
    "fc_returned",
)


def referrals_frame(start: dt.date, end: dt.date, as_of: dt.date):
    """Referrals dated in [start, end] and on or before as_of, one 0/1 column per condition."""
    hi = min(end, as_of)
    fm = first_meetings(as_of, LadoReferral.referral_date >= start, LadoReferral.referral_date <= hi)
    contact_date = LadoContact.contact_date
    closed = and_(LadoReferral.closed_date.is_not(None), LadoReferral.closed_date <= as_of)
    outcome_known = and_(LadoReferral.outcome.is_not(None), LadoReferral.outcome_date <= as_of)
    paim_due = deadline_sql("lado_paim", fm.c.first_iem)
    own = LadoContact.foster_carer_agency == "own"
    columns = [
        LadoReferral.referral_id.label("ref"),
        LadoReferral.referral_date.label("day"),
        LadoContact.employer_sector.label("sector"),
        LadoReferral.contact_id.label("contact_id"),
        # IEM ≤ referral + 5 wd (rule lado_iem)
        _flag(
            and_(fm.c.first_iem.is_not(None), fm.c.first_iem <= deadline_sql("lado_iem", LadoReferral.referral_date))
        ).label("iem_ok"),
        # PAIM: with an IEM, not concluded at the IEM, and either held or already due at as_of
        _flag(
            and_(
                fm.c.first_iem.is_not(None),
                ~and_(outcome_known, LadoReferral.outcome_date <= fm.c.first_iem),
                or_(fm.c.first_paim.is_not(None), paim_due < as_of),
            )
        ).label("paim_den"),
        _flag(
            and_(
                fm.c.first_iem.is_not(None),
                ~and_(outcome_known, LadoReferral.outcome_date <= fm.c.first_iem),
                fm.c.first_paim.is_not(None),
                fm.c.first_paim <= paim_due,
            )
        ).label("paim_num"),
        # conclusion buckets: duration = closed_date − contact date (calendar days)
        _flag(and_(closed, LadoReferral.closed_date <= add_sql(contact_date, 28, Unit.days))).label("c_4w"),
        _flag(
            and_(
                closed,
                LadoReferral.closed_date > add_sql(contact_date, 28, Unit.days),
                LadoReferral.closed_date <= add_sql(contact_date, 56, Unit.days),
            )
        ).label("c_8w"),
        _flag(
            and_(
                closed,
                LadoReferral.closed_date > add_sql(contact_date, 56, Unit.days),
                LadoReferral.closed_date <= add_sql(contact_date, 84, Unit.days),
            )
        ).label("c_12w"),
        _flag(and_(closed, LadoReferral.closed_date > add_sql(contact_date, 84, Unit.days))).label("c_over"),
        _flag(~closed).label("c_open"),
        # resolution targets, cumulative (rules lado_resolution_1m/3m/12m)
        _flag(and_(closed, LadoReferral.closed_date <= deadline_sql("lado_resolution_1m", contact_date))).label("r_1m"),
        _flag(and_(closed, LadoReferral.closed_date <= deadline_sql("lado_resolution_3m", contact_date))).label("r_3m"),
        _flag(and_(closed, LadoReferral.closed_date <= deadline_sql("lado_resolution_12m", contact_date))).label(
            "r_12m"
        ),
        *(_flag(and_(outcome_known, LadoReferral.outcome == o)).label(f"o_{o}") for o in Outcome),
        _flag(~outcome_known).label("o_pending"),
        _flag(own).label("fc_own"),
        _flag(and_(own, LadoContact.foster_carer_type == "connected")).label("fc_connected"),
        _flag(and_(own, outcome_known, LadoReferral.outcome == "substantiated")).label("fc_substantiated"),
        _flag(and_(own, LadoReferral.returned_to_panel.is_(True))).label("fc_returned"),
    ]
    return (
        select(*columns)
        .join(LadoContact, LadoContact.contact_id == LadoReferral.contact_id)
        .outerjoin(fm, fm.c.referral_id == LadoReferral.referral_id)
        .where(LadoReferral.referral_date >= start, LadoReferral.referral_date <= hi)
        .subquery("referrals_frame")
    )


def open_actions(as_of: dt.date) -> Select:
    """Actions of referrals made on or before as_of, not completed on or before as_of (nor removed)."""
    return (
        select(LadoAction)
        .join(LadoReferral, LadoReferral.referral_id == LadoAction.referral_id)
        .where(
            LadoAction.removed_at.is_(None),
            LadoReferral.referral_date <= as_of,
            or_(LadoAction.completed_date.is_(None), LadoAction.completed_date > as_of),
        )
    )


def open_referrals(as_of: dt.date) -> Select:
    """Referrals made on or before as_of and not closed on or before it."""
    return select(LadoReferral).where(*_open(as_of))


# --- worklist rows (interchange.md §3) -----------------------------------------------------


def iem_due(as_of: dt.date) -> Select:
    """Open referrals with no IEM held on or before as_of; due referral + 5 wd (rule lado_iem)."""
    fm = first_meetings(as_of, *_open(as_of))
    return (
        select(
            LadoReferral.referral_id.label("ref"),
            func.coalesce(LadoReferral.officer_id, "").label("owner"),
            deadline_sql("lado_iem", LadoReferral.referral_date).label("due_date"),
            LadoReferral.referral_id.label("record_ref"),
        )
        .outerjoin(fm, fm.c.referral_id == LadoReferral.referral_id)
        .where(*_open(as_of), fm.c.first_iem.is_(None))
    )


def paim_due(as_of: dt.date) -> Select:
    """Open referrals with an IEM, no PAIM and no outcome; due first IEM + 28 days (rule lado_paim)."""
    fm = first_meetings(as_of, *_open(as_of))
    return (
        select(
            LadoReferral.referral_id.label("ref"),
            func.coalesce(LadoReferral.officer_id, "").label("owner"),
            deadline_sql("lado_paim", fm.c.first_iem).label("due_date"),
            LadoReferral.referral_id.label("record_ref"),
        )
        .join(fm, fm.c.referral_id == LadoReferral.referral_id)
        .where(
            *_open(as_of),
            fm.c.first_iem.is_not(None),
            fm.c.first_paim.is_(None),
            or_(LadoReferral.outcome_date.is_(None), LadoReferral.outcome_date > as_of),
        )
    )


def chaser_sql(chaser_officer_id, owner_officer_id, referral_officer_id) -> Any:
    """Who chases an action, the owner of its due item (interchange.md §3, ``lado_action``): its
    chaser if set; else its owner when that is the officer id of a user (``owner_officer_id``: the
    officer id of the user outer-joined on the owner; the import may put an officer id there);
    else the referral's allocated LADO; blank while unallocated (the LADO managers' queue). A
    NULL chaser means "the referral's LADO", so reallocating a referral moves its actions too."""
    return func.coalesce(chaser_officer_id, owner_officer_id, referral_officer_id, "")


def _chased_actions(as_of: dt.date, due_date, *, dated_only: bool = False) -> Select:
    """Open actions as due items owned by the LADO who chases each (``chaser_sql``), due on
    ``due_date(actions)`` (a column expression of the open actions' subquery); ``dated_only``:
    only the actions with a due date."""
    from tracker.auth.models import User

    acts = open_actions(as_of).subquery()
    owner_user = aliased(User)
    query = (
        select(
            acts.c.action_id.label("ref"),
            chaser_sql(acts.c.chaser_officer_id, owner_user.officer_id, LadoReferral.officer_id).label("owner"),
            due_date(acts).label("due_date"),
            acts.c.referral_id.label("record_ref"),
        )
        .select_from(acts)
        .join(LadoReferral, LadoReferral.referral_id == acts.c.referral_id)
        .outerjoin(owner_user, owner_user.officer_id == acts.c.owner)
    )
    return query.where(acts.c.due_date.is_not(None)) if dated_only else query


def action_due(as_of: dt.date) -> Select:
    """Open actions with a due date; owner the LADO who chases it (``chaser_sql``)."""
    return _chased_actions(as_of, lambda acts: acts.c.due_date, dated_only=True)


def action_review_due(as_of: dt.date) -> Select:
    """Open actions' next quarterly review (003:L1585: the last review, else the referral's date,
    + 3 months), owned by the LADO who chases the action, as ``action_due``."""
    return _chased_actions(
        as_of, lambda acts: next_action_review_sql(acts.c.last_reviewed_date, LadoReferral.referral_date)
    )


def with_subject(query: Select) -> Select:
    """A due-item query (``iem_due``, ``paim_due``, ``action_due``: ``record_ref`` is the referral)
    with the words its item shows: ``subject`` (the person's name, else their reference),
    ``subject_role`` and ``employer`` (the organisation's name, else its reference). LADO due
    items reach LADO roles only (the worklist's family ``lado``)."""
    sq = query.subquery()
    return (
        select(
            sq,
            func.coalesce(LadoPerson.name, LadoContact.person_ref).label("subject"),
            LadoContact.subject_role.label("subject_role"),
            func.coalesce(LadoOrganisation.name, LadoContact.organisation_ref).label("employer"),
        )
        .join(LadoReferral, LadoReferral.referral_id == sq.c.record_ref)
        .join(LadoContact, LadoContact.contact_id == LadoReferral.contact_id)
        .outerjoin(LadoPerson, LadoPerson.ref == LadoContact.person_ref)
        .outerjoin(LadoOrganisation, LadoOrganisation.ref == LadoContact.organisation_ref)
    )


def unallocated_referrals(as_of: dt.date) -> Select:
    """Open referrals allocated to no LADO: the LADO manager's "To allocate" queue (their next
    deadlines come from the worklist engine), oldest first."""
    return (
        open_referrals(as_of)
        .where(LadoReferral.officer_id.is_(None))
        .order_by(LadoReferral.referral_date, LadoReferral.referral_id)
    )


# --- next deadline of each open referral (the open referrals list) --------------------------


def open_referrals_with_deadlines(as_of: dt.date, officer_id: str | None = None):
    """Open referrals with their next deadline (the earliest of the due items on the referral's
    page: ``worklist.earliest_due``, so the list and the worklist agree) and its state, the next
    deadline first."""
    from tracker.core import worklist

    earliest = worklist.earliest_due("lado_referral", as_of)
    next_due = earliest.c.due_date
    query = (
        select(
            LadoReferral,
            LadoContact.contact_date,
            LadoContact.person_ref,
            LadoContact.employer_sector,
            next_due.label("next_due"),
            type_coerce(case((next_due.is_(None), None), else_=due_state_sql(next_due, as_of)), Code(DueState)).label(
                "state"
            ),
        )
        .join(LadoContact, LadoContact.contact_id == LadoReferral.contact_id)
        .outerjoin(earliest, earliest.c.record_ref == LadoReferral.referral_id)
        .where(*_open(as_of))
        .order_by(next_due.is_(None), next_due, LadoReferral.referral_id)
        .options(_with_subject(joinedload(LadoReferral.contact)))  # the subject's name and employer shown
    )
    if officer_id:
        query = query.where(LadoReferral.officer_id == officer_id)
    return query


# --- one referral ------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    date: dt.date
    title: str
    text: str = ""


def timeline(referral: LadoReferral, as_of: dt.date) -> list[Event]:
    """contact → referral → meetings → outcome → DBS → closed, in date order (a meeting dated
    after ``as_of`` is scheduled, not held)."""
    events = [
        Event(referral.contact.contact_date, "Contact", f"Contact {referral.contact.contact_id}"),
        Event(referral.referral_date, "Referral", f"Referral {referral.referral_id}"),
    ]
    for m in referral.meetings:
        scheduled = " (scheduled)" if m.meeting_date > as_of else ""
        events.append(Event(m.meeting_date, m.meeting_type.label + scheduled, m.decisions or ""))
    if referral.outcome:
        events.append(Event(referral.outcome_date, f"Outcome: {referral.outcome.label}", referral.outcome.hint))
    if referral.dbs_referral_date:
        events.append(Event(referral.dbs_referral_date, "Referred to the DBS"))
    if referral.closed_date:
        events.append(Event(referral.closed_date, "LADO involvement concluded (closed)"))
    return sorted(events, key=lambda e: e.date)  # stable: same-day events keep process order


def removed_records(referral_id: str) -> list[removal.Removed]:
    """The meetings and actions of a referral removed by mistake, with who recorded and who
    removed each (by name): oldest removal first."""
    return removal.removed_records(
        [
            ("lado_meeting", LadoMeeting, LadoMeeting.referral_id == referral_id),
            ("lado_action", LadoAction, LadoAction.referral_id == referral_id),
        ]
    )


# --- paginated lists ------------------------------------------------------------------------


def _with_subject(contact_loader):
    """A loader option for a contact (``joinedload(... LadoContact)``) that loads its subject and
    employer in the same query, for the lists that name them."""
    return contact_loader.options(joinedload(LadoContact.person), joinedload(LadoContact.organisation))


def contacts_log(*, date_from=None, date_to=None, sector=None, disposition=None) -> Select:
    """Contacts, newest first, each with its subject (``person``, whose public id is the link)
    and employer (loaded in the same query)."""
    query = select(LadoContact).options(joinedload(LadoContact.person), joinedload(LadoContact.organisation))
    if date_from:
        query = query.where(LadoContact.contact_date >= date_from)
    if date_to:
        query = query.where(LadoContact.contact_date <= date_to)
    if sector:
        query = query.where(LadoContact.employer_sector == sector)
    if disposition:
        query = query.where(LadoContact.disposition == disposition)
    return query.order_by(LadoContact.contact_date.desc(), LadoContact.contact_id.desc())


ACTION_REVIEW_MONTHS = 3  # actions are reviewed quarterly (003:L1585)


def next_action_review_sql(last_reviewed_date, referral_date) -> Any:
    """An action's next quarterly review: its last review (else the referral's date) + 3 months."""
    return add_sql(func.coalesce(last_reviewed_date, referral_date), ACTION_REVIEW_MONTHS, Unit.months)


def actions_tracker(as_of: dt.date, *, view: str = "open", chaser: str | None = None) -> Select:
    """Open actions with their due state, the LADO who chases each (``chaser``: the owner of its
    due item, ``chaser_sql``) and the next quarterly review (``next_review``, ``review_state``);
    ``chaser`` keeps one LADO's, by chaser and due date."""
    from tracker.auth.models import User

    owner_user = aliased(User)
    chased_by = chaser_sql(LadoAction.chaser_officer_id, owner_user.officer_id, LadoReferral.officer_id)
    next_review = next_action_review_sql(LadoAction.last_reviewed_date, LadoReferral.referral_date)
    query = (
        select(
            LadoAction,
            type_coerce(
                case((LadoAction.due_date.is_(None), None), else_=due_state_sql(LadoAction.due_date, as_of)),
                Code(DueState),
            ).label("state"),
            chased_by.label("chaser"),
            next_review.label("next_review"),
            type_coerce(due_state_sql(next_review, as_of), Code(DueState)).label("review_state"),
        )
        .join(LadoReferral, LadoReferral.referral_id == LadoAction.referral_id)
        .outerjoin(owner_user, owner_user.officer_id == LadoAction.owner)
        .where(LadoAction.completed_date.is_(None), LadoAction.removed_at.is_(None))
        .options(_with_subject(joinedload(LadoAction.referral).joinedload(LadoReferral.contact)))
    )
    if view == "overdue":
        query = query.where(LadoAction.due_date < as_of)
    if chaser:
        query = query.where(chased_by == chaser)
    return query.order_by(chased_by, LadoAction.due_date.is_(None), LadoAction.due_date, LadoAction.action_id)


def action_follow_up(action_id: str, as_of: dt.date):
    """One open action's row of the tracker (``actions_tracker``: its due state, the LADO who
    chases it, its next quarterly review and that review's state); None once it is completed."""
    return db.session.execute(actions_tracker(as_of).where(LadoAction.action_id == action_id)).first()


def search_people(
    *, name: str | None = None, date_of_birth: dt.date | None = None, organisation: str | None = None
) -> Select:
    """People matching a name (or reference), a date of birth and/or an organisation they were
    the subject of a contact at (name or reference)."""
    query = select(LadoPerson)
    if name:
        pattern = like_pattern(name)
        query = query.where(
            or_(
                func.lower(LadoPerson.name).like(pattern, escape="\\"),
                func.lower(LadoPerson.ref).like(pattern, escape="\\"),
            )
        )
    if date_of_birth:
        query = query.where(LadoPerson.date_of_birth == date_of_birth)
    if organisation:
        pattern = like_pattern(organisation)
        org = aliased(LadoOrganisation)
        query = query.where(
            exists(
                select(LadoContact.contact_id)
                .join(org, org.ref == LadoContact.organisation_ref)
                .where(
                    LadoContact.person_ref == LadoPerson.ref,
                    or_(
                        func.lower(org.name).like(pattern, escape="\\"), func.lower(org.ref).like(pattern, escape="\\")
                    ),
                )
            )
        )
    return query.order_by(LadoPerson.ref)


def search_organisations(organisation: str) -> Select:
    pattern = like_pattern(organisation)
    return (
        select(LadoOrganisation)
        .where(
            or_(
                func.lower(LadoOrganisation.name).like(pattern, escape="\\"),
                func.lower(LadoOrganisation.ref).like(pattern, escape="\\"),
            )
        )
        .order_by(LadoOrganisation.ref)
    )


def contacts_about(*, person_ref: str | None = None, organisation_ref: str | None = None) -> list:
    """Every contact (and its referral, if any) about a person or organisation, across years,
    with the subject and the employer the rows show (loaded in the same query). A person's are
    also those about the people merged into them (``LadoPerson.merged_into_ref``)."""
    query = (
        select(LadoContact, LadoReferral)
        .outerjoin(LadoReferral, LadoReferral.contact_id == LadoContact.contact_id)
        .options(joinedload(LadoContact.person), joinedload(LadoContact.organisation))
        .order_by(LadoContact.contact_date, LadoContact.contact_id)
    )
    if person_ref is not None:
        merged = select(LadoPerson.ref).where(
            or_(LadoPerson.ref == person_ref, LadoPerson.merged_into_ref == person_ref)
        )
        query = query.where(LadoContact.person_ref.in_(merged))
    if organisation_ref is not None:
        query = query.where(LadoContact.organisation_ref == organisation_ref)
    return list(db.session.execute(query))


# --- LADO officers: who a referral may be allocated to ----------------------------------------

LADO_ROLES = ("lado", "lado_manager")


def lado_officers(officer_ids=None) -> list[tuple[str, str]]:
    """(officer_id, name) of every enabled user with an officer id and the role lado or
    lado_manager, by name — only those among ``officer_ids`` when given (one query)."""
    from tracker.auth.models import User, UserRole

    query = (
        select(User.officer_id, User.name)
        .where(
            User.officer_id.is_not(None),
            User.active.is_(True),
            exists().where(UserRole.user_id == User.id, UserRole.role.in_(LADO_ROLES)),
        )
        .order_by(User.name, User.officer_id)
    )
    if officer_ids is not None:
        query = query.where(User.officer_id.in_(sorted(set(officer_ids))))
    return [(officer_id, name) for officer_id, name in db.session.execute(query)]


# --- retention (domain.md §6) -----------------------------------------------------------------

RETENTION_YEARS = 10


def pension_age() -> int:
    return int(current_app.config.get("LADO_PENSION_AGE", 67)) if has_app_context() else 67


def retention_date(contact_date: dt.date, date_of_birth: dt.date | None) -> dt.date:
    """The later of 10 years after the contact and the subject reaching normal pension age."""
    kept = calendar.add_months(contact_date, 12 * RETENTION_YEARS)
    if date_of_birth is not None:
        kept = max(kept, calendar.add_months(date_of_birth, 12 * pension_age()))
    return kept


def _last_anchor_before(today: dt.date, months: int) -> dt.date:
    """The latest date d with add_months(d, months) < today (add_months is monotonic in d)."""
    day = calendar.add_months(today, -months) + dt.timedelta(days=3)
    while calendar.add_months(day, months) >= today:
        day -= dt.timedelta(days=1)
    return day


def past_retention(today: dt.date) -> Select:
    """Contacts (with their referral, if any, and their subject) whose retention date is before today."""
    contact_limit = _last_anchor_before(today, 12 * RETENTION_YEARS)
    dob_limit = _last_anchor_before(today, 12 * pension_age())
    return (
        select(LadoContact, LadoReferral, LadoPerson.date_of_birth)
        .options(joinedload(LadoContact.person))
        .outerjoin(LadoReferral, LadoReferral.contact_id == LadoContact.contact_id)
        .outerjoin(LadoPerson, LadoPerson.ref == LadoContact.person_ref)
        .where(
            LadoContact.contact_date <= contact_limit,
            or_(LadoPerson.date_of_birth.is_(None), LadoPerson.date_of_birth <= dob_limit),
        )
        .order_by(LadoContact.contact_date, LadoContact.contact_id)
    )
