"""``backup FILE`` and ``restore FILE``: the whole database to one file and back, on SQLite (the
online backup API) and PostgreSQL (``pg_dump``/``pg_restore``, custom format). README, "Backups"."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from tracker.backup.cli import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
