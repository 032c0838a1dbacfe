"""``calendar-rebuild``."""

from __future__ import annotations

import click

from tracker.cli import command
from tracker.core import audit, calendar


@command("calendar-rebuild")
def calendar_rebuild_command():
    """Recompute the working-day calendar table (after a holidays package upgrade).

    Closure days are added and removed on the Timescales admin page, which rebuilds the
    table itself.
    """
    n = calendar.rebuild()
    audit.record("calendar.rebuild", object_type="calendar", summary=f"{n} days", actor="cli:calendar-rebuild")
    click.echo(f"{n} days")
