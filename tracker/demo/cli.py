"""``generate-data`` and ``demo-data``."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import func, select

from tracker.cli import command
from tracker.core import audit, interchange
from tracker.core.clock import today
from tracker.extensions import db


@command("generate-data")
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--children",
    default=200,
    show_default=True,
    type=click.IntRange(1),
    help="Number of children in care over the period.",
)
@click.option("--years", default=3, show_default=True, type=click.IntRange(1, 30), help="Years of history up to today.")
@click.option(
    "--seed", default=1, show_default=True, type=int, help="Random seed: the same arguments give the same files."
)
@click.option(
    "--qaros",
    type=click.IntRange(1),
    help="How many QAROs share the children (default: one per 12 children of the whole history).",
)
def generate_data_command(outdir, children, years, seed, qaros):
    """Write a synthetic authority in the import format (deterministic for a seed)."""
    from tracker.demo import synthetic

    outdir.mkdir(parents=True, exist_ok=True)
    counts = synthetic.generate(outdir, children=children, years=years, seed=seed, today=today(), qaros=qaros)
    for name, count in counts.items():
        click.echo(f"{name}: {count} rows")


@command("demo-data")
@click.option(
    "--children",
    default=120,
    show_default=True,
    type=click.IntRange(0),
    help="Children in the synthetic authority imported (0: users only).",
)
@click.option("--seed", default=7, show_default=True, type=int, help="Random seed for the synthetic records.")
def demo_data_command(children, seed):
    """Create one demo user per role (<role>@example.org) and a synthetic authority's records."""
    from tracker.board import operations as board_operations
    from tracker.demo import synthetic
    from tracker.demo.users import create_demo_users

    password = current_app.config["DEMO_PASSWORD"]
    already = db.session.scalar(
        select(func.count())
        .select_from(audit.AuditEntry)
        .where(audit.AuditEntry.action == "data.import", audit.AuditEntry.actor == "cli:demo-data")
    )
    if children and already:
        # Loading again on another day would shift every synthetic date and clash with the first load.
        click.echo("The demo authority is already loaded: keeping its records.")
    elif children:
        with tempfile.TemporaryDirectory() as tmp:
            # with the current caseloads of the demo QARO (synthetic.QARO_CASELOAD: 50-70 children)
            # and of the LADOs (synthetic.CASELOAD): a real working day's worklists
            synthetic.generate(Path(tmp), children=children, years=3, seed=seed, today=today(), caseload=True)
            result = interchange.run(Path(tmp), actor="cli:demo-data")
            if not result.ok:
                for problem in result.problems[:20]:
                    click.echo(str(problem), err=True)
                sys.exit(1)
        households = synthetic.name_households(seed)
        audit.record(
            "demo.households",
            object_type="import",  # part of the demo's load (not a case record: no values withheld)
            object_id="demo",
            summary=f"Demo foster households ({households}) named, with their reviewing officers",
            actor="cli:demo-data",
        )
        # the board's scorecard as the monthly snapshot would have left it: every month of the
        # past year frozen on its freeze day (issue 14), the latest perhaps still provisional
        board_operations.freeze_due(today(), months_back=12)
        started = synthetic.consult_before_reviews(seed, today())
        audit.record(
            "demo.consultations",
            object_type="import",  # part of the demo's load (not a case record: no values withheld)
            object_id="demo",
            summary=f"Demo consultations before {started} reviews of the demo QARO's children",
            actor="cli:demo-data",
        )
        people, organisations = synthetic.name_lado_records(seed)
        audit.record(
            "demo.lado_names",
            object_type="import",  # part of the demo's load (not a case record: no values withheld)
            object_id="demo",
            summary=f"Demo LADO people ({people}) and organisations ({organisations}) named",
            actor="cli:demo-data",
        )  # committed with the users by the command's runner
    # The synthetic authority's first officer of each role becomes that role's demo user (the
    # officers whose current caseloads ``caseload=True`` writes: Q1's 50-70 children, L1's referrals).
    users = create_demo_users(password, officers=synthetic.DEMO_OFFICERS)
    click.echo(f"Demo users ({len(users)}), password {password!r}:")
    for user in users:
        click.echo(f"  {user.email}  ({', '.join(user.role_codes)})")
