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

from tracker.core import calendar
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


def first_meetings(as_of: dt.date):
    """Per referral: the first IEM and the first PAIM held on or before ``as_of``."""
    return (
        select(
            LadoMeeting.referral_id.label("referral_id"),
            func.min(case((LadoMeeting.meeting_type == "iem", LadoMeeting.meeting_date))).label("first_iem"),
            func.min(case((LadoMeeting.meeting_type == "paim", LadoMeeting.meeting_date))).label("first_paim"),
        )
        .where(LadoMeeting.meeting_date <= as_of)
        .group_by(LadoMeeting.referral_id)
        .subquery("first_meetings")
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
    fm = first_meetings(as_of)
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
    """Actions of referrals made on or before as_of, not completed on or before as_of."""
    return (
        select(LadoAction)
        .join(LadoReferral, LadoReferral.referral_id == LadoAction.referral_id)
        .where(
            LadoReferral.referral_date <= as_of,
            or_(LadoAction.completed_date.is_(None), LadoAction.completed_date > as_of),
        )
    )


def open_referrals(as_of: dt.date) -> Select:
    """Referrals made on or before as_of and not closed on or before it."""
    return select(LadoReferral).where(
        LadoReferral.referral_date <= as_of,
        or_(LadoReferral.closed_date.is_(None), LadoReferral.closed_date > as_of),
    )


# --- worklist rows (interchange.md §3) -----------------------------------------------------


def iem_due(as_of: dt.date) -> Select:
    """Open referrals with no IEM held on or before as_of; due referral + 5 wd (rule lado_iem)."""
    fm = first_meetings(as_of)
    return (
        select(
            LadoReferral.referral_id.label("ref"),
            func.coalesce(LadoReferral.officer_id, "").label("owner"),
            deadline_sql("lado_iem", LadoReferral.referral_date).label("due_date"),
            LadoReferral.referral_id.label("record_ref"),
        )
        .outerjoin(fm, fm.c.referral_id == LadoReferral.referral_id)
        .where(
            LadoReferral.referral_date <= as_of,
            or_(LadoReferral.closed_date.is_(None), LadoReferral.closed_date > as_of),
            fm.c.first_iem.is_(None),
        )
    )


def paim_due(as_of: dt.date) -> Select:
    """Open referrals with an IEM, no PAIM and no outcome; due first IEM + 28 days (rule lado_paim)."""
    fm = first_meetings(as_of)
    return (
        select(
            LadoReferral.referral_id.label("ref"),
            func.coalesce(LadoReferral.officer_id, "").label("owner"),
            deadline_sql("lado_paim", fm.c.first_iem).label("due_date"),
            LadoReferral.referral_id.label("record_ref"),
        )
        .join(fm, fm.c.referral_id == LadoReferral.referral_id)
        .where(
            LadoReferral.referral_date <= as_of,
            or_(LadoReferral.closed_date.is_(None), LadoReferral.closed_date > as_of),
            fm.c.first_iem.is_not(None),
            fm.c.first_paim.is_(None),
            or_(LadoReferral.outcome_date.is_(None), LadoReferral.outcome_date > as_of),
        )
    )


def action_due(as_of: dt.date) -> Select:
    """Open actions with a due date; owner the action's owner."""
    acts = open_actions(as_of).subquery()
    return select(
        acts.c.action_id.label("ref"),
        func.coalesce(acts.c.owner, "").label("owner"),
        acts.c.due_date.label("due_date"),
        acts.c.referral_id.label("record_ref"),
    ).where(acts.c.due_date.is_not(None))


# --- next deadline of each open referral (the open referrals list) --------------------------


def open_referrals_with_deadlines(as_of: dt.date, officer_id: str | None = None, *, overdue_only: bool = False):
    """Open referrals with their next deadline (IEM, PAIM or earliest open action) and its state;
    ``overdue_only`` keeps those whose next deadline is overdue (in the database)."""
    iem = iem_due(as_of).subquery()
    paim = paim_due(as_of).subquery()
    acts = open_actions(as_of).where(LadoAction.due_date.is_not(None)).subquery()
    next_action = (
        select(acts.c.referral_id, func.min(acts.c.due_date).label("due")).group_by(acts.c.referral_id).subquery()
    )
    next_due = func.coalesce(iem.c.due_date, paim.c.due_date, next_action.c.due)
    what = case(
        (iem.c.due_date.is_not(None), "IEM"),
        (paim.c.due_date.is_not(None), "PAIM"),
        (next_action.c.due.is_not(None), "Action"),
        else_="",
    )
    query = (
        select(
            LadoReferral,
            LadoContact.contact_date,
            LadoContact.person_ref,
            LadoContact.employer_sector,
            next_due.label("next_due"),
            what.label("next_what"),
            type_coerce(case((next_due.is_(None), None), else_=due_state_sql(next_due, as_of)), Code(DueState)).label(
                "state"
            ),
        )
        .join(LadoContact, LadoContact.contact_id == LadoReferral.contact_id)
        .outerjoin(iem, iem.c.ref == LadoReferral.referral_id)
        .outerjoin(paim, paim.c.ref == LadoReferral.referral_id)
        .outerjoin(next_action, next_action.c.referral_id == LadoReferral.referral_id)
        .where(
            LadoReferral.referral_date <= as_of,
            or_(LadoReferral.closed_date.is_(None), LadoReferral.closed_date > as_of),
        )
        .order_by(next_due.is_(None), next_due, LadoReferral.referral_id)
    )
    if officer_id:
        query = query.where(LadoReferral.officer_id == officer_id)
    if overdue_only:
        query = query.where(next_due.is_not(None), due_state_sql(next_due, as_of) == DueState.overdue.value)
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


# --- paginated lists ------------------------------------------------------------------------


def contacts_log(*, date_from=None, date_to=None, sector=None, disposition=None) -> Select:
    """Contacts, newest first, each with its subject (``person``, whose public id is the link)."""
    query = select(LadoContact).options(joinedload(LadoContact.person))
    if date_from:
        query = query.where(LadoContact.contact_date >= date_from)
    if date_to:
        query = query.where(LadoContact.contact_date <= date_to)
    if sector:
        query = query.where(LadoContact.employer_sector == sector)
    if disposition:
        query = query.where(LadoContact.disposition == disposition)
    return query.order_by(LadoContact.contact_date.desc(), LadoContact.contact_id.desc())


def actions_tracker(as_of: dt.date, *, view: str = "open", owner: str | None = None) -> Select:
    query = (
        select(
            LadoAction,
            type_coerce(
                case((LadoAction.due_date.is_(None), None), else_=due_state_sql(LadoAction.due_date, as_of)),
                Code(DueState),
            ).label("state"),
        )
        .join(LadoReferral, LadoReferral.referral_id == LadoAction.referral_id)
        .where(LadoAction.completed_date.is_(None))
    )
    if view == "overdue":
        query = query.where(LadoAction.due_date < as_of)
    if owner:
        query = query.where(LadoAction.owner == owner)
    return query.order_by(LadoAction.owner, LadoAction.due_date.is_(None), LadoAction.due_date, LadoAction.action_id)


def action_owners() -> list[str]:
    return list(
        db.session.scalars(
            select(LadoAction.owner)
            .where(LadoAction.completed_date.is_(None), LadoAction.owner.is_not(None))
            .distinct()
            .order_by(LadoAction.owner)
        )
    )


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
    with the subject and the employer the rows show (loaded in the same query)."""
    query = (
        select(LadoContact, LadoReferral)
        .outerjoin(LadoReferral, LadoReferral.contact_id == LadoContact.contact_id)
        .options(joinedload(LadoContact.person), joinedload(LadoContact.organisation))
        .order_by(LadoContact.contact_date, LadoContact.contact_id)
    )
    if person_ref is not None:
        query = query.where(LadoContact.person_ref == person_ref)
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
