"""The four panel files (interchange.md §1), imported through the ``import-data`` command: one
case per validation rule, each checking the reported ``file:line: column: message`` — the message
a page gets from the same rule of the operations — and that a refused import leaves nothing
behind; a re-import updates by id and keeps what the file does not carry; the small authority's
panel files come in whole; and ``import-data`` no longer skips them. Today is 30 June 2023."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from tracker.panels.models import AdmDecision, CarerType, CaseType, MeetingStatus, Panel, Recommendation

D = dt.date
PANEL_FILES = ("panel_meetings.csv", "panel_cases.csv", "foster_households.csv", "carer_reviews.csv")


def unknown(codes) -> str:
    """How a code not in the list is reported (``checks.code``), after the value."""
    return f"is not a known code (expected one of: {', '.join(codes.codes())})"


def meeting(meeting_id, panel, day, status, members="", chair="", sw="", independent="") -> dict:
    return {
        "meeting_id": meeting_id,
        "panel": panel,
        "meeting_date": day,
        "status": status,
        "members_present": members,
        "chair_present": chair,
        "social_worker_present": sw,
        "independent_present": independent,
    }


def case(case_id, meeting_id, case_type, **fields) -> dict:
    return {"case_id": case_id, "meeting_id": meeting_id, "case_type": case_type, **fields}


MEETINGS = [
    meeting("PM1", "fostering", "2023-03-07", "held", "6", "Y", "Y", "N"),  # line 2
    meeting("PM2", "adoption", "2023-03-14", "held", "5", "Y", "Y", "Y"),  # line 3
    meeting("PM3", "fostering", "2023-03-21", "cancelled"),  # line 4
    meeting("PM4", "fostering", "2023-09-05", "booked"),  # line 5: booked meetings may lie ahead
]
HEARD = {
    "subject_ref": "H1",
    "carer_type": "mainstream",
    "papers_sent_date": "2023-02-27",
    "recommendation": "positive",
    "minutes_final_date": "2023-03-14",
    "adm_decision": "agreed",
    "adm_decision_date": "2023-03-20",
}
CASES = [
    case("PC1", "PM1", "approval", **HEARD),  # line 2
    case("PC2", "PM1", "first_review", subject_ref="H2", recommendation="deferred", minutes_final_date="2023-03-14"),
    case("PC3", "PM2", "match", subject_ref="A1", recommendation="positive"),  # line 4
    case("PC4", "PM4", "approval", subject_ref="H3", carer_type="connected"),  # line 5: on the agenda of PM4
]
HOUSEHOLDS = [
    {"household_id": "H1", "carer_type": "mainstream", "approval_date": "2023-03-20", "end_date": ""},
    {"household_id": "H2", "carer_type": "connected", "approval_date": "2021-05-01", "end_date": ""},
    {"household_id": "H3", "carer_type": "mainstream", "approval_date": "2019-01-01", "end_date": "2023-01-31"},
]
REVIEWS = [
    {"review_id": "H2r1", "household_id": "H2", "review_date": "2022-04-20", "to_panel": "Y"},
    {"review_id": "H2r2", "household_id": "H2", "review_date": "2023-04-12", "to_panel": ""},
]
GOOD = {
    "panel_meetings.csv": MEETINGS,
    "panel_cases.csv": CASES,
    "foster_households.csv": HOUSEHOLDS,
    "carer_reviews.csv": REVIEWS,
}
ALL_GOOD = (4, 4, 3, 2)


def with_row(rows: list[dict], index: int, **changes) -> list[dict]:
    """``rows`` with row ``index`` (0 = the file's line 2) changed."""
    return [row | changes if i == index else row for i, row in enumerate(rows)]


def test_good_files_import(app, panel_import, panel_counts, tmp_path):
    from tracker.extensions import db
    from tracker.panels.models import CarerReview, FosterHousehold, PanelCase, PanelMeeting

    assert panel_import(tmp_path / "a", GOOD) == []
    assert panel_counts() == ALL_GOOD
    with app.app_context():
        pm1 = db.session.get(PanelMeeting, "PM1")
        assert (pm1.panel, pm1.status, pm1.members_present) == (Panel.fostering, MeetingStatus.held, 6)
        assert (pm1.chair_present, pm1.social_worker_present, pm1.independent_present) == (True, True, False)
        assert pm1.quorate
        pm3 = db.session.get(PanelMeeting, "PM3")
        assert (pm3.members_present, pm3.chair_present) == (None, False)  # blank: not recorded, N
        pc1 = db.session.get(PanelCase, "PC1")
        assert (pc1.panel, pc1.case_type, pc1.carer_type) == (Panel.fostering, CaseType.approval, CarerType.mainstream)
        assert (pc1.recommendation, pc1.adm_decision) == (Recommendation.positive, AdmDecision.agreed)
        assert (pc1.papers_sent_date, pc1.minutes_final_date, pc1.adm_decision_date) == (
            D(2023, 2, 27),
            D(2023, 3, 14),
            D(2023, 3, 20),
        )
        assert db.session.get(PanelCase, "PC3").panel == Panel.adoption  # a case's panel is its meeting's
        assert [h.status for h in db.session.query(FosterHousehold).order_by(FosterHousehold.household_id)] == [
            "approved",
            "approved",
            "ended",
        ]
        assert [(r.review_id, r.to_panel) for r in db.session.query(CarerReview).order_by(CarerReview.review_id)] == [
            ("H2r1", True),
            ("H2r2", False),  # blank: N
        ]


def test_imported_references_move_the_counters_on(app, panel_import, tmp_path):
    """A reference made on screen after an import never takes an imported one."""
    from tracker.core import references

    files = {
        "panel_meetings.csv": [meeting("PM0007", "fostering", "2023-03-07", "held", "5", "Y", "Y")],
        "panel_cases.csv": [case("PC00012", "PM0007", "approval")],
        "foster_households.csv": [{"household_id": "H0030", "carer_type": "mainstream", "approval_date": "2022-01-05"}],
        "carer_reviews.csv": [{"review_id": "CR00004", "household_id": "H0030", "review_date": "2023-01-04"}],
    }
    assert panel_import(tmp_path / "a", files) == []
    with app.app_context():
        made = [references.new_ref(k) for k in ("panel_meeting", "panel_case", "foster_household", "carer_review")]
    assert made == ["PM0008", "PC00013", "H0031", "CR00005"]


# --- each validation, at its line; nothing imported ----------------------------------------------

VALIDATIONS = [
    # panel_meetings.csv
    (
        {"panel_meetings.csv": with_row(MEETINGS, 0, meeting_date="2023-02-30")},
        "panel_meetings.csv:2: meeting_date: '2023-02-30' is not a date in the form YYYY-MM-DD",
    ),
    (
        {"panel_meetings.csv": with_row(MEETINGS, 0, panel="kinship")},
        f"panel_meetings.csv:2: panel: 'kinship' {unknown(Panel)}",
    ),
    (
        {"panel_meetings.csv": with_row(MEETINGS, 0, status="postponed")},
        f"panel_meetings.csv:2: status: 'postponed' {unknown(MeetingStatus)}",
    ),
    ({"panel_meetings.csv": with_row(MEETINGS, 0, status="")}, "panel_meetings.csv:2: status: is required"),
    (
        {"panel_meetings.csv": with_row(MEETINGS, 3, status="held")},  # held on 5 September 2023, after today
        "panel_meetings.csv:5: meeting_date: The date of a meeting held must be today or in the past",
    ),
    (
        {"panel_meetings.csv": with_row(MEETINGS, 0, members_present="five")},
        "panel_meetings.csv:2: members_present: 'five' is not a whole number",
    ),
    (
        {"panel_meetings.csv": with_row(MEETINGS, 0, members_present="4.5")},
        "panel_meetings.csv:2: members_present: '4.5' is not a whole number",
    ),
    (
        {"panel_meetings.csv": with_row(MEETINGS, 0, members_present="-1")},
        "panel_meetings.csv:2: members_present: must be at least 0",
    ),
    (
        {"panel_meetings.csv": with_row(MEETINGS, 0, members_present="10000000000000")},
        "panel_meetings.csv:2: members_present: The number of members present must be 999 or fewer",
    ),
    (
        {"panel_meetings.csv": with_row(MEETINGS, 0, chair_present="yes")},
        "panel_meetings.csv:2: chair_present: 'yes' is not Y or N",
    ),
    # panel_cases.csv: codes, references, dates
    (
        {"panel_cases.csv": with_row(CASES, 0, meeting_id="PM9")},
        "panel_cases.csv:2: meeting_id: 'PM9' does not exist in the import files or the database",
    ),
    (
        {"panel_cases.csv": with_row(CASES, 0, case_type="assessment")},
        f"panel_cases.csv:2: case_type: 'assessment' {unknown(CaseType)}",
    ),
    (
        {"panel_cases.csv": with_row(CASES, 0, carer_type="kinship")},
        f"panel_cases.csv:2: carer_type: 'kinship' {unknown(CarerType)}",
    ),
    (
        {"panel_cases.csv": with_row(CASES, 0, recommendation="approve")},
        f"panel_cases.csv:2: recommendation: 'approve' {unknown(Recommendation)}",
    ),
    (
        {"panel_cases.csv": with_row(CASES, 0, adm_decision="yes")},
        f"panel_cases.csv:2: adm_decision: 'yes' {unknown(AdmDecision)}",
    ),
    (
        {"panel_cases.csv": with_row(CASES, 0, lado_referral_id="LR9")},
        "panel_cases.csv:2: lado_referral_id: 'LR9' does not exist in the import files or the database",
    ),
    (
        {"panel_cases.csv": with_row(CASES, 0, papers_sent_date="27/02/2023")},
        "panel_cases.csv:2: papers_sent_date: '27/02/2023' is not a date in the form YYYY-MM-DD",
    ),
    (
        {"panel_cases.csv": with_row(CASES, 3, papers_sent_date="2023-08-29")},  # for the booked PM4
        "panel_cases.csv:5: papers_sent_date: The date the papers were sent must be today or in the past",
    ),
    (
        {"panel_cases.csv": with_row(CASES, 0, minutes_final_date="2023-07-03", adm_decision_date="2023-07-04")},
        "panel_cases.csv:2: minutes_final_date: The date the minutes were finalised must be today or in the past",
    ),
    (
        {"panel_cases.csv": with_row(CASES, 0, adm_decision_date="2023-07-03")},
        "panel_cases.csv:2: adm_decision_date: The date of the ADM's decision must be today or in the past",
    ),
    # a decision and its date come together, after a recommendation and the minutes
    (
        {"panel_cases.csv": with_row(CASES, 0, adm_decision_date="")},
        "panel_cases.csv:2: adm_decision_date: Enter the date of the ADM's decision",
    ),
    (
        {"panel_cases.csv": with_row(CASES, 0, adm_decision="")},
        "panel_cases.csv:2: adm_decision: Select the ADM's decision as well as its date",
    ),
    (
        {"panel_cases.csv": with_row(CASES, 0, recommendation="")},
        "panel_cases.csv:2: adm_decision: An ADM decision needs the panel's recommendation: record the "
        "recommendation first",
    ),
    (
        {"panel_cases.csv": with_row(CASES, 0, adm_decision_date="2023-03-13")},
        "panel_cases.csv:2: adm_decision_date: The ADM's decision cannot be dated before the minutes were finalised",
    ),
    # against the meeting
    (
        {"panel_cases.csv": with_row(CASES, 2, case_type="approval")},  # PC3 at the adoption panel's PM2
        "panel_cases.csv:4: case_type: 'approval' is not a case type of the adoption panel (expected one of: "
        "adopter_approval, match, adopter_deregistration, relinquished_child, other)",
    ),
    (
        {"panel_cases.csv": with_row(CASES, 0, case_type="match")},  # PC1 at the fostering panel's PM1
        "panel_cases.csv:2: case_type: 'match' is not a case type of the fostering panel (expected one of: "
        "approval, reg25_extension, resignation, deregistration, first_review, third_year_review, "
        "review_after_allegation, change_of_terms, long_term_match, other)",
    ),
    (
        {"panel_cases.csv": with_row(CASES, 0, meeting_id="PM3")},
        "panel_cases.csv:2: recommendation: Only a case heard at a held meeting can have a recommendation: "
        "meeting PM3 is cancelled",
    ),
    (
        {"panel_cases.csv": with_row(CASES, 3, minutes_final_date="2023-06-01")},
        "panel_cases.csv:5: minutes_final_date: Only a case heard at a held meeting can have final minutes: "
        "meeting PM4 is booked",
    ),
    (
        {"panel_cases.csv": with_row(CASES, 1, minutes_final_date="2023-03-06")},
        "panel_cases.csv:3: minutes_final_date: The minutes cannot be finalised before the meeting",
    ),
    # foster_households.csv
    (
        {"foster_households.csv": with_row(HOUSEHOLDS, 0, carer_type="kinship")},
        f"foster_households.csv:2: carer_type: 'kinship' {unknown(CarerType)}",
    ),
    (
        {"foster_households.csv": with_row(HOUSEHOLDS, 0, approval_date="")},
        "foster_households.csv:2: approval_date: is required",
    ),
    (
        {"foster_households.csv": with_row(HOUSEHOLDS, 0, approval_date="2023-07-01")},
        "foster_households.csv:2: approval_date: The date of approval must be today or in the past",
    ),
    (
        {"foster_households.csv": with_row(HOUSEHOLDS, 2, end_date="2018-12-31")},
        "foster_households.csv:4: end_date: The end date cannot be before the date of approval",
    ),
    (
        {"foster_households.csv": with_row(HOUSEHOLDS, 2, end_date="2023-07-01")},
        "foster_households.csv:4: end_date: The end date must be today or in the past",
    ),
    # carer_reviews.csv
    (
        {"carer_reviews.csv": with_row(REVIEWS, 0, household_id="H9")},
        "carer_reviews.csv:2: household_id: 'H9' does not exist in the import files or the database",
    ),
    (
        {"carer_reviews.csv": with_row(REVIEWS, 1, review_date="2023-07-01")},
        "carer_reviews.csv:3: review_date: The date of the review must be today or in the past",
    ),
    (
        {"carer_reviews.csv": with_row(REVIEWS, 0, review_date="2021-04-30")},
        "carer_reviews.csv:2: review_date: The review cannot be dated before the household's approval "
        "('H2' was approved on 2021-05-01)",
    ),
    (
        {"carer_reviews.csv": with_row(REVIEWS, 0, to_panel="maybe")},
        "carer_reviews.csv:2: to_panel: 'maybe' is not Y or N",
    ),
]


@pytest.mark.parametrize("changes, expected", VALIDATIONS, ids=[expected for _, expected in VALIDATIONS])
def test_each_validation_is_reported_at_its_line_and_nothing_is_imported(
    panel_import, panel_counts, tmp_path, changes, expected
):
    problems = panel_import(tmp_path / "a", GOOD | changes)
    assert expected in problems
    assert panel_counts() == (0, 0, 0, 0)


def test_the_import_and_the_pages_share_the_operations_rules(app, panel_import, tmp_path):
    """The same rule refuses a row and a page's change, with the same words."""
    from tracker.core.errors import DomainError
    from tracker.panels import operations

    problems = panel_import(tmp_path / "a", GOOD | {"panel_cases.csv": with_row(CASES, 2, case_type="approval")})
    with app.app_context():
        with pytest.raises(DomainError) as refused:
            operations.check_case_type("adoption", "approval")
        assert f"panel_cases.csv:4: {refused.value.field}: {refused.value.message}" in problems
        with pytest.raises(DomainError) as refused:
            operations.check_household_dates(D(2019, 1, 1), D(2018, 12, 31))
        assert (refused.value.field, refused.value.message) == (
            "end_date",
            "The end date cannot be before the date of approval",
        )
        with pytest.raises(DomainError) as refused:
            operations.check_heard("PM3", "cancelled", D(2023, 3, 21), adm_decision="agreed")
        assert refused.value.field == "adm_decision"


def test_every_problem_is_listed_not_only_the_first(panel_import, tmp_path):
    problems = panel_import(
        tmp_path / "a",
        GOOD
        | {
            "panel_meetings.csv": with_row(MEETINGS, 2, chair_present="yes"),  # PM3: no case refers to it
            "foster_households.csv": with_row(HOUSEHOLDS, 0, carer_type="kinship"),
        },
    )
    assert problems == [
        "panel_meetings.csv:4: chair_present: 'yes' is not Y or N",
        f"foster_households.csv:2: carer_type: 'kinship' {unknown(CarerType)}",
    ]


# --- a later load against what is in the database --------------------------------------------------


def test_a_meeting_reimported_as_cancelled_with_cases_heard_there_is_refused_at_its_line(
    app, panel_import, panel_counts, tmp_path
):
    from tracker.extensions import db
    from tracker.panels.models import PanelMeeting

    assert panel_import(tmp_path / "a", GOOD) == []
    problems = panel_import(tmp_path / "b", {"panel_meetings.csv": with_row(MEETINGS, 0, status="cancelled")})
    assert problems == [
        "panel_meetings.csv:2: status: case 'PC1': Only a case heard at a held meeting can have a recommendation: "
        "meeting PM1 is cancelled",
        "panel_meetings.csv:2: status: case 'PC2': Only a case heard at a held meeting can have a recommendation: "
        "meeting PM1 is cancelled",
    ]
    with app.app_context():
        assert db.session.get(PanelMeeting, "PM1").status == MeetingStatus.held  # unchanged
    assert panel_counts() == ALL_GOOD


def test_a_meeting_moved_to_the_other_panel_is_refused_when_its_cases_do_not_fit(app, panel_import, tmp_path):
    assert panel_import(tmp_path / "a", GOOD) == []
    problems = panel_import(tmp_path / "b", {"panel_meetings.csv": with_row(MEETINGS, 1, panel="fostering")})
    assert problems == [
        "panel_meetings.csv:3: panel: case 'PC3': 'match' is not a case type of the fostering panel (expected one "
        "of: approval, reg25_extension, resignation, deregistration, first_review, third_year_review, "
        "review_after_allegation, change_of_terms, long_term_match, other)"
    ]


def test_a_meeting_moved_to_the_other_panel_takes_its_cases_along(app, panel_import, tmp_path):
    from tracker.extensions import db
    from tracker.panels.models import PanelCase

    files = {
        "panel_meetings.csv": [meeting("PM1", "fostering", "2023-03-07", "held", "6", "Y", "Y", "Y")],
        "panel_cases.csv": [case("PC1", "PM1", "other", recommendation="positive")],
    }
    assert panel_import(tmp_path / "a", files) == []
    moved = {"panel_meetings.csv": [meeting("PM1", "adoption", "2023-03-07", "held", "6", "Y", "Y", "Y")]}
    assert panel_import(tmp_path / "b", moved) == []
    with app.app_context():
        assert db.session.get(PanelCase, "PC1").panel == Panel.adoption


def test_a_case_file_alone_refers_to_meetings_and_households_in_the_database(app, panel_import, tmp_path):
    from tracker.extensions import db
    from tracker.panels.models import PanelCase

    assert panel_import(tmp_path / "a", GOOD) == []
    later = [case("PC5", "PM1", "resignation", subject_ref="H1", recommendation="not_applicable")]
    assert panel_import(tmp_path / "b", {"panel_cases.csv": later}) == []
    with app.app_context():
        assert db.session.get(PanelCase, "PC5").panel == Panel.fostering


def test_a_case_links_to_the_lado_referral_that_returned_the_carer_to_panel(app, panel_import, tmp_path):
    from tracker.extensions import db
    from tracker.panels.models import PanelCase

    lado = {
        "lado_contacts.csv": [
            {
                "contact_id": "LC1",
                "contact_date": "2023-01-10",
                "employer_sector": "foster_care",
                "disposition": "referral",
                "foster_carer_type": "mainstream",
                "foster_carer_agency": "own",
            }
        ],
        "lado_referrals.csv": [
            {"referral_id": "LR1", "contact_id": "LC1", "referral_date": "2023-01-11", "returned_to_panel": "Y"}
        ],
    }
    cases = with_row(CASES, 1, case_type="review_after_allegation", lado_referral_id="LR1")
    assert panel_import(tmp_path / "a", GOOD | lado | {"panel_cases.csv": cases}) == []
    with app.app_context():
        assert db.session.get(PanelCase, "PC2").lado_referral_id == "LR1"


# --- re-import: by id, idempotent, keeping what the file does not carry ---------------------------


def snapshot(app) -> list[tuple]:
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.panels.models import CarerReview, FosterHousehold, PanelCase, PanelMeeting

    with app.app_context():
        rows = []
        for model in (PanelMeeting, PanelCase, FosterHousehold, CarerReview):
            table = model.__table__
            columns = [c for c in table.columns if c.name != "version"]
            rows += [tuple(r) for r in db.session.execute(select(*columns).order_by(*table.primary_key.columns))]
        return rows


def test_a_reimport_is_idempotent_and_updates_by_id(app, panel_import, panel_counts, tmp_path):
    from tracker.extensions import db
    from tracker.panels.models import PanelCase

    assert panel_import(tmp_path / "a", GOOD) == []
    once = snapshot(app)
    assert panel_import(tmp_path / "b", GOOD) == []
    assert snapshot(app) == once
    assert panel_counts() == ALL_GOOD
    # a changed row updates its record, by id
    changed = GOOD | {"panel_cases.csv": with_row(CASES, 1, adm_decision="not_agreed", adm_decision_date="2023-03-22")}
    assert panel_import(tmp_path / "c", changed) == []
    assert panel_counts() == ALL_GOOD
    with app.app_context():
        pc2 = db.session.get(PanelCase, "PC2")
        assert (pc2.adm_decision, pc2.adm_decision_date) == (AdmDecision.not_agreed, D(2023, 3, 22))


def test_a_reimport_keeps_what_the_file_does_not_carry(app, panel_import, tmp_path):
    """A meeting's cancellation reason, a case's ADM reasons, a household's name, reviewing officer,
    reg 25 extension and on-hold status, and a review's officer and outcome (recorded on the pages)."""
    from tracker.extensions import db
    from tracker.panels.models import CarerReview, FosterHousehold, HouseholdStatus, PanelCase, PanelMeeting

    assert panel_import(tmp_path / "a", GOOD) == []
    with app.app_context():  # as the pages would have recorded them
        db.session.get(PanelMeeting, "PM3").cancelled_reason = "No panel business"
        db.session.get(PanelCase, "PC1").adm_reasons = "Agreed with the panel's reasons"
        h1 = db.session.get(FosterHousehold, "H1")
        h1.name, h1.reviewing_officer_id, h1.status = "Smith household", "FR1", HouseholdStatus.on_hold
        h1.temporary_extended_date = D(2023, 5, 1)
        h3 = db.session.get(FosterHousehold, "H3")
        h3.end_reason = "resigned"
        review = db.session.get(CarerReview, "H2r1")
        review.reviewing_officer_id, review.outcome = "FR1", "approval_continues"
        db.session.commit()
    assert panel_import(tmp_path / "b", GOOD) == []
    with app.app_context():
        assert db.session.get(PanelMeeting, "PM3").cancelled_reason == "No panel business"
        assert db.session.get(PanelCase, "PC1").adm_reasons == "Agreed with the panel's reasons"
        h1 = db.session.get(FosterHousehold, "H1")
        assert (h1.name, h1.reviewing_officer_id, h1.status, h1.temporary_extended_date) == (
            "Smith household",
            "FR1",
            HouseholdStatus.on_hold,  # on hold stays on hold while the file gives no end date
            D(2023, 5, 1),
        )
        h3 = db.session.get(FosterHousehold, "H3")
        assert (h3.status, h3.end_reason) == (HouseholdStatus.ended, "resigned")
        review = db.session.get(CarerReview, "H2r1")
        assert (review.reviewing_officer_id, review.outcome) == ("FR1", "approval_continues")


@pytest.mark.parametrize(
    "before, end_date, after",
    [
        ("approved", "2023-05-31", "ended"),
        ("on_hold", "2023-05-31", "ended"),
        ("on_hold", "", "on_hold"),
        ("ended", "", "approved"),  # the file removes the end (and its reason)
    ],
)
def test_a_households_status_follows_the_files_end_date(app, panel_import, tmp_path, before, end_date, after):
    from tracker.extensions import db
    from tracker.panels.models import FosterHousehold

    row = {"household_id": "H1", "carer_type": "mainstream", "approval_date": "2022-01-10", "end_date": ""}
    first = {**row, "end_date": "2023-04-30"} if before == "ended" else row
    assert panel_import(tmp_path / "a", {"foster_households.csv": [first]}) == []
    with app.app_context():
        household = db.session.get(FosterHousehold, "H1")
        household.status = before
        if before == "ended":
            household.end_reason = "resigned"
        db.session.commit()
    assert panel_import(tmp_path / "b", {"foster_households.csv": [{**row, "end_date": end_date}]}) == []
    with app.app_context():
        household = db.session.get(FosterHousehold, "H1")
        assert household.status == after
        assert household.end_date == (D.fromisoformat(end_date) if end_date else None)
        if after == "approved":
            assert household.end_reason is None


# --- the small authority, and import-data's summary ------------------------------------------------


class TestTheSmallAuthority:
    """tests/data/small-authority imported through ``import-data`` (its dates run to 2024)."""

    @pytest.fixture
    def app_config(self):
        return {"TODAY": "2026-11-23"}  # after every date in the data

    def test_the_small_authoritys_panel_files_come_in_whole(self, app, small_authority, panel_counts):
        from sqlalchemy import func, select

        from tracker.extensions import db
        from tracker.panels.models import FosterHousehold, PanelMeeting

        rows = {}
        for name in PANEL_FILES:
            with open(small_authority / "data" / name, newline="", encoding="utf-8") as fh:
                rows[name] = list(csv.DictReader(fh))
        assert panel_counts() == tuple(len(rows[name]) for name in PANEL_FILES)
        with app.app_context():
            by_status = dict(
                db.session.execute(select(PanelMeeting.status, func.count()).group_by(PanelMeeting.status)).all()
            )
            ended = db.session.scalar(select(func.count()).where(FosterHousehold.status == "ended"))
        assert by_status == {
            status: sum(1 for r in rows["panel_meetings.csv"] if r["status"] == status)
            for status in {r["status"] for r in rows["panel_meetings.csv"]}
        }
        assert ended == sum(1 for r in rows["foster_households.csv"] if r["end_date"])

    def test_import_data_no_longer_skips_the_panel_files(self, app, runner, small_authority):
        from tracker.core import interchange

        result = runner.invoke(args=["import-data", str(small_authority / "data")])  # a second, idempotent load
        assert result.exit_code == 0, result.output
        assert "was not imported" not in result.output  # (the DfE rule warnings of its reviews are expected)
        for name in PANEL_FILES:
            assert name in interchange.IMPORTERS
            with open(small_authority / "data" / name, encoding="utf-8") as fh:
                assert f"{name}: {sum(1 for _ in fh) - 1} rows" in result.output.splitlines()
        with app.app_context():
            assert interchange.run(small_authority / "data").skipped == []
