"""Record factories for the reviews tests (run inside an app context)."""

from __future__ import annotations

import datetime as dt
import itertools

from tracker.auth.models import User
from tracker.extensions import db
from tracker.reviews import operations

_n = itertools.count(1)


def d(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def officer(officer_id: str = "Q1", roles=("qaro",), team: str | None = "North", email: str | None = None) -> User:
    user = User(
        officer_id=officer_id,
        name=f"Officer {officer_id}",
        team=team,
        email=email or f"{officer_id.lower()}@example.org",
    )
    user.set_roles(roles)
    user.set_password("correct horse battery staple")
    db.session.add(user)
    db.session.flush()
    return user


def child(
    child_id: str | None = None,
    start: str | None = None,
    end: str | None = None,
    officer_id: str | None = None,
    **fields,
):
    c = operations.create_child(
        child_id=child_id or f"C{next(_n):05d}",
        date_of_birth=fields.pop("date_of_birth", d("2012-05-01")),
        first_name=fields.pop("first_name", "Sam"),
        last_name=fields.pop("last_name", "Smith"),
        iro_officer_id=officer_id,
        **fields,
    )
    if start:
        operations.add_care_period(c, start_date=d(start), end_date=d(end) if end else None)
    return c


def review(c, date: str, **fields):
    return operations.record_review(c, review_date=d(date), **fields)
