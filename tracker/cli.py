"""Command-line commands: each runs in one transaction, committed here when it ends normally
and rolled back when it fails (an exception, a usage error or ``sys.exit`` with an error), as
the request lifecycle does for pages. Commands never commit themselves: one whose work stands but
whose exit status must say something (``export-903 --strict`` with failures left) raises
``ExitAfterCommit``."""

from __future__ import annotations

import datetime as dt
import sys
from functools import wraps

import click
from flask.cli import with_appcontext

from tracker.extensions import db


class ExitAfterCommit(Exception):
    """Commit the command's work (an export and its audit row), then exit with ``code``."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


def command(name: str, **kwargs):
    """``@command("kpis")`` above the ``@click.option``s: a Flask CLI command in one transaction."""

    def decorator(function):
        @wraps(function)
        def run(*args, **kw):
            try:
                result = function(*args, **kw)
            except ExitAfterCommit as exc:
                db.session.commit()
                sys.exit(exc.code)
            except SystemExit as exc:
                if exc.code in (0, None):
                    db.session.commit()
                else:
                    db.session.rollback()
                raise
            except BaseException:
                db.session.rollback()
                raise
            db.session.commit()
            return result

        # with_appcontext: also under app.test_cli_runner(), whose commands get no app context otherwise
        return click.command(name, **kwargs)(with_appcontext(run))

    return decorator


def json_or_csv(csv_rows: str):
    """The ``--format json|csv`` option of the commands that list (kpis, due-items, check-903)."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["json", "csv"]),
        default="json",
        show_default=True,
        help=f"json: one document; csv: {csv_rows}.",
    )


def parse_date(ctx, param, value):
    """A ``YYYY-MM-DD`` option (click callback); nothing else is taken for a date."""
    if value is None:
        return None
    try:
        if len(value) != 10:  # fromisoformat would also take 20230331 or 2023-W13-5
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD") from None
