"""(merged: docstring from helper B)"""

# --- carer_review (helper C)
# One per foster household fostering on the as-of date (approved by then, not ended by then);
# owner its reviewing officer, blank while it has none: the fostering team's queue (the panel
# administrators' own worklists, ``queue_role``); due its latest review dated by then (else its
# approval) + the ``carer_review`` rule (``queries.carer_review_due``). Shown on the household's page.

from __future__ import annotations

from tracker.core.worklist import register_kind
from tracker.panels import queries


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
