"""`export-903` and `import-903`: SSDA903 REVIEWS out, a 903 return's folder in (interchange.md §4)."""
from __future__ import annotations

import csv
import datetime as dt
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.core import audit
from tracker.extensions import db


def _date(ctx, param, value):
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


@click.command("export-903")
@click.option("--from", "start", required=True, callback=_date, help="First review date (YYYY-MM-DD).")
@click.option("--to", "end", required=True, callback=_date, help="Last review date, inclusive.")
@click.argument("outfile", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_903_command(start, end, outfile):
    """Write the reviews held in the period in the SSDA903 REVIEWS layout (CHILD,DOB,REVIEW,REVIEW_CODE)."""
    from tracker.reviews.ssda903 import export_rows

    if end < start:
        raise click.BadParameter("--to is before --from")
    rows = export_rows(start, end)
    with open(outfile, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(rows)
    audit.record("export.903_reviews", object_type="export", summary=f"SSDA903 reviews {start}..{end}: {len(rows) - 1} rows",
                 actor="cli:export-903")
    db.session.commit()
    click.echo(f"{len(rows) - 1} reviews written to {outfile}")


@click.command("import-903")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
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
