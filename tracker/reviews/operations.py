"""Every change to children, care periods, reviews and IRO contacts (domain.md §4).

Each operation validates its rule, changes the rows, writes one audit row with
``tracker.core.audit.record`` (before/after), and flushes — it never commits (the view or
command commits once). The importers use the same validation helpers.
"""
from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select

from tracker.auth.models import User
from tracker.core import audit
from tracker.core.clock import today
from tracker.extensions import db
from tracker.reviews.models import CONTACT_TYPES, PARTICIPATION_CODES, CarePeriod, Child, IroContact, Review

CHILD_FIELDS = ("child_id", "first_name", "last_name", "date_of_birth", "gender", "ethnicity", "uasc", "iro_officer_id", "iro_contact_expected")
PERIOD_FIELDS = ("start_date", "end_date", "legal_status")
REVIEW_FIELDS = ("review_id", "review_date", "scheduled_date", "officer_id", "participation_code", "advocate", "recommendations_date", "minutes_date")
CONTACT_FIELDS = ("contact_id", "contact_date", "contact_type", "officer_id")


class OperationError(ValueError):
    """A change refused for a reason the user can fix (shown against ``field`` on the form)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# --- shared rules (operations and importers) -------------------------------------------


def periods_overlap(a_start: dt.date, a_end: dt.date | None, b_start: dt.date, b_end: dt.date | None) -> bool:
    """Two care periods overlap when they share a day (a period includes its end date, as a
    review on the end date belongs to it — domain.md §4)."""
    return (b_end is None or a_start <= b_end) and (a_end is None or b_start <= a_end)


def overlapping_period(child: Child, start: dt.date, end: dt.date | None, ignore: CarePeriod | None = None) -> CarePeriod | None:
    for other in child.care_periods:
        if other is ignore or (ignore is not None and other.id == ignore.id):
            continue
        if periods_overlap(start, end, other.start_date, other.end_date):
            return other
    return None


def period_for(child: Child, day: dt.date) -> CarePeriod | None:
    """The care period a review on ``day`` belongs to (start ≤ day ≤ end, or no end)."""
    for p in child.care_periods:
        if p.start_date <= day and (p.end_date is None or day <= p.end_date):
            return p
    return None


def officer_exists(officer_id: str) -> bool:
    return db.session.scalar(select(func.count(User.id)).where(User.officer_id == officer_id)) > 0


def _not_future(value: dt.date | None, field: str, what: str) -> None:
    if value is not None and value > today():
        raise OperationError(f"{what} must be today or in the past", field)


def _officer(value: str | None, field: str) -> str | None:
    value = (value or "").strip() or None
    if value is not None and not officer_exists(value):
        raise OperationError(f"There is no officer with the id {value}", field)
    return value


def _date_fmt(d: dt.date) -> str:
    return d.strftime("%-d %B %Y")


# --- children --------------------------------------------------------------------------


def create_child(*, child_id: str, date_of_birth: dt.date, first_name: str | None = None, last_name: str | None = None,
                 gender: str | None = None, ethnicity: str | None = None, uasc: bool = False,
                 iro_officer_id: str | None = None, iro_contact_expected: bool = True) -> Child:
    child_id = (child_id or "").strip()
    if not child_id:
        raise OperationError("Enter the child's reference", "child_id")
    if db.session.scalar(select(Child.id).where(Child.child_id == child_id)) is not None:
        raise OperationError(f"A child with the reference {child_id} already exists", "child_id")
    _not_future(date_of_birth, "date_of_birth", "The date of birth")
    child = Child(child_id=child_id, first_name=first_name, last_name=last_name, date_of_birth=date_of_birth,
                  gender=gender, ethnicity=ethnicity, uasc=bool(uasc),
                  iro_officer_id=_officer(iro_officer_id, "iro_officer_id"), iro_contact_expected=bool(iro_contact_expected))
    db.session.add(child)
    db.session.flush()
    audit.record("child.create", object_type="child", object_id=child.child_id, summary=f"child {child.child_id} added",
                 after=audit.snapshot(child, CHILD_FIELDS))
    return child


def edit_child(child: Child, **changes) -> Child:
    before = audit.snapshot(child, CHILD_FIELDS)
    allowed = set(CHILD_FIELDS) - {"child_id", "iro_officer_id"}  # the QARO changes by allocate()
    for key, value in changes.items():
        if key not in allowed:
            raise ValueError(f"edit_child cannot change {key}")
        if key == "date_of_birth":
            if value is None:
                raise OperationError("Enter the date of birth", "date_of_birth")
            _not_future(value, "date_of_birth", "The date of birth")
        setattr(child, key, value)
    db.session.flush()
    b, a = audit.changed(before, audit.snapshot(child, CHILD_FIELDS))
    audit.record("child.edit", object_type="child", object_id=child.child_id, summary=f"child {child.child_id} edited", before=b, after=a)
    return child


def allocate(child: Child, officer_id: str | None) -> Child:
    """Allocate (or re-allocate, or un-allocate with None) the child's QARO."""
    officer_id = _officer(officer_id, "officer_id")
    before = child.iro_officer_id
    child.iro_officer_id = officer_id
    db.session.flush()
    audit.record("child.allocate", object_type="child", object_id=child.child_id,
                 summary=f"child {child.child_id} allocated to {officer_id or 'nobody'}",
                 before={"iro_officer_id": before}, after={"iro_officer_id": officer_id})
    return child


# --- care periods ----------------------------------------------------------------------


def _check_period(child: Child, start: dt.date | None, end: dt.date | None, ignore: CarePeriod | None = None) -> None:
    if start is None:
        raise OperationError("Enter the date the care period started", "start_date")
    _not_future(start, "start_date", "The start date")
    if end is not None:
        if end < start:
            raise OperationError("The end date must be the same as or after the start date", "end_date")
        _not_future(end, "end_date", "The end date")
    other = overlapping_period(child, start, end, ignore)
    if other is not None:
        until = f"to {_date_fmt(other.end_date)}" if other.end_date else "with no end date"
        raise OperationError(
            f"This overlaps the care period from {_date_fmt(other.start_date)} {until}: care periods of one child cannot overlap",
            "start_date")
    # A period that shrinks must not strand reviews outside every period (domain.md §4).
    if ignore is not None:
        for review in child.reviews:
            if ignore.start_date <= review.review_date and (ignore.end_date is None or review.review_date <= ignore.end_date):
                if not (start <= review.review_date and (end is None or review.review_date <= end)):
                    raise OperationError(
                        f"The review held on {_date_fmt(review.review_date)} would fall outside every care period: "
                        "change or delete that review first", "end_date" if end is not None and review.review_date > end else "start_date")


def add_care_period(child: Child, *, start_date: dt.date, end_date: dt.date | None = None, legal_status: str | None = None) -> CarePeriod:
    _check_period(child, start_date, end_date)
    period = CarePeriod(child=child, start_date=start_date, end_date=end_date, legal_status=legal_status or None)
    db.session.add(period)
    db.session.flush()
    audit.record("care_period.create", object_type="care_period", object_id=period.id,
                 summary=f"care period {period.id} of child {child.child_id} added", after=audit.snapshot(period, PERIOD_FIELDS))
    return period


def edit_care_period(period: CarePeriod, *, start_date: dt.date, end_date: dt.date | None, legal_status: str | None) -> CarePeriod:
    _check_period(period.child, start_date, end_date, ignore=period)
    before = audit.snapshot(period, PERIOD_FIELDS)
    period.start_date, period.end_date, period.legal_status = start_date, end_date, legal_status or None
    db.session.flush()
    b, a = audit.changed(before, audit.snapshot(period, PERIOD_FIELDS))
    audit.record("care_period.edit", object_type="care_period", object_id=period.id,
                 summary=f"care period {period.id} of child {period.child.child_id} edited", before=b, after=a)
    return period


def end_care_period(period: CarePeriod, end_date: dt.date) -> CarePeriod:
    return edit_care_period(period, start_date=period.start_date, end_date=end_date, legal_status=period.legal_status)


# --- reviews ---------------------------------------------------------------------------


def new_review_id() -> str:
    return "R-" + uuid.uuid4().hex[:10].upper()


def _check_review(child: Child, values: dict) -> None:
    review_date = values.get("review_date")
    if review_date is None:
        raise OperationError("Enter the date the review was held", "review_date")
    _not_future(review_date, "review_date", "The review date")
    if period_for(child, review_date) is None:
        raise OperationError("The review date is outside every care period of this child: add or correct the care period first",
                             "review_date")
    for field, what in (("recommendations_date", "The date recommendations were issued"), ("minutes_date", "The date the minutes were completed")):
        value = values.get(field)
        if value is not None:
            if value < review_date:
                raise OperationError(f"{what} must be the same as or after the review date", field)
            _not_future(value, field, what)
    code = values.get("participation_code")
    if code is not None and code not in PARTICIPATION_CODES:
        raise OperationError("Select a participation code", "participation_code")


def record_review(child: Child, *, review_date: dt.date, officer_id: str | None = None, participation_code: str | None = None,
                  advocate: bool = False, recommendations_date: dt.date | None = None, minutes_date: dt.date | None = None,
                  scheduled_date: dt.date | None = None, review_id: str | None = None) -> Review:
    values = dict(review_date=review_date, participation_code=participation_code or None,
                  recommendations_date=recommendations_date, minutes_date=minutes_date)
    _check_review(child, values)
    review_id = (review_id or "").strip() or new_review_id()
    if db.session.scalar(select(Review.id).where(Review.review_id == review_id)) is not None:
        raise OperationError(f"A review with the id {review_id} already exists", "review_id")
    review = Review(child=child, review_id=review_id, officer_id=_officer(officer_id, "officer_id"), advocate=bool(advocate),
                    scheduled_date=scheduled_date, **values)
    db.session.add(review)
    db.session.flush()
    audit.record("review.create", object_type="review", object_id=review.review_id,
                 summary=f"review {review.review_id} of child {child.child_id} recorded", after=audit.snapshot(review, REVIEW_FIELDS))
    return review


def edit_review(review: Review, **changes) -> Review:
    allowed = set(REVIEW_FIELDS) - {"review_id"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"edit_review cannot change {', '.join(sorted(unknown))}")
    values = {f: getattr(review, f) for f in allowed}
    values.update(changes)
    if values.get("participation_code") == "":
        values["participation_code"] = None
    _check_review(review.child, values)
    if "officer_id" in changes:
        values["officer_id"] = _officer(values["officer_id"], "officer_id")
    before = audit.snapshot(review, REVIEW_FIELDS)
    for key in changes:
        setattr(review, key, values[key])
    db.session.flush()
    b, a = audit.changed(before, audit.snapshot(review, REVIEW_FIELDS))
    audit.record("review.edit", object_type="review", object_id=review.review_id,
                 summary=f"review {review.review_id} of child {review.child.child_id} edited", before=b, after=a)
    return review


def delete_review(review: Review) -> None:
    before = audit.snapshot(review, REVIEW_FIELDS)
    child_id = review.child.child_id
    review.child.reviews.remove(review)
    db.session.delete(review)
    db.session.flush()
    audit.record("review.delete", object_type="review", object_id=before["review_id"],
                 summary=f"review {before['review_id']} of child {child_id} deleted", before=before)


# --- IRO contacts ----------------------------------------------------------------------


def record_contact(child: Child, *, contact_date: dt.date, contact_type: str | None = None, officer_id: str | None = None,
                   contact_id: str | None = None) -> IroContact:
    if contact_date is None:
        raise OperationError("Enter the date of the contact", "contact_date")
    _not_future(contact_date, "contact_date", "The date of the contact")
    if contact_type is not None and contact_type not in CONTACT_TYPES:
        raise OperationError("Select the type of contact", "contact_type")
    contact_id = (contact_id or "").strip() or "K-" + uuid.uuid4().hex[:10].upper()
    if db.session.scalar(select(IroContact.id).where(IroContact.contact_id == contact_id)) is not None:
        raise OperationError(f"A contact with the id {contact_id} already exists", "contact_id")
    contact = IroContact(child=child, contact_id=contact_id, contact_date=contact_date, contact_type=contact_type,
                         officer_id=_officer(officer_id, "officer_id"))
    db.session.add(contact)
    db.session.flush()
    audit.record("iro_contact.create", object_type="iro_contact", object_id=contact.contact_id,
                 summary=f"IRO contact {contact.contact_id} with child {child.child_id} recorded",
                 after=audit.snapshot(contact, CONTACT_FIELDS))
    return contact


