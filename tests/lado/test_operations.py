"""LADO workflow rules (operations.py): each change writes one audit row; the outcome cannot
precede the referral; a closed referral is read-only until re-opened, and re-opening is audited;
references come from the database; own foster carers returned to panel send a signal."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.lado import factories
from tracker.core.errors import DomainError

D = dt.date


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-30"}


def audit_actions():
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    return [(a.action, a.object_id, a.summary) for a in db.session.query(AuditEntry).order_by(AuditEntry.id)]


def make_referral():
    """Contact of 2 May 2023 about Alex Example, progressed to a referral on 3 May."""
    return factories.referral(
        D(2023, 5, 2), referral_date=D(2023, 5, 3), person_name="Alex Example", person_dob=D(1980, 1, 1)
    )


def test_log_an_anonymous_consultation_with_three_fields(ctx):
    from tracker.lado import operations

    contact = operations.log_contact(contact_date=D(2023, 6, 1), employer_sector="sport", disposition="advice")
    assert contact.anonymous and contact.contact_id == "LC00001"
    assert audit_actions() == [("lado_contact.create", "LC00001", "Contact LC00001 logged (anonymous consultation)")]


def test_references_come_from_the_database_one_scheme_per_record_type(ctx):
    referral = factories.referral(D(2023, 6, 1), person_name="Alex Example", organisation_name="Hill School")
    meeting = factories.meeting(referral)
    action = factories.action(referral)
    second = factories.contact(D(2023, 6, 2), person_name="Sam Example")
    assert (referral.contact_id, referral.referral_id, meeting.meeting_id, action.action_id) == (
        "LC00001",
        "LR00001",
        "LM000001",
        "LA000001",
    )
    assert (referral.contact.person_ref, referral.contact.organisation_ref) == ("P0001", "ORG001")
    assert (second.contact_id, second.person_ref) == ("LC00002", "P0002")


def test_a_reference_made_on_screen_never_takes_an_imported_one(ctx):
    from tracker.core import references

    references.observe("lado_contact", ["LC00041", "C7"])  # as the import does for its ids
    assert factories.contact().contact_id == "LC00042"


def test_progress_to_referral_sets_the_disposition_and_audits_without_names(ctx):
    referral = make_referral()
    assert referral.contact.disposition == "referral" and referral.referral_date == D(2023, 5, 3)
    actions = audit_actions()
    assert [a[0] for a in actions] == ["lado_person.create", "lado_contact.create", "lado_referral.create"]
    assert actions[-1] == (
        "lado_referral.create",
        referral.referral_id,
        f"Contact {referral.contact_id} progressed to referral {referral.referral_id}",
    )
    assert not any("Alex" in summary for _, _, summary in actions)


def test_a_contact_logged_as_referral_gets_its_referral(ctx):
    contact = factories.contact(D(2023, 6, 1), employer_sector="health", disposition="referral")
    assert contact.referral is not None and contact.referral.referral_date == D(2023, 6, 1)


def test_same_person_reference_is_reused(ctx):
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    a = factories.contact(D(2023, 6, 1), person_ref="P1")
    b = factories.contact(D(2023, 6, 2), person_ref="P1", person_name="Sam")
    assert a.person is b.person and b.person.name == "Sam"
    actions = audit_actions()
    assert [x[0] for x in actions].count("lado_person.create") == 1
    # the log names the person by the public id of their page: a reference may be a name
    assert ("lado_person.update", a.person.public_id, "Person P1 details completed") in actions
    entry = db.session.query(AuditEntry).filter_by(action="lado_person.update").one()
    assert (entry.before, entry.after) == (None, {"changed": ["name"]})  # never the name itself


def test_codes_read_back_as_their_enum_members(ctx):
    from tracker.lado.models import Category, Disposition, MeetingType, Outcome, Sector

    referral = factories.referral(D(2023, 6, 1), categories=["physical"])
    meeting = factories.meeting(referral, "iem")
    factories.outcome(referral, "false")
    contact = referral.contact
    assert (contact.employer_sector, contact.disposition) == (Sector.education, Disposition.referral)
    assert contact.categories == [Category.physical] and contact.categories[0].label == "Physical"
    assert meeting.meeting_type is MeetingType.iem and meeting.meeting_type.label.endswith("(IEM)")
    assert referral.outcome is Outcome.false and referral.outcome.hint.startswith("There is sufficient evidence")


@pytest.mark.parametrize(
    "change, field, message",
    [
        (
            lambda ops, r: ops.record_outcome(r, outcome="false", outcome_date=D(2023, 5, 2)),
            "outcome_date",
            "The outcome cannot be dated before the referral",
        ),
        (
            lambda ops, r: ops.record_outcome(r, outcome="false", outcome_date=D(2023, 7, 1)),
            "outcome_date",
            "The date of the outcome must be today or in the past",
        ),
        (
            lambda ops, r: ops.record_outcome(r, outcome="guilty", outcome_date=D(2023, 6, 1)),
            "outcome",
            "'guilty' is not a known code (expected one of: substantiated, false, malicious, unsubstantiated, unfounded)",
        ),
        (
            lambda ops, r: ops.close_referral(r, closed_date=D(2023, 5, 1)),
            "closed_date",
            "The referral cannot be closed before it was made",
        ),
        (
            lambda ops, r: ops.record_meeting(r, meeting_type="iem", meeting_date=D(2023, 5, 1)),
            "meeting_date",
            "The meeting cannot be before the referral",
        ),
        (
            lambda ops, r: ops.record_meeting(r, meeting_type="initial", meeting_date=D(2023, 5, 4)),
            "meeting_type",
            "'initial' is not a known code (expected one of: iem, strategy, paim, review)",
        ),
        (
            lambda ops, r: ops.record_meeting(r, meeting_type="", meeting_date=D(2023, 5, 4)),
            "meeting_type",
            "Select the type of meeting",
        ),
        (
            lambda ops, r: ops.record_dbs_referral(r, dbs_referral_date=D(2023, 7, 1)),
            "dbs_referral_date",
            "The date of the DBS referral must be today or in the past",
        ),
        (
            lambda ops, r: ops.progress_to_referral(r.contact, referral_date=D(2023, 6, 1)),
            "referral_date",
            "Contact LC00001 is already referral LR00001",
        ),
        (lambda ops, r: ops.add_action(r, description="  "), "description", "Enter what the action is"),
        (lambda ops, r: ops.record_outcome(r, outcome="", outcome_date=D(2023, 6, 1)), "outcome", "Select the outcome"),
    ],
)
def test_rules_refuse_bad_dates_and_codes_and_write_nothing(ctx, change, field, message):
    from tracker.lado import operations

    referral = make_referral()
    written = audit_actions()
    with pytest.raises(DomainError) as refused:
        change(operations, referral)
    assert (refused.value.field, refused.value.message) == (field, message)
    assert audit_actions() == written


def test_outcome_before_the_referral_is_refused(ctx):
    from tracker.lado import operations

    referral = make_referral()
    factories.meeting(referral, "iem")  # an outcome follows the IEM
    with pytest.raises(DomainError, match="cannot be dated before the referral"):
        operations.record_outcome(referral, outcome="unfounded", outcome_date=D(2023, 5, 2))
    operations.record_outcome(referral, outcome="unfounded", outcome_date=D(2023, 5, 3))
    assert referral.outcome == "unfounded"
    assert audit_actions()[-1] == (
        "lado_referral.record_outcome",
        referral.referral_id,
        f"Referral {referral.referral_id}: outcome unfounded recorded",
    )


def test_a_progress_to_a_referral_before_the_contact_is_refused(ctx):
    from tracker.lado import operations

    contact = factories.contact(D(2023, 5, 2))
    with pytest.raises(DomainError, match="before its contact") as refused:
        operations.progress_to_referral(contact, referral_date=D(2023, 5, 1))
    assert refused.value.field == "referral_date"


def test_a_closed_referral_is_read_only_until_reopened_and_reopening_is_audited(ctx):
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db
    from tracker.lado import operations

    referral = make_referral()
    factories.meeting(referral, "iem")
    action = factories.action(referral, owner="Employer", due_date=D(2023, 9, 1))
    factories.outcome(referral, "unfounded", D(2023, 6, 1))  # closing needs an outcome
    operations.close_referral(referral, closed_date=D(2023, 6, 1))
    assert referral.status == "closed"
    for change in (
        lambda: operations.record_outcome(referral, outcome="false", outcome_date=D(2023, 6, 1)),
        lambda: operations.record_meeting(referral, meeting_type="paim", meeting_date=D(2023, 6, 1)),
        lambda: operations.record_dbs_referral(referral, dbs_referral_date=D(2023, 6, 1)),
        lambda: operations.add_action(referral, description="More"),
        lambda: operations.complete_action(action, completed_date=D(2023, 6, 1)),
        lambda: operations.review_action(action, notes="Q1"),
        lambda: operations.close_referral(referral, closed_date=D(2023, 6, 2)),
        lambda: operations.update_referral(
            referral, police_investigation=True, officer_id=None, child_informed=False, returned_to_panel=False
        ),
        lambda: operations.update_contact(referral.contact, subject_role="Head"),
    ):
        with pytest.raises(DomainError, match="closed") as refused:
            change()
        assert refused.value.field == "closed"
    with pytest.raises(DomainError) as refused:
        operations.reopen_referral(referral, reason="  ")
    assert (refused.value.field, refused.value.message) == ("reason", "Enter why the referral is being re-opened")
    operations.reopen_referral(referral, reason="New information from the police")
    assert referral.status == "open"
    last = audit_actions()[-1]
    assert last[:2] == ("lado_referral.reopen", referral.referral_id)
    entry = db.session.query(AuditEntry).filter_by(action="lado_referral.reopen").one()
    assert entry.before == {"closed_date": "2023-06-01"} and entry.after == {
        "closed_date": None,
        "reason": "New information from the police",
    }
    operations.record_outcome(  # writable again (later than its timescale: with the reason)
        referral, outcome="false", outcome_date=D(2023, 6, 1), late_reason=factories.LATE
    )
    with pytest.raises(DomainError, match="not closed"):
        operations.reopen_referral(referral, reason="Again")


def test_actions_complete_and_review_notes(ctx):
    from tracker.lado import operations

    referral = make_referral()
    action = factories.action(referral, "Safer recruitment training", owner="Employer", due_date=D(2023, 8, 1))
    assert action.action_id.startswith("LA")
    operations.review_action(action, notes="On track")
    operations.review_action(action, notes="Booked", review_date=D(2023, 6, 29))
    assert action.review_notes == "2023-06-30: On track\n2023-06-29: Booked"
    with pytest.raises(DomainError, match="today or in the past"):
        operations.complete_action(action, completed_date=D(2023, 7, 1))
    operations.complete_action(action, completed_date=D(2023, 6, 30))
    with pytest.raises(DomainError, match="already completed"):
        operations.complete_action(action, completed_date=D(2023, 6, 30))
    assert [a[0] for a in audit_actions()][-3:] == ["lado_action.review", "lado_action.review", "lado_action.complete"]


def test_the_database_refuses_an_outcome_without_its_date(ctx):
    from sqlalchemy.exc import IntegrityError

    from tracker.extensions import db

    referral = make_referral()
    referral.outcome = "false"
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_own_foster_carer_returned_to_panel_sends_the_signal(ctx):
    """The panels feature listens to ``returned_to_panel`` to make its review-after-allegation case."""
    from tracker.lado import operations

    received = []

    def receiver(referral):
        received.append(referral.referral_id)

    operations.returned_to_panel.connect(receiver)
    try:
        own = factories.referral(
            D(2023, 5, 2), employer_sector="foster_care", foster_carer_type="mainstream", foster_carer_agency="own"
        )
        ifa = factories.referral(
            D(2023, 5, 2), employer_sector="foster_care", foster_carer_type="mainstream", foster_carer_agency="ifa"
        )
        assert operations.request_review_after_allegation(own) is False  # not returned to panel
        for referral in (own, ifa):
            operations.update_referral(
                referral, police_investigation=False, officer_id=None, child_informed=True, returned_to_panel=True
            )
        assert received == [own.referral_id]  # an independent agency's carer is not the council's
        assert operations.request_review_after_allegation(own) is True
        factories.closed(own)  # sent again on closure: receivers are idempotent
        assert received == [own.referral_id] * 3
    finally:
        operations.returned_to_panel.disconnect(receiver)


def test_retention_is_the_later_of_ten_years_and_pension_age(ctx):
    from tracker.lado import queries

    assert queries.retention_date(D(2020, 2, 29), None) == D(2030, 2, 28)
    assert queries.retention_date(D(2020, 1, 1), D(1960, 5, 5)) == D(2030, 1, 1)
    assert queries.retention_date(D(2020, 1, 1), D(1970, 5, 5)) == D(2037, 5, 5)
