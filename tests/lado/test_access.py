"""Only the LADO roles see LADO pages, worklist items and drill-downs (domain.md §1): every
/lado rule refuses every other role (403, before anything is loaded), and the search is an
audited read that records references, never what was searched for."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.lado.factories import PERSON_NAME
from tracker.core.permissions import ROLE_CODES

NON_LADO = [r for r in ROLE_CODES if r not in ("lado", "lado_manager")]
QUERY = "?page=2&name=x&sector=education"  # whatever a URL carries, the answer is the same


@pytest.fixture
def lado_urls(lado_get_rules, build_url):
    """Every GET page of /lado, with made-up references (access is refused before loading)."""
    return [build_url(rule, **dict.fromkeys(rule.arguments, "dummy")) + QUERY for rule in lado_get_rules]


@pytest.fixture
def lado_post_urls(app, build_url):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("lado.") and "POST" in r.methods]
    return [build_url(rule, **dict.fromkeys(rule.arguments, "dummy")) for rule in rules]


def test_the_sweep_covers_the_lado_pages(lado_urls, lado_post_urls):
    assert len(lado_urls) >= 24 and f"/lado/{QUERY}" in lado_urls
    assert {f"/lado/contacts/dummy/edit{QUERY}", f"/lado/meetings/dummy/edit{QUERY}"} <= set(lado_urls)
    assert len(lado_post_urls) >= 16 and "/lado/search" in lado_post_urls


@pytest.mark.parametrize("role", NON_LADO)
def test_every_lado_page_is_forbidden_to_other_roles(client, login_as, lado_urls, role):
    login_as(role)
    refused = {url: client.get(url).status_code for url in lado_urls}
    assert set(refused.values()) == {403}, refused


def test_every_lado_page_and_form_is_forbidden_to_a_user_with_all_other_roles(
    client, client_request, login_as, lado_urls, lado_post_urls, lado_reads
):
    login_as(*NON_LADO)
    assert {url: client.get(url).status_code for url in lado_urls} == dict.fromkeys(lado_urls, 403)
    for url in lado_post_urls:  # with a valid CSRF token: refused for the role, not the form
        client_request.post(url, {"name": "x"}, status=403)
    assert lado_reads() == []


def test_anonymous_visitors_are_sent_to_sign_in(client, lado_urls):
    answers = {url: client.get(url) for url in lado_urls}
    assert {url: r.status_code for url, r in answers.items()} == dict.fromkeys(lado_urls, 302)
    assert all("/login" in r.headers["Location"] for r in answers.values())


@pytest.mark.parametrize("role", ["lado", "lado_manager"])
def test_lado_roles_open_the_pages(client_request, login_as, role):
    login_as(role)
    for path, heading in (
        ("/lado/", "LADO contacts"),
        ("/lado/contacts/new", "Log a contact"),
        ("/lado/referrals", "Open referrals"),
        ("/lado/actions", "Actions tracker"),
        ("/lado/search", "Find a person or organisation"),
    ):
        assert client_request.get(path).h1 == heading
    manager = role == "lado_manager"  # oversight and retention are the manager's
    assert client_request.get("/lado/oversight", status=200 if manager else 403).h1 == (
        "LADO oversight" if manager else "You do not have access to this page"
    )
    client_request.get("/lado/retention", status=200 if manager else 403)
    navigation = client_request.get("/lado/").links("nav[aria-label='LADO pages']")
    assert ("Oversight" in navigation) is manager and ("Past retention" in navigation) is manager


def test_a_search_is_an_audited_read_of_references_only(client_request, login_as, seeded, lado_reads):
    user = login_as("lado")
    page = client_request.post("/lado/search", {"name": "bloggs"}, follow=True, status=200)
    assert page.table("#people") == [[seeded.person_ref, PERSON_NAME, "17 May 1980"]]
    (shown,) = lado_reads()  # the page of results (the post redirected: it showed nothing)
    assert (shown.object_type, shown.object_id, shown.user_id) == ("lado_page", "lado.search", user.id)
    # which kinds of criteria were used, never their values
    assert shown.after == {"refs": [seeded.person_public_id], "page": 1, "total": 1, "by": ["name"]}
    assert "bloggs" not in (shown.summary + str(shown.after)).lower()


def test_lado_items_never_reach_other_roles_worklists_or_drilldowns(app, seeded, make_user):
    from flask_login import login_user
    from werkzeug.exceptions import Forbidden

    from tracker.core import kpis, worklist
    from tracker.core.kpis import Period
    from tracker.extensions import db

    manager = make_user("m@example.org", ["manager", "iro_manager", "qaro", "analyst"], officer_id="L1")
    lado = make_user("l@example.org", ["lado"], officer_id="L1x")
    as_of = dt.date(2023, 1, 16)
    with app.app_context():
        manager, lado = db.session.merge(manager), db.session.merge(lado)
        assert [i.kind for i in worklist.collect(as_of, user=manager) if i.kind.startswith("lado")] == []
        assert worklist.items_for(manager, as_of) == []  # owner L1 holds the seeded action: not shown
        assert {(i.kind, i.ref, i.state) for i in worklist.collect(as_of, user=lado) if i.kind.startswith("lado")} == {
            ("lado_iem", seeded.referral_id, "overdue"),
            ("lado_action", seeded.action_id, "due_soon"),
        }
    period = Period(dt.date(2023, 1, 1), dt.date(2023, 1, 31), dt.date(2023, 1, 31))
    with app.test_request_context():
        login_user(db.session.merge(manager))
        with pytest.raises(Forbidden):
            kpis.drill("lado.referrals", period)
        login_user(db.session.merge(lado))
        assert [r["ref"] for r in kpis.drill("lado.referrals", period)] == [seeded.referral_id]


def test_other_roles_cannot_open_a_lado_drill_down_page(client_request, login_as, seeded):
    login_as("manager")
    client_request.get("/kpis/lado.referrals/numerator?from=2023-01-01&to=2023-01-31", status=403)
