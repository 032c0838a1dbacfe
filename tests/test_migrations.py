"""Models and migrations agree (``flask db check``) on every backend, SQLite and PostgreSQL
migrations build the same schema, and downgrading to base works."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

import tracker
from tests.conftest import PG_OK, PG_URL, base_config, migrate_database

ROOT = Path(__file__).resolve().parent.parent


def test_models_match_migrations(app):
    """The equivalent of `flask db check`: autogenerate finds nothing to do."""
    with app.app_context():
        from tracker.extensions import db

        with db.engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert diffs == [], "models and migrations differ (write a migration):\n" + "\n".join(map(str, diffs))


def schema(uri: str) -> dict:
    """Tables → columns (name, nullable), index names, unique and check constraint names."""
    engine = create_engine(uri)
    try:
        insp = inspect(engine)
        result = {}
        for table in sorted(insp.get_table_names()):
            if table == "alembic_version":
                continue
            result[table] = {
                "columns": sorted((c["name"], bool(c["nullable"])) for c in insp.get_columns(table)),
                "indexes": sorted(i["name"] for i in insp.get_indexes(table) if not i.get("duplicates_constraint")),
                "unique": sorted(u["name"] or "" for u in insp.get_unique_constraints(table)),
                "checks": sorted(c["name"] or "" for c in insp.get_check_constraints(table)),
                "pk": insp.get_pk_constraint(table).get("name"),
                "fks": sorted(f["name"] or "" for f in insp.get_foreign_keys(table)),
            }
        return result
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def sqlite_schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("mig") / "empty.sqlite"
    migrate_database(f"sqlite:///{path}")
    return schema(f"sqlite:///{path}")


@pytest.mark.skipif(not PG_OK, reason="PostgreSQL not available (set TRACKER_TEST_POSTGRES_URL)")
def test_sqlite_and_postgresql_migrations_build_the_same_schema(sqlite_schema):
    name = f"tracker_mig_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        uri = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        migrate_database(uri)
        pg = schema(uri)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    assert sorted(pg) == sorted(sqlite_schema)
    diffs = {
        t: {k: (sqlite_schema[t][k], pg[t][k]) for k in pg[t] if pg[t][k] != sqlite_schema[t][k]}
        for t in pg
        if pg[t] != sqlite_schema[t]
    }
    assert diffs == {}, f"{{table: {{what: (sqlite, postgresql)}}}} = {diffs}"


def test_every_constraint_is_named(sqlite_schema):
    unnamed = {t: k for t, s in sqlite_schema.items() for k in ("unique", "checks", "fks") if "" in s[k]}
    assert unnamed == {}, f"constraints without a name (use the naming convention / op.f): {unnamed}"
    assert "calendar_days" in sqlite_schema and "timescale_rules" in sqlite_schema


def test_downgrade_to_base_on_sqlite(tmp_path):
    import flask_migrate

    path = tmp_path / "down.sqlite"
    uri = f"sqlite:///{path}"
    migrate_database(uri)
    app = tracker.create_app(base_config(uri))
    with app.app_context():
        flask_migrate.downgrade(directory=str(ROOT / "migrations"), revision="base")
        from tracker.extensions import db

        db.engine.dispose()
    engine = create_engine(uri)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
