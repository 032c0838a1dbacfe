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
    items = worklist.collect(as_of, owner=owner, kinds=worklist.public_kinds())
    audit.record("due_items.export", object_type="export", summary=f"due-items as of {as_of}", actor="cli:due-items")
    if fmt == "json":
        click.echo(json.dumps(worklist.document(as_of, items), indent=1))
    else:
        write_csv(sys.stdout, [i.as_dict() for i in items], ["kind", "ref", "owner", "due_date", "state"])
