"""Due-item kind ``escalation_stage`` (interchange.md §3), set-based.

One per open escalation whose current (latest) stage has no response yet, Cafcass referrals
excluded; due = the current stage's start + its response time (informal: rule
``escalation_informal_response``, stages 1–5: ``escalation_formal_response``). Read as at
``as_of``: stages, responses and closures dated later have not happened yet.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from tracker.core.worklist import register_kind
from tracker.escalations import queries
from tracker.escalations.models import stage_short_label
from tracker.extensions import db


def escalation_stage_items(as_of: dt.date, owner: str | None = None) -> list[dict]:
    cur = queries.current_stages(as_of).subquery()
    q = select(cur.c.escalation_id, cur.c.raised_by, cur.c.response_due, cur.c.stage).where(
        cur.c.response_due.is_not(None)
    )
    if owner is not None:
        q = q.where(cur.c.raised_by == owner)
    return [
        {
            "ref": r.escalation_id,
            "owner": r.raised_by or "",
            "due_date": r.response_due,
            "label": f"Escalation {r.escalation_id}: response to {stage_short_label(r.stage)}",
            "url": queries.escalation_url(r.escalation_id),
        }
        for r in db.session.execute(q)
    ]


register_kind("escalation_stage", "Escalation response", "escalations", escalation_stage_items, order=40)
