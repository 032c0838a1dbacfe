"""Web plumbing shared by every page: the template loader, formatters and globals, GOV.UK
assets, sessions, security headers, error pages and the request lifecycle.

Templates live in the top-level ``templates/`` folder (``base.html``, ``macros/``, one folder
per feature). The loader is configured here, explicitly, so that ``make run``, the tests, an
editable install and gunicorn all read the same folder, wherever they are started from.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, render_template, request, send_from_directory
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from tracker.core import permissions
from tracker.formatters import FILTERS
from tracker.web.navigation import nav_for
from tracker.web.records import record_url

PACKAGE = Path(__file__).resolve().parent.parent
TEMPLATES = PACKAGE.parent / "templates"
STATIC_GOVUK = PACKAGE / "static" / "govuk"


class TrackerSessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request arrived over HTTPS, and files never
    re-send it: a stylesheet or font answered late would put back an older session over a
    newer one (the one holding a form's CSRF secret), and the next form would be refused."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (request.is_secure if request else False)

    def should_set_cookie(self, app: Flask, session) -> bool:
        if request and request.endpoint in ("static", "govuk_assets"):
            return False
        return super().should_set_cookie(app, session)


def template_loader(folder: Path = TEMPLATES) -> ChoiceLoader:
    if not (folder / "base.html").is_file():
        raise RuntimeError(f"the templates folder {folder} has no base.html: is the checkout complete?")
    return ChoiceLoader(
        [
            FileSystemLoader(str(folder)),
            # the packages' templates refer to each other as "govuk_frontend_jinja/…", "govuk_frontend_wtf/…"
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )


def init_app(app: Flask) -> None:
    app.session_interface = TrackerSessionInterface()
    app.jinja_loader = template_loader()
    WTFormsHelpers(app)
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals["can"] = lambda cap: permissions.can(current_user, cap)
    app.jinja_env.globals["record_url"] = record_url

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
        reason = "Your form had expired or was not sent from this service. Go back, reload the page and try again."
        return render_template("errors/400.html", reason=reason), 400

    @app.errorhandler(500)
    def server_error(error):
        return render_template("errors/500.html"), 500
