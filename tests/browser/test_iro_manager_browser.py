"""The IRO manager's day (issue 12), in a real browser with axe-core on every page: the team's
counts on the home page → the worklist filtered to one QARO's overdue reviews → the child →
correct an IRO contact's date → download the filtered worklist, which holds the page's rows."""

from __future__ import annotations

import csv
import datetime as dt
import re

import pytest

from tests.browser.helpers import axe_check

CHILD = "BRW-MGR-1"
NAME = "Jordan Price"


@pytest.fixture
def overdue_child(live_server):
    """A child of the demo QARO's, in care for 200 days and never reviewed (the first review is
    overdue), with one IRO contact 100 days ago."""
    from tracker.core.clock import today
    from tracker.extensions import db
    from tracker.reviews import operations
    from tracker.reviews.models import Child

    with live_server.app.app_context():
        if db.session.query(Child).filter_by(child_id=CHILD).one_or_none() is None:
            child = operations.create_child(
                child_id=CHILD,
                first_name="Jordan",
                last_name="Price",
                date_of_birth=dt.date(2012, 5, 6),
                iro_officer_id="DEMO-QARO",
            )
            operations.add_care_period(child, start_date=today() - dt.timedelta(days=200))
            operations.record_contact(
                child, contact_date=today() - dt.timedelta(days=100), contact_type="visit", officer_id="DEMO-QARO"
            )
            db.session.commit()
        return today()


def test_the_iro_manager_follows_the_counts_corrects_a_contact_and_exports_the_worklist(
    page, live_server, sign_in, overdue_child, tmp_path
):
    day = overdue_child
    sign_in(page, "iro_manager@example.org")
    assert axe_check(page) == []

    # home: the team's counts, by QARO and type, each a link to the filtered worklist
    counts = page.locator("#team-counts")
    row = counts.locator("tr", has=page.locator("th", has_text="Demo QARO")).filter(has_text="Child-in-care review")
    row.get_by_role("link", name=re.compile("overdue: Child-in-care review")).click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Worklist"
    assert page.get_by_label("Officer").evaluate("select => select.value") == "DEMO-QARO"
    worklist_url = page.url
    items = page.locator("#worklist tbody tr")
    assert all("Overdue" in text for text in items.all_inner_texts())
    assert axe_check(page) == []

    # the child, by name
    page.get_by_role("link", name=f"Review of {NAME} ({CHILD})").click()
    assert page.locator("h1").inner_text() == NAME
    assert axe_check(page) == []

    # correct the IRO contact's date: it was 100 days ago, it was in fact 98
    contact = page.locator("tr[data-contact]")
    assert contact.count() == 1
    contact.get_by_role("link", name=re.compile("^Change")).click()
    assert axe_check(page) == []
    corrected = day - dt.timedelta(days=98)
    page.get_by_label("Day").fill(str(corrected.day))
    page.get_by_label("Month").fill(str(corrected.month))
    page.get_by_label("Year").fill(str(corrected.year))
    page.get_by_role("button", name=re.compile("Save")).click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == NAME
    assert "IRO contact saved" in page.locator(".govuk-notification-banner").inner_text()
    shown = f"{corrected.day} {corrected:%b %Y}"
    assert shown in page.locator("tr[data-contact]").inner_text()
    assert axe_check(page) == []

    # back to the filtered worklist, and download it
    page.goto(worklist_url)
    total = int(page.locator("#worklist caption").inner_text().split()[-1])
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.name == f"worklist-{day.isoformat()}.csv"
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == total
    assert {r["Officer"] for r in rows} == {"Demo QARO"}
    assert {r["Status"] for r in rows} == {"Overdue"}
    assert f"Review of {NAME} ({CHILD})" in [r["Item"] for r in rows]
