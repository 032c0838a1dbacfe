"""Panel cases: added for a panel (its own case types only) on a booked meeting's agenda or
awaiting a date; corrected, moved to another booked meeting of the same panel or back to
awaiting a date (a case with a recommendation stays where it was heard); the case's page.
Every change is audited, saved from an up-to-date page only, and posted with the CSRF token."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.panels import _meetings_fixtures as fixtures
from tests.panels import factories

app_config, as_role, audit_rows, fingerprint, seed = (
    fixtures.app_config, fixtures.as_role, fixtures.audit_rows, fixtures.fingerprint, fixtures.seed,
)  # fmt: skip
date_boxes = fixtures.date_boxes
D = dt.date


def _case(app, case_id):
    from tracker.extensions import db
    from tracker.panels.models import PanelCase

    with app.app_context():
        found = db.session.get(PanelCase, case_id)
        facts = (
            None
            if found is None
            else {
                k: getattr(found, k)
                for k in ("panel", "meeting_id", "case_type", "subject_ref", "carer_type", "papers_sent_date")
            }
        )
        db.session.remove()
        return facts


@pytest.fixture
def meetings(seed):
    """Booked: fostering on 24 January and 7 February 2023, adoption on 24 January; held: fostering on 10 January."""
    with seed():
        held = factories.meeting("fostering", D(2023, 1, 10))
        factories.case(held, subject_ref="H9", recommendation="positive")
        return {
            "held": held.meeting_id,
            "next": factories.meeting("fostering", D(2023, 1, 24)).meeting_id,
            "later": factories.meeting("fostering", D(2023, 2, 7)).meeting_id,
            "adoption": factories.meeting("adoption", D(2023, 1, 24)).meeting_id,
        }


def test_adding_a_case_asks_the_panel_first_then_offers_its_types_and_meetings(client_request, as_role, meetings):
    as_role("panel_admin")
    page = client_request.get("/panels/cases/new")
    assert page.one("main form")["method"] == "get"
    assert [i["value"] for i in page.select("input[name=panel]")] == ["fostering", "adoption"]
    page = client_request.get("/panels/cases/new?panel=adoption")
    assert page.h1 == "Panels Add a case for the adoption panel"
    assert [o["value"] for o in page.select("#case_type option")] == [
        "",
        "adopter_approval",
        "match",
        "adopter_deregistration",
        "relinquished_child",
        "other",
    ]
    assert [o.get_text(strip=True) for o in page.select("#meeting_id option")] == [
        "Awaiting a date",
        f"Tuesday 24 January 2023 – {meetings['adoption']}",
    ]
    page = client_request.get(f"/panels/cases/new?meeting={meetings['next']}")
    assert page.h1 == "Panels Add a case for the fostering panel"
    assert page.one("#meeting_id option[selected]")["value"] == meetings["next"]
    page = client_request.get("/panels/cases/new?panel=council")
    assert page.errors == ["Not a valid choice."]


def test_adding_a_case_to_a_meeting(app, client_request, as_role, meetings, audit_rows):
    as_role("panel_admin")
    posted = {"case_type": "first_review", "subject_ref": " H024 ", "carer_type": "connected", "meeting_id": meetings["next"],
              "papers_sent_date": date_boxes(D(2023, 1, 16))}  # fmt: skip
    page = client_request.post(f"/panels/cases/new?meeting={meetings['next']}", posted, follow=True, status=200)
    assert page.banner == f"Success Case PC00002 added to meeting {meetings['next']}."
    assert page.h1 == "PC00002 On the agenda"
    assert _case(app, "PC00002") == {"panel": "fostering", "meeting_id": meetings["next"], "case_type": "first_review",
                                     "subject_ref": "H024", "carer_type": "connected", "papers_sent_date": D(2023, 1, 16)}  # fmt: skip
    agenda = client_request.get(f"/panels/meetings/{meetings['next']}").table("#agenda-table")
    assert agenda[0][:3] == ["PC00002", "First review Connected person", "H024"]
    assert [(a, ref) for a, ref, *_ in audit_rows(object_type="panel_case")][-1] == ("panel_case.create", "PC00002")


def test_a_case_awaiting_a_date(app, client_request, as_role, meetings):
    as_role("panel_admin")
    posted = {"case_type": "match", "subject_ref": "A7", "meeting_id": ""}
    page = client_request.post("/panels/cases/new?panel=adoption", posted, follow=True, status=200)
    assert page.banner == "Success Case PC00002 added: awaiting a date."
    assert page.h1 == "PC00002 Awaiting a date"
    assert page.summary()["Meeting"] == "Awaiting a date"
    assert client_request.get("/panels/awaiting").table("#awaiting-table") == [
        ["PC00002", "Adoption panel", "Match", "A7", "Not sent"]
    ]
    assert (
        client_request.get("/panels/awaiting?panel=fostering").text_of("#awaiting-table-empty")
        == "No cases are awaiting a date."
    )


@pytest.mark.parametrize(
    "url, change, field, message",
    [
        ("?panel=fostering", {"case_type": "match"}, "case_type", "Match is not a type of case the fostering panel hears"),
        ("?panel=fostering", {"case_type": ""}, "case_type", "Select the type of case"),
        ("?panel=fostering", {"subject_ref": ""}, "subject_ref", "Enter the reference of the household, adopter or child"),
        ("?panel=fostering", {"subject_ref": "H 1/2"}, "subject_ref", "The subject's reference can only contain letters, numbers, full stops, hyphens and underscores (up to 40, starting with a letter or number)"),
        ("?panel=fostering", {"meeting_id": "adoption"}, "meeting_id", "Meeting {adoption} is a meeting of the adoption panel"),
        ("?panel=fostering", {"meeting_id": "PM9999"}, "meeting_id", "There is no such meeting: choose a booked meeting or awaiting a date"),
        ("?panel=fostering", {"papers_sent_date": date_boxes(D(2023, 1, 17))}, "papers_sent_date", "The date the papers were sent must be today or in the past"),
        ("?panel=fostering", {"carer_type": "grandparent"}, "carer_type", "Not a valid choice."),
        ("?panel=adoption", {"case_type": "approval"}, "case_type", "Approval is not a type of case the adoption panel hears"),
    ],
)  # fmt: skip
def test_a_case_refused_says_why_and_saves_nothing(
    client_request, as_role, meetings, fingerprint, url, change, field, message
):
    as_role("panel_admin")
    posted = {"case_type": "approval", "subject_ref": "H1", "meeting_id": meetings["next"]}
    posted.update({k: meetings.get(v, v) if isinstance(v, str) else v for k, v in change.items()})
    before = fingerprint()
    page = client_request.post(f"/panels/cases/new{url}", posted, status=200)
    assert page.errors == [message.format(**meetings)]
    assert page.field_error(field) == message.format(**meetings)
    assert fingerprint() == before


def test_papers_sent_after_the_meeting_are_refused(client_request, as_role, meetings, fingerprint):
    as_role("panel_admin")
    before = fingerprint()
    posted = {
        "case_type": "approval",
        "subject_ref": "H1",
        "meeting_id": meetings["held"],
        "papers_sent_date": date_boxes(D(2023, 1, 11)),
    }
    page = client_request.post("/panels/cases/new?panel=fostering", posted, status=200)
    assert page.errors == ["The papers must be sent on or before the day of the meeting (10 January 2023)"]
    assert fingerprint() == before


def test_moving_a_case_to_another_meeting_and_back_to_awaiting_a_date(
    app, client_request, as_role, meetings, audit_rows
):
    with fixtures_seed(app):
        case_id = factories.case(None, "approval", "H1").case_id
    as_role("panel_admin")
    page = client_request.get(f"/panels/cases/{case_id}/edit")
    options = [o["value"] for o in page.select("#meeting_id option")]
    assert options == ["", meetings["next"], meetings["later"]]  # booked meetings of the panel only
    posted = {
        "case_type": "approval",
        "subject_ref": "H1",
        "carer_type": "mainstream",
        "meeting_id": meetings["later"],
        "version": "1",
    }
    page = client_request.post(f"/panels/cases/{case_id}/edit", posted, follow=True, status=200)
    assert page.banner == f"Success Case {case_id} saved."
    assert _case(app, case_id)["meeting_id"] == meetings["later"]
    client_request.post(f"/panels/cases/{case_id}/edit", {**posted, "meeting_id": "", "version": "2"})
    assert _case(app, case_id)["meeting_id"] is None
    summaries = [(b, a) for action, _, b, a in audit_rows("panel_case.update")]
    assert summaries == [
        ({"meeting_id": None}, {"meeting_id": meetings["later"]}),
        ({"meeting_id": meetings["later"]}, {"meeting_id": None}),
    ]


def fixtures_seed(app):
    """``seed`` without the fixture (a test that needs two seeded blocks)."""
    from contextlib import contextmanager

    from tracker.extensions import db

    @contextmanager
    def block():
        with app.app_context():
            yield
            db.session.commit()

    return block()


def test_a_case_with_a_recommendation_stays_at_its_meeting(app, client_request, as_role, meetings, fingerprint):
    as_role("panel_admin")
    page = client_request.get("/panels/cases/PC00001")
    assert "Move" not in page.links(".govuk-summary-list")
    assert [o["value"] for o in client_request.get("/panels/cases/PC00001/edit").select("#meeting_id option")] == [
        "",
        meetings["held"],
        meetings["next"],
        meetings["later"],
    ]
    before = fingerprint()
    posted = {"case_type": "approval", "subject_ref": "H9", "meeting_id": meetings["next"]}
    page = client_request.post("/panels/cases/PC00001/edit", posted, status=200)
    assert page.errors == [
        "This case was heard at the fostering panel on 10 January 2023: it cannot move to another meeting"
    ]
    assert fingerprint() == before
    # its details are corrected where it was heard
    client_request.post("/panels/cases/PC00001/edit", {**posted, "meeting_id": meetings["held"], "subject_ref": "H10"})
    assert _case(app, "PC00001")["subject_ref"] == "H10"


def test_a_stale_correction_shows_the_conflict_and_saves_nothing(app, client_request, as_role, meetings, fingerprint):
    as_role("panel_admin")
    posted = {"case_type": "approval", "subject_ref": "H1", "meeting_id": meetings["held"], "version": "1"}
    before = fingerprint()
    page = client_request.post("/panels/cases/PC00001/edit", posted, status=200)  # the outcome moved it to version 2
    assert page.errors == ["Someone else changed this record since you opened it"]
    assert page.select("[data-conflict] tbody tr") and fingerprint() == before


def test_the_case_page(client_request, as_role, seed):
    with seed():
        meeting = factories.meeting("fostering", D(2023, 1, 10))
        first = factories.case(
            meeting, "approval", "H5", papers_sent=D(2023, 1, 4), recommendation="deferred", minutes=D(2023, 1, 12)
        ).case_id
        later = factories.meeting("fostering", D(2023, 2, 7))
        again = factories.case(later, "approval", "H5").case_id
    as_role("manager")
    page = client_request.get(f"/panels/cases/{first}")
    assert page.h1 == f"{first} Awaiting the ADM's decision"
    summary = page.summary()
    assert summary["Meeting"] == "10 January 2023 (PM0001) Held"
    assert summary["Papers to members"] == "Sent 4 January 2023 (due 3 January 2023) Late"
    assert summary["Recommendation"] == "Deferred"
    assert summary["ADM decision due"] == "23 January 2023 Due soon"
    assert page.deadlines() == {("adm_decision", first, "2023-01-23", "due_soon")}
    assert page.table("#history-table") == [[again, "Approval", "7 Feb 2023 (PM0002)", ""]]
    assert list(page.links(".govuk-summary-list").values()) == ["/panels/meetings/PM0001"]  # the manager reads


def test_a_post_without_the_csrf_token_is_refused(client_request, as_role, meetings, fingerprint):
    as_role("panel_admin")
    before = fingerprint()
    client_request.post(
        "/panels/cases/new?panel=fostering", {"case_type": "approval", "subject_ref": "H1"}, csrf=False, status=400
    )
    assert fingerprint() == before
