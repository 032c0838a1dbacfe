"""Spreadsheet-safe export cells (interchange.md §4): values that a spreadsheet would evaluate
(starting with =, +, -, @, tab or carriage return) are prefixed with an apostrophe."""
from __future__ import annotations

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Neutralise a text cell for CSV/XLSX; numbers, dates and None pass through unchanged."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value
