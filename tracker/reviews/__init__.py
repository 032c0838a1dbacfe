"""Child-in-care reviews and IRO contacts (domain.md §4): the QARO's caseload, the reg 33
review chain, its due items and its figures."""

from __future__ import annotations

from flask import Flask

from tracker.core.permissions import register_editable
from tracker.web.navigation import home_area, nav_item
from tracker.web.records import register_record


def init_app(app: Flask) -> None:
    from tracker.reviews import due, importers, kpis, models  # noqa: F401  (register with the engines)
    from tracker.reviews.cli import check_903_command, export_903_command, import_903_command
    from tracker.reviews.views import bp

    app.register_blueprint(bp)
    register_record("child", "reviews.child", "child_id")
    register_editable(models.Child, "child")  # who may change which record: tracker.core.permissions
    register_editable(models.CarePeriod, "care_period")
    register_editable(models.Review, "review")
    register_editable(models.IroContact, "iro_contact")
    app.cli.add_command(export_903_command)
    app.cli.add_command(import_903_command)
    app.cli.add_command(check_903_command)
    nav_item("My children", "reviews.my_children", "children.view", order=10)
    nav_item("Team", "reviews.team", "children.team", order=15)
    home_area(
        "Children in care reviews",
        "Review timescales, IRO contacts, recommendations and minutes.",
        [
            ("My children", "reviews.my_children", "children.edit"),
            ("All children in care", "reviews.children", "children.view"),
            ("Team caseloads", "reviews.team", "children.team"),
            ("Add a child", "reviews.new_child", "children.edit"),
            # the reviews breaking the DfE's SSDA903 rules: a QARO's caseload's, or every child's
            ("SSDA903 checks", "reviews.checks_903", ("children.edit", "ssda903.all")),
        ],
        order=10,
    )
