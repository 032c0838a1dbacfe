"""Web plumbing shared by every page: templates, GOV.UK assets, navigation, sessions, errors."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, render_template, request, send_from_directory
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from tracker.core import permissions

STATIC_GOVUK = Path(__file__).resolve().parent / "static" / "govuk"


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    capabilities: tuple[str, ...]  # any of them shows the link (the view itself still checks)
    order: int = 50


NAV: list[NavItem] = []


def nav_item(label: str, endpoint: str, *capabilities: str, order: int = 50) -> None:
    """Features add their top-level pages to the service navigation."""
    if not any(n.endpoint == endpoint for n in NAV):
        NAV.append(NavItem(label, endpoint, capabilities, order))
        NAV.sort(key=lambda n: n.order)


def nav_for(user) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [n for n in NAV if not n.capabilities or permissions.can_any(user, *n.capabilities)]


class TrackerSessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request arrived over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (request.is_secure if request else False)


def format_date(value: dt.date | dt.datetime | None, fmt: str = "%-d %b %Y") -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        from tracker.core.clock import to_london

        return to_london(value).strftime("%-d %b %Y %H:%M")
    return value.strftime(fmt)


def init_app(app: Flask) -> None:
    app.session_interface = TrackerSessionInterface()
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(Path(__file__).resolve().parent / "templates")),
            # the packages' templates refer to each other as "govuk_frontend_jinja/…", "govuk_frontend_wtf/…"
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    WTFormsHelpers(app)
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.globals["can"] = lambda cap: permissions.can(current_user, cap)

    @app.context_processor
    def globals_():
        return {
            "service_name": app.config["SERVICE_NAME"],
            "council_name": app.config["COUNCIL_NAME"],
            "nav_items": nav_for(current_user),
        }

    @app.route("/assets/<path:filename>")
    def govuk_assets(filename: str):
        """GOV.UK Frontend's fonts and images, installed by `make` from the npm package."""
        return send_from_directory(STATIC_GOVUK / "assets", filename, max_age=86400)

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if current_user and getattr(current_user, "is_authenticated", False):
            response.headers.setdefault("Cache-Control", "no-store")  # pages carry case data
        return response

    @app.errorhandler(403)
    def forbidden(error):
        return render_template("errors/403.html"), 403

    @app.errorhandler(404)
    def not_found(error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/400.html", reason="Your form had expired or was not sent from this service. Go back, reload the page and try again."), 400

    @app.errorhandler(500)
    def server_error(error):
        return render_template("errors/500.html"), 500
