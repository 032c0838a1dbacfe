"""Shared data of the scorecard's tests: a few escalations in May 2023 (seen on 15 June 2023)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from tracker.board.models import ScorecardRow
from tracker.extensions import db

D = dt.date
INFORMAL = "escalations.started.informal"  # Safety: "No. of informal IRO escalations", good is High


def row_of(indicator_id: str) -> ScorecardRow:
    return db.session.scalar(select(ScorecardRow).where(ScorecardRow.indicator_id == indicator_id))


@pytest.fixture
def three_escalations(app):
    """Three informal escalations started in May 2023 (none in April), and a target of 10 on
    their row: a count of 1–4 (``<5`` for board members), improving, red."""
    from tests.escalations import factories

    with app.app_context():
        factories.officer("Q1")
        for day in (2, 9, 16):
            factories.escalation(stages=(("informal", D(2023, 5, day)),))
        row = row_of(INFORMAL)
        row.target = Decimal(10)
        db.session.commit()
        return row.id
