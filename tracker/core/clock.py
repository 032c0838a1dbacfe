"""The only clock: every "now" and "today" in the application comes from here.

Tests fix the date with the ``TRACKER_TODAY`` config value (ISO date); production reads the
system clock. Dates are reasoned about in Europe/London; timestamps are stored in UTC.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

LONDON = ZoneInfo("Europe/London")


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today's date in England (or the date fixed by ``TRACKER_TODAY``)."""
    if has_app_context():
        fixed = current_app.config.get("TODAY")
        if fixed:
            return fixed if isinstance(fixed, dt.date) else dt.date.fromisoformat(str(fixed))
    return now_utc().astimezone(LONDON).date()


def start_of_day_utc(day: dt.date) -> dt.datetime:
    """Midnight in England at the start of a date, as a UTC timestamp (a timestamp is on or
    before ``day`` when it is before ``start_of_day_utc(day + 1 day)``)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=LONDON).astimezone(dt.UTC)


def to_london(value: dt.datetime) -> dt.datetime:
    return value.astimezone(LONDON)
