"""Escalation pages: who may see them, the lists and their filters, raising from a child."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tracker.escalations.models import Escalation
from tracker.web.records import find

from . import factories

D = dt.date
REF = re.compile(r"E\d{5}")
# {ref} stands for the escalation's reference
PAGES = [
    "/escalations/",
    "/escalations/mine",
    "/escalations/all",
    "/escalations/stage4",
    "/escalations/new",
    "/escalations/{ref}",
]
POSTS = ["/escalations/new", "/escalations/{ref}/response", "/escalations/{ref}/escalate", "/escalations/{ref}/close"]


def listed(page, table: str = "#escalations-table") -> list[str]:
    """The escalations a list shows, in its order (the link in each row's first cell)."""
    if not page.select(table):
        return []
    return [ref for ref in page.texts(f"{table} tbody tr td:first-child a") if REF.fullmatch(ref)]


@pytest.mark.parametrize("role", ["lado", "lado_manager", "board", "analyst", "panel_admin", "adm", "admin"])
def test_other_roles_are_refused(client_request, login_as, escalation_id, role):
    login_as(role)
    for url in PAGES:
        client_request.get(url.format(ref=escalation_id), status=403)
    for url in POSTS:
        client_request.post(url.format(ref=escalation_id), status=403)


def test_signed_out_users_go_to_sign_in(client_request, escalation_id):
    for url in PAGES:
        page = client_request.get(url.format(ref=escalation_id), status=302)
        assert page.response.headers["Location"].startswith("/login"), url


@pytest.mark.parametrize(
    "role,allowed",
    [
        ("qaro", {"/escalations/mine", "/escalations/stage4", "/escalations/new", "/escalations/{ref}"}),
        (
            "iro_manager",
            {"/escalations/mine", "/escalations/all", "/escalations/stage4", "/escalations/new", "/escalations/{ref}"},
        ),
        ("manager", {"/escalations/mine", "/escalations/all", "/escalations/stage4", "/escalations/{ref}"}),
    ],
)
def test_case_roles(client_request, login_as, escalation_id, role, allowed):
    login_as(role, officer_id="Q1")
    for url in PAGES[1:]:
        client_request.get(url.format(ref=escalation_id), status=200 if url in allowed else 403)
    if role == "manager":  # reads, never changes
        for url in POSTS:
            client_request.post(url.format(ref=escalation_id), status=403)


@pytest.mark.parametrize("role,goes_to", [("qaro", "/escalations/mine"), ("iro_manager", "/escalations/all")])
def test_index_sends_each_role_to_its_list(client_request, login_as, role, goes_to):
    login_as(role)
    assert client_request.get("/escalations/", status=302).response.headers["Location"] == goes_to


def test_lists_and_filters(client_request, login_as, seed):
    with seed():
        factories.officer("Q1", team="North")
        factories.officer("Q2", team="South")
        e1 = factories.escalation("C1", [("informal", D(2023, 6, 1))], areas=["health"], raised_by="Q1")
        e2 = factories.escalation(
            "C2",
            [("informal", D(2023, 5, 1)), ("stage4", D(2023, 6, 20))],
            areas=["education", "safety"],
            raised_by="Q2",
            external_partner="CAMHS",
        )
        e3 = factories.escalation(
            "C3", [("stage1", D(2023, 4, 3))], raised_by="Q1", closed=(D(2023, 4, 20), "resolved")
        )
        e1, e2, e3 = e1.escalation_id, e2.escalation_id, e3.escalation_id
    login_as("iro_manager")

    def refs(url):
        return listed(client_request.get(url))

    # open ones, soonest response first: e1 due 15 June, e2 (stage 4, 5 working days) 27 June
    assert refs("/escalations/all") == [e1, e2]
    assert refs("/escalations/all?status=closed") == [e3]
    assert refs("/escalations/all?status=all") == [e1, e2, e3]
    assert refs("/escalations/all?stage=stage4") == [e2]
    assert refs("/escalations/all?area=health") == [e1]
    assert refs("/escalations/all?team=South") == [e2]
    assert refs("/escalations/all?partner=any") == [e2]
    assert refs("/escalations/all?partner=none") == [e1]
    assert refs("/escalations/all?partner=CAMHS") == [e2]
    # a blank choice typed as spaces is "any", never an error page
    assert refs("/escalations/all?area=%20&stage=%20&team=%20&partner=%20&status=%20") == [e1, e2]

    page = client_request.get("/escalations/all?status=all")
    headers = page.texts("#escalations-table thead th")
    assert headers == ["Escalation", "Child", "Current stage", "Areas of concern", "Raised by", "Days open", "Response"]
    assert page.table("#escalations-table") == [
        # e1: informal 2023-06-01 + 10 working days = 15 June, before today (30 June): overdue
        # the child by name beside the reference, as every list names them
        [e1, "Sam Smith (C1)", "Informal", "Health", "Officer Q1 North", "29", "15 Jun 2023 Overdue"],
        [
            f"{e2} External: CAMHS",
            "Sam Smith (C2)",
            "Stage 4 Stage 4 flag",
            "Education; Safety",
            "Officer Q2 South",
            "60",
            "27 Jun 2023 Overdue",
        ],
        [
            e3,
            "Sam Smith (C3)",
            "Stage 1 Closed 20 Apr 2023: Resolved",
            "Care plan implementation",
            "Officer Q1 North",
            "17",
            "",
        ],
    ]
    assert page.text_of(".govuk-inset-text").startswith("1 unresolved escalation at stage 4 or beyond")
    assert page.links(".govuk-inset-text") == {"see the stage 4 list": "/escalations/stage4"}


def test_mine_shows_the_qaros_own(client_request, login_as, seed):
    with seed():
        theirs = factories.escalation("C1", raised_by="Q1").escalation_id
        mine = factories.escalation("C2", raised_by="Q2").escalation_id
    login_as("qaro", officer_id="Q2")
    page = client_request.get("/escalations/mine")
    assert listed(page) == [mine]
    assert theirs not in page.text


def test_raise_from_the_child_page(app, client_request, login_as, seed):
    with seed():
        factories.child("C5")
    login_as("qaro", officer_id="Q1")
    child_page = client_request.get("/children/C5")  # the reviews feature shows escalations/_child_section.html
    section = "#child-escalations-heading + *"
    assert child_page.text_of(section) == "No escalations about this child."
    assert child_page.links("section[aria-labelledby='child-escalations-heading']") == {
        "Raise an escalation": "/escalations/new?child=C5"
    }
    form = client_request.get("/escalations/new?child=C5")
    assert form.h1 == "Escalations Raise an escalation"
    assert form.value("child_id") == "C5"
    client_request.get("/escalations/new?child=NOPE", status=404)
    raised = client_request.post(
        "/escalations/new",
        {
            "child_id": "C5",
            "stage": "informal",
            "started_date": ["26", "6", "2023"],
            "areas": ["health", "education"],
            "to_whom": "Team manager",
        },
    )
    assert raised.response.headers["Location"] == "/escalations/E00001"
    with app.app_context():
        e = find(Escalation, escalation_id="E00001")
        assert e.raised_by == "Q1" and e.area_codes == ["health", "education"] and e.child.child_id == "C5"
        assert e.current_stage.to_whom == "Team manager"
    shown = client_request.get("/escalations/E00001")
    assert "Escalation E00001 raised." in shown.banner
    child_page = client_request.get("/children/C5")
    assert child_page.links("#child-escalations")["E00001"] == "/escalations/E00001"
    assert child_page.table("#child-escalations") == [
        ["E00001", "Informal", "26 Jun 2023", "Response due 10 Jul 2023 Due soon"]
    ]


def test_raise_form_errors_keep_the_input(client_request, login_as, seed):
    with seed():
        factories.child("C5")
    login_as("qaro", officer_id="Q1")
    page = client_request.post(
        "/escalations/new",
        {"child_id": "C5", "stage": "informal", "started_date": ["26", "6", "2023"], "external_partner": "Dentistry"},
        status=200,
    )
    assert page.errors == ["Select at least one area of concern"]
    assert page.field_error("areas") == "Select at least one area of concern"
    assert page.value("external_partner") == "Dentistry"
    assert page.value("started_date-day") == "26"


def test_raise_for_a_child_that_does_not_exist(client_request, login_as):
    login_as("qaro", officer_id="Q1")
    page = client_request.post(
        "/escalations/new",
        {"child_id": "NOPE", "stage": "informal", "started_date": ["26", "6", "2023"], "areas": ["health"]},
        status=200,
    )
    assert page.errors == ["There is no child with this case reference"]
    assert page.field_error("child_id") == "There is no child with this case reference"


def test_escalation_page_shows_the_timeline(client_request, login_as, seed):
    with seed():
        ref = factories.escalation(
            "C1",
            [("informal", D(2023, 3, 1), D(2023, 3, 3)), ("stage2", D(2023, 3, 6))],
            areas=["health", "voice_of_child"],
        ).escalation_id
    login_as("qaro", officer_id="Q1")
    page = client_request.get(f"/escalations/{ref}")
    assert page.h1 == f"{ref} Open"
    summary = page.summary()
    assert summary["Areas of concern"] == "Voice of the child/young person Health"  # the report's order
    assert summary["Opened"] == "1 March 2023"
    assert summary["Current stage"] == "Stage 2"
    assert page.table("#stage-timeline") == [  # the raiser may correct each stage
        [
            "Informal (social worker or team manager)",
            "1 Mar 2023",
            "",
            "3 Mar 2023",
            "Change the dates of Informal (social worker or team manager)",
        ],
        ["Stage 2", "6 Mar 2023", "", "No response yet", "Change the dates of Stage 2"],
    ]
    assert page.texts("main h2") == [
        "Stages",
        "Record the response to Stage 2",
        "Escalate or refer to Cafcass",
        "Close the escalation",
    ]
    # only later stages are offered
    offered = [
        (i["value"], page.text_of(f"label[for='{i['id']}']")) for i in page.select("input[name='escalate-to_stage']")
    ]
    assert offered == [
        ("stage3", "Stage 3"),
        ("stage4", "Stage 4"),
        ("stage5", "Stage 5 (Director)"),
        ("cafcass", "Referral to Cafcass"),
    ]
    client_request.get("/escalations/NOPE", status=404)


# -- review fixes: what a user sees -------------------------------------------------------------


def test_the_child_row_is_a_working_link_not_escaped_markup(client_request, login_as, seed):
    with seed():
        ref = factories.escalation("C7").escalation_id
    login_as("qaro", officer_id="Q1")
    page = client_request.get(f"/escalations/{ref}")
    assert page.summary()["Child"] == "Sam Smith (C7)"  # escaped markup would show as text here
    assert page.links(".govuk-summary-list")["Sam Smith (C7)"] == "/children/C7"


@pytest.mark.parametrize("boxes", [["40", "", ""], ["31", "2", "2023"], ["x", "3", "2023"]])
def test_a_date_that_is_not_real_says_so_and_keeps_the_input(client_request, login_as, escalation_id, boxes):
    login_as("qaro", officer_id="Q1")
    page = client_request.post(
        f"/escalations/{escalation_id}/escalate",
        {"escalate-to_stage": "stage1", "escalate-started_date": boxes},
        status=200,
    )
    message = "Date the stage started must be a real date, for example 27 3 2023"
    assert page.errors == [message]  # never WTForms' "Not a valid date value"
    assert page.field_error("escalate-started_date") == message
    assert page.value("escalate-started_date-day") == boxes[0]


def test_a_blank_date_asks_for_it(client_request, login_as, escalation_id):
    login_as("qaro", officer_id="Q1")
    page = client_request.post(
        f"/escalations/{escalation_id}/close",
        {"close-closed_date": ["", "", ""], "close-resolution": "resolved"},
        status=200,
    )
    assert page.errors == ["Enter the date the escalation closed"]
    assert page.field_error("close-closed_date") == "Enter the date the escalation closed"


def test_stage4_flag_stays_after_a_cafcass_referral_everywhere(client_request, login_as, seed):
    """The stage 4 list keeps an escalation referred to Cafcass after stage 4: its page, the list
    and the child page flag it too."""
    with seed():
        ref = factories.escalation("C8", [("stage4", D(2023, 3, 1)), ("cafcass", D(2023, 3, 10))]).escalation_id
    login_as("iro_manager", officer_id="Q1")
    assert listed(client_request.get("/escalations/stage4"), "#stage4-table") == [ref]
    for url in (f"/escalations/{ref}", "/escalations/all", "/children/C8"):
        assert "Stage 4 flag" in client_request.get(url).tags, url


def test_list_links_the_child_for_roles_that_may_see_children(client_request, login_as, seed):
    with seed():
        factories.escalation("C7")
    login_as("manager")
    page = client_request.get("/escalations/all")
    assert page.links("#escalations-table")["Sam Smith (C7)"] == "/children/C7"
    assert "See the escalations you raised" not in page.links()  # a manager raises none


def test_a_page_past_the_end_shows_the_last_page(app, client_request, login_as, seed):
    app.config["PAGE_SIZE"] = 2
    with seed():
        refs = [factories.escalation(f"C{i}").escalation_id for i in range(5)]
    login_as("iro_manager")
    page = client_request.get("/escalations/all?page=99")
    assert listed(page) == refs[4:]  # the same due date: in the order they were opened and numbered
    assert page.text_of("#escalations-table caption") == "Escalations 5 to 5 of 5"
    assert page.select("#escalations-table-empty") == []


def test_raise_form_goes_back_to_the_child(client_request, login_as, seed):
    with seed():
        factories.child("C5")
    login_as("qaro", officer_id="Q1")
    page = client_request.get("/escalations/new?child=C5")
    assert page.one(".govuk-back-link")["href"] == "/children/C5"
