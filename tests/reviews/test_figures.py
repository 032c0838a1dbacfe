"""reviews.* and contacts.* indicators and the four due-item kinds against the small-authority
example (tests/data/small-authority), and the council's published 2022/23 monthly table."""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from sqlalchemy import update

from tracker.core import kpis, timescales, worklist
from tracker.core.kpis import Period
from tracker.extensions import db
from tracker.reviews import kpis as review_kpis

from .factories import child, contact, d, officer, review

SMALL = Path(__file__).resolve().parents[1] / "data" / "small-authority"
KINDS = ("cic_review", "review_recommendations", "review_minutes", "iro_contact")
MINE = ("reviews.", "contacts.")


@pytest.fixture
def app_config():
    return {"TODAY": "2026-11-23"}


def test_every_indicator_of_kpis_md_1_and_2_is_registered(app):
    ids = {i.id for i in kpis.indicators() if i.id.startswith(MINE)}
    expected = json.loads((SMALL / "expected-kpis-2022-23.json").read_text())["indicators"]
    assert ids == {k for k in expected if k.startswith(MINE)}
    assert kpis.get("reviews.held").unit == "No." and kpis.get("reviews.in_timescale").unit == "%"


def test_small_authority_figures_and_due_items(app, small_authority):
    expected = json.loads((SMALL / "expected-kpis-2022-23.json").read_text())
    expected_due = json.loads((SMALL / "expected-due-items-2023-01-16.json").read_text())
    with app.app_context():
        doc = kpis.report(d("2022-04-01"), d("2023-03-31"), d("2023-03-31"), by_month=True)
        mine = lambda figs: {k: v for k, v in figs.items() if k.startswith(MINE)}  # noqa: E731
        assert mine(doc["indicators"]) == mine(expected["indicators"])
        assert len(doc["months"]) == 12
        for got, want in zip(doc["months"], expected["months"], strict=True):
            assert got["month"] == want["month"]
            assert mine(got["indicators"]) == mine(want["indicators"]), want["month"]
        items = worklist.document(d("2023-01-16"), worklist.collect(d("2023-01-16"), kinds=KINDS))["items"]
        assert items == [i for i in expected_due["items"] if i["kind"] in KINDS]


def test_drill_down_lists_the_records_behind_a_figure(app, small_authority):
    with app.app_context():
        period = Period(d("2022-04-01"), d("2023-03-31"), d("2023-03-31"))
        figs = kpis.compute(period, ["reviews.in_timescale", "reviews.overdue", "contacts.with_contact_6m"])
        num = kpis.drill("reviews.in_timescale", period, "numerator")
        den = kpis.drill("reviews.in_timescale", period, "denominator")
        assert (
            len(num) == figs["reviews.in_timescale"].numerator and len(den) == figs["reviews.in_timescale"].denominator
        )
        assert {r["ref"] for r in num} < {r["ref"] for r in den}
        assert num[0]["url"].startswith("/children/C")
        assert len(kpis.drill("reviews.overdue", period)) == figs["reviews.overdue"].value
        assert (
            len(kpis.drill("contacts.with_contact_6m", period, "denominator"))
            == figs["contacts.with_contact_6m"].denominator
        )


def test_a_qaros_figures_come_from_the_same_definitions(app, small_authority):
    with app.app_context():
        period = Period(d("2022-04-01"), d("2023-03-31"), d("2023-03-31"))
        whole = review_kpis.figures(period)
        officers = [f"Q{i}" for i in range(1, 11)]
        parts = [review_kpis.figures(period, officer=o) for o in officers]
        assert sum(p["reviews.held"] for p in parts) == whole["reviews.held"]
        assert sum(p["reviews.in_timescale"].numerator for p in parts) == whole["reviews.in_timescale"].numerator


# The council's published 2022/23 table (IRO annual report): reviews held per month and those in timescale.
HELD = [121, 142, 78, 105, 95, 118, 117, 124, 93, 128, 93, 125]
IN_TIMESCALE = [114, 131, 69, 102, 84, 107, 107, 108, 91, 119, 88, 124]
PUBLISHED_PERCENT = [94, 92, 88, 97, 88, 91, 91, 87, 98, 93, 95, 99]


def test_published_2022_23_monthly_in_timescale_percentages(app):
    """Record-level data: per month, children whose first review is held mid-month, either 10
    days after the period started (in timescale: due 20 working days later) or 60 days after."""
    with app.app_context():
        officer("Q1")
        n = 0
        for index, (held, in_time) in enumerate(zip(HELD, IN_TIMESCALE, strict=True)):
            year, month = (2022, 4 + index) if index < 9 else (2023, index - 8)
            review_date = dt.date(year, month, 15)
            for k in range(held):
                n += 1
                start = review_date - dt.timedelta(days=10 if k < in_time else 60)
                c = child(f"P{n:05d}", start=start.isoformat(), officer_id="Q1", date_of_birth="2012-01-01")
                review(c, review_date.isoformat(), officer_id="Q1")
        doc = kpis.report(d("2022-04-01"), d("2023-03-31"), by_month=True)
        held = [m["indicators"]["reviews.held"]["value"] for m in doc["months"]]
        ratio = [m["indicators"]["reviews.in_timescale"] for m in doc["months"]]
        assert held == HELD
        assert [r["numerator"] for r in ratio] == IN_TIMESCALE
        whole = [int(Decimal(str(r["value"])).quantize(Decimal("1"), rounding=ROUND_HALF_UP)) for r in ratio]
        assert whole == PUBLISHED_PERCENT
        assert doc["indicators"]["reviews.held"]["value"] == sum(HELD)


def test_contact_in_the_last_6_months_follows_a_lengthened_rule(app):
    """The IRO contact figure reads the iro_contact rule: lengthened to 12 months by an
    administrator, a contact 9 months ago counts (no fixed 6-month window hides it)."""
    with app.app_context():
        officer("Q1")
        c = child(start="2024-01-10", officer_id="Q1")
        contact(c, "2024-06-01", officer_id="Q1")
        db.session.commit()
        period = kpis.Period(dt.date(2025, 3, 1), dt.date(2025, 3, 1), dt.date(2025, 3, 1))
        assert kpis.compute(period, ["contacts.with_contact_6m"])["contacts.with_contact_6m"].numerator == 0
        db.session.execute(
            update(timescales.TimescaleRule).where(timescales.TimescaleRule.name == "iro_contact").values(amount=12)
        )
        timescales.forget_rules()
        assert kpis.compute(period, ["contacts.with_contact_6m"])["contacts.with_contact_6m"].numerator == 1
