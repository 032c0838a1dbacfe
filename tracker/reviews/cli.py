"""`export-903` and `import-903`: SSDA903 REVIEWS out, a 903 return's folder in (interchange.md §4)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tracker.cli import command, parse_date
from tracker.core import audit
from tracker.core.exports import write_csv


@command("export-903")
@click.option("--from", "start", required=True, callback=parse_date, help="First review date (YYYY-MM-DD).")
@click.option("--to", "end", required=True, callback=parse_date, help="Last review date, inclusive.")
@click.argument("outfile", type=click.Path(dir_okay=False, path_type=Path))
def export_903_command(start, end, outfile):
    """Write the reviews held in the period in the SSDA903 REVIEWS layout (CHILD,DOB,REVIEW,REVIEW_CODE)."""
    from tracker.reviews.ssda903 import export_rows

    if end < start:
        raise click.BadParameter("--to is before --from")
    rows = export_rows(start, end)
    with open(outfile, "w", encoding="utf-8", newline="") as fh:
        write_csv(fh, rows, lineterminator="\r\n")
    audit.record(
        "ssda903.export",
        object_type="export",
        summary=f"SSDA903 reviews {start}..{end}: {len(rows) - 1} rows",
        actor="cli:export-903",
    )
    click.echo(f"{len(rows) - 1} reviews written to {outfile}")


@command("import-903")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def import_903_command(directory):
    """Import header.csv, episodes.csv and reviews.csv of an SSDA903 return: all rows or none."""
    from tracker.reviews.ssda903 import import_dir

    result = import_dir(directory)
    if not result.ok:
        for problem in result.problems:
            click.echo(str(problem), err=True)
        click.echo(f"Nothing was imported: {len(result.problems)} problem(s).", err=True)
        sys.exit(1)
    for name, count in result.counts.items():
        click.echo(f"{name}: {count}")
