"""Returns to panel (domain.md §7, 000:L654, L704): the households whose next review must go to the
fostering panel — first, third-year, after an allegation — with the date it is due, and the reviews
after an allegation whose household the panel adviser has still to name."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.panels import factories
from tests.panels._household_fixtures import TODAY, panel_case_about, panel_meeting_on, seed

D = dt.date


@pytest.fixture
def app_config():
    return {"TODAY": TODAY}


@pytest.fixture
def returns(app):
    with seed(app):
        from tracker.panels import operations

        factories.household(D(2022, 9, 1), name="New household")  # H0001: first review
        factories.reviewed(factories.household(D(2021, 9, 1)), D(2022, 8, 30))  # H0002: second review, to the ADM
        factories.reviewed(factories.household(D(2020, 9, 1)), D(2021, 8, 31), D(2022, 8, 30))  # H0003: third-year
        factories.reviewed(factories.household(D(2021, 9, 1)), D(2022, 8, 29))  # H0004: after an allegation
        factories.reviewed(factories.household(D(2021, 9, 1)), D(2022, 8, 28))  # H0005: allegation heard already
        ended = factories.household(D(2022, 9, 1))  # H0006: ended, no review due
        operations.end_household(ended, end_date=D(2023, 1, 2), end_reason="resigned")
        panel_case_about("H0004", "review_after_allegation")
        panel_case_about("H0005", "review_after_allegation", meeting=panel_meeting_on(D(2023, 3, 7)))
        panel_case_about(None, "review_after_allegation", carer_type="connected")  # PC00003: household not named
        panel_case_about(None, "review_after_allegation", meeting=panel_meeting_on(D(2023, 8, 1), "booked"))
        panel_case_about(None, "review_after_allegation", meeting=panel_meeting_on(D(2023, 5, 2)))  # heard


def test_the_households_whose_next_review_goes_to_panel_are_listed_with_its_due_date(
    app, client_request, login_as, returns
):
    login_as("panel_admin")
    page = client_request.get("/panels/returns-to-panel")
    assert page.table("#returns") == [
        ["H0004", "Mainstream", "Not allocated", "29 Aug 2023 Upcoming", "Yes: Review after an allegation"],
        ["H0003", "Mainstream", "Not allocated", "30 Aug 2023 Upcoming", "Yes: Third-year review"],
        ["H0001 New household", "Mainstream", "Not allocated", "1 Sep 2023 Upcoming", "Yes: First review after approval"],
    ]  # fmt: skip
    assert page.deadlines() == {
        ("carer_review", "H0004", "2023-08-29", "upcoming"),
        ("carer_review", "H0003", "2023-08-30", "upcoming"),
        ("carer_review", "H0001", "2023-09-01", "upcoming"),
    }
    assert page.table("#unnamed") == [
        ["PC00003", "", "Connected person", "Awaiting a date"],
        ["PC00004", "", "Not known", "1 Aug 2023"],
    ]


def test_a_household_leaves_the_list_once_its_panel_review_is_recorded(app, client_request, login_as, returns):
    from tracker.extensions import db
    from tracker.panels.models import FosterHousehold

    with seed(app):
        factories.carer_review(db.session.get(FosterHousehold, "H0001"), D(2023, 6, 20))
        factories.carer_review(db.session.get(FosterHousehold, "H0003"), D(2023, 6, 21))
    login_as("manager")
    page = client_request.get("/panels/returns-to-panel")
    assert [r[0] for r in page.table("#returns")] == ["H0004"]  # its allegation case is not heard yet


def test_an_empty_list_says_so(client_request, login_as):
    login_as("adm")
    page = client_request.get("/panels/returns-to-panel")
    assert page.text_of("#returns-none") == "No household's next review has to go to panel."
    assert page.text_of("#unnamed-none") == "None."
