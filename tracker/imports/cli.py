"""``import-data DIR`` (interchange.md §1)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tracker.cli import command
from tracker.core import interchange

MAX_WARNINGS_LISTED = 1000


@command("import-data")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def import_data_command(directory):
    """Import a folder of CSV files (interchange.md §1) in one transaction: all rows or none.

    Rows whose id exists update that record, so a repeated load is idempotent; a row of a
    review, IRO contact or care period removed in the tracker leaves it removed (counted in
    the output), and a review new to the tracker that is its child's latest ends the child's
    planned review date. On any problem every one is printed as file:line: column: message,
    nothing is imported and the exit code is 1. Historical reviews whose participation code
    breaks a DfE rule (rules 167, 399, 440, 441) are imported and listed as warnings, located
    the same way.
    """
    result = interchange.run(directory, show_progress=True)
    for name in result.skipped:
        click.echo(f"warning: {name} was not imported: this version does not import that file yet", err=True)
    if not result.ok:
        for problem in result.problems:
            click.echo(str(problem), err=True)
        if result.more_problems:
            click.echo(f"... and {result.more_problems} more problem(s) not listed.", err=True)
        total = len(result.problems) + result.more_problems
        click.echo(f"Nothing was imported: {total} problem(s).", err=True)
        sys.exit(1)
    for name, count in result.counts.items():
        click.echo(f"{name}: {count} rows")
    for note, count in result.notes.items():
        click.echo(f"{note}: {count}")
    print_warnings(result.warnings)


def print_warnings(warnings) -> None:
    """Rows imported that break a DfE rule: each located (as errors are), then how many."""
    for warning in warnings[:MAX_WARNINGS_LISTED]:
        click.echo(f"warning: {warning}", err=True)
    if len(warnings) > MAX_WARNINGS_LISTED:
        click.echo(f"warning: ... and {len(warnings) - MAX_WARNINGS_LISTED} more not listed", err=True)
    if warnings:
        click.echo(
            f"{len(warnings)} row(s) imported break a DfE rule for the SSDA903 return: "
            "the 903 checks page lists them to correct",
            err=True,
        )
