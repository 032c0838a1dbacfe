"""IRO escalations (dispute resolution, domain.md §5): records, workflow, lists, the stage-4
flag, the ``escalation_stage`` due items, the ``escalations.*`` indicators and the import."""
from __future__ import annotations

from flask import Flask

from tracker.web import nav_item


def init_app(app: Flask) -> None:
    from tracker.escalations import models  # noqa: F401
    from tracker.escalations import due, importers, kpis  # noqa: F401  (their import registers them)
    from tracker.escalations import queries
    from tracker.escalations.views import bp

    app.register_blueprint(bp)
    # the child page (reviews feature) includes reviews/_child_escalations.html, which calls this
    app.jinja_env.globals["child_escalations"] = queries.for_child
    nav_item("Escalations", "escalations.index", "escalations.view", order=20)
