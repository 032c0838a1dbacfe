"""Demo and test data: ``generate-data`` writes a synthetic authority in the import format;
``demo-data`` loads one (through the real import path) and signs in one demo user per role."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from tracker.demo.cli import demo_data_command, generate_data_command

    app.cli.add_command(generate_data_command)
    app.cli.add_command(demo_data_command)
