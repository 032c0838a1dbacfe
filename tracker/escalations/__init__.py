"""IRO escalations (dispute resolution, domain.md §5): records, workflow, lists, the stage-4
flag, the ``escalation_stage`` due items, the ``escalations.*`` indicators and the import."""

from __future__ import annotations

from flask import Flask

from tracker.core.permissions import register_editable
from tracker.web.navigation import home_area, nav_item
from tracker.web.records import register_record


def init_app(app: Flask) -> None:
    from tracker.escalations import due, importers, kpis, models, queries  # noqa: F401  (register with the engines)
    from tracker.escalations.views import bp
    from tracker.reviews.views import child_section

    app.register_blueprint(bp)
    register_record("escalation", "escalations.show", "escalation_id")
    register_editable(models.Escalation, "escalation")  # who may change which record: tracker.core.permissions
    child_section("escalations/_child_section.html", queries.for_child, "escalations.view")
    nav_item("Escalations", "escalations.index", "escalations.view", order=20)
    home_area(
        "Escalations",
        "Dispute resolution: informal and formal stages and their response times.",
        [
            ("Escalations", "escalations.index", "escalations.view"),
            ("Raise an escalation", "escalations.new", "escalations.edit"),
            ("Unresolved stage 4 escalations", "escalations.stage4", "escalations.view"),
        ],
        order=20,
    )
