"""Records for the reviews tests, built through the operations (``tracker.reviews.operations``)
so that every rule, reference and audit row is the one a user's change gets. Call them inside
an app context; they flush, the caller commits when another context must see the rows."""

from __future__ import annotations

import datetime as dt
import itertools

from tracker.auth import operations as auth_operations
from tracker.auth.models import User
from tracker.reviews import operations, rules903
from tracker.reviews.models import CarePeriod, Child, IroContact, Review

_n = itertools.count(1)


def d(value: str | dt.date | None) -> dt.date | None:
    """An ISO date string as a date (dates and None pass through)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def officer(officer_id: str = "Q1", roles=("qaro",), team: str | None = "North", name: str | None = None) -> User:
    """An officer (a user with an officer id), without a password: sign in with ``sign_in_as``."""
    return auth_operations.create_user(
        email=f"{officer_id.lower()}@example.org",
        name=name or f"Officer {officer_id}",
        roles=roles,
        password=None,
        officer_id=officer_id,
        team=team,
    )


def child(
    child_id: str | None = None,
    start: str | None = None,
    end: str | None = None,
    officer_id: str | None = None,
    **fields,
) -> Child:
    """A child (allocated to ``officer_id``), with a care period from ``start`` when given."""
    c = operations.create_child(
        child_id=child_id or f"C{next(_n):05d}",
        date_of_birth=d(fields.pop("date_of_birth", "2012-05-01")),
        first_name=fields.pop("first_name", "Sam"),
        last_name=fields.pop("last_name", "Smith"),
        iro_officer_id=officer_id,
        **fields,
    )
    if start:
        care_period(c, start, end)
    return c


def care_period(c: Child, start: str, end: str | None = None, legal_status: str | None = None) -> CarePeriod:
    return operations.add_care_period(c, start_date=d(start), end_date=d(end), legal_status=legal_status)


def review(c: Child, date: str, **fields) -> Review:
    """A review held on ``date``; ISO strings are taken for its other dates too."""
    for key in ("recommendations_date", "minutes_date", "scheduled_date"):
        if key in fields:
            fields[key] = d(fields[key])
    # a code the DfE's rules allow for the child's age that day, unless the test names one
    fields.setdefault("participation_code", rules903.participation_choices_for(c.date_of_birth, d(date))[-1])
    return operations.record_review(c, review_date=d(date), **fields)


def contact(c: Child, date: str, contact_type: str | None = "visit", officer_id: str | None = None) -> IroContact:
    return operations.record_contact(c, contact_date=d(date), contact_type=contact_type, officer_id=officer_id)
