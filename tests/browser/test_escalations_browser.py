"""An escalation in a real Chromium: a QARO raises an informal escalation from a child's page
with two areas of concern, escalates it to stage 1, records the response and closes it; the
IRO manager's list and figures follow. axe-core checks the escalation page."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from tests.browser.helpers import axe_check

pytestmark = pytest.mark.browser


def fill_date(page, name: str, day: dt.date) -> None:
    page.fill(f"#{name}-day", str(day.day))
    page.fill(f"#{name}-month", str(day.month))
    page.fill(f"#{name}-year", str(day.year))


def test_qaro_takes_an_escalation_through_and_the_manager_sees_it(browser, live_server, sign_in):
    from playwright.sync_api import expect

    from tracker.core.clock import today
    from tracker.extensions import db
    from tracker.reviews.models import Child

    child_id = "CB" + uuid.uuid4().hex[:6].upper()
    with live_server.app.app_context():
        db.session.add(Child(child_id=child_id, date_of_birth=dt.date(2012, 5, 1), iro_officer_id="DEMO-QARO"))
        db.session.commit()
        day = today()

    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, "qaro@example.org")

    # raise from the child's page
    page.goto(live_server(f"/children/{child_id}"))
    page.get_by_role("link", name="Raise an escalation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Raise an escalation")
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

    # close
    fill_date(page, "close-closed_date", day)
    page.get_by_label("Resolved", exact=True).check()
    page.get_by_role("button", name="Close escalation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("closed")
    expect(page.locator("main")).to_contain_text("Closed")
    expect(page.get_by_role("button", name="Escalate")).to_have_count(0)
    assert axe_check(page) == []

    # the child's page lists it
    page.goto(live_server(f"/children/{child_id}"))
    expect(page.locator("#child-escalations")).to_contain_text(escalation_id)
    context.close()

    # the IRO manager's list and figures follow
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(10_000)
    manager = context.new_page()
    sign_in(manager, "iro_manager@example.org")
    manager.goto(live_server("/escalations/all?status=closed&area=education"))
    expect(manager.get_by_role("link", name=escalation_id)).to_be_visible()
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
    context.close()
