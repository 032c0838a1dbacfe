"""Panel due-item kinds (interchange.md §3), family "panels": only ``panels.view`` holders see them.

- ``adm_decision``: one per case heard at a held meeting (dated on or before the as-of date) with
  final minutes, a recommendation other than ``not_applicable`` and no ADM decision dated on or
  before the as-of date; ref = case_id; owner blank (the ADM queue: every ``adm`` user's own
  worklist lists it, ``queue_role``); due = final minutes + 7 working days (rule ``adm_decision``).
  Shown on the case's page (record ``panel_case``) and on the ADM queue (``/panels/adm``).
- ``carer_review``: one per foster household fostering on the as-of date; owner its reviewing
  officer, blank while it has none (the fostering team's queue: the panel administrators'
  worklists); due its latest review (else its approval) + 12 months (rule ``carer_review``).

Each query is one set-based select (``queries.adm_decision_due`` …); the worklist registry adds the
due state and the sorting. Records dated after the as-of date have not happened yet.
"""

from __future__ import annotations

from tracker.core.worklist import register_kind
from tracker.formatters import format_date
from tracker.panels import queries
from tracker.panels.models import CaseType, Panel, Recommendation


def _adm_decision(row) -> str:
    """ "ADM decision on case PC00012 (Approval, fostering panel of 7 March 2023): positive recommendation"."""
    return (
        f"ADM decision on case {row.ref} ({CaseType(row.case_type).label}, "
        f"{Panel(row.panel).label.lower()} of {format_date(row.meeting_date)}): "
        f"{Recommendation(row.recommendation).label.lower()} recommendation"
    )


register_kind(
    "adm_decision",
    "ADM decision",
    "panels",
    queries.adm_decision_due,
    record_type="panel_case",
    describe=_adm_decision,
    order=70,
    queue_role="adm",
)


def _carer_review_label(row) -> str:
    """The household's reference and, when the fostering team gave one, its name."""
    return f"Annual review of foster household {row.ref}" + (f" ({row.name})" if row.name else "")


register_kind(
    "carer_review",
    "Foster carer review",
    "panels",
    queries.carer_review_due,
    record_type="foster_household",
    describe=_carer_review_label,
    order=71,
    queue_role="panel_admin",
)
