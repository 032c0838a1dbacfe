"""A LADO's day in a real Chromium: an anonymous consultation, two named contacts about the same
person (advice, then one that becomes a referral), IEM and PAIM (one changed afterwards), the
outcome and an action; the person's page lists both of their contacts, and the posted search
finds them without their name in the URL. axe-core checks the contact form and referral page."""

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


def log_contact(
    page, live_server, *, sector: str, disposition: str, person_ref: str | None = None, name: str | None = None
):
    page.goto(live_server("/lado/contacts/new"))
    page.select_option("#employer_sector", sector)
    page.check(f"input[name=disposition][value={disposition}]")
    if person_ref:
        page.fill("#person_ref", person_ref)
    if name:
        page.fill("#person_name", name)
    page.get_by_role("button", name="Save contact").click()
    page.wait_for_load_state()


def test_lado_logs_contacts_runs_a_referral_and_finds_the_person(page, live_server, sign_in):
    from playwright.sync_api import expect

    ref = "PB" + uuid.uuid4().hex[:6].upper()
    sign_in(page, "lado@example.org")

    # the quick contact form: accessible, and an error keeps what was typed
    page.goto(live_server("/lado/contacts/new"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a contact")
    assert axe_check(page) == []
    page.fill("#person_name", "Kept Name")
    page.get_by_role("button", name="Save contact").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the employer sector")
    expect(page.locator("#person_name")).to_have_value("Kept Name")
    assert axe_check(page) == []

    # 1. an anonymous consultation
    log_contact(page, live_server, sector="sport", disposition="advice")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("saved")
    expect(page.locator("main")).to_contain_text("Anonymous consultation")

    # 2. a named advice contact, 3. a named contact about the same person that becomes a referral
    log_contact(page, live_server, sector="education", disposition="advice", person_ref=ref, name="Pat Browser")
    expect(page.get_by_role("link", name=ref)).to_be_visible()
    log_contact(page, live_server, sector="education", disposition="advice", person_ref=ref)
    page.get_by_role("link", name="Progress to a referral").click()
    page.get_by_role("button", name="Progress to a referral").click()
    expect(page).to_have_url(re.compile(r"/lado/referrals/RW\d+$"))
    referral_url = page.url

    today = dt.date.today()
    for kind in ("iem", "paim"):
        page.get_by_role("link", name="Record a meeting").click()
        expect(page.locator(f"input[name=meeting_type][value={kind}]")).to_be_checked()  # the next one is suggested
        fill_date(page, "meeting_date", today)
        page.fill("#decisions", f"{kind} decisions")
        page.get_by_role("button", name="Save meeting").click()
        expect(page).to_have_url(referral_url)

    page.get_by_role("link", name="Record the outcome").click()
    expect(page.locator("main")).to_contain_text("insufficient evidence either to prove or disprove")
    page.check("input[name=outcome][value=unsubstantiated]")
    page.get_by_role("button", name="Save outcome").click()
    expect(page).to_have_url(referral_url)

    page.get_by_role("link", name="Add an action").click()
    page.fill("#description", "Safer recruitment training for the school")
    page.fill("#owner", "Head teacher")
    fill_date(page, "due_date", today + dt.timedelta(days=60))
    page.get_by_role("button", name="Add action").click()
    expect(page).to_have_url(referral_url)

    timeline = page.locator("#timeline")
    for text in (
        "Contact",
        "Referral",
        "Initial Evaluation Meeting",
        "Post-Allegation Investigation Meeting",
        "Outcome: Unsubstantiated",
    ):
        expect(timeline).to_contain_text(text)
    expect(page.locator("main")).to_contain_text("Safer recruitment training for the school")
    assert axe_check(page) == []

    # a meeting's details can be changed from the referral page
    page.get_by_role("link", name=re.compile(r"^Change meeting")).first.click()
    expect(page.locator("#decisions")).to_have_value("iem decisions")
    page.fill("#decisions", "iem decisions, revised")
    page.get_by_role("button", name="Save meeting").click()
    expect(page).to_have_url(referral_url)
    expect(timeline).to_contain_text("iem decisions, revised")

    # the person's page lists both of that person's contacts, and the referral
    page.goto(live_server(f"/lado/people/{ref}"))
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(page.locator("table")).to_contain_text("RW")
    expect(page.locator("table")).to_contain_text("Unsubstantiated")

    # the search is posted: the name never reaches the address bar (nor the server's request log)
    page.goto(live_server("/lado/search"))
    page.fill("#name", "Pat Browser")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(live_server("/lado/search"))
    expect(page.locator("main table")).to_contain_text(ref)
    assert "Pat" not in page.url and "Browser" not in page.url
    assert axe_check(page) == []
