"""Shared fixtures: a fresh, migrated database per test, on SQLite and (when it answers) PostgreSQL.

- ``app``: the application on a fresh database built by the migrations (not create_all), so a
  test also proves the migrations. Parametrized over ``sqlite`` and ``postgresql``; the
  PostgreSQL leg runs when ``TRACKER_TEST_POSTGRES_URL`` is set and the server answers (``make
  test`` sets it when one answers on 127.0.0.1:5432), and the session's last line says whether it ran.
- ``client``, ``runner``: Flask's test client and CLI runner.
- ``login_as(*roles, **fields)``: creates ``<roles>@example.org`` holding the roles and signs the
  client in (cheap: no password is hashed).
- ``make_user(email, roles, ...)``: a user who can sign in with a password.
- ``csrf_token(client)``: a valid CSRF token for that client's session (CSRF stays on in tests).
- ``client_request``: GET and POST pages as a user, returning them parsed (``tests.pages.Page``).
- ``import_folder(path)``: an import through the real ``import-data`` command.
- ``small_authority``: the small-authority example imported (``tests/data/small-authority``).
No app context is pushed for you: use ``with app.app_context():`` around direct database work
(the factories of each feature run inside one).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import uuid
from pathlib import Path

import pytest
from itsdangerous import URLSafeTimedSerializer
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import tracker

ROOT = Path(__file__).resolve().parent.parent
TEST_SECRET = "test-secret-key-not-for-production"
PG_URL = os.environ.get("TRACKER_TEST_POSTGRES_URL")
_counter = itertools.count()


def _pg_available() -> bool:
    if not PG_URL:
        return False
    try:
        engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def _share_url_builders() -> None:
    """Every test builds the application afresh (``app``), and Werkzeug compiles a URL builder
    for each of its ~700 routes with ``ast`` and ``compile``: 0.3 s a test, half an hour of a
    suite. The compiled function depends only on the rule's parts, its defaults and whether it
    appends unknown arguments (it reads the converters from the rule it is bound to at call
    time), so the suite compiles each once and every later application reuses it."""
    from werkzeug.routing.rules import Rule

    compile_builder = Rule._compile_builder
    compiled: dict = {}

    def _compile_builder(self, append_unknown: bool = True):
        defaults = tuple(sorted((str(k), repr(v)) for k, v in (self.defaults or {}).items()))
        converters = tuple(sorted((name, type(c).__name__) for name, c in self._converters.items()))
        key = (tuple(self._trace), defaults, converters, append_unknown)
        if key not in compiled:
            compiled[key] = compile_builder(self, append_unknown)
        return compiled[key]

    Rule._compile_builder = _compile_builder


class SharedTemplateCode(BytecodeCache):
    """Jinja compiles each template once per application, and every test builds an application:
    a page's first render in a test spent most of its time parsing and compiling templates. The
    suite keeps each template's compiled code (keyed by name, checked against the source's
    checksum, as Jinja's own bytecode caches are) and every later application loads it."""

    def __init__(self):
        self.code: dict[str, tuple[str, object]] = {}

    def load_bytecode(self, bucket) -> None:
        kept = self.code.get(bucket.key)
        if kept is not None and kept[0] == bucket.checksum:
            bucket.code = kept[1]

    def dump_bytecode(self, bucket) -> None:
        self.code[bucket.key] = (bucket.checksum, bucket.code)


TEMPLATE_CODE = SharedTemplateCode()
_share_url_builders()
PG_OK = _pg_available()
BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not PG_OK, reason="PostgreSQL not available (set TRACKER_TEST_POSTGRES_URL)"),
    ),
]


def base_config(uri: str, **extra) -> dict:
    cfg = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": uri,
        "WTF_CSRF_ENABLED": True,
        "LOGIN_MAX_FAILURES": 5,
    }
    cfg.update(extra)
    return cfg


def migrate_database(uri: str) -> None:
    """Build a database from empty with the migrations (`flask db upgrade`)."""
    import flask_migrate

    app = tracker.create_app(base_config(uri))
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"), revision="head")
        from tracker.extensions import db

        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    migrate_database(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template():
    name = f"tracker_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name)
    migrate_database(url.render_as_string(hide_password=False))
    yield admin, name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def database_uri(request, tmp_path):
    """A fresh, migrated, empty database for one test, copied from a migrated template."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "tracker.sqlite"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    admin, template_name = request.getfixturevalue("pg_template")
    name = f"tracker_t_{os.getpid()}_{next(_counter)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_name}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def blank_database(backend: str, tmp_path: Path, prefix: str):
    """The URI of a database of ``backend`` with nothing in it, not even the schema (a PostgreSQL
    one is dropped afterwards): for what builds a database from empty (migrations, restores)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / (prefix + '.sqlite')}"
        return
    name = f"tracker_{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_leg_report(url_set: bool, available: bool, ran: int) -> str:
    """The last line of a test session: whether the PostgreSQL leg ran (``make test`` sets
    ``TRACKER_TEST_POSTGRES_URL`` when a server answers on 127.0.0.1:5432)."""
    if not url_set:
        return "PostgreSQL leg: not run (TRACKER_TEST_POSTGRES_URL is not set): SQLite only"
    if not available:
        return "PostgreSQL leg: NOT run: TRACKER_TEST_POSTGRES_URL is set, but its server refused a connection"
    return f"PostgreSQL leg: ran, {ran} test{'s' if ran != 1 else ''} on PostgreSQL"


def pytest_terminal_summary(terminalreporter):
    ran = {
        report.nodeid
        for outcome in ("passed", "failed", "error")
        for report in terminalreporter.stats.get(outcome, [])
        if "[postgresql" in getattr(report, "nodeid", "")
    }
    terminalreporter.write_line(postgres_leg_report(bool(PG_URL), PG_OK, len(ran)))


def pytest_generate_tests(metafunc):
    # Every test that touches the database runs on both backends.
    if "database_uri" in metafunc.fixturenames:
        metafunc.parametrize("database_uri", BACKENDS, indirect=True)


@pytest.fixture
def app_config():
    """Override in a test module to add config (e.g. {'TODAY': '2023-01-16'})."""
    return {}


@pytest.fixture
def app(database_uri, app_config, tmp_path):
    application = tracker.create_app(base_config(database_uri, **app_config))
    application.jinja_env.bytecode_cache = TEMPLATE_CODE
    yield application
    with application.app_context():
        from tracker.extensions import db

        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    from tracker.auth.models import User
    from tracker.extensions import db

    def _make(email: str, roles=(), password: str = "correct horse battery staple", **fields) -> User:
        with app.app_context():
            user = User(email=email, name=fields.pop("name", email.split("@")[0].replace("_", " ").title()), **fields)
            user.set_roles(roles)
            user.set_password(password)
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
            return user

    return _make


@pytest.fixture
def login_as(app, client):
    """Sign the test client in as a new user holding ``roles`` (no password: cheap)."""
    from tracker.auth.models import User
    from tracker.extensions import db

    def _login(*roles: str, email: str | None = None, **fields):
        with app.app_context():
            user = User(
                email=email or f"{'+'.join(roles) or 'norole'}@example.org",
                name=fields.pop("name", "Test user"),
                **fields,
            )
            user.set_roles(roles)
            db.session.add(user)
            db.session.commit()
            db.session.refresh(user)
            db.session.expunge(user)
        with client.session_transaction() as sess:
            sess["_user_id"] = str(user.id)
            sess["_fresh"] = True
        return user

    return _login


@pytest.fixture
def csrf_token(app):
    def _token(test_client) -> str:
        with test_client.session_transaction() as sess:
            raw = sess.setdefault("csrf_token", uuid.uuid4().hex)
        return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)

    return _token


class ClientRequest:
    """Pages as the signed-in user sees them: ``get`` and ``post`` check the status and return
    the page parsed (``tests.pages.Page``); ``post`` adds a valid CSRF token."""

    def __init__(self, client, token):
        self.client = client
        self._token = token

    def get(self, url: str, *, status: int = 200, follow: bool = False):
        from tests.pages import Page

        response = self.client.get(url, follow_redirects=follow)
        assert response.status_code == status, f"GET {url}: {response.status_code}, expected {status}"
        return Page(response)

    def post(self, url: str, data: dict | None = None, *, status: int = 302, follow: bool = False, csrf: bool = True):
        from tests.pages import Page

        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self._token(self.client))
        response = self.client.post(url, data=data, follow_redirects=follow)
        assert response.status_code == status, f"POST {url}: {response.status_code}, expected {status}"
        return Page(response)


@pytest.fixture
def client_request(client, csrf_token):
    return ClientRequest(client, csrf_token)


SMALL_AUTHORITY = ROOT / "tests" / "data" / "small-authority"


@pytest.fixture
def import_folder(runner):
    """Import a folder through the real ``import-data`` command (which commits); fails the
    test with the command's output when it does not succeed."""

    def _import(path):
        result = runner.invoke(args=["import-data", str(path)])
        assert result.exit_code == 0, result.output
        return result

    return _import


@pytest.fixture
def small_authority(import_folder):
    """The small-authority example (tests/data/small-authority/data) imported."""
    import_folder(SMALL_AUTHORITY / "data")
    return SMALL_AUTHORITY
