"""Security headers, request ids and error references (issue 10, findings 2 and 10).

- Every page of the application (every GET rule, as a user holding every role, on the small
  authority), the sign-in page, a 404 and a static file carry the Content-Security-Policy and
  the other headers; no page contains an inline script, style or event handler, and no
  template does either (the policy would block them).
- HSTS only over HTTPS; no server banner from gunicorn started with gunicorn.conf.py.
- A failing page shows a short reference; the log record carries it with the request id, the
  endpoint and the user id, and no personal data (not the exception's message, not the query).
"""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.pages import Page
from tests.test_pages import SAMPLE_PERSON, SKIPPED, _arguments, consultation_samples, panel_samples

ROOT = Path(__file__).resolve().parent.parent
EMAILS = ROOT / "templates" / "jobs" / "email"  # the jobs' emails: inline styles, as email needs

EXPECTED_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
DENIED_FEATURES = ("camera", "microphone", "geolocation", "payment", "usb", "display-capture")
INLINE_HANDLER = re.compile(r"^on[a-z]+$")


def assert_security_headers(response, what: str) -> None:
    headers = response.headers
    assert headers.get("Content-Security-Policy") == EXPECTED_CSP, what
    assert headers.get("X-Content-Type-Options") == "nosniff", what
    assert headers.get("Referrer-Policy") == "same-origin", what
    assert headers.get("X-Frame-Options") == "DENY", what
    policy = dict(part.split("=", 1) for part in headers.get("Permissions-Policy", "").split(", ") if part)
    assert all(policy.get(feature) == "()" for feature in DENIED_FEATURES), (what, policy)
    assert "Strict-Transport-Security" not in headers, what  # plain HTTP: no HSTS
    assert "Server" not in headers and "X-Powered-By" not in headers, what
    assert re.fullmatch(r"[0-9a-f]{16}", headers.get("X-Request-ID", "")), what


def inline_code(html: str) -> list[str]:
    """Everything in a page that a CSP without 'unsafe-inline' would block."""
    soup = BeautifulSoup(html, "html.parser")
    found = [f"<script> without src: {s}"[:120] for s in soup.find_all("script") if not s.get("src")]
    found += [f"<style>: {s}"[:120] for s in soup.find_all("style")]
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            if name == "style" or INLINE_HANDLER.match(name):
                found.append(f"<{tag.name} {name}=...>")
            if name in ("href", "src", "action", "formaction") and str(value).strip().lower().startswith("javascript:"):
                found.append(f"<{tag.name} {name}=javascript:...>")
    return found


def test_every_page_sends_the_security_headers_and_holds_no_inline_code(app, client, login_as, small_authority):
    from tracker.core.permissions import Role

    user = login_as(*Role.codes(), email="everyone@example.org")
    with app.app_context():
        from sqlalchemy import select

        from tracker.extensions import db
        from tracker.lado.models import LadoPerson
        from tracker.reviews.models import CarePeriod, Child

        period_id = db.session.scalar(select(CarePeriod.id).join(Child).where(Child.child_id == "C00001").limit(1))
        public_id = db.session.scalar(select(LadoPerson.public_id).where(LadoPerson.ref == SAMPLE_PERSON))
        panel_arguments = panel_samples() | consultation_samples()
        db.session.commit()
        adapter = app.url_map.bind("localhost")
        urls = [
            adapter.build(rule.endpoint, _arguments(rule, user.id, period_id, public_id, panel_arguments))
            for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.endpoint not in SKIPPED
        ]
    assert len(urls) > 30
    pages = 0
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        assert_security_headers(response, url)
        if response.mimetype == "text/html":
            assert inline_code(response.get_data(as_text=True)) == [], url
            pages += 1
    assert pages > 30
    for url in ("/no/such/page", "/static/tracker.css", "/static/js-enabled.js"):
        with client.get(url) as response:  # a file answer: closed, or it warns
            assert_security_headers(response, url)
    anonymous = app.test_client()
    response = anonymous.get("/login")
    assert_security_headers(response, "/login")
    assert inline_code(response.get_data(as_text=True)) == []


def test_no_template_or_static_page_holds_inline_script_style_or_event_handlers():
    problems = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        if EMAILS in path.parents:
            continue  # emails, not pages: no CSP reads them, and mail clients drop stylesheets
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT)
        for match in re.finditer(r"<script\b[^>]*>", text, re.IGNORECASE):
            if "src=" not in match.group(0):
                problems.append(f"{where}: inline {match.group(0)}")
        if re.search(r"<style\b", text, re.IGNORECASE):
            problems.append(f"{where}: <style>")
        if re.search(r"""\sstyle\s*=|['"]style['"]\s*:""", text, re.IGNORECASE):
            problems.append(f"{where}: a style attribute")
        if re.search(r"\son[a-z]+\s*=\s*['\"]", text, re.IGNORECASE):
            problems.append(f"{where}: an inline event handler")
        if re.search(r"javascript:", text, re.IGNORECASE):
            problems.append(f"{where}: a javascript: URL")
    assert problems == []
    # base.html loads the class-setting script as a file, first in the body, not GOV.UK's inline one
    base = (ROOT / "templates" / "base.html").read_text(encoding="utf-8")
    assert "govuk_frontend_jinja/template.html" not in base
    assert "js-enabled.js" in base and (ROOT / "tracker" / "static" / "js-enabled.js").is_file()


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://tracker.example.org")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert secure.headers["Content-Security-Policy"] == EXPECTED_CSP


def test_the_proxys_request_id_is_used_only_when_configured_and_well_formed(app, client):
    given = "0f8c2b6e-1d7a-4c1e-9b3f-2a5d6c7e8f90"
    assert client.get("/login", headers={"X-Request-ID": given}).headers["X-Request-ID"] != given  # not trusted
    app.config["REQUEST_ID_HEADER"] = "X-Request-ID"
    assert client.get("/login", headers={"X-Request-ID": given}).headers["X-Request-ID"] == given
    for malformed in ("a forged log line", "x" * 65, "short", "<script>"):
        fresh = client.get("/login", headers={"X-Request-ID": malformed}).headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{16}", fresh), malformed  # a fresh id instead
    first, second = (client.get("/login").headers["X-Request-ID"] for _ in range(2))
    assert first != second


def test_every_log_line_of_a_request_carries_its_request_id_and_user(app, client, login_as):
    from flask import current_app
    from flask.logging import default_handler
    from flask_login import current_user

    from tracker.web import RequestContextFilter

    user = login_as("qaro")
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = Collect()
    handler.setFormatter(default_handler.formatter)  # the format the tracker installs
    handler.addFilter(RequestContextFilter())
    logger = logging.getLogger("tracker.some.module")  # propagates to the app's logger, "tracker"
    original = app.view_functions["home.index"]

    def home_that_logs():
        assert current_user.is_authenticated
        current_app.logger.info("first line")
        logger.warning("second line, from a module's logger")
        return original()

    app.view_functions["home.index"] = home_that_logs
    try:
        app.logger.addHandler(handler)
        response = client.get("/")
    finally:
        app.logger.removeHandler(handler)
    assert response.status_code == 200
    rid = response.headers["X-Request-ID"]
    assert len(lines) == 2
    assert all(f"request={rid} user={user.id}:" in line for line in lines), lines


def test_a_failing_page_shows_a_reference_that_the_log_line_carries_without_personal_data(
    app, client, login_as, caplog
):
    user = login_as("qaro", name="Quentin Officer")
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: the 500 page, not the exception

    def broken_page():
        from flask import request

        raise RuntimeError(f"child {request.args['name']}, born {request.args['dob']}, could not be shown")

    app.view_functions["home.index"] = broken_page
    with caplog.at_level(logging.INFO):
        response = client.get("/?name=Zebedee+Quist&dob=2011-02-03")
    assert response.status_code == 500
    page = Page(response)
    assert page.h1 == "Sorry, there is a problem with the service"
    reference = page.text_of("#error-reference")
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{8}", reference)
    assert_security_headers(response, "the 500 page")

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]  # ours only: not Flask's, which names the path
    record = errors[0]
    assert record.reference == reference
    assert record.request_id == response.headers["X-Request-ID"]
    assert record.endpoint == "home.index"
    assert record.user_id == str(user.id)
    message = record.getMessage()
    assert message.startswith(
        f"Error {reference}: request {record.request_id}, GET home.index, user {user.id}\nTraceback"
    )
    assert "builtins.RuntimeError" in message and "broken_page" in message  # the type and the frames
    logged = " ".join(r.getMessage() + " " + str(vars(r)) for r in caplog.records)
    for personal in ("Zebedee", "Quist", "2011-02-03", "Quentin", "qaro@example.org", "name="):
        assert personal not in logged


def test_the_500_page_still_answers_with_its_reference_when_the_page_cannot_be_drawn(app, client, monkeypatch, caplog):
    import tracker.web

    app.config["PROPAGATE_EXCEPTIONS"] = False

    def broken_page():
        raise RuntimeError("boom")

    def broken_template(*args, **kwargs):
        raise ConnectionError("the database is down")

    app.view_functions["auth.login"] = broken_page
    monkeypatch.setattr(tracker.web, "render_template", broken_template)
    with caplog.at_level(logging.ERROR):
        response = client.get("/login")
    assert response.status_code == 500
    reference = caplog.records[0].reference
    assert f"quote reference {reference}." in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"] == EXPECTED_CSP


def test_sql_errors_never_quote_the_values_of_the_statement(app):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from tracker.extensions import db

    with app.app_context(), pytest.raises(DBAPIError) as failure:
        db.session.execute(text("INSERT INTO no_such_table (name) VALUES (:name)"), {"name": "Zebedee Quist"})
    assert "Zebedee" not in str(failure.value)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_gunicorn_with_its_config_file_sends_no_server_banner_and_logs_no_query_string(tmp_path):
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if not gunicorn.exists():
        pytest.skip("gunicorn is not installed in this environment")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env |= {
        "TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'g.sqlite'}",
        "TRACKER_SECRET_KEY": "gunicorn-test",
        "TRACKER_BIND": f"127.0.0.1:{port}",
        "TRACKER_WORKERS": "1",
    }
    log = tmp_path / "gunicorn.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), "tracker:create_app()"],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            for _ in range(150):
                try:
                    with urllib.request.urlopen(
                        f"http://127.0.0.1:{port}/login?email=zebedee.quist%40example.org", timeout=10
                    ) as response:
                        headers = response.headers
                        body = response.read().decode()
                    break
                except OSError:
                    time.sleep(0.2)
            else:
                pytest.fail("gunicorn did not answer: " + log.read_text()[-2000:])
        finally:
            server.terminate()
            server.wait(timeout=20)
    assert "Sign in" in body
    assert headers.get_all("Server") is None  # no banner at all
    assert headers["Content-Security-Policy"] == EXPECTED_CSP
    output = log.read_text()
    access = [line for line in output.splitlines() if '"GET /login HTTP/1.1" 200' in line]
    # one line per request that reached the app (a retry on a busy machine adds one), none with the query
    assert access, output[-2000:]
    assert access[-1].endswith(f"request={headers['X-Request-ID']}")
    assert "zebedee" not in output.lower()
