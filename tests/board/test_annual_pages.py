"""The annual report tables' pages (/board/annual/iro, /lado, /panel): the year picker and its
errors, small numbers for board members (``<5`` / ``[c]``, the legend, no links to records), exact
figures and drill-down links for the roles allowed, the links between the three reports, the empty
year, the CSV of the whole report (audited, suppressed as the page, formula-escaped), and 403 for
roles without ``board.view``."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from tests.panels.conftest import write_import_files
from tracker.board import suppression

PAGES = ("/board/annual/iro", "/board/annual/lado", "/board/annual/panel")
YEAR_2022 = "/board/annual/iro?year=2022"


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-30"}  # in 2023/24


@pytest.fixture
def three_reviews(import_folder, tmp_path):
    """Three children's first reviews in April 2022: two on time, one late (a period starting 21 or
    60 days before, as tests/board/test_annual_iro.py explains)."""
    children, periods, reviews = [], [], []
    for n, (day, start) in enumerate([(12, "2022-03-22"), (13, "2022-03-23"), (14, "2022-02-13")], 1):
        children.append({"child_id": f"C{n}", "date_of_birth": "2010-06-01"})
        periods.append({"child_id": f"C{n}", "start_date": start})
        reviews.append({"review_id": f"R{n}", "child_id": f"C{n}", "review_date": f"2022-04-{day}"})
    files = {"children.csv": children, "care_periods.csv": periods, "reviews.csv": reviews}
    import_folder(write_import_files(tmp_path / "reviews", files))


def rows(page, key: str) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in page.table(f"#{key}")}


def cell_link(page, key: str, row: int, column: int) -> str | None:
    """The link of a table's cell (``row`` and ``column`` counted from 0, the label column aside)."""
    link = page.select(f"#{key} tbody tr")[row].select("td")[column].select_one("a")
    return link["href"] if link else None


def record_links(page) -> list[str]:
    return [href for href in page.hrefs() if href.startswith("/kpis/")]


def test_a_board_member_sees_small_numbers_suppressed_and_no_records(three_reviews, login_as, client_request):
    login_as("board")
    page = client_request.get(YEAR_2022)
    assert page.h1 == "IRO annual report tables 2022/23"
    assert page.title.startswith("IRO annual report tables 2022/23 – ")
    months = rows(page, "reviews_by_month")
    assert months["Child-in-care reviews held"][0] == "<5"  # 3 reviews in April
    assert months["Reviews held in timescale (number)"][0] == "<5"
    assert months["Reviews held in timescale (%)"][0] == "[c]"  # 2 of 3
    assert months["Child-in-care reviews held"][1] == "0"  # zero discloses nobody
    assert page.text_of("#legend") == suppression.LEGEND
    assert record_links(page) == []


def test_an_iro_manager_sees_exact_figures_with_the_records_behind_them(three_reviews, login_as, client_request):
    login_as("iro_manager")
    page = client_request.get(YEAR_2022)
    months = rows(page, "reviews_by_month")
    assert months["Child-in-care reviews held"][0] == "3"
    assert months["Reviews held in timescale (number)"][0] == "2"
    assert months["Reviews held in timescale (%)"][0] == "66.67%"
    assert months["Reviews held in timescale (%)"][-1] == "66.67%"  # the year
    assert page.select("#legend") == []
    april = "from=1&from=4&from=2022&to=30&to=4&to=2022"
    assert cell_link(page, "reviews_by_month", 1, 0) == f"/kpis/reviews.held/numerator?{april}"
    assert cell_link(page, "reviews_by_month", 2, 0) == f"/kpis/reviews.in_timescale/numerator?{april}"
    assert cell_link(page, "reviews_by_month", 1, 1) is None  # May: 0, nothing to open
    year = "from=1&from=4&from=2022&to=31&to=3&to=2023"
    assert cell_link(page, "reviews_by_month", 1, 12) == f"/kpis/reviews.held/numerator?{year}"
    assert cell_link(page, "reviews_tasks", 1, 1) == f"/kpis/reviews.in_timescale/numerator?{year}"
    # the link opens the records behind the figure
    drill = client_request.get(cell_link(page, "reviews_by_month", 2, 0))
    assert "R1" in drill.text and "R2" in drill.text and "R3" not in drill.text


def test_an_analyst_sees_exact_figures_but_no_records(three_reviews, login_as, client_request):
    login_as("analyst")
    page = client_request.get(YEAR_2022)
    assert rows(page, "reviews_by_month")["Child-in-care reviews held"][0] == "3"
    assert record_links(page) == []


def test_the_three_reports_link_to_each_other_for_the_same_year(app, login_as, client_request):
    login_as("manager")
    for url, title, others in (
        (
            "/board/annual/iro",
            "IRO annual report",
            ["LADO annual report tables", "Fostering panel annual report tables"],
        ),
        (
            "/board/annual/lado",
            "LADO annual report",
            ["IRO annual report tables", "Fostering panel annual report tables"],
        ),
        (
            "/board/annual/panel",
            "Fostering panel annual report",
            ["IRO annual report tables", "LADO annual report tables"],
        ),
    ):
        page = client_request.get(f"{url}?year=2021")
        assert page.h1 == f"{title} tables 2021/22"
        links = page.links("#other-reports")
        assert list(links) == others
        assert all(href.endswith("?year=2021") for href in links.values())


def test_a_year_without_records_shows_zeros_and_says_so(app, login_as, client_request):
    login_as("lado_manager")
    page = client_request.get("/board/annual/lado?year=2015")
    assert page.h1 == "LADO annual report tables 2015/16"
    assert page.text_of("#empty") == "Nothing was recorded from 1 April 2015 to 31 March 2016: every count below is 0."
    assert rows(page, "contacts_and_referrals_by_month")["Referrals"] == ["0"] * 13
    assert rows(page, "contacts_and_referrals_by_month")["Contacts that progressed to referral (%)"] == ["–"] * 13
    assert rows(page, "outcomes")["Referrals"] == ["0", "–", "0", "–"]
    assert page.table("#outcomes")[0][0] == "Substantiated"
    headings = [th.get_text(" ", strip=True) for th in page.select("#outcomes thead th")]
    assert headings == ["Outcome", "2015/16 number", "2015/16 %", "2014/15 number", "2014/15 %"]


def test_this_year_by_default_with_the_months_not_begun_blank(three_reviews, login_as, client_request):
    login_as("iro_manager")
    page = client_request.get("/board/annual/iro")
    assert page.h1 == "IRO annual report tables 2023/24"
    assert page.value("year") == "2023"
    assert "The year is not over: the figures run to 30 June 2023" in page.text_of("#period")
    held = rows(page, "reviews_by_month")["Child-in-care reviews held"]
    assert held[:3] == ["0", "0", "0"]  # April to June
    assert held[3:12] == ["–"] * 9  # July to March: not begun
    assert held[12] == "0"


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("abc", "Enter the year as a whole number, like 2022"),
        ("2022.5", "Enter the year as a whole number, like 2022"),
        ("2024", "The year must be 2023 (this financial year) or an earlier year"),
        ("1899", "The year must be 1900 or a later year"),
    ],
)
def test_a_year_that_is_not_one_is_refused_at_the_field(app, login_as, client_request, year, message):
    login_as("board")
    page = client_request.get(f"/board/annual/panel?year={year}")
    assert page.errors == [message]
    assert page.field_error("year") == message
    assert page.value("year") == year  # what was typed stays in the box
    assert page.title.startswith("Error: ")
    assert page.h1 == "Fostering panel annual report tables 2023/24"  # this year's, meanwhile
    assert client_request.client.get(f"/board/annual/panel?year={year}&format=csv").status_code == 400


@pytest.mark.parametrize("role", ["analyst", "manager", "iro_manager", "lado_manager", "board", "admin"])
def test_the_board_roles_get_the_pages_and_their_csv(app, login_as, client_request, role):
    login_as(role)
    for url in PAGES:
        client_request.get(f"{url}?year=2022")
        response = client_request.client.get(f"{url}?year=2022&format=csv")
        assert response.status_code == 200 and response.get_data(as_text=True).startswith("\ufeffTable,Row,")


def test_a_visitor_not_signed_in_is_sent_to_sign_in(client):
    for url in PAGES:
        response = client.get(f"{url}?year=2022&format=csv")
        assert response.status_code == 302 and response.location.startswith("/login")


@pytest.mark.parametrize("role", ["qaro", "lado", "panel_admin", "adm"])
def test_roles_without_the_board_get_403(app, login_as, client_request, role):
    login_as(role)
    for url in PAGES:
        client_request.get(f"{url}?year=2022", status=403)
        client_request.get(f"{url}?year=2022&format=csv", status=403)


def download(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="iro-annual-report-tables-2022-2023-06-30.csv"' in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))


def test_the_csv_holds_every_cell_of_the_report_and_is_audited(app, three_reviews, login_as, client_request):
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    login_as("iro_manager")
    page = client_request.get(YEAR_2022)
    assert page.links("#downloads") == {
        "Download CSV": "/board/annual/iro?year=2022&format=csv",
        "Download XLSX (Excel)": "/board/annual/iro?year=2022&format=xlsx",
    }
    got = download(client_request.client, "/board/annual/iro?year=2022&format=csv")
    assert list(got[0]) == ["Table", "Row", "Column", "Unit", "Value"]
    assert got[0] == {
        "Table": "Children in care reviews by month: number and timeliness",
        "Row": "Reviews held in timescale (%)",
        "Column": "April 2022",
        "Unit": "%",
        "Value": "66.67",
    }
    held = {r["Column"]: r["Value"] for r in got if r["Row"] == "Child-in-care reviews held" and r["Unit"] == "No."}
    assert held["April 2022"] == "3" and held["May 2022"] == "0" and held["2022/23"] == "3"
    # one line per cell of the page
    assert len(got) == sum(len(row) - 1 for table in page.select("table") for row in _body_rows(table))
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
        assert entry.action == "list.export"
        assert entry.after["list"] == "IRO annual report tables 2022/23"
        assert entry.after["format"] == "csv" and entry.after["filters"] == {"year": "2022"}


def _body_rows(table):
    return [row.select("th, td") for row in table.select("tbody tr")]


def test_a_board_members_csv_is_suppressed_as_their_page(three_reviews, login_as, client_request):
    login_as("board")
    got = download(client_request.client, "/board/annual/iro?year=2022&format=csv")
    april = {r["Row"]: r["Value"] for r in got if r["Column"] == "April 2022"}
    assert april["Child-in-care reviews held"] == "<5"
    assert april["Reviews held in timescale (%)"] == "[c]"


def test_the_csv_escapes_what_a_spreadsheet_would_run(app, login_as, client_request, monkeypatch):
    """Labels come from the indicators and code lists; were one to start with "=", the CSV would not
    let a spreadsheet evaluate it."""
    from tracker.board import annual

    def build(report, start, end):
        cell = annual.Cell(7, indicator_id="reviews.held")
        table = annual.Table("t", "=Table", ["-Column"], [annual.Row('=HYPERLINK("http://x","y")', [cell])])
        return annual.Report(report, "IRO annual report", start, end, [table])

    monkeypatch.setattr(annual, "build", build)
    login_as("iro_manager")
    got = download(client_request.client, "/board/annual/iro?year=2022&format=csv")
    assert got == [
        {"Table": "'=Table", "Row": '\'=HYPERLINK("http://x","y")', "Column": "'-Column", "Unit": "No.", "Value": "7"}
    ]
