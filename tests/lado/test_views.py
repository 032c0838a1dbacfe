"""LADO pages: validation failures are shown (error summary + inline) without losing input;
the quick contact form, progress, outcome with KCSIE definitions, closed = read-only."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-30"}


def post(client, csrf_token, url, data):
    return client.post(url, data={"csrf_token": csrf_token(client), **data})


def date(prefix, d):
    return {prefix: [str(d.day), str(d.month), str(d.year)]}


def test_quick_contact_with_errors_keeps_the_input_and_shows_the_summary(app, client, login_as, csrf_token):
    login_as("lado")
    response = post(
        client,
        csrf_token,
        "/lado/contacts/new",
        {"contact_date": ["31", "2", "2023"], "person_name": "Chris Keep", "employer_sector": ""},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-error-summary" in html and "Error:" in html
    assert "Date of the contact must be a real date" in html
    assert "Select the employer sector" in html and "Select what happens next" in html
    assert 'value="Chris Keep"' in html and 'value="31"' in html  # never lose input


def test_a_future_contact_date_comes_back_as_a_field_error(app, client, login_as, csrf_token):
    login_as("lado")
    response = post(
        client,
        csrf_token,
        "/lado/contacts/new",
        {**date("contact_date", dt.date(2023, 7, 1)), "employer_sector": "sport", "disposition": "advice"},
    )
    assert response.status_code == 200
    assert "The date of the contact must be today or in the past" in response.get_data(as_text=True)


def test_log_contact_progress_record_outcome_and_close(app, client, login_as, csrf_token):
    from tracker.extensions import db
    from tracker.lado.models import LadoContact

    login_as("lado", officer_id="L7")
    response = post(
        client,
        csrf_token,
        "/lado/contacts/new",
        {
            **date("contact_date", dt.date(2023, 6, 1)),
            "employer_sector": "education",
            "disposition": "advice",
            "person_ref": "P77",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        contact = db.session.query(LadoContact).one()
        contact_id = contact.contact_id
        assert contact.officer_id == "L7"
    response = post(
        client, csrf_token, f"/lado/contacts/{contact_id}/referral", date("referral_date", dt.date(2023, 5, 1))
    )
    assert "The referral cannot be dated before its contact" in response.get_data(as_text=True)
    response = post(
        client, csrf_token, f"/lado/contacts/{contact_id}/referral", date("referral_date", dt.date(2023, 6, 2))
    )
    assert response.status_code == 302
    referral_url = response.headers["Location"]
    referral_id = referral_url.rsplit("/", 1)[-1]
    page = client.get(f"/lado/referrals/{referral_id}/outcome").get_data(as_text=True)
    assert "sufficient evidence to disprove the allegation" in page  # KCSIE definitions beside the choice
    response = post(
        client,
        csrf_token,
        f"/lado/referrals/{referral_id}/outcome",
        {"outcome": "false", **date("outcome_date", dt.date(2023, 6, 1))},
    )
    assert "The outcome cannot be dated before the referral" in response.get_data(as_text=True)
    assert (
        post(
            client,
            csrf_token,
            f"/lado/referrals/{referral_id}/outcome",
            {"outcome": "false", **date("outcome_date", dt.date(2023, 6, 20))},
        ).status_code
        == 302
    )
    assert (
        post(
            client, csrf_token, f"/lado/referrals/{referral_id}/close", date("closed_date", dt.date(2023, 6, 21))
        ).status_code
        == 302
    )
    page = client.get(f"/lado/referrals/{referral_id}").get_data(as_text=True)
    assert "closed and read-only" in page and "Outcome: False" in page
    # read-only: a change page sends the user back, a post changes nothing
    assert client.get(f"/lado/referrals/{referral_id}/dbs").status_code == 302
    post(client, csrf_token, f"/lado/referrals/{referral_id}/dbs", date("dbs_referral_date", dt.date(2023, 6, 22)))
    with app.app_context():
        from tracker.lado.models import LadoReferral

        assert db.session.get(LadoReferral, referral_id).dbs_referral_date is None
    response = post(client, csrf_token, f"/lado/referrals/{referral_id}/reopen", {"reason": ""})
    assert "Enter why the referral is being re-opened" in response.get_data(as_text=True)
    assert (
        post(client, csrf_token, f"/lado/referrals/{referral_id}/reopen", {"reason": "New evidence"}).status_code == 302
    )
    assert (
        post(
            client, csrf_token, f"/lado/referrals/{referral_id}/dbs", date("dbs_referral_date", dt.date(2023, 6, 22))
        ).status_code
        == 302
    )


def test_contacts_log_filters_and_person_page_lists_every_contact(app, client, login_as):
    from tracker.extensions import db
    from tracker.lado import operations

    with app.app_context():
        operations.log_contact(
            contact_date=dt.date(2019, 3, 1),
            employer_sector="sport",
            disposition="advice",
            person_ref="P5",
            organisation_ref="ORG5",
        )
        operations.log_contact(
            contact_date=dt.date(2023, 3, 1), employer_sector="education", disposition="referral", person_ref="P5"
        )
        operations.log_contact(contact_date=dt.date(2023, 3, 2), employer_sector="education", disposition="advice")
        db.session.commit()
    login_as("lado_manager")
    html = client.get("/lado/?sector=sport").get_data(as_text=True)
    assert "CW00001" in html and "CW00002" not in html
    html = client.get("/lado/?disposition=advice&date_from=1&date_from=1&date_from=2023").get_data(as_text=True)
    assert "CW00003" in html and "CW00001" not in html
    html = client.get("/lado/people/P5").get_data(as_text=True)
    assert "CW00001" in html and "CW00002" in html and "CW00003" not in html and "RW00001" in html
    assert "CW00001" in client.get("/lado/organisations/ORG5").get_data(as_text=True)


def test_retention_report_lists_records_past_retention(app, client, login_as):
    from tracker.extensions import db
    from tracker.lado import operations

    with app.app_context():
        operations.log_contact(
            contact_date=dt.date(2013, 6, 29), employer_sector="sport", disposition="advice"
        )  # kept to 2023-06-29
        operations.log_contact(
            contact_date=dt.date(2013, 6, 30), employer_sector="sport", disposition="advice"
        )  # kept to today
        operations.log_contact(
            contact_date=dt.date(2012, 1, 1),
            employer_sector="sport",
            disposition="advice",
            person_ref="P1",
            person_dob=dt.date(1960, 1, 1),
        )  # pension age 67 in 2027
        db.session.commit()
    login_as("lado_manager")
    html = client.get("/lado/retention").get_data(as_text=True)
    assert "CW00001" in html and "CW00002" not in html and "CW00003" not in html
