"""Corrections of an escalation (issue 12): its details (areas of concern, external partner,
summary, raising officer) at /escalations/<id>/edit and a stage's dates (start, who it was
raised with, response) at /escalations/<id>/stages/<stage>/edit. The transitions' rules apply,
a refused correction changes nothing, each one is audited with what changed, the response
deadline (page and worklist) and the figures follow the corrected dates, and only who may
change the escalation may correct it (tests/test_edit_policy.py has the whole table)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests import inputs
from tracker.core import kpis, worklist
from tracker.core.audit import AuditEntry
from tracker.core.kpis import Period
from tracker.escalations.models import Escalation
from tracker.extensions import db
from tracker.web.records import find

from . import factories

D = dt.date
AREAS_MESSAGE = "Select at least one area of concern"


def version(form) -> str:
    """The version of the escalation the form page carries (sent back with the post)."""
    return form.one("input[name='version']")["value"]


def boxes(day: dt.date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


@pytest.fixture
def two_stages(seed) -> str:
    """Raised by Q1 about C1: informal on 1 March 2023 (answered 3 March), stage 1 on 10 March
    (a Friday: its response is due 5 working days later, 17 March), not answered."""
    with seed():
        factories.officer("Q1")
        factories.officer("Q2")
        return factories.escalation(
            "C1", [("informal", D(2023, 3, 1), D(2023, 3, 3)), ("stage1", D(2023, 3, 10))], areas=["care_plan"]
        ).escalation_id


@pytest.fixture
def as_officer(app, client):
    """Sign in as the officer (made by ``factories.officer``) with this officer id; returns the user."""
    from tracker.auth.models import user_by_officer_id

    def _sign_in(officer_id: str):
        with app.app_context():
            user = user_by_officer_id(officer_id)
            db.session.expunge(user)
        with client.session_transaction() as sess:
            sess["_user_id"] = str(user.id)
            sess["_fresh"] = True
        return user

    return _sign_in


def _escalation(app, ref: str) -> Escalation:
    with app.app_context():
        escalation = find(Escalation, escalation_id=ref)
        db.session.expunge_all()  # read after the app context: the stages and areas are loaded (selectin)
        return escalation


def _audit(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()
        db.session.expunge_all()
        return rows


def _fingerprint(app) -> dict:
    with app.app_context():
        return inputs.fingerprint()


# --- the details -------------------------------------------------------------------------------------


def test_the_raiser_corrects_the_areas_partner_and_summary(app, client_request, as_officer, two_stages):
    ref = two_stages
    user = as_officer("Q1")
    page = client_request.get(f"/escalations/{ref}")
    assert page.links(".govuk-summary-list")["Change the areas of concern"] == f"/escalations/{ref}/edit"
    assert "Change who raised the escalation" not in page.links(".govuk-summary-list")  # the IRO manager's

    form = client_request.get(f"/escalations/{ref}/edit")
    assert form.h1 == f"Escalation {ref} Change the details of the escalation"
    checked = [i["value"] for i in form.select("input[name='areas'][checked]")]
    assert checked == ["care_plan"]
    labels = form.texts("input[name='areas'] + label")
    assert labels[:3] == [
        "Statutory handbook and care regulations not met",
        "Care plan implementation",
        "Outstanding CiC review decisions",
    ]
    assert form.select("select[name='raised_by']") == []  # a QARO does not give an escalation away

    saved = client_request.post(
        f"/escalations/{ref}/edit",
        {"version": version(form), "areas": ["health", "education"],
         "external_partner": " CAMHS ", "summary": "Health assessment overdue"},
    )  # fmt: skip
    assert saved.response.headers["Location"] == f"/escalations/{ref}"
    page = client_request.get(f"/escalations/{ref}")
    assert "Escalation details saved." in page.banner
    summary = page.summary()
    assert summary["Areas of concern"] == "Health Education"  # the report's order
    assert summary["External partner"] == "CAMHS"
    assert summary["Summary"] == "Health assessment overdue"
    assert summary["Raised by"] == "Officer Q1"

    (row,) = _audit(app, "escalation.update")
    assert (row.object_type, row.object_id, row.user_id) == ("escalation", ref, user.id)
    assert row.before == {"areas": ["care_plan"], "external_partner": None, "summary": None}
    assert row.after == {
        "areas": ["health", "education"],
        "external_partner": "CAMHS",
        "summary": "Health assessment overdue",
    }
    assert "CAMHS" not in row.summary  # free text stays out of the summary (read by administrators)


def test_the_iro_manager_corrects_who_raised_it_and_the_worklist_follows(app, client_request, login_as, two_stages):
    ref = two_stages
    login_as("iro_manager")
    page = client_request.get(f"/escalations/{ref}")
    assert page.links(".govuk-summary-list")["Change who raised the escalation"] == f"/escalations/{ref}/edit"
    form = client_request.get(f"/escalations/{ref}/edit")
    assert form.one("select[name='raised_by'] option[selected]")["value"] == "Q1"
    client_request.post(
        f"/escalations/{ref}/edit", {"version": version(form), "areas": ["care_plan"], "raised_by": "Q2"}
    )
    assert _escalation(app, ref).raised_by == "Q2"
    with app.app_context():
        (item,) = worklist.collect(D(2023, 6, 30), kinds=["escalation_stage"])
        assert (item.ref, item.owner) == (ref, "Q2")  # on Q2's worklist now
    (row,) = _audit(app, "escalation.update")
    assert (row.before, row.after) == ({"raised_by": "Q1"}, {"raised_by": "Q2"})


def test_a_qaro_cannot_reassign_by_posting_the_field(app, client_request, as_officer, two_stages):
    as_officer("Q1")
    client_request.post(f"/escalations/{two_stages}/edit", {"areas": ["care_plan"], "raised_by": "Q2"})
    assert _escalation(app, two_stages).raised_by == "Q1"


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"summary": "No areas"}, "areas", AREAS_MESSAGE),
        ({"areas": ["nonsense"]}, "areas", "'nonsense' is not a valid choice for this field."),
        ({"areas": ["health"], "summary": "x" * 2001}, "summary", "Field cannot be longer than 2000 characters."),
        ({"areas": ["health"], "raised_by": "NOBODY"}, "raised_by", "Not a valid choice."),
    ],
    ids=["no area", "unknown area", "summary too long", "unknown officer"],
)
def test_refused_details_say_why_and_save_nothing(app, client_request, login_as, two_stages, data, field, message):
    login_as("iro_manager")
    before = _fingerprint(app)
    page = client_request.post(f"/escalations/{two_stages}/edit", data, status=200)
    assert page.errors == [message]
    assert page.title.startswith("Error: ")
    assert page.field_error(field) == message
    assert _fingerprint(app) == before


def test_the_operation_refuses_an_officer_who_does_not_exist(app, two_stages):
    from tracker.core.errors import DomainError
    from tracker.escalations import operations

    with app.app_context():
        escalation = find(Escalation, escalation_id=two_stages)
        with pytest.raises(DomainError, match="There is no officer with the id NOBODY"):
            operations.edit_details(escalation, raised_by="NOBODY")
        with pytest.raises(DomainError, match=AREAS_MESSAGE):
            operations.edit_details(escalation, areas=[])
        with pytest.raises(ValueError, match="cannot change closed_date"):
            operations.edit_details(escalation, closed_date=D(2023, 4, 1))


def test_the_areas_figures_follow_a_corrected_area(app, client_request, login_as, seed):
    with seed():
        ref = factories.escalation("C1", [("informal", D(2023, 3, 1))], areas=["care_plan"]).escalation_id
    login_as("qaro", officer_id="Q1")
    march = Period(D(2023, 3, 1), D(2023, 3, 31), D(2023, 3, 31))

    def started(area):
        with app.app_context():
            return kpis.compute(march, [f"escalations.area_started.{area}"])[f"escalations.area_started.{area}"].value

    assert (started("care_plan"), started("health")) == (1, 0)
    client_request.post(f"/escalations/{ref}/edit", {"areas": ["health"]})
    assert (started("care_plan"), started("health")) == (0, 1)


# --- a stage's dates ---------------------------------------------------------------------------------


def test_correcting_a_stage_start_moves_its_deadline_on_the_page_and_the_worklist(
    app, client_request, as_officer, two_stages
):
    ref = two_stages
    as_officer("Q1")
    page = client_request.get(f"/escalations/{ref}")
    assert page.deadlines() == {("escalation_stage", ref, "2023-03-17", "overdue")}
    change = page.links("#stage-timeline")
    assert change["Change the dates of Stage 1"] == f"/escalations/{ref}/stages/stage1/edit"
    assert change["Change the dates of Informal (social worker or team manager)"] == (
        f"/escalations/{ref}/stages/informal/edit"
    )

    form = client_request.get(f"/escalations/{ref}/stages/stage1/edit")
    assert form.h1 == f"Escalation {ref} Change the dates of Stage 1"
    assert [form.value(f"started_date-{p}") for p in ("day", "month", "year")] == ["10", "3", "2023"]
    client_request.post(
        f"/escalations/{ref}/stages/stage1/edit",
        {"version": version(form), "started_date": boxes(D(2023, 3, 13)), "to_whom": "Service manager",
         "response_date": ["", "", ""], "response_summary": ""},
    )  # fmt: skip
    page = client_request.get(f"/escalations/{ref}")
    assert "Dates of Stage 1 saved." in page.banner
    # 13 March (a Monday) + 5 working days: the engine's deadline from the corrected date
    assert page.deadlines() == {("escalation_stage", ref, "2023-03-20", "overdue")}
    assert page.table("#stage-timeline")[1][:4] == ["Stage 1", "13 Mar 2023", "Service manager", "No response yet"]
    worklist_page = client_request.get("/worklist/mine")
    assert worklist_page.one(f"[data-due-ref='{ref}']")["data-due-date"] == "2023-03-20"

    # a response recorded by correction: nothing is due any more; removed again: due again
    form = client_request.get(f"/escalations/{ref}/stages/stage1/edit")
    data = {"version": version(form), "started_date": boxes(D(2023, 3, 13)), "response_date": boxes(D(2023, 3, 15))}
    client_request.post(f"/escalations/{ref}/stages/stage1/edit", data)
    assert client_request.get(f"/escalations/{ref}").deadlines() == set()
    form = client_request.get(f"/escalations/{ref}/stages/stage1/edit")
    data = {"version": version(form), "started_date": boxes(D(2023, 3, 13)), "response_date": ["", "", ""]}
    client_request.post(f"/escalations/{ref}/stages/stage1/edit", data)
    assert client_request.get(f"/escalations/{ref}").deadlines() == {("escalation_stage", ref, "2023-03-20", "overdue")}

    first, *_ = _audit(app, "escalation.update_stage")
    assert (first.object_type, first.object_id) == ("escalation", ref)
    assert first.before == {"stage": "stage1", "started_date": "2023-03-10", "to_whom": None}
    assert first.after == {"stage": "stage1", "started_date": "2023-03-13", "to_whom": "Service manager"}


def test_the_figures_follow_a_corrected_stage_start(app, client_request, login_as, two_stages):
    ref = two_stages
    login_as("iro_manager")

    def started(month: int) -> tuple:
        period = Period(D(2023, month, 1), D(2023, month, 28), D(2023, month, 28))
        wanted = ["escalations.started.stage1", "escalations.formal_started"]
        with app.app_context():
            figures = kpis.compute(period, wanted)
        return tuple(figures[i].value for i in wanted)

    assert (started(3), started(4)) == ((1, 1), (0, 0))
    client_request.post(f"/escalations/{ref}/stages/stage1/edit", {"started_date": boxes(D(2023, 4, 3))})
    assert (started(3), started(4)) == ((0, 0), (1, 1))
    assert _escalation(app, ref).stage("stage1").started_date == D(2023, 4, 3)


def test_a_closed_escalation_is_corrected_too_within_its_closure(app, client_request, login_as, seed):
    with seed():
        ref = factories.escalation(
            "C1", [("informal", D(2023, 3, 1))], closed=(D(2023, 3, 20), "resolved")
        ).escalation_id
    login_as("qaro", officer_id="Q1")
    page = client_request.get(f"/escalations/{ref}")
    assert page.select("main form") == []  # no more moves
    assert f"/escalations/{ref}/stages/informal/edit" in page.hrefs()  # but corrections
    client_request.post(f"/escalations/{ref}/stages/informal/edit", {"started_date": boxes(D(2023, 3, 6))})
    assert _escalation(app, ref).stage("informal").started_date == D(2023, 3, 6)
    before = _fingerprint(app)
    page = client_request.post(
        f"/escalations/{ref}/stages/informal/edit", {"started_date": boxes(D(2023, 3, 21))}, status=200
    )
    message = "The start date must be on or before the day the escalation closed (20 March 2023)"
    assert page.errors == [message]
    assert page.field_error("started_date") == message
    assert _fingerprint(app) == before


@pytest.mark.parametrize(
    "stage, data, field, message",
    [
        ("stage1", {"started_date": ["", "", ""]}, "started_date", "Enter the date the stage started"),
        ("stage1", {"started_date": boxes(D(2023, 7, 1))}, "started_date",
         "The date the stage started must be today or in the past"),
        ("stage1", {"started_date": boxes(D(2023, 2, 28))}, "started_date",
         "The start date must be on or after the day Informal started (1 March 2023)"),
        ("informal", {"started_date": boxes(D(2023, 3, 11)), "response_date": boxes(D(2023, 3, 12))}, "started_date",
         "The start date must be on or before the day Stage 1 started (10 March 2023)"),
        ("informal", {"started_date": boxes(D(2023, 3, 1)), "response_date": boxes(D(2023, 2, 27))}, "response_date",
         "The response date must be on or after the day Informal started (1 March 2023)"),
        ("informal", {"started_date": boxes(D(2023, 3, 4)), "response_date": boxes(D(2023, 3, 3))}, "response_date",
         "The response date must be on or after the day Informal started (4 March 2023)"),
        ("stage1", {"started_date": boxes(D(2023, 3, 10)), "response_date": boxes(D(2023, 7, 1))}, "response_date",
         "The response date must be today or in the past"),
        ("stage1", {"started_date": boxes(D(2023, 3, 10)), "response_summary": "Agreed"}, "response_date",
         "Enter the date of the response, or remove its summary"),
        ("stage1", {"started_date": ["31", "2", "2023"]}, "started_date",
         "Date the stage started must be a real date, for example 27 3 2023"),
    ],
    ids=["blank start", "future start", "before the earlier stage", "after the later stage", "response before start",
         "start after the response", "future response", "summary without a response", "not a real date"],
)  # fmt: skip
def test_refused_stage_corrections_say_why_and_save_nothing(
    app, client_request, as_officer, two_stages, stage, data, field, message
):
    as_officer("Q1")
    before = _fingerprint(app)
    page = client_request.post(f"/escalations/{two_stages}/stages/{stage}/edit", data, status=200)
    assert page.errors == [message]
    assert page.field_error(field) == message
    assert page.value("started_date-day") == (data["started_date"][0])  # the input is kept
    assert _fingerprint(app) == before


# --- who may -----------------------------------------------------------------------------------------


def _urls(ref: str) -> list[str]:
    return [f"/escalations/{ref}/edit", f"/escalations/{ref}/stages/informal/edit"]


@pytest.mark.parametrize("role", ["manager", "lado", "analyst", "board", "admin"])
def test_a_role_that_may_not_change_escalations_gets_403(app, client_request, login_as, two_stages, role):
    login_as(role)
    before = _fingerprint(app)
    for url in _urls(two_stages):
        client_request.get(url, status=403)
        client_request.post(url, {"areas": ["health"], "started_date": boxes(D(2023, 3, 2))}, status=403)
    assert _fingerprint(app) == before
    if role == "manager":  # reads the escalation, is offered no change
        page = client_request.get(f"/escalations/{two_stages}")
        assert not set(_urls(two_stages)) & set(page.hrefs())
        assert "Change" not in page.texts("#stage-timeline th")


def test_a_colleague_qaro_gets_403(app, client_request, as_officer, two_stages):
    as_officer("Q2")  # a QARO who neither raised it nor holds the child
    before = _fingerprint(app)
    for url in _urls(two_stages):
        client_request.get(url, status=403)
        client_request.post(url, {"areas": ["health"], "started_date": boxes(D(2023, 3, 2))}, status=403)
    assert _fingerprint(app) == before
    assert not set(_urls(two_stages)) & set(client_request.get(f"/escalations/{two_stages}").hrefs())


def test_a_stage_the_escalation_does_not_have_is_not_found(client_request, login_as, two_stages):
    login_as("iro_manager")
    for stage in ("stage2", "cafcass", "nonsense"):
        client_request.get(f"/escalations/{two_stages}/stages/{stage}/edit", status=404)
    client_request.get("/escalations/NOPE/edit", status=404)
