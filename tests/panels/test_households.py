"""Foster households (domain.md §7): added, corrected, put on hold, ended — each refused change says
why and saves nothing — and the households list and a household's page as the fostering team reads
them: the next review as the worklist computes it, whether it goes to panel, the panel history."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.panels import factories
from tests.panels._household_fixtures import TODAY, audit_actions, count, panel_case_about, panel_meeting_on, seed
from tests.panels._household_fixtures import version as form_version

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


# --- the operations ----------------------------------------------------------------------------------


def test_a_new_household_gets_the_next_reference_and_an_audit_row(app, ctx):
    from tracker.extensions import db

    factories.reviewing_officer("F1")
    first = factories.household(name="Smith household", reviewing_officer_id="F1")
    second = factories.household(D(2023, 2, 1), carer_type="temporary")
    given = factories.household(household_id="H900")
    db.session.commit()
    assert (first.household_id, second.household_id, given.household_id) == ("H0001", "H0002", "H900")
    assert first.status == "approved" and first.reviewing_officer_id == "F1"
    rows = audit_actions(app, "foster_household")
    assert [(a, ref) for a, ref, *_ in rows] == [
        ("foster_household.create", "H0001"),
        ("foster_household.create", "H0002"),
        ("foster_household.create", "H900"),
    ]
    assert rows[0][3]["approval_date"] == "2022-01-10" and "Smith" not in rows[0][4]  # ids only in the summary


@pytest.mark.parametrize(
    "fields,field,message",
    [
        ({"approval_date": None}, "approval_date", "Enter the date of approval"),
        ({"approval_date": D(2023, 7, 1)}, "approval_date", "The date of approval must be today or in the past"),
        ({"carer_type": ""}, "carer_type", "Select the type of carer"),
        ({"carer_type": "kinship"}, "carer_type", "'kinship' is not a known code"),
        ({"reviewing_officer_id": "NOBODY"}, "reviewing_officer_id", "There is no officer with the id NOBODY"),
        ({"household_id": "H 1"}, "household_id", "The household reference can only contain"),
        ({"household_id": "H0001"}, "household_id", "There is already a household with the reference H0001"),
    ],
)
def test_a_household_is_refused_with_a_clear_message(app, ctx, fields, field, message):
    from tracker.core.errors import DomainError
    from tracker.panels import operations
    from tracker.panels.models import FosterHousehold

    factories.household()
    values = {"carer_type": "mainstream", "approval_date": D(2023, 1, 1)} | fields
    with pytest.raises(DomainError) as refused:
        operations.create_household(**values)
    assert refused.value.field == field and refused.value.message.startswith(message)
    assert count(app, FosterHousehold) == 1


def test_a_correction_keeps_the_approval_before_the_first_review(app, ctx):
    from tracker.core.errors import DomainError
    from tracker.panels import operations

    household = factories.reviewed(factories.household(D(2021, 3, 1)), D(2022, 2, 1))
    with pytest.raises(DomainError, match="on or before the household's first review \\(1 February 2022\\)"):
        operations.update_household(household, carer_type="mainstream", approval_date=D(2022, 3, 1))
    operations.update_household(household, carer_type="connected", approval_date=D(2021, 4, 1), name=" Lee household ")
    assert (household.carer_type, household.approval_date, household.name) == (
        "connected",
        D(2021, 4, 1),
        "Lee household",
    )
    action, _ref, before, after, _summary = audit_actions(app, "foster_household")[-1]
    assert action == "foster_household.update"
    assert before == {"name": None, "carer_type": "mainstream", "approval_date": "2021-03-01"}
    assert after == {"name": "Lee household", "carer_type": "connected", "approval_date": "2021-04-01"}


@pytest.mark.parametrize(
    "status,change,result,message",
    [
        ("approved", "put_on_hold", "on_hold", None),
        ("on_hold", "return_to_approved", "approved", None),
        ("on_hold", "put_on_hold", None, "This household is already on hold"),
        ("approved", "return_to_approved", None, "This household is not on hold"),
        ("ended", "put_on_hold", None, "This household ended on 1 June 2023: it cannot be put on hold"),
        ("ended", "return_to_approved", None, "This household ended on 1 June 2023: it cannot be returned to approved"),
    ],
)
def test_status_changes(app, ctx, status, change, result, message):
    from tracker.core.errors import DomainError
    from tracker.panels import operations

    household = factories.household()
    if status == "on_hold":
        operations.put_on_hold(household)
    elif status == "ended":
        operations.end_household(household, end_date=D(2023, 6, 1), end_reason="resigned")
    if message is None:
        getattr(operations, change)(household)
        assert household.status == result
        assert audit_actions(app, "foster_household")[-1][0] == f"foster_household.{change}"
    else:
        with pytest.raises(DomainError, match=message):
            getattr(operations, change)(household)


@pytest.mark.parametrize(
    "end_date,reason,field,message",
    [
        (None, "resigned", "end_date", "Enter the date the household stopped fostering"),
        (D(2023, 7, 1), "resigned", "end_date", "The end date must be today or in the past"),
        (D(2021, 12, 31), "resigned", "end_date", "The end date must be on or after the date of approval (10 January 2022)"),
        (D(2022, 12, 31), "resigned", "end_date", "The end date must be on or after the household's last review (1 January 2023)"),
        (D(2023, 6, 1), None, "end_reason", "Select why the household stopped fostering"),
        (D(2023, 6, 1), "moved", "end_reason", "'moved' is not a known code"),
    ],
)  # fmt: skip
def test_ending_a_household_needs_a_date_in_range_and_a_reason(app, ctx, end_date, reason, field, message):
    from tracker.core.errors import DomainError
    from tracker.panels import operations

    household = factories.reviewed(factories.household(), D(2023, 1, 1))
    with pytest.raises(DomainError) as refused:
        operations.end_household(household, end_date=end_date, end_reason=reason)
    assert (refused.value.field, refused.value.message[: len(message)]) == (field, message)
    assert household.status == "approved" and household.end_date is None


# --- the pages --------------------------------------------------------------------------------------


def test_the_panel_adviser_adds_a_household_and_sees_its_page(app, client_request, login_as):
    with seed(app):
        factories.reviewing_officer("F1")
    login_as("panel_admin")
    form = client_request.get("/panels/households/new")
    assert form.h1 == "Foster carers Add a foster household"
    assert form.value("approval_date-day") == "30"  # today, in the day box
    page = client_request.post(
        "/panels/households/new",
        {"name": "Ahmed household", "carer_type": "mainstream", "approval_date": boxes(D(2022, 7, 1)), "reviewing_officer_id": "F1"},
        follow=True,
        status=200,
    )  # fmt: skip
    assert page.banner == "Success Foster household H0001 added."
    assert page.h1 == "H0001 – Ahmed household Approved"
    summary = page.summary()
    assert summary["Type of carer"] == "Mainstream"
    assert summary["Fostering reviewing officer"].startswith("Reviewing officer F1 (F1)")
    assert summary["Next review due"] == "1 July 2023 Due soon"  # approval + 12 months: the worklist's deadline
    assert summary["Next review goes to panel"].startswith("Yes: First review after approval")
    assert page.deadlines() == {("carer_review", "H0001", "2023-07-01", "due_soon")}


def test_a_refused_household_shows_the_error_and_keeps_the_typing(app, client_request, login_as):
    from tracker.panels.models import FosterHousehold

    login_as("panel_admin")
    page = client_request.post(
        "/panels/households/new",
        {"name": "Ahmed household", "carer_type": "mainstream", "approval_date": boxes(D(2023, 7, 1))},
        status=200,
    )
    assert page.errors == ["The date of approval must be today or in the past"]
    assert page.value("name") == "Ahmed household"
    assert count(app, FosterHousehold) == 0


def test_the_household_is_corrected_ended_and_put_on_hold_from_its_pages(app, client_request, login_as):
    with seed(app):
        factories.household(name="Smith household")
    login_as("panel_admin")
    page = client_request.post(
        "/panels/households/H0001/edit",
        {"name": "Smith family", "carer_type": "connected", "approval_date": boxes(D(2022, 1, 11))},
        follow=True,
        status=200,
    )
    assert page.banner == "Success Household details saved."
    assert page.summary()["Type of carer"] == "Connected person"
    assert client_request.get("/panels/households/H0001/status").text.count("Put on hold") >= 1
    page = client_request.post("/panels/households/H0001/status", follow=True, status=200)
    assert page.banner == "Success The household is on hold." and "On hold" in page.tags
    page = client_request.post(
        "/panels/households/H0001/end",
        {"end_date": boxes(D(2023, 6, 1)), "end_reason": "transferred"},
        follow=True,
        status=200,
    )
    assert page.banner == "Success The household's approval has ended."
    assert page.summary()["Ended"] == "1 June 2023: Moved to another fostering service"
    assert "Next review due" not in page.summary()  # an ended household has no review due
    again = client_request.get("/panels/households/H0001/end")
    assert again.text_of("#refused").startswith("This household has ended")
    assert [a for a, *_ in audit_actions(app, "foster_household")] == [
        "foster_household.create",
        "foster_household.update",
        "foster_household.put_on_hold",
        "foster_household.end",
    ]


def test_a_stale_correction_is_refused(app, client_request, login_as):
    from tracker.extensions import db
    from tracker.panels import operations
    from tracker.panels.models import FosterHousehold

    with seed(app):
        factories.household()
    login_as("panel_admin")
    form = client_request.get("/panels/households/H0001/edit")
    version = form_version(form)
    with seed(app):
        operations.put_on_hold(db.session.get(FosterHousehold, "H0001"))
    page = client_request.post(
        "/panels/households/H0001/edit",
        {"version": version, "carer_type": "connected", "approval_date": boxes(D(2022, 1, 10))},
        status=200,
    )
    assert "Someone else changed this record since you opened it" in page.errors
    with app.app_context():
        assert db.session.get(FosterHousehold, "H0001").carer_type == "mainstream"


@pytest.fixture
def listed(app):
    """Five households: H0001 overdue (F1), H0002 due soon, H0003 upcoming (F2), H0004 ended,
    H0005 temporary; a panel history for H0003."""
    with seed(app):
        factories.reviewing_officer("F1")
        factories.reviewing_officer("F2")
        factories.household(D(2022, 5, 1), name="Smith household", reviewing_officer_id="F1")  # due 1 May 2023
        factories.reviewed(factories.household(D(2021, 7, 5)), D(2022, 7, 4))  # due 4 Jul 2023: due soon
        factories.reviewed(
            factories.household(D(2020, 1, 6), name="Jones household", reviewing_officer_id="F2"),
            D(2021, 1, 4),
            D(2023, 1, 5),
        )  # due 5 Jan 2024: third-year review
        ended = factories.household(D(2020, 1, 6))
        from tracker.panels import operations

        operations.end_household(ended, end_date=D(2022, 3, 1), end_reason="resigned")
        factories.household(D(2023, 5, 2), carer_type="temporary")
        held = panel_meeting_on(D(2021, 2, 9))
        panel_case_about("H0003", "first_review", meeting=held, recommendation="positive")


def test_the_households_list_shows_the_next_review_and_whether_it_goes_to_panel(app, client_request, login_as, listed):
    login_as("manager")
    page = client_request.get("/panels/households")
    rows = page.table("#households")
    assert [r[0] for r in rows] == [
        "H0001 Smith household",
        "H0002",
        "H0003 Jones household",
        "H0005",
    ]  # the next review due first; the ended household is not current
    assert rows[0][4:] == ["Reviewing officer F1", "None yet", "1 May 2023 Overdue", "Yes: First review after approval"]
    assert rows[1][6:] == ["4 Jul 2023 Due soon", "No To the Agency Decision Maker"]
    assert rows[2][7] == "Yes: Third-year review"
    assert page.deadlines() == {
        ("carer_review", "H0001", "2023-05-01", "overdue"),
        ("carer_review", "H0002", "2023-07-04", "due_soon"),
        ("carer_review", "H0003", "2024-01-05", "upcoming"),
        ("carer_review", "H0005", "2024-05-02", "upcoming"),
    }


@pytest.mark.parametrize(
    "query,households",
    [
        ("", ["H0001", "H0002", "H0003", "H0005"]),
        ("?status=ended", ["H0004"]),
        ("?status=all", ["H0001", "H0002", "H0003", "H0005", "H0004"]),
        ("?carer_type=temporary", ["H0005"]),
        ("?state=overdue", ["H0001"]),
        ("?state=upcoming", ["H0003", "H0005"]),
        ("?officer=F2", ["H0003"]),
        ("?officer=none", ["H0002", "H0005"]),
        ("?state=nonsense", ["H0001", "H0002", "H0003", "H0005"]),  # an unknown choice: its error, the default list
    ],
)
def test_the_households_list_filters(client_request, login_as, listed, query, households):
    login_as("panel_admin")
    page = client_request.get(f"/panels/households{query}")
    assert [r[0].split()[0] for r in page.table("#households")] == households


def test_the_search_by_name_is_posted_and_never_in_a_url(app, client_request, login_as, listed):
    login_as("panel_admin")
    answer = client_request.post("/panels/households?status=all", {"search": "jones"})
    assert answer.response.location == "/panels/households?status=all"
    page = client_request.get("/panels/households?status=all")
    assert [r[0] for r in page.table("#households")] == ["H0003 Jones household"]
    assert page.value("search") == "jones"
    assert all("jones" not in (href or "").lower() for href in page.hrefs())
    download = client_request.client.get("/panels/households?status=all&format=csv")
    assert download.status_code == 200
    lines = download.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Household,Name,Type of carer,Status,Approved,Ended,Reviewing officer,Last review")
    assert lines[1].startswith(
        "H0003,Jones household,Mainstream,Approved,2020-01-06,,Reviewing officer F2,2023-01-05,2024-01-05,Upcoming,Yes,Third-year review"
    )
    export = [r for r in audit_actions(app, "export") if r[0] == "list.export"][-1]
    assert export[3]["filters"] == {"status": "all", "search": True} and "jones" not in str(export).lower()
    cleared = client_request.get("/panels/households?clear_search=1&status=all", follow=True)
    assert len(cleared.table("#households")) == 5
    search_by_reference = client_request.post("/panels/households", {"search": "h0002"}, follow=True, status=200)
    assert [r[0] for r in search_by_reference.table("#households")] == ["H0002"]


def test_the_list_has_pages(app, client_request, login_as):
    app.config["PAGE_SIZE"] = 2
    with seed(app):
        for _ in range(5):
            factories.household()
    login_as("adm")
    page = client_request.get("/panels/households?page=3")
    assert [r[0] for r in page.table("#households")] == ["H0005"]
    assert page.text_of("#households caption") == "Foster households 5 to 5 of 5"


def test_the_household_page_shows_its_panel_history_and_reviews(client_request, login_as, listed):
    login_as("adm")
    page = client_request.get("/panels/households/H0003")
    assert page.table("#panel-history") == [["PC00001", "First review", "9 Feb 2021 Held", "Positive", ""]]
    assert [r[:4] for r in page.table("#reviews")] == [
        ["CR00003", "5 Jan 2023", "Not recorded", "Agency Decision Maker"],
        ["CR00002", "4 Jan 2021", "Not recorded", "Panel"],
    ]
    assert "Record a review" not in page.links()  # the ADM reads; the panel adviser records
    client_request.get("/panels/households/H9999", status=404)


def test_a_search_too_long_is_refused_with_its_message(client_request, login_as, listed):
    login_as("panel_admin")
    page = client_request.post("/panels/households", {"search": "x" * 201}, status=200)
    assert page.errors == ["Enter 200 characters or fewer"]
    assert len(page.table("#households")) == 4  # the list as it was
