"""``import-data``: a folder of CSV files through the import engine (``tracker.core.interchange``)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from tracker.imports.cli import import_data_command

    app.cli.add_command(import_data_command)
