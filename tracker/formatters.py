"""Every date and number format the pages and messages use, once (as notifications-admin's
``app/formatters.py``). Templates use them as filters of the same names; Python messages call
them directly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tracker.core.clock import to_london


def format_date(value: dt.date | None) -> str:
    """5 January 2023 (headings, messages, summary lists)."""
    return "" if value is None else f"{value.day} {value:%B %Y}"


def format_date_short(value: dt.date | None) -> str:
    """5 Jan 2023 (tables, where space is short)."""
    return "" if value is None else f"{value.day} {value:%b %Y}"


def format_month(value: dt.date | None) -> str:
    """May 2025 (a month: the columns of the indicators month by month)."""
    return "" if value is None else f"{value:%B %Y}"


def format_day(value: dt.date | None) -> str:
    """Thursday 5 January 2023 (the date a page is as of)."""
    return "" if value is None else f"{value:%A} {format_date(value)}"


def format_datetime(value: dt.datetime | None) -> str:
    """5 Jan 2023 14:05, in England's time (audit log)."""
    if value is None:
        return ""
    local = to_london(value)
    return f"{format_date_short(local.date())} {local:%H:%M}"


def format_figure(value, unit: str) -> str:
    """An indicator's value: "92.78%" for percentages, "–" when there is no value."""
    if value is None:
        return "–"
    if unit == "%":
        return f"{value}%"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def yes_no(value) -> str:
    return "Yes" if value else "No"


FILTERS = {
    f.__name__: f
    for f in (
        format_date,
        format_date_short,
        format_month,
        format_day,
        format_datetime,
        format_figure,
        yes_no,
    )
}
