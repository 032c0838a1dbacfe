"""Indicator pages (every registered figure for a period, the same month by month, and the
drill-down from a figure to the records behind it) and the ``kpis`` command. All call ``tracker.core.kpis``."""

from __future__ import annotations

from flask import Flask

from tracker.web.navigation import home_area, nav_item


def init_app(app: Flask) -> None:
    from tracker.indicators.cli import kpis_command
    from tracker.indicators.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(kpis_command)
    nav_item("Indicators", "kpis.index", "kpis.view", order=60)
    home_area(
        "Performance",
        "Indicators for any period, each opening to the records behind it where your role may see them; "
        "the same month by month for 12 months, with a chart; both download as CSV or XLSX.",
        [
            ("Indicators", "kpis.index", "kpis.view"),
            ("Indicators month by month", "kpis.monthly", "kpis.view"),
            # the whole authority's reviews (child id, date of birth; no names), this financial year
            ("Download this year's reviews in the SSDA903 layout", "reviews.export_903", "ssda903.all"),
        ],
        order=60,
    )
