"""SSDA903: REVIEWS export (web and CLI) and import-903 of a return's folder (interchange.md §4)."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select

from tracker.core.audit import AuditEntry
from tracker.extensions import db
from tracker.reviews.models import CarePeriod, Child, Review

from .factories import child, d, officer, review

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nA1,1,01/02/2012,WBRI,,,\nA2,2,03/04/2015,MWBC,,,\n"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
    "A1,10/01/2022,S,C1,N1,U1,PR1,01/03/2022,X1,CARPL,,,\n"
    "A1,01/03/2022,P,C2,N1,U3,PR1,,,,,,\n"
    "A2,05/05/2021,S,V2,N4,U1,PR1,30/09/2021,E11,,,,\n"
    "A2,01/02/2022,S,V2,N4,U1,PR1,,,,,,\n"
)
REVIEWS = "CHILD,DOB,REVIEW,REVIEW_CODE\nA1,01/02/2012,07/02/2022,PN1\nA1,01/05/2022,01/05/2022,\nA2,03/04/2015,01/06/2021,PN0\n"


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-30"}


@pytest.fixture
def write_return(write_folder):
    """A 903 return's folder: header.csv, episodes.csv and reviews.csv (the example's by default)."""

    def _write(header=HEADER, episodes=EPISODES, reviews=REVIEWS):
        return write_folder({"header.csv": header, "episodes.csv": episodes, "reviews.csv": reviews})

    return _write


def test_import_903_merges_contiguous_episodes_and_names_reviews(app, runner, write_return):
    result = runner.invoke(args=["import-903", str(write_return())])
    assert result.exit_code == 0, result.output
    with app.app_context():
        a1 = db.session.scalar(select(Child).where(Child.child_id == "A1"))
        assert a1.gender == "Male" and a1.date_of_birth == d("2012-02-01")
        assert [(p.start_date, p.end_date, p.legal_status) for p in a1.care_periods] == [(d("2022-01-10"), None, "C2")]
        a2 = db.session.scalar(select(Child).where(Child.child_id == "A2"))
        assert len(a2.care_periods) == 2  # a gap: two periods
        assert sorted(db.session.scalars(select(Review.review_id))) == [
            "903-A1-20220207",
            "903-A1-20220501",
            "903-A2-20210601",
        ]
        assert db.session.scalar(select(Review.participation_code).where(Review.review_id == "903-A1-20220501")) is None


@pytest.mark.parametrize(
    "files, expected",
    [
        (
            {"episodes": EPISODES.replace("10/01/2022", "2022-01-10")},
            "episodes.csv:2: DECOM: '2022-01-10' is not a date in the form dd/mm/yyyy",
        ),
        ({"reviews": REVIEWS.replace("PN1", "PN8")}, "reviews.csv:2: REVIEW_CODE: 'PN8' is not a known code"),
        (
            {"reviews": REVIEWS + "Z9,01/01/2010,01/01/2022,PN1\n"},
            "reviews.csv:5: CHILD: 'Z9' is in neither header.csv nor the database",
        ),
        (
            {"reviews": REVIEWS + "A2,03/04/2015,01/12/2021,PN1\n"},
            "reviews.csv:5: REVIEW: 01/12/2021 (903-A2-20211201) is outside every care period",
        ),
        (
            {"episodes": EPISODES + "A2,01/06/2021,S,V2,N4,U1,PR1,01/07/2021,E11,,,,\n"},
            "episodes.csv:6: DECOM: the care period from 01/06/2021 overlaps",
        ),
        (  # a later episode with no end date (still looked after) overlapping an earlier one
            {"episodes": EPISODES + "A2,01/09/2021,S,V2,N4,U1,PR1,,,,,,\n"},
            "episodes.csv:6: DECOM: the care period from 01/09/2021 overlaps the period from 05/05/2021",
        ),
        ({"reviews": REVIEWS + "A1,01/02/2012,01/08/2023,PN1\n"}, "reviews.csv:5: REVIEW: 01/08/2023 is after today"),
    ],
)
def test_import_903_is_all_or_nothing_with_located_errors(app, runner, write_return, files, expected):
    result = runner.invoke(args=["import-903", str(write_return(**files))])
    assert result.exit_code == 1
    assert expected in result.output, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Child)) == 0
        assert db.session.scalar(select(func.count()).select_from(CarePeriod)) == 0


def test_export_903_round_trips_through_import_903(app, runner, tmp_path, write_return):
    with app.app_context():
        c = child("X1", start="2022-01-10", date_of_birth=d("2011-09-30"))
        review(c, "2022-02-01", participation_code="PN4")
        review(c, "2022-10-20", participation_code="PN7")
        review(c, "2023-05-01", participation_code=None)  # not known yet: its collection year is open
        db.session.commit()
        before = sorted((r.review_date, r.participation_code) for r in db.session.scalars(select(Review)))
    out = tmp_path / "reviews.csv"
    result = runner.invoke(args=["export-903", "--from", "2022-04-01", "--to", "2023-06-30", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(out.read_text().splitlines()))
    assert rows == [
        ["CHILD", "DOB", "REVIEW", "REVIEW_CODE"],
        ["X1", "30/09/2011", "20/10/2022", "PN7"],
        ["X1", "30/09/2011", "01/05/2023", ""],
    ]
    # Now the whole history, into an empty database, with the header and episodes of the return.
    result = runner.invoke(args=["export-903", "--from", "2000-01-01", "--to", "2023-06-30", str(out)])
    assert result.exit_code == 0, result.output
    folder = write_return(
        header="CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nX1,1,30/09/2011,WBRI,,,\n",
        episodes="CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\nX1,10/01/2022,S,C2,N1,U1,PR1,,,,,,\n",
        reviews=out.read_text(),
    )
    with app.app_context():
        for model in (Review, CarePeriod, Child):
            db.session.execute(model.__table__.delete())
        db.session.commit()
    result = runner.invoke(args=["import-903", str(folder)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        after = sorted((r.review_date, r.participation_code) for r in db.session.scalars(select(Review)))
        assert after == before
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("ssda903.%"))).all()
        assert sorted(actions) == ["ssda903.export", "ssda903.export", "ssda903.import"]


def test_download_is_audited_and_spreadsheet_safe(app, client, login_as):
    with app.app_context():
        c = child("CMD", start="2022-01-10")
        review(c, "2022-05-01", participation_code="PN1")
        c.child_id = "=CMD"  # no id may start so now (checks.reference); one stored before still exports safely
        db.session.commit()
    login_as("iro_manager")
    r = client.get("/children/export/903-reviews.csv?from=2022-04-01&to=2023-03-31&scope=all")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert r.data.decode().splitlines() == ["CHILD,DOB,REVIEW,REVIEW_CODE", "'=CMD,01/05/2012,01/05/2022,PN1"]
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "ssda903.export"))
            == 1
        )


@pytest.mark.parametrize("query", ["from=2023-03-31&to=2022-04-01", "from=31/03/2022", "to=2023-02-30"])
def test_download_refuses_a_period_that_is_not_one(app, client, login_as, query):
    login_as("qaro")
    assert client.get(f"/children/export/903-reviews.csv?{query}").status_code == 400
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "ssda903.export"))
            == 0
        )


def test_each_download_holds_the_children_its_page_shows_and_the_user_may_take(app, client, login_as, sign_in_as):
    """A QARO's download is her caseload; the team page's, the team; the whole authority's is
    for the IRO manager and the analyst only (issue 12)."""
    with app.app_context():
        officer("Q1")
        officer("Q2", team="South")
        for child_id, qaro in (("C1", "Q1"), ("C2", "Q2"), ("C3", None)):
            c = child(child_id, start="2022-01-10", officer_id=qaro)
            review(c, "2022-05-01", officer_id=qaro, participation_code="PN1")
        db.session.commit()

    def children(query: str, status: int = 200) -> list[str]:
        r = client.get(f"/children/export/903-reviews.csv?from=2022-04-01&to=2023-03-31{query}")
        assert r.status_code == status, query
        return [line.split(",")[0] for line in r.data.decode().splitlines()[1:]] if status == 200 else []

    sign_in_as("Q1")  # a QARO
    assert children("") == ["C1"] == children("&scope=mine")  # her caseload, never the authority's
    children("&scope=all", 403)
    children("&scope=team&team=South", 403)
    login_as("manager", email="head@example.org")
    assert children("&scope=team&team=South") == ["C2"] and children("&scope=qaro&officer=Q1") == ["C1"]
    children("&scope=all", 403)
    login_as("iro_manager", email="boss@example.org")
    assert children("&scope=all") == ["C1", "C2", "C3"] == children("")  # from the home page
    login_as("analyst", email="analyst@example.org")
    assert 'href="/children/export/903-reviews.csv"' in client.get("/").get_data(as_text=True)  # her home links it
    assert children("") == ["C1", "C2", "C3"]  # the analyst's download is the authority's (no names in it)
    children("&scope=mine", 403)
    children("&scope=sideways", 400)
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "ssda903.export").order_by(AuditEntry.id)
        )
        assert [e.after["scope"] for e in rows] == ["mine", "mine", "team", "qaro", "all", "all", "all"]
