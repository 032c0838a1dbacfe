"""User administration and the audit log page."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tracker.auth.models import User, user_by_email
from tracker.core.audit import AuditEntry
from tracker.extensions import db


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry))


def audit_rows(app, **filters):
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        for key, value in filters.items():
            query = query.where(getattr(AuditEntry, key) == value)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def roles_of(app, user_id) -> list[str]:
    with app.app_context():
        return sorted(db.session.get(User, user_id).role_codes)


@pytest.fixture
def admin(login_as):
    return login_as("admin")


def test_users_list_and_user_page(client, admin, make_user):
    target = make_user("target@example.org", ["qaro"], name="Tara Get")
    html = client.get("/admin/users").get_data(as_text=True)
    assert "Tara Get" in html and "target@example.org" in html and '<th scope="col"' in html
    html = client.get(f"/admin/users/{target.id}").get_data(as_text=True)
    assert "Tara Get" in html and 'value="qaro"' in html and "checked" in html
    assert client.get("/admin/users/99999").status_code == 404


def test_role_change_writes_exactly_one_audit_row(app, client, csrf_token, admin, make_user):
    target = make_user("target@example.org", ["qaro"])
    before = audit_count(app)
    response = client.post(
        f"/admin/users/{target.id}/roles", data={"roles": ["qaro", "lado"], "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 302
    assert roles_of(app, target.id) == ["lado", "qaro"]
    assert audit_count(app) == before + 1
    (row,) = audit_rows(app, action="user.set_roles")
    assert row.before == {"roles": ["qaro"]} and row.after == {"roles": ["lado", "qaro"]}
    assert row.user_id == admin.id and row.object_type == "user" and row.object_id == str(target.id)

    # removing every role is allowed; saving without a change writes nothing
    client.post(f"/admin/users/{target.id}/roles", data={"csrf_token": csrf_token(client)})
    assert roles_of(app, target.id) == []
    count = audit_count(app)
    client.post(f"/admin/users/{target.id}/roles", data={"csrf_token": csrf_token(client)})
    assert audit_count(app) == count


def test_unknown_role_is_refused(app, client, csrf_token, admin, make_user):
    target = make_user("target@example.org", ["qaro"])
    before = audit_count(app)
    response = client.post(
        f"/admin/users/{target.id}/roles", data={"roles": ["wizard"], "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 200 and "govuk-error-summary" in response.get_data(as_text=True)
    assert roles_of(app, target.id) == ["qaro"] and audit_count(app) == before


def test_disable_and_enable(app, client, csrf_token, admin, make_user):
    target = make_user("target@example.org", ["qaro"])
    before = audit_count(app)
    assert client.post(f"/admin/users/{target.id}/disable", data={"csrf_token": csrf_token(client)}).status_code == 302
    assert audit_count(app) == before + 1
    (row,) = audit_rows(app, action="user.disable")
    assert row.before == {"active": True} and row.after == {"active": False}

    other = app.test_client()
    response = other.post(
        "/login",
        data={
            "email": "target@example.org",
            "password": "correct horse battery staple",
            "csrf_token": csrf_token(other),
        },
    )
    assert "Enter a correct email address and password" in response.get_data(as_text=True)

    assert client.post(f"/admin/users/{target.id}/enable", data={"csrf_token": csrf_token(client)}).status_code == 302
    assert audit_count(app) == before + 3  # + the refused sign-in + the enable
    (row,) = audit_rows(app, action="user.enable")
    assert row.after == {"active": True}
    assert client.post(f"/admin/users/{target.id}/disable").status_code == 400  # no CSRF token


def test_admin_cannot_demote_or_disable_self(app, client, csrf_token, admin):
    before = audit_count(app)
    response = client.post(f"/admin/users/{admin.id}/roles", data={"roles": ["qaro"], "csrf_token": csrf_token(client)})
    assert response.status_code == 200
    assert "You cannot remove your own administrator role" in response.get_data(as_text=True)
    assert roles_of(app, admin.id) == ["admin"]
    response = client.post(f"/admin/users/{admin.id}/disable", data={"csrf_token": csrf_token(client)})
    assert "You cannot disable your own account" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, admin.id).active
    assert audit_count(app) == before
    # adding a role to oneself is fine
    client.post(
        f"/admin/users/{admin.id}/roles", data={"roles": ["admin", "analyst"], "csrf_token": csrf_token(client)}
    )
    assert roles_of(app, admin.id) == ["admin", "analyst"]


def test_add_user(app, client, csrf_token, admin):
    data = {
        "email": "new@example.org",
        "name": "New Person",
        "officer_id": "Q42",
        "team": "South",
        "roles": ["qaro", "manager"],
        "password": "initial-pass",
        "password_confirm": "initial-pass",
        "csrf_token": csrf_token(client),
    }
    response = client.post("/admin/users/new", data=data)
    assert response.status_code == 302
    with app.app_context():
        user = user_by_email("new@example.org")
        assert user.officer_id == "Q42" and sorted(user.role_codes) == ["manager", "qaro"]
        assert user.check_password("initial-pass")
    (row,) = audit_rows(app, action="user.create")
    assert row.after["roles"] == ["manager", "qaro"] and "initial-pass" not in str(row.after)
    # the same email again, and an empty form: errors, nothing written
    count = audit_count(app)
    html = client.post("/admin/users/new", data=data).get_data(as_text=True)
    assert "already exists" in html and "govuk-error-summary" in html
    html = client.post("/admin/users/new", data={"csrf_token": csrf_token(client)}).get_data(as_text=True)
    assert "Enter an email address" in html and "Enter an initial password" in html
    data.update(email="other@example.org", officer_id="", password_confirm="different")
    assert "The passwords do not match" in client.post("/admin/users/new", data=data).get_data(as_text=True)
    assert audit_count(app) == count


def test_users_search_filter_and_pagination(app, client, csrf_token, admin, make_user):
    make_user("alice@example.org", ["qaro"], name="Alice Smith")
    make_user("bob@example.org", ["lado"], name="Bob Jones")
    response = client.post("/admin/users", data={"q": "smith", "role": "", "csrf_token": csrf_token(client)})
    assert response.status_code == 302 and "smith" not in response.location.lower()  # no names in URLs
    html = client.get("/admin/users").get_data(as_text=True)
    assert "Alice Smith" in html and "Bob Jones" not in html
    client.post("/admin/users", data={"q": "", "role": "lado", "csrf_token": csrf_token(client)})
    html = client.get("/admin/users").get_data(as_text=True)
    assert "Bob Jones" in html and "Alice Smith" not in html
    client.get("/admin/users?clear=1")
    app.config["PAGE_SIZE"] = 2
    first = client.get("/admin/users").get_data(as_text=True)
    assert "1 to 2 of 3" in first and "govuk-pagination" in first
    assert "3 to 3 of 3" in client.get("/admin/users?page=2").get_data(as_text=True)


@pytest.mark.parametrize("role", ["qaro", "manager", "lado", "board", "analyst"])
def test_non_admin_is_refused(client, csrf_token, login_as, make_user, role):
    target = make_user("target@example.org", ["qaro"])
    login_as(role)
    for url in ("/admin/users", "/admin/users/new", f"/admin/users/{target.id}", "/admin/audit"):
        assert client.get(url).status_code == 403, url
    response = client.post(
        f"/admin/users/{target.id}/roles", data={"roles": ["admin"], "csrf_token": csrf_token(client)}
    )
    assert response.status_code == 403


def _entry(at, action, *, user_id=None, actor="system", object_type=None, object_id=None, summary=""):
    return AuditEntry(
        at=at,
        action=action,
        user_id=user_id,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        summary=summary,
        before={"x": 1},
        after={"x": 2},
    )


def test_audit_log_page_filters_and_order(app, client, admin, make_user):
    other = make_user("other@example.org", ["qaro"])
    utc = dt.UTC
    with app.app_context():
        db.session.add_all(
            [
                _entry(
                    dt.datetime(2026, 1, 5, 10, tzinfo=utc),
                    "child.update",
                    user_id=other.id,
                    actor=other.email,
                    object_type="child",
                    object_id="C1",
                    summary="first-entry",
                ),
                _entry(
                    dt.datetime(2026, 2, 5, 10, tzinfo=utc),
                    "review.create",
                    user_id=admin.id,
                    actor=admin.email,
                    object_type="review",
                    object_id="R9",
                    summary="second-entry",
                ),
                _entry(
                    dt.datetime(2026, 3, 5, 10, tzinfo=utc),
                    "child.update",
                    actor="cli:import-data",
                    object_type="child",
                    object_id="C2",
                    summary="third-entry",
                ),
            ]
        )
        db.session.commit()

    def shown(query=""):
        html = client.get("/admin/audit" + query).get_data(as_text=True)
        return [s for s in ("first-entry", "second-entry", "third-entry") if s in html], html

    entries, html = shown()
    assert entries == ["first-entry", "second-entry", "third-entry"]
    assert html.index("third-entry") < html.index("second-entry") < html.index("first-entry")  # newest first
    assert "<dt>x</dt><dd>2</dd>" in html  # before/after shown, one key per line
    assert shown("?action=child.update")[0] == ["first-entry", "third-entry"]
    assert shown(f"?actor=u{other.id}")[0] == ["first-entry"]
    assert shown("?actor=acli:import-data")[0] == ["third-entry"]
    assert shown("?object_type=review")[0] == ["second-entry"]
    assert shown("?object_type=child&object_id=C2")[0] == ["third-entry"]
    assert shown("?date_from=2026-02-01&date_to=2026-02-28")[0] == ["second-entry"]
    assert shown("?date_from=2026-02-06")[0] == ["third-entry"]
    entries, html = shown("?date_from=2026-03-01&date_to=2026-01-01")
    assert "govuk-error-summary" in html  # 'to' before 'from'


def test_audit_log_is_paginated(app, client, admin):
    utc = dt.UTC
    with app.app_context():
        db.session.add_all(
            [
                _entry(
                    dt.datetime(2026, 1, 1, tzinfo=utc) + dt.timedelta(hours=i), "test.entry", summary=f"entry-{i:02d}"
                )
                for i in range(5)
            ]
        )
        db.session.commit()
    app.config["PAGE_SIZE"] = 2
    first = client.get("/admin/audit?action=test.entry").get_data(as_text=True)
    assert "entry-04" in first and "entry-03" in first and "entry-02" not in first
    assert "govuk-pagination" in first and "action=test.entry" in first
    last = client.get("/admin/audit?action=test.entry&page=3").get_data(as_text=True)
    assert "entry-00" in last and "entry-01" not in last


def test_navigation_marks_only_the_current_page_and_the_audit_log_wraps(app, client, login_as):
    """Users and Audit log are both admin pages: only the page being viewed is current; the
    audit table keeps long before/after values inside their columns, one key per line."""
    from tracker.core import audit

    with app.app_context():
        audit.record(
            "user.update",
            object_type="user",
            object_id=1,
            summary="User 1 updated",
            before={"team": "North"},
            after={"team": "South", "roles": ["qaro", "iro_manager"]},
            actor="test",
        )
        db.session.commit()
    login_as("admin")
    html = client.get("/admin/audit").get_data(as_text=True)
    assert html.count("govuk-service-navigation__item--active") == 1
    assert "<pre" not in html
    assert "<dt>team</dt><dd>North</dd>" in html and "<dt>team</dt><dd>South</dd>" in html
    assert "<dt>roles</dt>" in html
    users = client.get("/admin/users").get_data(as_text=True)
    assert users.count("govuk-service-navigation__item--active") == 1
