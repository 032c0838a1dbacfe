"""Panel meetings (domain.md §7): booking one, booking a year's calendar at once (the dates the
pattern gives, less those already booked and the non-working days, each said), moving a booked
meeting, cancelling one (its cases go back to awaiting a date), the calendar and the meeting
page (the papers deadline of each case, meeting − 5 working days, and a Late tag)."""

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


def _meeting(app, meeting_id):
    from tracker.extensions import db
    from tracker.panels.models import PanelMeeting

    with app.app_context():
        found = db.session.get(PanelMeeting, meeting_id)
        facts = None if found is None else (found.panel, found.meeting_date, found.status, found.cancelled_reason)
        db.session.remove()
        return facts


# --- one meeting ----------------------------------------------------------------------------------


def test_booking_a_meeting(app, client_request, as_role, audit_rows):
    as_role("panel_admin")
    page = client_request.post(
        "/panels/meetings/new",
        {"panel": "adoption", "meeting_date": date_boxes(D(2023, 2, 7))},
        follow=True,
        status=200,
    )
    assert page.banner == "Success Meeting PM0001 booked."
    assert page.h1 == "Tuesday 7 February 2023 Booked"
    assert _meeting(app, "PM0001") == ("adoption", D(2023, 2, 7), "booked", None)
    assert [(a, ref) for a, ref, *_ in audit_rows(object_type="panel_meeting")] == [("panel_meeting.create", "PM0001")]


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"meeting_date": ["7", "2", "2023"]}, "panel", "Select the panel"),
        ({"panel": "fostering"}, "meeting_date", "Enter the date of the meeting"),
        ({"panel": "fostering", "meeting_date": ["30", "2", "2023"]}, "meeting_date", "Date of the meeting must be a real date, for example 27 3 2023"),
        ({"panel": "fostering", "meeting_date": ["10", "1", "2023"]}, "meeting_date", "The fostering panel already has a meeting on 10 January 2023: choose another date"),
        ({"panel": "fostering", "meeting_date": ["10", "1", "2026"]}, "meeting_date", "Date of the meeting must be between 1 January 1900 and 16 January 2025"),
    ],
)  # fmt: skip
def test_a_meeting_refused_says_why_and_saves_nothing(client_request, as_role, seed, fingerprint, data, field, message):
    with seed():
        factories.meeting("fostering", D(2023, 1, 10))
    as_role("panel_admin")
    before = fingerprint()
    page = client_request.post("/panels/meetings/new", data, status=200)
    assert page.errors == [message]
    assert fingerprint() == before


def test_another_panel_may_meet_the_same_day_and_a_cancelled_meeting_frees_its_date(client_request, as_role, seed):
    with seed():
        factories.meeting("fostering", D(2023, 2, 7), status="cancelled")
    as_role("panel_admin")
    for panel in ("adoption", "fostering"):
        client_request.post("/panels/meetings/new", {"panel": panel, "meeting_date": date_boxes(D(2023, 2, 7))})


def test_moving_a_booked_meeting(app, client_request, as_role, seed, audit_rows):
    with seed():
        meeting_id = factories.meeting("fostering", D(2023, 2, 7)).meeting_id
    as_role("panel_admin")
    page = client_request.post(
        f"/panels/meetings/{meeting_id}/edit", {"meeting_date": date_boxes(D(2023, 2, 14))}, follow=True, status=200
    )
    assert page.banner == f"Success Meeting {meeting_id} moved to 14 February 2023."
    assert _meeting(app, meeting_id)[1] == D(2023, 2, 14)
    assert audit_rows("panel_meeting.update")[0][2:] == ({"meeting_date": "2023-02-07"}, {"meeting_date": "2023-02-14"})


def test_a_held_meeting_is_not_moved(client_request, as_role, seed, fingerprint):
    with seed():
        meeting = factories.meeting("fostering", D(2023, 1, 10))
        factories.case(meeting, recommendation="positive")
        meeting_id = meeting.meeting_id
    as_role("panel_admin")
    assert client_request.get(f"/panels/meetings/{meeting_id}/edit").text_of("#refusal") == (
        "This meeting is held: only a booked meeting can be moved."
    )
    before = fingerprint()
    client_request.post(f"/panels/meetings/{meeting_id}/edit", {"meeting_date": date_boxes(D(2023, 1, 12))}, status=200)
    assert fingerprint() == before


def test_a_stale_change_of_date_is_refused(app, client_request, as_role, seed):
    with seed():
        meeting_id = factories.meeting("fostering", D(2023, 2, 7)).meeting_id
    as_role("panel_admin")
    page = client_request.post(
        f"/panels/meetings/{meeting_id}/edit", {"meeting_date": date_boxes(D(2023, 2, 21)), "version": "1"}, status=200
    )  # the factory's attendance moved the version on
    assert page.errors == ["Someone else changed this record since you opened it"]
    assert _meeting(app, meeting_id)[1] == D(2023, 2, 7)


# --- a year's calendar ------------------------------------------------------------------------------

# The 1st and last Monday of each month, April to September 2023: the fostering panel already meets on
# 5 June; 1 May, 29 May and 28 August are bank holidays; 4 September is a closure day. A cancelled
# meeting (31 July) and the adoption panel's meeting (3 July) do not stop a booking.
PATTERN = {
    "panel": "fostering",
    "first_date": date_boxes(D(2023, 4, 1)),
    "last_date": date_boxes(D(2023, 9, 30)),
    "weekday": "0",
    "weeks": ["1", "last"],
}
BOOKED = [D(2023, 4, 3), D(2023, 4, 24), D(2023, 6, 26), D(2023, 7, 3), D(2023, 7, 31), D(2023, 8, 7), D(2023, 9, 25)]


@pytest.fixture
def calendar_so_far(seed):
    from tracker.rules import operations as rules

    with seed():
        factories.meeting("fostering", D(2023, 6, 5), members=None)
        factories.meeting("fostering", D(2023, 7, 31), members=None, status="cancelled")
        factories.meeting("adoption", D(2023, 7, 3), members=None)
        rules.add_closure_day(D(2023, 9, 4), "Office move")


def _fostering_dates(app) -> list[dt.date]:
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.panels.models import PanelMeeting

    with app.app_context():
        dates = db.session.scalars(
            select(PanelMeeting.meeting_date)
            .where(PanelMeeting.panel == "fostering", PanelMeeting.status == "booked")
            .order_by(PanelMeeting.meeting_date)
        ).all()
        db.session.remove()
        return list(dates)


def test_the_preview_lists_the_dates_and_those_skipped_and_books_nothing(
    client_request, as_role, calendar_so_far, fingerprint
):
    as_role("panel_admin")
    before = fingerprint()
    page = client_request.post("/panels/meetings/book-year", {**PATTERN, "preview": "Preview the dates"}, status=200)
    assert page.text_of("#preview h2") == "7 meetings of the fostering panel to book"
    assert page.texts("#preview-dates li") == [f"{d:%A} {d.day} {d:%B %Y}" for d in BOOKED]
    assert page.texts("#preview-skipped li") == [
        "Monday 5 June 2023: the panel already has a meeting that day",
        "Monday 1 May 2023: not a working day (May Day)",
        "Monday 29 May 2023: not a working day (Spring Bank Holiday)",
        "Monday 28 August 2023: not a working day (Late Summer Bank Holiday)",
        "Monday 4 September 2023: not a working day (closure day)",
    ]
    assert fingerprint() == before


def test_booking_a_year_books_the_dates_and_says_which_were_skipped(
    app, client_request, as_role, calendar_so_far, audit_rows
):
    as_role("panel_admin")
    page = client_request.post("/panels/meetings/book-year", PATTERN, follow=True, status=200)
    assert page.banner == (
        "Success 7 meetings of the fostering panel booked, from 3 April 2023 to 25 September 2023. Not booked: "
        "5 June 2023 (already booked); 1 May 2023 (May Day); 29 May 2023 (Spring Bank Holiday); "
        "28 August 2023 (Late Summer Bank Holiday); 4 September 2023 (closure day)."
    )
    assert _fostering_dates(app) == sorted([D(2023, 6, 5), *BOOKED])
    [(action, object_id, before, after)] = audit_rows("panel_meeting.book")
    assert object_id == "PM0004-PM0010" and before is None
    assert list(after["meetings"].values()) == [d.isoformat() for d in BOOKED]
    # booking the same pattern again books nothing more, and says so
    page = client_request.post("/panels/meetings/book-year", PATTERN, status=200)
    assert page.errors == [
        "There are no dates to book between these dates: every date is booked already or is not a working day"
    ]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"weeks": []}, "Select which weeks of the month the panel meets"),
        ({"weekday": ""}, "Select the day of the week the panel meets"),
        ({"weekday": "5"}, "Not a valid choice."),
        ({"last_date": date_boxes(D(2023, 3, 1))}, "The last date must be on or after the first date"),
        ({"last_date": date_boxes(D(2024, 4, 1))}, "Book up to a year at once: the last date must be less than 12 months after the first"),
    ],
)  # fmt: skip
def test_a_calendar_refused_says_why(client_request, as_role, fingerprint, change, message):
    as_role("panel_admin")
    before = fingerprint()
    page = client_request.post("/panels/meetings/book-year", {**PATTERN, **change}, status=200)
    assert page.errors == [message]
    assert fingerprint() == before


def test_the_pattern_gives_the_nth_and_last_weekday_of_each_month():
    from tracker.panels.operations import Weekday, pattern_dates

    tuesdays = pattern_dates(D(2023, 1, 1), D(2023, 3, 31), Weekday.tuesday, ["1", "3"])
    assert tuesdays == [D(2023, 1, 3), D(2023, 1, 17), D(2023, 2, 7), D(2023, 2, 21), D(2023, 3, 7), D(2023, 3, 21)]
    fridays = pattern_dates(D(2023, 1, 10), D(2023, 3, 10), Weekday.friday, ["last", "4"])
    assert fridays == [D(2023, 1, 27), D(2023, 2, 24)]  # the 4th is the last; March's are after the last date
    assert pattern_dates(D(2023, 3, 1), D(2023, 3, 31), Weekday.friday, ["4", "last"]) == [
        D(2023, 3, 24),
        D(2023, 3, 31),
    ]


# --- cancelling -----------------------------------------------------------------------------------------


def test_cancelling_a_meeting_moves_its_cases_to_awaiting_a_date(app, client_request, as_role, seed, audit_rows):
    with seed():
        meeting = factories.meeting("fostering", D(2023, 2, 7))
        cases = [
            factories.case(meeting, "approval", "H1").case_id,
            factories.case(meeting, "first_review", "H2").case_id,
        ]
        meeting_id = meeting.meeting_id
    as_role("panel_admin")
    assert client_request.get(f"/panels/meetings/{meeting_id}/cancel").text_of("#cases-to-move").startswith("2 cases")
    page = client_request.post(
        f"/panels/meetings/{meeting_id}/cancel", {"reason": "The chair is ill"}, follow=True, status=200
    )
    assert page.banner == f"Success Meeting {meeting_id} cancelled. 2 cases moved back to awaiting a date."
    assert page.h1 == "Tuesday 7 February 2023 Cancelled"
    assert page.summary()["Cancelled because"] == "The chair is ill"
    assert page.text_of("#agenda-empty") == "No cases are on this meeting's agenda."
    awaiting = client_request.get("/panels/awaiting").table("#awaiting-table")
    assert [row[0] for row in awaiting] == cases
    assert _meeting(app, meeting_id)[2:] == ("cancelled", "The chair is ill")
    [(_, _, before, after)] = audit_rows("panel_meeting.cancel")
    assert before == {"status": "booked", "cancelled_reason": None}
    assert after == {"status": "cancelled", "cancelled_reason": "The chair is ill", "cases_awaiting_a_date": cases}
    calendar = client_request.get("/panels/?status=cancelled").table("#upcoming-meetings")
    assert calendar == [["7 Feb 2023 " + meeting_id, "Fostering panel", "Cancelled", "0", ""]]


def test_a_cancellation_needs_a_reason(app, client_request, as_role, seed, fingerprint):
    with seed():
        meeting_id = factories.meeting("fostering", D(2023, 2, 7)).meeting_id
    as_role("panel_admin")
    before = fingerprint()
    page = client_request.post(f"/panels/meetings/{meeting_id}/cancel", {"reason": "  "}, status=200)
    assert page.errors == ["Enter why the meeting is cancelled"]
    assert fingerprint() == before


def test_a_held_meeting_cannot_be_cancelled(client_request, as_role, seed, fingerprint):
    with seed():
        meeting = factories.meeting("fostering", D(2023, 1, 10))
        factories.case(meeting, recommendation="positive")
        meeting_id = meeting.meeting_id
    as_role("panel_admin")
    before = fingerprint()
    page = client_request.post(f"/panels/meetings/{meeting_id}/cancel", {"reason": "Too late"}, status=200)
    assert page.text_of("#refusal") == "This meeting is held: only a booked meeting can be cancelled."
    assert fingerprint() == before


# --- the calendar and the meeting page -------------------------------------------------------------------


def test_the_calendar_shows_each_meeting_with_its_status_cases_and_quoracy(client_request, as_role, seed):
    with seed():
        held = factories.meeting("fostering", D(2023, 1, 10))
        for subject in ("H1", "H2"):
            factories.case(held, subject_ref=subject, recommendation="positive")
        factories.meeting("adoption", D(2022, 12, 6), members=factories.QUORATE[:4])
        upcoming = factories.meeting("adoption", D(2023, 2, 7), members=None)
        factories.case(upcoming, "match", "A1")
    as_role("manager")
    page = client_request.get("/panels/")
    assert page.table("#upcoming-meetings") == [
        ["7 Feb 2023 PM0003", "Adoption panel", "Booked", "1", "Attendance not recorded"]
    ]
    assert page.table("#past-meetings") == [
        ["10 Jan 2023 PM0001", "Fostering panel", "Held", "2", "Quorate 5 members"],
        ["6 Dec 2022 PM0002", "Adoption panel", "Booked", "0", "Not quorate 4 members"],
    ]
    filtered = client_request.get("/panels/?panel=adoption&year=2022&status=booked")
    assert [row[0] for row in filtered.table("#past-meetings")] == ["6 Dec 2022 PM0002"]
    empty = client_request.get("/panels/?panel=adoption&status=held")
    assert empty.text_of("#past-meetings-empty") == "No past meetings match these filters."
    download = client_request.client.get("/panels/?format=csv&panel=fostering")
    lines = download.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines == [
        "Meeting,Panel,Date,Status,Cases,Members present,Quoracy",
        "PM0001,Fostering panel,2023-01-10,Held,2,5,Quorate",
    ]


def test_a_year_without_meetings_in_the_filter_is_an_error_not_a_failure(client_request, as_role, seed):
    with seed():
        factories.meeting("fostering", D(2023, 1, 10))
    as_role("manager")
    page = client_request.get("/panels/?year=abc")
    assert page.field_error("year") == "Not a valid choice."
    assert [row[0] for row in page.table("#past-meetings")] == ["10 Jan 2023 PM0001"]  # unfiltered


# Meeting on Tuesday 24 January 2023 (papers due Tuesday 17 January) or Friday 20 January (due Friday 13
# January); today is Monday 16 January.
@pytest.mark.parametrize(
    "meeting_day, papers_sent, shown, tag",
    [
        (D(2023, 1, 24), D(2023, 1, 16), "16 Jan 2023", "In timescale"),
        (D(2023, 1, 24), None, "Not sent", None),
        (D(2023, 1, 20), None, "Not sent", "Late"),
        (D(2023, 1, 20), D(2023, 1, 13), "13 Jan 2023", "In timescale"),
        (D(2023, 1, 20), D(2023, 1, 16), "16 Jan 2023", "Late"),
    ],
)
def test_each_case_shows_its_papers_and_whether_they_are_late(
    client_request, as_role, seed, meeting_day, papers_sent, shown, tag
):
    with seed():
        meeting = factories.meeting("fostering", meeting_day)
        factories.case(meeting, papers_sent=papers_sent)
        meeting_id = meeting.meeting_id
    as_role("panel_admin")
    page = client_request.get(f"/panels/meetings/{meeting_id}")
    due = "17 January 2023" if meeting_day.day == 24 else "13 January 2023"
    assert page.summary()["Papers due to members"] == f"{due} (5 working days before the meeting)"
    cell = page.one("#agenda-table [data-papers]")
    assert cell.get_text(" ", strip=True).startswith(shown)
    state = cell.select_one("[data-papers-state]")
    assert (state.get_text(strip=True) if state else None) == tag
