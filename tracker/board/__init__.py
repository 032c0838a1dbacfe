"""The Corporate Parenting Board's figures (domain.md §8, kpis.md §6–7): the configured
scorecard with frozen monthly snapshots, managers' commentary, trend charts, the annual report
tables, and the board pack as a page, XLSX, JSON and a printable view. Board members see
aggregates only, with small numbers suppressed (``tracker.board.suppression``)."""

from __future__ import annotations

from flask import Flask

from tracker.web.navigation import home_area, nav_item


def init_app(app: Flask) -> None:
    from tracker.board import cli, models  # noqa: F401  (tables; commands)
    from tracker.board.views import bp

    app.register_blueprint(bp)
    cli.init_app(app)
    nav_item("Board", "board.scorecard", "board.view", order=75)
    home_area(
        "Corporate Parenting Board",
        "The board's monthly scorecard, frozen each month, with commentary and trends; the annual IRO, "
        "LADO and fostering panel report tables.",
        [
            ("Scorecard", "board.scorecard", "board.view"),
            ("IRO annual report tables", "board.annual_iro", "board.view"),
            ("LADO annual report tables", "board.annual_lado", "board.view"),
            ("Fostering panel annual report tables", "board.annual_panel", "board.view"),
            ("Configure the scorecard", "board.configure", "admin.board"),
            ("Frozen months", "board.months", "admin.board"),
        ],
        order=75,
    )
