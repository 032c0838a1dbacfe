"""Child-in-care reviews and IRO contacts (domain.md §4): the QARO's caseload, the reg 33
review chain, its due items and its figures."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from tracker.reviews import models  # noqa: F401
    from tracker.reviews import due, importers, kpis  # noqa: F401  (their import registers them)
    from tracker.reviews.cli import export_903_command, import_903_command
    from tracker.reviews.views import bp
    from tracker.web import nav_item

    app.register_blueprint(bp)
    app.cli.add_command(export_903_command)
    app.cli.add_command(import_903_command)
    nav_item("My children", "reviews.my_children", "children.view", order=10)
    nav_item("Team", "reviews.team", "children.team", order=15)
