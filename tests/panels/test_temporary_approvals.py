"""Connected-person temporary approvals (reg 24–25, domain.md §3): 16 weeks from the placement,
extendable once by 8 weeks before they run out, then a full approval; listed with their end date,
its state and the reg 25 extension or approval case booked for panel."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.panels import factories
from tests.panels._household_fixtures import TODAY, audit_actions, panel_case_about, panel_meeting_on, seed, version

D = dt.date


@pytest.fixture
def app_config():
    return {"TODAY": TODAY}


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def boxes(day: dt.date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


@pytest.fixture
def temporary(app):
    with seed(app):
        from tracker.panels import operations

        factories.household(D(2023, 4, 1), carer_type="temporary", name="Grandparents")  # H0001: ends 22 Jul 2023
        extended = factories.household(D(2023, 2, 1), carer_type="temporary")  # H0002: 24 May, then 19 Jul 2023
        operations.extend_temporary_approval(extended, extended_date=D(2023, 5, 20))
        factories.household(D(2023, 3, 1), carer_type="temporary")  # H0003: ran out on 21 Jun 2023
        factories.household(D(2023, 3, 1))  # H0004: mainstream, not listed
        gone = factories.household(D(2023, 3, 1), carer_type="temporary")  # H0005: ended, not listed
        operations.end_household(gone, end_date=D(2023, 4, 1), end_reason="other")
        panel_case_about("H0001", "approval", meeting=panel_meeting_on(D(2023, 7, 11), "booked"))
        panel_case_about("H0002", "reg25_extension", meeting=panel_meeting_on(D(2023, 5, 16)))  # heard: not booked
        panel_case_about("H0002", "approval")  # awaiting a date
        panel_case_about("H0003", "first_review")  # not what a temporary approval waits for


def test_the_temporary_approvals_list(client_request, login_as, temporary):
    login_as("panel_admin")
    page = client_request.get("/panels/temporary-approvals")
    rows = page.table("#temporary-approvals")
    assert [r[:5] for r in rows] == [
        ["H0003", "1 Mar 2023", "No", "21 Jun 2023 Overdue", "Nothing booked"],
        ["H0002", "1 Feb 2023", "20 May 2023", "19 Jul 2023 Upcoming", "Approval (PC00003): awaiting a date"],
        ["H0001 Grandparents", "1 Apr 2023", "No", "22 Jul 2023 Upcoming", "Approval (PC00001): 11 Jul 2023"],
    ]
    assert [tuple(a.get("href") for a in row.select("td:last-child a")) for row in page.select("#temporary-approvals tbody tr")] == [
        ("/panels/households/H0003/full-approval",),  # ran out: too late to extend
        ("/panels/households/H0002/full-approval",),  # extended already
        ("/panels/households/H0001/extend", "/panels/households/H0001/full-approval"),
    ]  # fmt: skip


def test_the_manager_reads_the_list_without_its_actions(client_request, login_as, temporary):
    login_as("manager")
    page = client_request.get("/panels/temporary-approvals")
    assert len(page.table("#temporary-approvals")[0]) == 5


@pytest.mark.parametrize(
    "household,extended_date,message",
    [
        ("H0004", D(2023, 6, 1), "Only a temporary approval (regulation 24) can be extended"),
        ("H0002", D(2023, 6, 1), "This temporary approval was already extended on 20 May 2023: it can be extended only once"),
        ("H0003", D(2023, 6, 22), "The temporary approval ran out on 21 June 2023: an extension must be agreed before it runs out"),
        ("H0001", D(2023, 7, 1), "The date the extension was agreed must be today or in the past"),
        ("H0001", D(2023, 3, 31), "The extension must be agreed on or after the placement started (1 April 2023)"),
        ("H0001", None, "Enter the date the extension was agreed"),
        ("H0005", D(2023, 3, 20), "This household ended on 1 April 2023: it cannot be extended"),
    ],
)  # fmt: skip
def test_an_extension_is_refused_with_a_clear_message(app, temporary, household, extended_date, message):
    from tracker.core.errors import DomainError
    from tracker.extensions import db
    from tracker.panels import operations
    from tracker.panels.models import FosterHousehold

    with app.app_context():
        record = db.session.get(FosterHousehold, household)
        before = record.temporary_extended_date
        with pytest.raises(DomainError, match="^" + message.replace("(", "\\(").replace(")", "\\)") + "$"):
            operations.extend_temporary_approval(record, extended_date=extended_date)
        assert record.temporary_extended_date == before


def test_an_extension_on_the_last_day_is_in_time(app, ctx):
    from tracker.panels import operations

    household = factories.household(D(2023, 3, 10), carer_type="temporary")
    assert operations.temporary_approval_end(household) == D(2023, 6, 30)  # 16 weeks
    operations.extend_temporary_approval(household, extended_date=D(2023, 6, 30))
    assert operations.temporary_approval_end(household) == D(2023, 8, 25)  # and 8 more
    assert audit_actions(app, "foster_household")[-1][0] == "foster_household.extend_temporary_approval"


def test_the_adviser_extends_then_records_the_full_approval(app, client_request, login_as, temporary):
    login_as("panel_admin")
    form = client_request.get("/panels/households/H0001/extend")
    assert "runs out on 22 July 2023" in form.text
    page = client_request.post(
        "/panels/households/H0001/extend",
        {"version": version(form), "extended_date": boxes(D(2023, 6, 29))},
        follow=True,
        status=200,
    )
    assert page.banner == "Success Temporary approval extended."
    assert page.summary()["Runs out"] == "16 September 2023"
    again = client_request.get("/panels/households/H0001/extend")
    assert again.text_of("#refused") == "This temporary approval was already extended on 29 June 2023."
    page = client_request.post(
        "/panels/households/H0001/full-approval",
        {"carer_type": "connected", "approval_date": boxes(D(2023, 6, 30))},
        follow=True,
        status=200,
    )
    assert page.banner == "Success Full approval recorded."
    assert page.summary()["Type of carer"] == "Connected person"
    assert page.deadlines() == {("carer_review", "H0001", "2024-06-30", "upcoming")}  # a year after the full approval
    assert "Temporary approval (regulation 24)" not in page.text
    assert client_request.get("/panels/households/H0001/full-approval").text_of("#refused") == (
        "This household is already fully approved."
    )
    assert [r[0] for r in client_request.get("/panels/temporary-approvals").table("#temporary-approvals")] == [
        "H0003",
        "H0002",
    ]


@pytest.mark.parametrize(
    "carer_type,approval_date,message",
    [
        ("foster_to_adopt", D(2023, 6, 1), "Select a connected person or a mainstream approval"),
        ("", D(2023, 6, 1), "Select the type of approval"),
        ("connected", D(2023, 3, 31), "The full approval must be on or after the placement started (1 April 2023)"),
        ("connected", D(2023, 7, 1), "The date of the full approval must be today or in the past"),
    ],
)
def test_a_full_approval_is_refused_with_a_clear_message(
    client_request, login_as, temporary, carer_type, approval_date, message
):
    login_as("panel_admin")
    page = client_request.post(
        "/panels/households/H0001/full-approval",
        {"carer_type": carer_type, "approval_date": boxes(approval_date)},
        status=200,
    )
    assert page.errors == [message]


def test_a_mainstream_household_cannot_be_extended_from_its_page(client_request, login_as, temporary):
    login_as("panel_admin")
    assert client_request.get("/panels/households/H0004/extend").text_of("#refused") == (
        "This household is not a temporary approval."
    )
    page = client_request.post("/panels/households/H0004/extend", {"extended_date": boxes(D(2023, 6, 1))}, status=200)
    assert page.errors == ["Only a temporary approval (regulation 24) can be extended"]
