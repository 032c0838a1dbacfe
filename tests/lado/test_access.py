"""Only the LADO roles see LADO pages, worklist items and drill-downs; every read is audited."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.core.permissions import ROLE_CODES

NON_LADO = [r for r in ROLE_CODES if r not in ("lado", "lado_manager")]


def lado_urls(app) -> list[str]:
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/lado") or "GET" not in rule.methods:
            continue
        values = dict.fromkeys(rule.arguments, "dummy")
        urls.append(adapter.build(rule.endpoint, values) + "?page=2&name=x&sector=education")
    return urls


def test_the_sweep_covers_the_lado_pages(app):
    urls = lado_urls(app)
    assert len(urls) >= 20 and "/lado/?page=2&name=x&sector=education" in urls


@pytest.mark.parametrize("role", NON_LADO)
def test_every_lado_route_is_forbidden_to_other_roles(app, client, login_as, role):
    login_as(role)
    refused = {url: client.get(url).status_code for url in lado_urls(app)}
    assert set(refused.values()) == {403}, refused


def test_every_lado_route_is_forbidden_even_to_a_user_with_all_other_roles(app, client, login_as):
    login_as(*NON_LADO)
    assert {client.get(url).status_code for url in lado_urls(app)} == {403}


def test_anonymous_visitors_are_sent_to_sign_in(app, client):
    for url in lado_urls(app):
        assert client.get(url).status_code in (302, 401), url


@pytest.mark.parametrize("role", ["lado", "lado_manager"])
def test_lado_roles_open_the_pages(app, client, login_as, role):
    login_as(role)
    for path in ("/lado/", "/lado/contacts/new", "/lado/referrals", "/lado/actions", "/lado/search"):
        assert client.get(path).status_code == 200, path
    expected = 200 if role == "lado_manager" else 403  # oversight and retention: the manager's
    assert client.get("/lado/retention").status_code == expected
    assert client.get("/lado/oversight").status_code == expected


def seed(app):
    from tracker.extensions import db
    from tracker.lado import operations

    with app.app_context():
        contact = operations.log_contact(
            contact_date=dt.date(2023, 1, 2),
            employer_sector="education",
            disposition="referral",
            person_ref="P9",
            person_name="Jo Bloggs",
            organisation_ref="ORG9",
        )
        operations.add_action(contact.referral, description="Training", owner="L1", due_date=dt.date(2023, 1, 20))
        db.session.commit()
        return contact.contact_id, contact.referral.referral_id


@pytest.mark.parametrize(
    "path, object_type",
    [
        ("/lado/contacts/{c}", "lado_contact"),
        ("/lado/referrals/{r}", "lado_referral"),
        ("/lado/people/P9", "lado_person"),
        ("/lado/organisations/ORG9", "lado_organisation"),
    ],
)
def test_a_lado_page_view_writes_an_audit_row_without_names(app, client, login_as, path, object_type):
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    contact_id, referral_id = seed(app)
    user = login_as("lado")
    response = client.get(path.format(c=contact_id, r=referral_id))
    assert response.status_code == 200
    with app.app_context():
        reads = db.session.query(AuditEntry).filter_by(action="lado_record.read", object_type=object_type).all()
        assert len(reads) == 1
        assert reads[0].user_id == user.id
        assert "Jo" not in reads[0].summary and "Bloggs" not in reads[0].summary


def test_a_search_is_audited(app, client, login_as, csrf_token):
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    seed(app)
    login_as("lado")
    response = client.post(
        "/lado/search", data={"csrf_token": csrf_token(client), "name": "bloggs"}, follow_redirects=True
    )
    assert response.status_code == 200 and b"P9" in response.data
    with app.app_context():
        entry = db.session.query(AuditEntry).filter_by(action="lado_record.read", object_type="lado_search").one()
        assert "bloggs" not in entry.summary.lower() and "bloggs" not in str(entry.after).lower()
        assert entry.after["people"] == ["P9"] and entry.after["by"] == ["name"]


@pytest.fixture
def app_config():
    return {"TODAY": "2023-01-16"}


def test_lado_items_never_reach_other_roles_worklists_or_drilldowns(app, make_user):
    from flask_login import login_user

    from tracker.core import kpis, worklist
    from tracker.core.kpis import Period

    seed(app)
    manager = make_user("m@example.org", ["manager", "iro_manager", "qaro", "analyst"], officer_id="L1")
    lado = make_user("l@example.org", ["lado"], officer_id="L1x")
    as_of = dt.date(2023, 1, 16)
    with app.app_context():
        from tracker.extensions import db

        assert not [i for i in worklist.collect(as_of, user=db.session.merge(manager)) if i.kind.startswith("lado")]
        assert {i.kind for i in worklist.collect(as_of, user=db.session.merge(lado))} >= {"lado_iem", "lado_action"}
        assert worklist.items_for(db.session.merge(manager), as_of) == [] or all(
            not i.kind.startswith("lado") for i in worklist.items_for(db.session.merge(manager), as_of)
        )
    period = Period(dt.date(2023, 1, 1), dt.date(2023, 1, 31), dt.date(2023, 1, 31))
    with app.test_request_context():
        login_user(db.session.merge(manager))
        from werkzeug.exceptions import Forbidden

        with pytest.raises(Forbidden):
            kpis.drill("lado.referrals", period)
        login_user(db.session.merge(lado))
        assert [r["ref"] for r in kpis.drill("lado.referrals", period)]
