"""Who may open the foster carers' pages (domain.md §1): the panel administrator changes, the ADM
and the manager read, every other role is refused (403, nothing written), an anonymous visitor is
sent to sign in. Every route of the households part of /panels is in the table below."""

from __future__ import annotations

import pytest

from tests.panels import factories
from tests.panels._household_fixtures import TODAY, seed
from tracker.core.permissions import ROLE_CODES

READ = frozenset({"panel_admin", "adm", "manager"})
EDIT = frozenset({"panel_admin"})
HOUSEHOLD = "/panels/households/H0001"
REVIEW = f"{HOUSEHOLD}/reviews/CR00001"

ROUTES = [  # (method, url, roles allowed)
    ("GET", "/panels/households", READ),
    ("GET", "/panels/households?status=all&format=csv", READ),
    ("POST", "/panels/households", READ),  # the search (posted, kept in the session)
    ("GET", "/panels/households/new", EDIT),
    ("POST", "/panels/households/new", EDIT),
    ("GET", HOUSEHOLD, READ),
    ("GET", f"{HOUSEHOLD}/edit", EDIT),
    ("POST", f"{HOUSEHOLD}/edit", EDIT),
    ("GET", f"{HOUSEHOLD}/status", EDIT),
    ("POST", f"{HOUSEHOLD}/status", EDIT),
    ("GET", f"{HOUSEHOLD}/end", EDIT),
    ("POST", f"{HOUSEHOLD}/end", EDIT),
    ("GET", f"{HOUSEHOLD}/reviews/new", EDIT),
    ("POST", f"{HOUSEHOLD}/reviews/new", EDIT),
    ("GET", f"{REVIEW}/edit", EDIT),
    ("POST", f"{REVIEW}/edit", EDIT),
    ("GET", f"{REVIEW}/remove", EDIT),
    ("POST", f"{REVIEW}/remove", EDIT),
    ("GET", f"{HOUSEHOLD}/extend", EDIT),
    ("POST", f"{HOUSEHOLD}/extend", EDIT),
    ("GET", f"{HOUSEHOLD}/full-approval", EDIT),
    ("POST", f"{HOUSEHOLD}/full-approval", EDIT),
    ("GET", "/panels/returns-to-panel", READ),
    ("GET", "/panels/temporary-approvals", READ),
]
ENDPOINTS = {
    "panels.households",
    "panels.new_household",
    "panels.household",
    "panels.edit_household",
    "panels.household_status",
    "panels.end_household",
    "panels.new_carer_review",
    "panels.edit_carer_review",
    "panels.remove_carer_review",
    "panels.extend_temporary_approval",
    "panels.full_approval",
    "panels.returns",
    "panels.temporary_approvals",
}


@pytest.fixture
def app_config():
    return {"TODAY": TODAY}


@pytest.fixture
def sample(app):
    with seed(app):
        household = factories.household(carer_type="temporary", name="Sample household")
        factories.carer_review(household, factories.D(2022, 6, 1))


def _written(app) -> tuple:
    """What a refused request must not change: audit rows, households, reviews and their versions."""
    from sqlalchemy import func, select

    from tracker.core.audit import AuditEntry
    from tracker.extensions import db
    from tracker.panels.models import CarerReview, FosterHousehold

    with app.app_context():
        return tuple(
            db.session.execute(select(func.count(), func.sum(model.version))).one()
            for model in (FosterHousehold, CarerReview)
        ) + (db.session.scalar(select(func.count()).select_from(AuditEntry)),)


def test_the_table_covers_every_route_of_the_households_part(app):
    routes = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint in ENDPOINTS
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    adapter = app.url_map.bind("localhost")
    covered = set()
    for method, url, _roles in ROUTES:
        rule, _args = adapter.match(url.split("?")[0], method=method, return_rule=True)
        covered.add((method, rule.rule))
    assert routes == covered


@pytest.mark.parametrize("role", ROLE_CODES)
def test_each_role_gets_what_the_table_says(app, client, csrf_token, login_as, sample, role):
    login_as(role)
    problems = []
    for method, url, allowed in ROUTES:
        before = _written(app)
        response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": csrf_token(client)})
        if role in allowed:
            if response.status_code not in (200, 302):
                problems.append((method, url, response.status_code))
        elif response.status_code != 403 or _written(app) != before:
            problems.append((method, url, response.status_code, "written" if _written(app) != before else ""))
    assert problems == []


def test_anonymous_visitors_are_sent_to_sign_in(client, sample):
    for method, url, _allowed in ROUTES:
        response = client.get(url) if method == "GET" else client.post(url)
        assert response.status_code in (302, 400), (method, url)
        if method == "GET":
            assert response.location.startswith("/login"), url


def test_a_user_with_every_other_role_is_still_refused(app, client, csrf_token, login_as, sample):
    login_as(*[r for r in ROLE_CODES if r not in READ])
    before = _written(app)
    for method, url, _allowed in ROUTES:
        response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": csrf_token(client)})
        assert response.status_code == 403, (method, url)
    assert _written(app) == before
