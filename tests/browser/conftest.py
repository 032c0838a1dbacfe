"""Browser fixtures: a live server on a migrated SQLite database with the demo users, a
headless system Chromium driven by Playwright, and an axe-core accessibility check."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

import tracker
from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, ROOT


def pytest_collection_modifyitems(items):
    """Every test in this folder drives a real Chromium: marked ``browser`` (``-m "not browser"``
    leaves them out)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveServer:
    url: str
    app: Flask

    def __call__(self, path: str = "/") -> str:
        return self.url + path


def _closed_before_sending(app):
    """The app's response, read whole and closed before the server writes it.

    Werkzeug's development server closes a response only after draining the socket; when the
    browser drops a connection mid-response (a test that navigates on while a static file is
    still on its way) that draining raises first and the open file is left to the garbage
    collector, which reports it as an unclosed-file warning in whichever test runs next."""

    def wsgi(environ, start_response):
        body = app(environ, start_response)
        try:
            return list(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return wsgi


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    import flask_migrate

    from tracker.demo.users import create_demo_users
    from tracker.extensions import db

    folder = tmp_path_factory.mktemp("live")
    path = folder / "live.sqlite"
    app = tracker.create_app(
        {
            "SECRET_KEY": "browser-test-secret-key",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "WTF_CSRF_ENABLED": True,
            "MAIL_FOLDER": str(folder / "mail"),  # the jobs' emails, as files (never the repository's instance/)
        }
    )
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"), revision="head")
        create_demo_users(DEMO_PASSWORD)
        db.session.commit()
    server = make_server("127.0.0.1", 0, _closed_before_sending(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def sign_in(live_server):
    def _sign_in(page, email: str, password: str = DEMO_PASSWORD):
        page.goto(live_server("/login"))
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()
        # a test starts from the home page loaded (forms sent without waiting for it:
        # tests/browser/test_sessions_browser.py)
        page.wait_for_load_state("networkidle")

    return _sign_in
