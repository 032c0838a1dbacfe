"""The board pack (interchange.md §4): the scorecard of a month as JSON and XLSX, and the annual
report tables as XLSX. Everything is built from ``scorecard.build`` and ``annual.build``; nothing
here recomputes a figure. Small numbers are hidden, when asked, through
``suppression.export_value`` only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tracker.board import annual, suppression
from tracker.board.scorecard import BOARD_UNIT, Line, Scorecard, Value
from tracker.core import kpis

FORMATS = ("json", "xlsx")
ANNUAL_KEYS = ("iro", "lado", "panel")


def month_key(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def indicator_unit(line: Line) -> str:
    """The indicator's own unit (``kpis.COUNT``, ``PERCENT`` or ``AVERAGE``): what the small-number
    rule reads. A row whose indicator is no longer registered falls back on the row's unit."""
    if line.indicator is not None:
        return line.indicator.unit
    return {board: unit for unit, board in BOARD_UNIT.items()}.get(line.row.unit, kpis.COUNT)


def describes_people(line: Line) -> bool:
    return line.indicator.describes_people if line.indicator is not None else True


def json_number(value):
    """A figure as a JSON number: counts as ints, the rest rounded to 2 decimals."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    return float(Decimal(str(value)).quantize(Decimal("0.01")))


def shown_value(line: Line, value: Value, suppress: bool):
    """The figure a download holds for one month: the number, or the small-number mark."""
    return suppression.export_value(
        indicator_unit(line),
        value.value,
        value.numerator,
        value.denominator,
        describes_people=describes_people(line),
        suppress=suppress,
    )


def document(card: Scorecard, suppress: bool = False) -> dict:
    """The JSON board pack (interchange.md §4, the issue's layout)."""
    rows = []
    for block in card.blocks:
        for line in block.lines:
            rows.append(
                {
                    "section": block.section.title,
                    "indicator": line.row.indicator_id,
                    "label": line.label,
                    "unit": str(line.row.unit),
                    "good_is": str(line.row.good_is),
                    "england": json_number(line.row.england),
                    "good_sn": json_number(line.row.good_sn),
                    "target": json_number(line.row.target),
                    "values": {month_key(v.month): json_number(shown_value(line, v, suppress)) for v in line.values},
                    "provisional": {month_key(v.month): card.provisional(v.month) for v in line.values},
                    "dot": str(line.dot) if line.dot else None,
                    "rag": str(line.rag) if line.rag else None,
                }
            )
    return {"month": month_key(card.month), "rows": rows}


def xlsx(card: Scorecard, suppress: bool = False, with_annual: bool = True) -> bytes:
    """The XLSX board pack: a sheet per section, the six-month appendix and the annual report
    tables of the month's financial year."""
    reports = []
    if with_annual:
        reports = [annual.build(key, *kpis.financial_year(card.month)) for key in ANNUAL_KEYS]
    from tracker.board import workbook  # openpyxl when a workbook is asked for (web.downloads)

    return workbook.board_pack(card, reports, suppress)


def annual_xlsx(report: annual.Report, suppress: bool = False) -> bytes:
    """One annual report's tables as a workbook (the annual pages' XLSX download)."""
    from tracker.board import workbook

    return workbook.annual_only(report, suppress)


def filename(card: Scorecard, fmt: str) -> str:
    return f"board-pack-{month_key(card.month)}.{fmt}"
