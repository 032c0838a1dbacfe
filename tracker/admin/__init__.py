"""Administration: users and roles, and the (read-only) audit log."""

from __future__ import annotations

from flask import Flask

from tracker.web.navigation import home_area, nav_item


def init_app(app: Flask) -> None:
    from tracker.admin.views import bp

    app.register_blueprint(bp)
    nav_item("Users", "admin.users", "admin.users", order=90)
    nav_item("Audit log", "admin.audit", "admin.audit", order=91)
    home_area(
        "Administration",
        "Users and roles, the audit log, and the timescale rules and closure days.",
        [("Users and roles", "admin.users", "admin.users"), ("Audit log", "admin.audit", "admin.audit")],
        order=90,
    )
