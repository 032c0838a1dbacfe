"""Sign-in, throttling, sessions, sign-out and the create-user command (the session rules and
the form kept over a sign-in: tests/test_sessions.py)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from sqlalchemy import func, select

from tests.auth_helpers import GENERIC, LOCKED, PASSWORD, Clock, SigningClock, post_sign_in, sign_in_message
from tracker.auth.models import User, user_by_email
from tracker.core.audit import AuditEntry
from tracker.extensions import db


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


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def signing_clock(monkeypatch):
    return SigningClock(monkeypatch)


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
    assert rows[0].after == {"address": "127.0.0.1"}  # the source address, for investigations


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


A, B = "192.0.2.1", "192.0.2.2"  # two source addresses (TEST-NET-1)


def attempts(client, csrf_token, email, password, n, address=A):
    """n sign-ins from one address: the message each gave (None: signed in)."""
    return [sign_in_message(post_sign_in(client, csrf_token, email, password, address=address)) for _ in range(n)]


def test_the_same_password_hash_work_for_known_and_unknown_accounts(app, client, csrf_token, make_user, monkeypatch):
    """Constant work: every attempt checks exactly one password hash, whether the email names a
    real account, nobody, a disabled account or an account without a password, locked or not."""
    import tracker.auth.operations as operations

    calls = []
    real = operations.check_password_hash

    def counting(stored, password):
        calls.append(stored)
        return real(stored, password)

    monkeypatch.setattr(operations, "check_password_hash", counting)
    make_user("qaro1@example.org", ["qaro"])
    make_user("gone@example.org", ["qaro"], active=False)
    with app.app_context():
        db.session.add(User(email="nopass@example.org", name="No password"))
        db.session.commit()
    for email in ["qaro1@example.org", "nobody@example.org", "gone@example.org", "nopass@example.org"]:
        calls.clear()
        assert attempts(client, csrf_token, email, "wrong", 1) == [GENERIC]
        assert len(calls) == 1, email
    attempts(client, csrf_token, "qaro1@example.org", "wrong", app.config["LOGIN_MAX_FAILURES"])
    calls.clear()
    assert attempts(client, csrf_token, "qaro1@example.org", PASSWORD, 1) == [LOCKED]  # locked: hashed all the same
    assert len(calls) == 1
    # the unknown email's hash is made the way real ones are (same method and cost)
    with app.app_context():
        real_hash = user_by_email("qaro1@example.org").password_hash
    assert operations.dummy_hash().split("$")[0] == real_hash.split("$")[0]


def test_known_and_unknown_emails_get_the_same_answers_locks_included(app, client, csrf_token, make_user):
    """An unknown email says "too many attempts" exactly when a real account would."""
    make_user("qaro1@example.org", ["qaro"])
    limit = app.config["LOGIN_MAX_FAILURES"]
    known = attempts(client, csrf_token, "qaro1@example.org", "wrong", limit + 3)
    unknown = attempts(client, csrf_token, "nobody@example.org", "wrong", limit + 3)
    assert known == unknown == [GENERIC] * (limit - 1) + [LOCKED] * 4
    # the same audit rows, rate-limited alike: one per failure up to the limit, then one lock
    for object_type in ("user", "unknown_account"):
        assert len(audit_rows(app, action="session.fail", object_type=object_type)) == limit
        assert len(audit_rows(app, action="session.lock", object_type=object_type)) == 1


def test_failures_from_one_address_lock_that_address_out_of_the_account_only(app, client, csrf_token, make_user):
    """Five wrong passwords from address A throttle A (the right password too), never the owner
    signing in from address B: an anonymous attacker cannot lock a colleague out."""
    user = make_user("qaro1@example.org", ["qaro"])
    limit = app.config["LOGIN_MAX_FAILURES"]
    assert attempts(client, csrf_token, "qaro1@example.org", "wrong", limit)[-1] == LOCKED
    assert attempts(client, csrf_token, "qaro1@example.org", PASSWORD, 1, address=A) == [LOCKED]
    for _ in range(20):  # an attempt storm writes nothing more
        attempts(client, csrf_token, "qaro1@example.org", "wrong", 1, address=A)
    assert len(audit_rows(app, action="session.fail", object_id=str(user.id))) == limit
    (lock,) = audit_rows(app, action="session.lock", object_id=str(user.id))
    assert lock.after == {"address": A, "scope": "account_address"} and lock.actor == "anonymous"

    assert attempts(client, csrf_token, "qaro1@example.org", PASSWORD, 1, address=B) == [None]  # the owner
    assert is_signed_in(client)
    (row,) = audit_rows(app, action="session.sign_in")
    assert row.after == {"address": B}


def test_lock_from_an_address_runs_out(app, client, csrf_token, make_user, clock):
    make_user("qaro1@example.org", ["qaro"])
    attempts(client, csrf_token, "qaro1@example.org", "wrong", app.config["LOGIN_MAX_FAILURES"])
    clock.advance(minutes=app.config["LOGIN_LOCKOUT_MINUTES"] - 1)
    assert attempts(client, csrf_token, "qaro1@example.org", PASSWORD, 1) == [LOCKED]
    clock.advance(minutes=2)
    assert attempts(client, csrf_token, "qaro1@example.org", PASSWORD, 1) == [None]


def test_an_address_failing_across_accounts_is_locked_on_its_own(app, client, csrf_token, make_user):
    """Password spraying: twenty failures from one address across different accounts (real or
    not) lock the address, for every account; other addresses are not affected."""
    make_user("qaro1@example.org", ["qaro"])
    limit = app.config["LOGIN_ADDRESS_MAX_FAILURES"]
    assert limit == 20
    answers = [attempts(client, csrf_token, f"person{i}@example.org", "wrong", 1)[0] for i in range(limit)]
    assert answers == [GENERIC] * (limit - 1) + [LOCKED]
    assert attempts(client, csrf_token, "qaro1@example.org", PASSWORD, 1) == [LOCKED]  # a real account, from A
    assert attempts(client, csrf_token, "someone.new@example.org", "wrong", 3) == [LOCKED] * 3
    assert len(audit_rows(app, action="session.fail")) == limit  # nothing more written while locked
    (lock,) = audit_rows(app, action="session.lock")
    assert (lock.object_type, lock.object_id, lock.after["scope"]) == ("address", A, "address")
    assert attempts(client, csrf_token, "qaro1@example.org", PASSWORD, 1, address=B) == [None]


@pytest.mark.parametrize("app_config", [{"LOGIN_ACCOUNT_MAX_FAILURES": 4}])
def test_an_account_failing_from_many_addresses_is_open_to_known_addresses_only(app, client, csrf_token, make_user):
    """A guess at one account spread over many addresses: after LOGIN_ACCOUNT_MAX_FAILURES, only
    addresses the account has signed in from may try (the owner at their usual address)."""
    make_user("qaro1@example.org", ["qaro"])
    assert attempts(client, csrf_token, "qaro1@example.org", PASSWORD, 1, address=B) == [None]  # B is known
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    for email in ("qaro1@example.org", "nobody@example.org"):
        spread = [attempts(client, csrf_token, email, "wrong", 1, address=f"198.51.100.{i}")[0] for i in range(4)]
        assert spread == [GENERIC] * 4
        assert attempts(client, csrf_token, email, PASSWORD, 1, address="198.51.100.99") == [LOCKED]
    assert attempts(client, csrf_token, "qaro1@example.org", PASSWORD, 1, address=B) == [None]
    locks = audit_rows(app, action="session.lock")
    assert sorted((r.object_type, r.after["scope"]) for r in locks) == [
        ("unknown_account", "account"),
        ("user", "account"),
    ]


def test_a_sign_in_resets_the_count_of_its_account_and_address(app, client, csrf_token, make_user):
    make_user("qaro1@example.org", ["qaro"])
    limit = app.config["LOGIN_MAX_FAILURES"]
    attempts(client, csrf_token, "qaro1@example.org", "wrong", limit - 1)
    assert attempts(client, csrf_token, "qaro1@example.org", PASSWORD, 1) == [None]
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert attempts(client, csrf_token, "qaro1@example.org", "wrong", limit - 1) == [GENERIC] * (limit - 1)


def test_failures_outside_the_window_do_not_accumulate(app, client, csrf_token, make_user, clock):
    make_user("qaro1@example.org", ["qaro"])
    for _ in range(app.config["LOGIN_MAX_FAILURES"] + 2):
        clock.advance(minutes=app.config["LOGIN_FAILURE_WINDOW_MINUTES"] + 1)
        assert attempts(client, csrf_token, "qaro1@example.org", "wrong", 1) == [GENERIC]
    assert audit_rows(app, action="session.lock") == []
    assert attempts(client, csrf_token, "qaro1@example.org", PASSWORD, 1) == [None]


@pytest.mark.parametrize("app_config", [{"PROXY_FIX": 1}])
def test_behind_a_proxy_the_forwarded_address_is_counted(app, client, csrf_token, make_user):
    """PROXY_FIX=1: the address the proxy saw (X-Forwarded-For) is the one throttled and audited."""
    make_user("qaro1@example.org", ["qaro"])
    for forwarded in ("203.0.113.7", "203.0.113.8"):
        response = client.post(
            "/login",
            data={"email": "qaro1@example.org", "password": "wrong", "csrf_token": csrf_token(client)},
            headers={"X-Forwarded-For": forwarded},
        )
        assert response.status_code == 200
    assert [r.after["address"] for r in audit_rows(app, action="session.fail")] == ["203.0.113.7", "203.0.113.8"]


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


def session_cookies(response) -> list[str]:
    return [c for c in response.headers.getlist("Set-Cookie") if c.startswith("tracker_session=")]


def cookies_of_get(client, path: str) -> list[str]:
    """The session cookies a GET of ``path`` sends back (the response closed: files are streamed)."""
    with client.get(path) as response:
        assert response.status_code in (200, 404), path
        return session_cookies(response)


def test_the_session_cookie_is_sent_only_when_the_session_changed(client, client_request, make_user, signing_clock):
    """A response that sends the cookie sends the session as its request found it; arriving after
    a newer one (a slow page, a missing file, a stylesheet), it would put the older session back
    and the next form would be refused. Pages send it when the session changed, or when it is a
    minute old (to restart the idle clock); files never."""
    make_user("qaro1@example.org", ["qaro"], officer_id="Q1")
    assert session_cookies(sign_in(client_request, "qaro1@example.org", PASSWORD).response)  # a new session
    # the CSRF secret is in the session from sign-in on: opening a form changes nothing
    for path in ("/", "/children/new", "/children/", "/no-such-page", "/static/tracker.css"):
        assert cookies_of_get(client, path) == [], path

    page = client_request.post("/children/new", {"child_id": "C1", "date_of_birth": ["1", "2", "2012"]})
    assert session_cookies(page.response)  # the flash message "Child C1 added" is in the session
    assert cookies_of_get(client, page.response.location)  # and shown: out of it
    assert cookies_of_get(client, "/children/C1") == []

    signing_clock.advance(seconds=59)
    assert cookies_of_get(client, "/") == []
    signing_clock.advance(seconds=1)
    assert cookies_of_get(client, "/")  # a minute old: re-signed, the idle clock starts again
    assert cookies_of_get(client, "/") == []
    signing_clock.advance(minutes=5)
    assert cookies_of_get(client, "/static/tracker.css") == []  # never a file, however old


def test_a_user_at_work_stays_signed_in_and_an_idle_one_is_signed_out(client, client_request, make_user, signing_clock):
    make_user("qaro1@example.org", ["qaro"])
    sign_in(client_request, "qaro1@example.org", PASSWORD)
    for _ in range(6):  # three hours of work, a page every 29 minutes: past the idle time-out each time
        signing_clock.advance(minutes=29)
        assert is_signed_in(client)
    signing_clock.advance(minutes=30, seconds=1)
    response = client.get("/")
    assert response.status_code == 302 and response.location.startswith("/login")


def test_idle_timeout(app, client, client_request, make_user):
    assert app.config["PERMANENT_SESSION_LIFETIME"] == dt.timedelta(minutes=30)
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
        input="lantern-orbit-cobble\nlantern-orbit-cobble\n",
    )
    assert result.exit_code == 0, result.output
    assert "lantern-orbit-cobble" not in result.output
    with app.app_context():
        user = user_by_email("new.person@example.org")
        assert user.name == "New Person" and user.officer_id == "Q9" and user.team == "North"
        assert sorted(user.role_codes) == ["iro_manager", "qaro"]
    rows = audit_rows(app, action="user.create")
    assert len(rows) == 1 and rows[0].actor == "cli:create-user"
    assert rows[0].after["roles"] == ["iro_manager", "qaro"]
    sign_in(client_request, "new.person@example.org", "lantern-orbit-cobble")


def test_create_user_cli_refuses_mismatch_duplicate_and_unknown_role(app, runner, make_user):
    result = runner.invoke(
        args=["create-user", "a@example.org", "--role", "qaro"], input="lantern-orbit-cobble\nother-pass\n"
    )
    assert result.exit_code != 0
    make_user("dup@example.org", ["qaro"])
    result = runner.invoke(
        args=["create-user", "dup@example.org", "--role", "qaro"], input="lantern-orbit-cobble\nlantern-orbit-cobble\n"
    )
    assert result.exit_code != 0 and "already exists" in result.output
    result = runner.invoke(
        args=["create-user", "b@example.org", "--role", "wizard"], input="lantern-orbit-cobble\nlantern-orbit-cobble\n"
    )
    assert result.exit_code != 0
    with app.app_context():
        assert user_by_email("a@example.org") is None and user_by_email("b@example.org") is None
    assert audit_rows(app, action="user.create") == []


@pytest.mark.parametrize(
    "password, message",
    [
        ("short-pw", "The password must be 12 characters or more"),
        (
            "password1234",
            "The password is too easy to guess: it is a common password, or like one. Try three random words",
        ),
        ("new.person.2024", "The password must not contain the user's name or email address"),
    ],
)
def test_create_user_cli_applies_the_password_rule(app, runner, password, message):
    """The one password rule (tracker.auth.passwords), in the command as in the pages."""
    result = runner.invoke(
        args=["create-user", "new.person@example.org", "--role", "qaro", "--name", "New Person"],
        input=f"{password}\n{password}\n",
    )
    assert result.exit_code == 1 and result.output.splitlines()[-1] == f"Error: {message}"
    assert password not in result.output
    with app.app_context():
        assert user_by_email("new.person@example.org") is None
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
