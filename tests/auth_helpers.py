"""Helpers shared by the sign-in and session tests: settable clocks (the tracker's, and the one
that signs cookies and tokens), sign-in from a given source address, and the fields of a page's form."""

from __future__ import annotations

import datetime as dt
import time

from tests.pages import Page

PASSWORD = "correct horse battery staple"
GENERIC = "Enter a correct email address and password"
LOCKED = "Enter a correct email address and password. There have been too many attempts to sign in: try again later"


class Clock:
    """``now`` for the application (tracker.core.clock and the audit rows' times), moved by hand."""

    def __init__(self, monkeypatch):
        import tracker.core.audit
        import tracker.core.clock

        self.now = tracker.core.clock.now_utc()
        for module in (tracker.core.clock, tracker.core.audit):
            monkeypatch.setattr(module, "now_utc", lambda: self.now)

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


class SigningClock:
    """``now`` for itsdangerous, which signs the session cookie and CSRF tokens and checks their
    age (the idle time-out, a token's time limit), moved by hand."""

    def __init__(self, monkeypatch):
        import itsdangerous.timed

        self.now = time.time()
        monkeypatch.setattr(itsdangerous.timed, "time", self)

    def time(self) -> float:
        return self.now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta).total_seconds()


def post_sign_in(client, token, email, password, *, address="127.0.0.1", url="/login", **data):
    """Post the sign-in form from a source address; the response parsed."""
    response = client.post(
        url,
        data={"email": email, "password": password, "csrf_token": token(client), **data},
        environ_base={"REMOTE_ADDR": address},
    )
    return Page(response)


def sign_in_message(page: Page) -> str | None:
    """None when the sign-in succeeded (a redirect), else the one message of the form."""
    if page.status == 302:
        return None
    assert page.status == 200 and len(page.errors) == 1, page.errors
    assert page.field_error("email") == page.errors[0]
    return page.errors[0]


def form_of(page: Page, selector: str = "main form") -> tuple[str, list[tuple[str, str]]]:
    """A form's action and its fields as a browser would post them (inputs and text areas)."""
    form = page.one(selector)
    fields = []
    for element in form.select("input[name], textarea[name]"):
        if element.name == "input" and element.get("type") in ("checkbox", "radio") and not element.has_attr("checked"):
            continue
        if element.name == "input" and element.get("type") == "submit":
            continue
        value = element.get_text() if element.name == "textarea" else element.get("value", "")
        fields.append((element["name"], value))
    return form.get("action"), fields
