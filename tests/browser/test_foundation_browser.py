"""Sign in, home page and sign out in a real Chromium, and accessibility checks with axe-core."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import axe_check

pytestmark = pytest.mark.browser


def test_qaro_signs_in_sees_home_and_signs_out(page, live_server, sign_in):
    from playwright.sync_api import expect

    page.goto(live_server("/"))
    expect(page).to_have_url(re.compile(r"/login"))  # anonymous: sent to sign in
    sign_in(page, "qaro@example.org")
    expect(page).to_have_url(live_server("/"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(re.compile("My children|My worklist"))
    expect(heading).to_contain_text("Demo QARO")
    expect(page.get_by_role("link", name="Users")).to_have_count(0)  # not an admin

    page.get_by_role("link", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign out")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(live_server("/"))
    expect(page).to_have_url(re.compile(r"/login"))


def test_wrong_password_shows_error_summary(page, live_server, sign_in):
    from playwright.sync_api import expect

    sign_in(page, "lado@example.org", "not-the-password")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Enter a correct email address and password")
    assert axe_check(page) == []


def test_login_page_has_no_serious_accessibility_violations(page, live_server):
    page.goto(live_server("/login"))
    assert axe_check(page) == []


@pytest.mark.parametrize("email", ["qaro@example.org", "admin@example.org"])
def test_home_page_has_no_serious_accessibility_violations(page, live_server, sign_in, email):
    sign_in(page, email)
    assert page.url == live_server("/")
    assert axe_check(page) == []


def test_admin_pages_have_no_serious_accessibility_violations(page, live_server, sign_in):
    sign_in(page, "admin@example.org")
    for path in ("/admin/users", "/admin/users/new", "/admin/users/1", "/admin/audit"):
        page.goto(live_server(path))
        assert axe_check(page) == [], path
