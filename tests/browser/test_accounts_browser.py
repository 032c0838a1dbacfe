"""Accounts in a real Chromium: an administrator resets a colleague's password, the colleague
signs in with the temporary password, is led to the change-password page and chooses their own;
the pages pass axe-core."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.browser.helpers import axe_check

pytestmark = pytest.mark.browser


@pytest.fixture
def colleague(live_server):
    """A user of this test only (the live server's demo users are shared by every browser test)."""
    from tracker.auth import operations
    from tracker.extensions import db

    email = f"colleague-{uuid.uuid4().hex[:8]}@example.org"
    with live_server.app.app_context():
        user = operations.create_user(
            email=email, name="Colleague Browser", roles=["qaro"], password=None, actor="test"
        )
        db.session.commit()
        return user.id, email


def test_a_reset_password_is_changed_at_the_next_sign_in(browser, page, live_server, sign_in, colleague):
    from playwright.sync_api import expect

    user_id, email = colleague
    sign_in(page, "admin@example.org")
    page.goto(live_server(f"/admin/users/{user_id}"))
    assert axe_check(page) == []
    page.get_by_role("button", name="Reset password").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Password reset")
    temporary = page.locator("#temporary-password").inner_text()
    assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", temporary)
    assert axe_check(page) == []

    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(10_000)
    theirs = context.new_page()
    try:
        sign_in(theirs, email, temporary)
        expect(theirs).to_have_url(live_server("/account/password"))
        expect(theirs.get_by_role("heading", level=1)).to_have_text("Change your password")
        expect(theirs.locator("main")).to_contain_text("You signed in with a temporary password")
        assert axe_check(theirs) == []

        theirs.goto(live_server("/"))  # any other page leads back here
        expect(theirs).to_have_url(re.compile(r"/account/password"))

        theirs.get_by_label("Current password").fill(temporary)
        theirs.get_by_label("New password").fill("password1234")
        theirs.get_by_role("button", name="Change password").click()
        summary = theirs.locator(".govuk-error-summary")
        expect(summary).to_be_visible()
        expect(summary).to_contain_text("Your new password is too easy to guess")
        expect(theirs.get_by_label("New password")).to_have_value("")  # a password is never sent back
        assert axe_check(theirs) == []

        theirs.get_by_label("Current password").fill(temporary)
        theirs.get_by_label("New password").fill("lantern orbit cobble")
        theirs.get_by_role("button", name="Change password").click()
        expect(theirs).to_have_url(live_server("/"))
        expect(theirs.locator(".govuk-notification-banner")).to_contain_text("Your password has been changed")
        theirs.get_by_role("link", name="Change password").click()
        expect(theirs.get_by_role("heading", level=1)).to_have_text("Change your password")
        assert axe_check(theirs) == []
    finally:
        context.close()
