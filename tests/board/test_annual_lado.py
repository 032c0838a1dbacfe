"""The LADO annual report's tables for 2022/23 (003:L1450–1535) built from the record-level year of
tests/lado/annual_2022_23.py (the operations, as the LADO recorded it), with the council's own
foster carers (8.2–8.4) and, for the previous year beside the outcomes, nine referrals of 2021/22
(four substantiated, two unfounded — "from 22% to 19% this year" — three unsubstantiated)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.lado import factories
from tests.lado.annual_2022_23 import END, START, build_report_year


@pytest.fixture
def app_config():
    return {"TODAY": "2023-05-01"}


@pytest.fixture
def lado_years(app):
    from tracker.extensions import db

    with app.app_context():
        build_report_year(foster_carers=True)
        for k, outcome in enumerate(["substantiated"] * 4 + ["unfounded"] * 2 + ["unsubstantiated"] * 3):
            day = dt.date(2021, 5, 3) + dt.timedelta(days=30 * k)
            referral = factories.referral(day)
            factories.meeting(referral, "iem", day)
            factories.outcome(referral, outcome, day + dt.timedelta(days=20))
            factories.closed(referral, day + dt.timedelta(days=20))
        db.session.commit()


def tables(app) -> dict[str, dict[str, list]]:
    """Every table of the report: key → row label → the cells' values."""
    from tracker.board import annual

    with app.app_context():
        report = annual.build("lado", START, END)
    return {t.key: {row.label: [c.value for c in row.cells] for row in t.rows} for t in report.tables}


def test_the_lado_tables_equal_the_published_figures(app, lado_years):
    got = tables(app)
    by_month = got["contacts_and_referrals_by_month"]
    assert by_month["Contacts with the Designated Officer"][-1] == 492  # "There were 492 contacts"
    assert by_month["Referrals"][-1] == 163  # "163 progressed to referrals"
    assert by_month["Contacts that progressed to referral (%)"][-1] == Decimal("33.13")  # "consistent, at 33%"
    assert sum(by_month["Contacts with the Designated Officer"][:12]) == 492
    assert sum(by_month["Referrals"][:12]) == 163

    kpis = got["lado_kpis"]
    assert kpis["Initial Evaluation Meetings within 5 working days of referral"] == [140, 163, Decimal("85.89")]
    assert kpis["Post-Allegation Investigation Meetings within 28 days of the IEM"] == [158, 163, Decimal("96.93")]
    assert kpis["Referrals concluded within 4 weeks of contact"] == [88, 163, Decimal("53.99")]  # "54%"
    assert kpis["Referrals not yet concluded"] == [11, 163, Decimal("6.75")]  # "7% ... not yet concluded"

    # outcomes with their percentages, and 2021/22 beside them
    assert got["outcomes"] == {
        "Substantiated": [57, Decimal("34.97"), 4, Decimal("44.44")],  # "57 ... around 34%"
        "False": [0, Decimal("0.00"), 0, Decimal("0.00")],
        "Malicious": [0, Decimal("0.00"), 0, Decimal("0.00")],
        "Unsubstantiated": [64, Decimal("39.26"), 3, Decimal("33.33")],
        "Unfounded": [31, Decimal("19.02"), 2, Decimal("22.22")],  # "from 22% to 19%"
        "Outcome pending": [11, Decimal("6.75"), 0, Decimal("0.00")],
        "Referrals": [163, None, 9, None],
    }

    # "19 contacts ... 10 of these progressed to referral ... (6) related to connected carers ... 2 were
    # substantiated. All carers returned to panel" (8.2, 8.4)
    assert got["foster_carers"] == {
        "Contacts about the council's foster carers": [19],
        "Referrals about the council's foster carers": [10],
        "Referrals about the council's connected carers": [6],
        "Allegations against our foster carers substantiated": [2],
        "Our foster carers returned to panel after an allegation": [10],
    }
    sectors = got["by_sector"]
    assert sectors["Education"] == [153, 153]
    assert sectors["Foster care"] == [10, 10]
    assert sectors["Health"] == [329, 0]
    assert sectors["Sport"] == [0, 0]  # the contacts either side of the year do not count
