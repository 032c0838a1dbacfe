"""LADO due-item kinds (interchange.md §3), family "lado": only ``lado.view`` holders see them.
All are shown on the referral's page (record ``lado_referral``); actions link to their own page.
An item with a blank owner (the referral is not allocated) is on the LADO managers' queue: every
``lado_manager``'s own worklist lists it (``queue_role``), and so does their ``due-items --owner``.

Each query is one set-based select (``queries.iem_due``, ``paim_due``, ``action_due``); the
worklist registry adds the due state and sorting. Records dated after the as-of date are treated
as not yet happened (a referral made later is not yet open; a meeting, outcome, closure or
completion dated later has not yet happened).
"""

from __future__ import annotations

from tracker.core.worklist import register_kind
from tracker.lado import queries


def _named(query):
    """A kind's query with the subject's name, role and employer (``queries.with_subject``)."""
    return lambda as_of: queries.with_subject(query(as_of))


def _about(row) -> str:
    """Whom an item is about, in its words: the subject's name (else their reference), role and
    employer. Only the LADO roles see these items (family ``lado``: ``worklist.kinds_for``)."""
    parts = (row.subject or "anonymous consultation", row.subject_role, row.employer)
    return " (" + ", ".join(p for p in parts if p) + ")"


register_kind(
    "lado_iem",
    "LADO: Initial Evaluation Meeting",
    "lado",
    _named(queries.iem_due),
    record_type="lado_referral",
    describe=lambda row: f"Initial Evaluation Meeting for referral {row.ref}{_about(row)}",
    order=60,
    queue_role="lado_manager",
)
register_kind(
    "lado_paim",
    "LADO: Post-Allegation Investigation Meeting",
    "lado",
    _named(queries.paim_due),
    record_type="lado_referral",
    describe=lambda row: f"Post-Allegation Investigation Meeting for referral {row.ref}{_about(row)}",
    order=61,
    queue_role="lado_manager",
)
register_kind(
    "lado_action",
    "LADO: action",
    "lado",
    _named(queries.action_due),
    record_type="lado_referral",
    link_type="lado_action",
    describe=lambda row: f"LADO action {row.ref}{_about(row)}",
    order=62,
    queue_role="lado_manager",
)
register_kind(
    "lado_action_review",
    "LADO: quarterly review of an action",
    "lado",
    _named(queries.action_review_due),
    record_type="lado_referral",
    link_type="lado_action",
    describe=lambda row: f"Quarterly review of LADO action {row.ref}{_about(row)}",
    order=63,
    queue_role="lado_manager",
    own_only=True,  # on the LADO's own worklist, home page and digest; not a kind of due-items (§3)
)
