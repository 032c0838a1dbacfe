"""LADO: managing allegations against people who work with children (domain.md §6).

Only the LADO roles see these records: every page needs ``lado.view``, every read of a
contact, referral, person or organisation page is audited, and the worklist kinds and
indicators are in the ``lado`` family, whose records only ``lado.view`` holders may open.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from tracker.lado import models  # noqa: F401  (tables)
    from tracker.lado import due, importers, kpis  # noqa: F401  (register with the engines)
    from tracker.lado.views import bp
    from tracker.web import nav_item

    app.config.setdefault("LADO_PENSION_AGE", 67)
    app.register_blueprint(bp)
    nav_item("LADO", "lado.index", "lado.view", order=30)
