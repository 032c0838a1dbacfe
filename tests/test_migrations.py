"""Models and migrations agree (``flask db check``) on every backend, SQLite and PostgreSQL
migrations build the same schema, downgrading to base works, the history is one line with one
head that the tests' databases are upgraded to, and no migration imports the application."""

from __future__ import annotations

import ast
import os
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

import tracker
from tests.conftest import PG_OK, PG_URL, base_config, migrate_database

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "migrations"
VERSIONS = MIGRATIONS / "versions"


def scripts() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


def test_the_migrations_have_exactly_one_head():
    assert len(scripts().get_heads()) == 1, f"several heads (write a linear migration): {scripts().get_heads()}"


def _down_revisions(revision) -> tuple[str, ...]:
    down = revision.down_revision
    return tuple(down) if isinstance(down, (tuple, list)) else (() if down is None else (down,))


def test_the_history_is_one_line_from_base_to_head():
    revisions = list(scripts().walk_revisions())  # from the head down to base
    merges = {r.revision: r.down_revision for r in revisions if len(_down_revisions(r)) > 1 or r.is_merge_point}
    assert merges == {}, f"merge revisions (nothing is deployed: squash them): {merges}"
    assert [r.revision for r in revisions if not _down_revisions(r)] == ["0001_foundation"]
    # each revision follows the one before it, and every file in versions/ is on that line
    assert [r.down_revision for r in revisions[:-1]] == [r.revision for r in revisions[1:]]
    assert len(revisions) == len(list(VERSIONS.glob("*.py")))


def test_the_tests_databases_are_upgraded_to_the_head(app):
    with app.app_context():
        from tracker.extensions import db

        versions = db.session.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert versions == list(scripts().get_heads())


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports (import x, from x import y, importlib.import_module("x"))."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            modules.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) in (
            "import_module",
            "__import__",
        ):
            modules.update(a.value for a in node.args[:1] if isinstance(a, ast.Constant))
    return modules


@pytest.mark.parametrize("path", sorted(VERSIONS.glob("*.py")), ids=lambda p: p.name)
def test_no_migration_imports_the_application(path):
    """A migration runs against the schema of its day: the data it needs is frozen in it, never
    read from the live application code (which changes after it)."""
    imported = _imported_modules(path)
    assert [m for m in imported if m == "tracker" or m.startswith(("tracker.", "."))] == []
    assert imported, "the parser found no import at all"


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
