"""Direction of travel and RAG (domain.md §8) as tables: High / Low / -, missing values, equal
values, with and without targets, within and beyond the tolerance, percentages and counts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tracker.board.models import BoardUnit, Direction, GoodIs, Rag
from tracker.board.scorecard import default_tolerance, direction_of_travel, rag

D = Decimal


@pytest.mark.parametrize(
    "good_is, previous, latest, expected",
    [
        (GoodIs.high, D("90.00"), D("92.50"), Direction.improving),
        (GoodIs.high, D("92.50"), D("90.00"), Direction.worsening),
        (GoodIs.high, D("90.00"), D("90.00"), Direction.same),
        (GoodIs.low, 12, 9, Direction.improving),  # fewer overdue reviews is better
        (GoodIs.low, 9, 12, Direction.worsening),
        (GoodIs.low, 9, 9, Direction.same),
        (GoodIs.high, 0, 1, Direction.improving),  # counts, from zero
        (GoodIs.high, D("90.00"), 90, Direction.same),  # a count and a percentage compare by value
        (GoodIs.neither, 10, 20, None),  # good is "-": no direction
        (GoodIs.neither, 10, 10, None),
        (GoodIs.high, None, D("90.00"), None),  # a missing value: blank
        (GoodIs.high, D("90.00"), None, None),
        (GoodIs.low, None, None, None),
        ("High", 1, 2, Direction.improving),  # the stored code works as the member
        ("-", 1, 2, None),
    ],
)
def test_direction_of_travel(good_is, previous, latest, expected):
    assert direction_of_travel(good_is, previous, latest) == expected


@pytest.mark.parametrize(
    "good_is, unit, value, target, tolerance, expected",
    [
        # percentages: default tolerance 5 percentage points
        (GoodIs.high, BoardUnit.percent, D("100.00"), 100, None, Rag.green),
        (GoodIs.high, BoardUnit.percent, D("96.00"), 95, None, Rag.green),  # beyond the target is met
        (GoodIs.high, BoardUnit.percent, D("95.00"), 100, None, Rag.amber),  # exactly 5 points short
        (GoodIs.high, BoardUnit.percent, D("94.99"), 100, None, Rag.red),
        (GoodIs.high, BoardUnit.percent, D("82.00"), 85, None, Rag.amber),
        (GoodIs.high, BoardUnit.percent, D("79.99"), 85, None, Rag.red),
        (GoodIs.low, BoardUnit.percent, D("4.00"), 5, None, Rag.green),
        (GoodIs.low, BoardUnit.percent, D("10.00"), 5, None, Rag.amber),
        (GoodIs.low, BoardUnit.percent, D("10.01"), 5, None, Rag.red),
        # a tolerance set on the row replaces the default
        (GoodIs.high, BoardUnit.percent, D("97.00"), 100, 2, Rag.red),
        (GoodIs.high, BoardUnit.percent, D("98.00"), 100, 2, Rag.amber),
        (GoodIs.high, BoardUnit.percent, D("99.00"), 100, 0, Rag.red),
        # counts: default tolerance 10% of the target
        (GoodIs.low, BoardUnit.count, 20, 20, None, Rag.green),
        (GoodIs.low, BoardUnit.count, 22, 20, None, Rag.amber),  # 10% of 20 = 2
        (GoodIs.low, BoardUnit.count, 23, 20, None, Rag.red),
        (GoodIs.high, BoardUnit.count, 45, 50, None, Rag.amber),
        (GoodIs.high, BoardUnit.count, 44, 50, None, Rag.red),
        (GoodIs.high, BoardUnit.rate, D("3.60"), 4, None, Rag.amber),  # 10% of 4 = 0.4
        (GoodIs.high, BoardUnit.rate, D("3.59"), 4, None, Rag.red),
        (GoodIs.low, BoardUnit.count, 0, 0, None, Rag.green),  # a target of none at all, met
        (GoodIs.low, BoardUnit.count, 1, 0, None, Rag.red),  # 10% of 0 is 0
        # no target, no value, or no direction: no RAG
        (GoodIs.high, BoardUnit.percent, D("50.00"), None, None, None),
        (GoodIs.high, BoardUnit.percent, None, 100, None, None),
        (GoodIs.neither, BoardUnit.count, 10, 5, None, None),
    ],
)
def test_rag(good_is, unit, value, target, tolerance, expected):
    assert rag(good_is, unit, value, target, tolerance) == expected


def test_default_tolerance():
    assert default_tolerance(BoardUnit.percent, 100) == 5
    assert default_tolerance("%", 85) == 5
    assert default_tolerance(BoardUnit.count, 30) == 3
    assert default_tolerance(BoardUnit.count, -30) == 3
