"""Sign in and sign out. Views are thin: the sign-in logic is ``operations.attempt_sign_in``, the
session rules are ``tracker.auth.sessions``, a form kept over a sign-in is ``tracker.auth.resume``."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from tracker.auth import operations, resume, sessions
from tracker.auth.forms import ChangePasswordForm, LoginForm, LogoutForm
from tracker.core.permissions import require_login
from tracker.web.forms import submit

bp = Blueprint("auth", __name__)

GENERIC_ERROR = "Enter a correct email address and password"
LOCKED_ERROR = (
    "Enter a correct email address and password. There have been too many attempts to sign in: try again later"
)


def safe_next(target: str | None) -> str | None:
    """Only a path on this site (no scheme, no host, not protocol-relative) may be a redirect."""
    if not target:
        return None
    target = target.strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    if any(ord(c) < 32 for c in target):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        # the audit rows are kept, success or not (the page is a 200). The source address is
        # the one Flask gives: behind a proxy, configure PROXY_FIX (README "Signing in").
        result = operations.attempt_sign_in(form.email.data, form.password.data, address=request.remote_addr)
        if result.ok:
            session.clear()  # a fresh session (and CSRF token) for the signed-in user
            g.pop(current_app.config["WTF_CSRF_FIELD_NAME"], None)  # the old session's token, cached
            # the session's CSRF secret from its first cookie on: every later response carries the same
            generate_csrf()
            login_user(result.user)
            sessions.start(result.user)
            session.permanent = True  # PERMANENT_SESSION_LIFETIME is the idle time-out
            if result.user.must_change_password:  # a temporary password: the user's own first
                return _change_password_first(form.resume.data)
            kept, dropped = resume.take(form.resume.data, result.user)
            if kept is not None:  # a form posted after the last session ended: check and send it
                return resume.show(kept)
            if dropped:
                flash(dropped, "info")
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
        form.email.errors.append(LOCKED_ERROR if result.outcome is operations.SignIn.locked else GENERIC_ERROR)
        form.password.data = None
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["GET"], endpoint="logout_confirm")
@require_login
def logout_confirm():
    return render_template("auth/logout.html", form=LogoutForm())


@bp.route("/logout", methods=["POST"])
@require_login
def logout():
    form = LogoutForm()
    if not form.validate_on_submit():
        return render_template("auth/logout.html", form=form), 400
    operations.sign_out(current_user._get_current_object())  # every session of the user ends
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


# ---- the user's own password (README "Accounts") ----------------------------------------

# What a user with a temporary password may open before choosing their own (and the files).
OPEN_WITH_TEMPORARY_PASSWORD = {"auth.change_password", "auth.logout", "auth.logout_confirm", "auth.login"}


def _change_password_first(kept_form: str | None):
    """Just signed in with a temporary password: the change-password page, carrying a form
    kept over the sign-in (shown once the password is changed) and where the user was going."""
    target = url_for("auth.change_password", next=safe_next(request.args.get("next")))
    if not kept_form:
        return redirect(target)
    form = ChangePasswordForm(formdata=None)
    form.resume.data = kept_form
    return render_template("auth/change_password.html", form=form, action=target, temporary=True)


def password_change_first():
    """Before every request: a user signed in with a temporary password is sent to the
    change-password page (a post elsewhere is not acted on), until they choose their own."""
    if request.endpoint in sessions.FILE_ENDPOINTS or request.endpoint in OPEN_WITH_TEMPORARY_PASSWORD:
        return None
    if not current_user.is_authenticated or not current_user.must_change_password:
        return None
    going = safe_next(request.full_path.rstrip("?")) if request.method == "GET" else None
    return redirect(url_for("auth.change_password", next=going))


@bp.route("/account/password", methods=["GET", "POST"])
@require_login
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    address = request.remote_addr
    if submit(
        form,
        lambda: operations.change_password(user, form.current_password.data, form.new_password.data, address=address),
        default_field="new_password",
    ):
        flash("Your password has been changed. You have been signed out of the tracker everywhere else.", "success")
        kept, dropped = resume.take(form.resume.data, user)
        if kept is not None:  # the form kept over a sign-in with a temporary password
            return resume.show(kept)
        if dropped:
            flash(dropped, "info")
        return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
    if operations.WRONG_CURRENT_PASSWORD in form.current_password.errors:
        operations.wrong_current_password(user, address=address)  # counted by the sign-in throttle
    form.current_password.data = form.new_password.data = None  # a password is never sent back
    return render_template("auth/change_password.html", form=form, temporary=user.must_change_password)
