"""One definition of each deadline and flag (issue 9): on a seeded authority, every
escalation's page shows exactly the deadlines the worklist (``due-items``) computes for it on
the same as-of date, and the stage 4 flag exactly where ``queries.unresolved_stage4`` puts it;
the lists and the child pages agree."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tracker.core import worklist
from tracker.escalations import queries
from tracker.escalations.models import Escalation
from tracker.extensions import db
from tracker.formatters import format_date_short
from tracker.reviews.models import Child

IMPORTED_ON = "2026-11-23"  # the files run to 2024 and the import refuses later dates: import as of a later day
FLAG = "Stage 4 flag"

# The as-of days, with what the worklist and the stage 4 list must hold then (worked out by
# hand from tests/data/small-authority/data): (kind, ref, due date, state) per escalation, flagged.
DAYS = {
    # E00024 informal 2023-03-02 + 10 working days; E00075 had its response on 2023-03-07
    "2023-03-08": ({"E00024": {("escalation_stage", "E00024", "2023-03-16", "due_soon")}}, set()),
    # E00029 at stage 4 since 2021-08-23: + 5 working days (30 August is a bank holiday)
    "2021-08-25": ({"E00029": {("escalation_stage", "E00029", "2021-08-31", "due_soon")}}, {"E00029"}),
    # E00029 referred to Cafcass on 2021-09-02: no response is due, the flag stays
    "2021-09-10": ({}, {"E00029"}),
    # E00048 at stage 2 since 2022-03-08; E00076 closed on 2022-02-25
    "2022-03-10": ({"E00048": {("escalation_stage", "E00048", "2022-03-15", "due_soon")}}, set()),
}


@pytest.fixture
def app_config():
    return {"TODAY": IMPORTED_ON}


@pytest.fixture(params=list(DAYS))
def as_of(request, app, small_authority) -> dt.date:
    """The small authority imported; then today is the as-of day the pages are looked at."""
    app.config["TODAY"] = request.param
    return dt.date.fromisoformat(request.param)


def _computed(app, as_of: dt.date):
    """Every escalation (with its child), the worklist's deadlines by escalation and the flagged ones."""
    with app.app_context():
        escalations = dict(
            db.session.execute(
                select(Escalation.escalation_id, Child.child_id)
                .join(Child, Child.id == Escalation.child_pk)
                .order_by(Escalation.escalation_id)
            ).all()
        )
        due: dict[str, set] = {}
        items: dict[str, worklist.DueItem] = {}
        for item in worklist.collect(as_of):
            if item.record_type == "escalation":
                due.setdefault(item.record_ref, set()).add(
                    (item.kind, item.ref, item.due_date.isoformat(), item.state.value)
                )
                items[item.record_ref] = item
        flagged = {row.escalation_id for row in queries.unresolved_stage4(as_of)}
    return escalations, due, items, flagged


def _shown_due(item) -> str:
    return f"{format_date_short(item.due_date)} {item.state.label}"


def test_pages_show_the_worklist_deadlines_and_the_stage4_flag(app, client_request, login_as, as_of):
    escalations, due, items, flagged = _computed(app, as_of)
    assert len(escalations) == 13
    assert (due, flagged) == DAYS[as_of.isoformat()]  # the computed side is the hand-worked one
    login_as("iro_manager")

    # every escalation's own page
    for ref in escalations:
        page = client_request.get(f"/escalations/{ref}")
        assert page.deadlines() == due.get(ref, set()), ref
        assert (FLAG in page.tags) == (ref in flagged), ref
        assert page.tags.count(FLAG) <= 1, ref

    # the list of every escalation opened by then: the flag and the response due date
    page = client_request.get("/escalations/all?status=all")
    rows = page.select("#escalations-table tbody tr")
    shown = {row.select_one("td a").get_text(strip=True): row for row in rows}
    assert set(shown) <= set(escalations) and flagged <= set(shown)
    for ref, row in shown.items():
        cells = row.select("td")
        assert (FLAG in cells[2].get_text(" ")) == (ref in flagged), ref
        tags = [t["data-due-state"] for t in row.select("[data-due-state]")]
        if ref in items:
            assert " ".join(cells[-1].get_text(" ").split()) == _shown_due(items[ref]), ref
            assert tags == [items[ref].state.value], ref
        else:
            assert tags == [], ref

    # the stage 4 list and its count
    if flagged:
        assert page.text_of(".govuk-inset-text").startswith(f"{len(flagged)} unresolved escalation")
    else:
        assert page.select(".govuk-inset-text") == []
    stage4 = client_request.get("/escalations/stage4")
    assert set(stage4.texts("#stage4-table tbody tr td:first-child a")) == flagged

    # the child page's escalations section
    for ref, child_id in escalations.items():
        child_page = client_request.get(f"/children/{child_id}")
        table = child_page.select("#child-escalations")
        rows = {r[0]: r for r in child_page.table("#child-escalations")} if table else {}
        if ref not in rows:  # not opened by then
            assert ref not in shown, ref
            continue
        assert (FLAG in rows[ref][1]) == (ref in flagged), ref
        if ref in items:
            assert rows[ref][3] == f"Response due {_shown_due(items[ref])}", ref
        else:
            assert not rows[ref][3].startswith("Response due"), ref
