"""``kpis`` (interchange.md §2)."""

from __future__ import annotations

import json
import sys

import click

from tracker.cli import command, json_or_csv, parse_date
from tracker.core import audit, kpis
from tracker.core.exports import write_csv


@command("kpis")
@click.option(
    "--from", "start", required=True, metavar="DATE", callback=parse_date, help="First day of the period (YYYY-MM-DD)."
)
@click.option(
    "--to",
    "end",
    required=True,
    metavar="DATE",
    callback=parse_date,
    help="Last day of the period, inclusive (YYYY-MM-DD).",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    callback=parse_date,
    help="Date snapshot indicators are evaluated at, and after which records do not count yet (default: --to).",
)
@click.option(
    "--by",
    "by",
    type=click.Choice(["month"]),
    help="Also give each calendar month of the period (clipped to it), with the month's last day as as-of.",
)
@json_or_csv("one row per (month or 'all', indicator)")
def kpis_command(start, end, as_of, by, fmt):
    """Print every indicator of kpis.md for a period (interchange.md §2)."""
    if end < start:
        raise click.UsageError(
            f"--to ({end}) is before --from ({start}): the period must end on or after the day it starts"
        )
    doc = kpis.report(start, end, as_of, by_month=by == "month")
    audit.record("indicators.export", object_type="export", summary=f"kpis {start}..{end}", actor="cli:kpis")
    if fmt == "json":
        click.echo(json.dumps(doc, indent=1))
    else:
        fields = ["period", "indicator", "unit", "numerator", "denominator", "value"]
        write_csv(sys.stdout, kpis.report_rows(doc), fields)
