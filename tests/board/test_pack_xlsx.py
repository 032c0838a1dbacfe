"""The board pack's XLSX (interchange.md §4): it opens with openpyxl and its numbers equal the
scorecard's (``scorecard.build``); commentary starting with ``=`` is escaped; numbers carry their
formats, header rows are frozen, every sheet is there and each month is marked provisional or
frozen. The downloads: ``/board/pack.xlsx|json?month=`` for each role (board members suppressed,
managers exact), a bad month 400, a bad format 404; the annual report tables' XLSX."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tracker.board import annual, operations, pack, scorecard, suppression, workbook
from tracker.board.models import SectionCommentary
from tracker.core.audit import AuditEntry
from tracker.core.exports import safe_cell
from tracker.extensions import db

MARCH = dt.date(2023, 3, 1)
TODAY = dt.date(2026, 11, 23)
SECTIONS = ["Reviews", "Safety", "Allegations (LADO)", "Panels"]
ANNUAL = ["IRO annual report", "LADO annual report", "Fostering panel annual report"]
MONTH_HEADERS = ["October 2022", "November 2022", "December 2022", "January 2023", "February 2023", "March 2023"]
HEADER = 6  # the column headings' row on a section sheet (title, three lines about the months, a blank row)


@pytest.fixture
def app_config():
    return {"TODAY": TODAY.isoformat()}


@pytest.fixture
def commentary(app, small_authority):
    with app.app_context():
        section = scorecard.sections()[0]
        db.session.add(
            SectionCommentary(
                section_id=section.id,
                month=MARCH,
                text='=HYPERLINK("http://example.org","click")',
                author="Pat Manager",
                written_at=dt.datetime(2023, 4, 6, 9, 30, tzinfo=dt.UTC),
            )
        )
        db.session.commit()


def board_pack(runner, tmp_path, *extra):
    target = tmp_path / "pack.xlsx"
    result = runner.invoke(args=["board-pack", "--month", "2023-03", "--format", "xlsx", "-o", str(target), *extra])
    assert result.exit_code == 0, result.output
    return load_workbook(target)


def table(sheet, top: int = HEADER, first: int = 1) -> dict[str, list]:
    """{row label: [cells…]} of the scorecard table under the header rows at ``top``."""
    out = {}
    for row in sheet.iter_rows(min_row=top + 2, values_only=False):
        if row[first - 1].value is None:
            break
        out[row[first - 1].value] = row
    return out


def test_the_workbook_holds_the_scorecards_numbers(app, runner, tmp_path, commentary):
    book = board_pack(runner, tmp_path)
    assert book.sheetnames == [*SECTIONS, "Six months", *ANNUAL]
    with app.app_context():
        card = scorecard.build(MARCH, TODAY)
        for block in card.blocks:
            sheet = book[block.section.title]
            assert sheet["A1"].value == block.section.title
            assert sheet["A2"].value == "Scorecard for March 2023: the six months to March 2023"
            headers = [c.value for c in sheet[HEADER]]
            assert headers[:6] == ["Indicator", "Unit", "Good is", "England", "Good + SN", "Target"]
            assert headers[6:12] == MONTH_HEADERS and headers[12:] == ["Direction of travel", "RAG"]
            assert [c.value for c in sheet[HEADER + 1]][6:12] == ["Provisional"] * 6
            assert sheet.freeze_panes == f"B{HEADER + 2}"
            assert sheet.column_dimensions["A"].width == 60
            rows = table(sheet)
            assert list(rows) == [line.label for line in block.lines]
            for line in block.lines:
                cells = rows[line.label]
                assert cells[1].value == line.row.unit.label
                assert cells[2].value == safe_cell(line.row.good_is.label)  # "-" escaped as every cell is
                for cell, value in zip(cells[6:12], line.values, strict=True):
                    if value.value is None:
                        assert cell.value is None
                    else:
                        assert cell.value == pytest.approx(float(value.value))
                        assert cell.data_type == "n"
                        assert cell.number_format == workbook.NUMBER_FORMATS[line.row.unit]
                assert cells[12].value == (line.dot.label if line.dot else None)
                assert cells[13].value == (line.rag.label if line.rag else None)
        # the appendix: every row, with its section
        appendix = table(book["Six months"], first=2)
        assert len(appendix) == sum(len(b.lines) for b in card.blocks)
        assert book["Six months"].freeze_panes == f"C{HEADER + 2}"


def test_number_formats_for_each_unit(app, runner, tmp_path, small_authority):
    book = board_pack(runner, tmp_path)
    reviews = table(book["Reviews"])
    percent = [c for c in reviews["Reviews held in timescale"][6:12] if c.value is not None]
    assert percent and all(c.number_format == '0.00"%"' and c.data_type == "n" for c in percent)
    overdue = reviews["Children whose review is overdue"][6:12]
    assert all(c.number_format == "0" and isinstance(c.value, int) for c in overdue)


def test_commentary_is_shown_with_its_author_and_escaped(app, runner, tmp_path, commentary):
    sheet = board_pack(runner, tmp_path)["Reviews"]
    texts = [c.value for c in sheet["A"] if isinstance(c.value, str)]
    at = texts.index("Commentary for March 2023")
    assert texts[at + 1] == '\'=HYPERLINK("http://example.org","click")'  # a text cell, never a formula
    assert texts[at + 2] == "By Pat Manager, 6 April 2023"
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    safety = [c.value for c in sheet.parent["Safety"]["A"]]
    assert "No commentary was written for this month." in safety


def test_frozen_months_are_marked_and_read_from_the_snapshot(app, runner, tmp_path, small_authority):
    with app.app_context():
        operations.freeze_month(dt.date(2023, 2, 1))
        operations.refreeze_month(dt.date(2023, 2, 1), "A late review")
        db.session.commit()
    sheet = board_pack(runner, tmp_path)["Reviews"]
    assert [c.value for c in sheet[HEADER + 1]][6:12] == ["Provisional"] * 4 + ["Frozen", "Provisional"]
    about = [sheet["A2"].value, sheet["A3"].value, sheet["A4"].value]
    assert about[1].startswith("Provisional: computed live on 23 November 2026 (not frozen yet): October 2022, ")
    assert about[2].startswith("February 2023 frozen on ")  # the day it was (re-)frozen
    assert about[2].endswith(" (re-frozen because A late review)")


def test_suppressed_for_a_board_member(app, runner, tmp_path, small_authority):
    book = board_pack(runner, tmp_path, "--suppress")
    values = [c.value for sheet in book for row in sheet.iter_rows() for c in row]
    assert "<5" in values and "[c]" in values
    assert suppression.LEGEND in values


def test_the_annual_sheets_lay_out_the_tables(app, runner, tmp_path, small_authority):
    sheet = board_pack(runner, tmp_path)["IRO annual report"]
    assert sheet["A1"].value == "IRO annual report tables 2022/23"
    assert sheet.freeze_panes is not None
    column_a = [c.value for c in sheet["A"]]
    assert "Children in care reviews by month: number and timeliness" in column_a
    row = column_a.index("Child-in-care reviews held") + 1
    held = sheet[row][1:14]
    assert all(isinstance(c.value, int) and c.number_format == "0" for c in held)


def test_sheet_titles_are_valid_and_unique():
    taken: set[str] = {"Six months"}
    assert workbook.sheet_title("Six months", taken) == "Six months (2)"
    assert workbook.sheet_title("a/b: c*d?[e]\\f", taken) == "a b  c d  e  f"
    long = workbook.sheet_title("x" * 40, taken)
    assert long == "x" * 31 and workbook.sheet_title("x" * 40, taken) == "x" * 27 + " (2)"
    assert workbook.sheet_title("'quoted'", taken) == "quoted"


# --- the downloads ------------------------------------------------------------------------------


def download(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, url
    return response


@pytest.mark.parametrize("role", ["analyst", "manager", "iro_manager", "lado_manager", "board", "admin"])
def test_the_board_roles_download_the_pack(app, login_as, client, small_authority, role):
    login_as(role)
    response = download(client, "/board/pack.xlsx?month=2023-03")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="board-pack-2023-03.xlsx"' in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[-4:] == ["Six months", *ANNUAL]
    values = [c.value for sheet in book for row in sheet.iter_rows() for c in row]
    assert ("<5" in values) == (role == "board")
    doc = json.loads(download(client, "/board/pack.json?month=2023-03").data)
    assert doc["month"] == "2023-03"
    marks = {v for r in doc["rows"] for v in r["values"].values() if isinstance(v, str)}
    assert (marks == {"<5", "[c]"}) if role == "board" else (marks == set())
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
        assert entry.action == "list.export" and entry.after["format"] == "json"
        assert entry.after["list"] == "Board pack March 2023" and entry.after["suppressed"] == (role == "board")


def test_the_manager_gets_exactly_the_scorecards_figures(app, login_as, client, small_authority):
    login_as("manager")
    doc = json.loads(download(client, "/board/pack.json?month=2023-03").data)
    with app.app_context():
        assert doc == json.loads(json.dumps(pack.document(scorecard.build(MARCH, TODAY))))


def test_the_default_month_is_the_last_complete_one(app, login_as, client):
    login_as("analyst")
    assert json.loads(download(client, "/board/pack.json").data)["month"] == "2026-10"


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2023-13", "Month must be a real month, for example 3 2023"),
        ("abc", "Month must be a real month, for example 3 2023"),
        ("2027-01", "Month must be this month or an earlier month"),
    ],
)
def test_a_bad_month_is_a_bad_request_with_a_clear_message(app, login_as, client, month, message):
    login_as("board")
    for fmt in ("xlsx", "json"):
        response = download(client, f"/board/pack.{fmt}?month={month}", status=400)
        assert message in response.get_data(as_text=True)


def test_a_bad_format_is_not_found(app, login_as, client):
    login_as("manager")
    for fmt in ("csv", "pdf", "html"):
        download(client, f"/board/pack.{fmt}?month=2023-03", status=404)


@pytest.mark.parametrize("role", ["qaro", "lado", "panel_admin", "adm"])
def test_roles_without_the_board_get_403(app, login_as, client, role):
    login_as(role)
    for fmt in ("xlsx", "json"):
        download(client, f"/board/pack.{fmt}?month=2023-03", status=403)


def test_a_visitor_not_signed_in_is_sent_to_sign_in(client):
    response = client.get("/board/pack.xlsx?month=2023-03")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_the_pack_links(app):
    from tracker.board.views import pack_links

    with app.test_request_context():
        assert pack_links(MARCH) == [
            {
                "format": "xlsx",
                "text": "Download the board pack (XLSX (Excel))",
                "href": "/board/pack.xlsx?month=2023-03",
            },
            {"format": "json", "text": "Download the board pack (JSON)", "href": "/board/pack.json?month=2023-03"},
        ]


@pytest.mark.parametrize("role", ["iro_manager", "board"])
def test_the_annual_tables_download_as_xlsx(app, login_as, client, small_authority, role):
    login_as(role)
    response = download(client, "/board/annual/lado?year=2022&format=xlsx")
    assert 'filename="lado-annual-report-tables-2022-2026-11-23.xlsx"' in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["LADO annual report"]
    sheet = book["LADO annual report"]
    assert sheet["A1"].value == "LADO annual report tables 2022/23"
    values = [c.value for row in sheet.iter_rows() for c in row]
    suppress = role == "board"
    with app.app_context():
        report = annual.build("lado", dt.date(2022, 4, 1), dt.date(2023, 3, 31))
    column_a = [c.value for c in sheet["A"]]
    for t in report.tables:
        top = column_a.index(t.title) + 1  # the title, then the headings, then the rows
        assert [c.value for c in sheet[top + 1]][1 : len(t.columns) + 1] == t.columns
        for i, r in enumerate(t.rows):
            cells = sheet[top + 2 + i]
            assert cells[0].value == r.label
            for cell, c in zip(cells[1:], r.cells, strict=False):
                want = suppression.export_value(
                    c.unit, c.value, c.numerator, c.denominator, describes_people=c.describes_people, suppress=suppress
                )
                assert cell.value == (want if want is None or isinstance(want, str) else pytest.approx(float(want)))
    assert (suppression.LEGEND in values) == suppress
