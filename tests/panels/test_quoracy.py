"""Quoracy is computed from the members present, never typed (domain.md §7, 000:L934): a fostering
panel is quorate with at least 5 members including the chair or a vice-chair and a social worker;
an adoption panel also needs an independent member. The panel adviser records who attends (or is
expected, before the meeting) on the attendance page and sees quoracy on the meeting page; an
inquorate panel cannot record recommendations."""

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

CHAIR, VICE, SW, IND, OTHER = "chair", "vice_chair", "social_worker", "independent", "other"
NAMES = ["Ann Ash", "Ben Birch", "Cat Cedar", "Dan Deal", "Eve Elm", "Fay Fir"]


def _posted(roles) -> dict:
    data = {}
    for i, role in enumerate(roles):
        data[f"members-{i}-name"] = NAMES[i]
        data[f"members-{i}-role"] = role
    return data


QUORACY = [
    # panel, roles of the members present, quorate, what is missing
    ("fostering", [CHAIR, SW, OTHER, OTHER, OTHER], True, []),
    ("fostering", [VICE, SW, OTHER, OTHER, OTHER], True, []),
    ("fostering", [CHAIR, VICE, SW, IND, OTHER, OTHER], True, []),
    ("fostering", [CHAIR, SW, OTHER, OTHER], False, ["4 members present: at least 5 are needed"]),
    ("fostering", [CHAIR, OTHER, OTHER, OTHER, IND], False, ["no social worker"]),
    ("fostering", [SW, OTHER, OTHER, OTHER, IND], False, ["no chair or vice-chair"]),
    ("adoption", [CHAIR, SW, IND, OTHER, OTHER], True, []),
    ("adoption", [VICE, SW, IND, OTHER, OTHER], True, []),
    ("adoption", [CHAIR, SW, OTHER, OTHER, OTHER], False, ["no independent member (an adoption panel needs one)"]),
    ("adoption", [CHAIR, SW, IND, OTHER], False, ["4 members present: at least 5 are needed"]),
    ("adoption", [CHAIR, IND, OTHER, OTHER, OTHER], False, ["no social worker"]),
    ("adoption", [OTHER, SW, IND, OTHER, OTHER], False, ["no chair or vice-chair"]),
]


@pytest.mark.parametrize("panel, roles, quorate, missing", QUORACY)
def test_quoracy_follows_from_the_members_recorded(app, client_request, as_role, seed, panel, roles, quorate, missing):
    with seed():
        meeting_id = factories.meeting(panel, D(2023, 1, 24), members=None).meeting_id  # before the meeting
    as_role("panel_admin")
    page = client_request.post(f"/panels/meetings/{meeting_id}/attendance", _posted(roles), follow=True, status=200)
    wording = "quorate." if quorate else f"not quorate ({'; '.join(missing)})."
    assert page.banner == f"Success Attendance saved: {len(roles)} members, {wording}"
    assert page.one("[data-quoracy]").get_text(strip=True) == ("Quorate" if quorate else "Not quorate")
    assert page.texts("#quoracy-gaps li") == missing
    assert page.table("#members-table") == [[NAMES[i], _label(role)] for i, role in enumerate(roles)]
    from tracker.extensions import db
    from tracker.panels.models import PanelMeeting

    with app.app_context():  # the counts and flags are derived from the members
        meeting = db.session.get(PanelMeeting, meeting_id)
        assert meeting.members_present == len(roles)
        assert meeting.chair_present == bool({CHAIR, VICE} & set(roles))
        assert meeting.social_worker_present == (SW in roles)
        assert meeting.independent_present == (IND in roles)
        assert meeting.quorate is quorate
    calendar = client_request.get("/panels/").table("#upcoming-meetings")
    assert calendar[0][-1] == ("Quorate" if quorate else "Not quorate") + f" {len(roles)} members"


def _label(role: str) -> str:
    from tracker.panels.models import MemberRole

    return MemberRole(role).label


def test_the_attendance_page_shows_the_members_recorded_and_blank_rows(client_request, as_role, seed):
    with seed():
        meeting_id = factories.meeting("fostering", D(2023, 1, 24), members=[("Ann Ash", CHAIR)]).meeting_id
    as_role("panel_admin")
    page = client_request.get(f"/panels/meetings/{meeting_id}/attendance")
    assert page.value("members-0-name") == "Ann Ash"
    assert page.one("#members-0-role option[selected]")["value"] == CHAIR
    assert len(page.select("[data-member-row]")) == 8
    assert page.value("members-7-name") == ""


def test_changing_the_attendance_replaces_the_members_and_is_audited(client_request, as_role, seed, audit_rows):
    with seed():
        meeting_id = factories.meeting("fostering", D(2023, 1, 24)).meeting_id
    as_role("panel_admin")
    client_request.post(f"/panels/meetings/{meeting_id}/attendance", _posted([VICE, SW, OTHER, OTHER]))
    page = client_request.get(f"/panels/meetings/{meeting_id}")
    assert page.summary()["Members present"] == "4"
    [*_, (action, object_id, before, after)] = audit_rows(object_type="panel_meeting")
    assert (action, object_id) == ("panel_meeting.attendance", meeting_id)
    assert before["members_present"] == 5 and after["members_present"] == 4
    assert after["members"][0] == {"name": "Ann Ash", "role": "vice_chair"}


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"members-0-name": "Ann Ash"}, "members-0-role", "Select the role Ann Ash sat in"),
        ({"members-0-name": "Ann Ash", "members-0-role": CHAIR, "members-1-role": SW}, "members-1-name", "Enter the name of member 2"),
        ({"members-0-name": "Ann Ash", "members-0-role": "president"}, "members-0-role", "Not a valid choice."),
    ],
)  # fmt: skip
def test_a_row_refused_is_shown_against_it_and_nothing_is_saved(
    client_request, as_role, seed, fingerprint, data, field, message
):
    with seed():
        meeting_id = factories.meeting("fostering", D(2023, 1, 24), members=None).meeting_id
    as_role("panel_admin")
    before = fingerprint()
    page = client_request.post(f"/panels/meetings/{meeting_id}/attendance", data, status=200)
    assert page.errors == [message]
    assert page.field_error(field) == message
    assert page.one(".govuk-error-summary a")["href"] == f"#{field}"
    assert fingerprint() == before


def test_a_cancelled_meetings_attendance_is_not_recorded(client_request, as_role, seed, fingerprint):
    with seed():
        meeting_id = factories.meeting("fostering", D(2023, 1, 24), status="cancelled").meeting_id
    as_role("panel_admin")
    assert client_request.get(f"/panels/meetings/{meeting_id}/attendance").text_of("#refusal") == (
        "This meeting was cancelled: its attendance cannot be recorded."
    )
    before = fingerprint()
    client_request.post(f"/panels/meetings/{meeting_id}/attendance", _posted([CHAIR] * 5), status=200)
    assert fingerprint() == before


def test_a_meeting_with_recommendations_must_stay_quorate(client_request, as_role, seed, fingerprint):
    with seed():
        meeting = factories.meeting("fostering", D(2023, 1, 10))
        case_id = factories.case(meeting, recommendation="positive").case_id
        meeting_id = meeting.meeting_id
    as_role("panel_admin")
    before = fingerprint()
    page = client_request.post(f"/panels/meetings/{meeting_id}/attendance", _posted([CHAIR, SW, OTHER]), status=200)
    assert page.errors == [
        f"Recommendations are recorded at this meeting (case {case_id}), so it must stay quorate: "
        "3 members present: at least 5 are needed"
    ]
    assert fingerprint() == before


# --- an inquorate panel cannot record recommendations -----------------------------------------------


@pytest.mark.parametrize("panel, roles", [(panel, roles) for panel, roles, quorate, _ in QUORACY if not quorate])
def test_an_inquorate_panel_cannot_record_recommendations(client_request, as_role, seed, fingerprint, panel, roles):
    with seed():
        meeting = factories.meeting(panel, D(2023, 1, 10), members=[(NAMES[i], r) for i, r in enumerate(roles)])
        case_type = "approval" if panel == "fostering" else "match"
        case_id = factories.case(meeting, case_type).case_id
    as_role("panel_admin")
    page = client_request.get(f"/panels/cases/{case_id}/outcome")
    refusal = page.text_of("#refusal")
    assert refusal.startswith(f"The {panel} panel on 10 January 2023 was not quorate (")
    assert refusal.endswith(
        "so it cannot make recommendations: record who attended, or move the case to another meeting."
    )
    assert not page.select("main form")
    before = fingerprint()
    posted = {"recommendation": "positive", "minutes_final_date": date_boxes(D(2023, 1, 12))}
    page = client_request.post(f"/panels/cases/{case_id}/outcome", posted, status=200)
    [message] = page.errors
    assert message == refusal.removesuffix(".")
    assert page.field_error("recommendation") == message
    assert fingerprint() == before
    assert client_request.get(f"/panels/cases/{case_id}").summary()["Recommendation"] == "Not recorded"


def test_an_imported_meeting_without_attendance_is_not_quorate_either(app, client_request, as_role, seed, fingerprint):
    with seed():
        case_id = factories.case(factories.meeting("fostering", D(2023, 1, 10), members=None)).case_id
    as_role("panel_admin")
    before = fingerprint()
    page = client_request.post(f"/panels/cases/{case_id}/outcome", {"recommendation": "positive"}, status=200)
    assert page.errors[0].startswith("The fostering panel on 10 January 2023 was not quorate (0 members present")
    assert fingerprint() == before


def test_a_quorate_panel_records_the_recommendation_and_the_meeting_is_held(
    app, client_request, as_role, seed, audit_rows
):
    with seed():
        meeting = factories.meeting("fostering", D(2023, 1, 10))
        case_id = factories.case(meeting).case_id
    as_role("panel_admin")
    posted = {"recommendation": "deferred", "minutes_final_date": date_boxes(D(2023, 1, 13))}
    page = client_request.post(f"/panels/cases/{case_id}/outcome", posted, follow=True, status=200)
    assert page.banner == f"Success Recommendation for case {case_id} saved."
    assert page.h1 == "Tuesday 10 January 2023 Held"
    assert page.table("#agenda-table")[0][4] == "Deferred Minutes final 13 Jan 2023"
    [(action, object_id, before, after)] = audit_rows("panel_case.outcome")
    assert (object_id, before) == (case_id, {"recommendation": None, "minutes_final_date": None})
    assert after == {"recommendation": "deferred", "minutes_final_date": "2023-01-13", "meeting_status": "held"}


@pytest.mark.parametrize(
    "where, message",
    [
        ("future", "The fostering panel on 24 January 2023 has not happened yet: record the recommendation after it"),
        ("awaiting", "This case is awaiting a date: add it to a meeting before recording a recommendation"),
    ],
)
def test_no_recommendation_before_the_meeting_or_without_one(
    client_request, as_role, seed, fingerprint, where, message
):
    with seed():
        meeting = factories.meeting("fostering", D(2023, 1, 24)) if where == "future" else None
        case_id = factories.case(meeting).case_id
    as_role("panel_admin")
    before = fingerprint()
    page = client_request.post(f"/panels/cases/{case_id}/outcome", {"recommendation": "positive"}, status=200)
    assert page.errors == [message]
    assert fingerprint() == before


@pytest.mark.parametrize(
    "minutes, message",
    [
        (D(2023, 1, 9), "The minutes must be finalised on or after the day of the meeting (10 January 2023)"),
        (D(2023, 1, 17), "The date the minutes were finalised must be today or in the past"),
    ],
)
def test_the_minutes_date_is_checked(client_request, as_role, seed, fingerprint, minutes, message):
    with seed():
        case_id = factories.case(factories.meeting("fostering", D(2023, 1, 10))).case_id
    as_role("panel_admin")
    before = fingerprint()
    posted = {"recommendation": "positive", "minutes_final_date": date_boxes(minutes)}
    page = client_request.post(f"/panels/cases/{case_id}/outcome", posted, status=200)
    assert page.errors == [message]
    assert fingerprint() == before
