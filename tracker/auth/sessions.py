"""When a signed-in session stops being one (README "Sessions").

The session (Flask's signed cookie) carries, besides Flask-Login's user id, the user's
``session_version`` at sign-in and the time of sign-in. A session is signed in while:

- the user exists and is active;
- its version is the user's current ``users.session_version``: sign-out, a password change, a
  role change and disabling the user add one to it, so every copy of every session of the
  user, on every device, ends at once (a copied cookie is worth nothing after sign-out);
- it began less than ``SESSION_ABSOLUTE_HOURS`` ago (the absolute lifetime);
- it was used within ``PERMANENT_SESSION_LIFETIME`` (the idle time-out: the cookie expires, and
  Flask refuses a cookie signed longer ago than that; a page re-signs it when it is
  ``SESSION_REFRESH_SECONDS`` old, ``tracker.web.TrackerSessionInterface``).

``guard`` runs before every request, ahead of the CSRF check, so that a session that has ended
is cleared (with a message saying why) before anything reads ``current_user``, and so that a
form posted after the end is kept for sending after sign-in (``tracker.auth.resume``). The
user loader checks the same rule, so nothing that loads the user can skip it.
"""

from __future__ import annotations

import enum

from flask import current_app, flash, g, has_request_context, redirect, request, session, url_for
from flask_login import login_url

from tracker.auth import resume
from tracker.auth.models import User, user_by_id
from tracker.core import clock
from tracker.extensions import login_manager
from tracker.web.lifecycle import FILE_ENDPOINTS
from tracker.web.public import is_public_path

USER_ID = "_user_id"  # Flask-Login's key
VERSION = "_auth_v"  # the user's session_version when the session began (absent: 1, the first)
SIGNED_IN_AT = "_auth_at"  # when the session began (seconds since the epoch)


class Ended(enum.Enum):
    """Why a session is no longer signed in."""

    ended = "ended"  # signed out, password or roles changed, disabled, or the user is gone
    expired = "expired"  # the absolute lifetime ran out

    def message(self) -> str:
        if self is Ended.expired:
            hours = float(current_app.config["SESSION_ABSOLUTE_HOURS"])
            return f"You have been signed out because you signed in more than {hours:g} hours ago. Sign in again."
        return "You have been signed out: your session was ended. Sign in again to continue."


def start(user: User) -> None:
    """Mark the (fresh) session as the user's from now: their session version and the time."""
    session[VERSION] = user.session_version or 1
    session[SIGNED_IN_AT] = int(clock.now_utc().timestamp())


def renew(user: User) -> None:
    """After the user's session version went up: the request's own session, if it is the
    user's, carries on under the new version (users changing their own password or roles)."""
    if has_request_context() and session.get(USER_ID) == str(user.id):
        session[VERSION] = user.session_version


def problem(user: User | None) -> Ended | None:
    """Why this request's session may not act for ``user`` (None: it may)."""
    if user is None or not user.is_active:
        return Ended.ended
    if session.get(VERSION, 1) != (user.session_version or 1):
        return Ended.ended
    started = session.get(SIGNED_IN_AT)
    lifetime = float(current_app.config["SESSION_ABSOLUTE_HOURS"]) * 3600
    if started is not None and clock.now_utc().timestamp() - started > lifetime:
        return Ended.expired
    return None


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = user_by_id(user_id)
    return user if problem(user) is None else None


def guard():
    """Before every request: end a session that may no longer act (see the module's rule)."""
    if request.endpoint in FILE_ENDPOINTS or is_public_path(request.path):
        return None
    ended, user_id = None, session.get(USER_ID)
    if user_id is not None:
        ended = problem(user_by_id(user_id))
        if ended is None:
            # a session begun before the absolute lifetime was recorded starts its clock now
            if SIGNED_IN_AT not in session:
                session[SIGNED_IN_AT] = int(clock.now_utc().timestamp())
            return None
        session.clear()
        g.session_ended = ended
    if request.method == "POST":
        if request.endpoint == "auth.logout":  # signing out of a session that has already ended
            flash((ended or Ended.ended).message(), "info")
            return redirect(url_for("auth.login"))
        kept = resume.keep(user_id)  # whose it is, when known
        if kept is not None:
            return kept
    if ended is not None:
        flash(ended.message(), "info")
    return None


def unauthorized():
    """Flask-Login's answer to an anonymous request for a page that needs sign-in: to the
    sign-in page with ``next``; the message says why, once."""
    if not g.get("session_ended"):
        flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))
