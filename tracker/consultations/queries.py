"""The read side of the consultations: lists of rounds with their counts (asked, answered)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, func, select

from tracker.consultations.models import ConsultationRound, Respondent
from tracker.extensions import db
from tracker.reviews.models import Child, child_label, full_name


def _with_counts() -> Select:
    return (
        select(
            ConsultationRound,
            Child.child_id,
            Child.first_name,
            Child.last_name,
            func.count(Respondent.id).label("asked"),
            func.count(Respondent.submitted_at).label("answered"),
        )
        .join(Child, Child.id == ConsultationRound.child_pk)
        .outerjoin(Respondent, Respondent.round_pk == ConsultationRound.id)
        .group_by(ConsultationRound.id, Child.child_id, Child.first_name, Child.last_name)
    )


def rounds(*, upcoming: bool, as_of: dt.date) -> Select:
    """Every round with its counts; ``upcoming``: those whose review is today or later, soonest
    first (else every round, latest review first)."""
    query = _with_counts()
    if upcoming:
        return query.where(ConsultationRound.review_date >= as_of).order_by(
            ConsultationRound.review_date, ConsultationRound.round_id
        )
    return query.order_by(ConsultationRound.review_date.desc(), ConsultationRound.round_id)


def row(r) -> dict:
    """A row of ``rounds`` as a list shows it (the child as every list names them)."""
    return {
        "round_id": r.ConsultationRound.round_id,
        "review_date": r.ConsultationRound.review_date,
        "child_id": r.child_id,
        "child": child_label(full_name(r.first_name, r.last_name), r.child_id),
        "asked": r.asked,
        "answered": r.answered,
    }


def for_child(child: Child) -> list:
    """The child's rounds with their counts, latest review first (the child's page)."""
    return db.session.execute(
        _with_counts().where(ConsultationRound.child_pk == child.id).order_by(ConsultationRound.review_date.desc())
    ).all()
