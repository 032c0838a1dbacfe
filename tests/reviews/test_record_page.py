"""A child's page shows exactly the deadlines and flags the worklist computes (issue 9
acceptance: the record page's deadlines and flags equal the due items for the same as-of date
on a seeded authority), for every child of the small authority with an open review item; and
the next review due on the page moves when a review is recorded."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tracker.core import worklist
from tracker.core.timescales import deadline
from tracker.formatters import format_date_short

from .factories import d

AS_OF = dt.date(2023, 1, 16)  # the date of expected-due-items-2023-01-16.json
KINDS = ("cic_review", "review_recommendations", "review_minutes", "iro_contact")


@pytest.fixture
def app_config():
    # The import refuses dates after today, and the example runs past 2023: import it with a
    # later today, then show the pages as of AS_OF (``as_of_2023_01_16``).
    return {"TODAY": "2026-11-23"}


@pytest.fixture
def as_of_2023_01_16(app, small_authority):
    """The small authority imported, and the clock (``TODAY``) set to AS_OF for the pages."""
    app.config["TODAY"] = AS_OF.isoformat()
    return small_authority


def due_items(app) -> dict[str, set[tuple[str, str, str, str]]]:
    """child_id → its deadlines as the worklist computes them at AS_OF, for every child with
    at least one open item of the reviews kinds: (kind, ref, due date, state)."""
    with app.app_context():
        items = worklist.collect(AS_OF)
    children = {i.record_ref for i in items if i.kind in KINDS and i.record_type == "child"}
    return {
        child_id: {
            (i.kind, i.ref, i.due_date.isoformat(), i.state.value)
            for i in items
            if i.record_type == "child" and i.record_ref == child_id
        }
        for child_id in sorted(children)
    }


def test_every_childs_page_shows_the_deadlines_of_the_worklist(app, login_as, client_request, as_of_2023_01_16):
    expected = due_items(app)
    assert len(expected) > 30  # the whole small authority, not a sample
    login_as("iro_manager")
    shown = {child_id: client_request.get(f"/children/{child_id}").deadlines() for child_id in expected}
    differ = {c: (expected[c] - shown[c], shown[c] - expected[c]) for c in expected if shown[c] != expected[c]}
    assert differ == {}, "child: (due items not shown, shown but not due items)"
    # …and together they are the independently worked-out due items of the example.
    expected_file = json.loads((as_of_2023_01_16 / "expected-due-items-2023-01-16.json").read_text())
    assert set().union(*shown.values()) == {
        (i["kind"], i["ref"], i["due_date"], i["state"]) for i in expected_file["items"] if i["kind"] in KINDS
    }


def test_the_children_list_shows_the_same_deadlines(app, login_as, client_request, as_of_2023_01_16):
    """The list of children looked after agrees too: next review due, recommendations and
    minutes outstanding, next IRO contact due (with their states), child by child."""
    with app.app_context():
        items = worklist.collect(AS_OF, kinds=KINDS)
    expected = {}
    for child_id in {i.record_ref for i in items if i.kind == "cic_review"}:
        own = [i for i in items if i.record_ref == child_id]
        review, *_ = [i for i in own if i.kind == "cic_review"]
        contact = [f"{format_date_short(i.due_date)} {i.state.label}" for i in own if i.kind == "iro_contact"]
        expected[child_id] = [
            f"{format_date_short(review.due_date)} {review.state.label}",
            str(sum(i.kind == "review_recommendations" for i in own)),
            str(sum(i.kind == "review_minutes" for i in own)),
            contact[0] if contact else "Not expected",
        ]
    login_as("iro_manager")
    rows = client_request.get("/children/?scope=all").table("#caseload")
    # Child, reference, QARO, next review due, recommendations, minutes, last contact, next contact due
    assert {row[1]: [row[3], row[4], row[5], row[7]] for row in rows} == expected
    assert len(rows) == len(expected) > 30


def test_the_team_page_counts_the_same_items(app, login_as, client_request, as_of_2023_01_16):
    """Per QARO: children (their cic_review items), reviews overdue, recommendations and minutes
    outstanding, IRO contacts overdue: the worklist's items, counted by owner."""
    with app.app_context():
        items = worklist.collect(AS_OF, kinds=KINDS)
    login_as("manager")
    page = client_request.get("/children/team")
    officers = [row["data-officer"] for row in page.select("#team-table tr[data-officer]")]
    assert len(officers) == 10
    for officer_id in officers:
        own = [i for i in items if i.owner == officer_id]
        expected = [
            sum(i.kind == "cic_review" for i in own),
            sum(i.kind == "cic_review" and i.state == "overdue" for i in own),
            sum(i.kind == "review_recommendations" for i in own),
            sum(i.kind == "review_minutes" for i in own),
            sum(i.kind == "iro_contact" and i.state == "overdue" for i in own),
        ]
        cells = page.texts(f'#team-table tr[data-officer="{officer_id}"] td.govuk-table__cell--numeric')
        assert [int(cell) for cell in cells] == expected, officer_id


def test_the_next_review_due_moves_when_a_review_is_recorded(app, login_as, client_request, as_of_2023_01_16):
    child_id = next(c for c, deadlines in due_items(app).items() if any(k == "cic_review" for k, *_ in deadlines))
    login_as("iro_manager")
    page = client_request.get(f"/children/{child_id}")
    (before,) = [due for kind, _ref, due, _state in page.deadlines() if kind == "cic_review"]
    current = page.select("table[id^=period-]")[0]  # the latest care period comes first
    held = len(current.select("tr[data-review]"))
    client_request.post(
        f"/children/{child_id}/reviews/new",
        {"review_date": ["16", "1", "2023"], "officer_id": "", "participation_code": "PN1"},
    )
    page = client_request.get(f"/children/{child_id}")
    current = page.select("table[id^=period-]")[0]
    assert len(current.select("tr[data-review]")) == held + 1
    new_review = current.select("tr[data-review]")[-1]["data-review"]
    with app.app_context():
        due = deadline("cic_review_second" if held == 0 else "cic_review_later", AS_OF)
        recommendations = deadline("review_recommendations", AS_OF)
        minutes = deadline("review_minutes", AS_OF)
    assert due > d(before)
    shown = page.deadlines()
    assert ("cic_review", child_id, due.isoformat(), "upcoming") in shown
    assert ("review_recommendations", new_review, recommendations.isoformat(), "due_soon") in shown
    assert ("review_minutes", new_review, minutes.isoformat(), "upcoming") in shown
    assert shown == due_items(app)[child_id]  # still exactly the worklist's
