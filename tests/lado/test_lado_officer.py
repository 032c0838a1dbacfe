"""A referral's allocated LADO is a LADO officer: an enabled user with the role lado or
lado_manager (``operations.check_lado_officer``). The referral's details form offers them in a
select and refuses anyone else with the rule's message, saving nothing; lado_referrals.csv's
``lado_officer_id`` is refused at its line, and the import imports nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.lado import factories
from tracker.core.interchange import FILES

D = dt.date
TODAY = "2023-06-30"


@pytest.fixture
def app_config():
    return {"TODAY": TODAY}


@pytest.fixture
def officers(make_user):
    """L1 (lado), LM1 (lado_manager), Q1 (qaro) and L9 (a LADO whose account is disabled)."""
    make_user("l1@example.org", ["lado"], officer_id="L1", name="Lee One")
    make_user("lm1@example.org", ["lado_manager"], officer_id="LM1", name="Lou Manager")
    make_user("q1@example.org", ["qaro"], officer_id="Q1", name="Quinn Qaro")
    make_user("l9@example.org", ["lado"], officer_id="L9", name="Len Gone", active=False)


@pytest.fixture
def referral_id(app):
    from tracker.extensions import db

    with app.app_context():
        made = factories.referral(D(2023, 6, 1), person_name="Jo Bloggs")
        db.session.commit()
        return made.referral_id


def stored(app, referral_id: str) -> tuple:
    from tracker.extensions import db
    from tracker.lado.models import LadoReferral

    with app.app_context():
        referral = db.session.get(LadoReferral, referral_id)
        return referral.officer_id, referral.police_investigation


# --- the referral's details form ----------------------------------------------------------------


def test_the_form_offers_the_lado_officers(client_request, login_as, officers, referral_id):
    login_as("lado")
    page = client_request.get(f"/lado/referrals/{referral_id}/details")
    options = [(o.get("value"), o.get_text(strip=True)) for o in page.select("#officer_id option")]
    assert options == [("", "Not allocated"), ("L1", "Lee One (L1)"), ("LM1", "Lou Manager (LM1)")]


@pytest.mark.parametrize("officer_id", ["Q1", "L9", "ZZ9"], ids=["a QARO", "a disabled LADO", "unknown"])
def test_the_form_refuses_an_officer_who_is_not_a_lado_and_saves_nothing(
    app, client_request, login_as, officers, referral_id, audit_rows, officer_id
):
    login_as("lado")
    url = f"/lado/referrals/{referral_id}/details"
    page = client_request.post(url, {"officer_id": officer_id, "police_investigation": "y"}, status=200)
    assert page.field_error("officer_id") == f"{officer_id} is not a LADO officer"
    assert page.errors == [f"{officer_id} is not a LADO officer"]
    assert stored(app, referral_id) == (None, False)
    assert audit_rows("lado_referral.update") == []


@pytest.mark.parametrize("officer_id", ["L1", "LM1"])
def test_the_form_allocates_a_lado_officer(app, client_request, login_as, officers, referral_id, officer_id):
    login_as("lado")
    client_request.post(f"/lado/referrals/{referral_id}/details", {"officer_id": officer_id})
    assert stored(app, referral_id) == (officer_id, False)
    client_request.post(f"/lado/referrals/{referral_id}/details", {"officer_id": ""})  # un-allocated
    assert stored(app, referral_id) == (None, False)


def test_an_allocation_made_before_is_kept_when_the_other_details_change(
    app, client_request, login_as, officers, referral_id
):
    """L9 was allocated while a LADO; their account is disabled since. The form still offers
    them (as the referral's current allocation), and saving the other details keeps them."""
    from tracker.extensions import db
    from tracker.lado.models import LadoReferral

    with app.app_context():
        db.session.get(LadoReferral, referral_id).officer_id = "L9"
        db.session.commit()
    login_as("lado")
    url = f"/lado/referrals/{referral_id}/details"
    page = client_request.get(url)
    assert page.one("#officer_id option[selected]").get("value") == "L9"
    client_request.post(url, {"officer_id": "L9", "police_investigation": "y"})
    assert stored(app, referral_id) == ("L9", True)
    page = client_request.post(url, {"officer_id": "Q1"}, status=200)  # but no new allocation to a non-LADO
    assert page.field_error("officer_id") == "Q1 is not a LADO officer"
    assert stored(app, referral_id) == ("L9", True)


# --- lado_referrals.csv's lado_officer_id ------------------------------------------------------------


def csv_lines(filename: str, *rows: str, columns: list[str] | None = None) -> str:
    header = ",".join(columns or [column.name for column in FILES[filename]])
    return "\n".join([header, *rows]) + "\n"


def write(folder, *, officer: str, referral_columns: list[str] | None = None) -> None:
    """officers.csv (Q1 a QARO, L1 a LADO), a referral contact, its referral allocated to ``officer``."""
    folder.mkdir()
    files = {
        "officers.csv": csv_lines(
            "officers.csv", "Q1,Quinn Qaro,q1@example.org,qaro,North", "L1,Lee One,l1@example.org,lado,"
        ),
        "lado_contacts.csv": csv_lines("lado_contacts.csv", "C1,2023-01-10,School,education,Teacher,P1,,,referral,,"),
    }
    if referral_columns is None:
        files["lado_referrals.csv"] = csv_lines("lado_referrals.csv", f"R1,C1,2023-01-11,{officer},N,,,,N,N,")
    else:
        files["lado_referrals.csv"] = csv_lines("lado_referrals.csv", "R1,C1,2023-01-11,N", columns=referral_columns)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def import_data(runner, folder) -> list[str]:
    result = runner.invoke(args=["import-data", str(folder)])
    problems = [
        line for line in result.stderr.splitlines() if not line.startswith(("Nothing was imported", "warning:"))
    ]
    assert (result.exit_code == 0) == (problems == []), result.output
    return problems


def imported(app) -> tuple:
    from tracker.auth.models import User
    from tracker.extensions import db
    from tracker.lado.models import LadoContact, LadoReferral

    with app.app_context():
        return (
            db.session.query(User).filter(User.officer_id.is_not(None)).count(),
            db.session.query(LadoContact).count(),
            [(r.referral_id, r.officer_id) for r in db.session.query(LadoReferral)],
        )


@pytest.mark.parametrize(
    "officer_id, problem",
    [
        ("Q1", "lado_referrals.csv:2: lado_officer_id: Q1 is not a LADO officer"),
        ("ZZ9", "lado_referrals.csv:2: lado_officer_id: 'ZZ9' does not exist in the import files or the database"),
    ],
)
def test_the_import_refuses_an_officer_who_is_not_a_lado_and_imports_nothing(
    app, runner, tmp_path, officer_id, problem
):
    write(tmp_path / "files", officer=officer_id)
    assert import_data(runner, tmp_path / "files") == [problem]
    assert imported(app) == (0, 0, [])


def test_the_import_refuses_a_disabled_lado(app, runner, tmp_path, officers):
    write(tmp_path / "files", officer="L9")
    assert import_data(runner, tmp_path / "files") == [
        "lado_referrals.csv:2: lado_officer_id: L9 is not a LADO officer"
    ]
    assert imported(app)[1:] == (0, [])


def test_the_import_allocates_a_lado_officer_and_a_file_without_the_column_keeps_the_allocation(app, runner, tmp_path):
    write(tmp_path / "a", officer="L1")
    assert import_data(runner, tmp_path / "a") == []
    assert imported(app) == (2, 1, [("R1", "L1")])
    without = ["referral_id", "contact_id", "referral_date", "police_investigation"]
    write(tmp_path / "b", officer="", referral_columns=without)
    assert import_data(runner, tmp_path / "b") == []
    assert imported(app)[2] == [("R1", "L1")]  # kept: the file says nothing about the allocation
    write(tmp_path / "c", officer="")
    assert import_data(runner, tmp_path / "c") == []
    assert imported(app)[2] == [("R1", None)]  # a blank lado_officer_id: not allocated
