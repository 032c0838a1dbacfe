"""`export-903` and `import-903`: SSDA903 REVIEWS out, a 903 return's folder in (interchange.md §4)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from tracker.cli import ExitAfterCommit, command, json_or_csv, parse_date
from tracker.core import audit
from tracker.core.exports import write_csv
from tracker.imports.cli import print_warnings
from tracker.reviews import rules903


def _year_option(required: bool = False):
    return click.option(
        "--year",
        type=click.IntRange(2000, 2100),
        metavar="YYYY",
        required=required,
        help="A collection year, named for the year it ends: 2023 = 1 April 2022 to 31 March 2023.",
    )


@command("export-903")
@_year_option()
@click.option("--from", "start", callback=parse_date, help="First review date (YYYY-MM-DD), with --to.")
@click.option("--to", "end", callback=parse_date, help="Last review date, inclusive.")
@click.option(
    "--dir",
    "outdir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write header.csv and reviews.csv into this folder instead of one REVIEWS file.",
)
@click.option("--strict", is_flag=True, help="Exit with status 1 when any review breaks a DfE rule.")
@click.argument("outfile", required=False, type=click.Path(dir_okay=False, path_type=Path))
def export_903_command(year, start, end, outdir, strict, outfile):
    """Write the reviews held in a collection year (--year) or a period (--from/--to) in the
    SSDA903 REVIEWS layout (CHILD,DOB,REVIEW,REVIEW_CODE) to OUTFILE, or with --dir the HEADER
    and REVIEWS tables as header.csv and reviews.csv; then print the failures of the DfE's
    review rules by rule (check-903 lists them)."""
    from tracker.reviews.ssda903 import export_rows, failures_between, header_rows

    if year is not None and (start or end):
        raise click.UsageError("give either --year or --from and --to, not both")
    if year is not None:
        start, end = rules903.collection_year(year)
    elif start is None or end is None:
        raise click.UsageError("give --year, or --from and --to")
    if end < start:
        raise click.BadParameter("--to is before --from")
    if (outdir is None) == (outfile is None):
        raise click.UsageError("give either OUTFILE or --dir")
    rows = export_rows(start, end)
    if outdir is not None:
        outdir.mkdir(parents=True, exist_ok=True)
        _write(outdir / "header.csv", header_rows(start, end))
        outfile = outdir / "reviews.csv"
    _write(outfile, rows)
    audit.record(
        "ssda903.export",
        object_type="export",
        summary=f"SSDA903 reviews {start}..{end}: {len(rows) - 1} rows" + (" with the header" if outdir else ""),
        actor="cli:export-903",
    )
    click.echo(f"{len(rows) - 1} reviews written to {outfile}")
    found = rules903.counts(failures_between(start, end))
    for rule, count in found.items():
        click.echo(f"DfE rule {rule}: {count} failure(s)")
    if not found:
        click.echo("No review breaks a DfE rule.")
    elif strict:
        click.echo(f"{sum(found.values())} failure(s) remain (check-903 lists them)", err=True)
        raise ExitAfterCommit(1)  # the export happened: its audit row stays


def _write(path: Path, rows: list[list]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        write_csv(fh, rows, lineterminator="\r\n")


@command("check-903")
@_year_option(required=True)
@json_or_csv("one row per failure")
def check_903_command(year, fmt):
    """Print every failure of the DfE's review rules for the collection year's reviews
    (interchange.md §4): rule, child, review date (blank for a rule about the child), message."""
    from tracker.reviews.ssda903 import failures

    found = [f.as_json() for f in failures(year)]
    audit.record(
        "ssda903.check",
        object_type="export",
        summary=f"SSDA903 checks {year}: {len(found)} failures",
        actor="cli:check-903",
    )
    if fmt == "json":
        click.echo(json.dumps({"year": year, "failures": found}, indent=1))
    else:
        write_csv(sys.stdout, found, ["rule", "child", "review_date", "message"])


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
    print_warnings(result.warnings)
