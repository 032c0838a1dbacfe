"""The DfE's SSDA903 review rules (tracker.reviews.rules903): the same rules at entry, at import,
in check-903 and export-903, agreeing with the sector's validator (csc-validator-be-903)."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from sqlalchemy import select

from tracker.core.audit import AuditEntry
from tracker.demo.synthetic import generate
from tracker.extensions import db
from tracker.reviews import rules903
from tracker.reviews.models import Review

from .factories import child, d, officer, review
from .validator903 import run_validator

# The rules of REVIEWS the tracker implements (all run by the validator on HEADER + REVIEWS, but
# 399, which needs EPISODES: the tracker holds no placements to return them).
REVIEW_RULES = {"166", "167", "440", "441", "INT08", "INT17"}
# EPI is the validator's note that EPISODES was not loaded ("here, all checks that can be
# performed with only the available data will be"), one per HEADER row: not a rule of the data.
NOT_LOADED = {"EPI"}


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-30"}


# --- the rules themselves ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dob, held, allowed",
    [
        ("2019-03-10", "2023-03-09", ("PN0",)),  # the day before the fourth birthday
        ("2019-03-10", "2023-03-10", rules903.ParticipationCode.codes()),  # on it: either (as the DfE's rules)
        ("2019-03-10", "2023-03-11", rules903.AGED_CODES),
        ("2020-02-29", "2024-02-29", rules903.ParticipationCode.codes()),  # a leap-day child, 4 on a leap day
        ("2020-02-29", "2024-02-28", ("PN0",)),
        ("2010-01-01", "2023-01-01", rules903.AGED_CODES),
    ],
)
def test_codes_allowed_follow_the_fourth_birthday(dob, held, allowed):
    assert rules903.participation_choices_for(d(dob), d(held)) == tuple(allowed)


@pytest.mark.parametrize(
    "day, year, closed_on_2023_06_30",
    [("2022-04-01", 2023, True), ("2023-03-31", 2023, True), ("2023-04-01", 2024, False), ("2021-12-25", 2022, True)],
)
def test_collection_years_are_named_for_the_year_they_end(day, year, closed_on_2023_06_30):
    assert rules903.year_of(d(day)) == year
    start, end = rules903.collection_year(year)
    assert start <= d(day) <= end and (start.month, start.day, end.month, end.day) == (4, 1, 3, 31)
    assert rules903.is_closed(year, d("2023-06-30")) is closed_on_2023_06_30
    assert rules903.ruleset(year)[0] == f"lac{year - 1}_{year % 100:02d}"


def test_each_rule_on_hand_made_tables():
    tables = rules903.Tables(
        header={"A": d("2015-01-01"), "B": d("2021-06-01"), "C": d("2010-01-01"), "E": d("2012-01-01")},
        reviews=[
            rules903.ReviewRow("A", d("2015-01-01"), d("2022-05-01"), "PN1"),  # clean
            rules903.ReviewRow("A", d("2015-01-01"), d("2022-06-01"), None),  # 167
            rules903.ReviewRow("A", d("2015-01-01"), d("2022-07-01"), "PN0"),  # 440
            rules903.ReviewRow("B", d("2021-06-01"), d("2022-07-01"), "PN5"),  # 441
            rules903.ReviewRow("C", d("2010-01-01"), d("2022-08-01"), "PN1"),  # 399 (short breaks only)
            rules903.ReviewRow("D", d("2011-01-01"), d("2022-08-01"), "PN1"),  # INT08
            rules903.ReviewRow("E", d("2012-02-02"), d("2022-08-01"), "PN1"),  # INT17
            rules903.ReviewRow("A", d("2015-01-01"), None, "PN1"),  # 166
        ],
        legal_statuses={"A": {"C2"}, "B": {"C2", "V3"}, "C": {"V3", "V4"}},
    )
    found = [(f.rule, f.child) for f in rules903.check(tables, 2023)]
    assert found == [
        ("167", "A"),
        ("440", "A"),
        ("441", "B"),
        ("399", "C"),
        ("INT08", "D"),
        ("INT17", "E"),
        ("166", "A"),
    ]
    assert rules903.counts(rules903.check(tables, 2023)) == {
        "166": 1,
        "167": 1,
        "399": 1,
        "440": 1,
        "441": 1,
        "INT08": 1,
        "INT17": 1,
    }


# --- agreement with the sector's validator ---------------------------------------------------------


def _validator_failures(result: dict) -> set[tuple[str, str, str]]:
    return {
        (f["rule"], f["child"], dt.datetime.strptime(f["review"], "%d/%m/%Y").date().isoformat())
        for f in result["failures"]
        if f["rule"] not in NOT_LOADED
    }


def test_a_clean_generated_authority_passes_every_rule_the_validator_can_run(app, runner, import_folder, tmp_path):
    today = dt.date(2023, 6, 30)
    generate(tmp_path / "authority", children=150, years=3, seed=5, today=today)
    import_folder(tmp_path / "authority")
    out = tmp_path / "return"
    result = runner.invoke(args=["export-903", "--year", "2023", "--dir", str(out), "--strict"])
    assert result.exit_code == 0, result.output
    assert "No review breaks a DfE rule." in result.output
    header = list(csv.DictReader((out / "header.csv").read_text().splitlines()))
    reviews = list(csv.DictReader((out / "reviews.csv").read_text().splitlines()))
    assert len(reviews) > 100 and {r["CHILD"] for r in reviews} <= {h["CHILD"] for h in header}
    assert {h["SEX"] for h in header} == {"1", "2"} and all(h["ETHNIC"] for h in header)

    checked = run_validator(out, 2023)
    assert checked["ruleset"] == "lac2022_23" and not checked["crashed"]
    assert set(checked["ran"]) >= REVIEW_RULES  # and the HEADER rules it can run alone (101, 102, 103, …)
    failing = {f["rule"] for f in checked["failures"]} - NOT_LOADED
    assert failing == set(), [f for f in checked["failures"] if f["rule"] in failing][:10]


class TestSmallAuthority:
    @pytest.fixture
    def app_config(self):
        return {}  # the example's records run to recent dates: today is today

    def test_fails_the_same_rules_for_the_same_reviews_as_the_validator(self, app, runner, small_authority, tmp_path):
        result = runner.invoke(args=["export-903", "--year", "2023", "--dir", str(tmp_path)])
        assert result.exit_code == 0, result.output
        checked = run_validator(tmp_path, 2023)
        theirs = _validator_failures(checked)
        result = runner.invoke(args=["check-903", "--year", "2023"])
        assert result.exit_code == 0, result.output
        document = json.loads(result.output)
        ours = {(f["rule"], f["child"], f["review_date"]) for f in document["failures"]}
        assert ours == theirs
        assert len(ours) == len(document["failures"]) > 0
        # and export-903 reports the same counts by rule (27 at the time of writing: 6 × 167, 7 × 440, 14 × 441)
        by_rule = {}
        for rule, _child, _held in theirs:
            by_rule[rule] = by_rule.get(rule, 0) + 1
        for rule, count in by_rule.items():
            assert (
                f"DfE rule {rule}: {count} failure(s)"
                in runner.invoke(args=["export-903", "--year", "2023", str(tmp_path / "one.csv")]).output
            )


# --- the commands ----------------------------------------------------------------------------


@pytest.fixture
def two_failures(app):
    with app.app_context():
        officer("Q1")
        older = child("A1", start="2022-01-10", officer_id="Q1", date_of_birth=d("2012-05-01"))
        review(older, "2022-06-01", participation_code="PN1")
        baby = child("B1", start="2022-01-10", officer_id="Q1", date_of_birth=d("2021-05-01"))
        review(baby, "2022-07-01", participation_code="PN0")
        db.session.commit()
        # entered before the rules (as an import loads history): straight into the records
        db.session.execute(
            Review.__table__.update().where(Review.review_date == d("2022-06-01")).values(participation_code=None)
        )
        db.session.execute(
            Review.__table__.update().where(Review.review_date == d("2022-07-01")).values(participation_code="PN3")
        )
        db.session.commit()


def test_check_903_lists_every_failure_as_json_and_csv(app, runner, two_failures):
    result = runner.invoke(args=["check-903", "--year", "2023"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "year": 2023,
        "failures": [
            {"rule": "167", "child": "A1", "review_date": "2022-06-01", "message": rules903.RULES_2022_23[1].message},
            {"rule": "441", "child": "B1", "review_date": "2022-07-01", "message": rules903.RULES_2022_23[4].message},
        ],
    }
    result = runner.invoke(args=["check-903", "--year", "2023", "--format", "csv"])
    rows = list(csv.reader(result.output.splitlines()))
    assert rows[0] == ["rule", "child", "review_date", "message"]
    assert [r[:3] for r in rows[1:]] == [["167", "A1", "2022-06-01"], ["441", "B1", "2022-07-01"]]
    assert json.loads(runner.invoke(args=["check-903", "--year", "2024"]).output) == {"year": 2024, "failures": []}
    with app.app_context():
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "ssda903.check")) is not None


def test_export_903_prints_the_failures_by_rule_and_strict_fails(app, runner, two_failures, tmp_path):
    result = runner.invoke(args=["export-903", "--year", "2023", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "DfE rule 167: 1 failure(s)" in result.output and "DfE rule 441: 1 failure(s)" in result.output
    assert (tmp_path / "header.csv").read_text().splitlines() == [
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB",
        "A1,,01/05/2012,,,,",
        "B1,,01/05/2021,,,,",
    ]
    assert (tmp_path / "reviews.csv").read_text().splitlines()[1:] == [
        "A1,01/05/2012,01/06/2022,",
        "B1,01/05/2021,01/07/2022,PN3",
    ]
    strict = runner.invoke(args=["export-903", "--year", "2023", "--dir", str(tmp_path), "--strict"])
    assert strict.exit_code == 1 and "2 failure(s) remain" in strict.output
    assert (tmp_path / "reviews.csv").exists()
    with app.app_context():  # both exports audited, the strict one too
        assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "ssda903.export")).all()) == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["--year", "2023", "--from", "2022-04-01", "--to", "2023-03-31", "x.csv"], "either --year or --from"),
        (["x.csv"], "give --year, or --from and --to"),
        (["--year", "2023"], "give either OUTFILE or --dir"),
        (["--year", "1999", "x.csv"], "1999 is not in the range"),
    ],
)
def test_export_903_refuses_unclear_arguments(runner, args, message):
    result = runner.invoke(args=["export-903", *args])
    assert result.exit_code == 2 and message in result.output


# --- at entry: the review form -------------------------------------------------------------------


def _form(day, month, year, **fields) -> dict:
    return {
        "review_date": [day, month, year],
        "officer_id": "",
        "recommendations_date": ["", "", ""],
        "minutes_date": ["", "", ""],
        **fields,
    }


@pytest.fixture
def children_of_two_ages(app):
    with app.app_context():
        child("OLD", start="2022-01-10", date_of_birth=d("2016-02-10"))
        child("TOT", start="2022-01-10", date_of_birth=d("2020-05-20"))
        db.session.commit()


@pytest.mark.parametrize(
    "child_id, fields, message",
    [
        (
            "OLD",
            _form("12", "5", "2023", participation_code="PN0"),
            "PN0 is for a child under 4: the child was 7 years old on 12 May 2023. Select PN1 to PN7",
        ),
        (
            "TOT",
            _form("12", "5", "2023", participation_code="PN1"),
            "PN1 is for a child aged 4 or over: the child was 2 years old on 12 May 2023. Select PN0",
        ),
        (
            "OLD",
            _form("12", "3", "2023", participation_code=""),
            "Select how the child participated: the review was held in the 2022 to 2023 collection year, which has "
            "ended, and the DfE's return needs a participation code for it",
        ),
    ],
)
def test_the_review_form_refuses_a_code_the_dfe_rules_refuse(
    login_as, client_request, children_of_two_ages, app, child_id, fields, message
):
    login_as("qaro", officer_id="Q9")
    page = client_request.post(f"/children/{child_id}/reviews/new", fields, status=200)
    assert page.title.startswith("Error: ")
    assert page.errors == [message]
    assert page.field_error("participation_code") == message
    with app.app_context():
        assert db.session.scalars(select(Review)).all() == []


def test_the_review_form_offers_the_codes_of_the_childs_age(login_as, client_request, children_of_two_ages, app):
    login_as("qaro", officer_id="Q9")
    radios = "input[name=participation_code]"
    old = client_request.get("/children/OLD/reviews/new")
    assert [r["value"] for r in old.select(radios)] == ["", "PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"]
    assert "this child turned 4 on 10 February 2020" in old.text_of("#participation_code-hint")
    tot = client_request.get("/children/TOT/reviews/new")
    assert [r["value"] for r in tot.select(radios)] == ["", "PN0"]
    assert "this child turns 4 on 20 May 2024" in tot.text_of("#participation_code-hint")
    # a date in a year that has ended: no "not known"; the codes follow the date entered
    refused = client_request.post("/children/TOT/reviews/new", _form("12", "3", "2023"), status=200)
    assert [r["value"] for r in refused.select(radios)] == ["PN0"]
    client_request.post("/children/TOT/reviews/new", _form("12", "5", "2023", participation_code="PN0"))
    client_request.post("/children/OLD/reviews/new", _form("12", "5", "2023", participation_code=""))  # open year
    with app.app_context():
        assert sorted((r.child.child_id, r.participation_code) for r in db.session.scalars(select(Review))) == [
            ("OLD", None),
            ("TOT", "PN0"),
        ]


# --- at import: loaded, and listed as located warnings ---------------------------------------------


def test_import_data_loads_historical_reviews_that_break_a_rule_and_warns_with_file_and_line(app, runner, write_folder):
    folder = write_folder(
        {
            "officers.csv": "officer_id,name,team,roles,email\nQ1,Ann Lee,North,qaro,ann@example.org\n",
            "children.csv": "child_id,first_name,last_name,date_of_birth,gender,ethnicity,uasc,iro_officer_id,"
            "iro_contact_expected\nK1,Kim,Ray,2015-01-01,Female,White British,N,Q1,Y\n"
            "K2,Lou,Ray,2021-01-01,Male,White British,N,Q1,Y\n",
            "care_periods.csv": "child_id,start_date,end_date,legal_status\nK1,2022-01-01,,C2\nK2,2022-01-01,,C2\n",
            "reviews.csv": "review_id,child_id,review_date,participation_code,recommendations_date,minutes_date,"
            "officer_id,advocate\nR1,K1,2022-05-01,PN1,,,Q1,N\nR2,K1,2022-09-01,PN0,,,Q1,N\n"
            "R3,K2,2022-09-01,PN4,,,Q1,N\nR4,K2,2022-10-01,,,,Q1,N\n",
        }
    )
    result = runner.invoke(args=["import-data", str(folder)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning: reviews.csv")]
    assert warnings == [
        f"warning: reviews.csv:3: participation_code: DfE rule 440: {rules903.RULES_2022_23[3].message}",
        f"warning: reviews.csv:4: participation_code: DfE rule 441: {rules903.RULES_2022_23[4].message}",
        f"warning: reviews.csv:5: participation_code: DfE rule 167: {rules903.RULES_2022_23[1].message}",
    ]
    assert "3 row(s) imported break a DfE rule" in result.output
    with app.app_context():
        assert len(db.session.scalars(select(Review)).all()) == 4  # all loaded


def test_import_903_loads_a_return_and_warns_of_its_rule_failures(app, runner, write_folder):
    folder = write_folder(
        {
            "header.csv": "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nA1,1,01/02/2012,WBRI,,,\n",
            "episodes.csv": "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
            "PL_POST,URN\nA1,10/01/2022,S,C2,N1,U1,PR1,,,,,,\nZ9,10/01/2022,S,V3,N1,U1,PR1,,,,,,\n",
            "reviews.csv": "CHILD,DOB,REVIEW,REVIEW_CODE\nA1,01/02/2012,07/02/2022,PN1\nA1,01/02/2012,01/05/2022,PN0\n"
            "A1,02/02/2012,01/06/2022,PN1\n",
        }
    )
    result = runner.invoke(args=["import-903", str(folder)])
    # Z9 is neither in header.csv nor the database: an error, nothing imported
    assert result.exit_code == 1
    folder = write_folder(
        {
            "header.csv": "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nA1,1,01/02/2012,WBRI,,,\n",
            "episodes.csv": "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
            "PL_POST,URN\nA1,10/01/2022,S,C2,N1,U1,PR1,,,,,,\n",
            "reviews.csv": "CHILD,DOB,REVIEW,REVIEW_CODE\nA1,01/02/2012,07/02/2022,PN1\nA1,01/02/2012,01/05/2022,PN0\n"
            "A1,02/02/2012,01/06/2022,PN1\n",
        }
    )
    result = runner.invoke(args=["import-903", str(folder)])
    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines() if line.startswith("warning:")] == [
        f"warning: reviews.csv:3: REVIEW_CODE: DfE rule 440: {rules903.RULES_2022_23[3].message}",
        f"warning: reviews.csv:4: DOB: DfE rule INT17: {rules903.RULES_2022_23[6].message}",
    ]
    with app.app_context():
        assert len(db.session.scalars(select(Review)).all()) == 3
        from tracker.reviews.models import Child

        assert db.session.scalar(select(Child.ethnicity).where(Child.child_id == "A1")) == "White British"
