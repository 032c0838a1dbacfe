"""Every change to children, care periods, reviews and IRO contacts (domain.md §4).

Each operation validates its rule, changes the rows, writes one audit row with
``tracker.core.audit.record`` (before/after), and flushes; the request lifecycle (or the
command runner) commits once.

The rules are written once and shared with the import (``importers.py``): the row rules
(``check_child``, ``check_period_dates``, ``check_review``, ``check_contact``) are what each row
of children.csv, care_periods.csv, reviews.csv and iro_contacts.csv is checked by; the rules
across rows are SQL conditions of ``chain`` (``overlaps``: care periods of one child never
share a day; ``covers``: a review lies in a care period of its child), used here for one child
and by the import for a whole file.

A review, an IRO contact or a care period recorded by mistake is removed (``remove_review``,
``remove_contact``, ``remove_care_period``): kept with who, when and why, and no part of the
child's page, due items, figures or exports any more (``tracker.core.removal``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, or_, select

from tracker.auth.models import User
from tracker.core import audit, checks, references, removal
from tracker.core.clock import today
from tracker.core.errors import DomainError
from tracker.extensions import db
from tracker.formatters import format_date
from tracker.reviews import rules903
from tracker.reviews.chain import covers, overlaps
from tracker.reviews.models import CarePeriod, Child, ContactType, IroContact, ParticipationCode, Review

CHILD_FIELDS = (
    "child_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "uasc",
    "iro_officer_id",
    "iro_contact_expected",
)
PERIOD_FIELDS = ("start_date", "end_date", "legal_status")
REVIEW_FIELDS = (
    "review_id",
    "review_date",
    "scheduled_date",
    "officer_id",
    "participation_code",
    "advocate",
    "recommendations_date",
    "minutes_date",
)
CONTACT_FIELDS = ("contact_id", "contact_date", "contact_type", "officer_id")

references.register("review", "R", 6, Review.review_id)
references.register("iro_contact", "K", 6, IroContact.contact_id)


# --- rules shared with the import -----------------------------------------------------------


def check_child(date_of_birth: dt.date | None) -> None:
    checks.required(date_of_birth, "date_of_birth", "Enter the date of birth")
    checks.not_future(date_of_birth, "date_of_birth", "The date of birth")


def check_period_dates(start_date: dt.date | None, end_date: dt.date | None) -> None:
    checks.required(start_date, "start_date", "Enter the date the care period started")
    checks.not_future(start_date, "start_date", "The start date")
    checks.not_before(end_date, start_date, "end_date", "The end date must be the same as or after the start date")
    checks.not_future(end_date, "end_date", "The end date")


def check_review(
    review_date: dt.date | None,
    participation_code: str | None = None,
    recommendations_date: dt.date | None = None,
    minutes_date: dt.date | None = None,
) -> None:
    checks.required(review_date, "review_date", "Enter the date the review was held")
    checks.not_future(review_date, "review_date", "The review date")
    for field, what, value in (
        ("recommendations_date", "The date recommendations were issued", recommendations_date),
        ("minutes_date", "The date the minutes were completed", minutes_date),
    ):
        checks.not_before(value, review_date, field, f"{what} must be the same as or after the review date")
        checks.not_future(value, field, what)
    checks.code(
        participation_code, ParticipationCode, "participation_code", "Select a participation code", required_=False
    )


def check_participation(date_of_birth: dt.date | None, review_date: dt.date | None, code: str | None) -> None:
    """The DfE's rules at entry (``rules903.participation_problem``): PN0 for a child under 4 on
    the review date, PN1–PN7 from 4, and a code for a review of a collection year that has ended."""
    problem = rules903.participation_problem(date_of_birth, review_date, code or None, today())
    if problem is not None:
        raise DomainError(problem[1], "participation_code")


def check_contact(contact_date: dt.date | None, contact_type: str | None) -> None:
    checks.required(contact_date, "contact_date", "Enter the date of the contact")
    checks.not_future(contact_date, "contact_date", "The date of the contact")
    checks.code(contact_type, ContactType, "contact_type", "Select the type of contact", required_=False)


def _officer(value: str | None, field: str) -> str | None:
    value = (value or "").strip() or None
    if value is not None and not db.session.scalar(select(exists().where(User.officer_id == value))):
        raise DomainError(f"There is no officer with the id {value}", field)
    return value


def _unique(model_column, value: str, field: str, what: str) -> None:
    if db.session.scalar(select(exists().where(model_column == value))):
        raise DomainError(f"A {what} with the reference {value} already exists", field)


def _audit_update(action: str, record, fields, before: dict, ref, summary: str) -> None:
    """The audit row of an edit (``<kind>.update``): what changed, before and after."""
    b, a = audit.changed(before, audit.snapshot(record, fields))
    audit.record(action, object_type=action.partition(".")[0], object_id=ref, summary=summary, before=b, after=a)


# --- children -------------------------------------------------------------------------------


def create_child(
    *,
    child_id: str,
    date_of_birth: dt.date,
    first_name: str | None = None,
    last_name: str | None = None,
    gender: str | None = None,
    ethnicity: str | None = None,
    uasc: bool = False,
    iro_officer_id: str | None = None,
    iro_contact_expected: bool = True,
) -> Child:
    child_id = (child_id or "").strip()
    checks.required(child_id, "child_id", "Enter the child's reference")
    checks.reference(child_id, "child_id", "The child's reference")
    _unique(Child.child_id, child_id, "child_id", "child")
    check_child(date_of_birth)
    child = Child(
        child_id=child_id,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        gender=gender,
        ethnicity=ethnicity,
        uasc=bool(uasc),
        iro_officer_id=_officer(iro_officer_id, "iro_officer_id"),
        iro_contact_expected=bool(iro_contact_expected),
    )
    db.session.add(child)
    db.session.flush()
    audit.record(
        "child.create",
        object_type="child",
        object_id=child.child_id,
        summary=f"child {child.child_id} added",
        after=audit.snapshot(child, CHILD_FIELDS),
    )
    return child


def edit_child(child: Child, **changes) -> Child:
    allowed = set(CHILD_FIELDS) - {"child_id", "iro_officer_id"}  # the QARO changes by allocate()
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"edit_child cannot change {', '.join(sorted(unknown))}")
    if "date_of_birth" in changes:
        check_child(changes["date_of_birth"])
    before = audit.snapshot(child, CHILD_FIELDS)
    for key, value in changes.items():
        setattr(child, key, value)
    db.session.flush()
    _audit_update("child.update", child, CHILD_FIELDS, before, child.child_id, f"child {child.child_id} edited")
    return child


def allocate(child: Child, officer_id: str | None) -> Child:
    """Allocate (or re-allocate, or un-allocate with None) the child's QARO."""
    officer_id = _officer(officer_id, "officer_id")
    before = child.iro_officer_id
    child.iro_officer_id = officer_id
    db.session.flush()
    audit.record(
        "child.allocate",
        object_type="child",
        object_id=child.child_id,
        summary=f"child {child.child_id} allocated to {officer_id or 'nobody'}",
        before={"iro_officer_id": before},
        after={"iro_officer_id": officer_id},
    )
    return child


def plan_review(child: Child, planned_date: dt.date | None) -> Child:
    """Plan (or, with None, stop planning) the date the child's next review will be held. The
    due date stays the statutory one (``chain``); a plan after it is "planned late". Only a
    child looked after today has a next review to plan; the date is today or later."""
    if planned_date is not None:
        checks.date_in_range(planned_date, "planned_review_date", "The planned date", ahead=True)
        checks.not_before(
            planned_date, today(), "planned_review_date", "The planned date must be today or in the future"
        )
        looked_after = exists().where(
            CarePeriod.child_pk == child.id,
            CarePeriod.removed_at.is_(None),
            CarePeriod.start_date <= today(),
            or_(CarePeriod.end_date.is_(None), CarePeriod.end_date > today()),
        )
        if not db.session.scalar(select(looked_after)):
            raise DomainError(
                "This child is not looked after today: there is no next review to plan", "planned_review_date"
            )
    before = child.planned_review_date
    child.planned_review_date = planned_date
    db.session.flush()
    audit.record(
        "child.plan_review",
        object_type="child",
        object_id=child.child_id,
        summary=f"next review of child {child.child_id} "
        + (f"planned for {format_date(planned_date)}" if planned_date else "no longer planned"),
        before={"planned_review_date": audit.jsonable(before)},
        after={"planned_review_date": audit.jsonable(planned_date)},
    )
    return child


# --- care periods ---------------------------------------------------------------------------


def _check_period(child: Child, start: dt.date | None, end: dt.date | None, ignore: CarePeriod | None = None) -> None:
    check_period_dates(start, end)
    others = select(CarePeriod).where(CarePeriod.child_pk == child.id, overlaps(start, end))
    if ignore is not None:
        others = others.where(CarePeriod.id != ignore.id)
    other = db.session.scalar(others.order_by(CarePeriod.start_date).limit(1))
    if other is not None:
        until = f"to {format_date(other.end_date)}" if other.end_date else "with no end date"
        raise DomainError(
            f"This overlaps the care period from {format_date(other.start_date)} {until}: "
            "care periods of one child cannot overlap",
            "start_date",
        )


def _check_reviews_still_in_a_period(period: CarePeriod, field: str | None = None) -> None:
    """After a period changed (or was removed): no review of the child is left outside every
    period (domain.md §4)."""
    child = period.child
    db.session.flush()
    stranded = db.session.scalar(
        select(Review)
        .where(
            Review.child_pk == child.id,
            Review.removed_at.is_(None),
            ~exists().where(covers(CarePeriod, Review.child_pk, Review.review_date)),
        )
        .order_by(Review.review_date)
        .limit(1)
    )
    if stranded is not None:
        if field is None:
            field = (
                "end_date" if period.end_date is not None and stranded.review_date > period.end_date else "start_date"
            )
        raise DomainError(
            f"The review held on {format_date(stranded.review_date)} would fall outside every care period: "
            "change or remove that review first",
            field,
        )


def add_care_period(
    child: Child, *, start_date: dt.date, end_date: dt.date | None = None, legal_status: str | None = None
) -> CarePeriod:
    _check_period(child, start_date, end_date)
    period = CarePeriod(child=child, start_date=start_date, end_date=end_date, legal_status=legal_status or None)
    db.session.add(period)
    db.session.flush()
    audit.record(
        "care_period.create",
        object_type="care_period",
        object_id=period.id,
        summary=f"care period {period.id} of child {child.child_id} added",
        after=audit.snapshot(period, PERIOD_FIELDS),
    )
    return period


def edit_care_period(
    period: CarePeriod, *, start_date: dt.date, end_date: dt.date | None, legal_status: str | None
) -> CarePeriod:
    _check_period(period.child, start_date, end_date, ignore=period)
    before = audit.snapshot(period, PERIOD_FIELDS)
    period.start_date, period.end_date, period.legal_status = start_date, end_date, legal_status or None
    _check_reviews_still_in_a_period(period)
    _audit_update(
        "care_period.update",
        period,
        PERIOD_FIELDS,
        before,
        period.id,
        f"care period {period.id} of child {period.child.child_id} edited",
    )
    return period


def remove_care_period(period: CarePeriod, *, reason: str | None, user=None) -> CarePeriod:
    """Remove a care period recorded by mistake, with the reason. A period that holds a review
    is kept (a review lies in a care period of its child): remove or change the review first."""
    return _remove(
        period,
        reason,
        user,
        "care_period.remove",
        period.id,
        PERIOD_FIELDS,
        "care_periods",
        check=lambda: _check_reviews_still_in_a_period(period, "reason"),
    )


# --- reviews --------------------------------------------------------------------------------


def _check_in_a_period(child: Child, review_date: dt.date) -> None:
    if not db.session.scalar(select(exists().where(covers(CarePeriod, child.id, review_date)))):
        raise DomainError(
            "The review date is outside every care period of this child: add or correct the care period first",
            "review_date",
        )


def record_review(
    child: Child,
    *,
    review_date: dt.date,
    officer_id: str | None = None,
    participation_code: str | None = None,
    advocate: bool = False,
    recommendations_date: dt.date | None = None,
    minutes_date: dt.date | None = None,
    scheduled_date: dt.date | None = None,
) -> Review:
    check_review(review_date, participation_code, recommendations_date, minutes_date)
    check_participation(child.date_of_birth, review_date, participation_code)
    checks.date_in_range(scheduled_date, "scheduled_date", "The date the review was due", ahead=True)
    _check_in_a_period(child, review_date)
    review = Review(
        child=child,
        review_id=references.new_ref("review"),
        review_date=review_date,
        participation_code=participation_code or None,
        recommendations_date=recommendations_date,
        minutes_date=minutes_date,
        officer_id=_officer(officer_id, "officer_id"),
        advocate=bool(advocate),
        scheduled_date=scheduled_date,
    )
    db.session.add(review)
    db.session.flush()
    after = audit.snapshot(review, REVIEW_FIELDS)
    if child.planned_review_date is not None and not _held_after(child, review):
        # the review the QARO planned is held (the child's latest): its plan is done with
        after["planned_for"] = audit.jsonable(child.planned_review_date)
        child.planned_review_date = None
    audit.record(
        "review.create",
        object_type="review",
        object_id=review.review_id,
        summary=f"review {review.review_id} of child {child.child_id} recorded",
        after=after,
    )
    return review


def _held_after(child: Child, review: Review) -> bool:
    """Another review of the child (in force) was held after ``review``."""
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Review.child_pk == child.id,
                    Review.removed_at.is_(None),
                    Review.id != review.id,
                    Review.review_date > review.review_date,
                )
            )
        )
    )


def edit_review(review: Review, **changes) -> Review:
    allowed = set(REVIEW_FIELDS) - {"review_id"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"edit_review cannot change {', '.join(sorted(unknown))}")
    values = {f: getattr(review, f) for f in allowed} | changes
    values["participation_code"] = values["participation_code"] or None
    check_review(
        values["review_date"], values["participation_code"], values["recommendations_date"], values["minutes_date"]
    )
    check_participation(review.child.date_of_birth, values["review_date"], values["participation_code"])
    _check_in_a_period(review.child, values["review_date"])
    if "officer_id" in changes:
        values["officer_id"] = _officer(values["officer_id"], "officer_id")
    before = audit.snapshot(review, REVIEW_FIELDS)
    for key in changes:
        setattr(review, key, values[key])
    db.session.flush()
    _audit_update(
        "review.update",
        review,
        REVIEW_FIELDS,
        before,
        review.review_id,
        f"review {review.review_id} of child {review.child.child_id} edited",
    )
    return review


def remove_review(review: Review, *, reason: str | None, user=None) -> Review:
    """Remove a review recorded by mistake, with the reason (the IRO manager's correction:
    tracker.core.permissions): the chain, due items and figures are worked out again without it."""
    return _remove(review, reason, user, "review.remove", review.review_id, REVIEW_FIELDS, "reviews")


# --- IRO contacts ---------------------------------------------------------------------------


def record_contact(
    child: Child, *, contact_date: dt.date, contact_type: str | None = None, officer_id: str | None = None
) -> IroContact:
    check_contact(contact_date, contact_type)
    contact = IroContact(
        child=child,
        contact_id=references.new_ref("iro_contact"),
        contact_date=contact_date,
        contact_type=contact_type or None,
        officer_id=_officer(officer_id, "officer_id"),
    )
    db.session.add(contact)
    db.session.flush()
    audit.record(
        "iro_contact.create",
        object_type="iro_contact",
        object_id=contact.contact_id,
        summary=f"IRO contact {contact.contact_id} with child {child.child_id} recorded",
        after=audit.snapshot(contact, CONTACT_FIELDS),
    )
    return contact


def edit_contact(
    contact: IroContact, *, contact_date: dt.date, contact_type: str | None, officer_id: str | None
) -> IroContact:
    """Correct an IRO contact: its date, type and QARO."""
    check_contact(contact_date, contact_type)
    officer_id = _officer(officer_id, "officer_id")
    before = audit.snapshot(contact, CONTACT_FIELDS)
    contact.contact_date, contact.contact_type, contact.officer_id = contact_date, contact_type or None, officer_id
    db.session.flush()
    _audit_update(
        "iro_contact.update",
        contact,
        CONTACT_FIELDS,
        before,
        contact.contact_id,
        f"IRO contact {contact.contact_id} with child {contact.child.child_id} edited",
    )
    return contact


def remove_contact(contact: IroContact, *, reason: str | None, user=None) -> IroContact:
    """Remove an IRO contact recorded by mistake, with the reason: the next contact due and the
    contact figures are worked out again without it."""
    return _remove(contact, reason, user, "iro_contact.remove", contact.contact_id, CONTACT_FIELDS, "contacts")


# --- removal of a record made by mistake ----------------------------------------------------


REMOVED_WORDS = {"review": "review", "iro_contact": "IRO contact", "care_period": "care period"}


def _remove(record, reason: str | None, user, action: str, ref, fields, collection: str, check=None):
    """Mark ``record`` (a review, an IRO contact, a care period) removed with the reason, run
    ``check`` (a rule the removal must keep), and write the audit row ``action`` (``<kind>.remove``):
    the record as it was (``before``), the reason (``after``; free text stays out of the summary)."""
    kind = action.partition(".")[0]
    what = REMOVED_WORDS[kind]
    before = audit.snapshot(record, fields)
    reason = removal.mark_removed(record, reason, what, user)
    child = record.child
    db.session.flush()
    db.session.expire(child, [collection])
    if check is not None:
        check()
    audit.record(
        action,
        object_type=kind,
        object_id=ref,
        summary=f"{what} {ref} of child {child.child_id} removed",
        before=before,
        after={"reason": reason},
    )
    return record
