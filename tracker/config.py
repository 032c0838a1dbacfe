"""Configuration: defaults → instance/config.py → TRACKER_* environment → test_config.

``TRACKER_DATABASE_URL`` selects the database (SQLite at ``instance/tracker.sqlite`` by
default; ``postgresql+psycopg://…`` URLs work unchanged). Any other ``TRACKER_X`` variable
sets config key ``X`` (values are parsed as JSON when they parse, e.g. ``TRACKER_DUE_SOON_WORKING_DAYS=5``).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

from flask import Flask


class Defaults:
    ENV_NAME = "development"  # TRACKER_ENV_NAME=production refuses to start without a SECRET_KEY
    SERVICE_NAME = "Children's services tracker"
    COUNCIL_NAME = "Example County Council"
    # hide_parameters: SQL errors and logs never quote the values (personal data) of a statement
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # also Secure whenever the request came over HTTPS (see auth)
    SESSION_COOKIE_NAME = "tracker_session"
    # the cookie is written only when the session changed, or re-signed when SESSION_REFRESH_SECONDS
    # old: never the old session over a newer one (tracker.web.TrackerSessionInterface)
    SESSION_REFRESH_EACH_REQUEST = False
    SESSION_REFRESH_SECONDS = 60
    PERMANENT_SESSION_LIFETIME = dt.timedelta(minutes=30)  # idle time-out
    SESSION_ABSOLUTE_HOURS = 10  # a session ends this long after sign-in, however busy (tracker.auth.sessions)
    REAUTH_FORM_MINUTES = 10  # a form posted after its session ended is kept this long (tracker.auth.resume)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    WTF_CSRF_CHECK_DEFAULT = False  # checked by tracker.web.forms.check_csrf, which shows a refused form again
    REMEMBER_COOKIE_HTTPONLY = True
    # the sign-in throttle (tracker.auth.throttle; README "Signing in")
    LOGIN_MAX_FAILURES = 5  # failures for one account from one address before that pair is locked
    LOGIN_ADDRESS_MAX_FAILURES = 20  # failures from one address, any accounts, before the address is locked
    LOGIN_ACCOUNT_MAX_FAILURES = 50  # failures for one account, any addresses, before only known addresses may try
    LOGIN_KNOWN_ADDRESS_DAYS = 90  # an address the account signed in from within this many days is known
    LOGIN_FAILURE_WINDOW_MINUTES = 15
    LOGIN_LOCKOUT_MINUTES = 15
    TEMPORARY_PASSWORD_DAYS = 5  # an administrator's reset password signs in this long (README "Accounts")
    # Behind a reverse proxy: how many proxies to trust for X-Forwarded-For/-Proto/-Host (an integer),
    # or a dict of werkzeug ProxyFix arguments. 0: the peer address is the client's.
    PROXY_FIX = 0
    DUE_SOON_WORKING_DAYS = 10  # domain.md §2
    DEMO_PASSWORD = "demo-password"
    PAGE_SIZE = 50
    TODAY = None  # an ISO date fixes "today" (tests, demos); None = the real date in England
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024
    # Email (tracker.jobs.mail): SMTP when MAIL_SERVER is set (TRACKER_MAIL_SERVER, …), else each
    # message is written to instance/mail/ (MAIL_BACKEND "file"; "console" logs it instead)
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_SENDER = "tracker@localhost"
    MAIL_BACKEND = None
    MAIL_TIMEOUT = 30
    MAIL_FOLDER = None
    BASE_URL = "http://127.0.0.1:5000"  # where the links in emails point (TRACKER_BASE_URL)
    SCHEDULER_LOCK_STALE_SECONDS = 120  # SQLite: a lock row whose heartbeat is older than this is free
    ESCALATION_ALERT_DAYS = 28  # a stage 4 started longer ago than this is history: no alert (issue 15)
    # pre-review consultations (issue 17): whom a respondent contacts, on the invitation and the form
    CONSULTATION_CONTACT = "the Independent Reviewing Service at Example County Council"
    CONSULTATION_REMINDER_WORKING_DAYS = 5  # a reminder this many working days before the review
    CONSULTATION_MAX_REFUSALS = 20  # wrong, used or expired links tried from one address in the window …
    CONSULTATION_REFUSAL_WINDOW_MINUTES = 15  # … before the address waits this long (429)
    REQUEST_ID_HEADER = None  # e.g. "X-Request-ID" when the proxy sets it (replacing any client's)


def load(app: Flask, test_config: dict | None) -> None:
    app.config.from_object(Defaults)
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'tracker.sqlite'}"
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("TRACKER")
    if "DATABASE_URL" in app.config:
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    if test_config:
        app.config.update(test_config)
    _ensure_secret_key(app, instance)
    _proxy_fix(app)


def _proxy_fix(app: Flask) -> None:
    """Trust the reverse proxy's X-Forwarded-* headers (``PROXY_FIX``), so that
    ``request.remote_addr`` is the client's address (the sign-in throttle counts by it) and
    ``request.is_secure``/``request.host`` are what the browser used."""
    setting = app.config.get("PROXY_FIX")
    if not setting:
        return
    from werkzeug.middleware.proxy_fix import ProxyFix

    if isinstance(setting, dict):
        arguments = setting
    else:
        hops = int(setting)
        arguments = {"x_for": hops, "x_proto": hops, "x_host": hops}
    app.wsgi_app = ProxyFix(app.wsgi_app, **arguments)


def _ensure_secret_key(app: Flask, instance: Path) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.config.get("ENV_NAME") == "production":
        raise RuntimeError(
            "SECRET_KEY is not set: put it in instance/config.py or TRACKER_SECRET_KEY "
            "before starting in production mode"
        )
    key = secrets.token_hex(32)
    path = instance / "config.py"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"\n# Written on first run; keep it secret and stable across restarts.\nSECRET_KEY = {key!r}\n")
    os.chmod(path, 0o600)
    app.config["SECRET_KEY"] = key
