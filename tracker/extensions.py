"""Flask extensions, created unbound and initialised in create_app; and how every database
connection is set up (the one place)."""

import sqlite3

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tracker.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
csrf = CSRFProtect()
login_manager = LoginManager()

SQLITE_BUSY_TIMEOUT_MS = 5000


@event.listens_for(Engine, "connect")
def _connection_settings(dbapi_connection, connection_record) -> None:
    """SQLite in WAL mode (readers never wait for the writer, a crash never leaves a half-written
    page) with a busy timeout (a writer waits up to 5 s for another instead of failing at once
    with "database is locked"). WAL is a property of the file, kept once set.

    PostgreSQL without JIT compilation: the planner prices the figures' and worklist's calendar
    lookups (correlated subqueries) high enough to compile them, and compiling took 3 s for a
    worklist query that runs in 0.3 s (docs/benchmarks.md, Scale). Committed, so the setting
    outlives the connection's first transaction."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        if type(dbapi_connection).__module__.startswith("psycopg"):
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET jit = off")
            dbapi_connection.commit()
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")  # answers "memory" for an in-memory database
    finally:
        cursor.close()
