"""``backup FILE`` and ``restore FILE`` (README, "Backups")."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.backup import operations
from tracker.cli import command


@command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path):
    """Back up the whole database to FILE, a new file (mode 600: it holds every record).

    SQLite: a consistent copy made with SQLite's online backup API while the tracker runs.
    PostgreSQL: pg_dump --format=custom (PostgreSQL's client programs must be installed).
    Audited as database.backup. Restore it with `restore FILE` into an empty database.
    """
    try:
        result = operations.backup(file)
    except operations.BackupError as exc:
        raise click.ClickException(f"Nothing was backed up: {exc}") from None
    click.echo(
        f"Backed up the {result.backend} database ({result.tables} tables, revision {result.revision}) "
        f"to {result.path}: {result.size} bytes, sha256 {result.sha256}"
    )


@command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(file: Path):
    """Restore FILE (made by `backup`) into the configured database, which must be empty.

    Point TRACKER_DATABASE_URL at a new SQLite file or at a database just made with createdb;
    a database holding any table is refused and left unchanged. PostgreSQL: pg_restore
    --no-owner --exit-on-error in one transaction. Audited as database.restore (in the
    restored database). Run `db upgrade` afterwards when the backup is older than the code.
    """
    try:
        result = operations.restore(file)
    except operations.BackupError as exc:
        raise click.ClickException(f"Nothing was restored: {exc}") from None
    click.echo(f"Restored {result.path} into the {result.backend} database: {result.tables} tables.")
    head = operations.head_revision()
    if result.revision != head:
        click.echo(
            f"The backup's schema revision is {result.revision}, this code's is {head}: "
            "run `flask --app tracker db upgrade` before starting the tracker.",
            err=True,
        )
