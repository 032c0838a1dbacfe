"""Read side of the rules pages."""

from __future__ import annotations

from sqlalchemy import select

from tracker.core.calendar import ClosureDay
from tracker.extensions import db


def closure_days() -> list[ClosureDay]:
    return list(db.session.scalars(select(ClosureDay).order_by(ClosureDay.day)))
