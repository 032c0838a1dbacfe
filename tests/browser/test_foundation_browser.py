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
    # the areas each feature registers for the QARO's roles, with their links; no placeholders
    areas = page.locator("main h3")
    expect(areas).to_have_text(["Children in care reviews", "Consultations before reviews", "Escalations"])
    expect(page.get_by_role("link", name="My children", exact=True).first).to_be_visible()
    expect(page.get_by_role("link", name="Raise an escalation")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Coming in a later release")
    expect(page.locator("main")).not_to_contain_text("LADO")

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


@pytest.mark.parametrize(
    ("email", "areas"),
    [
        ("lado@example.org", ["LADO"]),
        ("lado_manager@example.org", ["LADO", "Performance", "Corporate Parenting Board"]),
        ("admin@example.org", ["Performance", "Corporate Parenting Board", "Administration"]),
    ],
)
def test_home_page_lists_the_areas_of_the_users_roles(page, live_server, sign_in, email, areas):
    from playwright.sync_api import expect

    sign_in(page, email)
    expect(page.locator("main h3")).to_have_text(areas)
    for link in page.locator("main ul.govuk-list a").all():  # every link of every area answers
        response = page.request.get(live_server(link.get_attribute("href")))
        assert response.status == 200, link.get_attribute("href")


def test_asset_responses_leave_the_session_cookie_alone(page, live_server, sign_in):
    """A page's CSS, fonts and favicon can be answered after the user has moved on to a form
    page. If their responses set the session cookie, the browser keeps the older session and
    the form's CSRF secret is lost: "Sorry, there is a problem with your request", typing gone."""
    sign_in(page, "qaro@example.org")
    for path in ("/static/tracker.css", "/static/favicon.svg", "/assets/fonts/bold-b542beb274-v2.woff2"):
        response = page.request.get(live_server(path))
        assert response.status == 200, path
        assert "set-cookie" not in response.headers, path


ROLE_PAGES = {
    "qaro@example.org": ["/children/", "/children/new", "/escalations/mine", "/escalations/new", "/worklist/mine"],
    "iro_manager@example.org": ["/children/team", "/escalations/all", "/escalations/stage4", "/worklist/"],
    "lado@example.org": ["/lado/", "/lado/referrals", "/lado/actions", "/lado/search", "/worklist/mine"],
    "lado_manager@example.org": ["/lado/oversight", "/lado/retention", "/kpis/"],
    "manager@example.org": ["/children/?scope=all", "/children/team", "/worklist/"],
    "admin@example.org": ["/admin/rules/", "/admin/rules/closures/new"],
}


@pytest.mark.parametrize("email", list(ROLE_PAGES))
def test_each_roles_pages_render_and_pass_axe(page, live_server, sign_in, email):
    """The lists and forms of each role, even with nothing recorded yet: each answers, says so
    when a list is empty, and has no serious accessibility violation."""
    from playwright.sync_api import expect

    sign_in(page, email)
    assert axe_check(page) == [], "/"
    for path in ROLE_PAGES[email]:
        response = page.goto(live_server(path))
        assert response.status == 200, path
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        for table in page.locator("main table").all():  # an empty list is said in words, not an empty table
            assert table.locator("tbody tr").count() > 0, path
        assert axe_check(page) == [], path
