"""What a user typed survives the end of their session (README "Sessions").

A form posted after the session ended (idle time-out: the browser has dropped the expired
cookie; the absolute lifetime; a sign-out elsewhere) arrives anonymous, and its CSRF token went
with the session. Instead of refusing it, ``keep`` answers with the sign-in page, which carries
the posted fields in one hidden field: signed and time-stamped, in the page body only, as the
form itself was — never in a URL, never in the session cookie (4 KB, written to disk, sent with
every request), never in the database. After sign-in, ``take`` opens it and the user sees what
they entered, and sends it again to the same address with a fresh CSRF token: the page's own
view checks it as any post (permission, validation, the record's version). (A form posted while
signed in, from a page opened before the user signed in again in another tab, carries the old
session's CSRF token: its page shows it again with the input, ``tracker.web.forms.check_csrf``.)

What is kept, and for how long:

- only a post to a page of the tracker (a route that exists), not the sign-in or sign-out;
- only from a page of the tracker (``Origin``, else ``Referer``, names this site), so that a site
  elsewhere cannot plant input for a user to send;
- at most ``MAX_FIELDS`` fields and ``MAX_CHARS`` characters; never files (the user is told to
  attach them again), fields whose name contains "password" (asked for again) or CSRF tokens;
- for ``REAUTH_FORM_MINUTES``; and only for the user whose session ended when that is known
  (absolute lifetime, sign-out elsewhere). After an idle time-out the browser no longer says
  whose session it was: the input is offered to whoever signs in at that browser within those
  minutes, who is the person that had it on screen there (and the page's view still checks
  their permission when it is sent).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, flash, make_response, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from tracker.auth.forms import RESUME_MAX_LENGTH, LoginForm
from tracker.core import clock
from tracker.web.forms import posted_from_this_site

SALT = "tracker-resume-form"
MAX_FIELDS = 200
MAX_CHARS = 50_000
KEPT_MESSAGE = (
    "You were signed out before your form was sent. Sign in again to check what you entered and send it: "
    "nothing has been saved yet."
)
NOT_SHOWN = ("submit", "version")  # buttons and record versions: sent again, not listed


@dataclass(frozen=True)
class Kept:
    """A form posted after its session ended, to be checked and sent again."""

    action: str  # where it was posted (a path of this site)
    back: str | None  # the page it was posted from, when known
    fields: list[tuple[str, str]]  # in the order posted (names may repeat: checkboxes)
    csrf_names: list[str]  # the CSRF token fields it had, filled with a fresh token again
    files_dropped: bool
    passwords_dropped: bool

    @property
    def answers(self) -> list[dict]:
        """What the user entered, for the summary list (names made readable)."""
        rows = []
        for name, value in self.fields:
            last = name.rsplit("-", 1)[-1]
            if not value.strip() or last in NOT_SHOWN:
                continue
            rows.append({"key": name.replace("-", " ").replace("_", " ").capitalize(), "value": value})
        return rows


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=SALT)


def _minutes() -> float:
    return float(current_app.config["REAUTH_FORM_MINUTES"])


def _collect() -> Kept | None:
    """The posted form as a ``Kept``, or None when it is not to be kept (see the module's rules)."""
    from tracker.auth.views import safe_next

    if request.blueprint == "auth" or request.url_rule is None or not posted_from_this_site():
        return None
    csrf_field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    fields, csrf_names, passwords_dropped = [], [], False
    for name, value in request.form.items(multi=True):
        if name.endswith(csrf_field):
            csrf_names.append(name)
        elif "password" in name.lower():
            passwords_dropped = True
        else:
            fields.append((name, value))
    if len(fields) > MAX_FIELDS or sum(len(n) + len(v) for n, v in fields) > MAX_CHARS:
        return None
    query = request.query_string.decode("utf-8", "replace")
    action = safe_next(request.path + (f"?{query}" if query else ""))
    if action is None:
        return None
    return Kept(
        action=action,
        # the page the form was on (its path only: a query string may hold search terms)
        back=safe_next(urlsplit(request.referrer).path) if request.referrer else None,
        fields=fields,
        csrf_names=sorted(set(csrf_names)) or [csrf_field],
        files_dropped=any(f.filename for f in request.files.values()),
        passwords_dropped=passwords_dropped,
    )


def keep(user_id: str | None):
    """An anonymous post (its session has ended): the sign-in page carrying the posted fields,
    or None when it is not to be kept (then it is refused as before: the CSRF check)."""
    kept = _collect()
    if kept is None:
        return None
    token = _serializer().dumps(
        {
            "action": kept.action,
            "back": kept.back,
            "fields": kept.fields,
            "csrf": kept.csrf_names,
            "files": kept.files_dropped,
            "passwords": kept.passwords_dropped,
            "user": user_id,
            "at": int(clock.now_utc().timestamp()),
        }
    )
    if len(token) > RESUME_MAX_LENGTH:
        return None
    form = LoginForm(formdata=None)
    form.resume.data = token
    flash(KEPT_MESSAGE, "info")
    return _not_stored(render_template("auth/login.html", form=form, action=url_for("auth.login", next=kept.back)))


def show(kept: Kept):
    """The page listing a kept form, with its button to send it again."""
    return _not_stored(render_template("auth/resume.html", kept=kept))


def _not_stored(page: str):
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"  # it holds what the user typed
    return response


def take(token: str | None, user) -> tuple[Kept | None, str | None]:
    """After ``user`` signed in: the form kept by ``keep``, if it is theirs and recent; else
    None, with a message when the user should know it was dropped."""
    from tracker.auth.views import safe_next

    if not token:
        return None, None
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None, None
    if data.get("user") is not None and str(data["user"]) != str(user.id):
        return None, None  # another person's: not theirs to see
    if clock.now_utc().timestamp() - int(data.get("at", 0)) > _minutes() * 60:
        return None, (
            f"What you entered before you were signed out was not kept: it is kept for {_minutes():g} minutes only."
        )
    action = safe_next(data.get("action"))
    if action is None:
        return None, None
    return (
        Kept(
            action=action,
            back=safe_next(data.get("back")),
            fields=[(str(n), str(v)) for n, v in data.get("fields", [])],
            csrf_names=[str(n) for n in data.get("csrf", [])],
            files_dropped=bool(data.get("files")),
            passwords_dropped=bool(data.get("passwords")),
        ),
        None,
    )
