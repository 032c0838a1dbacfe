"""``due-items`` (interchange.md §3)."""

from __future__ import annotations

import json
import sys

import click

from tracker.cli import command, json_or_csv, parse_date
from tracker.core import audit, worklist
from tracker.core.clock import today
from tracker.core.exports import write_csv


@command("due-items")
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    callback=parse_date,
    help="The date the items are judged at, YYYY-MM-DD (default: today).",
)
@click.option("--owner", metavar="OFFICER_ID", help="Only the items of this officer id.")
@json_or_csv("one row per item")
def due_items_command(as_of, owner, fmt):
    """Print every open item with a deadline, sorted by due date (interchange.md §3)."""
    as_of = as_of or today()
    items = worklist.stream(as_of, owner=owner, kinds=worklist.public_kinds())
    audit.record("due_items.export", object_type="export", summary=f"due-items as of {as_of}", actor="cli:due-items")
    if fmt == "json":  # written as read: the items are never all in memory
        out = sys.stdout
        out.write(f'{{\n "as_of": {json.dumps(as_of.isoformat())},\n "items": [')
        for n, item in enumerate(items):
            out.write(("," if n else "") + "\n  " + json.dumps(item))
        out.write("\n ]\n}\n")
    else:
        write_csv(sys.stdout, items, ["kind", "ref", "owner", "due_date", "state"])
