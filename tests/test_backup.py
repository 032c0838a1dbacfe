"""``backup FILE`` and ``restore FILE``: a round trip reproduces every table exactly, on SQLite
and PostgreSQL (the PostgreSQL leg runs when TRACKER_TEST_POSTGRES_URL is set and pg_dump is
installed); a non-empty database, a backup of the other kind and a missing pg_dump are refused
with a clear message; both are audited; SQLite runs in WAL mode with a busy timeout."""

from __future__ import annotations

import shutil
import stat

import pytest
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

import tracker
from tests.conftest import base_config, blank_database


def snapshot(uri: str) -> dict[str, list[tuple]]:
    """Every table's rows, ordered by primary key (or by every column where there is none)."""
    engine = create_engine(uri)
    try:
        inspector = inspect(engine)
        tables = {}
        with engine.connect() as conn:
            for name in sorted(inspector.get_table_names()):
                columns = [c["name"] for c in inspector.get_columns(name)]
                order = inspector.get_pk_constraint(name)["constrained_columns"] or columns
                quoted = ", ".join(f'"{c}"' for c in order)
                rows = conn.execute(text(f'SELECT * FROM "{name}" ORDER BY {quoted}'))
                tables[name] = [tuple(row) for row in rows]
        return tables
    finally:
        engine.dispose()


@pytest.fixture
def empty_database(database_uri, tmp_path):
    """A second database of the same kind, with nothing in it (not even the schema)."""
    backend = make_url(database_uri).get_backend_name()
    if backend != "sqlite" and (shutil.which("pg_dump") is None or shutil.which("pg_restore") is None):
        pytest.skip("PostgreSQL's client programs (pg_dump, pg_restore) are not installed")
    with blank_database(backend, tmp_path, "restored") as uri:
        yield uri


def app_on(uri: str):
    return tracker.create_app(base_config(uri))


def invoke(uri: str, *args: str):
    """Run a command on the database at ``uri`` (as `flask --app tracker ...` would), then let go of it."""
    application = app_on(uri)
    result = application.test_cli_runner().invoke(args=list(args))
    with application.app_context():
        from tracker.extensions import db

        db.engine.dispose()
    return result


def _audit(uri: str, action: str) -> list:
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    app = app_on(uri)
    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()
        db.session.expunge_all()
        db.session.remove()
        db.engine.dispose()
    return rows


def test_backup_then_restore_into_an_empty_database_reproduces_every_table(
    app, runner, small_authority, login_as, client, database_uri, empty_database, tmp_path
):
    login_as("lado", email="reader@example.org")  # the small authority has lado@example.org
    assert client.get("/lado/referrals/LR00001").status_code == 200  # an audited read: one more row
    before = snapshot(database_uri)
    assert len(before) >= 20 and sum(map(len, before.values())) > 1000  # the small authority is in

    backup = tmp_path / "tracker.backup"
    result = runner.invoke(args=["backup", str(backup)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Backed up the ")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir() if "backup" in p.name] == ["tracker.backup"]  # no partial, no -wal

    outcome = invoke(empty_database, "restore", str(backup))
    assert outcome.exit_code == 0, outcome.output
    assert "Restored " in outcome.output and "db upgrade" not in outcome.output  # same revision as the code

    after = snapshot(empty_database)
    # the restore writes one audit row into the restored database: the only difference
    restore_rows = [row for row in after["audit_log"] if row not in before["audit_log"]]
    assert len(restore_rows) == 1
    after["audit_log"].remove(restore_rows[0])
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], table

    (backup_row,) = _audit(database_uri, "database.backup")
    assert backup_row.actor == "cli:backup" and backup_row.after["file"] == str(backup)
    assert backup_row.after["tables"] == len(before)
    (restore_row,) = _audit(empty_database, "database.restore")
    assert restore_row.after["sha256"] == backup_row.after["sha256"]
    # the restored database goes on working: new rows take new ids (sequences came along)
    again = invoke(empty_database, "backup", str(tmp_path / "second.backup"))
    assert again.exit_code == 0, again.output


def test_restore_refuses_a_database_that_is_not_empty(app, runner, database_uri, tmp_path, small_authority):
    backup = tmp_path / "tracker.backup"
    assert runner.invoke(args=["backup", str(backup)]).exit_code == 0
    before = snapshot(database_uri)
    result = runner.invoke(args=["restore", str(backup)])
    assert result.exit_code == 1
    assert "Nothing was restored: the database to restore into is not empty: it has" in result.output
    assert "Restore only into a new, empty database" in result.output
    assert snapshot(database_uri) == before


def test_backup_never_overwrites_a_file(app, runner, tmp_path):
    existing = tmp_path / "yesterday.backup"
    existing.write_bytes(b"yesterday's backup")
    result = runner.invoke(args=["backup", str(existing)])
    assert result.exit_code == 1
    assert "already exists: give the backup a new file name" in result.output
    assert existing.read_bytes() == b"yesterday's backup"


def test_restore_refuses_a_backup_of_the_other_kind_or_no_backup_at_all(database_uri, tmp_path):
    backend = make_url(database_uri).get_backend_name()
    other = tmp_path / "other.backup"
    other.write_bytes(b"PGDMP\x01\x0e\x00" if backend == "sqlite" else b"SQLite format 3\x00" + b"\x00" * 100)
    if backend != "sqlite":
        pytest.skip("checked on SQLite: the check is the same code")
    target = f"sqlite:///{tmp_path / 'new.sqlite'}"
    result = invoke(target, "restore", str(other))
    assert result.exit_code == 1
    assert "is a PostgreSQL backup but the database to restore into is SQLite" in result.output
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    result = invoke(target, "restore", str(junk))
    assert "is neither a SQLite database nor a PostgreSQL custom-format dump" in result.output


def test_a_missing_pg_dump_is_named_with_the_package_to_install(monkeypatch):
    from tracker.backup import operations

    monkeypatch.setattr(operations.shutil, "which", lambda name: None)
    with pytest.raises(operations.BackupError) as failure:
        operations._tool("pg_dump")
    assert str(failure.value).startswith("pg_dump was not found on PATH: install PostgreSQL's client programs")
    assert "apt-get install postgresql-client" in str(failure.value)


def test_postgresql_connections_run_without_jit(app, database_uri):
    """Every connection of the pool, not only the first transaction's: JIT compiling cost 3 s on
    a 0.3 s worklist query (issue 18)."""
    from tracker.extensions import db

    if make_url(database_uri).get_backend_name() != "postgresql":
        pytest.skip("PostgreSQL only")
    with app.app_context():
        for _ in range(2):
            with db.engine.connect() as conn:
                assert conn.execute(text("SHOW jit")).scalar() == "off"
                conn.rollback()
        with db.engine.connect() as a, db.engine.connect() as b:  # a second connection, set up alike
            assert a.execute(text("SHOW jit")).scalar() == b.execute(text("SHOW jit")).scalar() == "off"


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(app, database_uri):
    from tracker.extensions import SQLITE_BUSY_TIMEOUT_MS, db

    if make_url(database_uri).get_backend_name() != "sqlite":
        pytest.skip("SQLite only")
    with app.app_context(), db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS == 5000
