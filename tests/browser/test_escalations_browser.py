"""An escalation in a real Chromium: a QARO raises an informal escalation from a child's page
with two areas of concern, escalates it to stage 1, records the response and closes it; the
IRO manager's list and figures follow. The page's "Response due" row is the worklist's
deadline. A second escalation reaches stage 4: flagged for the board chair on its page, in
the lists and on the stage 4 list until it is closed. axe-core checks every page visited."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from tests.browser.helpers import axe_check

pytestmark = pytest.mark.browser


def fill_date(page, name: str, day: dt.date) -> None:
    page.fill(f"#{name}-day", str(day.day))
    page.fill(f"#{name}-month", str(day.month))
    page.fill(f"#{name}-year", str(day.year))


def new_child(live_server, prefix: str) -> str:
    from tracker.extensions import db
    from tracker.reviews.models import Child

    child_id = prefix + uuid.uuid4().hex[:6].upper()
    with live_server.app.app_context():
        db.session.add(Child(child_id=child_id, date_of_birth=dt.date(2012, 5, 1), iro_officer_id="DEMO-QARO"))
        db.session.commit()
    return child_id


def summary_row(page, key: str):
    return page.locator(".govuk-summary-list__row").filter(
        has=page.locator(".govuk-summary-list__key", has_text=re.compile(f"^\\s*{key}\\s*$"))
    )


def expect_response_due(page, stage_label: str) -> None:
    """The "Response due" row: the worklist's escalation_stage deadline, dated in full."""
    from playwright.sync_api import expect

    from tracker.formatters import format_date

    row = summary_row(page, "Response due")
    expect(row).to_have_count(1)
    due = row.locator("[data-due-kind=escalation_stage]")
    expect(due).to_have_count(1)
    expect(row.locator("[data-due-state]")).to_have_count(1)
    expect(row).to_contain_text(format_date(dt.date.fromisoformat(due.get_attribute("data-due-date"))))
    expect(summary_row(page, "Current stage")).to_contain_text(stage_label)


def test_qaro_takes_an_escalation_through_and_the_manager_sees_it(browser, live_server, sign_in):
    from playwright.sync_api import expect

    from tracker.core.clock import today

    child_id = new_child(live_server, "CB")
    day = today()

    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, "qaro@example.org")

    # raise from the child's page
    page.goto(live_server(f"/children/{child_id}"))
    page.get_by_role("link", name="Raise an escalation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Raise an escalation")
    expect(page.locator("#child_id")).to_have_value(child_id)
    page.get_by_role("button", name="Raise escalation").click()  # no area: an error, nothing lost
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select at least one area of concern")
    expect(page.locator("#child_id")).to_have_value(child_id)
    page.get_by_label("Health", exact=True).check()
    page.get_by_label("Education", exact=True).check()
    fill_date(page, "started_date", day)
    page.get_by_role("button", name="Raise escalation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("raised")
    escalation_id = page.url.rstrip("/").rsplit("/", 1)[1]
    assert re.fullmatch(r"E\d{5}", escalation_id), escalation_id  # the database's reference
    expect(page.get_by_role("heading", level=1)).to_contain_text(escalation_id)
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("Stage 4 flag")
    expect_response_due(page, "Informal")
    main = page.locator("main")
    expect(main).to_contain_text("Informal (social worker or team manager)")
    expect(main).to_contain_text("Health")
    expect(main).to_contain_text("Education")
    assert axe_check(page) == []

    # escalate to stage 1
    page.get_by_label("Stage 1", exact=True).check()
    fill_date(page, "escalate-started_date", day)
    page.get_by_role("button", name="Escalate").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("next stage")
    expect(page.locator("#stage-timeline")).to_contain_text("Stage 1")
    expect(page.get_by_role("heading", name="Record the response to Stage 1")).to_be_visible()
    expect_response_due(page, "Stage 1")

    # a response dated before the stage started is refused, in words
    fill_date(page, "response-response_date", day - dt.timedelta(days=400))
    page.get_by_role("button", name="Record response").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The response date must be on or after the day Stage 1 started"
    )
    assert axe_check(page) == []
    fill_date(page, "response-response_date", day)
    page.get_by_label("Summary of the response (optional)").fill("Plan agreed with the team manager")
    page.get_by_role("button", name="Record response").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Response recorded")
    expect(page.locator("#stage-timeline")).to_contain_text("Plan agreed with the team manager")
    expect(summary_row(page, "Response due")).to_have_count(0)  # answered: nothing is due

    # close
    fill_date(page, "close-closed_date", day)
    page.get_by_label("Resolved", exact=True).check()
    page.get_by_role("button", name="Close escalation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("closed")
    expect(page.locator("main")).to_contain_text("Closed")
    expect(page.get_by_role("button", name="Escalate")).to_have_count(0)
    expect(summary_row(page, "Closed")).to_contain_text("Resolved")
    assert axe_check(page) == []

    # the child's page lists it
    page.goto(live_server(f"/children/{child_id}"))
    expect(page.locator("#child-escalations")).to_contain_text(escalation_id)
    assert axe_check(page) == []
    context.close()

    # the IRO manager's list and figures follow
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(10_000)
    manager = context.new_page()
    sign_in(manager, "iro_manager@example.org")
    manager.goto(live_server("/escalations/all?status=closed&area=education"))
    expect(manager.get_by_role("link", name=escalation_id)).to_be_visible()
    assert axe_check(manager) == []
    manager.goto(live_server("/escalations/all"))
    expect(manager.get_by_role("link", name=escalation_id)).to_have_count(0)  # closed: not in the open list
    iso = day.isoformat()
    for indicator in (
        "escalations.started.informal",
        "escalations.started.stage1",
        "escalations.closed",
        "escalations.closed_at.stage1",
        "escalations.area_closed.health",
    ):
        manager.goto(live_server(f"/kpis/{indicator}/numerator?from={iso}&to={iso}"))
        expect(manager.get_by_role("link", name=escalation_id).first).to_be_visible()
    assert axe_check(manager) == []
    context.close()


def test_an_escalation_at_stage_4_is_flagged_until_it_is_closed(browser, live_server, sign_in):
    from playwright.sync_api import expect

    from tracker.core.clock import today

    child_id = new_child(live_server, "CF")
    day = today()
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, "qaro@example.org")

    page.goto(live_server(f"/escalations/new?child={child_id}"))
    page.get_by_label("Stage 3", exact=True).check()
    page.get_by_label("Safety", exact=True).check()
    fill_date(page, "started_date", day)
    page.get_by_role("button", name="Raise escalation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("raised")
    escalation_id = page.url.rstrip("/").rsplit("/", 1)[1]
    heading = page.get_by_role("heading", level=1)
    expect(heading).not_to_contain_text("Stage 4 flag")  # stage 3 is not flagged

    page.get_by_label("Stage 4", exact=True).check()
    fill_date(page, "escalate-started_date", day)
    page.get_by_role("button", name="Escalate").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("next stage")
    expect(heading).to_contain_text("Stage 4 flag")
    expect_response_due(page, "Stage 4")
    assert axe_check(page) == []

    # the lists carry the flag; the stage 4 list (for the board chair) names it
    page.goto(live_server("/escalations/mine"))
    row = page.locator("#escalations-table tbody tr").filter(has=page.get_by_role("link", name=escalation_id))
    expect(row).to_contain_text("Stage 4 flag")
    expect(page.locator(".govuk-inset-text")).to_contain_text("at stage 4 or beyond")
    page.get_by_role("link", name="see the stage 4 list").click()
    expect(page.locator("#stage4-table")).to_contain_text(escalation_id)
    expect(page.locator("#stage4-table").get_by_role("link", name=child_id)).to_be_visible()
    assert axe_check(page) == []
    page.goto(live_server(f"/children/{child_id}"))
    expect(page.locator("#child-escalations")).to_contain_text("Stage 4 flag")

    # closed: no longer for the chair's attention
    page.goto(live_server(f"/escalations/{escalation_id}"))
    fill_date(page, "close-closed_date", day)
    page.get_by_label("Resolved", exact=True).check()
    page.get_by_role("button", name="Close escalation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("closed")
    expect(heading).not_to_contain_text("Stage 4 flag")
    page.goto(live_server("/escalations/stage4"))
    expect(page.get_by_role("link", name=escalation_id)).to_have_count(0)
    context.close()
