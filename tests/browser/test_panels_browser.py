"""A fostering panel's day (issue 13), in a real browser with axe-core on every page: the panel
adviser books a meeting, adds two cases to its agenda, records who attended (the page shows the
panel quorate), the recommendations and the minutes; the Agency Decision Maker finds both cases
on the ADM queue and records a decision; the queue and the indicators follow."""

from __future__ import annotations

import datetime as dt
import re

from tests.browser.helpers import axe_check

MEMBERS = [
    ("Alex Chair", "Chair"),
    ("Sam Social", "Social worker (3 years or more post-qualifying)"),
    ("Jo Member", "Other central list member"),
    ("Kim Member", "Other central list member"),
    ("Lee Independent", "Independent member"),
]


def _fill_date(page, group: str, day: dt.date) -> None:
    """Fill one GOV.UK date input, found by its fieldset's legend."""
    fieldset = page.get_by_role("group", name=re.compile(group))
    fieldset.get_by_label("Day").fill(str(day.day))
    fieldset.get_by_label("Month").fill(str(day.month))
    fieldset.get_by_label("Year").fill(str(day.year))


def _meeting_day(live_server) -> dt.date:
    """The last working day on or before today (a meeting held today or just before)."""
    from tracker.core.calendar import is_working_day
    from tracker.core.clock import today

    with live_server.app.app_context():
        day = today()
        while not is_working_day(day):
            day -= dt.timedelta(days=1)
        return day


def _sign_out(page) -> None:
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state("networkidle")


def test_a_panel_adviser_runs_a_meeting_and_the_adm_decides(page, live_server, sign_in):
    day = _meeting_day(live_server)

    # the panel adviser books a fostering panel meeting
    sign_in(page, "panel_admin@example.org")
    page.goto(live_server("/panels/"))
    assert page.locator("h1").inner_text() == "Panel meetings"
    assert axe_check(page) == []
    page.goto(live_server("/panels/meetings/new"))
    assert axe_check(page) == []
    page.get_by_label("Fostering panel").check()
    _fill_date(page, "Date of the meeting", day)
    page.get_by_role("button", name="Book meeting").click()
    page.wait_for_load_state("networkidle")
    meeting_url = page.url
    assert "/panels/meetings/PM" in meeting_url
    assert axe_check(page) == []

    # two cases on its agenda, papers sent a week ahead
    for subject, case_type in (("H0901", "Approval"), ("H0902", "First review")):
        page.get_by_role("link", name="Add a case to this meeting").click()
        page.wait_for_load_state("networkidle")
        assert axe_check(page) == []
        page.get_by_label("Type of case").select_option(label=case_type)
        page.get_by_label("Reference of the household, adopter or child").fill(subject)
        _fill_date(page, "Date the papers were sent", day - dt.timedelta(days=9))
        page.get_by_role("button", name="Add case").click()
        page.wait_for_load_state("networkidle")
        if page.url != meeting_url:
            page.goto(meeting_url)
    agenda = page.locator("#agenda-table tbody tr")
    assert agenda.count() == 2
    assert [row.get_attribute("data-case") for row in agenda.all()] == sorted(
        row.get_attribute("data-case") for row in agenda.all()
    )
    assert "H0901" in agenda.all_inner_texts()[0] and "H0902" in agenda.all_inner_texts()[1]

    # attendance: five members with a chair and a social worker: quorate
    page.get_by_role("link", name="Record attendance").click()
    page.wait_for_load_state("networkidle")
    assert axe_check(page) == []
    for number, (name, role) in enumerate(MEMBERS, 1):
        page.get_by_label(f"Member {number}: name").fill(name)
        page.get_by_label(f"Member {number}: role").select_option(label=role)
    page.get_by_role("button", name="Save attendance").click()
    page.wait_for_load_state("networkidle")
    page.goto(meeting_url)
    assert page.locator("[data-quoracy]").inner_text().strip() == "Quorate"
    assert axe_check(page) == []

    # the recommendations and the minutes
    for case_row in range(2):
        page.locator("#agenda-table tbody tr").nth(case_row).get_by_role(
            "link", name=re.compile("Recommendation")
        ).click()
        page.wait_for_load_state("networkidle")
        assert axe_check(page) == []
        page.get_by_label("Positive").check()
        _fill_date(page, "Date the minutes were finalised", day)
        page.get_by_role("button", name="Save recommendation").click()
        page.wait_for_load_state("networkidle")
        page.goto(meeting_url)
    assert page.locator("[data-status]").first.get_attribute("data-status") == "held"
    _sign_out(page)

    # the ADM: both cases on the queue, with their deadline; agrees with one
    sign_in(page, "adm@example.org")
    page.goto(live_server("/panels/adm"))
    assert page.locator("h1").inner_text() == "ADM queue"
    assert axe_check(page) == []
    queue = page.locator("main tbody tr")
    assert queue.count() == 2
    assert all("Positive" in text for text in queue.all_inner_texts())
    queue.first.get_by_role("link", name=re.compile("Decide")).click()
    page.wait_for_load_state("networkidle")
    assert axe_check(page) == []
    page.get_by_label("Agreed with the recommendation").check()
    _fill_date(page, "Date of the decision", day)
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_load_state("networkidle")
    page.goto(live_server("/panels/adm"))
    assert page.locator("main tbody tr").count() == 1
    _sign_out(page)

    # the manager's indicators: two cases heard at one quorate meeting, one decision in timescale
    sign_in(page, "manager@example.org")
    page.goto(live_server("/kpis/"))  # this financial year to date
    assert axe_check(page) == []

    def value(indicator: str) -> str:
        return page.locator(f'tr[data-indicator="{indicator}"] td').last.inner_text().strip()

    assert value("panel.fostering.cases") == "2"
    assert value("panel.fostering.meetings.quorate") == "100.00%"
    assert value("panel.fostering.adm_in_timescale") == "50.00%"  # one of the two decided, in time
    # the figure opens to the cases behind it (the manager may see panel records)
    page.locator('tr[data-indicator="panel.fostering.cases"] td a').first.click()
    page.wait_for_load_state("networkidle")
    assert "H0901" in page.locator("main").inner_text() and "H0902" in page.locator("main").inner_text()
    assert axe_check(page) == []
