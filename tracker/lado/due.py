"""LADO due-item kinds (interchange.md §3), family "lado": only ``lado.view`` holders see them.

Each query is one set-based select; the worklist registry adds the due state and sorting.
Records dated after the as-of date are treated as not yet happened (a referral made later is
not yet open; a meeting, outcome, closure or completion dated later has not yet happened).
"""
from __future__ import annotations

import datetime as dt

from tracker.core.worklist import register_kind
from tracker.extensions import db
from tracker.lado import queries


def _url(endpoint: str, **values) -> str | None:
    from flask import url_for

    try:
        return url_for(endpoint, **values)
    except RuntimeError:  # no request (the CLI)
        return None


def _rows(query, endpoint: str, arg: str, label: str):
    for row in db.session.execute(query):
        yield {"ref": row.ref, "owner": row.owner, "due_date": row.due_date,
               "label": f"{label} {row.ref}", "url": _url(endpoint, **{arg: row.ref})}


def iem_items(as_of: dt.date, owner: str | None = None):
    query = queries.iem_due(as_of)
    return _rows(query, "lado.referral", "referral_id", "Initial Evaluation Meeting for referral")


def paim_items(as_of: dt.date, owner: str | None = None):
    return _rows(queries.paim_due(as_of), "lado.referral", "referral_id", "Post-Allegation Investigation Meeting for referral")


def action_items(as_of: dt.date, owner: str | None = None):
    return _rows(queries.action_due(as_of), "lado.action", "action_id", "LADO action")


register_kind("lado_iem", "LADO: Initial Evaluation Meeting", "lado", iem_items, order=60)
register_kind("lado_paim", "LADO: Post-Allegation Investigation Meeting", "lado", paim_items, order=61)
register_kind("lado_action", "LADO: action", "lado", action_items, order=62)
