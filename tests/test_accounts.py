"""Accounts (issue 12): the password rule, users changing their own password, an administrator
resetting one to a temporary password, lifting sign-in locks and correcting a user's details —
each audited, none leaving a password anywhere but its hash (README "Accounts")."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from tests.auth_helpers import GENERIC, LOCKED, PASSWORD, Clock, form_of, post_sign_in, sign_in_message
from tests.pages import Page
from tracker.auth.models import User, user_by_email
from tracker.core.audit import AuditEntry
from tracker.extensions import db

NEW = "lantern orbit cobble"  # a good new password: three random words
A, B = "192.0.2.1", "192.0.2.2"  # two source addresses (TEST-NET-1)
CHANGED = "Success Your password has been changed. You have been signed out of the tracker everywhere else."
HERE = {"Origin": "http://localhost"}  # a browser's post from a page of the tracker


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def audit_rows(app, **filters) -> list[AuditEntry]:
    with app.app_context():
        query = select(AuditEntry).order_by(AuditEntry.id)
        for key, value in filters.items():
            query = query.where(getattr(AuditEntry, key) == value)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry))


def stored_user(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def password_is(app, user_id: int, password: str) -> bool:
    with app.app_context():
        return db.session.get(User, user_id).check_password(password)


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def sign_in(client, csrf_token, email, password=PASSWORD, address="127.0.0.1") -> Page:
    return post_sign_in(client, csrf_token, email, password, address=address)


def row_text(row: AuditEntry) -> str:
    return " ".join(str(v) for v in (row.actor, row.summary, row.object_id, row.before, row.after))


def post(client, csrf_token, url, data=None, **kwargs):
    return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})}, **kwargs)


# ---- the password rule, in one place ---------------------------------------------------------------


@pytest.mark.parametrize(
    "password, message",
    [
        ("", "The password must be 12 characters or more"),
        ("eleven-char", "The password must be 12 characters or more"),
        ("x" * 501, "The password must be 500 characters or fewer"),
        (
            "password1234",
            "The password is too easy to guess: it is a common password, or like one. Try three random words",
        ),
        (
            "qwertyuiop12",
            "The password is too easy to guess: it is a common password, or like one. Try three random words",
        ),
        (
            "aaaaaaaaaaaaaaaa",
            "The password is too easy to guess: it is a common password, or like one. Try three random words",
        ),
        (
            "Liverpool2024!",
            "The password is too easy to guess: it is a common password, or like one. Try three random words",
        ),
        ("a" * 80, "The password is too easy to guess: it is a common password, or like one. Try three random words"),
        ("Tara Get rocks 2024", "The password must not contain the user's name or email address"),
        ("my-TARA.GET-login-99", "The password must not contain the user's name or email address"),
        ("tgetter! was here", "The password must not contain the user's name or email address"),
    ],
)
def test_the_password_rule_refuses(password, message):
    from tracker.auth import passwords
    from tracker.core.errors import DomainError

    with pytest.raises(DomainError) as refused:
        passwords.check(password, email="tgetter@example.org", name="Tara Get")
    assert (refused.value.message, refused.value.field) == (message, "password")


@pytest.mark.parametrize(
    "password",
    [
        "lantern orbit cobble",
        "coffeetrainkettle",
        "correct horse battery staple",
        "walnut-sofa-galaxy-7",
        "kettle " * 20,
    ],
)
def test_the_password_rule_accepts_long_passwords_without_symbol_rules(password):
    """Length over complexity (NCSC): three random words pass, with or without digits or capitals."""
    from tracker.auth import passwords

    passwords.check(password, email="tgetter@example.org", name="Tara Get")


def test_a_temporary_password_is_random_and_easy_to_read_out():
    from tracker.auth import passwords

    made = {passwords.temporary() for _ in range(50)}
    assert len(made) == 50
    assert all(re.fullmatch(r"[a-hj-km-np-z2-9]{4}(-[a-hj-km-np-z2-9]{4}){3}", p) for p in made)


# ---- users change their own password ------------------------------------------------------------


def test_the_change_password_page(client, csrf_token, make_user):
    make_user("qaro1@example.org", ["qaro"])
    sign_in(client, csrf_token, "qaro1@example.org")
    home = Page(client.get("/"))
    assert home.links(".govuk-service-navigation")["Change password"] == "/account/password"
    page = Page(client.get("/account/password"))
    assert page.status == 200 and page.h1 == "Change your password"
    assert page.one("#current_password")["autocomplete"] == "current-password"
    assert page.one("#new_password")["autocomplete"] == "new-password"
    assert page.one("#new_password")["type"] == "password"
    assert page.text_of("#new_password-hint").startswith("Use 12 characters or more.")
    assert page.select("input[name=csrf_token]")
    assert page.texts(".govuk-service-navigation__item--active") == ["Change password"]


def test_users_change_their_own_password_and_their_other_sessions_end(app, client, csrf_token, make_user):
    user = make_user("qaro1@example.org", ["qaro"])
    elsewhere = app.test_client()
    sign_in(elsewhere, csrf_token, "qaro1@example.org")
    sign_in(client, csrf_token, "qaro1@example.org")
    response = post(client, csrf_token, "/account/password", {"current_password": PASSWORD, "new_password": NEW})
    assert response.status_code == 302 and response.location == "/"
    assert Page(client.get("/")).banner == CHANGED
    assert password_is(app, user.id, NEW)
    assert signed_in(client) and not signed_in(elsewhere)  # this session carries on; the others end
    (row,) = audit_rows(app, action="user.change_password")
    assert (row.user_id, row.object_type, row.object_id) == (user.id, "user", str(user.id))
    assert row.summary == "Changed their own password; every other session ended"
    assert NEW not in row_text(row) and PASSWORD not in row_text(row)
    # the old password no longer signs in; the new one does
    post(client, csrf_token, "/logout")
    assert sign_in_message(sign_in(client, csrf_token, "qaro1@example.org")) == GENERIC
    assert sign_in_message(sign_in(client, csrf_token, "qaro1@example.org", NEW)) is None


@pytest.mark.parametrize(
    "data, errors",
    [
        ({}, {"current_password": "Enter your current password", "new_password": "Enter a new password"}),
        (
            {"current_password": "not my password", "new_password": NEW},
            {"current_password": "Your current password is not correct"},
        ),
        (
            {"current_password": PASSWORD, "new_password": "short-one"},
            {"new_password": "Your new password must be 12 characters or more"},
        ),
        (
            {"current_password": PASSWORD, "new_password": "password1234"},
            {
                "new_password": "Your new password is too easy to guess: it is a common password, or like one. Try three random words"
            },
        ),
        (
            {"current_password": PASSWORD, "new_password": "qaro one qaro1 forever"},
            {"new_password": "Your new password must not contain your name or email address"},
        ),
        (
            {"current_password": PASSWORD, "new_password": PASSWORD},
            {"new_password": "Your new password must be different from your current password"},
        ),
    ],
    ids=["blank", "wrong current", "short", "common", "name", "unchanged"],
)
def test_a_refused_change_says_why_and_changes_nothing(app, client, csrf_token, make_user, data, errors):
    user = make_user("qaro1@example.org", ["qaro"], name="Qaro One")
    elsewhere = app.test_client()
    sign_in(elsewhere, csrf_token, "qaro1@example.org")
    sign_in(client, csrf_token, "qaro1@example.org")
    before = audit_count(app)
    page = Page(post(client, csrf_token, "/account/password", data))
    assert page.status == 200 and page.title.startswith("Error: Change your password")
    assert page.errors == list(errors.values())
    assert {field: page.field_error(field) for field in errors} == errors
    assert page.links(".govuk-error-summary")[next(iter(errors.values()))] == f"#{next(iter(errors))}"
    assert page.value("current_password") in (None, "") and page.value("new_password") in (None, "")  # never sent back
    assert password_is(app, user.id, PASSWORD) and signed_in(elsewhere)
    wrong = "current_password" in errors and data.get("current_password") == "not my password"
    assert audit_count(app) == before + (1 if wrong else 0)  # a wrong current password counts as a failed sign-in
    assert audit_rows(app, action="user.change_password") == []


def test_wrong_current_passwords_are_throttled_like_sign_ins(app, client, csrf_token, make_user):
    """The change-password page is no way round the sign-in throttle: five wrong current passwords
    lock the account from that address, on that page and for signing in."""
    user = make_user("qaro1@example.org", ["qaro"])
    sign_in(client, csrf_token, "qaro1@example.org")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        page = Page(post(client, csrf_token, "/account/password", {"current_password": "guess", "new_password": NEW}))
        assert page.errors == ["Your current password is not correct"]
    fails = audit_rows(app, action="session.fail")
    assert len(fails) == limit and {r.user_id for r in fails} == {user.id}
    assert fails[0].summary == "Sign-in failed (wrong current password), failure 1 of 5 from this address"
    (lock,) = audit_rows(app, action="session.lock")
    assert lock.after == {"address": "127.0.0.1", "scope": "account_address"}
    page = Page(post(client, csrf_token, "/account/password", {"current_password": PASSWORD, "new_password": NEW}))
    assert page.errors == ["There have been too many attempts with a wrong password: try again later"]
    assert password_is(app, user.id, PASSWORD)
    other = app.test_client()
    assert sign_in_message(sign_in(other, csrf_token, "qaro1@example.org")) == LOCKED


def test_changing_a_password_needs_the_csrf_token(app, client, csrf_token, make_user):
    user = make_user("qaro1@example.org", ["qaro"])
    sign_in(client, csrf_token, "qaro1@example.org")
    response = client.post("/account/password", data={"current_password": PASSWORD, "new_password": NEW})
    assert response.status_code == 400
    assert password_is(app, user.id, PASSWORD)


# ---- an administrator resets a password ----------------------------------------------------------


def reset(client, csrf_token, user_id: int) -> Page:
    action, fields = form_of(
        Page(client.get(f"/admin/users/{user_id}")), f"form[action='/admin/users/{user_id}/password']"
    )
    return Page(client.post(action, data=dict(fields)))


def test_an_administrator_resets_a_password_to_a_temporary_one_shown_once(app, client, csrf_token, make_user, login_as):
    target = make_user("qaro1@example.org", ["qaro"], name="Tara Get")
    theirs = app.test_client()
    sign_in(theirs, csrf_token, "qaro1@example.org")
    admin = login_as("admin")
    page = reset(client, csrf_token, target.id)
    assert page.status == 200 and page.h1 == "Tara Get Password reset"
    temporary = page.text_of("#temporary-password")
    assert re.fullmatch(r"[a-z2-9]{4}(-[a-z2-9]{4}){3}", temporary)
    assert "This is the only time it is shown" in page.text_of(".govuk-warning-text")
    assert temporary not in page.title and temporary not in (page.response.location or "")
    assert page.response.headers["Cache-Control"] == "no-store"
    with client.session_transaction() as sess:
        assert temporary not in str(dict(sess))  # not in the session cookie (a flash message would be)
    assert password_is(app, target.id, temporary) and not password_is(app, target.id, PASSWORD)
    assert stored_user(app, target.id).must_change_password
    assert not signed_in(theirs)  # every session of theirs ended at once
    (row,) = audit_rows(app, action="user.reset_password")
    assert (row.user_id, row.object_id) == (admin.id, str(target.id))
    assert temporary not in row_text(row)
    assert set(row.after) == {"temporary_password_until"}
    # shown once: the user page says a temporary password is out, never what it is
    user_page = Page(client.get(f"/admin/users/{target.id}"))
    assert user_page.text_of("#temporary-password-state").startswith("The user has a temporary password")
    assert temporary not in user_page.response.get_data(as_text=True)


def test_a_user_with_a_temporary_password_must_change_it_before_anything_else(app, client, csrf_token, make_user):
    target = make_user("qaro1@example.org", ["qaro"])
    admin = app.test_client()
    make_user("admin1@example.org", ["admin"])
    sign_in(admin, csrf_token, "admin1@example.org")
    temporary = reset(admin, csrf_token, target.id).text_of("#temporary-password")

    response = sign_in(client, csrf_token, "qaro1@example.org", temporary).response
    assert response.status_code == 302 and response.location == "/account/password"
    page = Page(client.get("/account/password"))
    assert page.h1 == "Change your password"
    assert page.text.startswith("Change your password You signed in with a temporary password")
    assert page.select(".govuk-back-link") == []
    # every other page leads here, a post elsewhere is not acted on
    for url in ("/", "/children/", "/worklist/mine"):
        answer = client.get(url)
        assert answer.status_code == 302 and answer.location.startswith("/account/password"), url
    assert client.get("/children/").location == "/account/password?next=/children/"
    before = audit_count(app)
    answer = post(client, csrf_token, "/children/new", {"child_id": "C9"})
    assert answer.status_code == 302 and answer.location == "/account/password"
    assert audit_count(app) == before
    assert client.get("/logout").status_code == 200  # signing out stays open

    response = post(
        client, csrf_token, "/account/password?next=/children/", {"current_password": temporary, "new_password": NEW}
    )
    assert response.status_code == 302 and response.location == "/children/"
    assert not stored_user(app, target.id).must_change_password and password_is(app, target.id, NEW)
    assert client.get("/").status_code == 200
    (row,) = audit_rows(app, action="user.change_password")
    assert row.summary == "Changed their own password (replacing a temporary one); every other session ended"


def test_sign_in_with_a_temporary_password_keeps_where_the_user_was_going(app, client, csrf_token, make_user, login_as):
    target = make_user("qaro1@example.org", ["qaro"])
    login_as("admin")
    temporary = reset(client, csrf_token, target.id).text_of("#temporary-password")
    other = app.test_client()
    response = other.post(
        "/login?next=/worklist/mine",
        data={"email": "qaro1@example.org", "password": temporary, "csrf_token": csrf_token(other)},
    )
    assert response.location == "/account/password?next=/worklist/mine"


def test_a_temporary_password_runs_out(app, client, csrf_token, make_user, login_as, clock):
    target = make_user("qaro1@example.org", ["qaro"])
    login_as("admin")
    temporary = reset(client, csrf_token, target.id).text_of("#temporary-password")
    assert app.config["TEMPORARY_PASSWORD_DAYS"] == 5
    clock.advance(days=5, minutes=1)
    other = app.test_client()
    assert sign_in_message(sign_in(other, csrf_token, "qaro1@example.org", temporary)) == GENERIC
    (row,) = audit_rows(app, action="session.fail")
    assert row.summary.startswith("Sign-in failed (temporary password expired)")
    client.delete_cookie("tracker_session")  # the administrator's own session ran out meanwhile
    login_as("admin", email="admin.again@example.org")
    page = Page(client.get(f"/admin/users/{target.id}"))
    assert page.text_of("#temporary-password-state").startswith("The temporary password given on reset has expired")
    # a new reset gives a new temporary password, which signs in
    again = reset(client, csrf_token, target.id).text_of("#temporary-password")
    assert sign_in_message(sign_in(other, csrf_token, "qaro1@example.org", again)) is None


def test_a_form_kept_over_a_sign_in_with_a_temporary_password_is_offered_after_the_change(
    app, client, csrf_token, make_user, login_as
):
    """An administrator resets a colleague's password while the colleague is filling in a form:
    the post is kept over the sign-in, carried through the change of password, then offered."""
    make_user("admin1@example.org", ["admin"])
    target = make_user("qaro1@example.org", ["qaro"])
    sign_in(client, csrf_token, "admin1@example.org")
    action, fields = form_of(
        Page(client.get(f"/admin/users/{target.id}")), f"form[action='/admin/users/{target.id}/roles']"
    )
    colleague = app.test_client()
    make_user("admin2@example.org", ["admin"])
    sign_in(colleague, csrf_token, "admin2@example.org")
    me = user_by_id_of(app, "admin1@example.org")
    temporary = reset(colleague, csrf_token, me).text_of("#temporary-password")

    page = Page(client.post(action, data=MultiDict([*fields, ("roles", "lado")]), headers=HERE))
    assert page.h1 == "Sign in"
    login_action, login_fields = form_of(page)
    page = Page(
        client.post(login_action, data=dict(login_fields) | {"email": "admin1@example.org", "password": temporary})
    )
    assert page.status == 200 and page.h1 == "Change your password"
    change_action, change_fields = form_of(page)
    data = dict(change_fields) | {"current_password": temporary, "new_password": NEW}
    page = Page(client.post(change_action, data=data))
    assert page.status == 200 and page.h1 == "Send your form again"
    send, sent = form_of(page)
    assert send == action and ("roles", "lado") in sent
    assert client.post(send, data=MultiDict(sent)).status_code == 302
    with app.app_context():
        assert sorted(db.session.get(User, target.id).role_codes) == ["lado", "qaro"]


def user_by_id_of(app, email) -> int:
    with app.app_context():
        return user_by_email(email).id


def test_administrators_change_their_own_password_not_reset_it(app, client, csrf_token, login_as):
    admin = login_as("admin")
    page = Page(client.get(f"/admin/users/{admin.id}"))
    assert page.select(f"form[action='/admin/users/{admin.id}/password']") == []
    assert page.links("#password ~ p")["Change password"] == "/account/password"
    before = audit_count(app)
    page = Page(post(client, csrf_token, f"/admin/users/{admin.id}/password"))
    message = "You cannot reset your own password: change it from Change password instead"
    assert page.status == 200 and page.errors == [message]
    assert page.links(".govuk-error-summary")[message] == "#reset-submit" and page.select("#reset-submit")
    assert audit_count(app) == before and not stored_user(app, admin.id).must_change_password


# ---- an administrator lifts a sign-in lock -----------------------------------------------------------


def attempts(client, csrf_token, email, password, n, address=A):
    return [sign_in_message(sign_in(client, csrf_token, email, password, address)) for _ in range(n)]


def test_a_locked_user_unlocked_by_an_administrator_signs_in(app, client, csrf_token, make_user, login_as):
    target = make_user("qaro1@example.org", ["qaro"])
    theirs = app.test_client()
    limit = app.config["LOGIN_MAX_FAILURES"]
    assert attempts(theirs, csrf_token, "qaro1@example.org", "wrong", limit)[-1] == LOCKED
    assert attempts(theirs, csrf_token, "qaro1@example.org", PASSWORD, 1) == [LOCKED]  # the right one too

    admin = login_as("admin")
    page = Page(client.get(f"/admin/users/{target.id}"))
    (lock,) = page.texts("#sign-in-locks li")
    assert lock.startswith(f"from the address {A}, until ")
    action, fields = form_of(page, f"form[action='/admin/users/{target.id}/unlock']")
    response = client.post(action, data=dict(fields))
    assert response.status_code == 302 and response.location == f"/admin/users/{target.id}#sign-in"
    page = Page(client.get(f"/admin/users/{target.id}"))
    assert page.banner == "Success Sign-in unlocked: the user can sign in again."
    assert page.select("#sign-in-locks") == [] and "Sign-in to this account is not locked." in page.text
    (row,) = audit_rows(app, action="user.unlock")
    assert (row.user_id, row.object_type, row.object_id) == (admin.id, "user", str(target.id))
    assert row.before == {"locks": [{"scope": "account_address", "address": A}]}

    assert attempts(theirs, csrf_token, "qaro1@example.org", PASSWORD, 1) == [None]  # signs in, from that address
    assert signed_in(theirs)


def test_after_an_unlock_the_count_of_failures_starts_again(app, client, csrf_token, make_user, login_as, clock):
    target = make_user("qaro1@example.org", ["qaro"])
    theirs = app.test_client()
    limit = app.config["LOGIN_MAX_FAILURES"]
    attempts(theirs, csrf_token, "qaro1@example.org", "wrong", limit)
    login_as("admin")
    clock.advance(seconds=1)
    post(client, csrf_token, f"/admin/users/{target.id}/unlock")
    clock.advance(seconds=1)
    assert attempts(theirs, csrf_token, "qaro1@example.org", "wrong", limit) == [GENERIC] * (limit - 1) + [LOCKED]


@pytest.mark.parametrize("app_config", [{"LOGIN_ACCOUNT_MAX_FAILURES": 4}])
def test_an_account_limited_to_known_addresses_is_unlocked_too(app, client, csrf_token, make_user, login_as):
    target = make_user("qaro1@example.org", ["qaro"])
    theirs = app.test_client()
    for i in range(4):
        attempts(theirs, csrf_token, "qaro1@example.org", "wrong", 1, address=f"198.51.100.{i}")
    assert attempts(theirs, csrf_token, "qaro1@example.org", PASSWORD, 1, address=B) == [LOCKED]  # B is not known
    login_as("admin")
    page = Page(client.get(f"/admin/users/{target.id}"))
    assert page.texts("#sign-in-locks li")[0].startswith("from every address it has not signed in from recently")
    post(client, csrf_token, f"/admin/users/{target.id}/unlock")
    assert attempts(theirs, csrf_token, "qaro1@example.org", PASSWORD, 1, address=B) == [None]


def test_an_address_locked_across_accounts_is_not_the_accounts_to_unlock(app, client, csrf_token, make_user, login_as):
    """Password spraying from one address locks the address for everyone: no account's unlock lifts it."""
    target = make_user("qaro1@example.org", ["qaro"])
    theirs = app.test_client()
    for i in range(app.config["LOGIN_ADDRESS_MAX_FAILURES"]):
        attempts(theirs, csrf_token, f"person{i}@example.org", "wrong", 1)
    login_as("admin")
    page = Page(client.get(f"/admin/users/{target.id}"))
    assert "Sign-in to this account is not locked." in page.text  # the account itself is not
    assert attempts(theirs, csrf_token, "qaro1@example.org", PASSWORD, 1) == [LOCKED]
    assert attempts(theirs, csrf_token, "qaro1@example.org", PASSWORD, 1, address=B) == [None]


def test_unlocking_an_account_that_is_not_locked_writes_nothing(app, client, csrf_token, make_user, login_as):
    target = make_user("qaro1@example.org", ["qaro"])
    login_as("admin")
    page = Page(client.get(f"/admin/users/{target.id}"))
    assert page.select(f"form[action='/admin/users/{target.id}/unlock']") == []  # nothing offered
    before = audit_count(app)
    response = post(client, csrf_token, f"/admin/users/{target.id}/unlock")
    assert response.status_code == 302
    assert Page(client.get(response.location)).banner == (
        "Important Sign-in to this account was not locked (a lock runs out by itself): nothing to unlock."
    )
    assert audit_count(app) == before
    assert client.post(f"/admin/users/{target.id}/unlock").status_code == 400  # no CSRF token


# ---- an administrator corrects a user's details --------------------------------------------------------


def details(page: Page) -> tuple[str, dict]:
    """The details form: where it posts (the page itself) and its fields as shown."""
    action, fields = form_of(page, "main form")
    return action or page.response.request.path, dict(fields)


def test_an_administrator_corrects_a_users_details(app, client, csrf_token, make_user, login_as):
    target = make_user("tara@example.org", ["qaro"], name="Tara Get", officer_id="Q7", team="North")
    admin = login_as("admin")
    user_page = Page(client.get(f"/admin/users/{target.id}"))
    assert user_page.links()["Change details of Tara Get"] == f"/admin/users/{target.id}/edit"
    page = Page(client.get(f"/admin/users/{target.id}/edit"))
    assert page.h1 == "Tara Get Change details"
    action, fields = details(page)
    assert {k: fields[k] for k in ("email", "name", "officer_id", "team")} == {
        "email": "tara@example.org",
        "name": "Tara Get",
        "officer_id": "Q7",
        "team": "North",
    }
    fields |= {"email": "tara.get@example.org", "name": "Tara Getty", "officer_id": "", "team": " South "}
    response = client.post(action, data=fields)
    assert response.status_code == 302 and response.location == f"/admin/users/{target.id}"
    page = Page(client.get(response.location))
    assert page.banner == "Success Details saved."
    assert page.h1 == "User Tara Getty"
    summary = page.summary()
    assert (summary["Email address"], summary["Officer ID"], summary["Team"]) == ("tara.get@example.org", "", "South")
    stored = stored_user(app, target.id)
    assert (stored.email, stored.name, stored.officer_id, stored.team) == (
        "tara.get@example.org",
        "Tara Getty",
        None,
        "South",
    )
    (row,) = audit_rows(app, action="user.update")
    assert (row.user_id, row.object_id) == (admin.id, str(target.id))
    assert row.before == {"email": "tara@example.org", "name": "Tara Get", "officer_id": "Q7", "team": "North"}
    assert row.after == {"email": "tara.get@example.org", "name": "Tara Getty", "officer_id": None, "team": "South"}
    # the user signs in with the new email address
    other = app.test_client()
    assert sign_in_message(sign_in(other, csrf_token, "tara.get@example.org")) is None

    # saving again without a change writes nothing
    before = audit_count(app)
    action, fields = details(Page(client.get(f"/admin/users/{target.id}/edit")))
    assert Page(client.post(action, data=fields, follow_redirects=True)).banner == "Important No changes to save."
    assert audit_count(app) == before


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"email": "OTHER@example.org"}, "email", "A user with this email address already exists"),
        ({"email": "not an email"}, "email", "Enter an email address in the correct format, like name@example.org"),
        ({"email": ""}, "email", "Enter an email address"),
        ({"name": "  "}, "name", "Enter the user's full name"),
        ({"officer_id": "Q8"}, "officer_id", "Another user already has this officer ID"),
        (
            {"officer_id": "Q 8"},
            "officer_id",
            "The officer ID can only contain letters, numbers, full stops, hyphens and underscores (up to 40, "
            "starting with a letter or number)",
        ),
    ],
)
def test_a_refused_correction_says_why_and_keeps_the_typing(app, client, make_user, login_as, changes, field, message):
    target = make_user("tara@example.org", ["qaro"], name="Tara Get", officer_id="Q7")
    make_user("other@example.org", ["qaro"], officer_id="Q8")
    login_as("admin")
    action, fields = details(Page(client.get(f"/admin/users/{target.id}/edit")))
    before = audit_count(app)
    page = Page(client.post(action, data=fields | changes))
    assert page.status == 200 and page.errors == [message] and page.field_error(field) == message
    for name, value in changes.items():
        assert (page.value(name) or "") == value
    stored = stored_user(app, target.id)
    assert (stored.email, stored.name, stored.officer_id) == ("tara@example.org", "Tara Get", "Q7")
    assert audit_count(app) == before


def test_blank_details_show_as_nothing_on_the_admin_pages(app, client, login_as):
    """An officer imported without an email address, team or roles: nothing where a value would be."""
    with app.app_context():
        imported = User(name="Imported Officer", officer_id="Q9")
        db.session.add(imported)
        db.session.commit()
        imported_id = imported.id
    login_as("admin")
    listed = Page(client.get("/admin/users"))
    row = next(r for r in listed.table("#users") if r[0] == "Imported Officer")
    assert row == ["Imported Officer", "", "Q9", "", "", "Active"]
    page = Page(client.get(f"/admin/users/{imported_id}"))
    summary = page.summary()
    assert (summary["Email address"], summary["Team"], summary["Officer ID"]) == ("", "", "Q9")
    edit = Page(client.get(f"/admin/users/{imported_id}/edit"))
    assert edit.value("email") in (None, "") and edit.value("team") in (None, "")
    for shown in (listed, page, edit):
        assert "None" not in shown.text.split()
