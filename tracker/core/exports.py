"""Spreadsheet-safe exports (interchange.md §4): values that a spreadsheet would evaluate
(starting with =, +, -, @, tab or carriage return) are prefixed with an apostrophe; every CSV
the tracker writes goes through ``write_csv``."""

from __future__ import annotations

import csv
from typing import IO

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Neutralise a text cell for CSV/XLSX; numbers, dates and None pass through unchanged."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def write_csv(out: IO[str], rows, fieldnames: list[str] | None = None, lineterminator: str = "\n") -> None:
    """Rows of dicts (with ``fieldnames`` as the header) or of lists (the first is the header)."""
    if fieldnames is not None:
        writer = csv.DictWriter(out, fieldnames=fieldnames, lineterminator=lineterminator)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: safe_cell(v) for k, v in row.items()})
    else:
        writer = csv.writer(out, lineterminator=lineterminator)
        for row in rows:
            writer.writerow([safe_cell(v) for v in row])
