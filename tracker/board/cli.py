"""``snapshot`` and ``board-pack`` (interchange.md §4)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import Flask

from tracker.board import forms, operations, pack, scorecard
from tracker.cli import command
from tracker.core import audit
from tracker.core.clock import today
from tracker.core.errors import DomainError


def parse_month(ctx, param, value):
    """A ``YYYY-MM`` option (click callback): the first day of the month (None when not given:
    the command takes the last complete month, read in the app's context)."""
    if value is None:
        return None
    month = forms.parse_month(value)
    if month is None:
        raise click.BadParameter(f"{value!r} is not a month. {forms.MONTH_MESSAGE}")
    return month


MONTH_OPTION = click.option(
    "--month",
    metavar="YYYY-MM",
    callback=parse_month,
    help="The month (default: the last complete month).",
)


@command("snapshot")
@MONTH_OPTION
@click.option("--refreeze", is_flag=True, help="Re-freeze a month already frozen (needs --reason).")
@click.option("--reason", default="", help="Why the month is re-frozen (kept and shown on the scorecard).")
def snapshot_command(month, refreeze, reason):
    """Freeze every indicator of a month as at its last day (the board's monthly snapshot)."""
    if reason and not refreeze:
        raise click.UsageError("--reason is given only with --refreeze")
    month = month or forms.default_month()
    try:
        if refreeze:
            frozen = operations.refreeze_month(month, reason, user=None)
            verb = "Re-froze"
        else:
            frozen = operations.freeze_month(month, user=None)
            verb = "Froze"
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"{verb} {month:%B %Y}: {len(frozen.figures)} figures")


@command("board-pack")
@MONTH_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "xlsx", "html"]),
    default="json",
    show_default=True,
    help="json: the rows and their six months; xlsx: the workbook; html: the print view.",
)
@click.option(
    "-o", "--output", "output", metavar="FILE", help="Where to write it ('-' or none: standard output; not xlsx)."
)
@click.option("--suppress", is_flag=True, help="Hide small numbers as board members see them (<5, [c]).")
def board_pack_command(month, fmt, output, suppress):
    """Write the board pack of a month: the scorecard's six months to it (interchange.md §4)."""
    to_stdout = output in (None, "-")
    if fmt == "xlsx" and to_stdout:
        raise click.UsageError("--format xlsx needs -o FILE (a workbook is not written to the terminal)")
    month, as_of = month or forms.default_month(), today()
    if month > as_of.replace(day=1):
        raise click.BadParameter("the month must be this month or an earlier month", param_hint="--month")
    if fmt == "html":
        from tracker.board.printing import render_print

        data: str | bytes = render_print(month, as_of, suppress)
    else:
        card = scorecard.build(month, as_of)
        if fmt == "json":
            data = json.dumps(pack.document(card, suppress), indent=1) + "\n"
        else:
            data = pack.xlsx(card, suppress)
    audit.record(
        "list.export",
        object_type="export",
        summary=f"Board pack {month:%B %Y} written as {fmt.upper()}",
        after={"list": f"Board pack {month:%B %Y}", "format": fmt, "suppressed": suppress},
        actor="cli:board-pack",
    )
    if to_stdout:
        click.echo(data, nl=False)
        return
    try:
        if isinstance(data, bytes):
            Path(output).write_bytes(data)
        else:
            Path(output).write_text(data, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"Cannot write {output}: {exc.strerror}") from None
    click.echo(f"Wrote the board pack for {month:%B %Y} ({fmt}) to {output}", err=True)


def init_app(app: Flask) -> None:
    app.cli.add_command(snapshot_command)
    app.cli.add_command(board_pack_command)
