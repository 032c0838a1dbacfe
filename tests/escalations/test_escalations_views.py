"""Escalation pages: who may see them, the lists and their filters, raising from a child."""

from __future__ import annotations

import datetime as dt

import pytest
from escalation_factories import app_config, build  # noqa: F401  (fixtures)

D = dt.date
PAGES = [
    "/escalations/",
    "/escalations/mine",
    "/escalations/all",
    "/escalations/stage4",
    "/escalations/new",
    "/escalations/E1",
]
POSTS = ["/escalations/new", "/escalations/E1/response", "/escalations/E1/escalate", "/escalations/E1/close"]


@pytest.mark.parametrize("role", ["lado", "lado_manager", "board", "analyst", "panel_admin", "adm", "admin"])
def test_other_roles_are_refused(client, login_as, csrf_token, build, role):
    build.escalation("E1")
    login_as(role)
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    for url in POSTS:
        assert client.post(url, data={"csrf_token": csrf_token(client)}).status_code == 403, url


def test_signed_out_users_go_to_sign_in(client, build):
    build.escalation("E1")
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


@pytest.mark.parametrize(
    "role,allowed",
    [
        ("qaro", {"/escalations/mine", "/escalations/stage4", "/escalations/new", "/escalations/E1"}),
        (
            "iro_manager",
            {"/escalations/mine", "/escalations/all", "/escalations/stage4", "/escalations/new", "/escalations/E1"},
        ),
        ("manager", {"/escalations/mine", "/escalations/all", "/escalations/stage4", "/escalations/E1"}),
    ],
)
def test_case_roles(client, login_as, csrf_token, build, role, allowed):
    build.escalation("E1")
    login_as(role, officer_id="Q1")
    for url in PAGES[1:]:
        assert client.get(url).status_code == (200 if url in allowed else 403), (role, url)
    if role == "manager":  # reads, never changes
        for url in POSTS:
            assert client.post(url, data={"csrf_token": csrf_token(client)}).status_code == 403, url


def test_index_sends_each_role_to_its_list(client, login_as):
    login_as("qaro")
    assert client.get("/escalations/").headers["Location"].endswith("/escalations/mine")


def test_lists_and_filters(client, login_as, build):
    build.officer("Q1", team="North")
    build.officer("Q2", team="South")
    build.escalation("E1", stages=[("informal", D(2023, 6, 1), None)], areas=["health"], raised_by="Q1")
    build.escalation(
        "E2",
        child_id="C2",
        stages=[("informal", D(2023, 5, 1), None), ("stage4", D(2023, 6, 20), None)],
        areas=["education", "safety"],
        raised_by="Q2",
        external_partner="CAMHS",
    )
    build.escalation(
        "E3",
        child_id="C3",
        stages=[("stage1", D(2023, 4, 3), None)],
        raised_by="Q1",
        closed=(D(2023, 4, 20), "resolved"),
    )
    login_as("iro_manager")

    def refs(url):
        html = client.get(url).get_data(as_text=True)
        return [r for r in ("E1", "E2", "E3") if f">{r}</a>" in html]

    assert refs("/escalations/all") == ["E1", "E2"]  # open ones
    assert refs("/escalations/all?status=closed") == ["E3"]
    assert refs("/escalations/all?status=all") == ["E1", "E2", "E3"]
    assert refs("/escalations/all?stage=stage4") == ["E2"]
    assert refs("/escalations/all?area=health") == ["E1"]
    assert refs("/escalations/all?team=South") == ["E2"]
    assert refs("/escalations/all?partner=any") == ["E2"]
    assert refs("/escalations/all?partner=none") == ["E1"]
    html = client.get("/escalations/all").get_data(as_text=True)
    assert "Days open" in html and "Overdue" in html  # E1: informal 2023-06-01 + 10 wd = 06-15 < 06-30
    assert "Stage 4 flag" in html and "1 unresolved escalation at stage 4" in html


def test_mine_shows_the_qaros_own(client, login_as, build):
    build.escalation("E1", raised_by="Q1")
    build.escalation("E2", child_id="C2", raised_by="Q2")
    login_as("qaro", officer_id="Q2")
    html = client.get("/escalations/mine").get_data(as_text=True)
    assert ">E2</a>" in html and ">E1</a>" not in html


def test_raise_from_the_child_page(app, client, login_as, csrf_token, build):
    from tracker.escalations import queries

    build.child("C5")
    login_as("qaro", officer_id="Q1")
    child_page = client.get("/children/C5")
    assert child_page.status_code == 200  # the reviews feature includes reviews/_child_escalations.html
    html = child_page.get_data(as_text=True)
    assert "/escalations/new?child=C5" in html and "No escalations about this child" in html
    form = client.get("/escalations/new?child=C5").get_data(as_text=True)
    assert 'value="C5"' in form
    assert client.get("/escalations/new?child=NOPE").status_code == 404
    response = client.post(
        "/escalations/new",
        data={
            "csrf_token": csrf_token(client),
            "child_id": "C5",
            "stage": "informal",
            "started_date": ["26", "6", "2023"],
            "areas": ["health", "education"],
            "to_whom": "Team manager",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        e = queries.by_reference("ESC000001")
        assert e.raised_by == "Q1" and e.area_codes == ["health", "education"] and e.child.child_id == "C5"
    assert ">ESC000001</a>" in client.get("/children/C5").get_data(as_text=True)


def test_raise_form_errors_keep_the_input(client, login_as, csrf_token, build):
    build.child("C5")
    login_as("qaro", officer_id="Q1")
    html = client.post(
        "/escalations/new",
        data={
            "csrf_token": csrf_token(client),
            "child_id": "C5",
            "stage": "informal",
            "started_date": ["26", "6", "2023"],
            "external_partner": "Dentistry",
        },
    ).get_data(as_text=True)
    assert "There is a problem" in html and "Select at least one area of concern" in html
    assert 'value="Dentistry"' in html and 'value="26"' in html


def test_escalation_page_shows_the_timeline(client, login_as, build):
    build.escalation(
        "E1",
        stages=[("informal", D(2023, 3, 1), D(2023, 3, 3)), ("stage2", D(2023, 3, 6), None)],
        areas=["health", "voice_of_child"],
    )
    login_as("qaro", officer_id="Q1")
    html = client.get("/escalations/E1").get_data(as_text=True)
    for text in (
        "Informal (social worker or team manager)",
        "Stage 2",
        "1 Mar 2023",
        "3 Mar 2023",
        "Health",
        "Voice of the child/young person",
        "Record the response to Stage 2",
        "Escalate or refer to Cafcass",
        "Referral to Cafcass",
        "Close the escalation",
    ):
        assert text in html, text
    assert 'value="stage1"' not in html  # only later stages are offered
    assert client.get("/escalations/NOPE").status_code == 404


# -- review fixes: what a user sees -------------------------------------------------------------


def test_the_child_row_is_a_working_link_not_escaped_markup(client, login_as, build):
    build.escalation("E1", child_id="C7")
    login_as("qaro", officer_id="Q1")
    html = client.get("/escalations/E1").get_data(as_text=True)
    assert '<a class="govuk-link" href="/children/C7">C7</a>' in html
    assert "&lt;a" not in html


@pytest.mark.parametrize("boxes", [["40", "", ""], ["31", "2", "2023"], ["x", "3", "2023"]])
def test_a_date_that_is_not_real_says_so_and_keeps_the_input(client, login_as, csrf_token, build, boxes):
    build.escalation("E1")
    login_as("qaro", officer_id="Q1")
    html = client.post(
        "/escalations/E1/escalate",
        data={
            "csrf_token": csrf_token(client),
            "escalate-to_stage": "stage1",
            "escalate-started_date": boxes,
        },
    ).get_data(as_text=True)
    assert "There is a problem" in html
    assert "Date the stage started must be a real date, for example 27 3 2023" in html
    assert "Not a valid date value" not in html
    assert f'value="{boxes[0]}"' in html


def test_a_blank_date_asks_for_it(client, login_as, csrf_token, build):
    build.escalation("E1")
    login_as("qaro", officer_id="Q1")
    html = client.post(
        "/escalations/E1/close",
        data={
            "csrf_token": csrf_token(client),
            "close-closed_date": ["", "", ""],
            "close-resolution": "resolved",
        },
    ).get_data(as_text=True)
    assert "Enter the date the escalation closed" in html


def test_stage4_flag_stays_after_a_cafcass_referral_everywhere(client, login_as, build):
    """The stage 4 list keeps an escalation referred to Cafcass after stage 4: its page, the list
    and the child page flag it too."""
    build.escalation("E1", child_id="C8", stages=[("stage4", D(2023, 3, 1), None), ("cafcass", D(2023, 3, 10), None)])
    login_as("iro_manager", officer_id="Q1")
    assert "E1" in client.get("/escalations/stage4").get_data(as_text=True)
    for url in ("/escalations/E1", "/escalations/all", "/children/C8"):
        assert "Stage 4 flag" in client.get(url).get_data(as_text=True), url


def test_list_links_the_child_for_roles_that_may_see_children(client, login_as, build):
    build.escalation("E1", child_id="C7")
    login_as("manager")
    html = client.get("/escalations/all").get_data(as_text=True)
    assert 'href="/children/C7">C7</a>' in html
    assert "See the escalations you raised" not in html  # a manager raises none


def test_a_page_past_the_end_shows_the_last_page(app, client, login_as, build):
    app.config["PAGE_SIZE"] = 2
    for i in range(5):
        build.escalation(f"E{i}", child_id=f"C{i}", raised_by="Q1")
    login_as("iro_manager")
    html = client.get("/escalations/all?page=99").get_data(as_text=True)
    assert ">E4</a>" in html and "No escalations match" not in html


def test_raise_form_goes_back_to_the_child(client, login_as, build):
    build.child("C5")
    login_as("qaro", officer_id="Q1")
    html = client.get("/escalations/new?child=C5").get_data(as_text=True)
    assert (
        'class="govuk-back-link" href="/children/C5"' in html or 'href="/children/C5" class="govuk-back-link"' in html
    )
