"""Edit pages for a contact's details and for a meeting: the creation rules, errors shown with the
user's input kept, a closed referral read-only, one audit row per change, LADO roles only."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.lado import factories
from tests.lado.factories import NAMES
from tracker.core.permissions import ROLE_CODES

D = dt.date
NON_LADO = [r for r in ROLE_CODES if r not in ("lado", "lado_manager")]


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-30"}


def date(prefix: str, day: dt.date) -> dict:
    return {prefix: [str(day.day), str(day.month), str(day.year)]}


def checked(page, name: str) -> list[str]:
    return [i["value"] for i in page.select(f"input[name='{name}'][checked]")]


def location(page) -> str:
    return page.response.headers["Location"]


def close_seeded_referral(app, seeded) -> None:
    from tracker.extensions import db
    from tracker.lado.models import LadoReferral

    with app.app_context():
        factories.closed(db.session.get(LadoReferral, seeded.referral_id), D(2023, 6, 1))
        db.session.commit()


def contact(app, contact_id: str) -> dict:
    """The contact as stored: its columns, categories, organisation's name and referral."""
    from tracker.extensions import db
    from tracker.lado.models import LadoContact

    with app.app_context():
        found = db.session.get(LadoContact, contact_id)
        return {c.key: getattr(found, c.key) for c in LadoContact.__table__.columns} | {
            "categories": found.categories,
            "organisation_name": found.organisation.name if found.organisation else None,
            "referral_id": found.referral.referral_id if found.referral else None,
            "anonymous": found.anonymous,
        }


def meeting(app, meeting_id: str) -> dict:
    """The meeting as stored: its columns."""
    from tracker.extensions import db
    from tracker.lado.models import LadoMeeting

    with app.app_context():
        found = db.session.get(LadoMeeting, meeting_id)
        return {c.key: getattr(found, c.key) for c in LadoMeeting.__table__.columns}


# --- contact ----------------------------------------------------------------------------------------


def contact_form(seeded, **over) -> dict:
    """The advice contact's edit form as it is (3 January 2023, sport, advice, category physical)."""
    return {
        **date("contact_date", D(2023, 1, 3)),
        "employer_sector": "sport",
        "disposition": "advice",
        "person_ref": seeded.advice_person_ref,
        "subject_role": "Coach",
        "organisation_ref": "",
        "referrer_agency": "Club",
        "categories": ["physical", "conduct"],
        "foster_carer_type": "",
        "foster_carer_agency": "",
        "summary": "",
    } | over


def test_the_contact_page_links_to_the_edit_page_which_is_prefilled(client_request, login_as, seeded):
    login_as("lado")
    edit = f"/lado/contacts/{seeded.advice_contact_id}/edit"
    assert (
        client_request.get(f"/lado/contacts/{seeded.advice_contact_id}").links()[
            f"Change the contact’s details (contact {seeded.advice_contact_id})"
        ]
        == edit
    )
    referral_page = client_request.get(f"/lado/referrals/{seeded.referral_id}")
    assert referral_page.links(".govuk-summary-list")["Change the contact’s details"] == (
        f"/lado/contacts/{seeded.contact_id}/edit"
    )
    page = client_request.get(edit)
    assert page.h1 == f"Change contact {seeded.advice_contact_id}"
    assert page.value("person_ref") == seeded.advice_person_ref
    assert [page.value(f"contact_date-{part}") for part in ("day", "month", "year")] == ["3", "1", "2023"]
    assert checked(page, "categories") == ["physical"] and checked(page, "disposition") == ["advice"]
    offered = [i["value"] for i in page.select("input[name='disposition']")]
    assert "referral" not in offered and "advice" in offered  # progress to a referral instead


def test_editing_a_contact_saves_it_and_writes_one_audit_row_with_before_and_after(
    app, client_request, login_as, seeded, audit_rows
):
    login_as("lado")
    contact_id = seeded.advice_contact_id
    page = client_request.post(
        f"/lado/contacts/{contact_id}/edit",
        contact_form(
            seeded,
            employer_sector="health",
            disposition="no_further_action",
            person_ref="P7",
            organisation_name="Riverside Surgery",
            foster_carer_type="connected",
            foster_carer_agency="own",
        ),
    )
    assert location(page) == f"/lado/contacts/{contact_id}"
    saved = contact(app, contact_id)
    assert [saved[k] for k in ("employer_sector", "disposition", "person_ref", "subject_role", "referrer_agency")] == [
        "health",
        "no_further_action",
        "P7",
        "Coach",
        "Club",
    ]
    assert saved["categories"] == ["conduct", "physical"] and saved["organisation_name"] == "Riverside Surgery"
    assert (saved["foster_carer_type"], saved["foster_carer_agency"]) == ("connected", "own")
    (row,) = audit_rows("lado_contact.update")
    assert (row.object_id, row.summary) == (contact_id, f"Contact {contact_id} updated")
    assert (row.before["employer_sector"], row.after["employer_sector"]) == ("sport", "health")
    assert (row.before["person_ref"], row.after["person_ref"]) == (seeded.advice_person_ref, "P7")
    assert (row.before["categories"], row.after["categories"]) == (["physical"], ["conduct", "physical"])
    assert not any(name in str(row.before) + str(row.after) + row.summary for name in NAMES)
    # an anonymous consultation: no reference, no name
    client_request.post(f"/lado/contacts/{contact_id}/edit", contact_form(seeded, person_ref="", organisation_ref=""))
    assert contact(app, contact_id)["anonymous"]
    assert len(audit_rows("lado_contact.update")) == 2


def test_a_save_without_changes_writes_no_audit_row(client_request, login_as, seeded, audit_rows):
    login_as("lado")
    unchanged = contact_form(seeded, subject_role="", referrer_agency="", categories=["physical"])
    client_request.post(f"/lado/contacts/{seeded.advice_contact_id}/edit", unchanged)
    assert audit_rows("lado_contact.update") == []


def test_contact_validation_errors_are_shown_and_the_input_kept(app, client_request, login_as, seeded, audit_rows):
    login_as("lado")
    url = f"/lado/contacts/{seeded.advice_contact_id}/edit"
    page = client_request.post(
        url,
        contact_form(seeded, subject_role="Kept role", employer_sector="", **date("contact_date", D(2023, 7, 1))),
        status=200,
    )
    assert page.errors == ["Select the employer sector"]
    assert page.value("subject_role") == "Kept role" and page.value("contact_date-month") == "7"
    page = client_request.post(
        url, contact_form(seeded, subject_role="Kept role", **date("contact_date", D(2023, 7, 1))), status=200
    )
    assert page.errors == ["The date of the contact must be today or in the past"]
    assert page.field_error("contact_date") == "The date of the contact must be today or in the past"
    assert page.value("subject_role") == "Kept role"
    # a contact with a referral cannot be dated after it
    page = client_request.post(
        f"/lado/contacts/{seeded.contact_id}/edit",
        contact_form(seeded, employer_sector="education", **date("contact_date", D(2023, 6, 1))),
        status=200,
    )
    assert page.field_error("contact_date") == "The contact cannot be after its referral"
    assert contact(app, seeded.advice_contact_id)["subject_role"] is None
    assert contact(app, seeded.contact_id)["contact_date"] == D(2023, 1, 2)
    assert audit_rows("lado_contact.update") == []


def test_a_contact_with_a_referral_keeps_the_disposition_referral(app, client_request, login_as, seeded):
    login_as("lado")
    url = f"/lado/contacts/{seeded.contact_id}/edit"
    page = client_request.get(url)
    assert page.select("[name='disposition']") == []
    assert page.text_of("#disposition") == (
        f"This contact is referral {seeded.referral_id} : its disposition stays ‘Referral (allegations process)’."
    )
    client_request.post(
        url,
        contact_form(seeded, employer_sector="education", disposition="advice", **date("contact_date", D(2023, 1, 2))),
    )
    saved = contact(app, seeded.contact_id)
    assert (saved["disposition"], saved["referral_id"], saved["subject_role"]) == (
        "referral",
        seeded.referral_id,
        "Coach",
    )
    # and a contact without one cannot be made a referral here
    page = client_request.post(
        f"/lado/contacts/{seeded.advice_contact_id}/edit", contact_form(seeded, disposition="referral"), status=200
    )
    assert page.field_error("disposition") == "Not a valid choice."
    assert contact(app, seeded.advice_contact_id)["disposition"] == "advice"


def test_the_contact_of_a_closed_referral_is_read_only(app, client_request, login_as, seeded, audit_rows):
    close_seeded_referral(app, seeded)
    login_as("lado")
    contact_url = f"/lado/contacts/{seeded.contact_id}"
    page = client_request.get(contact_url)
    assert f"{contact_url}/edit" not in page.hrefs()
    assert page.text_of(".govuk-inset-text") == (
        f"Referral {seeded.referral_id} is closed, so this contact is read-only. Re-open the referral to change it."
    )
    assert location(client_request.get(f"{contact_url}/edit", status=302)) == contact_url
    page = client_request.post(
        f"{contact_url}/edit",
        contact_form(seeded, employer_sector="health", **date("contact_date", D(2023, 1, 2))),
    )
    assert location(page) == contact_url
    assert client_request.get(contact_url).banner.endswith(
        f"Referral {seeded.referral_id} is closed. Re-open it before changing this contact."
    )
    assert contact(app, seeded.contact_id)["employer_sector"] == "education"
    assert audit_rows("lado_contact.update") == []


# --- meeting ----------------------------------------------------------------------------------------


def meeting_form(**over) -> dict:
    """The seeded strategy meeting's edit form as it is."""
    return {
        "meeting_type": "strategy",
        **date("meeting_date", D(2023, 1, 4)),
        "attendees": "LADO, head",
        "minutes_notes": "",
        "decisions": "Investigate",
    } | over


def test_editing_a_meeting_saves_it_and_audits_before_and_after(app, client_request, login_as, seeded, audit_rows):
    login_as("lado_manager")
    edit = f"/lado/meetings/{seeded.meeting_id}/edit"
    referral_url = f"/lado/referrals/{seeded.referral_id}"
    assert client_request.get(referral_url).links("#meetings")[f"Change meeting {seeded.meeting_id}"] == edit
    page = client_request.get(edit)
    assert checked(page, "meeting_type") == ["strategy"]
    assert page.value("decisions") == "Investigate" and page.value("meeting_date-day") == "4"
    page = client_request.post(
        edit,
        meeting_form(
            meeting_type="iem",
            **date("meeting_date", D(2023, 1, 5)),
            minutes_notes=f"Secret minutes about {factories.PERSON_NAME}",
            decisions="Police to lead",
        ),
    )
    assert location(page) == referral_url
    saved = meeting(app, seeded.meeting_id)
    assert [saved[k] for k in ("meeting_type", "meeting_date", "minutes_notes", "decisions", "attendees")] == [
        "iem",
        D(2023, 1, 5),
        f"Secret minutes about {factories.PERSON_NAME}",
        "Police to lead",
        "LADO, head",
    ]
    (row,) = audit_rows("lado_meeting.update")
    assert row.object_id == seeded.meeting_id
    assert row.summary == f"Referral {seeded.referral_id}: meeting {seeded.meeting_id} updated"
    assert row.before == {"meeting_type": "strategy", "meeting_date": "2023-01-04"}
    assert row.after == {
        "meeting_type": "iem",
        "meeting_date": "2023-01-05",
        "text_changed": ["minutes_notes", "decisions"],  # which texts changed, never what they say
    }
    # a future date schedules the meeting, as when it is recorded
    client_request.post(edit, meeting_form(**date("meeting_date", D(2023, 8, 1))))
    assert meeting(app, seeded.meeting_id)["meeting_date"] == D(2023, 8, 1)
    timeline = client_request.get(referral_url).texts("#timeline li")
    assert timeline[-1] == "1 August 2023 – Strategy meeting (scheduled) Investigate"


def test_meeting_validation_errors_are_shown_and_the_input_kept(app, client_request, login_as, seeded, audit_rows):
    login_as("lado")
    edit = f"/lado/meetings/{seeded.meeting_id}/edit"
    page = client_request.post(
        edit, meeting_form(decisions="Kept decisions", **date("meeting_date", D(2023, 1, 1))), status=200
    )
    assert page.errors == ["The meeting cannot be before the referral"]
    assert page.field_error("meeting_date") == "The meeting cannot be before the referral"
    assert page.value("decisions") == "Kept decisions" and page.value("meeting_date-day") == "1"
    page = client_request.post(
        edit, meeting_form(meeting_type="", meeting_date=["", "", ""], attendees="Kept attendees"), status=200
    )
    assert page.errors == ["Select the type of meeting", "Enter the date of the meeting"]
    assert page.value("attendees") == "Kept attendees"
    assert meeting(app, seeded.meeting_id)["meeting_date"] == D(2023, 1, 4)
    assert audit_rows("lado_meeting.update") == []


def test_a_closed_referrals_meetings_are_read_only(app, client_request, login_as, seeded, audit_rows):
    close_seeded_referral(app, seeded)
    login_as("lado")
    edit = f"/lado/meetings/{seeded.meeting_id}/edit"
    referral_url = f"/lado/referrals/{seeded.referral_id}"
    page = client_request.get(referral_url)
    assert edit not in page.hrefs() and page.table("#meetings")[0][:2] == ["4 Jan 2023", "Strategy meeting"]
    assert location(client_request.get(edit, status=302)) == referral_url
    assert location(client_request.post(edit, meeting_form(decisions="Changed"))) == referral_url
    assert meeting(app, seeded.meeting_id)["decisions"] == "Investigate"
    assert audit_rows("lado_meeting.update") == []


def test_unknown_records_are_404(client_request, login_as):
    login_as("lado")
    client_request.get("/lado/contacts/LC99999/edit", status=404)
    client_request.get("/lado/meetings/LM999999/edit", status=404)


@pytest.mark.parametrize("role", NON_LADO)
def test_other_roles_get_403_on_the_edit_pages(app, client_request, login_as, seeded, audit_rows, role):
    login_as(role)
    contact_edit = f"/lado/contacts/{seeded.advice_contact_id}/edit"
    meeting_edit = f"/lado/meetings/{seeded.meeting_id}/edit"
    for url in (contact_edit, meeting_edit):
        client_request.get(url, status=403)
    client_request.post(contact_edit, contact_form(seeded, employer_sector="health"), status=403)
    client_request.post(meeting_edit, meeting_form(decisions="x"), status=403)
    assert contact(app, seeded.advice_contact_id)["employer_sector"] == "sport"
    assert meeting(app, seeded.meeting_id)["decisions"] == "Investigate"
    assert audit_rows("lado_contact.update") + audit_rows("lado_meeting.update") + audit_rows("lado_record.read") == []


def test_changing_only_the_summary_writes_an_audit_row_without_the_text(ctx, seeded):
    """Issue 10, finding 5: the summary was left out of the audit record, so changing only it
    wrote no row at all."""
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db
    from tracker.lado import operations
    from tracker.lado.models import LadoContact

    contact = db.session.get(LadoContact, seeded.advice_contact_id)
    operations.update_contact(contact, summary="Called back: the school has suspended the worker")
    db.session.commit()
    (row,) = db.session.query(AuditEntry).filter_by(action="lado_contact.update").all()
    assert row.object_id == seeded.advice_contact_id and row.after == {"text_changed": ["summary"]}
    assert "suspended" not in row.summary + str(row.before) + str(row.after)
