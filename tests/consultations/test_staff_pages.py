"""The staff side: a QARO (or business support, ``review_admin``) starts a consultation from the
child's page, adds the people to ask (with clear messages for what is missing), types in a paper
answer, prints the paper form; the round page collates the answers by topic, read-only, and each
read is audited; business support sees the reviews area and nothing beyond it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.reviews.factories import child, officer

from .factories import answered, respondent


@pytest.fixture
def amy(app):
    """C1 Amy Ng, QARO Q1, next review planned for 20 March 2026; C2 Bo Li, QARO Q2."""
    from tracker.extensions import db
    from tracker.reviews import operations

    with app.app_context():
        officer("Q1")
        officer("Q2")
        c1 = child("C1", start="2025-01-06", officer_id="Q1", first_name="Amy", last_name="Ng")
        operations.plan_review(c1, dt.date(2026, 3, 20))
        child("C2", start="2025-01-06", officer_id="Q2", first_name="Bo", last_name="Li")
        db.session.commit()


@pytest.fixture
def as_q1(app, client):
    from tracker.auth.models import user_by_officer_id

    def _sign_in():
        with app.app_context():
            user_id = user_by_officer_id("Q1").id
        with client.session_transaction() as sess:
            sess["_user_id"] = str(user_id)
            sess["_fresh"] = True

    return _sign_in


def _round_id(app) -> str:
    from tracker.consultations.models import ConsultationRound
    from tracker.extensions import db

    with app.app_context():
        return db.session.scalar(select(ConsultationRound.round_id).order_by(ConsultationRound.id.desc()))


def test_a_qaro_starts_a_consultation_and_adds_the_people_to_ask(app, amy, as_q1, client_request):
    as_q1()
    child_page = client_request.get("/children/C1")
    assert child_page.text_of("#child-consultations-heading") == "Consultations before reviews"
    assert child_page.links()["Start a consultation"] == "/children/consultations/new/C1"
    form = client_request.get("/children/consultations/new/C1")
    assert [form.value(f"review_date-{p}") for p in ("day", "month", "year")] == ["20", "3", "2026"]  # the plan
    blank = client_request.post("/children/consultations/new/C1", {}, status=200)
    assert blank.errors == ["Enter the date of the review"]
    added = client_request.post(
        "/children/consultations/new/C1",
        {"review_date": ["20", "3", "2026"]},
    )
    round_id = _round_id(app)
    assert added.response.location == f"/children/consultations/{round_id}/respondents/new"
    url = added.response.location
    for data, message in [
        ({}, "Select who you are asking"),
        ({"respondent_type": "parent"}, "Enter the respondent's name"),
        ({"respondent_type": "parent", "name": "Pat", "contact_method": "email"}, "Enter their email address"),
        (
            {"respondent_type": "parent", "name": "Pat", "contact_method": "email", "email": "pat at home"},
            "Enter an email address in the correct format, like name@example.com",
        ),
    ]:
        assert client_request.post(url, data, status=200).errors == [message]
    again = client_request.post(
        url,
        {
            "respondent_type": "parent",
            "name": "Pat Parent",
            "contact_method": "email",
            "email": "pat@example.net",
            "another": "1",
        },
    )
    assert again.response.location == url
    client_request.post(url, {"respondent_type": "child", "name": "Amy", "contact_method": "paper"})
    page = client_request.get(f"/children/consultations/{round_id}")
    assert page.h1 == "Consultation before the review on 20 March 2026"
    assert page.table("#respondents") == [
        ["Parent", "Pat Parent", "pat@example.net", "Invitation waiting to be sent", "Enter answers for Pat Parent Paper form for Pat Parent Take off Pat Parent"],
        ["The child or young person", "Amy", "Paper or phone", "Paper or phone", "Enter answers for Amy Paper form for Amy Take off Amy"],
    ]  # fmt: skip
    assert page.text_of("#answers-empty").startswith("No answers yet")
    assert client_request.get("/children/C1").table("#child-consultations") == [[round_id, "20 Mar 2026", "2", "0"]]


def test_the_round_page_collates_the_answers_by_topic_and_the_read_is_audited(app, amy, login_as, client_request):
    from tracker.consultations import operations
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db
    from tracker.reviews.models import Child

    with app.app_context():
        round_ = operations.create_round(
            db.session.scalar(select(Child).where(Child.child_id == "C1")), dt.date(2026, 3, 20)
        )
        answered(respondent(round_, "parent", "Pat Parent"), health="Asthma is better", family_time="Wants more")
        carer = respondent(round_, "carer", "Cam Carer", "cam@example.net")
        operations.save_speak(carer, True)
        answered(carer, health="Needs a dentist")
        respondent(round_, "school", "Ms Head", "head@example.net")  # not answered yet
        db.session.commit()
        round_id = round_.round_id
    login_as("iro_manager")
    page = client_request.get(f"/children/consultations/{round_id}")
    assert page.summary()["Answered"] == "2 of 3 asked"
    health = page.one("dl[data-topic='health']")
    assert [" ".join(dt.get_text(" ").split()) for dt in health.select("dt")] == [
        "Parent Pat Parent",
        "Carer Cam Carer",
    ]
    assert [dd.get_text(strip=True) for dd in health.select("dd")] == ["Asthma is better", "Needs a dentist"]
    assert [dd.get_text(strip=True) for dd in page.one("dl[data-topic='family_time']").select("dd")] == ["Wants more"]
    assert "Nobody answered this." in page.text  # e.g. education
    with app.app_context():
        read = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "consultation.read")).all()
        assert [(r.object_type, r.object_id, r.actor) for r in read] == [
            ("consultation_round", round_id, "iro_manager@example.org")
        ]


def test_staff_type_in_a_paper_answer_which_is_then_read_only(app, amy, as_q1, client_request):
    from tracker.consultations import operations
    from tracker.extensions import db
    from tracker.reviews.models import Child

    with app.app_context():
        round_ = operations.create_round(
            db.session.scalar(select(Child).where(Child.child_id == "C1")), dt.date(2026, 3, 20)
        )
        sol = respondent(round_, "social_worker", "Sol Worker", None)
        db.session.commit()
        url = f"/children/consultations/{round_.round_id}/respondents/{sol.id}/answers"
        round_id = round_.round_id
    as_q1()
    assert client_request.post(url, {}, status=200).errors == ["Enter at least one of their answers"]
    client_request.post(url, {"education": "Attending every day", "speak": "yes"})
    page = client_request.get(f"/children/consultations/{round_id}")
    assert page.table("#respondents")[0][3].startswith("Answered")
    assert "entered by staff" in page.table("#respondents")[0][3]
    assert [dd.get_text(strip=True) for dd in page.one("dl[data-topic='education']").select("dd")] == [
        "Attending every day"
    ]
    assert page.texts("ul[data-topic='speak'] li") == ["Social worker: Sol Worker"]
    # sent: it cannot be changed, by a post either
    assert client_request.get(url, status=302)
    client_request.post(url, {"education": "Changed"})
    with app.app_context():
        from tracker.consultations.models import Respondent

        assert db.session.scalar(select(Respondent)).answer("education") == "Attending every day"


def test_the_paper_form_has_the_questions_in_the_respondents_words(app, amy, as_q1, client_request):
    from tracker.consultations import operations
    from tracker.extensions import db
    from tracker.reviews.models import Child

    with app.app_context():
        round_ = operations.create_round(
            db.session.scalar(select(Child).where(Child.child_id == "C1")), dt.date(2026, 3, 20)
        )
        kid = respondent(round_, "child", "Amy", None)
        gran = respondent(round_, "family", "Gran", None)
        db.session.commit()
        base = f"/children/consultations/{round_.round_id}/respondents"
        kid_id, gran_id = kid.id, gran.id
    as_q1()
    for_kid = client_request.get(f"{base}/{kid_id}/paper")
    assert for_kid.h1 == "Tell us what you think before your review on 20 March 2026"
    assert "2. How have you been feeling?" in for_kid.texts("h2")
    for_gran = client_request.get(f"{base}/{gran_id}/paper")
    assert for_gran.h1 == "Share your views before Amy's review on 20 March 2026"
    assert "9. Would you like to speak to the reviewing officer before the review?" in for_gran.texts("h2")


def test_a_qaro_changes_her_childrens_rounds_only_the_iro_manager_and_business_support_every_round(
    app, amy, as_q1, client_request, login_as, client
):
    from tracker.consultations import operations
    from tracker.extensions import db
    from tracker.reviews.models import Child

    with app.app_context():
        bo = db.session.scalar(select(Child).where(Child.child_id == "C2"))
        round_id = operations.create_round(bo, dt.date(2026, 3, 25)).round_id
        db.session.commit()
    url = f"/children/consultations/{round_id}/respondents/new"
    as_q1()
    client_request.get(url, status=403)
    page = client_request.get(f"/children/consultations/{round_id}")  # she may read it, as she may read Bo's page
    assert "Add someone to ask" not in page.links()
    for role in ("iro_manager", "review_admin"):
        login_as(role)
        client_request.get(url, status=200)


@pytest.mark.parametrize(
    "url,status",
    [
        ("/children/?scope=all", 200),
        ("/children/C1", 200),
        ("/children/consultations/", 200),
        ("/escalations/", 403),
        ("/worklist/", 403),
        ("/kpis/", 403),
        ("/lado/", 403),
        ("/panels/", 403),
        ("/children/C1/reviews/new", 403),
    ],
)
def test_business_support_sees_the_reviews_area_and_nothing_beyond_it(amy, login_as, client_request, url, status):
    login_as("review_admin")
    client_request.get(url, status=status)


def test_the_list_of_consultations_shows_the_reviews_to_come(app, amy, login_as, client_request):
    from tracker.consultations import operations
    from tracker.extensions import db
    from tracker.reviews.models import Child

    with app.app_context():
        children = {c.child_id: c for c in db.session.scalars(select(Child))}
        first = operations.create_round(children["C2"], dt.date(2026, 3, 25))
        respondent(first, "carer", "Cy", "cy@example.net")
        operations.create_round(children["C1"], dt.date(2026, 3, 20))
        db.session.commit()
    login_as("review_admin")
    page = client_request.get("/children/consultations/")
    assert [row[1:] for row in page.table("#consultations")] == [
        ["Amy Ng (C1)", "20 Mar 2026", "0", "0"],
        ["Bo Li (C2)", "25 Mar 2026", "1", "0"],
    ]
    assert page.text_of("#consultations caption") == "Consultations 1 to 2 of 2"
    csv_link = page.one("#downloads a[data-format='csv']")["href"]
    downloaded = client_request.client.get(csv_link)
    assert downloaded.status_code == 200
    assert downloaded.get_data(as_text=True).splitlines()[1:] == [
        "CON00002,Amy Ng (C1),2026-03-20,0,0",
        "CON00001,Bo Li (C2),2026-03-25,1,0",
    ]
