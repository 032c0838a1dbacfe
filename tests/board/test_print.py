"""The print view (/board/print and ``printing.render_print``): a page of its own (no navigation,
forms, buttons or script), the heading with the month and "(provisional)", one section per
scorecard section with its table, commentary and a trend chart per row; suppressed for board
members; the print stylesheet scoped to it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from tests.board.conftest import INFORMAL
from tracker.board import operations
from tracker.board.models import ScorecardRow, ScorecardSection
from tracker.board.printing import render_print
from tracker.extensions import db

D = dt.date
CSS = Path(__file__).parents[2] / "tracker" / "static" / "tracker.css"


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-15"}


def test_one_section_per_scorecard_section_with_a_chart_per_row(three_escalations, app, login_as, client_request):
    with app.app_context():
        sections = db.session.scalar(select(func.count()).select_from(ScorecardSection))
        rows = db.session.scalar(select(func.count()).select_from(ScorecardRow))
    login_as("manager")
    page = client_request.get("/board/print?month=2023-05")
    assert page.h1 == "Corporate Parenting Board scorecard: May 2023 (provisional)"
    assert len(page.select("section.board-print-section")) == sections
    assert [s.h2.get_text(strip=True) for s in page.select("section.board-print-section")][:2] == ["Reviews", "Safety"]
    assert len(page.select("section.board-print-section svg[role=img]")) == rows
    assert len(page.select("section.board-print-section table")) == sections
    assert page.select("nav, form, button, script, header.govuk-header, input") == []
    assert [h for h in page.hrefs("body") if h.startswith("/")] == []  # no links on paper
    assert "tracker-board-print" in page.one("body")["class"]
    informal = [c.get_text(strip=True) for c in page.select(f'tr[data-indicator="{INFORMAL}"] td')]
    assert informal[10:] == ["3", "Improving", "Red"]


def test_a_board_member_prints_suppressed_figures(three_escalations, login_as, client_request):
    login_as("board")
    page = client_request.get("/board/print?month=2023-05")
    assert [c.get_text(strip=True) for c in page.select(f'tr[data-indicator="{INFORMAL}"] td')][10] == "<5"
    chart = page.one(f'figure[data-row="{three_escalations}"] svg')
    assert chart.select_one('g[data-month="May 2023"] rect') is None


def test_frozen_months_are_not_provisional_and_commentary_is_printed(three_escalations, app, login_as, client_request):
    with app.app_context():
        for month in range(12, 18):  # December 2022 to May 2023
            operations.freeze_month(D(2022 + (month - 1) // 12, (month - 1) % 12 + 1, 1))
        section = db.session.scalar(select(ScorecardSection).where(ScorecardSection.title == "Safety"))
        operations.save_commentary(section, D(2023, 5, 1), "=SUM(A1)\nsecond line", user=None)
        db.session.commit()
    login_as("board")
    page = client_request.get("/board/print?month=2023-05")
    assert page.h1 == "Corporate Parenting Board scorecard: May 2023"
    assert "=SUM(A1)\nsecond line" in page.one(".tracker-commentary__text").get_text()


def test_render_print_outside_a_request(three_escalations, app):
    with app.app_context():
        html = render_print(D(2023, 5, 1), D(2023, 6, 15), True)
    soup = BeautifulSoup(html, "html.parser")
    assert soup.h1.get_text(strip=True) == "Corporate Parenting Board scorecard: May 2023 (provisional)"
    assert soup.select_one('link[href$="tracker.css"]')


def test_a_bad_month_is_a_bad_request(login_as, client_request):
    login_as("board")
    client_request.get("/board/print?month=never", status=400)


def test_the_print_stylesheet_is_scoped_to_the_print_view():
    css = CSS.read_text()
    assert "@page board-print" in css and "size: A4 landscape" in css
    assert ".tracker-board-print .board-print-section { break-before: page; }" in css
    assert ".tracker-board-print tr" in css


def test_the_board_pack_command_writes_the_print_view(three_escalations, app, runner, tmp_path):
    """``board-pack --format html`` is the print view, suppressed when asked (interchange.md §4)."""
    out = tmp_path / "pack.html"
    result = runner.invoke(args=["board-pack", "--month", "2023-05", "--format", "html", "--suppress", "-o", str(out)])
    assert result.exit_code == 0, result.output
    soup = BeautifulSoup(out.read_text(encoding="utf-8"), "html.parser")
    assert soup.h1.get_text(strip=True) == "Corporate Parenting Board scorecard: May 2023 (provisional)"
    with app.app_context():
        sections = db.session.scalar(select(func.count()).select_from(ScorecardSection))
    assert len(soup.select("section.board-print-section")) == sections
    assert [c.get_text(strip=True) for c in soup.select(f'tr[data-indicator="{INFORMAL}"] td')][10] == "<5"
    exact = runner.invoke(args=["board-pack", "--month", "2023-05", "--format", "html"])
    assert exact.exit_code == 0, exact.output
    row = BeautifulSoup(exact.output, "html.parser").select(f'tr[data-indicator="{INFORMAL}"] td')
    assert [c.get_text(strip=True) for c in row][10] == "3"
