"""The board pack's workbooks (openpyxl; interchange.md §4): one sheet per scorecard section,
the "Six months" appendix of every row, and the annual report tables, each laid out as the
council's papers lay them out. Numbers are stored as numbers with number formats (counts ``0``,
percentages as the page shows them, ``92.78`` formatted ``0.00"%"``, rates ``0.00``); the month
and whether each month's figures are provisional or frozen are marked; header rows are frozen
and column widths set. Every text cell goes through ``tracker.core.exports.safe_cell`` (formula
escaping), and small numbers are hidden, when asked, by ``suppression.export_value`` only."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from tracker.board import annual, suppression
from tracker.board.models import BoardUnit
from tracker.board.scorecard import Block, Line, Scorecard
from tracker.core import kpis
from tracker.core.exports import safe_cell
from tracker.formatters import format_date, format_month

COUNT_FORMAT = "0"
PERCENT_FORMAT = '0.00"%"'  # the value as the page shows it (92.78 is 92.78%)
RATE_FORMAT = "0.00"
NUMBER_FORMATS = {
    BoardUnit.count: COUNT_FORMAT,
    BoardUnit.percent: PERCENT_FORMAT,
    BoardUnit.rate: RATE_FORMAT,
    kpis.COUNT: COUNT_FORMAT,
    kpis.PERCENT: PERCENT_FORMAT,
    kpis.AVERAGE: RATE_FORMAT,
}
PROVISIONAL = "Provisional"
FROZEN = "Frozen"
APPENDIX = "Six months"
SCORECARD_COLUMNS = ["Indicator", "Unit", "Good is", "England", "Good + SN", "Target"]
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
_INVALID_TITLE = re.compile(r"[\[\]:*?/\\]")


def sheet_title(text: str, taken: set[str]) -> str:
    """A valid, unique sheet title: no ``[]:*?/\\``, no leading or trailing apostrophe, at most
    31 characters (Excel's limits)."""
    base = _INVALID_TITLE.sub(" ", text).strip().strip("'").strip() or "Sheet"
    title, n = base[:31].rstrip(), 1
    while title.lower() in {t.lower() for t in taken}:
        n += 1
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)].rstrip() + suffix
    taken.add(title)
    return title


def _put(sheet: Worksheet, row: int, column: int, value, *, number_format: str | None = None, font=None):
    """Write one cell: text escaped, numbers as numbers (with their format), dates as dates."""
    if isinstance(value, Decimal):
        value = float(value)
    cell = sheet.cell(row=row, column=column, value=safe_cell(value))
    if number_format and isinstance(value, (int, float)) and not isinstance(value, bool):
        cell.number_format = number_format
    if font is not None:
        cell.font = font
    return cell


def _widths(sheet: Worksheet, first: float, others: float, count: int) -> None:
    sheet.column_dimensions["A"].width = first
    for i in range(2, count + 1):
        sheet.column_dimensions[get_column_letter(i)].width = others


# --- the scorecard's sheets --------------------------------------------------------------------


def _status(card: Scorecard, month: dt.date) -> str:
    return FROZEN if month in card.frozen else PROVISIONAL


def _about(card: Scorecard) -> list[str | None]:
    """The three lines under a sheet's title (the table's place never moves): the month, the
    months computed live (provisional), and the months frozen (with any re-freezing's reason)."""
    live = [m for m in card.months if m not in card.frozen]
    frozen = []
    for month in card.months:
        fm = card.frozen.get(month)
        if fm is not None:
            text = f"{format_month(month)} {FROZEN.lower()} on {format_date(fm.frozen_at.date())}"
            if fm.refrozen_reason:
                text += f" (re-frozen because {fm.refrozen_reason})"
            frozen.append(text)
    return [
        f"Scorecard for {format_month(card.month)}: the six months to {format_month(card.month)}",
        f"{PROVISIONAL}: computed live on {format_date(card.as_of)} (not frozen yet): "
        + ", ".join(format_month(m) for m in live)
        if live
        else None,
        "; ".join(frozen) or None,
    ]


def _line_cells(line: Line, card: Scorecard, suppress: bool) -> list[tuple[object, str | None]]:
    from tracker.board.pack import shown_value  # one place for the suppressed value

    fmt = NUMBER_FORMATS.get(line.row.unit)
    cells: list[tuple[object, str | None]] = [
        (line.label, None),
        (line.row.unit.label, None),
        (line.row.good_is.label, None),
        (line.row.england, fmt),
        (line.row.good_sn, fmt),
        (line.row.target, fmt),
    ]
    cells += [(shown_value(line, v, suppress), fmt) for v in line.values]
    cells += [(line.dot.label if line.dot else None, None), (line.rag.label if line.rag else None, None)]
    return cells


def _scorecard_table(
    sheet: Worksheet, top: int, card: Scorecard, blocks: list[Block], suppress: bool, with_section: bool
) -> int:
    """The header rows (the columns, then "Provisional" / "Frozen" under each month) and one row
    per line from ``top``; returns the next free row."""
    lead = ["Section"] if with_section else []
    headers = lead + SCORECARD_COLUMNS + [format_month(m) for m in card.months] + ["Direction of travel", "RAG"]
    for i, text in enumerate(headers, 1):
        _put(sheet, top, i, text, font=BOLD).alignment = Alignment(wrap_text=True)
    first_month = len(lead) + len(SCORECARD_COLUMNS) + 1
    for i, month in enumerate(card.months):
        _put(sheet, top + 1, first_month + i, _status(card, month), font=BOLD)
    row = top + 2
    for block in blocks:
        for line in block.lines:
            cells = ([(block.section.title, None)] if with_section else []) + _line_cells(line, card, suppress)
            for i, (value, fmt) in enumerate(cells, 1):
                _put(sheet, row, i, value, number_format=fmt)
            row += 1
    return row


def _heading(sheet: Worksheet, title: str, lines: list[str | None]) -> int:
    _put(sheet, 1, 1, title, font=TITLE)
    for i, text in enumerate(lines, 2):
        _put(sheet, i, 1, text)
    return len(lines) + 3  # a blank row before the table


def section_sheet(sheet: Worksheet, card: Scorecard, block: Block, suppress: bool) -> None:
    top = _heading(sheet, block.section.title, _about(card))
    row = _scorecard_table(sheet, top, card, [block], suppress, with_section=False)
    sheet.freeze_panes = sheet.cell(row=top + 2, column=2)
    row += 1
    _put(sheet, row, 1, f"Commentary for {format_month(card.month)}", font=BOLD)
    note = block.commentary
    if note is None:
        _put(sheet, row + 1, 1, "No commentary was written for this month.")
    else:
        _put(sheet, row + 1, 1, note.text).alignment = Alignment(wrap_text=True, vertical="top")
        _put(sheet, row + 2, 1, f"By {note.author}, {format_date(note.written_at.date())}")
    if suppress:
        _put(sheet, row + 4, 1, suppression.LEGEND)
    _widths(sheet, 60, 13, len(SCORECARD_COLUMNS) + len(card.months) + 2)


def appendix_sheet(sheet: Worksheet, card: Scorecard, suppress: bool) -> None:
    top = _heading(sheet, "Six months: every row of the scorecard", _about(card))
    row = _scorecard_table(sheet, top, card, card.blocks, suppress, with_section=True)
    sheet.freeze_panes = sheet.cell(row=top + 2, column=3)
    if suppress:
        _put(sheet, row + 1, 1, suppression.LEGEND)
    _widths(sheet, 24, 13, len(SCORECARD_COLUMNS) + len(card.months) + 3)
    sheet.column_dimensions["B"].width = 60


# --- the annual report tables -------------------------------------------------------------------


def annual_sheet(sheet: Worksheet, report: annual.Report, suppress: bool) -> None:
    """The report's tables one under another: each its title, column headings, rows and note."""
    lines = [f"{report.title} tables {report.label}"]
    if report.to_date is not None:
        lines.append(f"The year is not over: the figures run to {format_date(report.to_date)}")
    top = _heading(sheet, f"{report.title} tables {report.label}", lines[1:])
    sheet.freeze_panes = sheet.cell(row=top - 1, column=2)  # the title rows and the labels
    row, widest = top, 1
    for table in report.tables:
        _put(sheet, row, 1, table.title, font=BOLD)
        _put(sheet, row + 1, 1, table.row_heading, font=BOLD)
        for i, heading in enumerate(table.columns, 2):
            _put(sheet, row + 1, i, heading, font=BOLD).alignment = Alignment(wrap_text=True)
        widest = max(widest, len(table.columns) + 1)
        row += 2
        for line in table.rows:
            _put(sheet, row, 1, line.label)
            for i, c in enumerate(line.cells, 2):
                value = suppression.export_value(
                    c.unit, c.value, c.numerator, c.denominator, describes_people=c.describes_people, suppress=suppress
                )
                _put(sheet, row, i, value, number_format=NUMBER_FORMATS[c.unit])
            row += 1
        if table.note:
            _put(sheet, row, 1, table.note)
            row += 1
        row += 1
    if suppress:
        _put(sheet, row, 1, suppression.LEGEND)
    _widths(sheet, 55, 13, widest)


# --- the workbooks ------------------------------------------------------------------------------


def _bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def board_pack(card: Scorecard, reports: list[annual.Report], suppress: bool) -> bytes:
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = {APPENDIX}
    for block in card.blocks:
        section_sheet(book.create_sheet(sheet_title(block.section.title, taken)), card, block, suppress)
    appendix_sheet(book.create_sheet(APPENDIX), card, suppress)
    for report in reports:
        annual_sheet(book.create_sheet(sheet_title(report.title, taken)), report, suppress)
    return _bytes(book)


def annual_only(report: annual.Report, suppress: bool) -> bytes:
    book = Workbook()
    book.remove(book.active)
    annual_sheet(book.create_sheet(sheet_title(report.title, set())), report, suppress)
    return _bytes(book)
