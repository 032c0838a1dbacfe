"""Scheduled jobs and notifications (issue 15): a scheduler process (``flask --app tracker
scheduler``) runs thin, idempotent sweeps over the worklist and indicator engines — the daily
digest, the board's monthly snapshot, stage-4 escalation alerts, the LADO actions' quarterly
reviews and the retention list — and ``run-job NAME`` runs one of them once. The administrator
sees every run and every failed send; each user chooses whether to receive the digest."""

from __future__ import annotations

from flask import Flask

from tracker.web.navigation import home_area


def init_app(app: Flask) -> None:
    from tracker.jobs import cli, models  # noqa: F401  (tables; commands)
    from tracker.jobs.views import bp

    app.register_blueprint(bp)
    cli.init_app(app)
    home_area(
        "Administration",
        "Users and roles, the audit log, and the timescale rules and closure days.",
        [
            ("Scheduled jobs and failed emails", "jobs.runs", "admin.jobs"),
            ("Users' notification settings", "jobs.settings", "admin.jobs"),
        ],
        order=90,
    )
