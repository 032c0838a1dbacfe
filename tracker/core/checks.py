"""Validation rules every feature's operations share (and, through ``RowReader.check``, the
import): each raises ``DomainError`` with a message for the user and the field it concerns."""

from __future__ import annotations

import datetime as dt

from tracker.core.clock import today
from tracker.core.errors import DomainError


def required(value, field: str, message: str) -> None:
    if value is None or (isinstance(value, str) and not value.strip()) or value == []:
        raise DomainError(message, field)


def not_future(day: dt.date | None, field: str, what: str) -> None:
    """Something that must already have happened is not dated after today (interchange.md §1)."""
    if day is not None and day > today():
        raise DomainError(f"{what} must be today or in the past", field)


def not_before(day: dt.date | None, earlier: dt.date | None, field: str, message: str) -> None:
    """``day`` is on or after ``earlier`` (either may be blank)."""
    if day is not None and earlier is not None and day < earlier:
        raise DomainError(message, field)


def code(value, codes, field: str, message: str, *, required_: bool = True):
    """A known code of the ``CodeEnum`` ``codes`` (or None when blank and not required).
    ``message`` says what to choose when it is blank; an unknown code is named, with the
    codes allowed (it comes from a file, or a tampered form)."""
    if value is None or value == "":
        if required_:
            raise DomainError(message, field)
        return None
    member = codes.get(value)
    if member is None:
        raise DomainError(f"{value!r} is not a known code (expected one of: {', '.join(codes.codes())})", field)
    return member


def paired(value, day: dt.date | None, value_field: str, date_field: str, *, no_date: str, no_value: str) -> None:
    """An outcome, decision or closure comes with its date, and a date with it (interchange.md §1)."""
    if value and day is None:
        raise DomainError(no_date, date_field)
    if day is not None and not value:
        raise DomainError(no_value, value_field)
