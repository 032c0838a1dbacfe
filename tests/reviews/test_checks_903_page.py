"""The 903 checks page (/children/903-checks): who sees whose failures, grouped by rule, each
opening the review to correct; its downloads; the count on the IRO manager's home page."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tracker.core.audit import AuditEntry
from tracker.extensions import db
from tracker.reviews.models import Review

from .factories import child, d, officer, review

URL = "/children/903-checks"


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-30"}


@pytest.fixture
def failures(app):
    """Q1's children A1 (a blank code in 2022/23) and B1 (PN3 at 1 year old); Q2's C1 is clean."""
    with app.app_context():
        officer("Q1")
        officer("Q2")
        a1 = child("A1", start="2022-01-10", officer_id="Q1", date_of_birth=d("2012-05-01"))
        review(a1, "2022-06-01", participation_code="PN1")
        b1 = child("B1", start="2022-01-10", officer_id="Q1", date_of_birth=d("2021-05-01"))
        review(b1, "2022-07-01", participation_code="PN0")
        c1 = child("C1", start="2022-01-10", officer_id="Q2", date_of_birth=d("2010-05-01"))
        review(c1, "2022-07-01", participation_code="PN1")
        db.session.commit()
        # as imported history: codes the rules refuse at entry, written straight to the records
        table = Review.__table__
        db.session.execute(table.update().where(table.c.review_date == d("2022-06-01")).values(participation_code=None))
        db.session.execute(
            table.update()
            .where(table.c.review_date == d("2022-07-01"), table.c.child_pk == b1.id)
            .values(participation_code="PN3")
        )
        db.session.commit()


@pytest.mark.parametrize(
    "role, status",
    [
        ("iro_manager", 200),
        ("analyst", 200),
        ("qaro", 200),
        ("manager", 403),
        ("lado", 403),
        ("board", 403),
        ("panel_admin", 403),
        ("admin", 403),
    ],
)
def test_who_may_open_the_checks(login_as, client, failures, role, status):
    login_as(role)
    assert client.get(URL).status_code == status


def test_the_iro_manager_sees_every_failure_grouped_by_rule_with_links_to_correct(login_as, client_request, failures):
    login_as("iro_manager")
    page = client_request.get(URL)
    assert page.h1 == "SSDA903 checks: 2022 to 2023"  # the latest collection year ended
    assert page.table("#failures-by-rule") == [
        ["167", "Data entry for participation is invalid or blank.", "1"],
        [
            "441",
            "Participation method indicates child was 4 years old or over at the time of the review, but the date "
            "of birth and review date indicates the child was under 4 years old.",
            "1",
        ],
    ]
    assert [row[:3] for row in page.table("#failures-167")] == [["A1", "1 Jun 2022", "Not known"]]
    assert [row[:3] for row in page.table("#failures-441")] == [["B1", "1 Jul 2022", "PN3"]]
    links = page.hrefs("#failures-441")
    assert "/children/B1" in links
    assert any(h.startswith("/children/B1/reviews/") and "back=903" in h and "year=2023" in h for h in links)
    # another year: none
    other = client_request.get(URL + "?year=2024")
    assert other.h1 == "SSDA903 checks: 2023 to 2024"
    assert other.text_of("#no-failures") == "No review held in 2023 to 2024 breaks a DfE rule."


def test_a_qaro_sees_her_caseload_only_and_the_analyst_sees_no_links_to_children(
    login_as, sign_in_as, client_request, failures
):
    sign_in_as("Q2")
    assert client_request.get(URL).text_of("#no-failures") == "No review held in 2022 to 2023 breaks a DfE rule."
    login_as("analyst")
    page = client_request.get(URL)
    assert [row[0] for row in page.table("#failures-167")] == ["A1"]
    assert not [h for h in page.hrefs("main") if h.startswith(("/children/A1", "/children/B1"))]


@pytest.mark.parametrize("year", ["abc", "1900", "2999", "", "2023%00"])
def test_a_year_not_offered_shows_the_default_year(login_as, client, failures, year):
    login_as("iro_manager")
    response = client.get(f"{URL}?year={year}")
    assert response.status_code in (200, 400)  # a control character is a bad request, never a 500
    if response.status_code == 200:
        assert "SSDA903 checks: 2022 to 2023" in response.get_data(as_text=True)


def test_the_downloads_hold_what_the_page_shows_and_are_audited(app, login_as, client, failures):
    login_as("iro_manager")
    text = client.get(URL + "?year=2023&format=csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["DfE rule", "Child", "Review date", "Participation code", "Message"]
    assert [r[:4] for r in rows[1:]] == [["167", "A1", "2022-06-01", ""], ["441", "B1", "2022-07-01", "PN3"]]
    book = load_workbook(io.BytesIO(client.get(URL + "?year=2023&format=xlsx").data))
    sheet = book.active
    assert [c.value for c in sheet[2]][:2] == ["167", "A1"]
    with app.app_context():
        assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "list.export")).all()) == 2
    # the year's return tables, HEADER and REVIEWS
    header = client.get("/children/export/903-reviews.csv?scope=all&table=header&from=2022-04-01&to=2023-03-31")
    assert header.get_data(as_text=True).splitlines()[0] == "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"
    assert client.get("/children/export/903-reviews.csv?scope=all&table=other").status_code == 400


def test_correcting_a_review_from_the_checks_returns_to_them_and_the_failure_is_gone(
    app, login_as, client_request, failures
):
    login_as("iro_manager")
    page = client_request.get(URL)
    edit = next(h for h in page.hrefs("#failures-441") if "/reviews/" in h)
    form = client_request.get(edit)
    assert [r["value"] for r in form.select("input[name=participation_code]")] == ["PN0"]  # a 1-year-old, a closed year
    with app.app_context():
        version = db.session.scalar(select(Review.version).where(Review.participation_code == "PN3"))
    response = client_request.post(
        edit,
        {
            "review_date": ["1", "7", "2022"],
            "officer_id": "",
            "participation_code": "PN0",
            "recommendations_date": ["", "", ""],
            "minutes_date": ["", "", ""],
            "version": str(version),
        },
        follow=False,
    )
    assert response.response.headers["Location"].endswith("/children/903-checks?year=2023")
    page = client_request.get(URL + "?year=2023")
    assert [row[0] for row in page.table("#failures-by-rule")] == ["167"]


def test_the_iro_managers_home_page_counts_the_failures(login_as, sign_in_as, client_request, failures):
    login_as("iro_manager")
    home = client_request.get("/")
    assert home.text_of("#checks-903").startswith(
        "SSDA903 return 2 reviews of 2022 to 2023 break a DfE validation rule."
    )
    sign_in_as("Q1")
    assert not client_request.get("/").select("#checks-903")
