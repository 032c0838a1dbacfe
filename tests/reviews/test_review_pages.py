"""The /children pages: who may see them, forms that show errors and keep the input, and
changes that go through the operations (audited) and move the due dates."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tracker.core.audit import AuditEntry
from tracker.extensions import db
from tracker.reviews.models import Child, Review

from .factories import child, d, officer, review


@pytest.fixture
def app_config():
    return {"TODAY": "2023-01-16"}


@pytest.fixture
def records(app):
    with app.app_context():
        officer("Q1")
        officer("Q2", team="South")
        c = child("C1", start="2022-06-01", officer_id="Q1", first_name="Amy", last_name="Ng")
        review(c, "2022-06-20", officer_id="Q1", participation_code="PN1", recommendations_date=d("2022-06-22"))
        child("C2", start="2022-12-01", officer_id="Q2", first_name="Bo", last_name="Li")
        db.session.commit()


def sign_in_as_officer(client, app, officer_id: str) -> None:
    from tracker.auth.models import user_by_officer_id

    with app.app_context():
        uid = user_by_officer_id(officer_id).id
    with client.session_transaction() as sess:
        sess["_user_id"] = str(uid)
        sess["_fresh"] = True


PAGES = ["/children/", "/children/C1", "/children/all", "/children/export/903-reviews.csv"]
EDIT_PAGES = [
    "/children/C1/reviews/new",
    "/children/C1/contacts/new",
    "/children/C1/periods/new",
    "/children/new",
    "/children/C1/edit",
]


@pytest.mark.parametrize(
    "role, status",
    [
        ("qaro", 200),
        ("iro_manager", 200),
        ("manager", 200),
        ("lado", 403),
        ("board", 403),
        ("analyst", 403),
        ("admin", 403),
        ("panel_admin", 403),
    ],
)
def test_who_may_see_the_children_pages(client, login_as, records, role, status):
    login_as(role)
    for url in PAGES:
        assert client.get(url).status_code in ((200, 302) if status == 200 else (403,)), url
    for url in EDIT_PAGES:
        assert client.get(url).status_code == (200 if role in ("qaro", "iro_manager") else 403), url
    assert client.get("/children/team").status_code == (200 if role in ("iro_manager", "manager") else 403)
    assert client.get("/children/C1/allocate").status_code == (200 if role == "iro_manager" else 403)


def test_anonymous_visitors_are_sent_to_sign_in(client, records):
    assert client.get("/children/C1").status_code == 302


def test_my_children_shows_the_qaros_caseload_with_the_overdue_first(client, login_as, records, app):
    with app.app_context():
        child("C3", start="2022-01-04", officer_id="Q1", first_name="Cy", last_name="Oh")  # no review: long overdue
        db.session.commit()
    sign_in_as_officer(client, app, "Q1")
    html = client.get("/children/").get_data(as_text=True)
    rows = re.findall(r'data-child="(C\d)"', html)
    assert rows == ["C3", "C1"]  # C2 is Q2's; overdue first
    assert "Overdue" in html and "My figures" in html
    assert re.findall(r'data-child="(C\d)"', client.get("/children/?sort=ref").get_data(as_text=True)) == ["C1", "C3"]


def test_search_finds_children_by_name_or_reference(client, login_as, records, csrf_token):
    login_as("iro_manager")
    client.post("/children/?scope=all", data={"q": "bo li", "csrf_token": csrf_token(client)})
    html = client.get("/children/?scope=all").get_data(as_text=True)
    assert re.findall(r'data-child="(C\d)"', html) == ["C2"]
    client.get("/children/?scope=all&clear=1")
    assert len(re.findall(r'data-child="(C\d)"', client.get("/children/?scope=all").get_data(as_text=True))) == 2


def test_a_manager_chooses_a_team_or_a_qaro(client, login_as, records):
    login_as("manager")
    assert re.findall(r'data-child="(C\d)"', client.get("/children/?scope=team&team=South").get_data(as_text=True)) == [
        "C2"
    ]
    assert re.findall(r'data-child="(C\d)"', client.get("/children/?scope=qaro&officer=Q1").get_data(as_text=True)) == [
        "C1"
    ]


def test_recording_a_review_moves_the_next_due_date_and_is_audited(client, login_as, records, csrf_token, app):
    login_as("qaro", officer_id="Q9")
    page = client.get("/children/C2").get_data(as_text=True)
    assert re.search(r'id="next-review-due">3 Jan 2023<', page)
    r = client.post(
        "/children/C2/reviews/new",
        data={
            "csrf_token": csrf_token(client),
            "review_date": ["10", "1", "2023"],
            "officer_id": "",
            "participation_code": "PN2",
            "advocate": "y",
            "recommendations_date": ["12", "1", "2023"],
            "minutes_date": ["", "", ""],
        },
    )
    assert r.status_code == 302
    page = client.get("/children/C2").get_data(as_text=True)
    assert re.search(r'id="next-review-due">10 Apr 2023<', page)
    with app.app_context():
        rv = db.session.scalar(select(Review).join(Child).where(Child.child_id == "C2"))
        assert (rv.participation_code, rv.advocate, rv.recommendations_date) == ("PN2", True, d("2023-01-12"))
        assert (
            db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "review.create"))
            == 2
        )


@pytest.mark.parametrize(
    "data, message",
    [
        ({"review_date": ["31", "2", "2023"]}, "must be a real date"),
        ({"review_date": ["", "", ""]}, "Enter the date the review was held"),
        ({"review_date": ["20", "1", "2023"]}, "The review date must be today or in the past"),
        ({"review_date": ["1", "11", "2022"]}, "outside every care period"),
        (
            {"review_date": ["10", "1", "2023"], "recommendations_date": ["9", "1", "2023"]},
            "must be the same as or after the review date",
        ),
    ],
)
def test_review_form_errors_are_shown_and_the_input_kept(client, login_as, records, csrf_token, data, message):
    login_as("qaro", officer_id="Q9")
    r = client.post("/children/C2/reviews/new", data={"csrf_token": csrf_token(client), "officer_id": "", **data})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "govuk-error-summary" in html and "govuk-error-message" in html and message in html
    assert f'value="{data["review_date"][0]}"' in html if data["review_date"][0] else True
    assert html.startswith("<!DOCTYPE html>") and "<title>Error: " in html


def test_overlapping_care_period_is_refused_with_a_clear_error(client, login_as, records, csrf_token):
    login_as("qaro")
    r = client.post(
        "/children/C1/periods/new",
        data={
            "csrf_token": csrf_token(client),
            "start_date": ["1", "9", "2022"],
            "end_date": ["", "", ""],
            "legal_status": "",
        },
    )
    assert "care periods of one child cannot overlap" in r.get_data(as_text=True)
    r = client.post(
        "/children/C1/periods/new",
        data={
            "csrf_token": csrf_token(client),
            "start_date": ["1", "1", "2021"],
            "end_date": ["1", "12", "2020"],
            "legal_status": "",
        },
    )
    assert "The end date must be the same as or after the start date" in r.get_data(as_text=True)


def test_ending_a_care_period_that_would_strand_a_review_is_refused(client, login_as, records, csrf_token, app):
    login_as("qaro")
    with app.app_context():
        pid = db.session.scalar(select(Child).where(Child.child_id == "C1")).care_periods[0].id
    r = client.post(
        f"/children/C1/periods/{pid}/edit",
        data={
            "csrf_token": csrf_token(client),
            "start_date": ["1", "6", "2022"],
            "end_date": ["10", "6", "2022"],
            "legal_status": "",
        },
    )
    assert "would fall outside every care period" in r.get_data(as_text=True)
    r = client.post(
        f"/children/C1/periods/{pid}/edit",
        data={
            "csrf_token": csrf_token(client),
            "start_date": ["1", "6", "2022"],
            "end_date": ["10", "1", "2023"],
            "legal_status": "C2",
        },
    )
    assert r.status_code == 302
    assert "not looked after today" in client.get("/children/C1").get_data(as_text=True)


def test_reallocating_a_qaro(client, login_as, records, csrf_token, app):
    login_as("iro_manager")
    r = client.post("/children/C1/allocate", data={"csrf_token": csrf_token(client), "officer_id": "Q2"})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Child.iro_officer_id).where(Child.child_id == "C1")) == "Q2"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "child.allocate"))
        assert entry.before == {"iro_officer_id": "Q1"} and entry.after == {"iro_officer_id": "Q2"}


def test_editing_and_deleting_a_review(client, login_as, records, csrf_token, app):
    login_as("qaro")
    with app.app_context():
        rid = db.session.scalar(select(Review.review_id))
    r = client.post(
        f"/children/C1/reviews/{rid}/edit",
        data={
            "csrf_token": csrf_token(client),
            "review_date": ["27", "6", "2022"],
            "officer_id": "Q1",
            "participation_code": "PN4",
        },
    )
    assert r.status_code == 302
    assert re.search(r'id="next-review-due">27 Sept? 2022<', client.get("/children/C1").get_data(as_text=True))
    assert client.post(f"/children/C1/reviews/{rid}/delete", data={"csrf_token": csrf_token(client)}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Review)) == 0
        assert (
            db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "review.delete"))
            == 1
        )


def test_recording_an_iro_contact(client, login_as, records, csrf_token):
    login_as("qaro")
    r = client.post(
        "/children/C2/contacts/new",
        data={
            "csrf_token": csrf_token(client),
            "contact_date": ["5", "1", "2023"],
            "contact_type": "visit",
            "officer_id": "Q2",
        },
    )
    assert r.status_code == 302
    assert "5 Jan 2023" in client.get("/children/C2").get_data(as_text=True)
    r = client.post(
        "/children/C2/contacts/new",
        data={"csrf_token": csrf_token(client), "contact_date": ["5", "1", "2023"], "officer_id": ""},
    )
    assert "Select the type of contact" in r.get_data(as_text=True)


def test_team_page_shows_each_qaros_counts_and_figures(client, login_as, records):
    login_as("manager")
    html = client.get("/children/team").get_data(as_text=True)
    row = re.search(r'data-officer="Q1">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r'govuk-table__cell--numeric">(\d+)<', row)
    assert cells == [
        "1",
        "1",
        "0",
        "1",
        "1",
    ]  # 1 child, review overdue, recs issued, minutes outstanding, contact overdue
    html = client.get("/children/team?officer=Q1").get_data(as_text=True)
    assert "Figures of Officer Q1" in html
    assert re.search(r'data-figure="year-held">1<', html)
    assert "South" in client.get("/children/team?team=South").get_data(as_text=True)
    assert 'data-officer="Q1"' not in client.get("/children/team?team=South").get_data(as_text=True)


# --- review fixes: what a user sees ----------------------------------------------------------


def _caseload_refs(html: str) -> list[str]:
    return re.findall(r'data-child="([^"]+)"', html)


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?scope=all&officer=Q2", ["C2"]),  # a QARO chosen while "Show" says all: that QARO's children
        ("?scope=all&team=South", ["C2"]),  # likewise a team
        ("?scope=team&team=", ["C1", "C2"]),  # "A team" with no team: everybody, not an empty list
        ("?scope=qaro&officer=Q1", ["C1"]),
        ("?scope=all", ["C1", "C2"]),
    ],
)
def test_manager_filters_on_the_children_list_narrow_it(client, login_as, records, query, expected):
    login_as("iro_manager")
    assert sorted(_caseload_refs(client.get("/children/" + query).get_data(as_text=True))) == expected


def test_every_date_input_shows_the_example_hint(client, login_as, records):
    login_as("qaro")
    for url in ("/children/C1/reviews/new", "/children/C1/contacts/new", "/children/C1/periods/new", "/children/new"):
        html = client.get(url).get_data(as_text=True)
        assert "For example, 27 3 2023" in html, url


def test_child_page_names_the_qaro_of_each_iro_contact(client, login_as, records, csrf_token):
    login_as("qaro")
    client.post(
        "/children/C2/contacts/new",
        data={
            "csrf_token": csrf_token(client),
            "contact_date": ["5", "1", "2023"],
            "contact_type": "visit",
            "officer_id": "Q2",
        },
    )
    html = client.get("/children/C2").get_data(as_text=True)
    contacts = re.search(r'id="contacts">(.*?)</table>', html, re.S).group(1)
    assert "Officer Q2" in contacts


def test_qaro_figures_use_the_indicator_labels(client, login_as, records):
    from tracker.reviews.kpis import INDICATORS

    labels = {i.id: i.label for i in INDICATORS}
    login_as("manager")
    html = client.get("/children/team?officer=Q1").get_data(as_text=True)
    for ind in ("reviews.held", "reviews.in_timescale", "reviews.minutes_in_timescale", "reviews.participation"):
        assert labels[ind] in html, ind
    assert "#qaro-figures" in client.get("/children/team").get_data(as_text=True)  # the link lands on the figures


def test_child_page_next_contact_due_matches_the_caseload(client, login_as, records):
    login_as("qaro")
    page = client.get("/children/C1").get_data(as_text=True)
    listed = client.get("/children/?scope=all").get_data(as_text=True)
    row = re.search(r'data-child="C1">(.*?)</tr>', listed, re.S).group(1)
    due = re.search(r"Next IRO contact due <strong>([^<]+)</strong>", page).group(1)
    assert due in row
