"""Worklists (interchange.md §3 as screens and as a command): a manager's list across officers,
an officer's own list, and ``due-items``. All read ``tracker.core.worklist.collect``."""

from __future__ import annotations

from flask import Flask

from tracker.web.navigation import nav_item


def init_app(app: Flask) -> None:
    from tracker.worklist.cli import due_items_command
    from tracker.worklist.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(due_items_command)
    nav_item("My worklist", "worklist.mine", "worklist.own", order=5)
    nav_item("Worklist", "worklist.index", "worklist.all", order=20)
