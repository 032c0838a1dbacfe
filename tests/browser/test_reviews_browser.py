"""A QARO records a review in the browser: the next due date moves, the child leaves the
overdue list, the manager sees the QARO's figures change; the child page passes axe."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.browser.helpers import axe_check

CHILD = "BRW-REV-1"


@pytest.fixture
def overdue_child(live_server):
    from tracker.core.clock import today
    from tracker.extensions import db
    from tracker.reviews import operations
    from tracker.reviews.models import Child

    app = live_server.app
    with app.app_context():
        if db.session.query(Child).filter_by(child_id=CHILD).one_or_none() is None:
            child = operations.create_child(
                child_id=CHILD,
                first_name="Robin",
                last_name="Brown",
                date_of_birth=dt.date(2013, 3, 4),
                iro_officer_id="DEMO-QARO",
            )
            operations.add_care_period(child, start_date=today() - dt.timedelta(days=70))
            db.session.commit()
        return today()


def _year_held(page) -> int:
    return int(page.locator('[data-figure="year-held"]').inner_text())


def test_qaro_records_a_review_and_the_manager_sees_the_figures_change(
    browser, page, live_server, sign_in, overdue_child
):
    day = overdue_child
    manager = browser.new_context(locale="en-GB").new_page()
    try:
        sign_in(manager, "manager@example.org")
        manager.goto(live_server("/children/team?officer=DEMO-QARO"))
        held_before = _year_held(manager)

        sign_in(page, "qaro@example.org")
        page.goto(live_server("/children/"))
        row = page.locator(f'tr[data-child="{CHILD}"]')
        assert "Overdue" in row.inner_text()
        row.get_by_role("link").first.click()
        assert page.locator("h1").inner_text() == "Robin Brown"
        due_before = page.locator("#next-review-due [data-due-date]").get_attribute("data-due-date")
        assert "Overdue" in page.locator("#next-review-due").inner_text()

        violations = axe_check(page)
        assert violations == [], violations

        page.get_by_role("link", name="Record a review").click()
        for prefix, value in (("review_date", day), ("recommendations_date", day)):
            page.locator(f"#{prefix}-day").fill(str(value.day))
            page.locator(f"#{prefix}-month").fill(str(value.month))
            page.locator(f"#{prefix}-year").fill(str(value.year))
        page.get_by_label("PN1: Child attends and speaks for themselves").check()
        page.get_by_role("button", name="Save review").click()

        from tracker.formatters import format_date, format_date_short

        assert f"Review held on {format_date(day)} saved" in page.locator(".govuk-notification-banner").inner_text()
        due_after = page.locator("#next-review-due [data-due-date]").get_attribute("data-due-date")
        assert due_after != due_before
        from tracker.core.calendar import add_months

        assert due_after == add_months(day, 3).isoformat()
        assert format_date_short(add_months(day, 3)) in page.locator("#next-review-due").inner_text()
        assert "Overdue" not in page.locator("#next-review-due").inner_text()
        assert "Issued" in page.locator("tr[data-review]").first.inner_text()
        assert re.fullmatch(r"R\d{6}", page.locator("tr[data-review]").first.get_attribute("data-review"))
        held = page.locator("tr[data-review]").first.locator("td").nth(1)
        assert held.inner_text() == format_date_short(day)  # in a table: the short date
        assert axe_check(page) == []

        page.goto(live_server("/children/"))
        assert "Overdue" not in page.locator(f'tr[data-child="{CHILD}"]').inner_text()

        manager.goto(live_server("/children/team?officer=DEMO-QARO"))
        assert _year_held(manager) == held_before + 1
        assert axe_check(manager) == []
    finally:
        manager.context.close()
