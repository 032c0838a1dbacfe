"""No lost updates (issue 10, item 3): two people open the same record's form; the first saves;
the second's save — made from a page that no longer shows the record as it is — is refused with
"Someone else changed this record since you opened it". The first save is what the database
holds, the second person's answers are still in the form, the record as it is now is shown beside
them, nothing (not even an audit row) is written, and saving the conflict page again saves
deliberately. For every form that changes an existing record, on SQLite and PostgreSQL.

Each case is what a browser does: both clients GET the page, read the form as shown (hidden
version included), change some answers and post the whole form back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select

from tests.conftest import ClientRequest
from tests.pages import Page

D = dt.date
MESSAGE = "Someone else changed this record since you opened it"
ROLES = {"cic": ("iro_manager",), "lado": ("lado",), "lado_manager": ("lado_manager",), "admin": ("admin",)}


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-30"}


# --- the records ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    child_id: str
    period_id: int
    review_id: str
    escalation_id: str
    lado: object  # tests.lado.factories.Seeded
    closed_referral_id: str
    rule: str
    user_id: int
    disabled_user_id: int
    contact_id: str = ""  # an IRO contact with the child


@pytest.fixture
def world(app) -> World:
    """One of every editable record, built through the operations and committed."""
    from tests.escalations import factories as escalations
    from tests.lado import factories as lado
    from tests.reviews import factories as reviews
    from tracker.auth import operations as users
    from tracker.extensions import db
    from tracker.lado.models import LadoReferral

    with app.app_context():
        reviews.officer("Q1")
        reviews.officer("Q2", team="South")
        child = reviews.child("C1", start="2022-06-01", officer_id="Q1", first_name="Amy", last_name="Ng")
        held = reviews.review(child, "2022-06-20", officer_id="Q1", participation_code="PN1")
        made = reviews.contact(child, "2022-07-01", officer_id="Q1")
        escalation = escalations.escalation(child)
        seeded = lado.seeded()
        # its outcome (closing needs one), reached without an IEM: the outcome page asks why (issue 11)
        lado.outcome(db.session.get(LadoReferral, seeded.referral_id), "unfounded", D(2023, 1, 10))
        closed = lado.closed(lado.referral(D(2023, 2, 1)), D(2023, 3, 1))
        target = users.create_user(
            email="target@example.org", name="Target User", roles=["qaro"], password=None, actor="test"
        )
        disabled = users.create_user(
            email="disabled@example.org", name="Disabled User", roles=["qaro"], password=None, actor="test"
        )
        users.set_active(disabled, False, actor="test")
        db.session.commit()
        return World(
            child_id=child.child_id,
            period_id=child.care_periods[0].id,
            review_id=held.review_id,
            escalation_id=escalation.escalation_id,
            lado=seeded,
            closed_referral_id=closed.referral_id,
            rule="review_minutes",
            user_id=target.id,
            disabled_user_id=disabled.id,
            contact_id=made.contact_id,
        )


def stored(app, model: str, key: dict, attribute: str):
    """A column (or property) of a record as the database holds it now."""
    from tracker.extensions import db

    with app.app_context():
        found = db.session.execute(select(_model(model)).filter_by(**key)).scalar_one_or_none()
        value = None if found is None else getattr(found, attribute)
        return [str(v) for v in value] if isinstance(value, list) else value


def _model(name: str):
    from tracker.auth.models import User
    from tracker.core.timescales import TimescaleRule
    from tracker.escalations.models import Escalation, EscalationStage
    from tracker.lado.models import LadoAction, LadoContact, LadoMeeting, LadoPerson, LadoReferral
    from tracker.reviews.models import CarePeriod, Child, IroContact, Review

    return {
        m.__name__: m
        for m in (
            User,
            TimescaleRule,
            Escalation,
            EscalationStage,
            LadoAction,
            LadoContact,
            LadoMeeting,
            LadoPerson,
            LadoReferral,
            CarePeriod,
            Child,
            IroContact,
            Review,
        )
    }[name]


def change_rows(app) -> int:
    """Audit rows of changes (reads of LADO records are not changes)."""
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action != "lado_record.read")
        )


# --- a browser's view of a form --------------------------------------------------------------------


def form_data(page: Page, action: str | None) -> dict[str, list[str]]:
    """What the browser would post: the form posting to ``action`` (None: the page's one form
    without an action), every named control as shown — checked boxes only, the selected option."""
    forms = [f for f in page.select("main form") if (f.get("method") or "").lower() == "post"]
    chosen = [f for f in forms if f.get("action") == action] if action else [f for f in forms if not f.get("action")]
    assert len(chosen) == 1, f"{len(chosen)} forms post to {action!r}"
    data: dict[str, list[str]] = {}
    for control in chosen[0].select("input, select, textarea"):
        name = control.get("name")
        if not name or control.has_attr("disabled"):
            continue
        if control.name == "input":
            kind = (control.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and not control.has_attr("checked"):
                continue
            if kind in ("submit", "button", "reset", "image", "file"):
                continue
            value = control.get("value", "on" if kind in ("checkbox", "radio") else "")
        elif control.name == "select":
            options = control.select("option[selected]") or control.select("option")[:1]
            value = options[0].get("value", options[0].get_text()) if options else ""
        else:
            value = control.get_text().removeprefix("\n")
        data.setdefault(name, []).append(value)
    return data


def with_changes(data: dict[str, list[str]], changes: dict) -> dict[str, list[str]]:
    """The form with some answers changed: a string or a list of strings, or None to uncheck."""
    changed = dict(data)
    for name, value in changes.items():
        if value is None:
            changed.pop(name, None)
        else:
            changed[name] = [value] if isinstance(value, str) else list(value)
    return changed


def version_name(data: dict) -> str:
    """The form's version field (``version``, or ``<prefix>-version``)."""
    return next(name for name in data if name == "version" or name.endswith("-version"))


def date(day: dt.date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def signed_in(app, csrf_token, roles, email: str, **fields) -> ClientRequest:
    """A second browser: its own client, signed in as a new user holding ``roles``."""
    from tracker.auth.models import User
    from tracker.extensions import db

    with app.app_context():
        user = User(email=email, name=email.split("@")[0], **fields)
        user.set_roles(roles)
        db.session.add(user)
        db.session.commit()
        user_id = user.id
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user_id)
        sess["_fresh"] = True
    return ClientRequest(client, csrf_token)


# --- the cases ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A form, its page and the answers changed: ``page`` is where the form is shown; ``action``
    the form's action when it is not the page itself."""

    page: Callable[[World], str]
    changes: dict
    action: Callable[[World], str] | None = None


@dataclass(frozen=True)
class Case:
    roles: str  # a key of ROLES
    record: tuple[str, Callable[[World], dict]]  # the model and the key of the record changed
    attribute: str  # what the first save changes (and the second's re-submit changes again)
    first: Step  # the colleague's save
    second: Step  # the stale save
    first_value: object
    second_value: object  # after the conflict page is saved again
    row: tuple[str, str, str] | None = None  # the conflict table's row: question, colleague's, yours
    kept: tuple[str, ...] = ()  # the second user's answers that must still be in the form
    extra: dict = field(default_factory=dict)


def _child_edit(w):
    return f"/children/{w.child_id}/edit"


def _review_edit(w):
    return f"/children/{w.child_id}/reviews/{w.review_id}/edit"


def _contact_edit(w):
    return f"/children/{w.child_id}/contacts/{w.contact_id}/edit"


def _escalation(w):
    return f"/escalations/{w.escalation_id}"


def _referral(w, step):
    return f"/lado/referrals/{w.lado.referral_id}/{step}"


def _action(w):
    return f"/lado/actions/{w.lado.action_id}"


def _user(w):
    return f"/admin/users/{w.user_id}"


CHILD = ("Child", lambda w: {"child_id": w.child_id})
CONTACT = ("IroContact", lambda w: {"contact_id": w.contact_id})
REVIEW = ("Review", lambda w: {"review_id": w.review_id})
ESCALATION = ("Escalation", lambda w: {"escalation_id": w.escalation_id})
REFERRAL = ("LadoReferral", lambda w: {"referral_id": w.lado.referral_id})
LATE = {"outcome_late_reason": "Waiting for the police investigation"}  # an outcome after its timescale
ACTION = ("LadoAction", lambda w: {"action_id": w.lado.action_id})
ADVICE_PERSON_REF = "P0002"  # the seeded advice contact's subject (tests.lado.factories.seeded)
USER = ("User", lambda w: {"id": w.user_id})

CASES = {
    # --- children and reviews ---
    "child details": Case(
        "cic",
        CHILD,
        "first_name",
        Step(_child_edit, {"first_name": "Anne"}),
        Step(_child_edit, {"first_name": "Bea", "gender": "Female"}),
        "Anne",
        "Bea",
        row=("First name", "Anne", "Bea"),
        kept=("first_name", "gender"),
    ),
    "allocation": Case(
        "cic",
        CHILD,
        "iro_officer_id",
        Step(lambda w: f"/children/{w.child_id}/allocate", {"officer_id": "Q2"}),
        Step(lambda w: f"/children/{w.child_id}/allocate", {"officer_id": ""}),
        "Q2",
        None,
        row=("Allocated QARO", "Officer Q2 (Q2)", "Not entered"),
        kept=("officer_id",),
    ),
    "care period": Case(
        "cic",
        ("CarePeriod", lambda w: {"id": w.period_id}),
        "legal_status",
        Step(lambda w: f"/children/{w.child_id}/periods/{w.period_id}/edit", {"legal_status": "C2"}),
        Step(lambda w: f"/children/{w.child_id}/periods/{w.period_id}/edit", {"legal_status": "E1"}),
        "C2",
        "E1",
        row=("Legal status", "C2 – Full care order", "E1 – Placement order granted"),
        kept=("legal_status",),
    ),
    "review": Case(
        "cic",
        REVIEW,
        "minutes_date",
        Step(_review_edit, {"minutes_date": date(D(2022, 6, 30))}),
        Step(_review_edit, {"minutes_date": date(D(2022, 7, 1)), "advocate": "y"}),
        D(2022, 6, 30),
        D(2022, 7, 1),
        row=("Date the full minutes were completed", "30 June 2022", "1 July 2022"),
        kept=("minutes_date", "advocate"),
    ),
    "review removed": Case(
        "cic",
        REVIEW,
        "minutes_date",
        Step(_review_edit, {"minutes_date": date(D(2022, 6, 30))}),
        Step(lambda w: f"/children/{w.child_id}/reviews/{w.review_id}/remove", {"reason": "Recorded twice"}),
        D(2022, 6, 30),
        "removed",
        kept=("reason",),
    ),
    "IRO contact": Case(
        "cic",
        CONTACT,
        "contact_type",
        Step(_contact_edit, {"contact_type": "phone"}),
        Step(_contact_edit, {"contact_type": "video", "contact_date": date(D(2022, 7, 2))}),
        "phone",
        "video",
        row=("Type of contact", "Phone call", "Video call"),
        kept=("contact_type", "contact_date"),
    ),
    "IRO contact removed": Case(
        "cic",
        CONTACT,
        "contact_type",
        Step(_contact_edit, {"contact_type": "phone"}),
        Step(lambda w: f"/children/{w.child_id}/contacts/{w.contact_id}/remove", {"reason": "Recorded twice"}),
        "phone",
        "removed",
        kept=("reason",),
    ),
    "planned review": Case(
        "cic",
        CHILD,
        "planned_review_date",
        Step(lambda w: f"/children/{w.child_id}/plan", {"planned_review_date": date(D(2023, 7, 20))}),
        Step(lambda w: f"/children/{w.child_id}/plan", {"planned_review_date": date(D(2023, 8, 1))}),
        D(2023, 7, 20),
        D(2023, 8, 1),
        row=("Planned date of the next review", "20 July 2023", "1 August 2023"),
        kept=("planned_review_date",),
    ),
    # --- escalations (the response is recorded on the current stage) ---
    "escalation response": Case(
        "cic",
        ESCALATION,
        "stage_count",
        Step(
            _escalation,
            {"escalate-to_stage": "stage1", "escalate-started_date": date(D(2023, 3, 10))},
            lambda w: f"{_escalation(w)}/escalate",
        ),
        Step(
            _escalation,
            {"response-response_date": date(D(2023, 3, 12)), "response-response_summary": "Agreed to act"},
            lambda w: f"{_escalation(w)}/response",
        ),
        2,
        2,
        row=("Date of the response", "Not entered", "12 March 2023"),
        kept=("response-response_date", "response-response_summary"),
    ),
    "escalation escalate": Case(
        "cic",
        ESCALATION,
        "stage_count",
        Step(_escalation, {"response-response_date": date(D(2023, 3, 5))}, lambda w: f"{_escalation(w)}/response"),
        Step(
            _escalation,
            {"escalate-to_stage": "stage2", "escalate-started_date": date(D(2023, 3, 20)), "escalate-to_whom": "HoS"},
            lambda w: f"{_escalation(w)}/escalate",
        ),
        1,
        2,
        kept=("escalate-to_stage", "escalate-started_date", "escalate-to_whom"),
    ),
    "escalation close": Case(
        "cic",
        ESCALATION,
        "resolution",
        Step(_escalation, {"response-response_date": date(D(2023, 3, 5))}, lambda w: f"{_escalation(w)}/response"),
        Step(
            _escalation,
            {"close-closed_date": date(D(2023, 3, 20)), "close-resolution": "withdrawn"},
            lambda w: f"{_escalation(w)}/close",
        ),
        None,
        "withdrawn",
        row=("Resolution", "Not entered", "Withdrawn"),
        kept=("close-closed_date", "close-resolution"),
    ),
    "escalation details": Case(
        "cic",
        ESCALATION,
        "summary",
        Step(lambda w: f"{_escalation(w)}/edit", {"summary": "Care plan not followed"}),
        Step(lambda w: f"{_escalation(w)}/edit", {"summary": "Health plan missing", "areas": ["care_plan", "health"]}),
        "Care plan not followed",
        "Health plan missing",
        row=("Summary", "Care plan not followed", "Health plan missing"),
        kept=("summary", "areas"),
    ),
    "escalation stage": Case(
        "cic",
        ("EscalationStage", lambda w: {"stage": "informal"}),  # the world's one escalation's first stage
        "started_date",
        Step(lambda w: f"{_escalation(w)}/stages/informal/edit", {"started_date": date(D(2023, 3, 2))}),
        Step(
            lambda w: f"{_escalation(w)}/stages/informal/edit",
            {"started_date": date(D(2023, 3, 3)), "to_whom": "Team manager"},
        ),
        D(2023, 3, 2),
        D(2023, 3, 3),
        row=("Date the stage started", "2 March 2023", "3 March 2023"),
        kept=("started_date", "to_whom"),
    ),
    # --- LADO ---
    "LADO contact": Case(
        "lado",
        ("LadoContact", lambda w: {"contact_id": w.lado.advice_contact_id}),
        "summary",
        Step(lambda w: f"/lado/contacts/{w.lado.advice_contact_id}/edit", {"summary": "Called back"}),
        Step(
            lambda w: f"/lado/contacts/{w.lado.advice_contact_id}/edit",
            {"summary": "Advice given", "categories": ["physical", "sexual"]},
        ),
        "Called back",
        "Advice given",
        row=("Summary", "Called back", "Advice given"),
        kept=("summary", "categories"),
    ),
    "LADO contact to referral": Case(
        "lado",
        ("LadoContact", lambda w: {"contact_id": w.lado.advice_contact_id}),
        "summary",
        Step(lambda w: f"/lado/contacts/{w.lado.advice_contact_id}/edit", {"summary": "Called back"}),
        Step(
            lambda w: f"/lado/contacts/{w.lado.advice_contact_id}/referral",
            {"referral_date": date(D(2023, 1, 5)), "police_investigation": "y"},
        ),
        "Called back",
        "Called back",
        kept=("referral_date", "police_investigation"),
        extra={"then": ("disposition", "referral")},
    ),
    "LADO meeting": Case(
        "lado",
        ("LadoMeeting", lambda w: {"meeting_id": w.lado.meeting_id}),
        "decisions",
        Step(lambda w: f"/lado/meetings/{w.lado.meeting_id}/edit", {"decisions": "Refer to police"}),
        Step(
            lambda w: f"/lado/meetings/{w.lado.meeting_id}/edit",
            {"decisions": "No further action", "attendees": "LADO, head, police"},
        ),
        "Refer to police",
        "No further action",
        row=("Decisions", "Refer to police", "No further action"),
        kept=("decisions", "attendees"),
    ),
    "LADO person": Case(
        "lado",
        ("LadoPerson", lambda w: {"ref": w.lado.person_ref}),
        "notes",
        Step(lambda w: f"/lado/people/{w.lado.person_public_id}", {"notes": "Moved school"}),
        Step(lambda w: f"/lado/people/{w.lado.person_public_id}", {"notes": "Works weekends", "name": "Joanne Bloggs"}),
        "Moved school",
        "Works weekends",
        row=("Notes", "Moved school", "Works weekends"),
        kept=("notes", "name"),
    ),
    "LADO person merge": Case(
        "lado_manager",
        ("LadoPerson", lambda w: {"ref": w.lado.person_ref}),
        "merged_into_ref",
        Step(lambda w: f"/lado/people/{w.lado.person_public_id}", {"notes": "Moved school"}),
        Step(
            lambda w: f"/lado/people/{w.lado.person_public_id}",
            {"other_ref": ADVICE_PERSON_REF, "keep": "other"},
            lambda w: f"/lado/people/{w.lado.person_public_id}/merge",
        ),
        None,
        ADVICE_PERSON_REF,  # merged into the other person: this record now points to it
        kept=("other_ref", "keep"),
    ),
    "LADO referral details": Case(
        "lado",
        REFERRAL,
        "officer_id",
        Step(lambda w: _referral(w, "details"), {"officer_id": "L1"}),
        Step(lambda w: _referral(w, "details"), {"officer_id": "L2", "police_investigation": "y"}),
        "L1",
        "L2",
        row=("Allocated LADO officer", "first-lado (L1)", "second-lado (L2)"),  # the select's labels
        kept=("officer_id", "police_investigation"),
    ),
    "LADO referral outcome": Case(
        "lado",
        REFERRAL,
        "outcome",
        # later than the outcome's timescale (30 January): with the reason for the delay (issue 11)
        Step(lambda w: _referral(w, "outcome"), {"outcome": "unfounded", "outcome_date": date(D(2023, 2, 1))} | LATE),
        Step(
            lambda w: _referral(w, "outcome"), {"outcome": "substantiated", "outcome_date": date(D(2023, 2, 2))} | LATE
        ),
        "unfounded",
        "substantiated",
        row=("Outcome", "Unfounded", "Substantiated"),
        kept=("outcome", "outcome_date"),
    ),
    "LADO referral DBS": Case(
        "lado",
        REFERRAL,
        "dbs_referral_date",
        Step(lambda w: _referral(w, "dbs"), {"dbs_referral_date": date(D(2023, 2, 1))}),
        Step(lambda w: _referral(w, "dbs"), {"dbs_referral_date": date(D(2023, 2, 3))}),
        D(2023, 2, 1),
        D(2023, 2, 3),
        row=("Date of the referral to the DBS", "1 February 2023", "3 February 2023"),
        kept=("dbs_referral_date",),
    ),
    "LADO referral close": Case(
        "lado",
        REFERRAL,
        "closed_date",
        Step(lambda w: _referral(w, "details"), {"officer_id": "L1"}),
        Step(lambda w: _referral(w, "close"), {"closed_date": date(D(2023, 6, 1))}),
        None,
        D(2023, 6, 1),
        kept=("closed_date",),
    ),
    "LADO referral reopen": Case(
        "lado",
        ("LadoReferral", lambda w: {"referral_id": w.closed_referral_id}),
        "closed_date",
        Step(lambda w: f"/lado/referrals/{w.closed_referral_id}/reopen", {"reason": "New information"}),
        Step(lambda w: f"/lado/referrals/{w.closed_referral_id}/reopen", {"reason": "Police asked"}),
        D(2023, 6, 2),
        None,
        kept=("reason",),
        extra={"first_then": ("close", {"closed_date": date(D(2023, 6, 2))})},
    ),
    "LADO action edit": Case(
        "lado",
        ACTION,
        "owner",
        Step(lambda w: f"{_action(w)}/edit", {"owner": "Employer"}),
        Step(lambda w: f"{_action(w)}/edit", {"owner": "Trust HR", "description": "Training for all staff"}),
        "Employer",
        "Trust HR",
        row=("Who does it (for example the employer)", "Employer", "Trust HR"),
        kept=("owner", "description"),
    ),
    "LADO action complete": Case(
        "lado",
        ACTION,
        "completed_date",
        Step(_action, {"notes": "Chased"}, lambda w: f"{_action(w)}/review"),
        Step(_action, {"completed_date": date(D(2023, 1, 20))}, lambda w: f"{_action(w)}/complete"),
        None,
        D(2023, 1, 20),
        kept=("completed_date",),
    ),
    "LADO action review": Case(
        "lado",
        ACTION,
        "review_notes",
        Step(_action, {"notes": "Chased"}, lambda w: f"{_action(w)}/review"),
        Step(_action, {"notes": "Done in March"}, lambda w: f"{_action(w)}/review"),
        "2023-06-30: Chased",
        "2023-06-30: Chased\n2023-06-30: Done in March",
        row=("Quarterly review notes", "2023-06-30: Chased", "Done in March"),
        kept=("notes",),
    ),
    # --- administration ---
    "timescale rule": Case(
        "admin",
        ("TimescaleRule", lambda w: {"name": w.rule}),
        "amount",
        Step(lambda w: f"/admin/rules/{w.rule}", {"amount": "25"}),
        Step(lambda w: f"/admin/rules/{w.rule}", {"amount": "30"}),
        25,
        30,
        row=("Amount", "25", "30"),
        kept=("amount",),
    ),
    "user roles": Case(
        "admin",
        USER,
        "role_codes",
        Step(_user, {"roles": ["qaro", "analyst"]}, lambda w: f"{_user(w)}/roles"),
        Step(_user, {"roles": ["iro_manager"]}, lambda w: f"{_user(w)}/roles"),
        ["analyst", "qaro"],
        ["iro_manager"],
        kept=("roles",),
    ),
    "user details": Case(
        "admin",
        USER,
        "name",
        Step(lambda w: f"{_user(w)}/edit", {"name": "Tara Get"}),
        Step(lambda w: f"{_user(w)}/edit", {"name": "Tara Getty", "team": "East"}),
        "Tara Get",
        "Tara Getty",
        row=("Full name", "Tara Get", "Tara Getty"),
        kept=("name", "team"),
    ),
    "user password reset": Case(
        "admin",
        USER,
        "must_change_password",
        Step(lambda w: f"{_user(w)}/edit", {"team": "East"}),
        Step(_user, {}, lambda w: f"{_user(w)}/password"),
        False,
        True,
        extra={"saved_status": 200},  # the temporary password is shown on the page, never redirected
    ),
    "user disabled": Case(
        "admin",
        USER,
        "active",
        Step(_user, {"roles": ["qaro", "analyst"]}, lambda w: f"{_user(w)}/roles"),
        Step(_user, {}, lambda w: f"{_user(w)}/disable"),
        True,
        False,
    ),
    "user enabled": Case(
        "admin",
        ("User", lambda w: {"id": w.disabled_user_id}),
        "active",
        Step(
            lambda w: f"/admin/users/{w.disabled_user_id}",
            {"roles": ["analyst"]},
            lambda w: f"/admin/users/{w.disabled_user_id}/roles",
        ),
        Step(lambda w: f"/admin/users/{w.disabled_user_id}", {}, lambda w: f"/admin/users/{w.disabled_user_id}/enable"),
        False,
        True,
    ),
}


def value_now(app, world: World, case: Case):
    model, key = case.record
    if case.attribute == "stage_count":
        stages = stored(app, model, key(world), "stages")
        return None if stages is None else len(stages)
    if case.second_value == "removed" and stored(app, model, key(world), "removed_at") is not None:
        return "removed"
    return stored(app, model, key(world), case.attribute)


@pytest.mark.parametrize("name", list(CASES))
def test_a_stale_save_shows_the_conflict_and_overwrites_nothing(app, csrf_token, world, name):
    case = CASES[name]
    first = signed_in(app, csrf_token, ROLES[case.roles], f"first-{case.roles}@example.org", officer_id="L1")
    second = signed_in(app, csrf_token, ROLES[case.roles], f"second-{case.roles}@example.org", officer_id="L2")

    def url(make):
        return make(world) if make else None

    # both open the form
    first_form = form_data(first.get(url(case.first.page)), url(case.first.action))
    second_page = second.get(url(case.second.page))
    second_form = form_data(second_page, url(case.second.action))
    target = url(case.second.action) or url(case.second.page)
    version_opened = second_form[version_name(second_form)]

    # the first saves
    first.post(url(case.first.action) or url(case.first.page), with_changes(first_form, case.first.changes))
    if "first_then" in case.extra:  # e.g. re-opened, then closed again
        step, changes = case.extra["first_then"]
        page_url = f"/lado/referrals/{world.closed_referral_id}/{step}"
        first.post(page_url, with_changes(form_data(first.get(page_url), None), changes))
    assert value_now(app, world, case) == case.first_value
    rows_before = change_rows(app)

    # the second saves from the page opened before: refused, nothing written
    posted = with_changes(second_form, case.second.changes)
    page = second.post(target, posted, status=200)
    assert page.errors == [MESSAGE]
    href = page.one(".govuk-error-summary__list a")["href"]
    conflict = page.one("[data-conflict]")
    assert conflict.get("id") == href.removeprefix("#")
    assert page.text_of("[data-conflict] h2") == MESSAGE
    assert value_now(app, world, case) == case.first_value
    assert change_rows(app) == rows_before
    assert page.title.startswith("Error: ")

    # the record as it is now beside the second user's answers
    if case.row is not None:
        table = page.one("[data-conflict] table")
        assert table.select_one("caption") is not None
        assert [c.get_text(" ", strip=True) for c in table.select("thead th")] == [
            "Question",
            "Saved by your colleague",
            "Your changes",
        ]
        assert list(case.row) in page.table("[data-conflict] table")

    # the second user's answers are still in the form, which now carries the current version
    shown = form_data(page, url(case.second.action))
    for name_kept in case.kept:
        assert shown.get(name_kept) == posted.get(name_kept), name_kept
    assert shown[version_name(shown)] != version_opened

    # saving the conflict page again saves, deliberately
    second.post(target, shown, status=case.extra.get("saved_status", 302))
    assert value_now(app, world, case) == case.second_value
    if "then" in case.extra:
        attribute, expected = case.extra["then"]
        model, key = case.record
        assert stored(app, model, key(world), attribute) == expected


def test_every_form_that_changes_a_record_carries_its_version():
    """The forms of the table are every versioned form (a new edit form needs a case)."""
    import tracker.admin.forms
    import tracker.escalations.forms
    import tracker.lado.forms
    import tracker.reviews.forms
    import tracker.rules.forms
    from tracker.core.forms import VersionedForm

    versioned = sorted(
        name
        for module in (
            tracker.admin.forms,
            tracker.escalations.forms,
            tracker.lado.forms,
            tracker.reviews.forms,
            tracker.rules.forms,
        )  # fmt: skip
        for name, cls in vars(module).items()
        if isinstance(cls, type) and issubclass(cls, VersionedForm) and cls.__module__ == module.__name__
    )
    assert versioned == [
        "ActionEditForm",
        "AllocateForm",
        "CarePeriodForm",
        "ChildForm",
        "CloseForm",
        "CloseForm",
        "CompleteActionForm",
        "ContactEditForm",
        "ContactForm",
        "DbsForm",
        "DetailsForm",
        "EscalateForm",
        "MeetingForm",
        "MergeForm",
        "OutcomeForm",
        "PersonForm",
        "PlanReviewForm",
        "ReferralDetailsForm",
        "ReferralForm",
        "RemoveForm",
        "ReopenForm",
        "ResetPasswordForm",
        "ResponseForm",
        "ReviewActionForm",
        "ReviewForm",
        "RolesForm",
        "RuleForm",
        "StageForm",
        "StatusForm",
        "UserDetailsForm",
    ]


# --- two saves racing between loading and saving: SQLAlchemy's optimistic lock -----------------------


def test_two_sessions_saving_the_same_row_the_second_raises_stale_data(app, world):
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    from tracker.extensions import db
    from tracker.lado.models import LadoPerson

    with app.app_context():
        mine = db.session.get(LadoPerson, world.lado.person_ref)
        loaded = mine.version
        with Session(db.engine) as colleague:
            theirs = colleague.get(LadoPerson, world.lado.person_ref)
            theirs.notes = "Saved first"
            colleague.commit()
            assert theirs.version == loaded + 1
        mine.notes = "Saved second"
        with pytest.raises(StaleDataError):
            db.session.flush()
        db.session.rollback()
    assert stored(app, "LadoPerson", {"ref": world.lado.person_ref}, "notes") == "Saved first"


def test_submit_turns_a_save_that_lost_the_race_into_the_conflict(app, world):
    """The version posted is the one loaded (the check before the operation passes), but a
    colleague's save commits between loading and saving: the flush finds the row changed."""
    from sqlalchemy.orm import Session

    from tracker.extensions import db
    from tracker.lado.forms import PersonForm
    from tracker.lado.models import LadoPerson
    from tracker.web.forms import submit

    ref = world.lado.person_ref
    with app.app_context():
        loaded = db.session.get(LadoPerson, ref).version
    posted = {"name": "Jo Bloggs", "notes": "Mine", "version": str(loaded), "date_of_birth": date(D(1980, 5, 17))}
    with app.test_request_context(method="POST", data=posted):
        person = db.session.get(LadoPerson, ref)
        form = PersonForm(meta={"csrf": False})

        def save():
            with Session(db.engine) as colleague:  # the colleague's save gets in first
                colleague.get(LadoPerson, ref).notes = "Theirs"
                colleague.commit()
            person.notes = form.notes.data

        assert submit(form, save, record=person) is None
        assert form.version.errors == [MESSAGE]
        assert form.version.data == str(loaded + 1)  # saving the page again overwrites knowingly
        assert [(r.label, r.theirs, r.yours) for r in form.conflict.rows] == [("Notes", "Theirs", "Mine")]
        assert form.notes.data == "Mine"
    assert stored(app, "LadoPerson", {"ref": ref}, "notes") == "Theirs"


@pytest.mark.parametrize("kind", ["review", "IRO contact"])
def test_a_record_removed_by_a_colleague_is_not_found(app, csrf_token, world, kind):
    """The review (or IRO contact) a QARO is changing was removed meanwhile: 404, nothing is
    saved, the record stays removed."""
    first = signed_in(app, csrf_token, ROLES["cic"], "first@example.org")
    second = signed_in(app, csrf_token, ROLES["cic"], "second@example.org")
    if kind == "review":
        edit, model, key, changes = _review_edit(world), *REVIEW, {"minutes_date": date(D(2022, 7, 1))}
    else:
        edit, model, key, changes = _contact_edit(world), *CONTACT, {"contact_type": "video"}
    opened = form_data(second.get(edit), None)
    remove = edit.removesuffix("/edit") + "/remove"
    first.post(remove, with_changes(form_data(first.get(remove), None), {"reason": "Recorded twice"}))
    second.post(edit, with_changes(opened, changes), status=404)
    assert stored(app, model, key(world), "removed_at") is not None
    assert stored(app, model, key(world), "version") == 2  # the removal only


@pytest.mark.parametrize(
    ("page", "action"),
    [
        (_escalation, lambda w: f"{_escalation(w)}/close"),
        (lambda w: _referral(w, "close"), None),
    ],
    ids=["escalation", "LADO referral"],
)
def test_two_people_closing_at_once_the_second_gets_the_conflict(app, csrf_token, world, page, action):
    """The escalation page offers no form once closed: the conflict is shown on its own (what
    the second person entered in its table); the LADO close page still shows the form."""
    first = signed_in(app, csrf_token, ("iro_manager", "lado"), "first@example.org")
    second = signed_in(app, csrf_token, ("iro_manager", "lado"), "second@example.org")
    url, target = page(world), action(world) if action else None
    prefix = "close-" if action else ""
    changes = {f"{prefix}closed_date": date(D(2023, 6, 1)), f"{prefix}resolution": "resolved"}
    first_form, second_form = form_data(first.get(url), target), form_data(second.get(url), target)
    first.post(target or url, with_changes(first_form, changes))
    mine = with_changes(second_form, changes | {f"{prefix}closed_date": date(D(2023, 6, 2))})
    shown = second.post(target or url, mine, status=200)
    assert shown.errors == [MESSAGE]
    assert shown.one(".govuk-error-summary__list a")["href"] == f"#{shown.one('[data-conflict]')['id']}"
    label = "Date the escalation closed" if action else "Date LADO involvement was concluded"
    assert [label, "1 June 2023", "2 June 2023"] in shown.table("[data-conflict] table")
    if action:
        assert not [f for f in shown.select("main form") if f.get("action") == target]
    else:
        assert form_data(shown, None)["closed_date"] == date(D(2023, 6, 2))
    model, key = ESCALATION if action else REFERRAL
    assert stored(app, model, key(world), "closed_date") == D(2023, 6, 1)


@pytest.mark.parametrize(
    ("roles", "page", "action", "changes", "record", "attribute", "expected"),
    [
        (
            "cic",
            _escalation,
            lambda w: f"{_escalation(w)}/response",
            {"response-response_date": date(D(2023, 3, 5))},
            ESCALATION,
            "stages",
            1,
        ),
        (
            "lado",
            _action,
            lambda w: f"{_action(w)}/complete",
            {"completed_date": date(D(2023, 1, 20))},
            ACTION,
            "completed_date",
            D(2023, 1, 20),
        ),
        ("admin", _user, lambda w: f"{_user(w)}/disable", {}, USER, "active", False),
    ],
    ids=["escalation response", "LADO action complete", "user disable"],
)
def test_the_same_change_made_twice_shows_the_conflict_where_the_form_was(
    app, csrf_token, world, roles, page, action, changes, record, attribute, expected
):
    """The colleague already did it: the page no longer offers that form (or offers the other
    button), so the conflict stands on its own, linked from the error summary; nothing is written."""
    first = signed_in(app, csrf_token, ROLES[roles], f"first-{roles}@example.org")
    second = signed_in(app, csrf_token, ROLES[roles], f"second-{roles}@example.org")
    url, target = page(world), action(world)
    first_form, second_form = form_data(first.get(url), target), form_data(second.get(url), target)
    first.post(target, with_changes(first_form, changes))
    rows_before = change_rows(app)
    shown = second.post(target, with_changes(second_form, changes), status=200)
    assert shown.errors == [MESSAGE]
    conflict = shown.one("[data-conflict]")
    assert shown.one(".govuk-error-summary__list a")["href"] == f"#{conflict['id']}"
    assert change_rows(app) == rows_before
    model, key = record
    value = stored(app, model, key(world), attribute)
    assert (len(value) if attribute == "stages" else value) == expected
