"""Notifications in a real Chromium: the administrator names the board chair; an escalation
reaches stage 4 and the scheduled job alerts the IRO manager and the board chair, whose home
pages show the notice (a link to the escalation for the IRO manager only); the administrator
reads the run on the jobs page; the IRO manager turns the daily digest off. axe-core checks
every page visited."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.browser.helpers import axe_check

pytestmark = pytest.mark.browser


def stage_4_escalation(live_server) -> str:
    """An escalation about a new child that reached stage 4 two days ago; its reference."""
    from tests.escalations import factories
    from tracker.core.clock import today
    from tracker.extensions import db

    with live_server.app.app_context():
        now = today()
        made = factories.escalation(
            stages=(("informal", now - dt.timedelta(days=10)), ("stage4", now - dt.timedelta(days=2))),
            raised_by=None,
        )
        db.session.commit()
        return made.escalation_id


def test_a_stage_4_escalation_reaches_the_iro_manager_and_the_board_chair(browser, page, live_server, sign_in):
    from playwright.sync_api import expect

    from tracker.jobs.runner import run_job

    # the administrator names the board chair
    sign_in(page, "admin@example.org")
    page.get_by_role("link", name="Users' notification settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Users’ notification settings")
    assert axe_check(page) == []
    page.get_by_role("link", name=re.compile(r"^Demo Board\W+change notification settings$")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Notification settings")
    assert axe_check(page) == []
    page.get_by_role("group", name="Is this user the chair of the Corporate Parenting Board?").get_by_label(
        "Yes"
    ).check()
    page.get_by_role("button", name="Save notification settings").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Notification settings saved.")
    expect(page.locator("#notifications + .govuk-summary-list")).to_contain_text("Yes")
    assert axe_check(page) == []

    # the job the scheduler runs every 15 minutes
    ref = stage_4_escalation(live_server)
    with live_server.app.app_context():
        run = run_job("escalation-alert")
        assert (run.status.value, run.failed) == ("succeeded", 0) and run.sent >= 2

    page.goto(live_server("/admin/jobs"))
    expect(page.locator("#jobs")).to_contain_text("escalation-alert")
    expect(page.locator("#runs tbody tr").first).to_contain_text("escalation-alert")
    expect(page.locator("#failed-empty")).to_be_visible()
    assert axe_check(page) == []

    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(10_000)
    chair = context.new_page()
    try:
        sign_in(chair, "board@example.org")
        notices = chair.locator("#notices")
        expect(notices).to_contain_text(f"Escalation {ref} reached stage 4 on")
        expect(notices.get_by_role("link")).to_have_count(0)  # a board member does not open escalations
        assert axe_check(chair) == []
    finally:
        context.close()

    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(10_000)
    manager = context.new_page()
    try:
        sign_in(manager, "iro_manager@example.org")
        manager.locator("#notices").get_by_role("link", name=f"Escalation {ref} reached stage 4").click()
        expect(manager.get_by_role("heading", level=1)).to_contain_text(ref)
        manager.get_by_role("link", name="Notifications").click()
        expect(manager.get_by_role("heading", level=1)).to_have_text("Your notifications")
        expect(manager.locator("#always")).to_contain_text("an email when an escalation reaches stage 4")
        assert axe_check(manager) == []
        manager.get_by_label("No, I will look at my worklist in the tracker").check()
        manager.get_by_role("button", name="Save notification settings").click()
        expect(manager.locator(".govuk-notification-banner")).to_contain_text("Notification settings saved.")
        expect(manager.get_by_label("No, I will look at my worklist in the tracker")).to_be_checked()
        assert axe_check(manager) == []
    finally:
        context.close()

    with live_server.app.app_context():  # run again: nobody is alerted twice
        again = run_job("escalation-alert")
        assert again.sent == 0 and again.skipped >= 2
