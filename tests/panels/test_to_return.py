"""Deferred cases must come back to panel (000:L704, domain.md §7): a case deferred at a held
meeting stays on the to-return list until a later case for the same subject is heard by the same
panel at a held meeting — a later case merely booked, or awaiting a date, does not take it off
(the list says whether the return is booked)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.panels import _meetings_fixtures as fixtures
from tests.panels import factories

app_config, as_role, seed = fixtures.app_config, fixtures.as_role, fixtures.seed
D = dt.date
DEFERRED_ON = D(2022, 12, 6)


def _listed(client_request) -> list[list[str]]:
    page = client_request.get("/panels/to-return")
    return page.table("#to-return") if page.select("#to-return") else []


@pytest.mark.parametrize(
    "later, listed, state",
    [
        (None, True, "No return booked"),
        (("fostering", "H1", "booked"), True, "Return booked"),
        (("fostering", "H1", "awaiting"), True, "Return awaiting a date"),
        (("fostering", "H1", "heard"), False, None),
        (("fostering", "H1", "heard_again_deferred"), False, None),  # the new deferral is listed instead
        (("fostering", "H2", "heard"), True, "No return booked"),  # another subject
        (("adoption", "H1", "heard"), True, "No return booked"),  # another panel
        (("fostering", "H1", "held_no_outcome_yet"), False, None),  # heard: its outcome is to come
    ],
)
def test_a_deferred_case_stays_listed_until_a_later_case_for_the_same_subject_is_heard(
    client_request, as_role, seed, later, listed, state
):
    with seed():
        deferred = factories.case(
            factories.meeting("fostering", DEFERRED_ON),
            "approval",
            "H1",
            recommendation="deferred",
            minutes=D(2022, 12, 8),
        ).case_id
        if later is not None:
            panel, subject, how = later
            case_type = "approval" if panel == "fostering" else "match"
            if how == "awaiting":
                factories.case(None, case_type, subject, panel=panel)
            elif how == "booked":
                factories.case(factories.meeting(panel, D(2023, 2, 7)), case_type, subject)
            else:
                meeting = factories.meeting(panel, D(2023, 1, 10))
                again = factories.case(meeting, case_type, subject)
                other = factories.case(meeting, case_type, "H99")
                if how == "held_no_outcome_yet":  # the meeting was held (another case's outcome is recorded)
                    factories.outcome(other, "positive")
                else:
                    factories.outcome(again, "deferred" if how == "heard_again_deferred" else "positive")
                again_id = again.case_id
    as_role("manager")
    rows = _listed(client_request)
    refs = [row[0].split()[0] for row in rows]
    assert (deferred in refs) is listed
    if listed:
        row = rows[refs.index(deferred)]
        assert row[1] == "H1" and row[2] == "6 Dec 2022 (PM0001)"
        assert row[3].startswith(state)
        if state == "Return booked":
            assert row[3] == "Return booked 7 Feb 2023 (PM0002)"
    if later and later[2] == "heard_again_deferred":
        assert refs == [again_id]


def test_the_list_as_of_a_date_before_the_return_was_heard(app, seed):
    from tracker.panels import queries

    with seed():
        deferred = factories.case(
            factories.meeting("fostering", DEFERRED_ON), "approval", "H1", recommendation="deferred"
        ).case_id
        later = factories.case(
            factories.meeting("fostering", D(2023, 1, 10)), "approval", "H1", recommendation="positive"
        )
        assert later.meeting.status == "held"
    with app.app_context():
        assert [r.case_id for r in queries.to_return(D(2023, 1, 9))] == [deferred]
        assert queries.to_return(D(2023, 1, 10)) == []
        assert queries.to_return(D(2022, 12, 5)) == []  # not yet deferred


def test_the_panel_filter_and_the_download(client_request, as_role, seed):
    with seed():
        factories.case(factories.meeting("fostering", DEFERRED_ON), "approval", "H1", recommendation="deferred")
        factories.case(factories.meeting("adoption", DEFERRED_ON), "match", "A1", recommendation="deferred")
    as_role("panel_admin")
    assert len(_listed(client_request)) == 2
    page = client_request.get("/panels/to-return?panel=adoption")
    assert [row[1] for row in page.table("#to-return")] == ["A1"]
    download = client_request.client.get("/panels/to-return?format=csv&panel=adoption").get_data(as_text=True)
    assert download.lstrip("\ufeff").splitlines() == [
        "Case,Panel,Type of case,Subject,Deferred at meeting,Deferred on,Return,Return meeting",
        "PC00002,Adoption panel,Match,A1,PM0002,2022-12-06,No return booked,",
    ]
