"""Who may use the meetings-and-cases pages: ``panel_admin`` changes them (``panels.edit``), the
``adm`` decides (``panels.decide``), the ``manager`` reads (``panels.view``: ``panel_admin`` and
``adm`` read too); every other role gets 403 on every route, before anything is loaded or
written; an anonymous visitor is sent to sign in. A form posted without its CSRF token from
another site is refused (400)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.panels import _meetings_fixtures as fixtures
from tests.panels import factories
from tracker.core.permissions import ROLE_CODES

app_config, fingerprint, seed = fixtures.app_config, fixtures.fingerprint, fixtures.seed
D = dt.date

READ = frozenset({"panel_admin", "adm", "manager"})
EDIT = frozenset({"panel_admin"})
DECIDE = frozenset({"adm"})

# (endpoint, methods, path with the sample references, who may)
ROUTES = [
    ("panels.calendar", ("GET",), "/panels/", READ),
    ("panels.new_meeting", ("GET", "POST"), "/panels/meetings/new", EDIT),
    ("panels.book_year", ("GET", "POST"), "/panels/meetings/book-year", EDIT),
    ("panels.meeting", ("GET",), "/panels/meetings/{meeting}", READ),
    ("panels.edit_meeting", ("GET", "POST"), "/panels/meetings/{meeting}/edit", EDIT),
    ("panels.attendance", ("GET", "POST"), "/panels/meetings/{meeting}/attendance", EDIT),
    ("panels.cancel_meeting", ("GET", "POST"), "/panels/meetings/{meeting}/cancel", EDIT),
    ("panels.new_case", ("GET", "POST"), "/panels/cases/new", EDIT),
    ("panels.case", ("GET",), "/panels/cases/{case}", READ),
    ("panels.edit_case", ("GET", "POST"), "/panels/cases/{case}/edit", EDIT),
    ("panels.outcome", ("GET", "POST"), "/panels/cases/{case}/outcome", EDIT),
    ("panels.decision", ("GET", "POST"), "/panels/cases/{case}/decision", DECIDE),
    ("panels.awaiting", ("GET",), "/panels/awaiting", READ),
    ("panels.adm_queue", ("GET",), "/panels/adm", READ),
    ("panels.to_return", ("GET",), "/panels/to-return", READ),
]
DOWNLOADS = [
    "/panels/?format=csv",
    "/panels/awaiting?format=xlsx",
    "/panels/adm?format=csv",
    "/panels/to-return?format=csv",
]


def test_the_table_covers_every_route_of_these_pages(app):
    rules = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint in {endpoint for endpoint, *_ in ROUTES}
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert rules == {(endpoint, method) for endpoint, methods, *_ in ROUTES for method in methods}


@pytest.fixture
def samples(seed) -> dict:
    """A meeting held on 10 January 2023 and a case with a recommendation and final minutes."""
    with seed():
        meeting = factories.meeting("fostering", D(2023, 1, 10))
        case = factories.case(meeting, recommendation="positive", minutes=D(2023, 1, 12))
        return {"meeting": meeting.meeting_id, "case": case.case_id}


@pytest.mark.parametrize("role", ROLE_CODES)
def test_who_may_use_each_route(app, client, login_as, csrf_token, samples, fingerprint, role):
    """Each route as ``role``: allowed (the page, or the form back with its errors, or the action's
    redirect) or refused (403, nothing written). A POST carries a CSRF token and no other data."""
    login_as(role)
    problems = []
    for _, methods, path, allowed in ROUTES:
        for method in methods:
            url = path.format(**samples)
            before = fingerprint()
            response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": csrf_token(client)})
            response.get_data()
            status = response.status_code
            if role in allowed:
                if status not in (200, 302) or (status == 302 and response.location.startswith("/login")):
                    problems.append(f"{method} {url}: {status}, expected to be allowed")
            elif status != 403:
                problems.append(f"{method} {url}: {status}, expected 403")
            elif fingerprint() != before:
                problems.append(f"{method} {url}: refused, yet something was written")
    assert problems == []


@pytest.mark.parametrize("url", DOWNLOADS)
@pytest.mark.parametrize("role", ROLE_CODES)
def test_downloads_are_the_pages_own(client, login_as, samples, url, role):
    login_as(role)
    response = client.get(url)
    response.get_data()
    assert response.status_code == (200 if role in READ else 403)


def test_an_anonymous_visitor_is_sent_to_sign_in(client, csrf_token, samples):
    for _, methods, path, _ in ROUTES:
        for method in methods:
            url = path.format(**samples)
            response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": csrf_token(client)})
            assert response.status_code == 302 and response.location.startswith("/login"), (method, url)


@pytest.mark.parametrize("path", [p for _, methods, p, _ in ROUTES if "POST" in methods])
def test_a_post_without_the_csrf_token_is_refused(client_request, login_as, samples, fingerprint, path):
    login_as("panel_admin", "adm")
    before = fingerprint()
    client_request.post(path.format(**samples), {"reason": "x", "panel": "fostering"}, csrf=False, status=400)
    assert fingerprint() == before


def test_unknown_references_are_not_found(client_request, login_as):
    login_as("panel_admin", "adm")
    for path in ("/panels/meetings/PM9999", "/panels/cases/PC99999/edit", "/panels/cases/PC99999/decision"):
        client_request.get(path, status=404)


FOSTER_CARERS_READ = ["Foster households", "Reviews to go to panel", "Temporary approvals (regulation 24)"]
FOSTER_CARERS_EDIT = ["Foster households", "Add a foster household", "Reviews to go to panel",
                      "Temporary approvals (regulation 24)"]  # fmt: skip
PANELS_READ_LINKS = ["Panel meetings", "Cases awaiting a date", "ADM queue: decisions due",
                     "Deferred cases to return to panel"]  # fmt: skip


@pytest.mark.parametrize(
    "role, links",
    [
        ("panel_admin", ["Panel meetings", "Book a meeting", "Book a year of meetings", "Add a case", "Cases awaiting a date",
                         "ADM queue: decisions due", "Deferred cases to return to panel", *FOSTER_CARERS_EDIT]),
        ("adm", [*PANELS_READ_LINKS, *FOSTER_CARERS_READ]),
        ("manager", [*PANELS_READ_LINKS, *FOSTER_CARERS_READ]),
        ("qaro", []),
    ],
)  # fmt: skip
def test_the_navigation_and_home_page_offer_the_pages_to_those_who_may_use_them(client_request, login_as, role, links):
    login_as(role)
    home = client_request.get("/")
    assert ("Panels" in home.links(".govuk-service-navigation")) is bool(links)
    panel_links = [text for text, href in home.links().items() if href.startswith("/panels")]
    assert panel_links == links
