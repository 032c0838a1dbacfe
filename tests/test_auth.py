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
LOCKED = (
    "Enter a correct email address and password. There have been too many attempts to sign in to this account: "
    "try again later"
)


def sign_in(client_request, email, password, next_=None, status=302):
    """Post the sign-in form: 302 when it succeeds, else 200 with the form again."""
    url = "/login" + (f"?next={next_}" if next_ else "")
    return client_request.post(url, {"email": email, "password": password}, status=status)


def refused(client_request, email, password, message=GENERIC):
    """A sign-in that fails: the form again, with one message against the email field."""
    page = sign_in(client_request, email, password, status=200)
    assert page.errors == [message] and page.field_error("email") == message
    return page


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


def test_login_page_renders_form(client_request):
    page = client_request.get("/login")
    assert page.h1 == "Sign in"
    form = page.one("main form")
    assert form["method"] == "post" and form.select_one("input[name=csrf_token]")["value"]
    assert page.text_of("label[for=email]") == "Email address"
    assert page.text_of("label[for=password]") == "Password"
    assert page.one("#password")["autocomplete"] == "current-password"
    assert page.one("#password")["type"] == "password"


def test_successful_sign_in_is_audited(app, client, client_request, make_user):
    user = make_user("qaro1@example.org", ["qaro"])
    page = sign_in(client_request, "QARO1@example.org ", PASSWORD)
    assert page.response.location == "/"
    assert is_signed_in(client)
    rows = audit_rows(app, action="session.sign_in")
    assert len(rows) == 1 and rows[0].user_id == user.id and rows[0].object_id == str(user.id)
    with app.app_context():
        assert db.session.get(User, user.id).last_login_at is not None


def test_wrong_password_gives_generic_error_and_audit_row(app, client, client_request, make_user):
    user = make_user("qaro1@example.org", ["qaro"])
    page = refused(client_request, "qaro1@example.org", "wrong")
    assert page.title.startswith("Error: Sign in")
    assert page.value("email") == "qaro1@example.org"
    assert page.value("password") in (None, "")  # a password is never sent back
    assert [i for i in page.select("input") if i.get("value") in ("wrong", PASSWORD)] == []
    assert not is_signed_in(client)
    rows = audit_rows(app, action="session.fail")
    assert len(rows) == 1
    assert rows[0].object_type == "user" and rows[0].object_id == str(user.id) and rows[0].user_id is None


def test_unknown_email_same_error_no_user_created_and_email_not_stored(app, client_request):
    refused(client_request, "nobody.special@example.org", "whatever")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
    rows = audit_rows(app, action="session.fail")
    assert len(rows) == 1 and rows[0].object_type == "unknown_account"
    stored = " ".join(str(v) for r in rows for v in (r.actor, r.summary, r.object_id, r.before, r.after))
    assert "nobody.special" not in stored


def test_disabled_user_cannot_sign_in(app, client, client_request, make_user):
    make_user("gone@example.org", ["qaro"], active=False)
    refused(client_request, "gone@example.org", PASSWORD)
    assert not is_signed_in(client)
    assert len(audit_rows(app, action="session.fail")) == 1


def test_repeated_failures_lock_the_account_and_audit_is_rate_limited(
    app, client, client_request, make_user, monkeypatch
):
    user = make_user("qaro1@example.org", ["qaro"])
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        refused(client_request, "qaro1@example.org", "wrong")
    refused(client_request, "qaro1@example.org", "wrong", LOCKED)  # the failure that locks
    # locked: even the right password is refused, with the generic message
    refused(client_request, "qaro1@example.org", PASSWORD, LOCKED)
    assert not is_signed_in(client)
    for _ in range(20):  # an attempt storm writes nothing more
        refused(client_request, "qaro1@example.org", "wrong", LOCKED)
    assert len(audit_rows(app, action="session.fail", object_id=str(user.id))) == limit
    assert len(audit_rows(app, action="session.lock", object_id=str(user.id))) == 1
    assert audit_rows(app, action="session.sign_in") == []

    # once the lock-out has run out, the right password works again
    import tracker.auth.operations as operations

    later = operations.now_utc() + dt.timedelta(minutes=app.config["LOGIN_LOCKOUT_MINUTES"] + 1)
    monkeypatch.setattr(operations, "now_utc", lambda: later)
    sign_in(client_request, "qaro1@example.org", PASSWORD)
    assert is_signed_in(client)


def test_failures_outside_the_window_do_not_accumulate(app, client_request, make_user, monkeypatch):
    import tracker.auth.operations as operations

    make_user("qaro1@example.org", ["qaro"])
    start = operations.now_utc()
    step = dt.timedelta(minutes=app.config["LOGIN_FAILURE_WINDOW_MINUTES"] + 1)
    for i in range(app.config["LOGIN_MAX_FAILURES"] + 2):
        monkeypatch.setattr(operations, "now_utc", lambda i=i: start + i * step)
        refused(client_request, "qaro1@example.org", "wrong")
    assert audit_rows(app, action="session.lock") == []
    sign_in(client_request, "qaro1@example.org", PASSWORD)


def test_unknown_email_storm_is_rate_limited(app, client_request):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit + 15):
        refused(client_request, "guess@example.org", "x")  # never says the account is locked
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
def test_next_redirect_only_to_relative_paths(client_request, make_user, target, expected):
    make_user("admin1@example.org", ["admin"])
    assert sign_in(client_request, "admin1@example.org", PASSWORD, next_=target).response.location == expected


def test_anonymous_is_sent_to_login_with_next(client_request):
    page = client_request.get("/admin/users", status=302)
    assert page.response.location == "/login?next=%2Fadmin%2Fusers"
    page = client_request.get("/admin/users", follow=True)
    assert page.h1 == "Sign in" and page.banner == "Important Sign in to use the tracker."


def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("tracker_session=")]
    assert cookies, response.headers
    return cookies[-1]


def test_session_cookie_is_httponly_samesite_lax_and_permanent(app, client, client_request, make_user):
    make_user("qaro1@example.org", ["qaro"])
    cookie = _session_cookie(sign_in(client_request, "qaro1@example.org", PASSWORD).response)
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


def test_idle_timeout(app, client, client_request, make_user):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == dt.timedelta(minutes=30)
    assert app.config["SESSION_REFRESH_EACH_REQUEST"]  # each request restarts the idle clock
    make_user("qaro1@example.org", ["qaro"])
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(seconds=1)
    sign_in(client_request, "qaro1@example.org", PASSWORD)
    assert is_signed_in(client)
    time.sleep(2.2)  # idle for longer than the lifetime: the signed cookie is refused server-side
    assert client.get("/").status_code == 302


def test_logout_requires_post(app, client, client_request, make_user):
    make_user("qaro1@example.org", ["qaro"])
    sign_in(client_request, "qaro1@example.org", PASSWORD)
    page = client_request.get("/logout")
    assert page.one("main form")["method"] == "post"
    assert is_signed_in(client)  # a GET (a link, a prefetch) never signs anyone out
    client_request.post("/logout", csrf=False, status=400)  # no CSRF token
    assert is_signed_in(client)
    page = client_request.post("/logout", status=302)
    assert page.response.location == "/login"
    assert not is_signed_in(client)
    assert client_request.get("/login").banner == "Success You have signed out."
    assert len(audit_rows(app, action="session.sign_out")) == 1


def test_create_user_cli_prompts_for_password_twice(app, runner, client_request):
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
    sign_in(client_request, "new.person@example.org", "s3cret-pass")


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


@pytest.mark.parametrize("path", ["/static/tracker.css", "/static/favicon.svg"])
def test_files_never_resend_the_session_cookie(client, login_as, path):
    """A file answered late must not put back an older session over the one holding a
    form's CSRF secret (the next form would be refused and the typing lost)."""
    login_as("qaro")
    assert "Set-Cookie" in client.get("/").headers  # pages refresh the session
    response = client.get(path)
    response.close()  # the file's handle
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
