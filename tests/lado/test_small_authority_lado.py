"""The small-authority example: every lado.* indicator (whole period and each month) and every
lado_* due item equals tests/data/small-authority/expected-*.json."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "small-authority"


@pytest.fixture
def app_config():
    return {"TODAY": "2026-11-23"}


@pytest.fixture
def imported(app):
    from tracker.core import interchange

    with app.app_context():
        result = interchange.run(DATA / "data")
        assert result.ok, [str(p) for p in result.problems]
        assert result.counts["lado_contacts.csv"] == 160
    return app


def _lado(figures: dict) -> dict:
    return {k: v for k, v in figures.items() if k.startswith("lado.")}


def test_every_lado_indicator_matches_the_expected_figures(imported):
    from tracker.core import kpis

    expected = json.loads((DATA / "expected-kpis-2022-23.json").read_text())
    with imported.app_context():
        doc = kpis.report(dt.date(2022, 4, 1), dt.date(2023, 3, 31), dt.date(2023, 3, 31), by_month=True)
    assert _lado(expected["indicators"])  # the file has LADO figures to compare
    assert _lado(doc["indicators"]) == _lado(expected["indicators"])
    assert [m["month"] for m in doc["months"]] == [m["month"] for m in expected["months"]]
    for got, want in zip(doc["months"], expected["months"]):
        assert _lado(got["indicators"]) == _lado(want["indicators"]), want["month"]


def test_every_lado_due_item_matches_the_expected_list(imported):
    from tracker.core import worklist

    expected = json.loads((DATA / "expected-due-items-2023-01-16.json").read_text())
    as_of = dt.date(2023, 1, 16)
    with imported.app_context():
        items = worklist.document(as_of, worklist.collect(as_of, kinds=["lado_iem", "lado_paim", "lado_action"]))
    want = [i for i in expected["items"] if i["kind"].startswith("lado_")]
    assert want
    assert items["items"] == want


def test_lado_kinds_are_in_the_lado_family():
    from tracker.core import worklist

    for kind in ("lado_iem", "lado_paim", "lado_action"):
        assert worklist.KINDS[kind].family == "lado"
