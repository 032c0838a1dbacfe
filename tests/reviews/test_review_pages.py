"""The /children pages: who may see them, forms that show errors and keep the input, and
changes that go through the operations (audited) and move the due dates."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tracker.core.audit import AuditEntry
from tracker.extensions import db
from tracker.formatters import format_date_short
from tracker.reviews.kpis import INDICATORS
from tracker.reviews.models import CarePeriod, Child, Review

from .factories import care_period, child, d, officer


@pytest.fixture
def app_config():
    return {"TODAY": "2023-01-16"}


def refs(page) -> list[str]:
    """The children's references in the caseload table, in the order shown."""
    return [row[1] for row in page.table("#caseload")]


def audit_count(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def review_form(day: str, month: str, year: str, **fields) -> dict:
    """A posted review form: the review date, blank optional dates, and ``fields``."""
    return {
        "review_date": [day, month, year],
        "officer_id": "",
        "recommendations_date": ["", "", ""],
        "minutes_date": ["", "", ""],
        **fields,
    }


# --- who may see what ------------------------------------------------------------------------

PAGES = {"/children/": 200, "/children/C1": 200, "/children/all": 302, "/children/export/903-reviews.csv": 200}
# Recording something new: any QARO, for any child (covering for a colleague).
EDIT_PAGES = [
    "/children/C1/reviews/new",
    "/children/C1/contacts/new",
    "/children/new",
]
# Changing what is there: the QARO of the child (C1 is Q1's; its review was chaired by Q1) or the
# IRO manager (tests/test_edit_policy.py has the whole table).
CHANGE_PAGES = [
    "/children/C1/periods/new",
    "/children/C1/edit",
    "/children/C1/reviews/R000001/edit",
]


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("qaro", True),
        ("iro_manager", True),
        ("manager", True),
        ("lado", False),
        ("board", False),
        ("analyst", False),
        ("admin", False),
        ("panel_admin", False),
    ],
)
def test_who_may_see_the_children_pages(client, login_as, caseload, role, allowed):
    login_as(role)
    for url, status in PAGES.items():
        # the analyst takes the whole authority's SSDA903 download (no names), never a child's page
        takes = allowed or (role == "analyst" and url.startswith("/children/export/"))
        assert client.get(url).status_code == (status if takes else 403), url
    for url in EDIT_PAGES:
        assert client.get(url).status_code == (200 if role in ("qaro", "iro_manager") else 403), url
    for url in CHANGE_PAGES:  # the QARO signed in here has no caseload
        assert client.get(url).status_code == (200 if role == "iro_manager" else 403), url
    assert client.get("/children/C1/reviews/R000001/remove").status_code == (200 if role == "iro_manager" else 403)
    assert client.get("/children/team").status_code == (200 if role in ("iro_manager", "manager") else 403)
    assert client.get("/children/C1/allocate").status_code == (200 if role == "iro_manager" else 403)


def test_a_qaro_changes_their_own_childrens_records(app, client, sign_in_as, caseload):
    with app.app_context():
        c2_period = db.session.scalar(select(Child).where(Child.child_id == "C2")).care_periods[0].id
    sign_in_as("Q1")
    for url in CHANGE_PAGES:
        assert client.get(url).status_code == 200, url
    for url in ("/children/C2/periods/new", f"/children/C2/periods/{c2_period}/edit", "/children/C2/edit"):
        assert client.get(url).status_code == 403, url  # Q2's child
    assert client.get("/children/C1/reviews/R000001/remove").status_code == 403  # the IRO manager removes


def test_anonymous_visitors_are_sent_to_sign_in(client, caseload):
    response = client.get("/children/C1")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_an_unknown_child_is_not_found(login_as, client_request, caseload):
    login_as("qaro")
    client_request.get("/children/C99", status=404)
    client_request.get("/children/C1/reviews/R999999/edit", status=404)


# --- lists -----------------------------------------------------------------------------------


def test_my_children_shows_the_qaros_caseload_with_the_overdue_first(client_request, sign_in_as, caseload, app):
    with app.app_context():
        child("C3", start="2022-01-04", officer_id="Q1", first_name="Cy", last_name="Oh")  # no review: long overdue
        db.session.commit()
    sign_in_as("Q1")
    page = client_request.get("/children/")
    assert page.h1 == "My children"
    assert refs(page) == ["C3", "C1"]  # C2 is Q2's; overdue first
    # Mine: no QARO column. Child, reference, next review due, recommendations, minutes, contacts.
    assert page.table("#caseload")[0][:4] == ["Cy Oh", "C3", "1 Feb 2022 Overdue", "0"]
    assert page.text_of("#qaro-figures caption") == "My figures"
    assert refs(client_request.get("/children/?sort=ref")) == ["C1", "C3"]


def test_sorted_by_next_iro_contact_those_not_expected_to_have_one_come_last(login_as, client_request, caseload, app):
    with app.app_context():  # in care since January 2022: a contact would have been due first
        child("C3", start="2022-01-04", officer_id="Q1", iro_contact_expected=False)
        db.session.commit()
    login_as("iro_manager")
    page = client_request.get("/children/?scope=all&sort=contact")
    assert [(row[1], row[-1]) for row in page.table("#caseload")] == [
        ("C1", "1 Dec 2022 Overdue"),
        ("C2", "1 Jun 2023 Upcoming"),
        ("C3", "Not expected"),
    ]


def test_search_finds_children_by_name_or_reference(login_as, client_request, caseload):
    login_as("iro_manager")
    client_request.post("/children/?scope=all", {"q": "bo li"})
    page = client_request.get("/children/?scope=all")
    assert refs(page) == ["C2"]
    assert page.value("q") == "bo li"
    client_request.get("/children/?scope=all&clear=1", status=302)
    assert refs(client_request.get("/children/?scope=all")) == ["C1", "C2"]


def test_a_manager_chooses_a_team_or_a_qaro(login_as, client_request, caseload):
    login_as("manager")
    assert refs(client_request.get("/children/?scope=team&team=South")) == ["C2"]
    assert refs(client_request.get("/children/?scope=qaro&officer=Q1")) == ["C1"]


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
def test_manager_filters_on_the_children_list_narrow_it(login_as, client_request, caseload, query, expected):
    login_as("iro_manager")
    assert sorted(refs(client_request.get("/children/" + query))) == expected


def test_team_page_shows_each_qaros_counts_and_figures(login_as, client_request, caseload):
    login_as("manager")
    page = client_request.get("/children/team")
    # 1 child, review overdue, recommendations issued, minutes outstanding, contact overdue
    assert page.texts('#team-table tr[data-officer="Q1"] td.govuk-table__cell--numeric') == ["1", "1", "0", "1", "1"]
    assert page.select("#qaro-figures") == []
    page = client_request.get("/children/team?officer=Q1")
    assert page.text_of("#qaro-figures caption") == "Figures of Officer Q1"
    assert page.text_of('[data-figure="year-held"]') == "1"
    figures = {row[0]: row[1:] for row in page.table("#qaro-figures")}
    assert figures["Reviews held in timescale"] == ["–", "100.00% (1 of 1)"]  # this month, this year
    assert page.texts("#qaro-figures thead th")[1:] == ["This month (from 1 Jan 2023)", "This year (from 1 Apr 2022)"]
    south = client_request.get("/children/team?team=South")
    assert [row[1] for row in south.table("#team-table")] == ["South"]
    assert south.select('tr[data-officer="Q1"]') == [] and len(south.select('tr[data-officer="Q2"]')) == 1


def test_qaro_figures_use_the_indicator_labels(app, login_as, client_request, caseload):
    with app.app_context():  # a label names the timescale rule in force ("within 20 working days")
        labels = {i.id: i.title for i in INDICATORS}
    assert labels["reviews.minutes_in_timescale"] == "Minutes completed within 20 working days"
    login_as("manager")
    shown = [row[0] for row in client_request.get("/children/team?officer=Q1").table("#qaro-figures")]
    for ind in ("reviews.held", "reviews.in_timescale", "reviews.minutes_in_timescale", "reviews.participation"):
        assert labels[ind] in shown, ind
    team = client_request.get("/children/team")
    assert any(href.endswith("#qaro-figures") for href in team.hrefs("#team-table"))  # the link lands on the figures


def test_worklist_and_home_name_the_child_to_those_who_may_see_children(
    app, login_as, sign_in_as, client_request, caseload
):
    """A QARO's worklist and home page name the child beside the reference (issue 12); the
    analyst, who sees figures and no child, gets neither the rows nor the names."""
    sign_in_as("Q1")
    items = [row[3] for row in client_request.get("/worklist/mine?state=any").table("#worklist")]
    assert "Review of Amy Ng (C1)" in items
    assert any(i.startswith("Minutes for review ") and i.endswith(" of Amy Ng (C1)") for i in items)
    home = client_request.get("/")
    assert "Review of Amy Ng (C1)" in [row[1] for row in home.table("#due-for-you")]
    assert home.links("#due-for-you")["Review of Amy Ng (C1)"] == "/children/C1"
    for role in ("analyst", "board"):
        login_as(role, email=f"{role}@example.org")
        for url in ("/", "/worklist/", "/children/?scope=all", "/escalations/all", "/kpis/reviews.held/numerator"):
            text = client_request.client.get(url).get_data(as_text=True)  # 403 or a page without them
            assert "Amy Ng" not in text and "Bo Li" not in text, (role, url)


# --- the child's page and its forms ------------------------------------------------------------


def test_child_page_shows_the_details_the_chain_and_the_deadlines(login_as, client_request, caseload):
    login_as("qaro")
    page = client_request.get("/children/C1")
    assert page.h1 == "Amy Ng"
    assert page.summary()["Allocated QARO"] == "Officer Q1 (Q1)"
    assert page.summary()["Date of birth"] == "1 May 2012"
    (period,) = page.select("table[id^=period-]")
    first, second = page.table(f"#{period['id']}")
    assert first[:7] == [
        "First",
        "1 Jul 2022",
        "20 Jun 2022",
        "In timescale",
        "PN1 Child attends and speaks for themselves",
        "Issued 22 Jun 2022",
        "Not completed: due 18 Jul 2022 Overdue",
    ]
    assert second[:4] == ["Second", "20 Sep 2022", "Not yet held", "20 Sep 2022 Overdue"]
    review_id = page.one("tr[data-review]")["data-review"]
    assert page.deadlines() == {
        ("cic_review", "C1", "2022-09-20", "overdue"),
        ("review_minutes", review_id, "2022-07-18", "overdue"),
        ("iro_contact", "C1", "2022-12-01", "overdue"),
    }


def test_recording_a_review_moves_the_next_due_date_and_is_audited(login_as, client_request, caseload, app):
    login_as("qaro", officer_id="Q9")
    page = client_request.get("/children/C2")
    assert page.text_of("#next-review-due") == "3 Jan 2023 Overdue"
    assert ("cic_review", "C2", "2023-01-03", "overdue") in page.deadlines()
    client_request.post(
        "/children/C2/reviews/new",
        review_form(
            "10", "1", "2023", participation_code="PN2", advocate="y", recommendations_date=["12", "1", "2023"]
        ),
    )
    page = client_request.get("/children/C2")
    assert page.banner == "Success Review held on 10 January 2023 saved"
    assert page.text_of("#next-review-due") == "10 Apr 2023 Upcoming"
    assert ("cic_review", "C2", "2023-04-10", "upcoming") in page.deadlines()
    with app.app_context():
        rv = db.session.scalar(select(Review).join(Child).where(Child.child_id == "C2"))
        assert (rv.participation_code, rv.advocate, rv.recommendations_date) == ("PN2", True, d("2023-01-12"))
        assert rv.review_id.startswith("R") and len(rv.review_id) == 7
    assert audit_count(app, "review.create") == 2


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"review_date": ["31", "2", "2023"]}, "review_date", "must be a real date"),
        ({"review_date": ["", "", ""]}, "review_date", "Enter the date the review was held"),
        ({"review_date": ["20", "1", "2023"]}, "review_date", "The review date must be today or in the past"),
        (
            {"review_date": ["1", "11", "2022"]},
            "review_date",
            "The review date is outside every care period of this child: add or correct the care period first",
        ),
        (
            {"review_date": ["10", "1", "2023"], "recommendations_date": ["9", "1", "2023"]},
            "recommendations_date",
            "The date recommendations were issued must be the same as or after the review date",
        ),
    ],
)
def test_review_form_errors_are_shown_and_the_input_kept(login_as, client_request, caseload, app, data, field, message):
    login_as("qaro", officer_id="Q9")
    page = client_request.post("/children/C2/reviews/new", {"officer_id": "", **data}, status=200)
    assert page.title.startswith("Error: ")
    assert page.h1 == "Record a review of C2"
    assert len(page.errors) == 1 and message in page.errors[0]
    assert message in page.field_error(field)
    assert page.value("review_date-day") == data["review_date"][0]
    assert page.value("review_date-year") == data["review_date"][2]
    # A refused change leaves nothing written.
    assert audit_count(app, "review.create") == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Review)) == 1


def test_overlapping_care_period_is_refused_with_a_clear_error(sign_in_as, client_request, caseload):
    sign_in_as("Q1")  # C1's QARO
    page = client_request.post(
        "/children/C1/periods/new",
        {"start_date": ["1", "9", "2022"], "end_date": ["", "", ""], "legal_status": ""},
        status=200,
    )
    assert page.field_error("start_date") == (
        "This overlaps the care period from 1 June 2022 with no end date: care periods of one child cannot overlap"
    )
    page = client_request.post(
        "/children/C1/periods/new",
        {"start_date": ["1", "1", "2021"], "end_date": ["1", "12", "2020"], "legal_status": ""},
        status=200,
    )
    assert page.errors == ["The end date must be the same as or after the start date"]
    assert page.field_error("end_date") == "The end date must be the same as or after the start date"


def test_ending_a_care_period_that_would_strand_a_review_is_refused(sign_in_as, client_request, caseload, app):
    sign_in_as("Q1")  # C1's QARO
    with app.app_context():
        pid = db.session.scalar(select(Child).where(Child.child_id == "C1")).care_periods[0].id
    page = client_request.post(
        f"/children/C1/periods/{pid}/edit",
        {"start_date": ["1", "6", "2022"], "end_date": ["10", "6", "2022"], "legal_status": ""},
        status=200,
    )
    assert page.field_error("end_date") == (
        "The review held on 20 June 2022 would fall outside every care period: change or remove that review first"
    )
    # The period was changed and flushed before the rule refused it: the request rolled it back.
    with app.app_context():
        assert db.session.get(CarePeriod, pid).end_date is None
    assert audit_count(app, "care_period.update") == 0
    client_request.post(
        f"/children/C1/periods/{pid}/edit",
        {"start_date": ["1", "6", "2022"], "end_date": ["10", "1", "2023"], "legal_status": "C2"},
    )
    page = client_request.get("/children/C1")
    assert page.text_of("#next-review") == "This child is not looked after today."
    assert page.deadlines() == {("review_minutes", page.one("tr[data-review]")["data-review"], "2022-07-18", "overdue")}
    assert page.text_of(f"#period-{pid} caption").startswith(
        "Care period from 1 June 2022 to 10 January 2023, legal status C2 – Full care order"
    )
    assert audit_count(app, "care_period.update") == 1


def test_changing_a_care_period_keeps_a_legal_status_sent_by_the_case_system(sign_in_as, client_request, app):
    """Legal statuses are stored as the case system sends them: one that is not on the list
    stays selected on the form, and saving the period (here, ending it) keeps it."""
    with app.app_context():
        officer("Q5")
        pid = care_period(child("C5", officer_id="Q5"), "2022-01-10", legal_status="X9").id
        db.session.commit()
    sign_in_as("Q5")  # C5's QARO
    form = client_request.get(f"/children/C5/periods/{pid}/edit")
    assert form.text_of("#legal_status option[selected]") == "X9"
    client_request.post(
        f"/children/C5/periods/{pid}/edit",
        {"start_date": ["10", "1", "2022"], "end_date": ["1", "1", "2023"], "legal_status": "X9"},
    )
    page = client_request.get("/children/C5")
    assert page.text_of(f"#period-{pid} caption").startswith(
        "Care period from 10 January 2022 to 1 January 2023, legal status X9"
    )


def test_reallocating_a_qaro(login_as, client_request, caseload, app):
    login_as("iro_manager")
    client_request.post("/children/C1/allocate", {"officer_id": "Q2"})
    assert client_request.get("/children/C1").summary()["Allocated QARO"] == "Officer Q2 (Q2)"
    with app.app_context():
        assert db.session.scalar(select(Child.iro_officer_id).where(Child.child_id == "C1")) == "Q2"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "child.allocate"))
        assert entry.before == {"iro_officer_id": "Q1"} and entry.after == {"iro_officer_id": "Q2"}


def test_editing_and_removing_a_review(sign_in_as, login_as, client_request, caseload, app):
    sign_in_as("Q1")  # who chaired it
    with app.app_context():
        rid = db.session.scalar(select(Review.review_id))
    form = client_request.get(f"/children/C1/reviews/{rid}/edit")
    assert form.h1 == "Change the review of C1"
    assert [int(form.value(f"review_date-{part}")) for part in ("day", "month", "year")] == [20, 6, 2022]
    client_request.post(
        f"/children/C1/reviews/{rid}/edit",
        {"review_date": ["27", "6", "2022"], "officer_id": "Q1", "participation_code": "PN4"},
    )
    page = client_request.get("/children/C1")
    assert ("cic_review", "C1", "2022-09-27", "overdue") in page.deadlines()
    assert page.text_of("#next-review-due") == "27 Sep 2022 Overdue"
    assert audit_count(app, "review.update") == 1
    login_as("iro_manager")  # the one role that removes a review, with a reason
    confirm = client_request.get(f"/children/C1/reviews/{rid}/remove")
    assert confirm.h1 == "Remove the review of C1 held on 27 June 2022"
    client_request.post(f"/children/C1/reviews/{rid}/remove", {"reason": "Recorded twice"})
    page = client_request.get("/children/C1")
    assert page.select("tr[data-review]") == []
    assert ("cic_review", "C1", "2022-07-01", "overdue") in page.deadlines()  # the first review's due date again
    with app.app_context():  # kept, removed
        assert db.session.scalar(select(func.count()).select_from(Review).where(Review.removed_at.is_(None))) == 0
        assert db.session.scalar(select(func.count()).select_from(Review)) == 1
    assert audit_count(app, "review.remove") == 1


def test_changing_a_review_keeps_its_qaro_after_they_leave(login_as, client_request, caseload, app):
    """A QARO no longer active is not offered for new reviews, but a review they chaired keeps
    them when it is changed (the form offers the officer it already names)."""
    from tracker.auth import operations as auth_operations
    from tracker.auth.models import user_by_officer_id

    with app.app_context():
        auth_operations.set_active(user_by_officer_id("Q1"), False, actor="test")
        rid = db.session.scalar(select(Review.review_id))
        db.session.commit()
    login_as("iro_manager")
    new = client_request.get("/children/C1/reviews/new")
    assert "Q1" not in [option["value"] for option in new.select("#officer_id option")]
    form = client_request.get(f"/children/C1/reviews/{rid}/edit")
    assert form.text_of("#officer_id option[selected]") == "Officer Q1 (Q1)"
    client_request.post(
        f"/children/C1/reviews/{rid}/edit", review_form("20", "6", "2022", officer_id="Q1", participation_code="PN3")
    )
    with app.app_context():
        assert db.session.scalar(select(Review.officer_id)) == "Q1"
    assert client_request.get("/children/C1/allocate").text_of("#officer_id option[selected]") == "Officer Q1 (Q1)"


def test_recording_an_iro_contact(login_as, client_request, caseload, app):
    login_as("qaro")
    client_request.post(
        "/children/C2/contacts/new", {"contact_date": ["5", "1", "2023"], "contact_type": "visit", "officer_id": "Q2"}
    )
    page = client_request.get("/children/C2")
    assert page.table("#contacts") == [["5 Jan 2023", "Visit", "Officer Q2"]]  # the QARO by name
    assert ("iro_contact", "C2", "2023-07-05", "upcoming") in page.deadlines()  # 6 months after the contact
    page = client_request.post("/children/C2/contacts/new", {"contact_date": ["5", "1", "2023"]}, status=200)
    assert page.errors == ["Select the type of contact"]
    assert page.field_error("contact_type") == "Select the type of contact"
    assert audit_count(app, "iro_contact.create") == 1


def test_adding_and_editing_a_child(sign_in_as, client_request, caseload, app):
    sign_in_as("Q1")
    client_request.post(
        "/children/new",
        {"child_id": "C7", "first_name": "Di", "last_name": "Fox", "date_of_birth": ["3", "4", "2015"]},
    )
    page = client_request.get("/children/C7")
    assert page.h1 == "Di Fox"
    assert page.summary()["Allocated QARO"] == "Officer Q1 (Q1)"  # a QARO's new child is theirs
    assert page.text_of("#next-review") == "This child is not looked after today."
    page = client_request.post("/children/new", {"child_id": "C7", "date_of_birth": ["3", "4", "2015"]}, status=200)
    assert page.field_error("child_id") == "A child with the reference C7 already exists"
    client_request.post(
        "/children/C7/edit", {"first_name": "Di", "last_name": "Fox", "date_of_birth": ["4", "4", "2015"]}
    )
    assert client_request.get("/children/C7").summary()["Date of birth"] == "4 April 2015"
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "child.update"))
        assert (entry.object_id, entry.before, entry.after) == (
            "C7",
            {"date_of_birth": "2015-04-03"},
            {"date_of_birth": "2015-04-04"},
        )


def test_every_date_input_shows_the_example_hint(sign_in_as, client_request, caseload):
    sign_in_as("Q1")  # C1's QARO
    for url in ("/children/C1/reviews/new", "/children/C1/contacts/new", "/children/C1/periods/new", "/children/new"):
        page = client_request.get(url)
        dates = [field["id"] for field in page.select(".govuk-date-input")]
        assert dates, url
        for field in dates:
            assert "For example, 27 3 2023" in page.text_of(f"#{field}-hint"), (url, field)


def test_child_page_next_contact_due_matches_the_caseload(login_as, client_request, caseload):
    login_as("qaro")
    (contact_due,) = [
        due for kind, _ref, due, _state in client_request.get("/children/C1").deadlines() if kind == "iro_contact"
    ]
    (row,) = [row for row in client_request.get("/children/?scope=all").table("#caseload") if row[1] == "C1"]
    assert row[-1] == f"{format_date_short(d(contact_due))} Overdue"
