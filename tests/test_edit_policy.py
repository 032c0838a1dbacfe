"""Who may change what (security finding 8; README "Who may change what"): the object-level
checks of ``tracker.core.permissions`` (``may_edit``, ``may_delete``) on every page that changes a
child, a care period, a review, an IRO contact or an escalation, on SQLite and PostgreSQL.

The table: a visitor, named by their relationship to the records (the QARO the child is allocated
to, the QARO who chaired the review and raised the escalation, another QARO, a QARO without an
officer id, the IRO manager and roles without the right to change children's records) × an action
→ allowed (the form page opens, the post redirects and the change is saved, the page offers the
link or the form) or refused (403 for the form page and the post, nothing written, no link or form).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from tests import inputs
from tests.pages import Page

D = dt.date


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-30"}


# --- the records ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    child_id: str  # allocated to QA
    period_id: int  # its care period, since 1 January 2022
    review_id: str  # held on 20 January 2022, chaired by QC
    escalation_id: str  # informal since 1 March 2023, raised by QC
    contact_id: str = ""  # an IRO contact on 1 February 2022 made by QC
    old_period_id: int = 0  # an earlier care period (2020), without reviews


@pytest.fixture
def world(app) -> World:
    """QAROs QA, QB and QC; a child allocated to QA, with a review QC chaired, an IRO contact QC
    made and an escalation QC raised (QC covered for QA); QB has nothing to do with any of it."""
    from tests.escalations import factories as escalations
    from tests.reviews import factories as reviews
    from tracker.extensions import db

    with app.app_context():
        for officer_id in ("QA", "QB", "QC"):
            reviews.officer(officer_id)
        child = reviews.child("C1", start="2022-01-01", officer_id="QA")
        held = reviews.review(child, "2022-01-20", officer_id="QC", participation_code="PN1")
        made = reviews.contact(child, "2022-02-01", officer_id="QC")
        old = reviews.care_period(child, "2020-01-01", "2020-06-30")
        escalation = escalations.escalation(child, raised_by="QC")
        db.session.commit()
        period_id = next(p.id for p in child.care_periods if p.id != old.id)
        return World(child.child_id, period_id, held.review_id, escalation.escalation_id, made.contact_id, old.id)


def sign_in(app, client, login_as, who: str) -> None:
    """Sign the client in as the visitor ``who`` (a key of VISITORS)."""
    officer_id, role = VISITORS[who]
    if officer_id is None:
        login_as(role)
        return
    from tracker.auth.models import user_by_officer_id

    with app.app_context():
        user_id = user_by_officer_id(officer_id).id
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user_id)
        sess["_fresh"] = True


# visitor -> (the officer id they sign in as, or None for a new user holding the role)
VISITORS = {
    "qaro-allocated": ("QA", None),  # the child's QARO
    "qaro-chair": ("QC", None),  # chaired the review and raised the escalation, covering for QA
    "qaro-other": ("QB", None),  # another QARO
    "qaro-no-officer-id": (None, "qaro"),  # owns nothing
    "iro_manager": (None, "iro_manager"),
    "manager": (None, "manager"),  # reads, never changes
    "lado": (None, "lado"),
    "lado_manager": (None, "lado_manager"),
    "admin": (None, "admin"),
}
QAROS = {"qaro-allocated", "qaro-chair", "qaro-other", "qaro-no-officer-id"}


# --- the actions ------------------------------------------------------------------------------------


def date(day: dt.date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def value(app, query):
    from tracker.extensions import db

    with app.app_context():
        return db.session.scalar(query)


def _count(model, w):
    from tracker.reviews.models import Child

    return (
        select(func.count())
        .select_from(model)
        .join(Child, Child.id == model.child_pk)
        .where(Child.child_id == w.child_id)
    )


def _child_saved(app, w) -> bool:
    from tracker.reviews.models import Child

    return value(app, select(Child.first_name).where(Child.child_id == w.child_id)) == "Changed"


def _period_added(app, w) -> bool:
    from tracker.reviews.models import CarePeriod

    return value(app, _count(CarePeriod, w)) == 3


def _period_saved(app, w) -> bool:
    from tracker.reviews.models import CarePeriod

    return value(app, select(CarePeriod.legal_status).where(CarePeriod.id == w.period_id)) == "C2"


def _review_recorded(app, w) -> bool:
    from tracker.reviews.models import Review

    return value(app, _count(Review, w)) == 2


def _review_saved(app, w) -> bool:
    from tracker.reviews.models import Review

    return value(app, select(Review.participation_code).where(Review.review_id == w.review_id)) == "PN3"


def _removed(model, column, ref) -> Callable:
    def removed(app, w) -> bool:
        key = getattr(w, ref)
        return value(app, select(model.removed_at).where(getattr(model, column) == key)) is not None

    return removed


def _review_removed(app, w) -> bool:
    from tracker.reviews.models import Review

    return _removed(Review, "review_id", "review_id")(app, w)


def _contact_removed(app, w) -> bool:
    from tracker.reviews.models import IroContact

    return _removed(IroContact, "contact_id", "contact_id")(app, w)


def _period_removed(app, w) -> bool:
    from tracker.reviews.models import CarePeriod

    return _removed(CarePeriod, "id", "old_period_id")(app, w)


def _contact_recorded(app, w) -> bool:
    from tracker.reviews.models import IroContact

    return value(app, _count(IroContact, w)) == 2


def _contact_saved(app, w) -> bool:
    from tracker.reviews.models import IroContact

    return value(app, select(IroContact.contact_type).where(IroContact.contact_id == w.contact_id)) == "phone"


def _planned(app, w) -> bool:
    from tracker.reviews.models import Child

    return value(app, select(Child.planned_review_date).where(Child.child_id == w.child_id)) == D(2023, 7, 20)


def _escalations(app, w) -> int:
    from tracker.escalations.models import Escalation

    return value(app, select(func.count()).select_from(Escalation))


def _stage(app, w, attribute: str):
    from tracker.escalations.models import Escalation
    from tracker.extensions import db

    with app.app_context():
        escalation = db.session.scalar(select(Escalation).where(Escalation.escalation_id == w.escalation_id))
        return getattr(escalation, attribute)


def _responded(app, w) -> bool:
    from tracker.escalations.models import EscalationStage

    return value(app, select(EscalationStage.response_date)) == D(2023, 3, 5)


def _areas_corrected(app, w) -> bool:
    from tracker.escalations.models import EscalationArea

    return value(app, select(func.count()).select_from(EscalationArea).where(EscalationArea.area == "health")) == 1


def _stage_corrected(app, w) -> bool:
    from tracker.escalations.models import EscalationStage

    return value(app, select(EscalationStage.started_date)) == D(2023, 3, 2)


@dataclass(frozen=True)
class Action:
    url: Callable[[World], str]  # what the form posts to
    data: dict
    saved: Callable  # (app, world) -> the change is in the database
    allowed: frozenset  # the visitors who may
    page: Callable[[World], str] | None = None  # the page whose link or form offers it (GET)
    offered: Callable[[World], str] | None = None  # a CSS selector of that link or form
    form_page: bool = True  # the URL is also a page (GET) with the form


def _child_page(w):
    return f"/children/{w.child_id}"


def _escalation_page(w):
    return f"/escalations/{w.escalation_id}"


RECORDING = frozenset(QAROS | {"iro_manager"})  # anything new, about any child: covering for a colleague
ALLOCATED = frozenset({"qaro-allocated", "iro_manager"})  # the child's QARO
CHAIR_OR_ALLOCATED = frozenset({"qaro-allocated", "qaro-chair", "iro_manager"})  # chaired/raised, or the child's
IRO_MANAGER = frozenset({"iro_manager"})

ACTIONS = {
    "edit child": Action(
        lambda w: f"/children/{w.child_id}/edit",
        {"first_name": "Changed", "last_name": "Smith", "date_of_birth": date(D(2012, 5, 1))},
        _child_saved,
        ALLOCATED,
        _child_page,
        lambda w: f"a[href='/children/{w.child_id}/edit']",
    ),
    "add care period": Action(
        lambda w: f"/children/{w.child_id}/periods/new",
        {"start_date": date(D(2021, 1, 1)), "end_date": date(D(2021, 6, 30)), "legal_status": ""},
        _period_added,
        ALLOCATED,
        _child_page,
        lambda w: f"a[href='/children/{w.child_id}/periods/new']",
    ),
    "edit care period": Action(
        lambda w: f"/children/{w.child_id}/periods/{w.period_id}/edit",
        {"start_date": date(D(2022, 1, 1)), "end_date": ["", "", ""], "legal_status": "C2"},
        _period_saved,
        ALLOCATED,
        _child_page,
        lambda w: f"a[href='/children/{w.child_id}/periods/{w.period_id}/edit']",
    ),
    "record review": Action(
        lambda w: f"/children/{w.child_id}/reviews/new",
        {"review_date": date(D(2023, 1, 10)), "officer_id": "", "participation_code": "PN1"},
        _review_recorded,
        RECORDING,
        _child_page,
        lambda w: f"a[href='/children/{w.child_id}/reviews/new']",
    ),
    "edit review": Action(
        lambda w: f"/children/{w.child_id}/reviews/{w.review_id}/edit",
        {"review_date": date(D(2022, 1, 20)), "officer_id": "QC", "participation_code": "PN3"},
        _review_saved,
        CHAIR_OR_ALLOCATED,
        _child_page,
        lambda w: f"a[href='/children/{w.child_id}/reviews/{w.review_id}/edit']",
    ),
    "remove review": Action(
        lambda w: f"/children/{w.child_id}/reviews/{w.review_id}/remove",
        {"reason": "Recorded against the wrong child"},
        _review_removed,
        IRO_MANAGER,
        _child_page,
        lambda w: f"a[href='/children/{w.child_id}/reviews/{w.review_id}/remove']",
    ),
    "remove care period": Action(
        lambda w: f"/children/{w.child_id}/periods/{w.old_period_id}/remove",
        {"reason": "Never in care then"},
        _period_removed,
        IRO_MANAGER,
        _child_page,
        lambda w: f"a[href='/children/{w.child_id}/periods/{w.old_period_id}/remove']",
    ),
    "plan review": Action(
        lambda w: f"/children/{w.child_id}/plan",
        {"planned_review_date": date(D(2023, 7, 20))},
        _planned,
        ALLOCATED,
        _child_page,
        lambda w: f"a[href='/children/{w.child_id}/plan']",
    ),
    "record contact": Action(
        lambda w: f"/children/{w.child_id}/contacts/new",
        {"contact_date": date(D(2023, 2, 1)), "contact_type": "visit", "officer_id": ""},
        _contact_recorded,
        RECORDING,
        _child_page,
        lambda w: f"a[href='/children/{w.child_id}/contacts/new']",
    ),
    "edit contact": Action(
        lambda w: f"/children/{w.child_id}/contacts/{w.contact_id}/edit",
        {"contact_date": date(D(2022, 2, 1)), "contact_type": "phone", "officer_id": "QC"},
        _contact_saved,
        CHAIR_OR_ALLOCATED,
        _child_page,
        lambda w: f"a[href='/children/{w.child_id}/contacts/{w.contact_id}/edit']",
    ),
    "remove contact": Action(
        lambda w: f"/children/{w.child_id}/contacts/{w.contact_id}/remove",
        {"reason": "Recorded twice"},
        _contact_removed,
        IRO_MANAGER,
        _child_page,
        lambda w: f"a[href='/children/{w.child_id}/contacts/{w.contact_id}/remove']",
    ),
    "raise escalation": Action(
        lambda w: "/escalations/new",
        {"child_id": "C1", "stage": "informal", "started_date": date(D(2023, 6, 1)), "areas": ["health"]},
        lambda app, w: _escalations(app, w) == 2,
        RECORDING,
        _child_page,
        lambda w: f"a[href='/escalations/new?child={w.child_id}']",
    ),
    "respond": Action(
        lambda w: f"/escalations/{w.escalation_id}/response",
        {"response-response_date": date(D(2023, 3, 5)), "response-response_summary": "Plan agreed"},
        _responded,
        CHAIR_OR_ALLOCATED,
        _escalation_page,
        lambda w: f"form[action='/escalations/{w.escalation_id}/response']",
        form_page=False,
    ),
    "escalate": Action(
        lambda w: f"/escalations/{w.escalation_id}/escalate",
        {"escalate-to_stage": "stage1", "escalate-started_date": date(D(2023, 3, 10))},
        lambda app, w: len(_stage(app, w, "stages")) == 2,
        CHAIR_OR_ALLOCATED,
        _escalation_page,
        lambda w: f"form[action='/escalations/{w.escalation_id}/escalate']",
        form_page=False,
    ),
    "correct escalation": Action(
        lambda w: f"/escalations/{w.escalation_id}/edit",
        {"areas": ["health"], "summary": "Corrected"},
        _areas_corrected,
        CHAIR_OR_ALLOCATED,
        _escalation_page,
        lambda w: f"a[href='/escalations/{w.escalation_id}/edit']",
    ),
    "correct escalation stage": Action(
        lambda w: f"/escalations/{w.escalation_id}/stages/informal/edit",
        {"started_date": date(D(2023, 3, 2))},
        _stage_corrected,
        CHAIR_OR_ALLOCATED,
        _escalation_page,
        lambda w: f"a[href='/escalations/{w.escalation_id}/stages/informal/edit']",
    ),
    "close": Action(
        lambda w: f"/escalations/{w.escalation_id}/close",
        {"close-closed_date": date(D(2023, 3, 20)), "close-resolution": "withdrawn"},
        lambda app, w: _stage(app, w, "closed_date") == D(2023, 3, 20),
        CHAIR_OR_ALLOCATED,
        _escalation_page,
        lambda w: f"form[action='/escalations/{w.escalation_id}/close']",
        form_page=False,
    ),
}


def fingerprint(app) -> dict:
    with app.app_context():
        return inputs.fingerprint()


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("who", list(VISITORS))
def test_who_may_change_what(app, client, client_request, login_as, world, who, action):
    act = ACTIONS[action]
    allowed = who in act.allowed
    sign_in(app, client, login_as, who)

    # the page offers the link or the form exactly when the visitor may use it
    if act.page is not None:
        page = Page(client.get(act.page(world)))
        shown = page.status == 200 and bool(page.select(act.offered(world)))
        assert shown == allowed, f"{who} {'is not' if allowed else 'is'} offered {action}"
    # the form page opens, or 403
    if act.form_page:
        url = act.url(world) + (f"?child={world.child_id}" if action == "raise escalation" else "")
        client_request.get(url, status=200 if allowed else 403)

    before = fingerprint(app)
    assert not act.saved(app, world)
    if allowed:
        client_request.post(act.url(world), act.data, status=302)
        assert act.saved(app, world), f"{who}: {action} was not saved"
    else:
        page = client_request.post(act.url(world), act.data, status=403)
        assert page.h1 == "You do not have access to this page"
        assert inputs.changed_tables(before, fingerprint(app)) == [], f"{who}: a refused {action} wrote something"


def test_the_table_covers_every_action_and_visitor():
    """The brief's table: every action that changes a child, a care period, a review, an IRO
    contact or an escalation, for the QAROs by relationship and the roles around them."""
    assert set(ACTIONS) == {
        "edit child",
        "plan review",
        "add care period",
        "edit care period",
        "remove care period",
        "record review",
        "edit review",
        "remove review",
        "record contact",
        "edit contact",
        "remove contact",
        "raise escalation",
        "respond",
        "escalate",
        "correct escalation",
        "correct escalation stage",
        "close",
    }
    assert {"qaro-allocated", "qaro-chair", "qaro-other", "iro_manager", "manager", "lado"} <= set(VISITORS)


# --- finding 8 --------------------------------------------------------------------------------------


@pytest.fixture
def of_qaro_a(app):
    """QARO A's child, the review A chaired and the escalation A raised; QARO B is a colleague."""
    from tests.escalations import factories as escalations
    from tests.reviews import factories as reviews
    from tracker.extensions import db

    with app.app_context():
        reviews.officer("QA")
        reviews.officer("QB")
        child = reviews.child("C1", start="2022-01-01", officer_id="QA")
        held = reviews.review(child, "2022-01-20", officer_id="QA", participation_code="PN1")
        escalation = escalations.escalation(child, raised_by="QA")
        db.session.commit()
        return World(child.child_id, child.care_periods[0].id, held.review_id, escalation.escalation_id)


def test_finding_8_a_qaro_cannot_change_a_colleagues_review_or_escalation(app, client, client_request, of_qaro_a):
    w = of_qaro_a
    edit = f"/children/{w.child_id}/reviews/{w.review_id}/edit"
    remove = f"/children/{w.child_id}/reviews/{w.review_id}/remove"
    respond = f"/escalations/{w.escalation_id}/response"
    sign_in(app, client, None, "qaro-other")  # QB
    before = fingerprint(app)

    client_request.get(edit, status=403)
    client_request.post(edit, {"review_date": date(D(2022, 1, 21)), "participation_code": "PN7"}, status=403)
    client_request.get(remove, status=403)
    client_request.post(remove, {"reason": "Mine now"}, status=403)
    client_request.post(respond, {"response-response_date": date(D(2023, 3, 5))}, status=403)
    for correction in (f"/escalations/{w.escalation_id}/edit", f"/escalations/{w.escalation_id}/stages/informal/edit"):
        client_request.get(correction, status=403)
        client_request.post(correction, {"areas": ["health"], "started_date": date(D(2023, 3, 2))}, status=403)
    assert inputs.changed_tables(before, fingerprint(app)) == []

    # nothing offered: B may still record a review or a contact for A's child (covering for A)
    child_page = client_request.get(f"/children/{w.child_id}")
    assert not {edit, remove, f"/children/{w.child_id}/edit"} & set(child_page.hrefs())
    assert {f"/children/{w.child_id}/reviews/new", f"/children/{w.child_id}/contacts/new"} <= set(child_page.hrefs())
    assert "changed by their allocated QARO or the IRO manager" in child_page.text_of("#not-your-child")
    escalation_page = client_request.get(f"/escalations/{w.escalation_id}")
    assert escalation_page.select("main form") == []
    assert not [href for href in escalation_page.hrefs() if href.endswith("/edit")]  # no correction offered

    # A changes their own review and answers their own escalation, but does not remove
    sign_in(app, client, None, "qaro-allocated")  # QA
    own_page = client_request.get(f"/children/{w.child_id}")
    assert remove not in own_page.hrefs() and own_page.select("#not-your-child") == []
    client_request.post(edit, {"review_date": date(D(2022, 1, 21)), "officer_id": "QA", "participation_code": "PN7"})
    client_request.post(respond, {"response-response_date": date(D(2023, 3, 5))})
    client_request.get(remove, status=403)
    client_request.post(remove, {"reason": "Mine"}, status=403)
    assert _responded(app, w)
    assert not _review_removed(app, w)


# --- removing a review: the IRO manager, with a reason --------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "], ids=["blank", "spaces"])
def test_a_removal_without_a_reason_is_refused(app, client_request, login_as, of_qaro_a, reason):
    w = of_qaro_a
    login_as("iro_manager")
    remove = f"/children/{w.child_id}/reviews/{w.review_id}/remove"
    form = client_request.get(remove)
    assert form.select("textarea[name='reason']")
    before = fingerprint(app)
    page = client_request.post(remove, {"reason": reason}, status=200)
    assert page.errors == ["Enter why the review is being removed"]
    assert page.field_error("reason") == "Enter why the review is being removed"
    assert inputs.changed_tables(before, fingerprint(app)) == []
    assert not _review_removed(app, w)


def test_the_reason_is_in_the_audit_row_of_the_removal(app, client_request, login_as, of_qaro_a):
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    w = of_qaro_a
    manager = login_as("iro_manager")
    client_request.post(
        f"/children/{w.child_id}/reviews/{w.review_id}/remove", {"reason": "  Recorded twice: see R000002  "}
    )
    assert _review_removed(app, w)
    with app.app_context():
        (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "review.remove")).all()
        assert (entry.object_type, entry.object_id, entry.user_id) == ("review", w.review_id, manager.id)
        assert entry.after == {"reason": "Recorded twice: see R000002"}
        assert entry.before["review_id"] == w.review_id and entry.before["officer_id"] == "QA"
        assert "Recorded twice" not in entry.summary  # free text stays out of the summary (read by admins)


# --- the policy function itself ---------------------------------------------------------------------------


def test_may_edit_refuses_a_record_of_a_kind_without_a_rule(app):
    from tracker.core import permissions

    with app.app_context(), pytest.raises(TypeError, match="no edit rule"):
        permissions.may_edit(None, object())
