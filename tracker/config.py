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
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # also Secure whenever the request came over HTTPS (see auth)
    SESSION_COOKIE_NAME = "tracker_session"
    SESSION_REFRESH_EACH_REQUEST = True
    PERMANENT_SESSION_LIFETIME = dt.timedelta(minutes=30)  # idle time-out
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    REMEMBER_COOKIE_HTTPONLY = True
    LOGIN_MAX_FAILURES = 5  # failed sign-ins within the window before the account is throttled
    LOGIN_FAILURE_WINDOW_MINUTES = 15
    LOGIN_LOCKOUT_MINUTES = 15
    DUE_SOON_WORKING_DAYS = 10  # domain.md §2
    DEMO_PASSWORD = "demo-password"
    PAGE_SIZE = 50
    TODAY = None  # an ISO date fixes "today" (tests, demos); None = the real date in England
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024


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
