"""``import-data`` (interchange.md §1): located errors, all of them, all rows or none, idempotent."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from tracker.core import interchange

HEADER = "officer_id,name,email,roles,team"


def officer_line(i: int, roles: str = "qaro", name: str | None = None) -> str:
    return f"Q{i},{name or f'Officer {i}'},q{i}@example.org,{roles},{'North' if i % 2 else 'South'}"


def write_officers(
    folder: Path, rows: int = 300, *, header: str = HEADER, replace: dict[int, str] | None = None
) -> Path:
    """officers.csv with ``rows`` data rows; ``replace`` maps a file line number (header = 1) to its text."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = [header] + [officer_line(i) for i in range(1, rows + 1)]
    for number, text in (replace or {}).items():
        lines[number - 1] = text
    (folder / "officers.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        from tracker.extensions import db

        return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def users(app) -> list[tuple]:
    with app.app_context():
        from tracker.auth.models import User
        from tracker.extensions import db

        return sorted(
            (u.officer_id, u.name, u.email, u.team, tuple(sorted(u.role_codes)))
            for u in db.session.scalars(select(User))
        )


def failed_import(runner, folder: Path):
    """``import-data`` that must fail: exit code 1, the problems in its output."""
    result = runner.invoke(args=["import-data", str(folder)])
    assert result.exit_code == 1, result.output
    return result


def test_valid_officers_import(app, import_folder, tmp_path):
    folder = write_officers(tmp_path / "data", rows=5)
    result = import_folder(folder)
    assert result.output.splitlines() == ["officers.csv: 5 rows"]
    assert users(app)[0] == ("Q1", "Officer 1", "q1@example.org", "North", ("qaro",))
    with app.app_context():
        from tracker.core.audit import AuditEntry
        from tracker.extensions import db

        assert (
            db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "data.import"))
            == 1
        )


def test_bad_row_deep_in_a_file_rolls_everything_back_and_is_located(app, runner, tmp_path, make_user):
    make_user("existing@example.org", ["admin"])
    folder = write_officers(
        tmp_path / "data",
        rows=300,
        replace={
            10: 'Q9,"Officer\nwith a line break",q9@example.org,qaro,North',  # a quoted newline: line numbers are physical lines
            121: "Q120,,q120@example.org,qaro,North",  # missing name (physical line 122)
            250: "Q249,Officer 249,q249@example.org,qaro;wizard,North",  # unknown role code (physical line 251)
            280: "Q279,Officer 279,not-an-email,qaro,North",
        },
    )
    # one row has a quoted newline, so the rows after it sit one physical line lower
    before = row_counts(app)
    out = failed_import(runner, folder).output
    assert "officers.csv:122: name: is required" in out
    assert "officers.csv:251: roles: unknown code(s) 'wizard'" in out
    assert "officers.csv:281: email: 'not-an-email' is not an email address" in out
    assert "Nothing was imported: 3 problem(s)." in out
    assert row_counts(app) == before


def test_bad_date_deep_in_children_csv(app, runner, tmp_path):
    folder = write_officers(tmp_path / "data", rows=3)
    columns = [c.name for c in interchange.IMPORTERS["children.csv"].columns]
    lines = [",".join(columns)]
    for i in range(1, 301):
        values = {
            "child_id": f"C{i:05d}",
            "first_name": "A",
            "last_name": "Child",
            "date_of_birth": "2012-05-01",
            "gender": "",
            "ethnicity": "",
            "uasc": "N",
            "iro_officer_id": "Q1",
            "iro_contact_expected": "Y",
        }
        if i == 249:
            values["date_of_birth"] = "2012-02-30"
        lines.append(",".join(values.get(c, "") for c in columns))
    (folder / "children.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = row_counts(app)
    result = failed_import(runner, folder)
    assert "children.csv:250: date_of_birth: '2012-02-30' is not a date in the form YYYY-MM-DD" in result.output
    assert row_counts(app) == before


def test_unknown_column_and_unknown_file_are_errors(app, runner, tmp_path):
    folder = write_officers(tmp_path / "data", rows=5, header=HEADER + ",shoe_size")
    text = (folder / "officers.csv").read_text().splitlines()
    (folder / "officers.csv").write_text("\n".join([text[0]] + [line + ",42" for line in text[1:]]) + "\n")
    (folder / "pets.csv").write_text("pet_id,name\nP1,Rex\n")
    before = row_counts(app)
    result = failed_import(runner, folder)
    assert "officers.csv:1: shoe_size: unknown column" in result.output
    assert "pets.csv:: file: is not a file of the import format" in result.output
    assert row_counts(app) == before


def test_missing_required_column_is_reported_once(app, runner, tmp_path):
    folder = write_officers(tmp_path / "data", rows=50, header="officer_id,name,email,rolez,team")
    result = failed_import(runner, folder)
    assert "officers.csv:1: roles: required column is missing" in result.output
    assert "officers.csv:1: rolez: unknown column" in result.output
    assert "Nothing was imported: 2 problem(s)." in result.output


def test_duplicate_ids_short_rows_and_a_missing_folder(app, runner, tmp_path):
    folder = write_officers(tmp_path / "data", rows=20, replace={15: officer_line(3), 18: "Q17,Officer 17"})
    result = failed_import(runner, folder)
    assert "officers.csv:15: officer_id: 'Q3' appears twice in the file (first on line 4)" in result.output
    assert "officers.csv:18: row: has 2 cells but the header has 5" in result.output
    result = failed_import(runner, tmp_path / "nowhere")
    assert f"{tmp_path / 'nowhere'}:: folder: does not exist or is not a folder" in result.output


def test_an_email_used_by_another_user_is_a_located_error(app, runner, import_folder, tmp_path, make_user):
    """One address is one person: a second officer with it is refused (not a database crash)."""
    import_folder(write_officers(tmp_path / "first", rows=3))
    make_user("Hand.Made@example.org", ["admin"])
    folder = write_officers(
        tmp_path / "data",
        rows=12,
        replace={
            5: "Q4,Officer 4,q1@example.org,qaro,North",  # Q1's address (in the database and this file)
            8: "Q7,Officer 7,q6@example.org,qaro,North",  # Q6's address, Q6 is 3 lines earlier in this file
            12: "Q11,Officer 11,hand.made@example.org,qaro,North",  # the hand-made user (not an officer)
        },
    )
    folder.joinpath("officers.csv").write_text(
        folder.joinpath("officers.csv").read_text() + "Q99,Officer 99,HAND.MADE@example.org,qaro,North\n"
    )
    before = row_counts(app)
    out = failed_import(runner, folder).output
    assert "officers.csv:5: email: 'q1@example.org' is already used by another user" in out
    assert "officers.csv:8: email: 'q6@example.org' is already used by another user" in out
    assert "officers.csv:14: email: 'hand.made@example.org' is already used by another user" in out  # Q11's now
    assert "Nothing was imported: 3 problem(s)." in out
    assert row_counts(app) == before


def test_a_user_made_by_hand_is_linked_to_their_officer_id_whatever_the_case_of_the_email(
    app, import_folder, tmp_path, make_user
):
    made = make_user("Officer.Two@Example.org", ["admin"], name="Two")
    import_folder(write_officers(tmp_path / "data", rows=3, replace={3: "Q2,Officer 2,officer.two@example.org,qaro,"}))
    assert [u for u in users(app) if u[0] == "Q2"] == [("Q2", "Officer 2", "officer.two@example.org", None, ("qaro",))]
    with app.app_context():
        from tracker.auth.models import User
        from tracker.extensions import db

        assert db.session.get(User, made.id).officer_id == "Q2"
    assert len(users(app)) == 3


def test_many_errors_are_all_counted(app, runner, tmp_path, monkeypatch):
    monkeypatch.setattr(interchange, "MAX_PROBLEMS", 5)
    folder = write_officers(
        tmp_path / "data", rows=30, replace={n: officer_line(n - 1, roles="wizard") for n in range(2, 14)}
    )
    result = failed_import(runner, folder)
    assert result.output.count("roles: unknown code(s)") == 5
    assert "... and 7 more problem(s) not listed." in result.output
    assert "Nothing was imported: 12 problem(s)." in result.output


def test_reimport_is_idempotent(app, runner, import_folder, tmp_path):
    folder = write_officers(tmp_path / "data", rows=40)
    import_folder(folder)
    once_users = users(app)
    kpis_args = ["kpis", "--from", "2022-04-01", "--to", "2023-03-31", "--format", "json"]
    once_kpis = json.loads(runner.invoke(args=kpis_args).output)
    import_folder(folder)
    assert users(app) == once_users
    assert json.loads(runner.invoke(args=kpis_args).output) == once_kpis
    # a changed row updates the record
    write_officers(folder, rows=40, replace={3: "Q2,Officer Two,q2@example.org,qaro;iro_manager,East"})
    import_folder(folder)
    changed = [u for u in users(app) if u[0] == "Q2"]
    assert changed == [("Q2", "Officer Two", "q2@example.org", "East", ("iro_manager", "qaro"))]
    assert len(users(app)) == 40


def test_large_file_in_small_batches(app, import_folder, tmp_path, monkeypatch):
    """Batches are written and expunged as the file streams (memory stays bounded)."""
    monkeypatch.setattr(interchange, "BATCH_SIZE", 7)
    from tracker.auth.importers import OfficersImporter

    calls = []
    original = OfficersImporter.write

    def counting_write(self, records, ctx):
        calls.append(len(records))
        return original(self, records, ctx)

    monkeypatch.setattr(OfficersImporter, "write", counting_write)
    import_folder(write_officers(tmp_path / "data", rows=300))
    assert sum(calls) == 300 and max(calls) == 7
    assert len(users(app)) == 300


def test_crash_inside_an_importer_leaves_the_database_unchanged(app, runner, tmp_path, monkeypatch, make_user):
    make_user("existing@example.org", ["admin"])
    monkeypatch.setattr(interchange, "BATCH_SIZE", 10)
    from tracker.auth.importers import OfficersImporter

    calls = []
    original = OfficersImporter.write

    def crashing_write(self, records, ctx):
        calls.append(len(records))
        if len(calls) == 3:  # two batches already written and flushed
            raise RuntimeError("disk on fire")
        return original(self, records, ctx)

    monkeypatch.setattr(OfficersImporter, "write", crashing_write)
    folder = write_officers(tmp_path / "data", rows=50)
    before = row_counts(app)
    result = runner.invoke(args=["import-data", str(folder)])
    assert result.exit_code != 0
    assert isinstance(result.exception, RuntimeError)
    assert row_counts(app) == before
    assert [u[2] for u in users(app)] == ["existing@example.org"]
