"""LADO pages: validation failures are shown (error summary + inline) without losing input;
the quick contact form, progress, outcome with KCSIE definitions, closed = read-only; the
contacts log, the person and organisation pages and the retention report."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.lado import factories

D = dt.date


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-30"}


def date(prefix: str, day: dt.date) -> dict:
    return {prefix: [str(day.day), str(day.month), str(day.year)]}


def checked(page, name: str) -> list[str]:
    return [i["value"] for i in page.select(f"input[name='{name}'][checked]")]


def test_quick_contact_with_errors_keeps_the_input_and_shows_the_summary(client_request, login_as, audit_rows):
    login_as("lado")
    page = client_request.post(
        "/lado/contacts/new",
        {"contact_date": ["31", "2", "2023"], "person_name": "Chris Keep", "employer_sector": ""},
        status=200,
    )
    assert page.errors == [
        "Date of the contact must be a real date, for example 27 3 2023",
        "Select the employer sector",
        "Select what happens next",
    ]
    assert page.field_error("contact_date").startswith("Date of the contact must be a real date")
    assert page.text_of("#contact_date-error").startswith("Error:")  # said to screen readers too
    assert page.field_error("employer_sector") == "Select the employer sector"
    assert page.field_error("disposition") == "Select what happens next"
    assert page.value("person_name") == "Chris Keep" and page.value("contact_date-day") == "31"  # never lose input
    assert audit_rows("lado_contact.create") == []


def test_a_future_contact_date_comes_back_as_a_field_error(client_request, login_as, audit_rows):
    login_as("lado")
    page = client_request.post(
        "/lado/contacts/new",
        {**date("contact_date", D(2023, 7, 1)), "employer_sector": "sport", "disposition": "advice"},
        status=200,
    )
    assert page.errors == ["The date of the contact must be today or in the past"]
    assert page.field_error("contact_date") == "The date of the contact must be today or in the past"
    assert page.value("contact_date-day") == "1" and checked(page, "disposition") == ["advice"]
    assert audit_rows("lado_contact.create") == []


def test_log_contact_progress_record_outcome_and_close(app, client_request, login_as, audit_rows):
    from tracker.extensions import db
    from tracker.lado.models import LadoContact, LadoReferral

    login_as("lado", officer_id="L7")
    logged = client_request.post(
        "/lado/contacts/new",
        {
            **date("contact_date", D(2023, 6, 1)),
            "employer_sector": "education",
            "disposition": "advice",
            "person_ref": "P77",
        },
    )
    contact_url = logged.response.headers["Location"]
    contact_id = contact_url.rsplit("/", 1)[-1]
    with app.app_context():
        contact = db.session.get(LadoContact, contact_id)
        assert (contact.officer_id, contact.person_ref, contact.disposition) == ("L7", "P77", "advice")
    assert client_request.get(contact_url).banner == f"Success Contact {contact_id} saved."

    progress = f"/lado/contacts/{contact_id}/referral"
    page = client_request.post(progress, date("referral_date", D(2023, 5, 1)), status=200)
    assert page.field_error("referral_date") == "The referral cannot be dated before its contact"
    assert audit_rows("lado_referral.create") == []
    referral_url = client_request.post(progress, date("referral_date", D(2023, 6, 2))).response.headers["Location"]
    referral_id = referral_url.rsplit("/", 1)[-1]
    assert referral_url == f"/lado/referrals/{referral_id}" and referral_id.startswith("LR")

    # the IEM, then the outcome (an outcome follows the IEM)
    client_request.post(
        f"/lado/referrals/{referral_id}/meetings/new", {"meeting_type": "iem", **date("meeting_date", D(2023, 6, 5))}
    )
    outcome_url = f"/lado/referrals/{referral_id}/outcome"
    page = client_request.get(outcome_url)
    assert page.h1 == f"LADO Record the outcome of referral {referral_id}"
    assert "There is sufficient evidence to disprove the allegation." in page.text_of("#outcome-2-item-hint")
    page = client_request.post(outcome_url, {"outcome": "false", **date("outcome_date", D(2023, 6, 1))}, status=200)
    assert page.field_error("outcome_date") == "The outcome cannot be dated before the referral"
    client_request.post(outcome_url, {"outcome": "false", **date("outcome_date", D(2023, 6, 20))})
    client_request.post(f"/lado/referrals/{referral_id}/close", date("closed_date", D(2023, 6, 21)))

    page = client_request.get(referral_url)
    assert page.h1 == f"Referral {referral_id} Closed" and page.tags[:1] == ["Closed"]
    assert page.text_of(".govuk-inset-text") == "This referral is closed and read-only. Re-open it to change it."
    assert page.summary()["Outcome"] == "False (20 June 2023)"
    assert "20 June 2023 – Outcome: False" in page.texts("#timeline li")[3]  # contact, referral, IEM, outcome
    assert list(page.links(".govuk-button-group")) == ["Re-open"]
    # read-only: a change page sends the user back, a post changes nothing
    assert client_request.get(f"/lado/referrals/{referral_id}/dbs", status=302).response.headers["Location"] == (
        referral_url
    )
    client_request.post(f"/lado/referrals/{referral_id}/dbs", date("dbs_referral_date", D(2023, 6, 22)))
    with app.app_context():
        assert db.session.get(LadoReferral, referral_id).dbs_referral_date is None
    assert audit_rows("lado_referral.record_dbs") == []

    page = client_request.post(f"/lado/referrals/{referral_id}/reopen", {"reason": ""}, status=200)
    assert page.field_error("reason") == "Enter why the referral is being re-opened"
    client_request.post(f"/lado/referrals/{referral_id}/reopen", {"reason": "New evidence"})
    client_request.post(f"/lado/referrals/{referral_id}/dbs", date("dbs_referral_date", D(2023, 6, 22)))
    with app.app_context():
        assert db.session.get(LadoReferral, referral_id).dbs_referral_date == D(2023, 6, 22)
    changes = [r.action for r in audit_rows(object_type="lado_referral") if r.action != "lado_record.read"]
    assert changes == [
        "lado_referral.create",
        "lado_referral.record_outcome",
        "lado_referral.close",
        "lado_referral.reopen",
        "lado_referral.record_dbs",
    ]


def test_contacts_log_filters_and_person_page_lists_every_contact(app, client_request, login_as):
    from tracker.extensions import db

    with app.app_context():
        old = factories.contact(D(2019, 3, 1), employer_sector="sport", person_ref="P5", organisation_ref="ORG5")
        referral = factories.referral(D(2023, 3, 1), person_ref="P5")
        anonymous = factories.contact(D(2023, 3, 2))
        old, anonymous, new = old.contact_id, anonymous.contact_id, referral.contact_id
        referral_id, person_url = referral.referral_id, f"/lado/people/{referral.contact.person.public_id}"
        db.session.commit()
    login_as("lado_manager")

    def listed(url):
        return [row[0] for row in client_request.get(url).table("#contacts")]

    assert listed("/lado/") == [anonymous, new, old]  # newest first
    assert listed("/lado/?sector=sport") == [old]
    assert listed("/lado/?disposition=advice&date_from=1&date_from=1&date_from=2023") == [anonymous]
    page = client_request.get("/lado/?sector=sport")
    assert page.table("#contacts") == [[old, "1 Mar 2019", "Sport", "P5", "ORG5", "Advice only (low-level enquiry)"]]

    assert client_request.get("/lado/").links()["P5"] == person_url
    page = client_request.get(person_url)
    assert page.h1 == "Person P5"
    assert [row[0] for row in page.table("table")] == [old, new]  # every contact about P5, across years
    assert page.table("table")[1][4:] == [referral_id, "Pending"]
    assert page.links()[referral_id] == f"/lado/referrals/{referral_id}"
    assert [row[0] for row in client_request.get("/lado/organisations/ORG5").table("table")] == [old]


def test_retention_report_lists_records_past_retention(app, client_request, login_as):
    from tracker.extensions import db

    with app.app_context():
        past = factories.contact(D(2013, 6, 29), employer_sector="sport").contact_id  # kept to 29 June 2023
        factories.contact(D(2013, 6, 30), employer_sector="sport")  # kept to today
        factories.contact(D(2012, 1, 1), person_ref="P1", person_dob=D(1960, 1, 1))  # pension age 67 in 2027
        db.session.commit()
    login_as("lado_manager")
    page = client_request.get("/lado/retention")
    assert page.table("#retention") == [[past, "29 Jun 2013", "Anonymous consultation", "", "29 Jun 2023"]]


def test_meetings_actions_and_details_are_recorded_from_the_referral_page(
    app, client_request, login_as, make_user, seeded, audit_rows
):
    from tracker.extensions import db
    from tracker.lado.models import LadoAction, LadoReferral

    make_user("l7@example.org", ["lado"], officer_id="L7")
    login_as("lado")
    referral_url = f"/lado/referrals/{seeded.referral_id}"
    page = client_request.get(referral_url)
    assert page.deadlines() == {
        ("lado_iem", seeded.referral_id, "2023-01-09", "overdue"),
        ("lado_action", seeded.action_id, "2023-01-20", "overdue"),
    }
    assert list(page.links(".govuk-button-group")) == [
        "Record a meeting",
        "Record the outcome",
        "DBS referral",
        "Add an action",
        "Change details",
        "Close",
    ]

    new_meeting = f"{referral_url}/meetings/new"
    assert client_request.get(new_meeting).h1 == f"LADO Record or schedule a meeting for referral {seeded.referral_id}"
    client_request.post(new_meeting, {"meeting_type": "iem", **date("meeting_date", D(2023, 1, 5))})
    page = client_request.get(referral_url)
    assert page.banner == "Success Initial Evaluation Meeting (IEM) saved."
    assert page.table("#meetings")[1][:2] == ["5 Jan 2023", "Initial Evaluation Meeting (IEM)"]
    assert ("lado_paim", seeded.referral_id, "2023-02-02", "overdue") in page.deadlines()  # IEM + 28 days
    assert not any(kind == "lado_iem" for kind, *_ in page.deadlines())

    client_request.post(
        f"{referral_url}/actions/new",
        {"description": "Letter to the trust", "owner": "Employer", **date("due_date", D(2023, 7, 10))},
    )
    with app.app_context():
        letter = db.session.query(LadoAction).filter_by(description="Letter to the trust").one().action_id
    page = client_request.get(referral_url)
    assert page.banner == f"Success Action {letter} added."
    assert ("lado_action", letter, "2023-07-10", "due_soon") in page.deadlines()

    action_url = f"/lado/actions/{letter}"
    page = client_request.post(f"{action_url}/complete", date("completed_date", D(2023, 7, 1)), status=200)
    assert page.field_error("completed_date") == "The completion date must be today or in the past"
    client_request.post(f"{action_url}/review", {"notes": "Chased"})
    client_request.post(f"{action_url}/complete", date("completed_date", D(2023, 6, 30)))
    page = client_request.get(action_url)
    assert page.summary()["Completed"] == "30 June 2023" and page.summary()["Review notes"] == "2023-06-30: Chased"
    assert page.deadlines() == set() and page.select("#completed_date") == []  # done: no more deadline or form
    assert letter not in {ref for _, ref, *_ in client_request.get(referral_url).deadlines()}

    details = f"{referral_url}/details"
    client_request.post(details, {"police_investigation": "y", "officer_id": "L7"})
    with app.app_context():
        referral = db.session.get(LadoReferral, seeded.referral_id)
        assert (referral.police_investigation, referral.officer_id, referral.child_informed) == (True, "L7", False)
    assert client_request.get(referral_url).summary()["Police investigation"] == "Yes"
    changes = [r.action for r in audit_rows() if r.action not in ("lado_record.read",) and r.user_id is not None]
    # the allocation is its own row
    assert changes == ["lado_meeting.create", "lado_action.create", "lado_action.review", "lado_action.complete",
                       "lado_referral.update", "lado_referral.allocate"]  # fmt: skip


def test_the_person_page_shows_the_index_entry_and_saves_changes(app, client_request, login_as, seeded, audit_rows):
    login_as("lado")
    person_url = f"/lado/people/{seeded.person_public_id}"
    page = client_request.get(person_url)
    assert page.summary()["Name"] == factories.PERSON_NAME and page.summary()["Date of birth"] == "17 May 1980"
    assert page.summary()["Keep records until"] == "17 May 2047"  # pension age 67, later than contact + 10 years
    assert [row[0] for row in page.table("table")] == [seeded.contact_id]
    assert page.table("table")[0][2] == factories.ORGANISATION_NAME
    page = client_request.post(person_url, {"name": "", "date_of_birth": ["31", "12", "2023"]}, status=200)
    assert page.field_error("date_of_birth") == "The date of birth must be today or in the past"
    client_request.post(person_url, {"name": "", "date_of_birth": ["", "", ""], "notes": "Moved away"})
    assert client_request.get(person_url).summary()["Name"] == "Not recorded"
    (row,) = audit_rows("lado_person.update")
    assert (row.summary, row.before) == (f"Person {seeded.person_ref} updated", None)
    assert row.after == {"changed": ["name", "date_of_birth", "notes"]}  # which details, not what they say
