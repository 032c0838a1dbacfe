"""When a session ends (tracker.auth.sessions) and what the user typed survives it
(tracker.auth.resume): the session version, the absolute lifetime, the form kept over a sign-in."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from tests.auth_helpers import PASSWORD, Clock, SigningClock, form_of, post_sign_in
from tests.pages import Page
from tracker.auth.models import User, user_by_email
from tracker.core.audit import AuditEntry
from tracker.core.forms import TOKEN_REFUSED
from tracker.extensions import db

COOKIE = "tracker_session"
HERE = {"Origin": "http://localhost"}  # a browser's post from a page of the tracker


def from_page(path: str) -> dict:
    """The headers of a browser's post from a page of the tracker (Referrer-Policy: same-origin)."""
    return {**HERE, "Referer": f"http://localhost{path}"}


KEPT = (
    "You were signed out before your form was sent. Sign in again to check what you entered and send it: "
    "nothing has been saved yet."
)
ENDED = "You have been signed out: your session was ended. Sign in again to continue."


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def sign_in(client, csrf_token, email, **data) -> Page:
    page = post_sign_in(client, csrf_token, email, PASSWORD, **data)
    assert page.status in (200, 302), page.status
    return page


def sign_in_again(client, kept_sign_in: tuple, email: str, password: str = PASSWORD):
    """Post the sign-in page that carries a kept form (its action and fields), as ``email``."""
    action, fields = kept_sign_in
    return client.post(action, data=dict(fields) | {"email": email, "password": password})


def roles_of(app, email) -> list[str]:
    with app.app_context():
        return sorted(user_by_email(email).role_codes)


def session_version(app, email) -> int:
    with app.app_context():
        return user_by_email(email).session_version


def audit_count(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(AuditEntry.id)).all())


# ---- the session version -----------------------------------------------------------------


def test_sign_in_puts_the_users_session_version_and_the_time_in_the_session(app, client, csrf_token, make_user):
    make_user("qaro1@example.org", ["qaro"])
    sign_in(client, csrf_token, "qaro1@example.org")
    with client.session_transaction() as sess:
        assert sess["_auth_v"] == 1 and isinstance(sess["_auth_at"], int)


def test_a_copied_cookie_neither_reads_nor_writes_after_sign_out(app, client, csrf_token, make_user):
    """Finding 4: copy the cookie, sign out, replay a GET and a POST with a valid CSRF token."""
    make_user("admin1@example.org", ["admin"])
    target = make_user("qaro1@example.org", ["qaro"])
    sign_in(client, csrf_token, "admin1@example.org")
    copy = browser_with(app, client.get_cookie(COOKIE).value)
    token = csrf_token(copy)  # a valid CSRF token for the copied session (now holding its secret)
    copied = copy.get_cookie(COOKIE).value
    assert browser_with(app, copied).get("/admin/users").status_code == 200  # the copy works while signed in

    assert client.post("/logout", data={"csrf_token": csrf_token(client)}).status_code == 302
    assert session_version(app, "admin1@example.org") == 2

    copy = browser_with(app, copied)
    response = copy.get("/admin/users")
    assert response.status_code == 302 and response.location == "/login?next=%2Fadmin%2Fusers"
    assert Page(copy.get(response.location)).banner == f"Important {ENDED}"

    before = audit_count(app)
    roles = f"/admin/users/{target.id}/roles"
    response = browser_with(app, copied).post(roles, data={"csrf_token": token, "roles": ["admin"]})
    assert response.status_code == 400  # refused: the session, and its CSRF secret, are gone
    # posted from a page of the tracker: the sign-in page, carrying the post to send after sign-in
    page = Page(browser_with(app, copied).post(roles, data={"csrf_token": token, "roles": ["admin"]}, headers=HERE))
    assert page.status == 200 and page.h1 == "Sign in"
    assert roles_of(app, "qaro1@example.org") == ["qaro"] and audit_count(app) == before


def browser_with(app, cookie: str):
    """A browser holding a copy of a session cookie."""
    browser = app.test_client()
    browser.set_cookie(COOKIE, cookie)
    return browser


def test_sign_out_ends_the_users_sessions_on_every_device(app, csrf_token, make_user):
    make_user("qaro1@example.org", ["qaro"])
    office, home = app.test_client(), app.test_client()
    sign_in(office, csrf_token, "qaro1@example.org")
    sign_in(home, csrf_token, "qaro1@example.org")
    office.post("/logout", data={"csrf_token": csrf_token(office)})
    assert not signed_in(home)


def test_a_role_change_ends_the_users_sessions(app, client, csrf_token, make_user, client_request, login_as):
    make_user("qaro1@example.org", ["qaro"])
    colleague = app.test_client()
    sign_in(colleague, csrf_token, "qaro1@example.org")
    login_as("admin")
    target = user_id(app, "qaro1@example.org")
    page = client_request.get(f"/admin/users/{target}")
    action, fields = form_of(page, f"form[action='/admin/users/{target}/roles']")
    fields = [(k, v) for k, v in fields if k != "roles"] + [("roles", "qaro"), ("roles", "iro_manager")]
    assert client.post(action, data=multi(fields)).status_code == 302
    assert roles_of(app, "qaro1@example.org") == ["iro_manager", "qaro"]
    assert not signed_in(colleague)
    assert signed_in(client)  # the administrator carries on


def test_administrators_changing_their_own_roles_stay_signed_in_elsewhere_not(app, client, csrf_token, make_user):
    make_user("admin1@example.org", ["admin"])
    elsewhere = app.test_client()
    sign_in(elsewhere, csrf_token, "admin1@example.org")
    sign_in(client, csrf_token, "admin1@example.org")
    me = user_id(app, "admin1@example.org")
    action, fields = form_of(Page(client.get(f"/admin/users/{me}")), f"form[action='/admin/users/{me}/roles']")
    assert client.post(action, data=multi([*fields, ("roles", "analyst")])).status_code == 302
    assert roles_of(app, "admin1@example.org") == ["admin", "analyst"]
    assert signed_in(client) and not signed_in(elsewhere)


def test_disabling_a_user_ends_their_sessions_at_once(app, client, csrf_token, make_user, login_as):
    make_user("qaro1@example.org", ["qaro"])
    colleague = app.test_client()
    sign_in(colleague, csrf_token, "qaro1@example.org")
    login_as("admin")
    target = user_id(app, "qaro1@example.org")
    action, fields = form_of(
        Page(client.get(f"/admin/users/{target}")), f"form[action='/admin/users/{target}/disable']"
    )
    assert client.post(action, data=multi(fields)).status_code == 302
    assert not signed_in(colleague)


def test_a_password_change_ends_the_users_sessions(app, client, csrf_token, make_user, runner):
    make_user("qaro1@example.org", ["qaro"])
    sign_in(client, csrf_token, "qaro1@example.org")
    result = runner.invoke(args=["set-password", "qaro1@example.org"], input="new-password-1\nnew-password-1\n")
    assert result.exit_code == 0, result.output
    assert "new-password-1" not in result.output
    assert not signed_in(client)
    assert post_sign_in(client, csrf_token, "qaro1@example.org", "new-password-1").status == 302
    with app.app_context():
        (row,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.set_password")).all()
        assert row.actor == "cli:set-password" and row.object_id == str(user_by_email("qaro1@example.org").id)
    result = runner.invoke(args=["set-password", "qaro1@example.org"], input="short\nshort\n")
    assert result.exit_code != 0 and "The password must be 12 characters or more" in result.output


def test_users_changing_their_own_password_keep_their_session(app, make_user):
    from flask import session

    from tracker.auth import operations, sessions

    user = make_user("qaro1@example.org", ["qaro"])
    with app.test_request_context("/"):
        me = db.session.get(User, user.id)
        session["_user_id"] = str(me.id)
        sessions.start(me)
        operations.set_password(me, "another-password-entirely", by=me)
        assert me.session_version == 2 and sessions.problem(me) is None


# ---- the absolute lifetime ---------------------------------------------------------------


def test_a_session_ends_ten_hours_after_sign_in_however_busy(app, client, csrf_token, make_user, clock):
    assert app.config["SESSION_ABSOLUTE_HOURS"] == 10
    make_user("qaro1@example.org", ["qaro"])
    sign_in(client, csrf_token, "qaro1@example.org")
    for _ in range(9):
        clock.advance(hours=1)  # busy all day: the idle time-out never runs out
        assert signed_in(client)
    clock.advance(minutes=61)
    response = client.get("/")
    assert response.status_code == 302 and response.location == "/login?next=%2F"
    page = Page(client.get(response.location))
    expected = "You have been signed out because you signed in more than 10 hours ago. Sign in again."
    assert page.h1 == "Sign in" and page.banner == f"Important {expected}"
    sign_in(client, csrf_token, "qaro1@example.org")
    assert signed_in(client)  # a new sign-in starts a new day


# ---- the form kept over a sign-in ---------------------------------------------------------

NEW_USER = {
    "email": "new.person@example.org",
    "name": "New Person",
    "officer_id": "Q77",
    "team": "North & West",
    "roles": "qaro",
    "password": "typed-password-1",
    "password_confirm": "typed-password-1",
}


def user_id(app, email) -> int:
    with app.app_context():
        return user_by_email(email).id


def multi(fields):
    """A form body from (name, value) pairs, names repeated as a browser repeats them."""
    from werkzeug.datastructures import MultiDict

    return MultiDict(fields)


def test_a_form_posted_after_an_idle_time_out_is_offered_again_after_sign_in(app, client, csrf_token, make_user):
    make_user("admin1@example.org", ["admin"])
    sign_in(client, csrf_token, "admin1@example.org")
    action, fields = form_of(Page(client.get("/admin/users/new")))
    typed = [(k, v) for k, v in fields if k not in NEW_USER] + list(NEW_USER.items())
    client.delete_cookie(COOKIE)  # idle: the browser drops the expired cookie

    page = Page(client.post("/admin/users/new", data=multi(typed), headers=from_page("/admin/users/new")))
    assert page.status == 200 and page.h1 == "Sign in" and page.banner == f"Important {KEPT}"
    login_action, login_fields = form_of(page)
    assert login_action == "/login?next=/admin/users/new"  # no typed value in the URL
    assert "New Person" not in page.text
    assert page.response.headers["Cache-Control"] == "no-store"  # the page holds what was typed
    with client.session_transaction() as sess:
        assert "New Person" not in str(dict(sess))  # nor in the session cookie

    login = dict(login_fields) | {"email": "admin1@example.org", "password": PASSWORD}
    page = Page(client.post(login_action, data=login))
    assert page.status == 200 and page.h1 == "Send your form again"
    assert page.summary() == {
        "Email": "new.person@example.org",
        "Name": "New Person",
        "Officer id": "Q77",
        "Team": "North & West",
        "Roles": "qaro",
    }
    assert "typed-password-1" not in page.response.get_data(as_text=True)  # passwords are never kept
    assert "Passwords are never kept" in page.text_of(".govuk-warning-text")
    send, sent = form_of(page)
    assert send == "/admin/users/new"
    assert ("team", "North & West") in sent  # as typed
    with app.app_context():
        assert user_by_email("new.person@example.org") is None  # nothing saved before it is sent

    page = Page(client.post(send, data=multi(sent)))  # sent: the form again, with the typing
    assert page.status == 200 and page.h1 == "Add a user"
    assert page.value("name") == "New Person" and page.value("email") == "new.person@example.org"
    assert page.value("team") == "North & West"
    assert page.field_error("password") == "Enter an initial password"


def test_a_form_posted_after_the_absolute_lifetime_is_sent_after_sign_in(app, client, csrf_token, make_user, clock):
    make_user("admin1@example.org", ["admin"])
    target = make_user("qaro1@example.org", ["qaro"])
    sign_in(client, csrf_token, "admin1@example.org")
    page = Page(client.get(f"/admin/users/{target.id}"))
    action, fields = form_of(page, f"form[action='/admin/users/{target.id}/roles']")
    clock.advance(hours=10, minutes=1)
    page = Page(client.post(action, data=multi([*fields, ("roles", "iro_manager")]), headers=HERE))
    assert page.h1 == "Sign in" and page.banner == f"Important {KEPT}"
    assert roles_of(app, "qaro1@example.org") == ["qaro"]

    login_action, login_fields = form_of(page)
    page = Page(sign_in_again(client, (login_action, login_fields), "admin1@example.org"))
    assert page.h1 == "Send your form again"
    send, sent = form_of(page)
    assert send == action and ("roles", "iro_manager") in sent
    response = client.post(send, data=multi(sent))
    assert response.status_code == 302
    assert roles_of(app, "qaro1@example.org") == ["iro_manager", "qaro"]


def _kept_sign_in_page(app, client, csrf_token, clock):
    """An administrator's session runs out (absolute lifetime) as they post a roles form."""
    target = user_id(app, "qaro1@example.org")
    sign_in(client, csrf_token, "admin1@example.org")
    action, fields = form_of(Page(client.get(f"/admin/users/{target}")), f"form[action='/admin/users/{target}/roles']")
    clock.advance(hours=11)
    page = Page(
        client.post(action, data=multi([*fields, ("roles", "lado")]), headers=from_page(f"/admin/users/{target}"))
    )
    assert page.banner == f"Important {KEPT}"
    return form_of(page)


def test_a_kept_form_is_offered_only_to_the_user_whose_session_ended(app, client, csrf_token, make_user, clock):
    make_user("admin1@example.org", ["admin"])
    make_user("admin2@example.org", ["admin"])
    make_user("qaro1@example.org", ["qaro"])
    login_action, login_fields = _kept_sign_in_page(app, client, csrf_token, clock)
    response = sign_in_again(client, (login_action, login_fields), "admin2@example.org")
    assert response.status_code == 302 and response.location == f"/admin/users/{user_id(app, 'qaro1@example.org')}"
    assert roles_of(app, "qaro1@example.org") == ["qaro"]


def test_a_kept_form_is_dropped_after_a_few_minutes(app, client, csrf_token, make_user, clock):
    make_user("admin1@example.org", ["admin"])
    make_user("qaro1@example.org", ["qaro"])
    login_action, login_fields = _kept_sign_in_page(app, client, csrf_token, clock)
    clock.advance(minutes=app.config["REAUTH_FORM_MINUTES"] + 1)
    response = sign_in_again(client, (login_action, login_fields), "admin1@example.org")
    assert response.status_code == 302
    page = Page(client.get(response.location))
    assert page.banner == (
        "Important What you entered before you were signed out was not kept: it is kept for 10 minutes only."
    )


def test_a_kept_form_survives_a_wrong_password(app, client, csrf_token, make_user, clock):
    make_user("admin1@example.org", ["admin"])
    make_user("qaro1@example.org", ["qaro"])
    login_action, login_fields = _kept_sign_in_page(app, client, csrf_token, clock)
    page = Page(sign_in_again(client, (login_action, login_fields), "admin1@example.org", "wrong"))
    assert page.status == 200 and page.errors
    again = dict(form_of(page)[1])
    assert again["resume"] == dict(login_fields)["resume"]
    page = Page(sign_in_again(client, (login_action, list(again.items())), "admin1@example.org"))
    assert page.h1 == "Send your form again"


@pytest.mark.parametrize(
    "headers",
    [
        {},  # neither Origin nor Referer: not known to come from the tracker
        {"Origin": "https://evil.example"},
        {"Referer": "https://evil.example/form"},
        {"Origin": "http://localhost", "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_a_post_from_elsewhere_is_not_kept(app, client, csrf_token, make_user, headers):
    """A site elsewhere cannot plant input for a user to send: refused as before (no session, no CSRF)."""
    make_user("admin1@example.org", ["admin"])
    response = client.post("/admin/users/new", data=NEW_USER, headers=headers)
    assert response.status_code == 400
    with app.app_context():
        assert user_by_email("new.person@example.org") is None


def test_a_form_too_large_to_keep_is_refused_as_before(app, client, make_user):
    response = client.post("/admin/users/new", data={"name": "x" * 60_000}, headers=HERE)
    assert response.status_code == 400


def test_files_are_not_kept_and_the_user_is_told(app, client, csrf_token, make_user):
    make_user("admin1@example.org", ["admin"])
    data = {**NEW_USER, "attachment": (io.BytesIO(b"a,b\n"), "people.csv")}
    page = Page(client.post("/admin/users/new", data=data, headers=HERE, content_type="multipart/form-data"))
    login_action, login_fields = form_of(page)
    page = Page(sign_in_again(client, (login_action, login_fields), "admin1@example.org"))
    assert "Files you attached were not kept: attach them again." in page.text_of(".govuk-warning-text")
    assert "attachment" not in dict(form_of(page)[1])


def test_a_form_from_before_signing_in_again_in_another_tab_is_shown_again(app, client, csrf_token, make_user):
    """Timed out in one tab, signed in again in another: the first tab's form carries the old
    session's CSRF token. Its page shows it again, with what was typed and why it was not sent;
    nothing is saved until the user sends it again."""
    make_user("admin1@example.org", ["admin"])
    sign_in(client, csrf_token, "admin1@example.org")
    _, fields = form_of(Page(client.get("/admin/users/new")))
    typed = [(k, v) for k, v in fields if k not in NEW_USER] + list(NEW_USER.items())
    client.delete_cookie(COOKIE)  # idle
    sign_in(client, csrf_token, "admin1@example.org")  # in another tab
    rows = audit_count(app)

    page = Page(client.post("/admin/users/new", data=multi(typed), headers=from_page("/admin/users/new")))
    assert page.status == 200 and page.h1 == "Add a user"
    assert page.errors == [TOKEN_REFUSED]
    assert page.one(".govuk-error-summary__list li").find("a") is None  # no field to go to: the token is hidden
    assert page.value("name") == "New Person" and page.value("team") == "North & West"
    assert page.one("input[name=roles][value=qaro]").has_attr("checked")
    assert "typed-password-1" not in page.response.get_data(as_text=True)  # passwords are typed again
    with app.app_context():
        assert user_by_email("new.person@example.org") is None  # nothing saved
    assert audit_count(app) == rows

    _, shown = form_of(page)  # what the page now holds, with a fresh token: sent again, it is saved
    again = [(k, v) for k, v in shown if "password" not in k]
    again += [("password", "typed-password-1"), ("password_confirm", "typed-password-1")]
    page = Page(client.post("/admin/users/new", data=multi(again), headers=from_page("/admin/users/new")))
    assert page.status == 302, page.errors
    with app.app_context():
        assert user_by_email("new.person@example.org").name == "New Person"
    # from elsewhere, a stale token is refused as before
    assert (
        client.post("/admin/users/new", data=multi(typed), headers={"Origin": "https://evil.example"}).status_code
        == 400
    )


# ---- a form whose page has expired (tracker.web.forms.check_csrf) ---------------------------


@pytest.fixture
def signing_clock(monkeypatch):
    return SigningClock(monkeypatch)


def child_named(app, child_id: str) -> str | None:
    """The first name of the child saved with that reference (None: no such child)."""
    from tracker.reviews.models import Child

    with app.app_context():
        child = db.session.scalars(select(Child).where(Child.child_id == child_id)).one_or_none()
        return None if child is None else child.first_name


def test_a_form_whose_token_has_expired_is_shown_again_with_what_was_typed(
    app, client, csrf_token, make_user, signing_clock
):
    """Not a bare error page: the form again, the input in it, the reason in the error summary,
    nothing saved; sent again from that page, it is saved."""
    app.config["WTF_CSRF_TIME_LIMIT"] = 3600  # tokens live as long as the session; here, an hour
    make_user("qaro1@example.org", ["qaro"], officer_id="Q1")
    sign_in(client, csrf_token, "qaro1@example.org")
    action, fields = form_of(Page(client.get("/children/new")))
    typed = dict(fields) | {"child_id": "C77", "first_name": "Robin", "last_name": "Brown"}
    typed |= {"date_of_birth": ["4", "3", "2013"]}
    for _ in range(3):  # the page stays open for an hour while the user works in another tab
        signing_clock.advance(minutes=20, seconds=1)
        assert signed_in(client)
    rows = audit_count(app)

    page = Page(client.post("/children/new", data=typed, headers=from_page("/children/new")))
    assert page.status == 200 and page.h1 == "Add a child"
    assert page.title.startswith("Error: ")
    assert page.errors == [TOKEN_REFUSED]
    assert page.value("child_id") == "C77" and page.value("first_name") == "Robin"
    assert page.value("date_of_birth-year") == "2013"
    assert child_named(app, "C77") is None  # nothing saved
    assert audit_count(app) == rows

    _, shown = form_of(page)  # the page now carries a fresh token: sent again, the form is saved
    page = Page(client.post(action or "/children/new", data=multi(shown), headers=from_page("/children/new")))
    assert page.status == 302, page.errors
    assert child_named(app, "C77") == "Robin"


def test_a_sign_in_page_left_open_too_long_is_shown_again_with_the_email(app, client, make_user):
    """The sign-in page's token lives in a session that is not signed in yet; once that has
    gone (the browser was closed, or 30 minutes passed), signing in shows the page again with
    the email kept, and is not counted as a failed sign-in."""
    make_user("qaro1@example.org", ["qaro"])
    _, fields = form_of(Page(client.get("/login")))
    client.delete_cookie(COOKIE)
    typed = dict(fields) | {"email": "qaro1@example.org", "password": PASSWORD}

    page = Page(client.post("/login", data=typed, headers=from_page("/login")))
    assert page.status == 200 and page.h1 == "Sign in"
    assert page.errors == [TOKEN_REFUSED]
    assert page.value("email") == "qaro1@example.org"
    assert PASSWORD not in page.response.get_data(as_text=True)
    assert not signed_in(client)
    with app.app_context():
        assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == "session.fail")).all() == []

    again = dict(form_of(page)[1]) | {"password": PASSWORD}
    assert client.post("/login", data=again, headers=from_page("/login")).status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "https://evil.example"},
        {"Referer": "https://evil.example/page"},
        {**HERE, "Sec-Fetch-Site": "cross-site"},
    ],
)
def test_a_post_with_a_refused_token_from_elsewhere_gets_the_error_page(app, client, login_as, headers):
    """Another site's form is not filled in for the user to send: refused, as before."""
    login_as("qaro", officer_id="Q1")
    response = client.post("/children/new", data={"child_id": "C66", "csrf_token": "x"}, headers=headers)
    assert response.status_code == 400
    page = Page(response)
    assert page.h1 == "Sorry, there is a problem with your request"
    assert "C66" not in page.text
