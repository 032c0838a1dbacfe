"""Timescale rules and closure days (domain.md §2–3): the administrator's pages under
/admin/rules and ``calendar-rebuild``. The rules themselves are the engine's
(``tracker.core.timescales``); this feature changes them, with audit."""

from __future__ import annotations

from flask import Flask

from tracker.web.navigation import home_area, nav_item


def init_app(app: Flask) -> None:
    from tracker.rules.cli import calendar_rebuild_command
    from tracker.rules.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(calendar_rebuild_command)
    nav_item("Timescales", "rules.index", "admin.rules", order=95)
    home_area(
        "Administration",
        "Users and roles, the audit log, and the timescale rules and closure days.",
        [("Timescale rules and closure days", "rules.index", "admin.rules")],
        order=90,
    )
