"""A deadline is defined once (issue 9): the referral page shows exactly the deadlines that
``due-items`` computes for that referral — on every referral of the small authority, on the date
of its expected due items — including the PAIM after an outcome (none: the allegation is
concluded, so no PAIM is due, as the worklist has always said)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.lado import factories

D = dt.date
AS_OF = D(2023, 1, 16)  # the date of tests/data/small-authority/expected-due-items-2023-01-16.json


@pytest.fixture
def app_config():
    # The import refuses records dated after today and the small authority runs into 2024, so it
    # is imported on a later day (``small_authority``) and its pages are then seen on AS_OF.
    return {"TODAY": "2026-11-23"}


@pytest.fixture
def authority(app, small_authority):
    """The small authority imported, the clock then set to AS_OF."""
    app.config["TODAY"] = AS_OF.isoformat()
    return small_authority


def due(items, referral_id: str) -> set[tuple[str, str, str, str]]:
    """The due items of one referral, as ``Page.deadlines()`` reads them from a page."""
    return {
        (i.kind, i.ref, i.due_date.isoformat(), i.state.value)
        for i in items
        if i.record_type == "lado_referral" and i.record_ref == referral_id
    }


def test_every_referral_page_shows_exactly_its_due_items(app, client_request, login_as, authority):
    import json

    from sqlalchemy import select

    from tracker.core import worklist
    from tracker.extensions import db
    from tracker.lado.models import LadoReferral

    with app.app_context():
        items = worklist.collect(AS_OF)
        referral_ids = db.session.scalars(select(LadoReferral.referral_id).order_by(LadoReferral.referral_id)).all()
    expected = json.loads((authority / "expected-due-items-2023-01-16.json").read_text())
    lado_items = [i for i in items if i.kind.startswith("lado_")]
    from tests.test_small_authority import as_the_rule_says  # the documented deviation of lado_action owners

    want = [as_the_rule_says(i) for i in expected["items"] if i["kind"].startswith("lado_")]
    assert [i.as_dict() for i in lado_items] == want
    assert len(referral_ids) == 43

    login_as("lado_manager")
    shown = set()
    for referral_id in referral_ids:
        page = client_request.get(f"/lado/referrals/{referral_id}")
        assert page.deadlines() == due(items, referral_id), referral_id
        shown |= page.deadlines()
    # every LADO due item is on the page of its referral, in every state
    assert shown == {(i.kind, i.ref, i.due_date.isoformat(), i.state.value) for i in lado_items}
    assert {kind for kind, *_ in shown} == {"lado_iem", "lado_paim", "lado_action"}
    assert {state for *_, state in shown} >= {"overdue", "upcoming"}


def test_no_paim_is_due_after_an_outcome_on_the_page_or_in_due_items(app, client_request, login_as, authority):
    from sqlalchemy import or_, select

    from tracker.core import worklist
    from tracker.extensions import db
    from tracker.lado import queries
    from tracker.lado.models import LadoReferral

    with app.app_context():
        fm = queries.first_meetings(AS_OF)
        concluded_without_paim = db.session.scalars(
            select(LadoReferral.referral_id)
            .join(fm, fm.c.referral_id == LadoReferral.referral_id)
            .where(
                fm.c.first_iem.is_not(None),
                fm.c.first_paim.is_(None),
                LadoReferral.outcome_date <= AS_OF,
                or_(LadoReferral.closed_date.is_(None), LadoReferral.closed_date > AS_OF),  # open
            )
        ).all()
        assert concluded_without_paim == []  # the small authority has no such case on AS_OF: make two
        concluded = factories.referral(D(2023, 1, 2))
        factories.meeting(concluded, "iem", D(2023, 1, 4))
        factories.outcome(concluded, "unfounded", D(2023, 1, 10))  # concluded after the IEM, no PAIM held
        pending = factories.referral(D(2023, 1, 2))
        factories.meeting(pending, "iem", D(2023, 1, 4))  # the same without an outcome: a PAIM is due
        concluded_id, pending_id = concluded.referral_id, pending.referral_id
        db.session.commit()
        items = worklist.collect(AS_OF)
    assert due(items, concluded_id) == set()
    assert due(items, pending_id) == {("lado_paim", pending_id, "2023-02-01", "upcoming")}

    login_as("lado_manager")
    page = client_request.get(f"/lado/referrals/{concluded_id}")
    assert page.deadlines() == set()
    assert page.text_of("#deadlines-none") == "No meeting is due."
    assert page.summary()["Outcome"] == "Unfounded (10 January 2023)"
    page = client_request.get(f"/lado/referrals/{pending_id}")
    assert page.deadlines() == {("lado_paim", pending_id, "2023-02-01", "upcoming")}
    assert page.table("#deadlines") == [["LADO: Post-Allegation Investigation Meeting", "1 Feb 2023 Upcoming"]]
