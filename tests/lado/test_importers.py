"""The four LADO files (interchange.md §1): one test per validation rule, each checking the
reported file:line: column, and that a failed import leaves the database as it was."""

from __future__ import annotations

import pytest

TODAY = "2023-06-30"
CONTACTS_HEADER = "contact_id,contact_date,referrer_agency,employer_sector,subject_role,subject_ref,employer_ref,categories,disposition,foster_carer_type,foster_carer_agency"
REFERRALS_HEADER = "referral_id,contact_id,referral_date,police_investigation,outcome,outcome_date,dbs_referral_date,returned_to_panel,child_informed,closed_date"
MEETINGS_HEADER = "meeting_id,referral_id,meeting_type,meeting_date"
ACTIONS_HEADER = "action_id,referral_id,description,owner,due_date,completed_date"

GOOD = {
    "lado_contacts.csv": [
        CONTACTS_HEADER,
        "C1,2023-01-10,School,education,Teacher,P1,ORG1,physical;conduct,referral,,",
        "C2,2023-02-01,Parent,foster_care,Carer,P1,,emotional,standards_of_care,connected,own",
        "C3,2023-03-01,,sport,,,,,advice,,",
    ],
    "lado_referrals.csv": [REFERRALS_HEADER, "R1,C1,2023-01-11,Y,substantiated,2023-03-01,2023-03-05,N,Y,2023-03-10"],
    "lado_meetings.csv": [MEETINGS_HEADER, "R1i,R1,iem,2023-01-13", "R1p,R1,paim,2023-02-08"],
    "lado_actions.csv": [ACTIONS_HEADER, "R1a,R1,Training,Employer,2023-09-01,"],
}


@pytest.fixture
def app_config():
    return {"TODAY": TODAY}


def run(app, tmp_path, **changes):
    """Write GOOD with some files' lines replaced (file stem=list of lines), import, return problems."""
    from tracker.core import interchange

    files = dict(GOOD)
    for stem, lines in changes.items():
        files[f"{stem}.csv"] = lines
    for name, lines in files.items():
        if lines is not None:
            (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    with app.app_context():
        result = interchange.run(tmp_path)
        return [str(p) for p in result.problems]


def contacts(*rows):
    return [CONTACTS_HEADER, *rows]


def referrals(*rows):
    return [REFERRALS_HEADER, *rows]


def test_good_files_import_and_fill_the_person_and_organisation_indexes(app, tmp_path):
    from tracker.extensions import db
    from tracker.lado.models import LadoContact, LadoOrganisation, LadoPerson, LadoReferral

    assert run(app, tmp_path) == []
    with app.app_context():
        assert db.session.get(LadoContact, "C1").categories == ["conduct", "physical"]
        assert db.session.get(LadoContact, "C3").person_ref is None  # anonymous consultation
        assert [c.contact_id for c in db.session.get(LadoPerson, "P1").contacts] == ["C1", "C2"]  # reused
        assert db.session.get(LadoOrganisation, "ORG1") is not None
        assert db.session.get(LadoReferral, "R1").outcome == "substantiated"
    assert run(app, tmp_path) == []  # re-import: an idempotent update
    with app.app_context():
        assert db.session.query(LadoPerson).count() == 1


@pytest.mark.parametrize(
    "changes, expected",
    [
        (
            {"lado_contacts": contacts("C1,2023-02-30,,education,,,,,referral,,")},
            "lado_contacts.csv:2: contact_date: '2023-02-30' is not a date",
        ),
        (
            {"lado_contacts": contacts("C1,2023-01-10,,school,,,,,referral,,")},
            "lado_contacts.csv:2: employer_sector: 'school' is not a known code",
        ),
        (
            {"lado_contacts": contacts("C1,2023-01-10,,education,,,,hitting,referral,,")},
            "lado_contacts.csv:2: categories: unknown code(s) 'hitting'",
        ),
        (
            {"lado_contacts": contacts("C1,2023-01-10,,education,,,,,maybe,,")},
            "lado_contacts.csv:2: disposition: 'maybe' is not a known code",
        ),
        (
            {"lado_contacts": contacts("C1,2023-01-10,,foster_care,,,,,referral,kinship,own")},
            "lado_contacts.csv:2: foster_carer_type: 'kinship' is not a known code",
        ),
        (
            {"lado_contacts": contacts("C1,2023-07-01,,education,,,,,referral,,")},
            "lado_contacts.csv:2: contact_date: 2023-07-01 is after today",
        ),
        (
            {"lado_referrals": referrals("R1,C9,2023-01-11,N,,,,N,N,")},
            "lado_referrals.csv:2: contact_id: 'C9' does not exist",
        ),
        (
            {"lado_referrals": referrals("R1,C1,2023-01-09,N,,,,N,N,")},
            "lado_referrals.csv:2: referral_date: 2023-01-09 is before the date of its contact (2023-01-10)",
        ),
        (
            {"lado_referrals": referrals("R1,C1,2023-07-01,N,,,,N,N,")},
            "lado_referrals.csv:2: referral_date: 2023-07-01 is after today",
        ),
        (
            {"lado_referrals": referrals("R1,C1,2023-01-11,N,false,,,N,N,")},
            "lado_referrals.csv:2: outcome_date: is required when there is an outcome",
        ),
        (
            {"lado_referrals": referrals("R1,C1,2023-01-11,N,,2023-03-01,,N,N,")},
            "lado_referrals.csv:2: outcome: is required when there is an outcome date",
        ),
        (
            {"lado_referrals": referrals("R1,C1,2023-01-11,N,cleared,2023-03-01,,N,N,")},
            "lado_referrals.csv:2: outcome: 'cleared' is not a known code",
        ),
        (
            {"lado_referrals": referrals("R1,C1,2023-01-11,N,false,2023-07-02,,N,N,")},
            "lado_referrals.csv:2: outcome_date: 2023-07-02 is after today",
        ),
        (
            {"lado_referrals": referrals("R1,C1,2023-01-11,N,,,,N,N,2023-07-02")},
            "lado_referrals.csv:2: closed_date: 2023-07-02 is after today",
        ),
        (
            {"lado_referrals": referrals("R1,C1,2023-01-11,N,false,2023-01-05,,N,N,")},
            "lado_referrals.csv:2: outcome_date: 2023-01-05 is before the referral date",
        ),
        (
            {"lado_referrals": referrals("R1,C1,2023-01-11,X,,,,N,N,")},
            "lado_referrals.csv:2: police_investigation: 'X' is not Y or N",
        ),
        # a contact with disposition referral and no referral row: reported at the contact's line
        (
            {
                "lado_contacts": contacts(
                    "C1,2023-01-10,,education,,,,,referral,,", "C2,2023-01-12,,health,,,,,referral,,"
                )
            },
            "lado_contacts.csv:3: disposition: contact 'C2' has disposition 'referral' but no referral (no row in lado_referrals.csv or the database)",
        ),
        # … or the reverse: a referral whose contact is not a referral
        (
            {"lado_contacts": contacts("C1,2023-01-10,,education,,,,,advice,,")},
            "lado_referrals.csv:2: contact_id: contact 'C1' has disposition 'advice', not 'referral'",
        ),
        (
            {"lado_meetings": [MEETINGS_HEADER, "M1,R9,iem,2023-01-13"]},
            "lado_meetings.csv:2: referral_id: 'R9' does not exist",
        ),
        (
            {"lado_meetings": [MEETINGS_HEADER, "M1,R1,initial,2023-01-13"]},
            "lado_meetings.csv:2: meeting_type: 'initial' is not a known code",
        ),
        (
            {"lado_meetings": [MEETINGS_HEADER, "M1,R1,iem,2023-07-13"]},
            "lado_meetings.csv:2: meeting_date: 2023-07-13 is after today",
        ),
        (
            {"lado_meetings": [MEETINGS_HEADER, "M1,R1,iem,13/01/2023"]},
            "lado_meetings.csv:2: meeting_date: '13/01/2023' is not a date",
        ),
        (
            {"lado_actions": [ACTIONS_HEADER, "A1,R9,Training,,,"]},
            "lado_actions.csv:2: referral_id: 'R9' does not exist",
        ),
        ({"lado_actions": [ACTIONS_HEADER, "A1,R1,,,,"]}, "lado_actions.csv:2: description: is required"),
        (
            {"lado_actions": [ACTIONS_HEADER, "A1,R1,Training,,2023-01-32,"]},
            "lado_actions.csv:2: due_date: '2023-01-32' is not a date",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_each_validation_is_reported_at_its_line(app, tmp_path, changes, expected):
    from tracker.extensions import db
    from tracker.lado.models import LadoContact

    problems = run(app, tmp_path, **changes)
    assert any(p.startswith(expected) for p in problems), problems
    with app.app_context():
        assert db.session.query(LadoContact).count() == 0  # nothing was imported


def test_a_future_due_date_is_allowed(app, tmp_path):
    assert run(app, tmp_path, lado_actions=[ACTIONS_HEADER, "A1,R1,Training,Employer,2024-12-31,"]) == []


# --- contacts ↔ referrals whichever of the two files is imported ------------------------------


def run_only(app, folder, **files):
    """Import a folder holding only the given files (stem=list of lines)."""
    from tracker.core import interchange

    folder.mkdir()
    for stem, lines in files.items():
        (folder / f"{stem}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with app.app_context():
        return [str(p) for p in interchange.run(folder).problems]


def run_good(app, folder):
    folder.mkdir()
    return run(app, folder)


def counts(app):
    from tracker.extensions import db
    from tracker.lado.models import LadoContact, LadoPerson, LadoReferral

    with app.app_context():
        return (
            db.session.query(LadoContact).count(),
            db.session.query(LadoReferral).count(),
            db.session.query(LadoPerson).count(),
        )


def test_a_contacts_only_import_with_a_referral_contact_and_no_referral_fails_at_the_contact_line(app, tmp_path):
    problems = run_only(
        app,
        tmp_path / "a",
        lado_contacts=contacts("C3,2023-03-01,,sport,,,,,advice,,", "C1,2023-01-10,,education,,P1,,,referral,,"),
    )
    assert problems == [
        "lado_contacts.csv:3: disposition: contact 'C1' has disposition 'referral' but no referral "
        "(no row in lado_referrals.csv or the database)"
    ]
    assert counts(app) == (0, 0, 0)  # nothing imported, not even the good row or the person


def test_a_contacts_only_reimport_of_contacts_whose_referrals_are_in_the_database_succeeds(app, tmp_path):
    from tracker.extensions import db
    from tracker.lado.models import LadoContact

    assert run_good(app, tmp_path / "a") == []  # GOOD: C1 with R1
    assert counts(app) == (3, 1, 1)
    changed = [row.replace("School,", "Academy trust,") for row in GOOD["lado_contacts.csv"]]
    assert run_only(app, tmp_path / "b", lado_contacts=changed) == []
    with app.app_context():
        assert db.session.get(LadoContact, "C1").referrer_agency == "Academy trust"
    assert counts(app) == (3, 1, 1)


def test_a_contacts_only_import_cannot_take_the_referral_disposition_from_a_contact_with_a_referral(app, tmp_path):
    from tracker.extensions import db
    from tracker.lado.models import LadoContact

    assert run_good(app, tmp_path / "a") == []
    problems = run_only(app, tmp_path / "b", lado_contacts=contacts("C1,2023-01-10,,education,,P1,,,advice,,"))
    assert problems == [
        "lado_contacts.csv:2: disposition: contact 'C1' has referral 'R1', so its disposition must be "
        "'referral', not 'advice'"
    ]
    with app.app_context():
        assert db.session.get(LadoContact, "C1").disposition == "referral"  # unchanged


def test_a_contacts_only_import_cannot_move_a_contact_after_its_referral(app, tmp_path):
    assert run_good(app, tmp_path / "a") == []
    problems = run_only(app, tmp_path / "b", lado_contacts=contacts("C1,2023-01-20,,education,,P1,,,referral,,"))
    assert problems == [
        "lado_contacts.csv:2: contact_date: 2023-01-20 is after the date of its referral 'R1' (2023-01-11)"
    ]


def test_a_referrals_only_import_for_a_referral_contact_in_the_database_succeeds(app, tmp_path):
    from tracker.extensions import db
    from tracker.lado.models import LadoReferral

    assert run_good(app, tmp_path / "a") == []
    assert run_only(app, tmp_path / "b", lado_referrals=referrals("R1,C1,2023-01-12,N,,,,N,N,")) == []
    with app.app_context():
        assert db.session.get(LadoReferral, "R1").referral_date.isoformat() == "2023-01-12"
