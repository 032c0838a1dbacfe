"""Registers the engines with the application: their models, the interchange CLI commands
(``kpis``, ``due-items``, ``import-data``, ``generate-data``, ``demo-data``, ``calendar-rebuild``)
and the administrator's timescale rules pages."""
from __future__ import annotations

import csv
import datetime as dt
import json
import sys
import tempfile
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from tracker.core import audit, calendar, interchange, kpis, timescales, worklist  # noqa: F401  (models)
from tracker.core.permissions import Role
from tracker.extensions import db


def init_app(app: Flask) -> None:
    from tracker.auth import importers as _officers  # noqa: F401  (registers officers.csv)

    for command in (kpis_command, due_items_command, import_data_command, generate_data_command, demo_data_command, calendar_rebuild_command):
        app.cli.add_command(command)
    import importlib

    try:
        rules_admin = importlib.import_module("tracker.core.rules_admin")
    except ModuleNotFoundError as exc:  # the rules pages land with the engines issue
        if exc.name != "tracker.core.rules_admin":
            raise
    else:
        rules_admin.init_app(app)
    from tracker.core import kpis_views, worklist_views

    worklist_views.init_app(app)
    kpis_views.init_app(app)


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        if len(value) != 10:  # fromisoformat would also take 20230331 or 2023-W13-5
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None


def _csv_out(rows: list[dict], fieldnames: list[str]) -> None:
    from tracker.core.exports import safe_cell

    writer = csv.DictWriter(sys.stdout, fieldnames=fieldnames, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: safe_cell(v) for k, v in row.items()})


@click.command("kpis")
@with_appcontext  # also under app.test_cli_runner(), whose commands get no app context otherwise
@click.option("--from", "start", required=True, metavar="DATE", callback=_date, help="First day of the period (YYYY-MM-DD).")
@click.option("--to", "end", required=True, metavar="DATE", callback=_date, help="Last day of the period, inclusive (YYYY-MM-DD).")
@click.option("--as-of", "as_of", metavar="DATE", callback=_date, help="Date snapshot indicators are evaluated at, and after which records do not count yet (default: --to).")
@click.option("--by", "by", type=click.Choice(["month"]), help="Also give each calendar month of the period (clipped to it), with the month's last day as as-of.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True, help="json: one document; csv: one row per (month or 'all', indicator).")
def kpis_command(start, end, as_of, by, fmt):
    """Print every indicator of kpis.md for a period (interchange.md §2)."""
    if end < start:
        raise click.UsageError(f"--to ({end}) is before --from ({start}): the period must end on or after the day it starts")
    doc = kpis.report(start, end, as_of, by_month=by == "month")
    audit.record("export.kpis", object_type="export", summary=f"kpis {start}..{end}", actor="cli:kpis")
    db.session.commit()
    if fmt == "json":
        click.echo(json.dumps(doc, indent=1))
    else:
        _csv_out(kpis.report_rows(doc), ["period", "indicator", "unit", "numerator", "denominator", "value"])


@click.command("due-items")
@with_appcontext
@click.option("--as-of", "as_of", metavar="DATE", callback=_date, help="The date the items are judged at, YYYY-MM-DD (default: today).")
@click.option("--owner", metavar="OFFICER_ID", help="Only the items of this officer id.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True, help="json: one document; csv: one row per item.")
def due_items_command(as_of, owner, fmt):
    """Print every open item with a deadline, sorted by due date (interchange.md §3)."""
    from tracker.core.clock import today

    as_of = as_of or today()
    items = worklist.collect(as_of, owner=owner)
    audit.record("export.due_items", object_type="export", summary=f"due-items as of {as_of}", actor="cli:due-items")
    db.session.commit()
    if fmt == "json":
        click.echo(json.dumps(worklist.document(as_of, items), indent=1))
    else:
        _csv_out([i.as_dict() for i in items], ["kind", "ref", "owner", "due_date", "state"])


@click.command("import-data")
@with_appcontext
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def import_data_command(directory):
    """Import a folder of CSV files (interchange.md §1) in one transaction: all rows or none.

    Rows whose id exists update that record, so a repeated load is idempotent. On any
    problem every one is printed as file:line: column: message, nothing is imported and
    the exit code is 1.
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


@click.command("generate-data")
@with_appcontext
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--children", default=200, show_default=True, type=click.IntRange(1), help="Number of children in care over the period.")
@click.option("--years", default=3, show_default=True, type=click.IntRange(1, 30), help="Years of history up to today.")
@click.option("--seed", default=1, show_default=True, type=int, help="Random seed: the same arguments give the same files.")
def generate_data_command(outdir, children, years, seed):
    """Write a synthetic authority in the import format (deterministic for a seed)."""
    from tracker.core import synthetic
    from tracker.core.clock import today

    outdir.mkdir(parents=True, exist_ok=True)
    counts = synthetic.generate(outdir, children=children, years=years, seed=seed, today=today())
    for name, count in counts.items():
        click.echo(f"{name}: {count} rows")


DEMO_OFFICERS = {
    Role.qaro: "Q1",
    Role.iro_manager: "M1",
    Role.lado: "L1",
    Role.lado_manager: "LM1",
    Role.panel_admin: "PA1",
    Role.adm: "ADM1",
}


@click.command("demo-data")
@with_appcontext
@click.option("--children", default=120, show_default=True, type=click.IntRange(0), help="Children in the synthetic authority imported (0: users only).")
@click.option("--seed", default=7, show_default=True, type=int, help="Random seed for the synthetic records.")
def demo_data_command(children, seed):
    """Create one demo user per role (<role>@example.org) and a synthetic authority's records."""
    from tracker.auth.demo import create_demo_users
    from tracker.core import synthetic
    from tracker.core.clock import today

    password = current_app.config["DEMO_PASSWORD"]
    already = db.session.scalar(
        select(func.count()).select_from(audit.AuditEntry).where(audit.AuditEntry.action == "import.data", audit.AuditEntry.actor == "cli:demo-data")
    )
    if children and already:
        # Loading again on another day would shift every synthetic date and clash with the first load.
        click.echo("The demo authority is already loaded: keeping its records.")
    elif children:
        with tempfile.TemporaryDirectory() as tmp:
            synthetic.generate(Path(tmp), children=children, years=3, seed=seed, today=today())
            result = interchange.run(Path(tmp), actor="cli:demo-data")
            if not result.ok:
                for problem in result.problems[:20]:
                    click.echo(str(problem), err=True)
                sys.exit(1)
    # The synthetic authority's first officer of each role becomes that role's demo user.
    users = create_demo_users(password, officers=DEMO_OFFICERS)
    db.session.commit()
    click.echo(f"Demo users ({len(users)}), password {password!r}:")
    for user in users:
        click.echo(f"  {user.email}  ({', '.join(user.role_codes)})")


@click.command("calendar-rebuild")
@with_appcontext
def calendar_rebuild_command():
    """Recompute the working-day calendar table (after a holidays package upgrade).

    Closure days are added and removed on the Timescales admin page, which rebuilds the
    table itself.
    """
    n = calendar.rebuild()
    audit.record("calendar.rebuild", object_type="calendar", summary=f"{n} days", actor="cli:calendar-rebuild")
    db.session.commit()
    click.echo(f"{n} days")
