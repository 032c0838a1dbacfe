"""Validation rules every feature's operations share (and, through ``RowReader.check``, the
import): each raises ``DomainError`` with a message for the user and the field it concerns."""

from __future__ import annotations

import datetime as dt
import re

from tracker.core.clock import today
from tracker.core.errors import DomainError
from tracker.formatters import format_date


def required(value, field: str, message: str) -> None:
    if value is None or (isinstance(value, str) and not value.strip()) or value == []:
        raise DomainError(message, field)


def not_future(day: dt.date | None, field: str, what: str) -> None:
    """Something that must already have happened is not dated after today (interchange.md §1),
    nor before the accepted range (``date_in_range``)."""
    date_in_range(day, field, what)


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


# --- the accepted range of every date ---------------------------------------------------------

FIRST_DATE = dt.date(1900, 1, 1)  # the working-day calendar's first day (tracker.core.calendar.FIRST_DAY)
YEARS_AHEAD = 2  # due dates, scheduled meetings and booked days: up to two years from today


def last_date(ahead: bool = False) -> dt.date:
    """The latest date accepted: today for something that has happened; today + 2 years for a
    due date, a scheduled meeting or a booked day (``ahead``)."""
    day = today()
    if not ahead:
        return day
    return day.replace(year=day.year + YEARS_AHEAD, day=28 if (day.month, day.day) == (2, 29) else day.day)


def date_in_range(day: dt.date | None, field: str, what: str, *, ahead: bool = False) -> None:
    """The one rule for every date the tracker accepts (forms through ``GovDate``,
    the import through ``RowReader.date``, the operations through ``not_future``): from
    1 January 1900 to today — or to today + 2 years for a date that may lie ahead (``ahead``).
    The working-day calendar covers the whole range, so no accepted date falls out of a
    deadline, a worklist or a figure."""
    if day is None:
        return
    last = last_date(ahead)
    if FIRST_DATE <= day <= last:
        return
    if day > last and not ahead:
        raise DomainError(f"{what} must be today or in the past", field)
    until = format_date(last) if ahead else "today"
    raise DomainError(f"{what} must be between {format_date(FIRST_DATE)} and {until}", field)


def date_storable(day: dt.date | None, field: str, what: str, *, ahead: bool = False) -> None:
    """What ``GovDate`` and ``RowReader.date`` refuse as they read a date: one outside every
    accepted range (before 1 January 1900 or after today + 2 years), which no record may hold,
    with the message ``date_in_range`` gives a date of its kind. Inside that, whether this date
    may lie ahead is its operation's rule (``not_future``), which forms and import share."""
    if day is not None and not FIRST_DATE <= day <= last_date(ahead=True):
        date_in_range(day, field, what, ahead=ahead)


# --- references and text ------------------------------------------------------------------------

REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")
REFERENCE_RULE = "letters, numbers, full stops, hyphens and underscores (up to 40, starting with a letter or number)"


def reference(value: str | None, field: str, what: str) -> None:
    """An id brought by an import or typed into a form (a child's reference, a review id, an
    officer id, a LADO person reference...): up to 40 of ``A-Z a-z 0-9 . _ -``, starting with a
    letter or a number. Ids become parts of URLs and of pages: nothing else may be in them
    (no ``/``, ``<``, space or control character). Blank is the caller's business (``required``)."""
    if value is None or value == "":
        return
    if not REFERENCE.fullmatch(value):
        raise DomainError(f"{what} can only contain {REFERENCE_RULE}", field)


# NUL and the C0 control characters (and DEL); free text may hold tab, line feed and carriage return
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_ONE_LINE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def control_character(value: str, *, multiline: bool = True) -> str | None:
    """The first control character in ``value`` as ``U+0000``, or None. Tab is allowed
    everywhere; line feed and carriage return only in free text (``multiline``)."""
    found = (_CONTROL if multiline else _CONTROL_ONE_LINE).search(value)
    return None if found is None else f"U+{ord(found.group()):04X}"


def plain_text(value: str | None, field: str, what: str, *, multiline: bool = True) -> None:
    """Text without NUL or other control characters (they cannot be stored in PostgreSQL, and
    nobody types them): the rule of every text cell of an import and every text field of a form."""
    found = None if not value else control_character(value, multiline=multiline)
    if found is not None:
        raise DomainError(f"{what} must not contain control characters ({found} found)", field)
