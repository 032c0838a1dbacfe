"""The LADO's "returned to panel" (domain.md §6, 003:L1493): an own foster carer returned to panel
after an allegation gets a fostering review-after-allegation case awaiting a date, once per referral
however often the hook is called, linked both ways — the referral's page names the case, the
household's page the referral's reference — and the LADO details stay LADO-only."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.lado import factories as lado
from tests.panels import factories
from tests.panels._household_fixtures import TODAY, audit_actions, count, seed

D = dt.date
SUBJECT = "Jo Bloggs"  # the LADO subject's name: never on a panel page


@pytest.fixture
def app_config():
    return {"TODAY": TODAY}


def own_carer_referral(carer_type: str = "connected", agency: str = "own"):
    return lado.referral(
        D(2023, 3, 1),
        employer_sector="foster_care",
        foster_carer_type=carer_type,
        foster_carer_agency=agency,
        person_name=SUBJECT,
        person_ref="P9001",
    )


def returned(referral):
    from tracker.lado import operations

    return operations.update_referral(
        referral, police_investigation=False, officer_id=None, child_informed=False, returned_to_panel=True
    )


def test_the_hook_makes_one_case_awaiting_a_date_however_often_it_is_called(app):
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.lado import operations
    from tracker.panels.models import PanelCase

    with seed(app):
        referral = own_carer_referral()
        assert count(app, PanelCase) == 0  # not returned to panel yet
        returned(referral)
        operations.request_review_after_allegation(referral)  # called again
        lado.closed(referral, D(2023, 4, 3), returned_to_panel=True)  # and on closure
        referral_id = referral.referral_id
    with app.app_context():
        cases = db.session.scalars(select(PanelCase)).all()
        assert [
            (c.case_id, c.panel, c.case_type, c.meeting_id, c.subject_ref, c.carer_type, c.lado_referral_id)
            for c in cases
        ] == [("PC00001", "fostering", "review_after_allegation", None, None, "connected", referral_id)]
    rows = audit_actions(app, "panel_case")
    assert [(a, ref) for a, ref, *_ in rows] == [("panel_case.create", "PC00001")]
    summary = rows[0][4]
    assert summary == (
        f"Panel case PC00001 (review after an allegation) created from LADO referral {referral_id}, awaiting a date"
    )
    assert SUBJECT not in str(rows[0]) and "P9001" not in str(rows[0])  # the referral's reference only


@pytest.mark.parametrize("agency", ["ifa", "other_la"])
def test_another_agencys_carer_gets_no_case(app, agency):
    from tracker.panels.models import PanelCase

    with seed(app):
        returned(own_carer_referral("mainstream", agency))
    assert count(app, PanelCase) == 0


def test_a_case_imported_for_the_referral_is_kept_and_no_other_made(app):
    from tracker.extensions import db
    from tracker.lado.models import LadoReferral
    from tracker.panels import operations
    from tracker.panels.models import PanelCase

    with seed(app):
        referral = own_carer_referral("mainstream")
        existing = PanelCase(
            case_id="PC00042",
            panel="fostering",
            case_type="review_after_allegation",
            lado_referral_id=referral.referral_id,
        )
        db.session.add(existing)
    with seed(app):
        referral = db.session.get(LadoReferral, "LR00001")
        returned(referral)
        assert operations.review_after_allegation_case(referral).case_id == "PC00042"
    assert count(app, PanelCase) == 1


@pytest.fixture
def linked(app):
    """A referral about an own connected carer, returned to panel; its case names household H0001."""
    from tracker.extensions import db
    from tracker.panels.models import PanelCase

    with seed(app):
        factories.household(D(2021, 5, 4), carer_type="connected", name="Bloggs household")
        referral = own_carer_referral()
        lado.outcome(referral, "substantiated", D(2023, 3, 20))
        returned(referral)
    with seed(app):
        db.session.get(PanelCase, "PC00001").subject_ref = "H0001"  # the panel adviser names the household
    return "LR00001"


def test_the_referral_page_names_the_case_as_plain_text_for_the_lado(app, client_request, login_as, linked):
    login_as("lado")
    page = client_request.get(f"/lado/referrals/{linked}")
    assert page.text_of("#panel-cases") == "Review after allegation: panel case PC00001"
    assert page.select("#panel-cases a") == []  # LADO roles cannot open panel pages
    client_request.get("/panels/households/H0001", status=403)
    client_request.get("/panels/returns-to-panel", status=403)


def test_the_household_page_shows_the_referral_reference_and_no_lado_detail(app, client_request, login_as, linked):
    login_as("panel_admin")
    page = client_request.get("/panels/households/H0001")
    assert page.text_of("#lado-referrals").startswith(
        f"Reviews after an allegation were asked for by LADO referral {linked}"
    )
    assert [s["data-lado-referral"] for s in page.select("#lado-referrals [data-lado-referral]")] == [linked]
    assert page.table("#panel-history") == [
        ["PC00001", f"Review after an allegation LADO referral {linked}", "Awaiting a date", "", ""]
    ]
    assert page.summary()["Next review goes to panel"] == "Yes: First review after approval Review after an allegation"
    assert page.select("#lado-referrals a") == []
    html = page.response.get_data(as_text=True)
    for detail in (SUBJECT, "P9001", "Substantiated", "substantiated", "foster_care"):
        assert detail not in html
    client_request.get(f"/lado/referrals/{linked}", status=403)  # the referral itself is LADO-only


def test_the_unnamed_case_waits_on_the_returns_list(app, client_request, login_as):
    with seed(app):
        returned(own_carer_referral("mainstream"))
    login_as("panel_admin")
    page = client_request.get("/panels/returns-to-panel")
    assert page.table("#unnamed") == [["PC00001", "LR00001", "Mainstream", "Awaiting a date"]]
    assert SUBJECT not in page.response.get_data(as_text=True)
