"""children.csv, care_periods.csv, reviews.csv, iro_contacts.csv (interchange.md §1), imported
through the real ``import-data`` command: one test per validation rule, each naming the file,
line and column (a row rule's message is the operation's own), nothing imported on a problem;
and re-import updates in place."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.reviews.models import CarePeriod, Child, IroContact, Review

from .factories import contact, d, review

OFFICERS = "officer_id,name,email,roles,team\nQ1,Officer 1,q1@example.org,qaro,North\n"
CHILDREN = (
    "child_id,first_name,last_name,date_of_birth,gender,ethnicity,uasc,iro_officer_id,iro_contact_expected\n"
    "C1,Amy,Ng,2012-01-01,Female,White British,N,Q1,Y\n"
    "C2,Bo,Li,2014-02-02,Male,Chinese,Y,,N\n"
)
PERIODS = "child_id,start_date,end_date,legal_status\nC1,2022-01-10,,C2\nC2,2021-05-01,2021-12-31,V2\n"
REVIEWS = (
    "review_id,child_id,review_date,participation_code,recommendations_date,minutes_date,officer_id,advocate\n"
    "R1,C1,2022-02-01,PN1,2022-02-03,2022-02-20,Q1,N\n"
)
CONTACTS = "contact_id,child_id,contact_date,contact_type,officer_id\nK1,C1,2022-03-01,visit,Q1\n"
CLEAN = {
    "officers.csv": OFFICERS,
    "children.csv": CHILDREN,
    "care_periods.csv": PERIODS,
    "reviews.csv": REVIEWS,
    "iro_contacts.csv": CONTACTS,
}


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-30"}


PROBLEM = re.compile(r"^[\w.]+\.csv:\d*: ")


@pytest.fixture
def import_files(runner, write_folder):
    """``import_files(reviews_csv=...)``: the clean folder with some files replaced (or, with
    ``only=True``, just the files given), through ``import-data``; returns the problems listed
    (``file:line: column: message``), empty when the import succeeded and was committed."""

    def _import(only: bool = False, **files) -> list[str]:
        given = {name.replace("_csv", ".csv"): text for name, text in files.items()}
        result = runner.invoke(args=["import-data", str(write_folder(given if only else CLEAN | given))])
        problems = [line for line in result.output.splitlines() if PROBLEM.match(line)]
        assert result.exit_code == (1 if problems else 0), result.output
        return problems

    return _import


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_clean_folder_imports(app, import_files):
    assert import_files() == []
    assert (count(app, Child), count(app, CarePeriod), count(app, Review), count(app, IroContact)) == (2, 2, 1, 1)
    with app.app_context():
        c2 = db.session.scalar(select(Child).where(Child.child_id == "C2"))
        assert c2.uasc is True and c2.iro_contact_expected is False and c2.iro_officer_id is None


def test_reimport_updates_by_id_and_care_periods_by_child_and_start(app, import_files):
    assert import_files() == []
    periods = "child_id,start_date,end_date,legal_status\nC1,2022-01-10,2023-01-31,C2\nC2,2021-05-01,2021-12-31,V2\n"
    reviews = REVIEWS.replace("PN1", "PN3")
    assert import_files(care_periods_csv=periods, reviews_csv=reviews) == []
    assert count(app, CarePeriod) == 2 and count(app, Review) == 1
    with app.app_context():
        assert (
            db.session.scalar(select(CarePeriod.end_date).where(CarePeriod.start_date == d("2022-01-10"))).isoformat()
            == "2023-01-31"
        )
        assert db.session.scalar(select(Review.participation_code)) == "PN3"


def only(problems, text):
    assert any(text in p for p in problems), problems
    return problems


@pytest.mark.parametrize(
    "files, expected",
    [
        # a date that does not parse
        (
            {"children_csv": CHILDREN.replace("2014-02-02", "02/02/2014")},
            "children.csv:3: date_of_birth: '02/02/2014' is not a date",
        ),
        (
            {"reviews_csv": REVIEWS.replace("2022-02-01,PN1", "2022-02-31,PN1")},
            "reviews.csv:2: review_date: '2022-02-31' is not a date",
        ),
        (
            {"iro_contacts_csv": CONTACTS.replace("2022-03-01", "1 March")},
            "iro_contacts.csv:2: contact_date: '1 March' is not a date",
        ),
        # an unknown code
        (
            {"reviews_csv": REVIEWS.replace("PN1", "PN9")},
            "reviews.csv:2: participation_code: 'PN9' is not a known code (expected one of: PN0, PN1, PN2, PN3, PN4, PN5, PN6, PN7)",
        ),
        (
            {"iro_contacts_csv": CONTACTS.replace("visit", "email")},
            "iro_contacts.csv:2: contact_type: 'email' is not a known code (expected one of: visit, phone, video, text, letter_card, other)",
        ),
        ({"children_csv": CHILDREN.replace(",N,Q1,Y", ",X,Q1,Y")}, "children.csv:2: uasc: 'X' is not Y or N"),
        # a reference to an id that exists neither in the files nor in the database
        ({"children_csv": CHILDREN.replace(",Q1,Y", ",Q99,Y")}, "children.csv:2: iro_officer_id: 'Q99' does not exist"),
        ({"care_periods_csv": PERIODS + "C9,2022-01-01,,\n"}, "care_periods.csv:4: child_id: 'C9' does not exist"),
        ({"reviews_csv": REVIEWS.replace(",Q1,N", ",Q7,N")}, "reviews.csv:2: officer_id: 'Q7' does not exist"),
        ({"reviews_csv": REVIEWS.replace("R1,C1", "R1,C8")}, "reviews.csv:2: child_id: 'C8' does not exist"),
        ({"iro_contacts_csv": CONTACTS.replace("K1,C1", "K1,C5")}, "iro_contacts.csv:2: child_id: 'C5' does not exist"),
        # overlapping care periods of one child
        (
            {"care_periods_csv": PERIODS + "C2,2021-12-31,,\n"},
            "care_periods.csv:4: start_date: the care period of C2 from 2021-12-31 overlaps",
        ),
        (
            {"care_periods_csv": PERIODS + "C1,2022-06-01,2022-07-01,\n"},
            "care_periods.csv:4: start_date: the care period of C1 from 2022-06-01 overlaps",
        ),
        # a review outside every care period of its child
        (
            {"reviews_csv": REVIEWS + "R2,C2,2022-03-01,,,,,\n"},
            "reviews.csv:3: review_date: 2022-03-01 is outside every care period of C2",
        ),
        (
            {"reviews_csv": REVIEWS + "R2,C1,2022-01-09,,,,,\n"},
            "reviews.csv:3: review_date: 2022-01-09 is outside every care period of C1",
        ),
        # an end date before its start
        (
            {"care_periods_csv": PERIODS.replace("2021-12-31", "2021-04-30")},
            "care_periods.csv:3: end_date: The end date must be the same as or after the start date",
        ),
        (
            {"reviews_csv": REVIEWS.replace("2022-02-03", "2022-01-31")},
            "reviews.csv:2: recommendations_date: The date recommendations were issued must be the same as or after the review date",
        ),
        (
            {"reviews_csv": REVIEWS.replace("2022-02-20", "2022-01-20")},
            "reviews.csv:2: minutes_date: The date the minutes were completed must be the same as or after the review date",
        ),
        # a date after today for something that must already have happened
        (
            {"reviews_csv": REVIEWS + "R2,C1,2023-07-01,,,,,\n"},
            "reviews.csv:3: review_date: The review date must be today or in the past",
        ),
        (
            {"reviews_csv": REVIEWS.replace("2022-02-03", "2023-07-03")},
            "reviews.csv:2: recommendations_date: The date recommendations were issued must be today or in the past",
        ),
        (
            {"reviews_csv": REVIEWS.replace("2022-02-20", "2023-07-03")},
            "reviews.csv:2: minutes_date: The date the minutes were completed must be today or in the past",
        ),
        (
            {"iro_contacts_csv": CONTACTS.replace("2022-03-01", "2023-07-01")},
            "iro_contacts.csv:2: contact_date: The date of the contact must be today or in the past",
        ),
        (
            {"care_periods_csv": PERIODS.replace("C1,2022-01-10", "C1,2023-08-10")},
            "care_periods.csv:2: start_date: The start date must be today or in the past",
        ),
        # a required value missing; an id twice in a file
        ({"children_csv": CHILDREN.replace("2012-01-01", "")}, "children.csv:2: date_of_birth: is required"),
        (
            {"reviews_csv": REVIEWS + "R1,C1,2022-02-02,,,,,\n"},
            "reviews.csv:3: review_id: 'R1' appears twice in the file",
        ),
        (
            {"care_periods_csv": PERIODS + "C1,2022-01-10,,\n"},
            "care_periods.csv:4: period: 'C1|2022-01-10' appears twice",
        ),
    ],
)
def test_each_validation_rule_is_reported_with_its_line_and_nothing_is_imported(app, import_files, files, expected):
    problems = import_files(**files)
    only(problems, expected)
    assert count(app, Child) == 0 and count(app, Review) == 0  # all or nothing


def test_a_reimported_period_that_would_strand_a_review_is_refused(app, import_files):
    assert import_files() == []
    periods = "child_id,start_date,end_date,legal_status\nC1,2022-01-10,2022-01-20,C2\n"
    problems = import_files(only=True, care_periods_csv=periods)
    only(problems, "review R1 of C1 on 2022-02-01 would be outside every care period")
    with app.app_context():
        assert db.session.scalar(select(CarePeriod.end_date).where(CarePeriod.start_date == d("2022-01-10"))) is None


def test_a_generated_synthetic_authority_imports(app, tmp_path, import_folder):
    from tracker.demo import synthetic

    with app.app_context():
        synthetic.generate(tmp_path / "gen", children=40, years=2, seed=5, today=d("2023-06-30"))
    import_folder(tmp_path / "gen")
    assert count(app, Child) == 40 and count(app, Review) > 0 and count(app, IroContact) > 0


def test_references_made_on_screen_follow_the_imported_ones(app, import_files):
    """A review or IRO contact recorded after an import gets the next reference of its scheme
    (R + 6 digits, K + 6 digits), past the imported ones: never a clash."""
    reviews = REVIEWS.replace("R1,C1", "R000041,C1")
    contacts = CONTACTS.replace("K1,C1", "K000007,C1")
    assert import_files(reviews_csv=reviews, iro_contacts_csv=contacts) == []
    with app.app_context():
        c1 = db.session.scalar(select(Child).where(Child.child_id == "C1"))
        assert review(c1, "2022-03-01").review_id == "R000042"
        assert contact(c1, "2022-03-02", "phone").contact_id == "K000008"
