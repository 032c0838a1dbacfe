"""The four LADO files (interchange.md §1), imported through the ``import-data`` command: one
test per validation rule, each checking the reported file:line: column: message — the message a
form gets from the same rule of the operations — and that a failed import leaves the database
as it was."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.core.interchange import FILES
from tracker.lado.models import CarerAgency, CarerType, Category, Disposition, MeetingType, Outcome, Sector

D = dt.date

TODAY = "2023-06-30"


def header(filename: str) -> str:
    """The file's columns, from the contract (interchange.md §1)."""
    return ",".join(column.name for column in FILES[filename])


def unknown(codes) -> str:
    """How a code not in the list is reported (checks.code), after the value."""
    return f"is not a known code (expected one of: {', '.join(codes.codes())})"


CONTACTS_HEADER = header("lado_contacts.csv")
REFERRALS_HEADER = header("lado_referrals.csv")
MEETINGS_HEADER = header("lado_meetings.csv")
ACTIONS_HEADER = header("lado_actions.csv")

GOOD = {
    "lado_contacts.csv": [
        CONTACTS_HEADER,
        "C1,2023-01-10,School,education,Teacher,P1,ORG1,physical;conduct,referral,,",
        "C2,2023-02-01,Parent,foster_care,Carer,P1,,emotional,standards_of_care,connected,own",
        "C3,2023-03-01,,sport,,,,,advice,,",
    ],
    "lado_referrals.csv": [REFERRALS_HEADER, "R1,C1,2023-01-11,,Y,substantiated,2023-03-01,2023-03-05,N,Y,2023-03-10"],
    "lado_meetings.csv": [MEETINGS_HEADER, "R1i,R1,iem,2023-01-13", "R1p,R1,paim,2023-02-08"],
    "lado_actions.csv": [ACTIONS_HEADER, "R1a,R1,Training,Employer,2023-09-01,"],
}


@pytest.fixture
def app_config():
    return {"TODAY": TODAY}


def import_data(runner, folder) -> list[str]:
    """Import a folder through the ``import-data`` command; the problems it printed (none when
    it succeeded and committed)."""
    result = runner.invoke(args=["import-data", str(folder)])
    problems = [
        line for line in result.stderr.splitlines() if not line.startswith(("Nothing was imported", "warning:"))
    ]
    assert (result.exit_code == 0) == (problems == []), result.output
    return problems


def write(folder, files: dict) -> None:
    folder.mkdir(exist_ok=True)
    for name, lines in files.items():
        if lines is not None:
            (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(runner, folder, **changes) -> list[str]:
    """Import GOOD with some files' lines replaced (file stem=list of lines); the problems."""
    write(folder, GOOD | {f"{stem}.csv": lines for stem, lines in changes.items()})
    return import_data(runner, folder)


def contacts(*rows):
    return [CONTACTS_HEADER, *rows]


def referrals(*rows):
    return [REFERRALS_HEADER, *rows]


def test_good_files_import_and_fill_the_person_and_organisation_indexes(app, runner, tmp_path):
    from tracker.extensions import db
    from tracker.lado.models import LadoContact, LadoOrganisation, LadoPerson, LadoReferral

    assert run(runner, tmp_path / "a") == []
    with app.app_context():
        assert db.session.get(LadoContact, "C1").categories == ["conduct", "physical"]
        assert db.session.get(LadoContact, "C3").person_ref is None  # anonymous consultation
        assert [c.contact_id for c in db.session.get(LadoPerson, "P1").contacts] == ["C1", "C2"]  # reused
        assert db.session.get(LadoOrganisation, "ORG1") is not None
        assert db.session.get(LadoReferral, "R1").outcome == "substantiated"
    assert counts(app) == (3, 1, 1)
    assert run(runner, tmp_path / "a") == []  # re-import: an idempotent update
    assert counts(app) == (3, 1, 1)


def test_imported_references_move_the_counters_on(app, runner, tmp_path):
    """A reference made on screen after an import never takes an imported one."""
    from tests.lado import factories

    rows = {
        "lado_contacts": contacts("LC00007,2023-01-10,,education,,P0012,ORG003,,referral,,"),
        "lado_referrals": referrals("LR00005,LC00007,2023-01-11,,N,,,,N,N,"),
        "lado_meetings": [MEETINGS_HEADER, "LM000009,LR00005,iem,2023-01-13"],
        "lado_actions": [ACTIONS_HEADER, "LA000004,LR00005,Training,,,"],
    }
    assert run(runner, tmp_path / "a", **rows) == []
    with app.app_context():
        referral = factories.referral(D(2023, 6, 1), person_name="New Person", organisation_name="New School")
        meeting, action = factories.meeting(referral), factories.action(referral)
        made = (referral.contact_id, referral.referral_id, meeting.meeting_id, action.action_id)
        assert made == ("LC00008", "LR00006", "LM000010", "LA000005")
        assert (referral.contact.person_ref, referral.contact.organisation_ref) == ("P0013", "ORG004")


@pytest.mark.parametrize(
    "changes, expected",
    [
        (
            {"lado_contacts": contacts("C1,2023-02-30,,education,,,,,referral,,")},
            "lado_contacts.csv:2: contact_date: '2023-02-30' is not a date in the form YYYY-MM-DD",
        ),
        (
            {"lado_contacts": contacts("C1,2023-01-10,,school,,,,,referral,,")},
            f"lado_contacts.csv:2: employer_sector: 'school' {unknown(Sector)}",
        ),
        (
            {"lado_contacts": contacts("C1,2023-01-10,,education,,,,hitting,referral,,")},
            f"lado_contacts.csv:2: categories: 'hitting' {unknown(Category)}",
        ),
        (
            {"lado_contacts": contacts("C1,2023-01-10,,education,,,,,maybe,,")},
            f"lado_contacts.csv:2: disposition: 'maybe' {unknown(Disposition)}",
        ),
        (
            {"lado_contacts": contacts("C1,2023-01-10,,foster_care,,,,,referral,kinship,own")},
            f"lado_contacts.csv:2: foster_carer_type: 'kinship' {unknown(CarerType)}",
        ),
        (
            {"lado_contacts": contacts("C1,2023-01-10,,foster_care,,,,,referral,mainstream,private")},
            f"lado_contacts.csv:2: foster_carer_agency: 'private' {unknown(CarerAgency)}",
        ),
        (
            {"lado_contacts": contacts("C1,2023-07-01,,education,,,,,referral,,")},
            "lado_contacts.csv:2: contact_date: The date of the contact must be today or in the past",
        ),
        (
            {"lado_referrals": referrals("R1,C9,2023-01-11,,N,,,,N,N,")},
            "lado_referrals.csv:2: contact_id: 'C9' does not exist in the import files or the database",
        ),
        (
            {"lado_referrals": referrals("R1,C1,2023-01-09,,N,,,,N,N,")},
            "lado_referrals.csv:2: referral_date: 2023-01-09 is before the date of its contact (2023-01-10)",
        ),
        (
            {"lado_referrals": referrals("R1,C1,2023-07-01,,N,,,,N,N,")},
            "lado_referrals.csv:2: referral_date: The date of the referral must be today or in the past",
        ),
        (
            {"lado_referrals": referrals("R1,C1,2023-01-11,,N,false,,,N,N,")},
            "lado_referrals.csv:2: outcome_date: Enter the date of the outcome",
        ),
        (
            {"lado_referrals": referrals("R1,C1,2023-01-11,,N,,2023-03-01,,N,N,")},
            "lado_referrals.csv:2: outcome: Select the outcome as well as its date",
        ),
        (
            {"lado_referrals": referrals("R1,C1,2023-01-11,,N,cleared,2023-03-01,,N,N,")},
            f"lado_referrals.csv:2: outcome: 'cleared' {unknown(Outcome)}",
        ),
        (
            {"lado_referrals": referrals("R1,C1,2023-01-11,,N,false,2023-07-02,,N,N,")},
            "lado_referrals.csv:2: outcome_date: The date of the outcome must be today or in the past",
        ),
        (
            {"lado_referrals": referrals("R1,C1,2023-01-11,,N,,,,N,N,2023-07-02")},
            "lado_referrals.csv:2: closed_date: The date of closure must be today or in the past",
        ),
        (
            {"lado_referrals": referrals("R1,C1,2023-01-11,,N,false,2023-01-05,,N,N,")},
            "lado_referrals.csv:2: outcome_date: The outcome cannot be dated before the referral",
        ),
        (
            {"lado_referrals": referrals("R1,C1,2023-01-11,,N,,,2023-01-05,N,N,")},
            "lado_referrals.csv:2: dbs_referral_date: The DBS referral cannot be dated before the referral",
        ),
        (
            {"lado_referrals": referrals("R1,C1,2023-01-11,,X,,,,N,N,")},
            "lado_referrals.csv:2: police_investigation: 'X' is not Y or N",
        ),
        (
            {"lado_referrals": referrals("R1,C1,2023-01-11,,N,,,,N,N,", "R2,C1,2023-01-12,,N,,,,N,N,")},
            "lado_referrals.csv:3: contact_id: 'C1' already has referral 'R1'",
        ),
        # a contact with disposition referral and no referral row: reported at the contact's line
        (
            {
                "lado_contacts": contacts(
                    "C1,2023-01-10,,education,,,,,referral,,", "C2,2023-01-12,,health,,,,,referral,,"
                )
            },
            "lado_contacts.csv:3: disposition: contact 'C2' has disposition 'referral' but no referral "
            "(no row in lado_referrals.csv or the database)",
        ),
        # … or the reverse: a referral whose contact is not a referral
        (
            {"lado_contacts": contacts("C1,2023-01-10,,education,,,,,advice,,")},
            "lado_referrals.csv:2: contact_id: contact 'C1' has disposition 'advice', not 'referral'",
        ),
        (
            {"lado_meetings": [MEETINGS_HEADER, "M1,R9,iem,2023-01-13"]},
            "lado_meetings.csv:2: referral_id: 'R9' does not exist in the import files or the database",
        ),
        (
            {"lado_meetings": [MEETINGS_HEADER, "M1,R1,initial,2023-01-13"]},
            f"lado_meetings.csv:2: meeting_type: 'initial' {unknown(MeetingType)}",
        ),
        (
            {"lado_meetings": [MEETINGS_HEADER, "M1,R1,iem,2023-07-13"]},
            "lado_meetings.csv:2: meeting_date: The date of a meeting held must be today or in the past",
        ),
        (
            {"lado_meetings": [MEETINGS_HEADER, "M1,R1,iem,13/01/2023"]},
            "lado_meetings.csv:2: meeting_date: '13/01/2023' is not a date in the form YYYY-MM-DD",
        ),
        (
            {"lado_meetings": [MEETINGS_HEADER, "M1,R1,iem,2023-01-10"]},
            "lado_meetings.csv:2: meeting_date: 2023-01-10 is before the referral date (2023-01-11)",
        ),
        (
            {"lado_actions": [ACTIONS_HEADER, "A1,R9,Training,,,"]},
            "lado_actions.csv:2: referral_id: 'R9' does not exist in the import files or the database",
        ),
        ({"lado_actions": [ACTIONS_HEADER, "A1,R1,,,,"]}, "lado_actions.csv:2: description: is required"),
        (
            {"lado_actions": [ACTIONS_HEADER, "A1,R1,Training,,2023-01-32,"]},
            "lado_actions.csv:2: due_date: '2023-01-32' is not a date in the form YYYY-MM-DD",
        ),
        (
            {"lado_actions": [ACTIONS_HEADER, "A1,R1,Training,,,2023-07-01"]},
            "lado_actions.csv:2: completed_date: The completion date must be today or in the past",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_each_validation_is_reported_at_its_line(app, runner, tmp_path, changes, expected):
    problems = run(runner, tmp_path / "a", **changes)
    assert expected in problems
    assert counts(app) == (0, 0, 0)  # nothing was imported


def test_the_import_and_the_forms_share_the_operations_messages(app, runner, tmp_path):
    """The same rule refuses a form and a row, with the same words."""
    from tracker.core.errors import DomainError
    from tracker.lado import operations

    problems = run(runner, tmp_path / "a", lado_contacts=contacts("C1,2023-07-01,,education,,,,,referral,,"))
    with app.app_context(), pytest.raises(DomainError) as refused:
        operations.check_contact(D(2023, 7, 1), "education", "referral")
    assert f"lado_contacts.csv:2: {refused.value.field}: {refused.value.message}" in problems


def test_a_future_due_date_is_allowed(app, runner, tmp_path):
    assert run(runner, tmp_path / "a", lado_actions=[ACTIONS_HEADER, "A1,R1,Training,Employer,2024-12-31,"]) == []
    assert counts(app) == (3, 1, 1)


# --- contacts ↔ referrals whichever of the two files is imported ------------------------------


def run_only(runner, folder, **files) -> list[str]:
    """Import a folder holding only the given files (stem=list of lines)."""
    write(folder, {f"{stem}.csv": lines for stem, lines in files.items()})
    return import_data(runner, folder)


def counts(app):
    from tracker.extensions import db
    from tracker.lado.models import LadoContact, LadoPerson, LadoReferral

    with app.app_context():
        return (
            db.session.query(LadoContact).count(),
            db.session.query(LadoReferral).count(),
            db.session.query(LadoPerson).count(),
        )


def test_a_contacts_only_import_with_a_referral_contact_and_no_referral_fails_at_the_contact_line(
    app, runner, tmp_path
):
    problems = run_only(
        runner,
        tmp_path / "a",
        lado_contacts=contacts("C3,2023-03-01,,sport,,,,,advice,,", "C1,2023-01-10,,education,,P1,,,referral,,"),
    )
    assert problems == [
        "lado_contacts.csv:3: disposition: contact 'C1' has disposition 'referral' but no referral "
        "(no row in lado_referrals.csv or the database)"
    ]
    assert counts(app) == (0, 0, 0)  # nothing imported, not even the good row or the person


def test_a_contacts_only_reimport_of_contacts_whose_referrals_are_in_the_database_succeeds(app, runner, tmp_path):
    from tracker.extensions import db
    from tracker.lado.models import LadoContact

    assert run(runner, tmp_path / "a") == []  # GOOD: C1 with R1
    assert counts(app) == (3, 1, 1)
    changed = [row.replace("School,", "Academy trust,") for row in GOOD["lado_contacts.csv"]]
    assert run_only(runner, tmp_path / "b", lado_contacts=changed) == []
    with app.app_context():
        assert db.session.get(LadoContact, "C1").referrer_agency == "Academy trust"
    assert counts(app) == (3, 1, 1)


def test_a_contacts_only_import_cannot_take_the_referral_disposition_from_a_contact_with_a_referral(
    app, runner, tmp_path
):
    from tracker.extensions import db
    from tracker.lado.models import LadoContact

    assert run(runner, tmp_path / "a") == []
    problems = run_only(runner, tmp_path / "b", lado_contacts=contacts("C1,2023-01-10,,education,,P1,,,advice,,"))
    assert problems == [
        "lado_contacts.csv:2: disposition: contact 'C1' has referral 'R1', so its disposition must be "
        "'referral', not 'advice'"
    ]
    with app.app_context():
        assert db.session.get(LadoContact, "C1").disposition == "referral"  # unchanged


def test_a_contacts_only_import_cannot_move_a_contact_after_its_referral(app, runner, tmp_path):
    assert run(runner, tmp_path / "a") == []
    problems = run_only(runner, tmp_path / "b", lado_contacts=contacts("C1,2023-01-20,,education,,P1,,,referral,,"))
    assert problems == [
        "lado_contacts.csv:2: contact_date: 2023-01-20 is after the date of its referral 'R1' (2023-01-11)"
    ]


def test_a_referrals_only_import_for_a_referral_contact_in_the_database_succeeds(app, runner, tmp_path):
    from tracker.extensions import db
    from tracker.lado.models import LadoReferral

    assert run(runner, tmp_path / "a") == []
    assert run_only(runner, tmp_path / "b", lado_referrals=referrals("R1,C1,2023-01-12,,N,,,,N,N,")) == []
    with app.app_context():
        assert db.session.get(LadoReferral, "R1").referral_date.isoformat() == "2023-01-12"
