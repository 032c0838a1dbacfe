"""LADO due-item kinds (interchange.md §3), family "lado": only ``lado.view`` holders see them.
All are shown on the referral's page (record ``lado_referral``); actions link to their own page.

Each query is one set-based select (``queries.iem_due``, ``paim_due``, ``action_due``); the
worklist registry adds the due state and sorting. Records dated after the as-of date are treated
as not yet happened (a referral made later is not yet open; a meeting, outcome, closure or
completion dated later has not yet happened).
"""

from __future__ import annotations

from tracker.core.worklist import register_kind
from tracker.lado import queries

register_kind(
    "lado_iem",
    "LADO: Initial Evaluation Meeting",
    "lado",
    queries.iem_due,
    record_type="lado_referral",
    describe=lambda row: f"Initial Evaluation Meeting for referral {row.ref}",
    order=60,
)
register_kind(
    "lado_paim",
    "LADO: Post-Allegation Investigation Meeting",
    "lado",
    queries.paim_due,
    record_type="lado_referral",
    describe=lambda row: f"Post-Allegation Investigation Meeting for referral {row.ref}",
    order=61,
)
register_kind(
    "lado_action",
    "LADO: action",
    "lado",
    queries.action_due,
    record_type="lado_referral",
    link_type="lado_action",
    describe=lambda row: f"LADO action {row.ref}",
    order=62,
)
