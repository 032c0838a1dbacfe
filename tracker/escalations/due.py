"""The ``escalation_stage`` due-item kind (interchange.md §3): one per open escalation whose
current (latest) stage has no response yet, Cafcass referrals excluded; owner = raised_by;
due = the current stage's start + its response time (``queries.response_due``). Read as at
``as_of``: stages, responses and closures dated later have not happened yet."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from tracker.core.worklist import register_kind
from tracker.escalations import queries
from tracker.escalations.models import Stage
from tracker.reviews.models import Child, child_label, full_name


def escalation_stage_items(as_of: dt.date):
    cur = queries.current_stages(as_of).subquery()
    return (
        select(
            cur.c.escalation_id.label("ref"),
            cur.c.raised_by.label("owner"),
            cur.c.response_due.label("due_date"),
            cur.c.escalation_id.label("record_ref"),
            cur.c.stage,
            Child.child_id,
            Child.first_name,
            Child.last_name,
        )
        .join(Child, Child.id == cur.c.child_pk)
        .where(cur.c.response_due.is_not(None))
    )


def _describe(row) -> str:
    """The escalation, the child it is about ("Amy Ng (C1)") and the response awaited."""
    child = child_label(full_name(row.first_name, row.last_name), row.child_id)
    return f"Escalation {row.ref} about {child}: response to {Stage(row.stage).short_label}"


register_kind(
    "escalation_stage",
    "Escalation response",
    "escalations",
    escalation_stage_items,
    record_type="escalation",
    describe=_describe,
    order=40,
)
