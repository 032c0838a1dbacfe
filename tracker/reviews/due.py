"""Due-item kinds of the reviews feature (interchange.md §3), all set-based SQL, all shown on
the child's page (record ``child``).

- ``cic_review``: one per child looked after on the as-of date; due = next review by the
  reg 33 chain counted from reviews dated on or before as-of; owner = the child's QARO. The
  item names the date the QARO planned for it, if any ("planned late" after the due date).
- ``review_recommendations`` / ``review_minutes``: a review held on or before as-of whose
  recommendations / minutes are not yet issued at as-of (blank, or dated after as-of);
  due = review + 5 / 20 working days; owner = the review's QARO.
- ``iro_contact``: child looked after and IRO contact expected; due = last IRO contact
  since the current care period started (or that start) + 6 months.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select

from tracker.core.timescales import deadline_sql
from tracker.core.worklist import register_kind
from tracker.formatters import format_date
from tracker.reviews import chain
from tracker.reviews.models import Child, Plan, Review, child_label, full_name
from tracker.reviews.queries import last_contact_in_period

NAMES = (Child.first_name, Child.last_name)  # the child's name, for the item's words


def _child(row) -> str:
    """The child as the worklist names them: "Amy Ng (C1)", or the reference alone."""
    return child_label(full_name(row.first_name, row.last_name), row.record_ref)


def _review_due(row) -> str:
    words = f"Review of {_child(row)}"
    if row.planned_review_date is not None:
        words += f", planned for {format_date(row.planned_review_date)}"
        if Plan.of(row.planned_review_date, row.due_date) == Plan.late:
            words += f" ({Plan.late.label.lower()})"
    return words


def cic_review_items(as_of: dt.date):
    cur = chain.current_next_due(as_of)
    return select(
        Child.child_id.label("ref"),
        Child.iro_officer_id.label("owner"),
        cur.c.due_date.label("due_date"),
        Child.child_id.label("record_ref"),
        Child.planned_review_date,
        *NAMES,
    ).join(cur, cur.c.child_pk == Child.id)


def _review_items(date_col, rule: str):
    def query(as_of: dt.date):
        return (
            select(
                Review.review_id.label("ref"),
                Review.officer_id.label("owner"),
                deadline_sql(rule, Review.review_date).label("due_date"),
                Child.child_id.label("record_ref"),
                *NAMES,
            )
            .join(Child, Child.id == Review.child_pk)
            .where(Review.removed_at.is_(None), Review.review_date <= as_of, or_(date_col.is_(None), date_col > as_of))
        )

    return query


def iro_contact_items(as_of: dt.date):
    lc = last_contact_in_period(as_of)
    return (
        select(
            Child.child_id.label("ref"),
            Child.iro_officer_id.label("owner"),
            lc.c.contact_due.label("due_date"),
            Child.child_id.label("record_ref"),
            *NAMES,
        )
        .join(lc, lc.c.child_pk == Child.id)
        .where(Child.iro_contact_expected.is_(True))
    )


register_kind(
    "cic_review",
    "Child-in-care review",
    "children",
    cic_review_items,
    record_type="child",
    describe=_review_due,
    order=10,
)
register_kind(
    "review_recommendations",
    "Review recommendations",
    "children",
    _review_items(Review.recommendations_date, "review_recommendations"),
    record_type="child",
    describe=lambda row: f"Recommendations for review {row.ref} of {_child(row)}",
    order=11,
)
register_kind(
    "review_minutes",
    "Review minutes",
    "children",
    _review_items(Review.minutes_date, "review_minutes"),
    record_type="child",
    describe=lambda row: f"Minutes for review {row.ref} of {_child(row)}",
    order=12,
)
register_kind(
    "iro_contact",
    "IRO contact with the child",
    "children",
    iro_contact_items,
    record_type="child",
    describe=lambda row: f"IRO contact with {_child(row)}",
    order=13,
)
