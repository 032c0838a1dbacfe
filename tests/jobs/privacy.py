"""No email names a child: every first name, last name and date of birth in the small
authority's children.csv, looked for as whole words (a short name inside a longer word is no
leak) in the subject, the text part and the HTML part (its entities decoded)."""

from __future__ import annotations

import csv
import datetime as dt
import html
import re
from pathlib import Path

CHILDREN = Path(__file__).resolve().parent.parent / "data" / "small-authority" / "data" / "children.csv"


def child_details(path: Path = CHILDREN) -> list[tuple[str, str]]:
    """(child_id, a detail that must never be emailed) for every child."""
    details = []
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            born = dt.date.fromisoformat(row["date_of_birth"])
            for value in (
                row["first_name"],
                row["last_name"],
                born.isoformat(),
                f"{born:%d/%m/%Y}",
                f"{born.day} {born:%B %Y}",
                f"{born.day} {born:%b %Y}",
            ):
                details.append((row["child_id"], value))
    return details


def leaks(messages, details=None) -> list[str]:
    """Every (recipient, child, detail) found in a message: empty when nothing leaks."""
    details = child_details() if details is None else details
    patterns = [(child, value, re.compile(rf"(?<!\w){re.escape(value)}(?!\w)")) for child, value in details]
    found = []
    for received in messages:
        for part_name, content in (
            ("subject", received.subject),
            ("text", received.text),
            ("html", html.unescape(received.html)),
        ):
            for child, value, pattern in patterns:
                if pattern.search(content):
                    found.append(f"{received.to} {part_name}: {child} {value!r}")
    return found
