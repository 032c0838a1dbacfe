"""User administration and the audit log page."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.pages import Page, normalise
from tracker.auth.models import User, user_by_email
from tracker.core.audit import ACTIONS, AuditEntry
from tracker.extensions import db

PASSWORD = "correct horse battery staple"  # make_user's


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


def test_users_list_and_user_page(client_request, admin, make_user):
    target = make_user("target@example.org", ["qaro"], name="Tara Get")
    page = client_request.get("/admin/users")
    assert page.texts("#users thead th") == ["Name", "Email", "Officer ID", "Team", "Roles", "Status"]
    assert page.table("#users") == [
        ["Tara Get", "target@example.org", "", "", "QARO (Independent Reviewing Officer)", "Active"],
        ["Test user", "admin@example.org", "", "", "System administrator", "Active"],
    ]
    assert page.links("#users")["Tara Get"] == f"/admin/users/{target.id}"
    page = client_request.get(f"/admin/users/{target.id}")
    assert page.h1 == "User Tara Get"
    assert page.summary()["Email address"] == "target@example.org"
    assert page.summary()["Status"] == "Active"
    assert [box["value"] for box in page.select("input[name=roles][checked]")] == ["qaro"]
    client_request.get("/admin/users/99999", status=404)


def test_role_change_writes_exactly_one_audit_row(app, client_request, admin, make_user):
    target = make_user("target@example.org", ["qaro"])
    before = audit_count(app)
    page = client_request.post(f"/admin/users/{target.id}/roles", {"roles": ["qaro", "lado"]}, follow=True, status=200)
    assert page.banner == "Success Roles saved."
    assert roles_of(app, target.id) == ["lado", "qaro"]
    assert audit_count(app) == before + 1
    (row,) = audit_rows(app, action="user.set_roles")
    assert row.before == {"roles": ["qaro"]} and row.after == {"roles": ["lado", "qaro"]}
    assert row.user_id == admin.id and row.object_type == "user" and row.object_id == str(target.id)

    # removing every role is allowed; saving without a change writes nothing
    assert client_request.post(f"/admin/users/{target.id}/roles", follow=True, status=200).banner == (
        "Success Roles saved."
    )
    assert roles_of(app, target.id) == []
    count = audit_count(app)
    page = client_request.post(f"/admin/users/{target.id}/roles", follow=True, status=200)
    assert page.banner == "Important No changes to save."
    assert audit_count(app) == count


def test_unknown_role_is_refused(app, client_request, admin, make_user):
    target = make_user("target@example.org", ["qaro"])
    before = audit_count(app)
    page = client_request.post(f"/admin/users/{target.id}/roles", {"roles": ["wizard"]}, status=200)
    assert page.errors == ["'wizard' is not a valid choice for this field."]
    assert page.field_error("roles") == "'wizard' is not a valid choice for this field."
    assert roles_of(app, target.id) == ["qaro"] and audit_count(app) == before


def test_disable_and_enable(app, client_request, csrf_token, admin, make_user):
    target = make_user("target@example.org", ["qaro"])
    before = audit_count(app)
    page = client_request.post(f"/admin/users/{target.id}/disable", follow=True, status=200)
    assert page.banner == "Success Account disabled: the user can no longer sign in."
    assert page.summary()["Status"] == "Disabled"
    assert audit_count(app) == before + 1
    (row,) = audit_rows(app, action="user.disable")
    assert row.before == {"active": True} and row.after == {"active": False}

    other = app.test_client()
    refused = Page(
        other.post(
            "/login",
            data={"email": "target@example.org", "password": PASSWORD, "csrf_token": csrf_token(other)},
        )
    )
    assert refused.status == 200 and refused.errors == ["Enter a correct email address and password"]

    page = client_request.post(f"/admin/users/{target.id}/enable", follow=True, status=200)
    assert page.banner == "Success Account enabled."
    assert page.summary()["Status"] == "Active"
    assert audit_count(app) == before + 3  # + the refused sign-in + the enable
    (row,) = audit_rows(app, action="user.enable")
    assert row.after == {"active": True}
    client_request.post(f"/admin/users/{target.id}/disable", csrf=False, status=400)  # no CSRF token
    assert audit_count(app) == before + 3


def test_admin_cannot_demote_or_disable_self(app, client_request, admin):
    before = audit_count(app)
    page = client_request.post(f"/admin/users/{admin.id}/roles", {"roles": ["qaro"]}, status=200)
    message = "You cannot remove your own administrator role; ask another administrator"
    assert page.errors == [message] and page.field_error("roles") == message
    assert roles_of(app, admin.id) == ["admin"]
    page = client_request.post(f"/admin/users/{admin.id}/disable", status=200)
    assert page.errors == ["You cannot disable your own account"]
    with app.app_context():
        assert db.session.get(User, admin.id).active
    assert audit_count(app) == before
    # adding a role to oneself is fine
    client_request.post(f"/admin/users/{admin.id}/roles", {"roles": ["admin", "analyst"]})
    assert roles_of(app, admin.id) == ["admin", "analyst"]


def test_add_user(app, client_request, admin):
    data = {
        "email": "new@example.org",
        "name": "New Person",
        "officer_id": "Q42",
        "team": "South",
        "roles": ["qaro", "manager"],
        "password": "initial-pass",
        "password_confirm": "initial-pass",
    }
    page = client_request.post("/admin/users/new", data, follow=True, status=200)
    assert page.banner == "Success User added." and page.h1 == "User New Person"
    with app.app_context():
        user = user_by_email("new@example.org")
        assert user.officer_id == "Q42" and sorted(user.role_codes) == ["manager", "qaro"]
        assert user.check_password("initial-pass")
    (row,) = audit_rows(app, action="user.create")
    assert row.after["roles"] == ["manager", "qaro"] and "initial-pass" not in str(row.after)
    # the same email again, and an empty form: errors, nothing written
    count = audit_count(app)
    page = client_request.post("/admin/users/new", data, status=200)
    assert page.errors == ["A user with this email address already exists"]
    assert page.field_error("email") == "A user with this email address already exists"
    page = client_request.post("/admin/users/new", status=200)
    assert page.errors == [
        "Enter an email address",
        "Enter the user's full name",
        "Enter an initial password",
        "Enter the password again",
    ]
    page = client_request.post(
        "/admin/users/new",
        {**data, "email": "other@example.org", "officer_id": "", "password_confirm": "different"},
        status=200,
    )
    assert page.errors == ["The passwords do not match"]
    assert page.field_error("password_confirm") == "The passwords do not match"
    page = client_request.post("/admin/users/new", {**data, "email": "other@example.org"}, status=200)
    assert page.errors == ["Another user already has this officer ID"]
    assert audit_count(app) == count


def test_users_search_filter_and_pagination(app, client_request, admin, make_user):
    make_user("alice@example.org", ["qaro"], name="Alice Smith")
    make_user("bob@example.org", ["lado"], name="Bob Jones")

    def names(page):
        return [row[0] for row in page.table("#users")]

    page = client_request.post("/admin/users", {"q": "smith", "role": ""})
    assert "smith" not in page.response.location.lower()  # no names in URLs
    page = client_request.get("/admin/users")
    assert names(page) == ["Alice Smith"]
    assert page.text_of("#users caption") == "Users matching your search: 1 to 1 of 1"
    client_request.post("/admin/users", {"q": "", "role": "lado"})
    assert names(client_request.get("/admin/users")) == ["Bob Jones"]
    client_request.post("/admin/users", {"q": "nobody", "role": ""})
    page = client_request.get("/admin/users")
    assert page.select("#users") == [] and page.text_of("#users-empty") == "No users match your search."
    client_request.get("/admin/users?clear=1", status=302)
    app.config["PAGE_SIZE"] = 2
    first = client_request.get("/admin/users")
    assert names(first) == ["Alice Smith", "Bob Jones"]
    assert first.text_of("#users caption") == "All users: 1 to 2 of 3"
    assert first.links(".govuk-pagination")["Next page"] == "/admin/users?page=2"
    last = client_request.get("/admin/users?page=2")
    assert names(last) == ["Test user"] and last.text_of("#users caption") == "All users: 3 to 3 of 3"


@pytest.mark.parametrize("role", ["qaro", "manager", "lado", "board", "analyst"])
def test_non_admin_is_refused(app, client_request, login_as, make_user, role):
    target = make_user("target@example.org", ["qaro"])
    login_as(role)
    for url in ("/admin/users", "/admin/users/new", f"/admin/users/{target.id}", "/admin/audit"):
        client_request.get(url, status=403)
    client_request.post(f"/admin/users/{target.id}/roles", {"roles": ["admin"]}, status=403)
    client_request.post(f"/admin/users/{target.id}/disable", status=403)
    assert roles_of(app, target.id) == ["qaro"]


def _entry(at, action, *, user_id=None, actor="system", object_type=None, object_id=None, summary=""):
    """An audit row at a given time (``audit.record`` stamps the current time)."""
    assert action in ACTIONS
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


def _pairs(cell) -> dict[str, str]:
    """A before/after cell of the audit log: one key per line (a description list)."""
    return {
        normalise(k.get_text()): normalise(v.get_text())
        for k, v in zip(cell.select("dt"), cell.select("dd"), strict=True)
    }


def audit_entries(page) -> list[dict]:
    """The audit log page's entries, newest first."""
    entries = []
    for row in page.select("#audit-log tbody tr"):
        cells = row.select("td")
        entries.append(
            {
                "action": cells[2].select_one("[data-action]")["data-action"],  # the code, under its label
                "record": normalise(cells[3].get_text()),
                "summary": normalise(cells[4].get_text()),
                "before": _pairs(cells[5]),
                "after": _pairs(cells[6]),
            }
        )
    return entries


def test_audit_log_page_filters_and_order(app, client_request, login_as, make_user):
    # the rows are about children: their values are shown to an admin who may read children's
    # records (tests/test_audit_access.py has who sees what)
    admin = login_as("admin", "iro_manager")
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
        page = client_request.get("/admin/audit" + query)
        return [e["summary"] for e in audit_entries(page)], page

    summaries, page = shown()
    assert summaries == ["third-entry", "second-entry", "first-entry"]  # newest first
    assert audit_entries(page)[0] == {  # before/after shown, one key per line
        "action": "child.update",
        "record": "child C2",
        "summary": "third-entry",
        "before": {"x": "1"},
        "after": {"x": "2"},
    }
    assert shown("?action=child.update")[0] == ["third-entry", "first-entry"]
    # the action by what it means, its code beneath (what the filters and the downloads carry)
    assert page.table("#audit-log")[0][2] == f"{ACTIONS['child.update']} child.update"
    options = {o["value"]: o.get_text(strip=True) for o in page.select("#action option")}
    assert options["child.update"] == ACTIONS["child.update"]  # chosen by what it means, not by its code
    assert shown(f"?actor=u{other.id}")[0] == ["first-entry"]
    assert shown("?actor=acli:import-data")[0] == ["third-entry"]
    assert shown("?object_type=review")[0] == ["second-entry"]
    assert shown("?object_type=child&object_id=C2")[0] == ["third-entry"]
    # GOV.UK date boxes: day, month and year share the field's name
    assert shown("?date_from=1&date_from=2&date_from=2026&date_to=28&date_to=2&date_to=2026")[0] == ["second-entry"]
    assert shown("?date_from=6&date_from=2&date_from=2026")[0] == ["third-entry"]
    assert shown("?date_from=2026-02-01&date_to=2026-02-28")[0] == ["second-entry"]  # a link made before them
    summaries, page = shown("?date_from=1&date_from=3&date_from=2026&date_to=1&date_to=1&date_to=2026")  # 'to' first
    assert page.errors == ["The 'to' date must be the same as or after the 'from' date"]
    assert page.field_error("date_to") == "The 'to' date must be the same as or after the 'from' date"
    assert summaries == ["third-entry", "second-entry", "first-entry"]  # unfiltered


def test_a_users_audit_history_link_works_before_the_log_has_any_user_entry(client_request, admin, make_user):
    """make_user writes no audit row: the user page's link filters on a record type the log
    does not hold yet, which shows no entries (not a "Not a valid choice" error)."""
    target = make_user("target@example.org", ["qaro"])
    link = client_request.get(f"/admin/users/{target.id}").links()["See this user's audit history"]
    assert link == f"/admin/audit?object_type=user&object_id={target.id}"
    page = client_request.get(link)
    assert page.errors == [] and audit_entries(page) == []
    assert page.text_of("#audit-log-empty") == "No audit entries match these filters."
    assert page.one("#object_type option[selected]")["value"] == "user"
    # an action of the vocabulary that nobody has done yet is a filter too; an unknown one is an error
    assert client_request.get("/admin/audit?action=user.disable").errors == []
    assert client_request.get("/admin/audit?action=user.explode").errors == ["Not a valid choice."]


def test_audit_log_is_paginated(app, client_request, admin):
    utc = dt.UTC
    with app.app_context():
        db.session.add_all(
            [
                _entry(
                    dt.datetime(2026, 1, 1, tzinfo=utc) + dt.timedelta(hours=i),
                    "calendar.rebuild",
                    object_type="calendar",
                    summary=f"entry-{i:02d}",
                )
                for i in range(5)
            ]
        )
        db.session.commit()
    app.config["PAGE_SIZE"] = 2
    first = client_request.get("/admin/audit?action=calendar.rebuild")
    assert [e["summary"] for e in audit_entries(first)] == ["entry-04", "entry-03"]
    assert first.text_of("#audit-log caption") == "Entries 1 to 2 of 5"
    assert first.links(".govuk-pagination")["Next page"] == "/admin/audit?page=2&action=calendar.rebuild"
    last = client_request.get("/admin/audit?action=calendar.rebuild&page=3")
    assert [e["summary"] for e in audit_entries(last)] == ["entry-00"]


def test_navigation_marks_only_the_current_page_and_the_audit_log_wraps(app, client_request, login_as):
    """Users and Audit log are both admin pages: only the page being viewed is current; the
    audit table keeps long before/after values inside their columns, one key per line."""
    from tracker.core import audit

    with app.app_context():
        audit.record(
            "user.set_roles",
            object_type="user",
            object_id=1,
            summary="User 1 updated",
            before={"team": "North"},
            after={"team": "South", "roles": ["qaro", "iro_manager"]},
            actor="test",
        )
        db.session.commit()
    login_as("admin")
    page = client_request.get("/admin/audit")
    assert page.texts(".govuk-service-navigation__item--active") == ["Audit log"]
    assert page.select("main pre") == []
    (entry,) = audit_entries(page)
    assert entry["before"] == {"team": "North"}
    assert entry["after"] == {"roles": '["qaro", "iro_manager"]', "team": "South"}
    users = client_request.get("/admin/users")
    assert users.texts(".govuk-service-navigation__item--active") == ["Users"]
