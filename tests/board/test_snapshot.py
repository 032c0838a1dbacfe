"""The ``snapshot`` command (the issue's "Monthly snapshots"): freeze a month, change a record of
that month; the frozen figure stays, the live figure moves; re-freezing is audited and shown with
its reason; a changed timescale rule does not alter a frozen month. Its errors (a month that is
not one, a month not over, a month frozen already, a re-freeze without a reason) exit non-zero
with the message and save nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.reviews import factories as f
from tracker.board import scorecard
from tracker.board.models import FrozenFigure, FrozenMonth
from tracker.core import kpis
from tracker.core.audit import AuditEntry
from tracker.core.timescales import rule
from tracker.extensions import db
from tracker.rules import operations as rules

FEB = dt.date(2023, 2, 1)
IN_TIMESCALE = "reviews.in_timescale"  # a row of the default scorecard (Reviews)


@pytest.fixture
def app_config():
    return {"TODAY": "2023-03-10"}  # February is over; March is not


@pytest.fixture
def february(app):
    """Two first reviews in February 2023: one within 20 working days of the child coming into
    care, one long after (50%)."""
    with app.app_context():
        f.review(f.child("C1", start="2023-01-20"), "2023-02-08")
        f.review(f.child("C2", start="2022-12-01"), "2023-02-09")
        db.session.commit()


def run(runner, *args):
    return runner.invoke(args=["snapshot", *args])


def figures(month: dt.date) -> tuple[object, object]:
    """(the scorecard's figure for the month, the live figure) of reviews in timescale."""
    card = scorecard.build(month, dt.date(2023, 3, 10))
    line = next(line for b in card.blocks for line in b.lines if line.row.indicator_id == IN_TIMESCALE)
    period = kpis.Period(month, scorecard.last_of(month), scorecard.last_of(month))
    return line.values[-1], kpis.compute(period, [IN_TIMESCALE])[IN_TIMESCALE].value


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_frozen_month_stays_as_it_was_while_the_live_figure_moves(app, runner, february):
    result = run(runner, "--month", "2023-02")
    assert result.exit_code == 0, result.output
    with app.app_context():
        n = count(FrozenFigure, FrozenFigure.month == FEB)
        assert result.output == f"Froze February 2023: {n} figures\n"
        assert n == len(kpis.indicators())
        frozen = db.session.get(FrozenMonth, FEB)
        assert frozen.frozen_by == "system" and frozen.refrozen_reason is None and frozen.times_frozen == 1
        value, live = figures(FEB)
        assert (value.value, value.provisional, live) == (Decimal("50.00"), False, Decimal("50.00"))

        # a record of that month changes: a third review, on time
        f.review(f.child("C3", start="2023-02-01"), "2023-02-20")
        db.session.commit()
        value, live = figures(FEB)
        assert value.value == Decimal("50.00") and not value.provisional  # the frozen figure stays
        assert live == Decimal("66.67")  # the live figure moves
        # January, not frozen, is computed live and marked provisional
        card = scorecard.build(FEB, dt.date(2023, 3, 10))
        assert card.provisional(dt.date(2023, 1, 1)) and not card.provisional(FEB)

        # a changed timescale rule does not alter the frozen month (C2's review is then on time)
        rules.update_rule(rule("cic_review_first"), 100, "working_days")
        db.session.commit()
        value, live = figures(FEB)
        assert value.value == Decimal("50.00")
        assert live == Decimal("100.00")
        assert "20 working days" in frozen.rules["cic_review_first"]


def test_re_freezing_is_audited_and_shown_with_its_reason(app, runner, february):
    assert run(runner, "--month", "2023-02").exit_code == 0
    with app.app_context():
        f.review(f.child("C3", start="2023-02-01"), "2023-02-20")
        db.session.commit()
    result = run(runner, "--month", "2023-02", "--refreeze", "--reason", "A review recorded late")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Re-froze February 2023: ")
    with app.app_context():
        frozen = db.session.get(FrozenMonth, FEB)
        assert frozen.refrozen_reason == "A review recorded late" and frozen.times_frozen == 2
        value, live = figures(FEB)
        assert value.value == live == Decimal("66.67") and not value.provisional
        card = scorecard.build(FEB, dt.date(2023, 3, 10))
        assert card.frozen[FEB].refrozen_reason == "A review recorded late"  # what the scorecard shows
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "board.refreeze")).one()
        assert entry.object_id == "2023-02" and entry.after["reason"] == "A review recorded late"
        assert entry.before["figures"][IN_TIMESCALE] is not None
        assert count(AuditEntry, AuditEntry.action == "board.freeze") == 1


def test_the_default_month_is_the_last_complete_one(app, runner):
    result = run(runner)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Froze February 2023: ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2023-13"], "'2023-13' is not a month. Give the month as its year and number, like 2023-03"),
        (["--month", "March"], "is not a month"),
        (["--month", "2023-03"], "March 2023 is not over yet"),
        (["--month", "2023-01", "--refreeze", "--reason", "x"], "January 2023 is not frozen: freeze it instead."),
        (["--month", "2023-02", "--reason", "why"], "--reason is given only with --refreeze"),
    ],
)
def test_command_errors_exit_non_zero_and_save_nothing(app, runner, args, message):
    result = run(runner, *args)
    assert result.exit_code != 0
    assert message in result.output
    with app.app_context():
        assert count(FrozenMonth) == 0 and count(FrozenFigure) == 0
        assert count(AuditEntry, AuditEntry.action.like("board.%")) == 0


def test_freezing_twice_or_re_freezing_without_a_reason_is_refused(app, runner, february):
    assert run(runner, "--month", "2023-02").exit_code == 0
    with app.app_context():
        before = db.session.get(FrozenMonth, FEB).frozen_at
    again = run(runner, "--month", "2023-02")
    assert again.exit_code == 1
    assert "February 2023 is already frozen. An administrator can re-freeze it, giving a reason." in again.output
    blank = run(runner, "--month", "2023-02", "--refreeze")
    assert blank.exit_code == 1 and "Enter why the month is being re-frozen" in blank.output
    with app.app_context():
        frozen = db.session.get(FrozenMonth, FEB)
        assert frozen.frozen_at == before and frozen.times_frozen == 1 and frozen.refrozen_reason is None
        assert count(AuditEntry, AuditEntry.action == "board.freeze") == 1
        assert count(AuditEntry, AuditEntry.action == "board.refreeze") == 0
