"""What the input tests (``test_input.py``, ``test_fuzz.py``) share: a world with one record of
each kind to post forms about (``seed_world``), the form classes of the application
(``form_classes``) and of a page (``forms_bound_by``), the values of URL arguments
(``url_values``) and a fingerprint of every table (``fingerprint``) to prove that a refused
submission or import changed nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import pkgutil
from contextlib import contextmanager
from dataclasses import dataclass

from flask_wtf import FlaskForm
from sqlalchemy import func, select

import tracker

TODAY = "2023-06-30"  # the world's records lie before it; meetings and due dates may lie after
D = dt.date


@dataclass(frozen=True)
class World:
    """The references of the seeded records (``seed_world``)."""

    user_id: int  # officer Q1, a QARO (not the signed-in administrator)
    child_id: str  # in care since 2020, a review and an IRO contact
    period_id: int
    review_id: str
    escalation_id: str  # open, informal stage
    contact_id: str  # LADO: the referral's contact
    advice_contact_id: str  # LADO: an advice contact (no referral)
    referral_id: str
    meeting_id: str
    action_id: str
    person_ref: str
    person_public_id: str
    organisation_ref: str
    rule_name: str
    closure_day: str  # not a closure day: removing it is "not found"
    iro_contact_id: str  # the child's IRO contact
    household_id: str = ""  # a temporary approval (a foster household) with a review
    carer_review_id: str = ""
    panel_meeting_id: str = ""  # a booked fostering panel meeting (after today)
    panel_case_id: str = ""  # a case heard at a held meeting: positive, minutes final, no ADM decision
    round_id: str = ""  # a consultation before the child's review on 20 July 2023
    respondent_id: int = 0  # its parent, asked by email, not answered
    token: str = ""  # the parent's personal link


def seed_world() -> World:
    """One record of each kind, made through the operations (inside an app context; committed)."""
    from tests.lado import factories as lado
    from tracker.auth import operations as users
    from tracker.consultations import operations as consultations
    from tracker.core.timescales import TimescaleRule
    from tracker.escalations import operations as escalations
    from tracker.extensions import db
    from tracker.panels import operations as panels
    from tracker.reviews import operations as reviews

    qaro = users.create_user(
        email="q1@example.org", name="Officer Q1", roles=["qaro"], password=None, officer_id="Q1", team="North"
    )
    users.create_user(email="l1@example.org", name="Officer L1", roles=["lado"], password=None, officer_id="L1")
    child = reviews.create_child(child_id="C00001", date_of_birth=D(2012, 5, 1), first_name="Sam", last_name="Smith")
    period = reviews.add_care_period(child, start_date=D(2020, 1, 1))
    review = reviews.record_review(child, review_date=D(2023, 1, 10), officer_id="Q1", participation_code="PN1")
    iro_contact = reviews.record_contact(child, contact_date=D(2023, 2, 1), contact_type="visit", officer_id="Q1")
    escalation = escalations.raise_escalation(
        child=child, raised_by="Q1", areas=["care_plan"], stage="informal", started_date=D(2023, 3, 1)
    )
    refs = lado.seeded()
    held = panels.book_meeting(panel="fostering", meeting_date=D(2023, 6, 13))
    panels.record_attendance(
        held, members=[("A", "chair"), ("B", "social_worker"), ("C", "other"), ("D", "other"), ("E", "independent")]
    )
    panel_case = panels.add_case(
        panel="fostering", case_type="approval", subject_ref="H001", meeting_id=held.meeting_id
    )
    panels.record_outcome(panel_case, recommendation="positive", minutes_final_date=D(2023, 6, 15))
    booked = panels.book_meeting(panel="fostering", meeting_date=D(2023, 7, 11))
    household = panels.create_household(carer_type="temporary", approval_date=D(2023, 4, 3))
    carer_review = panels.record_carer_review(household, review_date=D(2023, 5, 2))
    consultation = consultations.create_round(child, D(2023, 7, 20))
    parent = consultations.add_respondent(
        consultation, respondent_type="parent", name="Pat Smith", contact_method="email", email="pat@example.net"
    )
    token = consultations.issue_link(parent, "invitation")
    db.session.commit()
    return World(
        user_id=qaro.id,
        child_id=child.child_id,
        period_id=period.id,
        review_id=review.review_id,
        escalation_id=escalation.escalation_id,
        contact_id=refs.contact_id,
        advice_contact_id=refs.advice_contact_id,
        referral_id=refs.referral_id,
        meeting_id=refs.meeting_id,
        action_id=refs.action_id,
        person_ref=refs.person_ref,
        person_public_id=refs.person_public_id,
        organisation_ref=refs.organisation_ref,
        rule_name=db.session.scalars(select(TimescaleRule.name).order_by(TimescaleRule.name)).first(),
        closure_day="2023-05-02",
        iro_contact_id=iro_contact.contact_id,
        household_id=household.household_id,
        carer_review_id=carer_review.review_id,
        panel_meeting_id=booked.meeting_id,
        panel_case_id=panel_case.case_id,
        round_id=consultation.round_id,
        respondent_id=parent.id,
        token=token,
    )


def url_values(rule, world: World) -> dict:
    """The URL arguments of ``rule`` for the world's records."""
    values = {
        "user_id": world.user_id,
        "child_id": world.child_id,
        "period_id": world.period_id,
        "review_id": world.review_id,
        "escalation_id": world.escalation_id,
        "stage": "informal",  # the escalation's one stage
        "contact_id": world.contact_id,
        "iro_contact_id": world.iro_contact_id,
        "referral_id": world.referral_id,
        "meeting_id": world.meeting_id,
        "action_id": world.action_id,
        "ref": world.organisation_ref,
        "public_id": world.person_public_id,
        "name": world.rule_name,
        "day": world.closure_day,
        "indicator_id": _first_indicator(),
        "part": "numerator",
        "household_id": world.household_id,
        "carer_review_id": world.carer_review_id,
        "section_id": 1,  # the default scorecard's first section and row (migration 0013)
        "row_id": 1,
        "month": "2023-05",  # a board month (over by TODAY), as YYYY-MM
        "direction": "down",
        "fmt": "xlsx",  # the board pack's download
        "round_id": world.round_id,
        "respondent_id": world.respondent_id,
        "token": world.token,
        "step": "health",  # a question of the public form
    }
    if rule.endpoint in ("lado.progress", "lado.edit_contact"):  # steps of a contact without a referral
        values["contact_id"] = world.advice_contact_id
    if rule.endpoint.startswith("panels."):  # a panel meeting, not a LADO one
        values.update(meeting_id=world.panel_meeting_id, case_id=world.panel_case_id)
    return {name: values[name] for name in rule.arguments if name not in (rule.defaults or {})}


def _first_indicator() -> str:
    from tracker.core import kpis

    return sorted(kpis.REGISTRY.by_id)[0]


def app_rules() -> list:
    """Every URL rule of the application (read from an application that is never started)."""
    from tests.conftest import base_config

    app = tracker.create_app(base_config("sqlite://"))
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))


def form_classes() -> list[type[FlaskForm]]:
    """Every form class of the application's packages (abstract bases included)."""
    for module in pkgutil.walk_packages(tracker.__path__, "tracker."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    found, queue = [], [FlaskForm]
    while queue:
        for sub in queue.pop().__subclasses__():
            if sub.__module__.startswith("tracker.") and sub not in found:
                found.append(sub)
            queue.append(sub)
    return sorted(found, key=lambda c: (c.__module__, c.__qualname__))


_AUTO = object()  # no formdata given: Flask-WTF binds the form to a posted request's form


def _bound(args, kwargs, submitted: bool) -> bool:
    formdata = args[0] if args else kwargs.get("formdata", _AUTO)
    return formdata is not None and (formdata is not _AUTO or submitted)


@contextmanager
def forms_bound_by(monkeypatch, *, bound_only: bool = True):
    """Collect the forms a request binds to its input (the posted form, or a query string
    passed to the form) — or every form it builds (``bound_only=False``):
    ``with forms_bound_by(monkeypatch) as forms: client.post(...)``."""
    from flask import request

    forms: list[FlaskForm] = []
    original = FlaskForm.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if not bound_only or _bound(args, kwargs, request.method == "POST"):
            forms.append(self)

    monkeypatch.setattr(FlaskForm, "__init__", init)
    try:
        yield forms
    finally:
        monkeypatch.setattr(FlaskForm, "__init__", original)


# Tables whose every row is compared, except: the working-day calendar (a count and a checksum of its
# running counters: 73,000 rows) and the audit rows of reads (every LADO page shown writes one).
# rows that record a read or a refused attempt (written by design on refused requests too), not a change
READ_ACTIONS = ("lado_record.read", "consultation.read", "consultation.refused")


def fingerprint() -> dict[str, str]:
    """A digest of every table's rows (inside an app context)."""
    from tracker.core.audit import AuditEntry
    from tracker.core.calendar import CalendarDay
    from tracker.extensions import db

    digest = {}
    for table in db.metadata.sorted_tables:
        if table.name == CalendarDay.__tablename__:
            rows = db.session.execute(select(func.count(), func.sum(CalendarDay.wd_seq))).all()
        else:
            query = select(table).order_by(*table.primary_key.columns)
            if table.name == AuditEntry.__tablename__:
                query = query.where(AuditEntry.action.not_in(READ_ACTIONS))
            rows = db.session.execute(query).all()
        digest[table.name] = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
    db.session.rollback()
    return digest


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
