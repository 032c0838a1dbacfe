"""Downloads of a list page (issue 12): the rows the page's filters select, every page of them,
as CSV or XLSX. A list view builds its rows once and hands them either to its template or,
when the query string asks for ``format=csv`` / ``format=xlsx``, to ``send_table`` with the
columns of the download; so a download holds exactly what the filters show, and it is
permission-checked as the page is (it *is* the page's route).

Cells go through ``tracker.core.exports.safe_cell`` (formula escaping), dates stay dates (ISO in
CSV, date cells in XLSX), numbers stay numbers (a ``Decimal``, such as a percentage rounded to 2
decimals: a number cell showing its 2 decimals in XLSX, ``45.00`` in CSV). Every download is
audited (``list.export``: which list, format, filters, rows; never a child's or a person's
details), before the response is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import Response, abort, request, stream_with_context, url_for

from tracker.core import audit
from tracker.core.clock import today
from tracker.core.exports import safe_cell

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMAT_LABELS = {"csv": "CSV", "xlsx": "XLSX (Excel)"}


@dataclass(frozen=True)
class Column:
    """One column of a download: its header and how to read its value from a row."""

    header: str
    value: Callable[[Any], Any]


def requested_format() -> str | None:
    """The download format the query string asks for, ``None`` for the page itself; an unknown
    format is a bad request."""
    fmt = request.args.get("format")
    if fmt is None:
        return None
    if fmt not in FORMATS:
        abort(400)
    return fmt


def download_links(endpoint: str, args: dict, **values) -> list[dict]:
    """The "Download CSV" / "Download XLSX" links of a list page: the page's own URL with its
    filters (``args``, as ``request.args.to_dict(flat=False)`` gives them) and the format."""
    base = {k: v for k, v in args.items() if k not in ("page", "format")}
    return [
        {"format": fmt, "text": f"Download {label}", "href": url_for(endpoint, **values, **base, format=fmt)}
        for fmt, label in FORMAT_LABELS.items()
    ]


def page_filters() -> dict[str, Any]:
    """The filters of the current request, for the audit row of a download."""
    return {
        k: (v[0] if len(v) == 1 else v)
        for k, v in request.args.to_dict(flat=False).items()
        if k not in ("format", "page")
    }


def _csv_value(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None:
        return ""
    return safe_cell(value)


def _csv_chunks(header: list[str], data: list[list]) -> Iterator[str]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")  # so that Excel reads the file as UTF-8
    writer.writerow([safe_cell(h) for h in header])
    for i, row in enumerate(data, 1):
        writer.writerow([_csv_value(v) for v in row])
        if i % 500 == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def _xlsx_bytes(title: str, header: list[str], data: list[list]) -> bytes:
    # imported here: openpyxl (with numpy) is a tenth of a second that every process and command
    # would pay at start, and only a download uses it
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    bold = Font(bold=True)
    cells = []
    for h in header:
        cell = WriteOnlyCell(sheet, value=safe_cell(h))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    for row in data:
        out = []
        for value in row:
            if isinstance(value, dt.datetime):
                value = value.replace(tzinfo=None)
            cell = WriteOnlyCell(sheet, value=safe_cell(value))
            if isinstance(value, dt.date):
                cell.number_format = "dd/mm/yyyy" if not isinstance(value, dt.datetime) else "dd/mm/yyyy hh:mm"
            elif isinstance(value, Decimal):  # a figure rounded to 2 decimals (a percentage: 45.00)
                cell.number_format = "0.00"
            out.append(cell)
        sheet.append(out)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def send_table(
    fmt: str,
    *,
    title: str,
    filename: str,
    columns: list[Column],
    rows: Iterable,
    object_type: str = "export",
    filters: dict[str, Any] | None = None,
) -> Response:
    """The download of a list: ``rows`` (every row the filters select) through ``columns``.
    ``object_type`` places the audit row in its family (``lado_export`` for a LADO list, whose
    row only LADO roles read in full). ``filters`` replaces the query string's in the audit row
    when the page keeps some in the session (a search: say that there was one, never its words)."""
    header = [c.header for c in columns]
    data = [[c.value(row) for c in columns] for row in rows]
    audit.record(
        "list.export",
        object_type=object_type,
        summary=f"{title} downloaded as {fmt.upper()}: {len(data)} rows",
        after={
            "list": title,
            "format": fmt,
            "filters": page_filters() if filters is None else filters,
            "rows": len(data),
        },
    )
    if fmt == "csv":
        return _attachment(stream_with_context(_csv_chunks(header, data)), fmt, f"{filename}-{today().isoformat()}")
    return _attachment(_xlsx_bytes(title, header, data), fmt, f"{filename}-{today().isoformat()}")


def send_file(fmt: str, body, *, title: str, filename: str, mimetype: str, **details) -> Response:
    """A download that is not one list (the board pack, a workbook of tables): audited as every
    download is (``list.export``, with the query string's filters and ``details``), then sent as
    an attachment named ``filename.fmt``."""
    audit.record(
        "list.export",
        object_type="export",
        summary=f"{title} downloaded as {fmt.upper()}",
        after={"list": title, "format": fmt, "filters": page_filters(), **details},
    )
    return _attachment(body, fmt, filename, mimetype)


def _attachment(body, fmt: str, filename: str, mimetype: str | None = None) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{filename}.{fmt}"', "Cache-Control": "no-store"}
    return Response(body, mimetype=mimetype or FORMATS[fmt], headers=headers)
