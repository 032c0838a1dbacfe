"""LADO workflow rules (operations.py): each change writes one audit row; the outcome cannot
precede the referral; a closed referral is read-only until re-opened, and re-opening is audited."""

from __future__ import annotations

import datetime as dt

import pytest

D = dt.date


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-30"}


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def audit_actions():
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    return [(a.action, a.object_id, a.summary) for a in db.session.query(AuditEntry).order_by(AuditEntry.id)]


def make_referral():
    from tracker.lado import operations

    contact = operations.log_contact(
        contact_date=D(2023, 5, 2),
        employer_sector="education",
        disposition="advice",
        person_name="Alex Example",
        person_dob=D(1980, 1, 1),
    )
    return operations.progress_to_referral(contact, referral_date=D(2023, 5, 3))


def test_log_an_anonymous_consultation_with_three_fields(ctx):
    from tracker.lado import operations

    contact = operations.log_contact(contact_date=D(2023, 6, 1), employer_sector="sport", disposition="advice")
    assert contact.anonymous and contact.contact_id.startswith("CW")
    actions = audit_actions()
    assert actions == [
        ("lado_contact.create", contact.contact_id, f"Contact {contact.contact_id} logged (anonymous consultation)")
    ]


def test_progress_to_referral_sets_the_disposition_and_audits_without_names(ctx):
    referral = make_referral()
    assert referral.contact.disposition == "referral"
    actions = audit_actions()
    assert [a[0] for a in actions] == ["lado_person.create", "lado_contact.create", "lado_referral.create"]
    assert not any("Alex" in a[2] for a in actions)


def test_a_contact_logged_as_referral_gets_its_referral(ctx):
    from tracker.lado import operations

    contact = operations.log_contact(contact_date=D(2023, 6, 1), employer_sector="health", disposition="referral")
    assert contact.referral is not None and contact.referral.referral_date == D(2023, 6, 1)


def test_same_person_reference_is_reused(ctx):
    from tracker.lado import operations

    a = operations.log_contact(
        contact_date=D(2023, 6, 1), employer_sector="sport", disposition="advice", person_ref="P1"
    )
    b = operations.log_contact(
        contact_date=D(2023, 6, 2), employer_sector="sport", disposition="advice", person_ref="P1", person_name="Sam"
    )
    assert a.person is b.person and b.person.name == "Sam"


@pytest.mark.parametrize(
    "call, field",
    [
        (lambda ops, r: ops.record_outcome(r, outcome="false", outcome_date=D(2023, 5, 2)), "outcome_date"),
        (lambda ops, r: ops.record_outcome(r, outcome="false", outcome_date=D(2023, 7, 1)), "outcome_date"),
        (lambda ops, r: ops.record_outcome(r, outcome="guilty", outcome_date=D(2023, 6, 1)), "outcome"),
        (lambda ops, r: ops.close_referral(r, closed_date=D(2023, 5, 1)), "closed_date"),
        (lambda ops, r: ops.record_meeting(r, meeting_type="iem", meeting_date=D(2023, 5, 1)), "meeting_date"),
        (lambda ops, r: ops.record_dbs_referral(r, dbs_referral_date=D(2023, 7, 1)), "dbs_referral_date"),
        (lambda ops, r: ops.progress_to_referral(r.contact, referral_date=D(2023, 6, 1)), "referral_date"),
    ],
)
def test_rules_refuse_bad_dates_and_codes(ctx, call, field):
    from tracker.lado import operations

    referral = make_referral()
    with pytest.raises(operations.LadoError) as err:
        call(operations, referral)
    assert err.value.field == field


def test_outcome_before_the_referral_is_refused(ctx):
    from tracker.lado import operations

    referral = make_referral()
    with pytest.raises(operations.LadoError, match="cannot be dated before the referral"):
        operations.record_outcome(referral, outcome="unfounded", outcome_date=D(2023, 5, 2))
    operations.record_outcome(referral, outcome="unfounded", outcome_date=D(2023, 5, 3))
    assert referral.outcome == "unfounded"


def test_a_progress_to_a_referral_before_the_contact_is_refused(ctx):
    from tracker.lado import operations

    contact = operations.log_contact(contact_date=D(2023, 5, 2), employer_sector="education", disposition="advice")
    with pytest.raises(operations.LadoError, match="before its contact"):
        operations.progress_to_referral(contact, referral_date=D(2023, 5, 1))


def test_a_closed_referral_is_read_only_until_reopened_and_reopening_is_audited(ctx):
    from tracker.lado import operations

    referral = make_referral()
    action = operations.add_action(referral, description="Training", owner="Employer", due_date=D(2023, 9, 1))
    operations.close_referral(referral, closed_date=D(2023, 6, 1))
    for change in (
        lambda: operations.record_outcome(referral, outcome="false", outcome_date=D(2023, 6, 1)),
        lambda: operations.record_meeting(referral, meeting_type="paim", meeting_date=D(2023, 6, 1)),
        lambda: operations.record_dbs_referral(referral, dbs_referral_date=D(2023, 6, 1)),
        lambda: operations.add_action(referral, description="More"),
        lambda: operations.complete_action(action, completed_date=D(2023, 6, 1)),
        lambda: operations.review_action(action, notes="Q1"),
        lambda: operations.close_referral(referral, closed_date=D(2023, 6, 2)),
    ):
        with pytest.raises(operations.LadoError, match="closed"):
            change()
    with pytest.raises(operations.LadoError):
        operations.reopen_referral(referral, reason="  ")
    operations.reopen_referral(referral, reason="New information from the police")
    last = audit_actions()[-1]
    assert last[0] == "lado_referral.reopen" and last[1] == referral.referral_id
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    entry = db.session.query(AuditEntry).filter_by(action="lado_referral.reopen").one()
    assert entry.before == {"closed_date": "2023-06-01"} and entry.after["reason"] == "New information from the police"
    operations.record_outcome(referral, outcome="false", outcome_date=D(2023, 6, 1))  # writable again


def test_actions_complete_and_review_notes(ctx):
    from tracker.lado import operations

    referral = make_referral()
    action = operations.add_action(
        referral, description="Safer recruitment training", owner="Employer", due_date=D(2023, 8, 1)
    )
    operations.review_action(action, notes="On track")
    operations.review_action(action, notes="Booked", review_date=D(2023, 6, 29))
    assert action.review_notes == "2023-06-30: On track\n2023-06-29: Booked"
    operations.complete_action(action, completed_date=D(2023, 6, 30))
    with pytest.raises(operations.LadoError):
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


def test_own_foster_carer_returned_to_panel_calls_the_panels_hook(ctx, monkeypatch):
    """Panels do not exist yet: the hook is a no-op, and calls tracker.panels when it lands."""
    import sys
    import types

    from tracker.lado import operations

    contact = operations.log_contact(
        contact_date=D(2023, 5, 2),
        employer_sector="foster_care",
        disposition="referral",
        foster_carer_type="mainstream",
        foster_carer_agency="own",
    )
    referral = contact.referral
    assert operations.request_review_after_allegation(referral) is None  # not returned to panel
    calls = []
    fake = types.ModuleType("tracker.panels.operations")
    fake.create_review_after_allegation = lambda r: calls.append(r.referral_id) or "case"
    monkeypatch.setitem(sys.modules, "tracker.panels.operations", fake)
    operations.update_referral(
        referral, police_investigation=False, officer_id=None, child_informed=True, returned_to_panel=True
    )
    assert calls == [referral.referral_id]


def test_retention_is_the_later_of_ten_years_and_pension_age(ctx):
    from tracker.lado import queries

    assert queries.retention_date(D(2020, 2, 29), None) == D(2030, 2, 28)
    assert queries.retention_date(D(2020, 1, 1), D(1960, 5, 5)) == D(2030, 1, 1)
    assert queries.retention_date(D(2020, 1, 1), D(1970, 5, 5)) == D(2037, 5, 5)
