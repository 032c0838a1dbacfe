"""Pre-review consultations (issue 17): rounds of invitations before a child's review, the
public form under /consult/<token>, the ``consultations`` job (invitations and reminders), the
``consultations.*`` indicators, and the round on the child's page."""

from __future__ import annotations

from flask import Flask

from tracker.core.permissions import register_editable
from tracker.web.navigation import home_area
from tracker.web.records import register_record


def init_app(app: Flask) -> None:
    from tracker.consultations import kpis, models, queries, tasks  # noqa: F401  (register with the engines)
    from tracker.consultations.public import bp as public_bp
    from tracker.consultations.views import bp
    from tracker.reviews.views import child_section

    app.register_blueprint(bp)
    app.register_blueprint(public_bp)
    register_record("consultation_round", "consultations.show", "round_id")
    register_editable(models.ConsultationRound, "consultation_round")
    child_section(
        "consultations/_child_section.html",
        lambda child: {"child": child, "rounds": queries.for_child(child)},
        "consultations.view",
    )
    home_area(
        "Consultations before reviews",
        "Ask the child, family, carers and professionals for their views before each review; see who answered.",
        [("Consultations", "consultations.index", "consultations.view")],
        order=15,
    )
