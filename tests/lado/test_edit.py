"""Edit pages for a contact's details and for a meeting: the creation rules, errors shown with the
user's input kept, a closed referral read-only, one audit row per change, LADO roles only."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.core.permissions import ROLE_CODES

NON_LADO = [r for r in ROLE_CODES if r not in ("lado", "lado_manager")]


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-30"}


def post(client, csrf_token, url, data):
    return client.post(url, data={"csrf_token": csrf_token(client), **data})


def date(prefix, d):
    return {prefix: [str(d.day), str(d.month), str(d.year)]}


def seed(app):
    """CW00001: an advice contact; CW00002: a contact with referral RW00001 and its IEM RW00001-M01."""
    from tracker.extensions import db
    from tracker.lado import operations

    with app.app_context():
        operations.log_contact(
            contact_date=dt.date(2023, 5, 1),
            employer_sector="sport",
            disposition="advice",
            person_ref="P1",
            person_name="Jo Bloggs",
            categories=["physical"],
        )
        contact = operations.log_contact(
            contact_date=dt.date(2023, 5, 2),
            employer_sector="education",
            disposition="referral",
            person_ref="P2",
            organisation_ref="ORG2",
        )
        operations.record_meeting(
            contact.referral,
            meeting_type="iem",
            meeting_date=dt.date(2023, 5, 4),
            attendees="LADO, head",
            decisions="Investigate",
        )
        db.session.commit()


def contact_form(**over):
    data = {
        **date("contact_date", dt.date(2023, 5, 1)),
        "employer_sector": "sport",
        "disposition": "advice",
        "person_ref": "P1",
        "subject_role": "Coach",
        "organisation_ref": "",
        "referrer_agency": "Club",
        "categories": ["physical", "conduct"],
        "foster_carer_type": "",
        "foster_carer_agency": "",
        "summary": "",
    }
    data.update(over)
    return data


def audit_rows(app, action):
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    with app.app_context():
        return [
            (e.object_id, e.summary, e.before, e.after)
            for e in db.session.query(AuditEntry).filter_by(action=action).order_by(AuditEntry.id)
        ]


# --- contact ----------------------------------------------------------------------------------------


def test_the_contact_page_links_to_the_edit_page_which_is_prefilled(app, client, login_as):
    seed(app)
    login_as("lado")
    assert "/lado/contacts/CW00001/edit" in client.get("/lado/contacts/CW00001").get_data(as_text=True)
    assert "/lado/contacts/CW00002/edit" in client.get("/lado/referrals/RW00001").get_data(as_text=True)
    html = client.get("/lado/contacts/CW00001/edit").get_data(as_text=True)
    assert 'value="P1"' in html and 'value="2023"' in html and 'value="physical" checked' in html
    assert 'value="advice" checked' in html and 'value="referral"' not in html  # progress to a referral instead


def test_editing_a_contact_saves_it_and_writes_one_audit_row_with_before_and_after(app, client, login_as, csrf_token):
    from tracker.extensions import db
    from tracker.lado.models import LadoContact

    seed(app)
    login_as("lado")
    response = post(
        client,
        csrf_token,
        "/lado/contacts/CW00001/edit",
        contact_form(
            employer_sector="health",
            disposition="no_further_action",
            person_ref="P7",
            organisation_name="Riverside Surgery",
            foster_carer_type="connected",
            foster_carer_agency="own",
        ),
    )
    assert response.status_code == 302 and response.headers["Location"] == "/lado/contacts/CW00001"
    with app.app_context():
        c = db.session.get(LadoContact, "CW00001")
        assert (c.employer_sector, c.disposition, c.person_ref, c.subject_role, c.referrer_agency) == (
            "health",
            "no_further_action",
            "P7",
            "Coach",
            "Club",
        )
        assert c.categories == ["conduct", "physical"] and c.organisation.name == "Riverside Surgery"
        assert (c.foster_carer_type, c.foster_carer_agency) == ("connected", "own")
    [(object_id, summary, before, after)] = audit_rows(app, "lado_contact.update")
    assert object_id == "CW00001" and summary == "Contact CW00001 updated"
    assert before["employer_sector"] == "sport" and after["employer_sector"] == "health"
    assert before["person_ref"] == "P1" and after["person_ref"] == "P7"
    assert before["categories"] == ["physical"] and after["categories"] == ["conduct", "physical"]
    assert "Bloggs" not in str(before) + str(after) + summary
    # an anonymous consultation: no reference, no name
    assert (
        post(
            client, csrf_token, "/lado/contacts/CW00001/edit", contact_form(person_ref="", organisation_ref="")
        ).status_code
        == 302
    )
    with app.app_context():
        assert db.session.get(LadoContact, "CW00001").anonymous


def test_a_save_without_changes_writes_no_audit_row(app, client, login_as, csrf_token):
    seed(app)
    login_as("lado")
    post(
        client,
        csrf_token,
        "/lado/contacts/CW00001/edit",
        contact_form(subject_role="", referrer_agency="", categories=["physical"]),
    )
    assert audit_rows(app, "lado_contact.update") == []


def test_contact_validation_errors_are_shown_and_the_input_kept(app, client, login_as, csrf_token):
    from tracker.extensions import db
    from tracker.lado.models import LadoContact

    seed(app)
    login_as("lado")
    response = post(
        client,
        csrf_token,
        "/lado/contacts/CW00001/edit",
        contact_form(subject_role="Kept role", employer_sector="", **date("contact_date", dt.date(2023, 7, 1))),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert "Select the employer sector" in html and 'value="Kept role"' in html and 'value="7"' in html
    response = post(
        client,
        csrf_token,
        "/lado/contacts/CW00001/edit",
        contact_form(subject_role="Kept role", **date("contact_date", dt.date(2023, 7, 1))),
    )
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html and "The date of the contact must be today or in the past" in html
    assert 'value="Kept role"' in html
    # a contact with a referral cannot be dated after it
    response = post(
        client,
        csrf_token,
        "/lado/contacts/CW00002/edit",
        contact_form(employer_sector="education", **date("contact_date", dt.date(2023, 6, 1))),
    )
    assert "The contact cannot be after its referral" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(LadoContact, "CW00001").subject_role is None
        assert db.session.get(LadoContact, "CW00002").contact_date == dt.date(2023, 5, 2)
    assert audit_rows(app, "lado_contact.update") == []


def test_a_contact_with_a_referral_keeps_the_disposition_referral(app, client, login_as, csrf_token):
    from tracker.extensions import db
    from tracker.lado.models import LadoContact

    seed(app)
    login_as("lado")
    html = client.get("/lado/contacts/CW00002/edit").get_data(as_text=True)
    assert 'name="disposition"' not in html and "its disposition stays" in html
    response = post(
        client,
        csrf_token,
        "/lado/contacts/CW00002/edit",
        contact_form(employer_sector="education", disposition="advice", **date("contact_date", dt.date(2023, 5, 2))),
    )
    assert response.status_code == 302
    with app.app_context():
        c = db.session.get(LadoContact, "CW00002")
        assert c.disposition == "referral" and c.referral.referral_id == "RW00001" and c.subject_role == "Coach"
    # and a contact without one cannot be made a referral here
    response = post(client, csrf_token, "/lado/contacts/CW00001/edit", contact_form(disposition="referral"))
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)


def test_the_contact_of_a_closed_referral_is_read_only(app, client, login_as, csrf_token):
    from tracker.extensions import db
    from tracker.lado import operations
    from tracker.lado.models import LadoContact, LadoReferral

    seed(app)
    with app.app_context():
        operations.close_referral(db.session.get(LadoReferral, "RW00001"), closed_date=dt.date(2023, 6, 1))
        db.session.commit()
    login_as("lado")
    html = client.get("/lado/contacts/CW00002").get_data(as_text=True)
    assert "/lado/contacts/CW00002/edit" not in html and "read-only" in html
    assert client.get("/lado/contacts/CW00002/edit").status_code == 302
    response = post(
        client,
        csrf_token,
        "/lado/contacts/CW00002/edit",
        contact_form(employer_sector="health", **date("contact_date", dt.date(2023, 5, 2))),
    )
    assert response.status_code == 302 and response.headers["Location"] == "/lado/contacts/CW00002"
    with app.app_context():
        assert db.session.get(LadoContact, "CW00002").employer_sector == "education"
    assert audit_rows(app, "lado_contact.update") == []


# --- meeting ----------------------------------------------------------------------------------------


def meeting_form(**over):
    data = {
        "meeting_type": "iem",
        **date("meeting_date", dt.date(2023, 5, 4)),
        "attendees": "LADO, head",
        "minutes_notes": "",
        "decisions": "Investigate",
    }
    data.update(over)
    return data


def test_editing_a_meeting_saves_it_and_audits_before_and_after(app, client, login_as, csrf_token):
    from tracker.extensions import db
    from tracker.lado.models import LadoMeeting

    seed(app)
    login_as("lado_manager")
    html = client.get("/lado/referrals/RW00001").get_data(as_text=True)
    assert "/lado/meetings/RW00001-M01/edit" in html
    html = client.get("/lado/meetings/RW00001-M01/edit").get_data(as_text=True)
    assert 'value="iem" checked' in html and "Investigate" in html and 'value="04"' in html
    response = post(
        client,
        csrf_token,
        "/lado/meetings/RW00001-M01/edit",
        meeting_form(
            meeting_type="strategy",
            **date("meeting_date", dt.date(2023, 5, 5)),
            minutes_notes="Secret minutes about Jo Bloggs",
            decisions="Police to lead",
        ),
    )
    assert response.status_code == 302 and response.headers["Location"] == "/lado/referrals/RW00001"
    with app.app_context():
        m = db.session.get(LadoMeeting, "RW00001-M01")
        assert (m.meeting_type, m.meeting_date, m.minutes_notes, m.decisions, m.attendees) == (
            "strategy",
            dt.date(2023, 5, 5),
            "Secret minutes about Jo Bloggs",
            "Police to lead",
            "LADO, head",
        )
    [(object_id, summary, before, after)] = audit_rows(app, "lado_meeting.update")
    assert object_id == "RW00001-M01" and "RW00001" in summary
    assert before == {"meeting_type": "iem", "meeting_date": "2023-05-04"}
    assert after == {
        "meeting_type": "strategy",
        "meeting_date": "2023-05-05",
        "text_changed": ["minutes_notes", "decisions"],
    }
    # a future date schedules the meeting, as when it is recorded
    assert (
        post(
            client,
            csrf_token,
            "/lado/meetings/RW00001-M01/edit",
            meeting_form(**date("meeting_date", dt.date(2023, 8, 1))),
        ).status_code
        == 302
    )


def test_meeting_validation_errors_are_shown_and_the_input_kept(app, client, login_as, csrf_token):
    from tracker.extensions import db
    from tracker.lado.models import LadoMeeting

    seed(app)
    login_as("lado")
    response = post(
        client,
        csrf_token,
        "/lado/meetings/RW00001-M01/edit",
        meeting_form(decisions="Kept decisions", **date("meeting_date", dt.date(2023, 5, 1))),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "govuk-error-summary" in html
    assert "The meeting cannot be before the referral" in html and "Kept decisions" in html and 'value="1"' in html
    response = post(
        client,
        csrf_token,
        "/lado/meetings/RW00001-M01/edit",
        meeting_form(meeting_type="", meeting_date=["", "", ""], attendees="Kept attendees"),
    )
    html = response.get_data(as_text=True)
    assert "Select the type of meeting" in html and "Enter the date of the meeting" in html and "Kept attendees" in html
    with app.app_context():
        assert db.session.get(LadoMeeting, "RW00001-M01").meeting_date == dt.date(2023, 5, 4)
    assert audit_rows(app, "lado_meeting.update") == []


def test_a_closed_referrals_meetings_are_read_only(app, client, login_as, csrf_token):
    from tracker.extensions import db
    from tracker.lado import operations
    from tracker.lado.models import LadoMeeting, LadoReferral

    seed(app)
    with app.app_context():
        operations.close_referral(db.session.get(LadoReferral, "RW00001"), closed_date=dt.date(2023, 6, 1))
        db.session.commit()
    login_as("lado")
    assert "/lado/meetings/RW00001-M01/edit" not in client.get("/lado/referrals/RW00001").get_data(as_text=True)
    assert client.get("/lado/meetings/RW00001-M01/edit").status_code == 302
    response = post(client, csrf_token, "/lado/meetings/RW00001-M01/edit", meeting_form(decisions="Changed"))
    assert response.status_code == 302 and response.headers["Location"] == "/lado/referrals/RW00001"
    with app.app_context():
        assert db.session.get(LadoMeeting, "RW00001-M01").decisions == "Investigate"
    assert audit_rows(app, "lado_meeting.update") == []


def test_unknown_records_are_404(app, client, login_as):
    login_as("lado")
    assert client.get("/lado/contacts/nope/edit").status_code == 404
    assert client.get("/lado/meetings/nope/edit").status_code == 404


@pytest.mark.parametrize("role", NON_LADO)
def test_other_roles_get_403_on_the_edit_pages(app, client, login_as, csrf_token, role):
    from tracker.extensions import db
    from tracker.lado.models import LadoContact, LadoMeeting

    seed(app)
    login_as(role)
    for url in ("/lado/contacts/CW00001/edit", "/lado/meetings/RW00001-M01/edit"):
        assert client.get(url).status_code == 403, url
    assert (
        post(client, csrf_token, "/lado/contacts/CW00001/edit", contact_form(employer_sector="health")).status_code
        == 403
    )
    assert post(client, csrf_token, "/lado/meetings/RW00001-M01/edit", meeting_form(decisions="x")).status_code == 403
    with app.app_context():
        assert db.session.get(LadoContact, "CW00001").employer_sector == "sport"
        assert db.session.get(LadoMeeting, "RW00001-M01").decisions == "Investigate"


def test_the_generic_sweep_covers_the_edit_pages(app):
    from tests.lado.test_access import lado_urls

    urls = {u.split("?")[0] for u in lado_urls(app)}
    assert {"/lado/contacts/dummy/edit", "/lado/meetings/dummy/edit"} <= urls
