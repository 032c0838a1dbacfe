"""A scorecard row's 12-month trend (/board/rows/<id>): the SVG bar chart (role="img", title and
description) with the target line, the same figures as a table, suppressed months drawn without a
bar for board members, 404 for an unknown row."""

from __future__ import annotations

import pytest

from tests.board.conftest import INFORMAL
from tracker.board import suppression


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-15"}


def bars(page) -> list[tuple[str, str, bool]]:
    """Each month of the chart: its month, its label and whether a bar is drawn."""
    return [
        (g["data-month"], g.select_one(".tracker-chart__value").get_text(strip=True), g.select_one("rect") is not None)
        for g in page.select("#trend-chart g.tracker-chart__month")
    ]


def table(page) -> list[list[str]]:
    return page.table("#trend-table")


def test_the_chart_and_the_table_agree(three_escalations, login_as, client_request):
    login_as("manager")
    page = client_request.get(f"/board/rows/{three_escalations}?month=2023-05")
    assert page.h1 == "Safety No. of informal IRO escalations"
    svg = page.one("svg#trend-chart")
    assert svg["role"] == "img"
    assert svg.title.get_text() == svg["aria-label"]
    assert svg["aria-label"].endswith("month by month, June 2022 to May 2023")
    assert "May 2023: 3" in svg.desc.get_text()
    shown = bars(page)
    assert len(shown) == 12
    rows = table(page)
    assert [r[1] for r in rows] == [label for _, label, _ in shown]
    assert rows[-1] == ["May 2023 (provisional)", "3"]
    assert shown[-1] == ("May 2023", "3", True)
    assert shown[0] == ("June 2022", "0", True)  # a zero bar (height 0), still drawn
    assert page.one("#trend-table tbody tr:last-child a")["href"].startswith(f"/kpis/{INFORMAL}/numerator?")


def test_the_target_is_drawn_as_a_line_with_its_label(three_escalations, login_as, client_request):
    login_as("board")
    page = client_request.get(f"/board/rows/{three_escalations}?month=2023-05")
    target = page.one("#trend-chart .tracker-chart__target-line")
    assert target.select_one("line.tracker-chart__target")
    assert target.select_one("text").get_text(strip=True) == "Target: 10"
    assert "Target: 10, drawn as a line" in page.one("#trend-chart desc").get_text()


def test_a_board_member_sees_no_bar_for_a_suppressed_month(three_escalations, login_as, client_request):
    login_as("board")
    page = client_request.get(f"/board/rows/{three_escalations}?month=2023-05")
    assert bars(page)[-1] == ("May 2023", "<5", False)
    assert page.one('#trend-chart g[data-month="May 2023"]')["data-value"] == ""  # nothing to read off
    assert table(page)[-1] == ["May 2023 (provisional)", "<5"]
    assert page.text_of("#legend") == suppression.LEGEND
    assert [h for h in page.hrefs() if h.startswith("/kpis/")] == []
    assert "3" not in page.one("#trend-chart desc").get_text().split("May 2023:")[1]


def test_an_unknown_row_is_not_found(login_as, client_request):
    login_as("board")
    client_request.get("/board/rows/99999", status=404)


def test_a_bad_month_shows_its_error(three_escalations, login_as, client_request):
    login_as("board")
    page = client_request.get(f"/board/rows/{three_escalations}?month=soon")
    assert "Month must be a real month, for example 3 2023" in page.errors
