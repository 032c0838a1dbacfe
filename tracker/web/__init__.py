"""Web plumbing shared by every page: the template loader, formatters and globals, GOV.UK
assets, sessions, security headers, request ids in the log, error pages and the request lifecycle.

Templates live in the top-level ``templates/`` folder (``base.html``, ``macros/``, one folder
per feature). The loader is configured here, explicitly, so that ``make run``, the tests, an
editable install and gunicorn all read the same folder, wherever they are started from.
"""

from __future__ import annotations

import logging
import re
import secrets
import traceback
from pathlib import Path

from flask import Flask, g, has_request_context, render_template, request, send_from_directory, session
from flask.logging import default_handler
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from flask_talisman import DENY, Talisman
from flask_wtf.csrf import CSRFError
from govuk_frontend_wtf.main import WTFormsHelpers, wtforms_errors
from itsdangerous import BadSignature
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from markupsafe import escape

from tracker.core import audit, permissions
from tracker.core.forms import refuse_control_characters
from tracker.formatters import FILTERS
from tracker.web.forms import check_csrf
from tracker.web.lifecycle import FILE_ENDPOINTS
from tracker.web.navigation import nav_for
from tracker.web.public import install_redaction, is_public_path
from tracker.web.records import record_url

PACKAGE = Path(__file__).resolve().parent.parent
TEMPLATES = PACKAGE.parent / "templates"
STATIC_GOVUK = PACKAGE / "static" / "govuk"

# Security headers (set by flask-talisman on every response, pages, files and errors alike).
# No inline script or style anywhere: templates load tracker/static/*.js and *.css only
# (tests/test_security_headers.py greps the templates for inline code).
CONTENT_SECURITY_POLICY = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "manifest-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}
# Powerful browser features the tracker never uses, denied to the page and anything it embeds.
PERMISSIONS_POLICY = dict.fromkeys(
    (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ),
    "()",
)
HSTS_MAX_AGE = 365 * 24 * 3600  # sent only on requests that arrived over HTTPS

# Request ids and error references. A request id names one request in every log line written
# while it runs (and in the X-Request-ID response header, which gunicorn's access log prints);
# it comes from the proxy's header when REQUEST_ID_HEADER names one, else it is made here. An
# error reference is what a user quotes from the "problem with the service" page.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9._:-]{8,64}")
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone
REFERENCE_LENGTH = 8
LOG_FORMAT = "[%(asctime)s] %(levelname)s %(name)s request=%(request_id)s user=%(user_id)s: %(message)s"


class TrackerSessionInterface(SecureCookieSessionInterface):
    """The session cookie is written only when the session changed (README "Sessions"), and is
    Secure whenever the request arrived over HTTPS.

    A response that re-sends the cookie sends the session as it was when its request began. The
    browser keeps whichever cookie arrives last, so a page, a stylesheet or a font answered after
    the user moved on would put back an older session over a newer one (the one holding a form's
    CSRF secret), and the next form would be refused. So no file ever sends it, and a page sends
    it only when the session changed, or when the cookie is ``SESSION_REFRESH_SECONDS`` old: the
    idle time-out (``PERMANENT_SESSION_LIFETIME``) counts from the cookie's signature, so a
    signed-in user's cookie is re-signed at most that often while they keep using the tracker.
    """

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (request.is_secure if request else False)

    def open_session(self, app: Flask, request):
        if is_public_path(request.path):  # the public form shares no session with staff pages
            return self.session_class()
        serializer = self.get_signing_serializer(app)
        value = request.cookies.get(self.get_cookie_name(app)) if serializer is not None else None
        if not value:
            return super().open_session(app, request)
        try:
            data, signed = serializer.loads(
                value, max_age=int(app.permanent_session_lifetime.total_seconds()), return_timestamp=True
            )
        except BadSignature:  # forged, or older than the idle time-out: a new, empty session
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed.timestamp()
        return session

    def save_session(self, app: Flask, session, response) -> None:
        if request and is_public_path(request.path):
            return  # no cookie set, refreshed or deleted
        super().save_session(app, session, response)

    def should_set_cookie(self, app: Flask, session) -> bool:
        if request and request.endpoint in FILE_ENDPOINTS:
            return False
        if super().should_set_cookie(app, session):  # changed (or SESSION_REFRESH_EACH_REQUEST, off)
            return True
        signed_at = getattr(session, "signed_at", None)
        if not session.permanent or signed_at is None:
            return False
        return self._now(app) - signed_at >= float(app.config["SESSION_REFRESH_SECONDS"])

    def _now(self, app: Flask) -> float:
        """Now, by the clock that signs the cookie (itsdangerous's)."""
        serializer = self.get_signing_serializer(app)
        return float(serializer.make_signer(serializer.salt).get_timestamp())


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


def error_summary(form) -> dict:
    """The GOV.UK error summary of a form: each message links to its field, except a refused
    CSRF token's, which names no field the user can see (its input is hidden)."""
    params = wtforms_errors(form)
    token = form._fields.get(form.meta.csrf_field_name) if getattr(form.meta, "csrf", False) else None
    if token is not None:
        for item in params["errorList"]:
            if item.get("href") == f"#{token.id}":
                del item["href"]
    return params


def request_id() -> str:
    """This request's id: the trusted proxy's ``REQUEST_ID_HEADER`` when it is well formed, else
    a new random one. Outside a request, ``-``."""
    if not has_request_context():
        return "-"
    if "request_id" not in g:
        from flask import current_app

        header = current_app.config.get("REQUEST_ID_HEADER")
        given = request.headers.get(header, "") if header else ""
        g.request_id = given if REQUEST_ID_PATTERN.fullmatch(given) else secrets.token_hex(8)
    return g.request_id


def _user_id() -> str:
    """The signed-in user's id as far as this request has loaded it (never a query from a log line)."""
    user = g.get("_login_user") if has_request_context() else None
    if user is not None and getattr(user, "is_authenticated", False):
        return str(user.get_id())
    return "-"


class RequestContextFilter(logging.Filter):
    """Gives every log record the request id and the user id (``-`` outside a request), so that
    ``LOG_FORMAT`` can print them on every line a request writes."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        if not hasattr(record, "user_id"):
            record.user_id = _user_id()
        return True


def new_reference() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def traceback_without_values(error: BaseException) -> str:
    """The stack of an error and of its causes, with each exception's type but not its message:
    a message can quote the data that caused it (a name, a date of birth, SQL parameters)."""
    chain: list[BaseException] = []
    while error is not None and all(error is not seen for seen in chain):
        chain.append(error)
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    lines = ["Traceback (most recent call last), messages withheld:\n"]
    for exc in reversed(chain):
        lines.extend(traceback.format_list(traceback.extract_tb(exc.__traceback__)))
        lines.append(f"{type(exc).__module__}.{type(exc).__qualname__}\n")
    return "".join(lines).rstrip("\n")


def _claimed_user_id() -> str:
    """The user id for an error log line, even when loading the user is what failed."""
    try:
        if current_user and current_user.is_authenticated:
            return str(current_user.get_id())
    except Exception:  # the database may be what broke
        return str(session.get("_user_id") or "-")
    return "-"


def log_error(app: Flask, reference: str, error: BaseException | None) -> None:
    """One log record for a 500: the reference the user sees, the request id, the endpoint, the
    method and the user id; the stack without exception messages; never the path's or the
    query string's values (the endpoint names the page without them)."""
    user_id = _claimed_user_id()
    facts = {
        "reference": reference,
        "request_id": request_id(),
        "endpoint": request.endpoint or "-",
        "method": request.method,
        "user_id": user_id,
    }
    message = "Error {reference}: request {request_id}, {method} {endpoint}, user {user_id}".format(**facts)
    if error is not None:
        message += "\n" + traceback_without_values(error)
    app.logger.error(message, extra=facts)


def _configure_logging(app: Flask) -> None:
    """Flask's default handler (stderr, or gunicorn's error log inside a request) prints the
    request id and user id on every line."""
    if not any(isinstance(f, RequestContextFilter) for f in default_handler.filters):
        default_handler.addFilter(RequestContextFilter())
    default_handler.setFormatter(logging.Formatter(LOG_FORMAT))
    # the development server's request lines name the path: a consultation link's token is redacted
    install_redaction("werkzeug", "gunicorn.access")

    def log_exception(exc_info) -> None:
        # Flask's own line names the request's path, which can carry personal data: ours names
        # the endpoint and the reference shown to the user (the 500 handler reads it from g).
        g.error_reference = new_reference()
        log_error(app, g.error_reference, exc_info[1])

    app.log_exception = log_exception  # called by Flask.handle_exception before the 500 handler


def _security_headers(app: Flask) -> None:
    Talisman(
        app,
        force_https=False,  # the reverse proxy terminates TLS and redirects http to https
        strict_transport_security=True,  # only ever sent on a request that came over HTTPS
        strict_transport_security_max_age=HSTS_MAX_AGE,
        strict_transport_security_include_subdomains=True,
        content_security_policy=CONTENT_SECURITY_POLICY,
        permissions_policy=PERMISSIONS_POLICY,
        frame_options=DENY,
        referrer_policy="same-origin",
        x_content_type_options=True,
        # the session cookie stays as configured: Secure follows the request (TrackerSessionInterface)
        session_cookie_secure=False,
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
        session_cookie_http_only=app.config["SESSION_COOKIE_HTTPONLY"],
    )


def init_app(app: Flask) -> None:
    app.session_interface = TrackerSessionInterface()
    app.jinja_loader = template_loader()
    WTFormsHelpers(app)
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals["can"] = lambda cap: permissions.can(current_user, cap)
    app.jinja_env.globals["may_edit"] = lambda record: permissions.may_edit(current_user, record)
    app.jinja_env.globals["may_delete"] = lambda record: permissions.may_delete(current_user, record)
    app.jinja_env.globals["record_url"] = record_url
    app.jinja_env.globals["action_label"] = audit.action_label
    app.jinja_env.globals["error_summary"] = error_summary
    app.before_request(check_csrf)  # after the session guard (tracker.auth), before anything else
    # a query string with a control character is a bad request (PostgreSQL cannot compare such text)
    app.before_request(refuse_control_characters)

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

    _security_headers(app)
    _configure_logging(app)

    @app.before_request
    def start_request():
        request_id()

    @app.after_request
    def request_headers(response):
        response.headers["X-Request-ID"] = request_id()
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
        from tracker.web.lifecycle import discard_changes

        reference = g.pop("error_reference", None)
        if reference is None:  # abort(500): no exception went through log_exception
            reference = new_reference()
            log_error(app, reference, None)
        try:
            discard_changes()  # the page below may read the user: from a clean session
            return render_template("errors/500.html", reference=reference), 500
        except Exception as failure:  # the page itself cannot be drawn (the database is down): a bare one
            app.logger.error("Error %s: the error page failed too\n%s", reference, traceback_without_values(failure))
            return (
                "<!DOCTYPE html><html lang='en'><title>Sorry, there is a problem with the service</title>"
                "<h1>Sorry, there is a problem with the service</h1><p>Try again later. "
                f"If you report this problem, quote reference {escape(reference)}.</p></html>",
                500,
            )
