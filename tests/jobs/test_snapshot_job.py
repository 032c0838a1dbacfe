"""The ``snapshot`` job (issue 15) freezes the board's scorecard for the month before on its
freeze day — the 4th of the following month, or the next working day when the 4th is a weekend
day or a bank holiday in England (003:L277) — catches up on a month a stopped scheduler missed,
and never freezes a month twice. Run through the real ``run-job`` command."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest
from sqlalchemy import func, select

D = dt.date


@pytest.fixture
def app_config():
    return {"TODAY": "2026-11-23"}  # every month below is over


def frozen(app) -> list[dt.date]:
    from tracker.board.models import FrozenMonth
    from tracker.extensions import db

    with app.app_context():
        return list(db.session.scalars(select(FrozenMonth.month).order_by(FrozenMonth.month)))


def is_frozen(app, month: dt.date) -> bool:
    from tracker.board import operations

    with app.app_context():
        return operations.frozen_month(month) is not None


def freeze_audit_rows(app) -> dict[str, int]:
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    with app.app_context():
        rows = db.session.execute(
            select(AuditEntry.object_id, func.count())
            .where(AuditEntry.action == "board.freeze")
            .group_by(AuditEntry.object_id)
        )
        return dict(rows.tuples().all())


def snapshot(runner, day: dt.date) -> str:
    result = runner.invoke(args=["run-job", "snapshot", "--as-of", day.isoformat()])
    assert result.exit_code == 0, result.output
    assert f"snapshot for {day.isoformat()}: Succeeded" in result.output
    return result.output


def test_march_2023_is_frozen_on_4_april_and_not_on_3_april(app, runner):
    # February's day is Monday 6 March (on an empty database, January is caught up too)
    assert "Froze January 2023, February 2023." in snapshot(runner, D(2023, 3, 6))
    assert frozen(app) == [D(2023, 1, 1), D(2023, 2, 1)]

    assert "Nothing to freeze." in snapshot(runner, D(2023, 4, 3))
    assert not is_frozen(app, D(2023, 3, 1))
    assert frozen(app) == [D(2023, 1, 1), D(2023, 2, 1)]

    assert "Froze March 2023." in snapshot(runner, D(2023, 4, 4))  # a Tuesday
    assert is_frozen(app, D(2023, 3, 1))
    assert frozen(app) == [D(2023, 1, 1), D(2023, 2, 1), D(2023, 3, 1)]
    assert freeze_audit_rows(app) == {"2023-01": 1, "2023-02": 1, "2023-03": 1}


# (the month frozen, its freeze day, the day before it — not a working day, or the working day
# before a holiday — when the month must not freeze yet); worked out by hand from the England and
# Wales bank holidays, and checked against the ``holidays`` package below
FREEZE_DAYS = [
    (D(2023, 1, 1), D(2023, 2, 6), D(2023, 2, 5)),  # Sat 4 Feb 2023: Monday 6 Feb
    (D(2023, 3, 1), D(2023, 4, 4), D(2023, 4, 3)),  # Tue 4 Apr 2023, a working day
    (D(2023, 6, 1), D(2023, 7, 4), D(2023, 7, 3)),  # Tue 4 Jul 2023
    (D(2023, 5, 1), D(2023, 6, 5), D(2023, 6, 4)),  # Sun 4 Jun 2023: Monday 5 Jun
    (D(2015, 3, 1), D(2015, 4, 7), D(2015, 4, 6)),  # Sat 4 Apr 2015, Mon 6 Apr Easter Monday: Tuesday 7
    (D(2021, 3, 1), D(2021, 4, 6), D(2021, 4, 5)),  # Sun 4 Apr 2021, Mon 5 Apr Easter Monday: Tuesday 6
    (D(2019, 4, 1), D(2019, 5, 7), D(2019, 5, 6)),  # Sat 4 May 2019, Mon 6 May early May holiday: Tuesday 7
    (D(2024, 4, 1), D(2024, 5, 7), D(2024, 5, 6)),  # Sat 4 May 2024, Mon 6 May early May holiday: Tuesday 7
    (D(2025, 4, 1), D(2025, 5, 6), D(2025, 5, 5)),  # Sun 4 May 2025, Mon 5 May early May holiday: Tuesday 6
    (D(2026, 4, 1), D(2026, 5, 5), D(2026, 5, 4)),  # Mon 4 May 2026 is the early May holiday: Tuesday 5
    (D(2026, 3, 1), D(2026, 4, 7), D(2026, 4, 6)),  # Sat 4 Apr 2026, Mon 6 Apr Easter Monday: Tuesday 7
    (D(2012, 5, 1), D(2012, 6, 6), D(2012, 6, 5)),  # Mon 4 Jun 2012 spring holiday, Tue 5 the Diamond Jubilee
    (D(2022, 12, 1), D(2023, 1, 4), D(2023, 1, 3)),  # Wed 4 Jan 2023 (2 Jan was the New Year holiday)
]


@pytest.mark.parametrize("month, day, before", FREEZE_DAYS, ids=[f"{m:%Y-%m}" for m, _, _ in FREEZE_DAYS])
def test_the_hand_worked_freeze_days_agree_with_the_holidays_package(month, day, before):
    bank = holidays.UK(subdiv="ENG", years=range(month.year, day.year + 1))

    def working(d: dt.date) -> bool:
        return d.weekday() < 5 and d not in bank

    fourth = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=4)
    assert before == day - dt.timedelta(days=1)
    assert working(day) and all(not working(fourth + dt.timedelta(days=n)) for n in range((day - fourth).days))


@pytest.mark.parametrize("month, day, before", FREEZE_DAYS, ids=[f"{m:%Y-%m}" for m, _, _ in FREEZE_DAYS])
def test_a_month_is_frozen_on_its_freeze_day_not_before(app, runner, month, day, before):
    from tracker.board import operations
    from tracker.extensions import db

    with app.app_context():  # the month before was frozen on its day
        operations.freeze_month(month - dt.timedelta(days=1))
        db.session.commit()
    already = frozen(app)
    assert len(already) == 1 and month not in already

    snapshot(runner, before)
    assert not is_frozen(app, month), f"{month:%B %Y} frozen on {before}, before its freeze day {day}"
    assert frozen(app) == already

    output = snapshot(runner, day)
    assert f"Froze {month:%B %Y}." in output
    assert frozen(app) == sorted([*already, month])


def test_a_run_after_a_missed_freeze_day_freezes_the_month_once(app, runner):
    snapshot(runner, D(2023, 3, 6))  # February frozen on its day; the scheduler then stops until the 10th
    assert "Froze March 2023." in snapshot(runner, D(2023, 4, 10))
    months = [D(2023, 1, 1), D(2023, 2, 1), D(2023, 3, 1)]
    assert frozen(app) == months

    for later in (D(2023, 4, 10), D(2023, 4, 11), D(2023, 4, 28)):
        assert "Nothing to freeze." in snapshot(runner, later)
    assert frozen(app) == months
    assert freeze_audit_rows(app) == {"2023-01": 1, "2023-02": 1, "2023-03": 1}


def test_a_scheduler_stopped_for_over_a_month_catches_up_on_both_months(app, runner):
    assert "Froze February 2023, March 2023." in snapshot(runner, D(2023, 4, 10))  # on an empty database
    assert frozen(app) == [D(2023, 2, 1), D(2023, 3, 1)]
    assert "Nothing to freeze." in snapshot(runner, D(2023, 4, 11))
    assert freeze_audit_rows(app) == {"2023-02": 1, "2023-03": 1}


def test_the_small_authoritys_month_is_frozen_with_its_figures(app, runner, small_authority):
    from tracker.board import operations
    from tracker.extensions import db

    snapshot(runner, D(2023, 3, 6))
    snapshot(runner, D(2023, 4, 4))
    with app.app_context():
        march = operations.frozen_month(D(2023, 3, 1))
        assert march is not None and march.figures
        first = (march.frozen_at, march.times_frozen, len(march.figures))
        db.session.rollback()
    snapshot(runner, D(2023, 4, 5))
    with app.app_context():
        again = operations.frozen_month(D(2023, 3, 1))
        assert (again.frozen_at, again.times_frozen, len(again.figures)) == first
        assert first[1] == 1
    assert freeze_audit_rows(app) == {"2023-01": 1, "2023-02": 1, "2023-03": 1}
