"""Operations on the timescale rules and closure days (domain.md §2–3).

Each function validates, changes the rows, writes exactly one audit row and flushes; the
request lifecycle (or the command runner) commits once.
"""

from __future__ import annotations

import datetime as dt

from tracker.core import audit, calendar, checks, timescales
from tracker.core.calendar import ClosureDay
from tracker.core.clock import now_utc
from tracker.core.errors import DomainError
from tracker.core.timescales import TimescaleRule, Unit
from tracker.extensions import db

# The largest |amount| per unit: about two years either way. Anything longer is a typing slip.
MAX_AMOUNT = {Unit.working_days: 500, Unit.days: 730, Unit.months: 24}


def validate_amount(amount: int, unit: Unit | str) -> None:
    unit = Unit(unit)
    if amount == 0:
        raise DomainError("The amount must not be 0", "amount")
    limit = MAX_AMOUNT[unit]
    if abs(amount) > limit:
        raise DomainError(f"The amount must be between -{limit} and {limit} {unit.label.lower()}", "amount")


def update_rule(rule: TimescaleRule, amount: int, unit: Unit | str, *, user=None) -> bool:
    """Change a rule's duration. Returns False (and writes nothing) when nothing changed."""
    try:
        unit = Unit(unit)
    except ValueError:
        raise DomainError("Select working days, days or months", "unit") from None
    validate_amount(amount, unit)
    fields = ("amount", "unit")
    before = audit.snapshot(rule, fields)
    if before == {"amount": amount, "unit": unit.value}:
        return False
    rule.amount = amount
    rule.unit = unit.value
    rule.updated_at = now_utc()
    db.session.flush()
    timescales.forget_rules()
    after = audit.snapshot(rule, fields)
    audit.record(
        "timescale_rule.update",
        object_type="timescale_rule",
        object_id=rule.name,
        summary=f"timescale rule {rule.name}: {before['amount']} {before['unit']} -> {after['amount']} {after['unit']}",
        before=before,
        after=after,
        user=user,
    )
    return True


def add_closure_day(day: dt.date, reason: str, *, user=None) -> ClosureDay:
    """Make ``day`` a non-working day and rebuild the working-day calendar in this transaction."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Enter the reason for the closure", "reason")
    if len(reason) > 200:
        raise DomainError("The reason must be 200 characters or fewer", "reason")
    checks.date_in_range(day, "day", "The date", ahead=True)  # a day closed in the past, or booked ahead
    if db.session.get(ClosureDay, day) is not None:
        raise DomainError("That date is already a closure day", "day")
    if day.weekday() >= 5:
        raise DomainError("That date is a weekend day, so it is already not a working day", "day")
    if day in calendar.bank_holidays(day.year):
        raise DomainError("That date is a bank holiday, so it is already not a working day", "day")
    closure = ClosureDay(day=day, reason=reason)
    db.session.add(closure)
    db.session.flush()
    calendar.rebuild()
    audit.record(
        "closure_day.create",
        object_type="closure_day",
        object_id=day.isoformat(),
        summary=f"closure day {day.isoformat()} added",
        after={"day": day, "reason": reason},
        user=user,
    )
    db.session.flush()
    return closure


def remove_closure_day(day: dt.date, *, user=None) -> None:
    closure = db.session.get(ClosureDay, day)
    if closure is None:
        raise DomainError("That date is not a closure day", "day")
    before = {"day": day, "reason": closure.reason}
    db.session.delete(closure)
    db.session.flush()
    calendar.rebuild()
    audit.record(
        "closure_day.delete",
        object_type="closure_day",
        object_id=day.isoformat(),
        summary=f"closure day {day.isoformat()} removed",
        before=before,
        user=user,
    )
    db.session.flush()
