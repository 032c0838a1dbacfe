"""The freeze day (003:L277: the 4th of the following month, or the next working day after it)
and ``freeze_due``, the daily sweep that freezes the month before once its day has come,
catches up on days it missed and never freezes a month twice."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tracker.board import operations, scorecard
from tracker.board.models import FrozenMonth
from tracker.core.audit import AuditEntry
from tracker.extensions import db

D = dt.date


@pytest.mark.parametrize(
    "month, day",
    [
        (D(2023, 3, 1), D(2023, 4, 4)),  # a Tuesday
        (D(2023, 2, 1), D(2023, 3, 6)),  # the 4th is a Saturday: Monday
        (D(2015, 4, 1), D(2015, 5, 5)),  # the 4th is the early May bank holiday: Tuesday
        (D(2022, 12, 1), D(2023, 1, 4)),  # a Wednesday after the New Year holidays
        (D(2023, 5, 1), D(2023, 6, 5)),  # Sunday the 4th: Monday
    ],
)
def test_the_freeze_day(app, month, day):
    with app.app_context():
        assert scorecard.freeze_day(month) == day
        assert scorecard.freeze_day(month.replace(day=17)) == day  # any day of the month names it


@pytest.fixture
def app_config():
    return {"TODAY": "2023-03-10"}


def _frozen() -> list[dt.date]:
    return list(db.session.scalars(select(FrozenMonth.month).order_by(FrozenMonth.month)))


def test_freeze_due_freezes_the_month_before_once_its_day_has_come(app):
    with app.app_context():
        assert operations.freeze_due(D(2023, 3, 3)) == []  # February's day is Monday 6 March
        assert _frozen() == []
        assert [f.month for f in operations.freeze_due(D(2023, 3, 6))] == [D(2023, 2, 1)]
        assert operations.freeze_due(D(2023, 3, 7)) == []  # never twice
        db.session.commit()
        assert _frozen() == [D(2023, 2, 1)]
        writes = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "board.freeze")
        assert db.session.scalar(writes) == 1


def test_freeze_due_catches_up_on_the_months_it_missed(app):
    with app.app_context():
        operations.freeze_month(D(2023, 1, 1))
        done = operations.freeze_due(D(2023, 3, 8), months_back=4)
        assert [f.month for f in done] == [D(2022, 11, 1), D(2022, 12, 1), D(2023, 2, 1)]  # January was frozen
        assert _frozen() == [D(2022, 11, 1), D(2022, 12, 1), D(2023, 1, 1), D(2023, 2, 1)]


def test_a_month_not_over_or_frozen_already_is_refused(app):
    from tracker.core.errors import DomainError

    with app.app_context():
        with pytest.raises(DomainError, match="March 2023 is not over yet"):
            operations.freeze_month(D(2023, 3, 1))
        operations.freeze_month(D(2023, 2, 1))
        with pytest.raises(DomainError, match="February 2023 is already frozen"):
            operations.freeze_month(D(2023, 2, 1))
        with pytest.raises(DomainError, match="Enter why"):
            operations.refreeze_month(D(2023, 2, 1), "  ")
        with pytest.raises(DomainError, match="January 2023 is not frozen"):
            operations.refreeze_month(D(2023, 1, 1), "a reason")
