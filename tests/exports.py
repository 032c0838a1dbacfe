"""Downloads of list pages as a user gets them (tracker.web.downloads): the CSV and the XLSX read
back (openpyxl reads the XLSX), and the page's own rows across every page, to compare them."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

from openpyxl import load_workbook

from tests.pages import normalise


def with_args(url: str, **args) -> str:
    parts = urlparse(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in args]
    query += [(k, str(v)) for k, v in args.items()]
    return urlunparse(parts._replace(query=urlencode(query)))


def download(client, url: str, fmt: str, *, status: int = 200) -> list[dict]:
    """The rows of the list page's download in ``fmt``, each a dict header → value (every value
    as text, as a user reads it: a date cell of the XLSX in ISO form, as the CSV writes it)."""
    response = client.get(with_args(url, format=fmt))
    assert response.status_code == status, f"GET {url} as {fmt}: {response.status_code}, expected {status}"
    if status != 200:
        return []
    assert "attachment" in response.headers["Content-Disposition"]
    if fmt == "csv":
        assert response.mimetype == "text/csv"
        text = response.get_data(as_text=True)
        assert text.startswith("\ufeff")
        return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]

    def text(value):
        if value is None:
            return ""
        if hasattr(value, "date") and hasattr(value, "hour"):  # openpyxl reads a date cell as a datetime
            return (
                value.date().isoformat() if (value.hour, value.minute, value.second) == (0, 0, 0) else value.isoformat()
            )
        return str(value)

    # a row's empty cells at its end are not written: they read as ""
    return [dict(zip(header, [*map(text, row), *[""] * (len(header) - len(row))], strict=True)) for row in rows[1:]]


def every_page(client_request, url: str, selector: str) -> list[list[str]]:
    """The table rows of a list, page after page (a caption "Items 4 to 6 of 6" says which; a
    table without one is the whole list)."""
    rows, number = [], 1
    while True:
        page = client_request.get(with_args(url, page=number))
        if not page.select(selector):
            return rows
        rows += page.table(selector)
        counted = re.search(r"\b\d+ to (\d+) of (\d+)\b", page.text_of(f"{selector} caption"))
        if counted is None or counted[1] == counted[2]:
            return rows
        number += 1


def assert_downloads_are_the_page(
    client_request, url: str, selector: str, columns: dict[int, str | Callable[[dict], str]]
) -> int:
    """The CSV and the XLSX of ``url`` hold the page's rows, in its order: the page's cell
    ``index`` equals the download's column ``header`` for each of ``columns`` (or what a function
    of the download's row makes of it, for a cell that shows several columns). Returns the count."""
    shown = [[row[i] for i in columns] for row in every_page(client_request, url, selector)]

    def cell(row: dict, column) -> str:
        return normalise(column(row) if callable(column) else row[column])

    for fmt in ("csv", "xlsx"):
        got = [[cell(r, c) for c in columns.values()] for r in download(client_request.client, url, fmt)]
        assert got == shown, f"{fmt} of {url} differs from the page"
    return len(shown)
