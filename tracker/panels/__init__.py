"""Fostering and adoption panels, Agency Decision Maker decisions, foster households and their
reviews (domain.md §7): records, the panel adviser's workflow, the ADM queue, returns to panel,
the ``adm_decision`` and ``carer_review`` due items, the ``panel.*`` and ``carer_reviews.*``
indicators and the four import files. ``panel_admin`` edits, ``adm`` decides, ``manager`` reads."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from tracker.panels import due, importers, kpis, models, operations  # noqa: F401  (register with the engines)
    from tracker.panels.views import bp

    app.register_blueprint(bp)
