"""Sign-in, throttling, sessions, sign-out and the create-user command."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import func, select

from tracker.auth.models import User, user_by_email
from tracker.core.audit import AuditEntry
from tracker.extensions import db

PASSWORD = "correct horse battery staple"
GENERIC = "Enter a correct email address and password"


def sign_in(client, csrf_token, email, password, next_=None, **kw):
    url = "/login" + (f"?next={next_}" if next_ else "")
    return client.post(url, data={"email": email, "password": password, "csrf_token": csrf_token(client)}, **kw)


def audit_rows(app, **filters):
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        for key, value in filters.items():
            query = query.where(getattr(AuditEntry, key) == value)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def is_signed_in(client) -> bool:
    return client.get("/").status_code == 200


def test_login_page_renders_form(client):
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="csrf_token"' in html and 'autocomplete="current-password"' in html
    assert '<label class="govuk-label" for="email">' in html


def test_successful_sign_in_is_audited(app, client, csrf_token, make_user):
    user = make_user("qaro1@example.org", ["qaro"])
    response = sign_in(client, csrf_token, "QARO1@example.org ", PASSWORD)
    assert response.status_code == 302 and response.location == "/"
    assert is_signed_in(client)
    rows = audit_rows(app, action="session.sign_in")
    assert len(rows) == 1 and rows[0].user_id == user.id and rows[0].object_id == str(user.id)
    with app.app_context():
        assert db.session.get(User, user.id).last_login_at is not None


def test_wrong_password_gives_generic_error_and_audit_row(app, client, csrf_token, make_user):
    user = make_user("qaro1@example.org", ["qaro"])
    response = sign_in(client, csrf_token, "qaro1@example.org", "wrong")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert GENERIC in html and "govuk-error-summary" in html
    assert PASSWORD not in html and 'value="wrong"' not in html
    assert not is_signed_in(client)
    rows = audit_rows(app, action="session.fail")
    assert len(rows) == 1
    assert rows[0].object_type == "user" and rows[0].object_id == str(user.id) and rows[0].user_id is None


def test_unknown_email_same_error_no_user_created_and_email_not_stored(app, client, csrf_token):
    response = sign_in(client, csrf_token, "nobody.special@example.org", "whatever")
    assert GENERIC in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
    rows = audit_rows(app, action="session.fail")
    assert len(rows) == 1 and rows[0].object_type == "unknown_account"
    stored = " ".join(str(v) for r in rows for v in (r.actor, r.summary, r.object_id, r.before, r.after))
    assert "nobody.special" not in stored


def test_disabled_user_cannot_sign_in(app, client, csrf_token, make_user):
    make_user("gone@example.org", ["qaro"], active=False)
    response = sign_in(client, csrf_token, "gone@example.org", PASSWORD)
    assert response.status_code == 200 and GENERIC in response.get_data(as_text=True)
    assert not is_signed_in(client)
    assert len(audit_rows(app, action="session.fail")) == 1


def test_repeated_failures_lock_the_account_and_audit_is_rate_limited(app, client, csrf_token, make_user, monkeypatch):
    user = make_user("qaro1@example.org", ["qaro"])
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        sign_in(client, csrf_token, "qaro1@example.org", "wrong")
    # locked: even the right password is refused, with the generic message
    response = sign_in(client, csrf_token, "qaro1@example.org", PASSWORD)
    html = response.get_data(as_text=True)
    assert GENERIC in html and "too many attempts" in html
    assert not is_signed_in(client)
    for _ in range(20):  # an attempt storm writes nothing more
        sign_in(client, csrf_token, "qaro1@example.org", "wrong")
    assert len(audit_rows(app, action="session.fail", object_id=str(user.id))) == limit
    assert len(audit_rows(app, action="session.lock", object_id=str(user.id))) == 1
    assert audit_rows(app, action="session.sign_in") == []

    # once the lock-out has run out, the right password works again
    import tracker.auth.operations as operations

    later = operations.now_utc() + dt.timedelta(minutes=app.config["LOGIN_LOCKOUT_MINUTES"] + 1)
    monkeypatch.setattr(operations, "now_utc", lambda: later)
    response = sign_in(client, csrf_token, "qaro1@example.org", PASSWORD)
    assert response.status_code == 302
    assert is_signed_in(client)


def test_failures_outside_the_window_do_not_accumulate(app, client, csrf_token, make_user, monkeypatch):
    import tracker.auth.operations as operations

    make_user("qaro1@example.org", ["qaro"])
    start = operations.now_utc()
    step = dt.timedelta(minutes=app.config["LOGIN_FAILURE_WINDOW_MINUTES"] + 1)
    for i in range(app.config["LOGIN_MAX_FAILURES"] + 2):
        monkeypatch.setattr(operations, "now_utc", lambda i=i: start + i * step)
        sign_in(client, csrf_token, "qaro1@example.org", "wrong")
    assert audit_rows(app, action="session.lock") == []
    assert sign_in(client, csrf_token, "qaro1@example.org", PASSWORD).status_code == 302


def test_unknown_email_storm_is_rate_limited(app, client, csrf_token):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit + 15):
        response = sign_in(client, csrf_token, "guess@example.org", "x")
        assert GENERIC in response.get_data(as_text=True)
    assert len(audit_rows(app, action="session.fail")) == limit
    assert len(audit_rows(app, action="session.lock")) == 1


@pytest.mark.parametrize(
    "target,expected",
    [
        ("/admin/users", "/admin/users"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_redirect_only_to_relative_paths(client, csrf_token, make_user, target, expected):
    make_user("admin1@example.org", ["admin"])
    response = sign_in(client, csrf_token, "admin1@example.org", PASSWORD, next_=target)
    assert response.status_code == 302
    assert response.location == expected


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/admin/users")
    assert response.status_code == 302 and response.location.startswith("/login?next=")


def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("tracker_session=")]
    assert cookies, response.headers
    return cookies[-1]


def test_session_cookie_is_httponly_samesite_lax_and_permanent(app, client, csrf_token, make_user):
    make_user("qaro1@example.org", ["qaro"])
    response = sign_in(client, csrf_token, "qaro1@example.org", PASSWORD)
    cookie = _session_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert "Secure" not in cookie  # plain HTTP here (Secure over HTTPS: next test)
    with client.session_transaction() as sess:
        assert sess.permanent


def test_session_cookie_is_secure_over_https(client, csrf_token, make_user):
    make_user("qaro1@example.org", ["qaro"])
    response = client.post(
        "/login",
        data={"email": "qaro1@example.org", "password": PASSWORD, "csrf_token": csrf_token(client)},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},
    )
    assert response.status_code == 302
    cookie = _session_cookie(response)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_idle_timeout(app, client, csrf_token, make_user):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == dt.timedelta(minutes=30)
    assert app.config["SESSION_REFRESH_EACH_REQUEST"]  # each request restarts the idle clock
    make_user("qaro1@example.org", ["qaro"])
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(seconds=1)
    sign_in(client, csrf_token, "qaro1@example.org", PASSWORD)
    assert is_signed_in(client)
    time.sleep(2.2)  # idle for longer than the lifetime: the signed cookie is refused server-side
    assert client.get("/").status_code == 302


def test_logout_requires_post(app, client, csrf_token, make_user):
    make_user("qaro1@example.org", ["qaro"])
    sign_in(client, csrf_token, "qaro1@example.org", PASSWORD)
    page = client.get("/logout")
    assert page.status_code == 200 and 'method="post"' in page.get_data(as_text=True)
    assert is_signed_in(client)  # a GET (a link, a prefetch) never signs anyone out
    assert client.post("/logout").status_code == 400  # no CSRF token
    assert is_signed_in(client)
    response = client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302 and response.location == "/login"
    assert not is_signed_in(client)
    assert len(audit_rows(app, action="session.sign_out")) == 1


def test_create_user_cli_prompts_for_password_twice(app, runner, client, csrf_token):
    result = runner.invoke(
        args=[
            "create-user",
            "new.person@example.org",
            "--role",
            "qaro",
            "--role",
            "iro_manager",
            "--name",
            "New Person",
            "--officer-id",
            "Q9",
            "--team",
            "North",
        ],
        input="s3cret-pass\ns3cret-pass\n",
    )
    assert result.exit_code == 0, result.output
    assert "s3cret-pass" not in result.output
    with app.app_context():
        user = user_by_email("new.person@example.org")
        assert user.name == "New Person" and user.officer_id == "Q9" and user.team == "North"
        assert sorted(user.role_codes) == ["iro_manager", "qaro"]
    rows = audit_rows(app, action="user.create")
    assert len(rows) == 1 and rows[0].actor == "cli:create-user"
    assert rows[0].after["roles"] == ["iro_manager", "qaro"]
    assert sign_in(client, csrf_token, "new.person@example.org", "s3cret-pass").status_code == 302


def test_create_user_cli_refuses_mismatch_duplicate_and_unknown_role(app, runner, make_user):
    result = runner.invoke(args=["create-user", "a@example.org", "--role", "qaro"], input="s3cret-pass\nother-pass\n")
    assert result.exit_code != 0
    make_user("dup@example.org", ["qaro"])
    result = runner.invoke(
        args=["create-user", "dup@example.org", "--role", "qaro"], input="s3cret-pass\ns3cret-pass\n"
    )
    assert result.exit_code != 0 and "already exists" in result.output
    result = runner.invoke(
        args=["create-user", "b@example.org", "--role", "wizard"], input="s3cret-pass\ns3cret-pass\n"
    )
    assert result.exit_code != 0
    with app.app_context():
        assert user_by_email("a@example.org") is None and user_by_email("b@example.org") is None
    assert audit_rows(app, action="user.create") == []


def test_demo_users_one_per_role(app):
    from tracker.core.permissions import Role
    from tracker.demo.users import create_demo_users

    with app.app_context():
        users = create_demo_users("demo-password")
        db.session.commit()
        assert sorted(u.email for u in users) == sorted(f"{r.value}@example.org" for r in Role)
        assert user_by_email("qaro@example.org").officer_id == "DEMO-QARO"
        assert len(create_demo_users("demo-password")) == len(Role)  # idempotent
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(User)) == len(Role)
