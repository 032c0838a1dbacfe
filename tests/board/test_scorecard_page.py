"""The scorecard page (/board/): the council's columns over six months, direction of travel and
RAG, small numbers for board members and exact figures with drill-down links for the roles
allowed, frozen and provisional months, commentary, the month picker's errors, the empty state."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete

from tests.board.conftest import INFORMAL, row_of
from tracker.board import operations, suppression
from tracker.board.models import ScorecardRow, ScorecardSection
from tracker.extensions import db

D = dt.date
MAY = "/board/?month=2023-05"


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-15"}


def informal_row(page) -> list[str]:
    return [c.get_text(" ", strip=True) for c in page.select(f'tr[data-indicator="{INFORMAL}"] td')]


def test_the_six_months_and_the_councils_columns(three_escalations, login_as, client_request):
    login_as("manager")
    page = client_request.get("/board/")  # blank: the last complete month, May 2023
    assert page.h1 == "Corporate Parenting Board scorecard: May 2023"
    safety = page.select("table.tracker-scorecard")[1]
    headers = [th.get_text(" ", strip=True) for th in safety.select("thead th")]
    assert headers == [
        "Indicator",
        "Unit",
        "Good is",
        "England",
        "Good + SN",
        "Target",
        "Dec 2022 (provisional)",
        "Jan 2023 (provisional)",
        "Feb 2023 (provisional)",
        "Mar 2023 (provisional)",
        "Apr 2023 (provisional)",
        "May 2023 (provisional)",
        "Direction of travel",
        "RAG",
    ]
    assert safety.caption.get_text(strip=True) == "Safety"
    assert [c.get_text(strip=True) for c in page.select("table caption")][:2] == ["Reviews", "Safety"]


def test_dot_and_rag_tags_for_a_row_with_a_target(three_escalations, login_as, client_request):
    login_as("manager")
    cells = informal_row(client_request.get(MAY))
    assert cells[:5] == ["No.", "High", "–", "–", "10"]
    assert cells[5:11] == ["0", "0", "0", "0", "0", "3"]
    assert cells[11:] == ["Improving", "Red"]
    page = client_request.get(MAY)
    assert page.one(f'tr[data-indicator="{INFORMAL}"] td[data-rag] .govuk-tag--red')
    assert page.one(f'tr[data-indicator="{INFORMAL}"] td[data-dot] .govuk-tag--green')


def test_a_board_member_sees_small_numbers_suppressed_and_no_record_links(three_escalations, login_as, client_request):
    login_as("board")
    page = client_request.get(MAY)
    assert informal_row(page)[10] == "<5"
    assert informal_row(page)[9] == "0"  # zero discloses nobody
    assert page.text_of("#legend") == suppression.LEGEND
    assert [h for h in page.hrefs() if h.startswith("/kpis/")] == []


def test_a_manager_sees_exact_figures_with_drill_down_links(three_escalations, login_as, client_request):
    login_as("manager")
    page = client_request.get(MAY)
    assert informal_row(page)[10] == "3"
    link = page.one(f'tr[data-indicator="{INFORMAL}"] td:nth-of-type(11) a')["href"]
    assert link == f"/kpis/{INFORMAL}/numerator?from=1&from=5&from=2023&to=31&to=5&to=2023"
    assert page.one(f'tr[data-indicator="{INFORMAL}"] td:nth-of-type(10)').select("a") == []  # 0: nothing to open
    assert page.select("#legend") == []
    # the row's label opens its trend
    assert page.one(f'tr[data-indicator="{INFORMAL}"] th a')["href"] == f"/board/rows/{three_escalations}?month=2023-05"


def test_frozen_provisional_and_re_frozen_months(three_escalations, app, login_as, client_request):
    with app.app_context():
        operations.freeze_month(D(2023, 4, 1))
        operations.freeze_month(D(2023, 3, 1))
        operations.refreeze_month(D(2023, 3, 1), "a late escalation was recorded")
        db.session.commit()
    login_as("manager")
    page = client_request.get(MAY)
    headers = page.texts("table.tracker-scorecard thead th[data-month]")[:6]
    assert headers[3:] == ["Mar 2023", "Apr 2023", "May 2023 (provisional)"]
    frozen = page.texts("#frozen-months li")
    assert frozen[0].startswith("March 2023: Re-frozen on ") and "because a late escalation was recorded" in frozen[0]
    assert frozen[1].startswith("April 2023: frozen on ") and frozen[1].endswith("by system")
    assert "Provisional" in page.text_of("#provisional-months") and "May 2023" in page.text_of("#provisional-months")
    assert "April 2023" not in page.text_of("#provisional-months")


def test_this_month_runs_to_today(three_escalations, login_as, client_request):
    login_as("board")
    page = client_request.get("/board/?month=2023-06")
    assert page.texts("table.tracker-scorecard thead th[data-month]")[5] == "Jun 2023 (provisional, to 15 Jun)"


@pytest.mark.parametrize(
    "month, message",
    [
        ("March", "Month must be a real month, for example 3 2023"),
        ("2023-13", "Month must be a real month, for example 3 2023"),
        ("2023-07", "Month must be this month or an earlier month"),
        ("1899-01", "Month must be between"),
    ],
)
def test_a_bad_month_shows_the_error_and_the_default_month(login_as, client_request, month, message):
    login_as("board")
    page = client_request.get(f"/board/?month={month}")
    assert message in " ".join(page.errors)
    assert page.h1 == "Corporate Parenting Board scorecard: May 2023"


def test_commentary_links_for_managers_only(three_escalations, login_as, client_request):
    login_as("iro_manager")
    page = client_request.get(MAY)
    assert "Add commentary on Reviews" in page.texts("a[data-commentary-link]")
    login_as("board", email="b@example.org")
    assert client_request.get(MAY).select("a[data-commentary-link]") == []


def test_the_print_view_and_annual_tables_are_linked(login_as, client_request):
    login_as("board")
    page = client_request.get(MAY)
    assert page.one("#print-link")["href"] == "/board/print?month=2023-05"
    assert "/board/annual/lado" in page.hrefs()


def test_a_row_whose_indicator_is_gone(app, login_as, client_request):
    with app.app_context():
        row_of("lado.contacts").indicator_id = "lado.retired"
        db.session.commit()
    login_as("manager")
    page = client_request.get(MAY)
    cells = [c.get_text(strip=True) for c in page.select('tr[data-indicator="lado.retired"] td')]
    assert cells[5:11] == ["–"] * 6
    assert "no longer in the tracker" in page.text_of('tr[data-indicator="lado.retired"] th')


def test_the_empty_scorecard(app, login_as, client_request):
    with app.app_context():
        db.session.execute(delete(ScorecardRow))
        db.session.execute(delete(ScorecardSection))
        db.session.commit()
    login_as("admin")
    page = client_request.get("/board/")
    assert "The scorecard has no sections yet." in page.text_of("#empty")
    assert page.one("#empty a")["href"] == "/board/configure"
    login_as("board", email="b@example.org")
    assert client_request.get("/board/").select("#empty a") == []
