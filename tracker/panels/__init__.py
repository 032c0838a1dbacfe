"""Fostering and adoption panels, Agency Decision Maker decisions, foster households and their
reviews (domain.md §7): records, the panel adviser's workflow, the ADM queue, returns to panel,
the ``adm_decision`` and ``carer_review`` due items, the ``panel.*`` and ``carer_reviews.*``
indicators and the four import files. ``panel_admin`` edits, ``adm`` decides, ``manager`` reads."""

from __future__ import annotations

from flask import Flask

from tracker.web.navigation import home_area, nav_item
from tracker.web.records import register_record


def init_app(app: Flask) -> None:
    from tracker.panels import due, importers, kpis, models, operations  # noqa: F401  (register with the engines)
    from tracker.panels.views import bp

    app.register_blueprint(bp)
    # meetings and cases (the panel adviser's calendar and agendas, the ADM queue, the to-return list)
    register_record("panel_meeting", "panels.meeting", "meeting_id")
    register_record("panel_case", "panels.case", "case_id")
    nav_item("Panels", "panels.calendar", "panels.view", order=40)
    home_area(
        "Panels",
        "Fostering and adoption panels: meetings, agendas, quoracy, recommendations and the Agency Decision "
        "Maker's decisions.",
        [
            ("Panel meetings", "panels.calendar", "panels.view"),
            ("Book a meeting", "panels.new_meeting", "panels.edit"),
            ("Book a year of meetings", "panels.book_year", "panels.edit"),
            ("Add a case", "panels.new_case", "panels.edit"),
            ("Cases awaiting a date", "panels.awaiting", "panels.view"),
            ("ADM queue: decisions due", "panels.adm_queue", "panels.view"),
            ("Deferred cases to return to panel", "panels.to_return", "panels.view"),
        ],
        order=40,
    )

    # --- foster households and carer reviews (helper C) ---
    from tracker.lado.operations import returned_to_panel
    from tracker.lado.views import referral_section
    from tracker.panels import queries

    register_record("foster_household", "panels.household", "household_id")
    # the LADO returns an own foster carer to panel: a review-after-allegation case (strong
    # reference: the receiver lives as long as the process, whatever the app)
    returned_to_panel.connect(operations.on_returned_to_panel, weak=False)
    # the referral's page names its case (reference only; LADO roles cannot open panel pages)
    referral_section("panels/_household_lado_referral.html", queries.cases_for_referral)
    home_area(
        "Foster carers",
        "Foster households, their annual reviews, returns to panel and temporary approvals.",
        [
            ("Foster households", "panels.households", "panels.view"),
            ("Add a foster household", "panels.new_household", "panels.edit"),
            ("Reviews to go to panel", "panels.returns", "panels.view"),
            ("Temporary approvals (regulation 24)", "panels.temporary_approvals", "panels.view"),
        ],
        order=46,
    )
