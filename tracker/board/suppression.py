"""Small numbers for the board (domain.md §8): the one place the rule lives.

For users without ``board.unsuppressed`` (board members), a count of 1–4 that describes children
or people is shown as ``<5``, and a percentage (or average) whose numerator or denominator is 1–4
is suppressed (``[c]``, the Government Statistical Service's mark for a confidential cell), on
pages and exports alike. Analysts and managers see exact figures. Zero is never suppressed: it
discloses nobody.
"""

from __future__ import annotations

from decimal import Decimal

from tracker.core import kpis, permissions
from tracker.formatters import format_figure

FEWER_THAN_FIVE = "<5"
SUPPRESSED = "[c]"
LEGEND = "<5: between 1 and 4. [c]: not shown because it rests on fewer than 5 children or people."


def applies(user) -> bool:
    """Whether ``user`` reads suppressed figures (board members: no ``board.unsuppressed``)."""
    return not permissions.can(user, "board.unsuppressed")


def _small(n: int | None) -> bool:
    return n is not None and 1 <= n <= 4


def mark(
    unit: str,
    value: Decimal | int | None,
    numerator: int | None,
    denominator: int | None,
    describes_people: bool = True,
) -> str | None:
    """``<5`` or ``[c]`` when the figure must be hidden from a board member, else None.
    ``unit`` is the indicator's (``kpis.COUNT``, ``PERCENT`` or ``AVERAGE``)."""
    if not describes_people or value is None:
        return None
    if unit == kpis.COUNT:
        return FEWER_THAN_FIVE if _small(int(value)) else None
    return SUPPRESSED if _small(numerator) or _small(denominator) else None


def text(
    unit: str,
    value: Decimal | int | None,
    numerator: int | None = None,
    denominator: int | None = None,
    *,
    describes_people: bool = True,
    suppress: bool,
) -> str:
    """The figure as a page shows it: "92.78%", "12", "–", or the suppression mark."""
    hidden = mark(unit, value, numerator, denominator, describes_people) if suppress else None
    return hidden or format_figure(value, "%" if unit == kpis.PERCENT else unit)


def export_value(
    unit: str,
    value: Decimal | int | None,
    numerator: int | None = None,
    denominator: int | None = None,
    *,
    describes_people: bool = True,
    suppress: bool,
):
    """The figure as a download holds it: the number, or the mark (a string) when hidden."""
    hidden = mark(unit, value, numerator, denominator, describes_people) if suppress else None
    return hidden or value
