"""LADO: managing allegations against people who work with children (domain.md §6).

Only the LADO roles see these records: every page needs ``lado.view``, every page of the
blueprint is an audited read (the request lifecycle writes the row), and the worklist kinds
and indicators are in the ``lado`` family, whose records only ``lado.view`` holders may open.
"""

from __future__ import annotations

from flask import Flask

from tracker.web.navigation import home_area, nav_item
from tracker.web.records import register_record


def init_app(app: Flask) -> None:
    from tracker.lado import due, importers, kpis, models  # noqa: F401  (register with the engines)
    from tracker.lado.views import bp

    app.config.setdefault("LADO_PENSION_AGE", 67)
    app.register_blueprint(bp)
    for kind, endpoint, argument in (
        ("lado_contact", "lado.contact", "contact_id"),
        ("lado_referral", "lado.referral", "referral_id"),
        ("lado_action", "lado.action", "action_id"),
        ("lado_organisation", "lado.organisation", "ref"),
    ):
        register_record(kind, endpoint, argument)
    # a person's reference may be a name: their page is at the random public id (record_url takes the person)
    register_record("lado_person", "lado.person", "public_id", attribute="public_id")
    nav_item("LADO", "lado.index", "lado.view", order=30)
    home_area(
        "LADO",
        "Contacts and referrals about adults who work with children, meetings, outcomes and actions.",
        [
            ("LADO contacts log", "lado.index", "lado.view"),
            ("Log a contact", "lado.new_contact", "lado.edit"),
            ("Open referrals", "lado.referrals", "lado.view"),
            ("Actions tracker", "lado.actions", "lado.view"),
            ("Find a person or organisation", "lado.search", "lado.view"),
            ("Oversight of LADO deadlines", "lado.oversight", "lado.oversight"),
            ("Referrals to allocate", "lado.queue", "lado.oversight"),
            ("Records past their retention date", "lado.retention", "lado.oversight"),
            ("LADO audit log", "lado.audit_log", "lado.oversight"),
        ],
        order=30,
    )
