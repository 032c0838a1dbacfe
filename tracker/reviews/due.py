"""Due-item kinds of the reviews feature (interchange.md §3), all set-based SQL.

- ``cic_review``: one per child looked after on the as-of date; due = next review by the
  reg 33 chain counted from reviews dated on or before as-of; owner = the child's QARO.
- ``review_recommendations`` / ``review_minutes``: a review held on or before as-of whose
  recommendations / minutes are not yet issued at as-of (blank, or dated after as-of);
  due = review + 5 / 20 working days; owner = the review's QARO.
- ``iro_contact``: child looked after and IRO contact expected; due = last IRO contact
  since the current care period started (or that start) + 6 months.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select

from tracker.core import worklist
from tracker.core.timescales import deadline_sql
from tracker.extensions import db
from tracker.reviews import chain
from tracker.reviews.models import Child, Review
from tracker.reviews.queries import child_url, last_contact_in_period


def _select(ref, owner, due, child_id):
    return select(ref.label("ref"), owner.label("owner"), due.label("due_date"), child_id.label("child_id"))


def _rows(q):
    return [
        {"ref": m["ref"], "owner": m["owner"] or "", "due_date": m["due_date"], "url": child_url(m["child_id"])}
        for m in db.session.execute(q).mappings()
    ]


def cic_review_items(as_of: dt.date, owner: str | None = None):
    cur = chain.current_next_due(as_of)
    q = _select(Child.child_id, Child.iro_officer_id, cur.c.due_date, Child.child_id).join(cur, cur.c.child_pk == Child.id)
    if owner is not None:
        q = q.where(Child.iro_officer_id == owner)
    return [dict(r, label=f"Review of {r['ref']}") for r in _rows(q)]


def _review_items(date_col, rule: str, what: str):
    def query(as_of: dt.date, owner: str | None = None):
        q = (
            _select(Review.review_id, Review.officer_id, deadline_sql(rule, Review.review_date), Child.child_id)
            .join(Child, Child.id == Review.child_pk)
            .where(Review.review_date <= as_of, or_(date_col.is_(None), date_col > as_of))
        )
        if owner is not None:
            q = q.where(Review.officer_id == owner)
        return [dict(r, label=f"{what} for review {r['ref']}") for r in _rows(q)]

    return query


def iro_contact_items(as_of: dt.date, owner: str | None = None):
    lc = last_contact_in_period(as_of)
    q = (
        _select(Child.child_id, Child.iro_officer_id, lc.c.contact_due, Child.child_id)
        .join(lc, lc.c.child_pk == Child.id)
        .where(Child.iro_contact_expected.is_(True))
    )
    if owner is not None:
        q = q.where(Child.iro_officer_id == owner)
    return [dict(r, label=f"IRO contact with {r['ref']}") for r in _rows(q)]


worklist.register_kind("cic_review", "Child-in-care review", "children", cic_review_items, order=10)
worklist.register_kind("review_recommendations", "Review recommendations", "children",
                       _review_items(Review.recommendations_date, "review_recommendations", "Recommendations"), order=11)
worklist.register_kind("review_minutes", "Review minutes", "children",
                       _review_items(Review.minutes_date, "review_minutes", "Minutes"), order=12)
worklist.register_kind("iro_contact", "IRO contact with the child", "children", iro_contact_items, order=13)
