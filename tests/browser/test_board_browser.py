"""The board's figures in the browser (issue 14), axe-core on every page: a board member opens the
scorecard from the home page, chooses a month in the month boxes and sees six months with direction
of travel, RAG and ``<5`` where a count is small; opens a row's trend chart and the LADO annual
tables; downloads the board pack as XLSX (its numbers the page's); is refused every child or person
page; and the print view, printed to PDF by Chromium, starts each section on a page of its own."""

from __future__ import annotations

import datetime as dt
import io
import re

from tests.browser.helpers import axe_check

INFORMAL = "escalations.started.informal"
MONTH = dt.date(2021, 6, 1)  # a month no other browser test writes records in


def _two_informal_escalations_in_june_2021(live_server) -> tuple[str, int]:
    """Two informal escalations started in June 2021 (none in May), and a target of 5 on their
    row: June shows ``<5`` to a board member, Improving, and Red. Returns a child id and the row."""
    from sqlalchemy import select

    from tests.escalations import factories
    from tracker.board.models import ScorecardRow
    from tracker.extensions import db

    with live_server.app.app_context():
        factories.officer("BOARD-Q1")
        child = factories.child("BOARD-C1", in_care_from=dt.date(2021, 1, 4))
        for day in (dt.date(2021, 6, 7), dt.date(2021, 6, 21)):
            factories.escalation(child, stages=(("informal", day),), raised_by="BOARD-Q1")
        row = db.session.scalar(select(ScorecardRow).where(ScorecardRow.indicator_id == INFORMAL))
        row.target = 5
        db.session.commit()
        return child.child_id, row.id


def _cells(page, indicator: str) -> list[str]:
    row = page.locator(f'table.tracker-scorecard tr[data-indicator="{indicator}"]').first
    return [text.strip() for text in row.locator("td").all_inner_texts()]


def test_a_board_member_reads_the_scorecard_and_the_annual_tables_downloads_and_prints(
    page, live_server, sign_in, tmp_path
):
    import openpyxl
    import pypdf
    from playwright.sync_api import expect

    child_id, row_id = _two_informal_escalations_in_june_2021(live_server)
    sign_in(page, "board@example.org")
    page.get_by_role("link", name="Scorecard").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Corporate Parenting Board scorecard: ")
    assert axe_check(page) == [], page.url

    # the month, chosen in the GOV.UK month boxes
    months = page.get_by_role("group", name="Month")
    months.get_by_label("Month").fill(str(MONTH.month))
    months.get_by_label("Year").fill(str(MONTH.year))
    page.get_by_role("button", name="Show month").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Corporate Parenting Board scorecard: June 2021")
    table = page.locator("table.tracker-scorecard").first
    month_headers = table.locator("thead th[data-month]")
    expect(month_headers).to_have_count(6)
    expect(month_headers.first).to_contain_text("Jan 2021")
    expect(month_headers.last).to_contain_text("Jun 2021")
    expect(table.locator("thead th")).to_contain_text(["Direction of travel", "RAG"])
    informal = _cells(page, INFORMAL)  # unit, good is, England, Good + SN, target, six months, DOT, RAG
    assert informal[4] == "5"
    assert informal[5:11] == ["0", "0", "0", "0", "0", "<5"]  # two escalations: fewer than five
    assert informal[11:] == ["Improving", "Red"]
    expect(page.locator("#legend")).to_contain_text("<5: between 1 and 4")
    assert page.locator(f'tr[data-indicator="{INFORMAL}"] td a').count() == 0  # the figure only
    assert axe_check(page) == [], page.url

    # the row's 12-month trend: a named chart, the small month drawn as no bar
    page.locator(f'tr[data-indicator="{INFORMAL}"] th a').first.click()
    expect(page.get_by_role("img", name=re.compile("month by month"))).to_be_visible()
    assert axe_check(page) == [], page.url
    page.go_back()

    # the board pack as XLSX: the page's numbers, suppressed as the page is
    # the pack computes every month's figures: allow for a machine busy with the suite's other worker
    with page.expect_download(timeout=60_000) as info:
        page.locator('#downloads a[data-format="xlsx"]').click(timeout=60_000)
    path = tmp_path / "pack.xlsx"
    info.value.save_as(path)
    book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), data_only=True)
    found = [
        [cell for cell in row if cell is not None]
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        if row and "No. of informal IRO escalations" in row
    ]
    assert found and all(values[-3:] == ["<5", "Improving", "Red"] for values in found), found
    assert all(values[-8:-3] == [0, 0, 0, 0, 0] for values in found), found

    # the LADO annual report tables
    page.get_by_role("link", name="LADO annual report tables").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("LADO")
    assert axe_check(page) == [], page.url

    # no child or person is the board's to see
    for path in (f"/children/{child_id}", "/children/", "/lado/", "/escalations/all", "/worklist/"):
        response = page.goto(live_server(path))
        assert response.status == 403, path
        expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access to this page")

    # the print view: no navigation, each section on a page of its own
    page.goto(live_server(f"/board/?month={MONTH:%Y-%m}"))
    sections = [t.strip() for t in page.locator("table.tracker-scorecard caption").all_inner_texts()]
    page.get_by_role("link", name=re.compile("^Print view")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Corporate Parenting Board scorecard: June 2021 (provisional)"
    )
    expect(page.locator("section.board-print-section")).to_have_count(len(sections))
    assert page.locator("nav, form, button").count() == 0
    assert axe_check(page) == [], page.url
    pdf = pypdf.PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    lines = [[line.strip() for line in p.extract_text().split("\n")] for p in pdf.pages]
    # where each section's title stands as a line: every section has a page, and no page has two
    where = {title: [n for n, page_lines in enumerate(lines) if title in page_lines] for title in sections}
    assert all(where.values()), where
    firsts = [pages[0] for pages in where.values()]
    assert firsts == sorted(set(firsts)), where  # in order, each starting a later page
    assert all(len([t for t in sections if t in page_lines]) <= 1 for page_lines in lines), where
    # and each after the first heads its page (the running header aside): a page break before it
    assert all(title in lines[where[title][0]][:3] for title in sections[1:]), [lines[n][:4] for n in firsts]
    assert f"/board/rows/{row_id}" not in page.content()  # no links on paper
