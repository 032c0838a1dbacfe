"""Backing up the whole database to one file and restoring it into an empty database.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot
while the tracker keeps running; the file is a plain SQLite database (journal mode DELETE, so
it is one self-contained file). PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore
--no-owner --exit-on-error --single-transaction`` (all or nothing), connecting with the
tracker's own database URL (the password goes in ``PGPASSWORD``, never on a command line).

Backup files are created with mode 600 (they hold every record) and appear under their final
name only when complete. Each operation writes one audit row, ``database.backup`` in the
database backed up, ``database.restore`` in the database restored.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import URL

from tracker.core import audit
from tracker.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
CLIENT_PACKAGE = "postgresql-client"


class BackupError(Exception):
    """A backup or restore that cannot be done, with what to do about it."""


@dataclass(frozen=True)
class Result:
    backend: str
    path: Path
    size: int
    sha256: str
    tables: int
    revision: str | None = None


def backup(path: Path) -> Result:
    """Write the whole database to ``path`` (a new file) and audit it."""
    path = Path(path).resolve()
    if path.exists():
        raise BackupError(f"{path} already exists: give the backup a new file name")
    if not path.parent.is_dir():
        raise BackupError(f"the folder {path.parent} does not exist")
    url = db.engine.url
    backend = url.get_backend_name()
    tables = len(_tables())
    partial = path.with_name(f".{path.name}.partial")
    _create_private(partial)
    try:
        if backend == "sqlite":
            _sqlite_copy(_sqlite_file(url), partial, into_backup=True)
        elif backend == "postgresql":
            _run(_tool("pg_dump"), "--format=custom", f"--file={partial}", url=url)
        else:
            raise BackupError(f"backups of {backend} databases are not supported")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    result = Result(backend, path, path.stat().st_size, _sha256(path), tables, _revision())
    audit.record(
        "database.backup",
        object_type="database",
        object_id=backend,
        summary=f"Database backed up to {path.name} ({result.size} bytes, {tables} tables)",
        after=_facts(result),
        actor="cli:backup",
    )
    return result


def restore(path: Path) -> Result:
    """Restore the backup at ``path`` into the configured database, which must be empty (no
    tables at all: a new database), and audit it there."""
    path = Path(path).resolve()
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    url = db.engine.url
    backend = url.get_backend_name()
    kind = _kind(path)
    if kind is None:
        raise BackupError(f"{path} is neither a SQLite database nor a PostgreSQL custom-format dump")
    if kind != backend:
        raise BackupError(
            f"{path} is a {_LABEL[kind]} backup but the database to restore into is {_LABEL.get(backend, backend)}: "
            "restore it into the same kind of database it was taken from"
        )
    existing = _tables()
    if existing:
        shown = ", ".join(existing[:5]) + (", …" if len(existing) > 5 else "")
        raise BackupError(
            f"the database to restore into is not empty: it has {len(existing)} table(s) ({shown}). "
            "Restore only into a new, empty database (TRACKER_DATABASE_URL naming a new SQLite file, "
            "or a database just made with createdb); nothing was changed"
        )
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the old (empty) schema
    if backend == "sqlite":
        _sqlite_check(path)
        _sqlite_copy(path, _sqlite_file(url), into_backup=False)
    else:
        _run(_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction", str(path), url=url)
    db.engine.dispose()
    result = Result(backend, path, path.stat().st_size, _sha256(path), len(_tables()), _revision())
    audit.record(
        "database.restore",
        object_type="database",
        object_id=backend,
        summary=f"Database restored from {path.name} ({result.size} bytes, {result.tables} tables)",
        after=_facts(result),
        actor="cli:restore",
    )
    return result


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    from tracker import MIGRATIONS

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


# --- helpers -------------------------------------------------------------------------------

_LABEL = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _tables() -> list[str]:
    """The tables (and views) of the configured database, outside the system catalogues."""
    with db.engine.connect() as conn:
        if db.engine.url.get_backend_name() == "sqlite":
            sql = (
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY 1"
            )
        else:
            sql = (
                "SELECT CASE WHEN table_schema = current_schema() THEN table_name "
                "ELSE table_schema || '.' || table_name END FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
            )
        return [row[0] for row in conn.execute(text(sql))]


def _revision() -> str | None:
    with db.engine.connect() as conn:
        try:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception:
            return None


def _facts(result: Result) -> dict:
    return {
        "file": str(result.path),
        "bytes": result.size,
        "sha256": result.sha256,
        "tables": result.tables,
        "revision": result.revision,
    }


def _kind(path: Path) -> str | None:
    with open(path, "rb") as fh:
        start = fh.read(len(SQLITE_MAGIC))
    if start == SQLITE_MAGIC:
        return "sqlite"
    if start.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    return None


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError("the database is an in-memory or URI SQLite database: back up and restore a file")
    return Path(url.database).resolve()


def _sqlite_check(path: Path) -> None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database ({exc})") from None
    finally:
        conn.close()
    if verdict != "ok":
        raise BackupError(f"{path} is damaged (SQLite quick_check: {verdict}); nothing was restored")


def _sqlite_copy(source: Path, target: Path, *, into_backup: bool) -> None:
    """Copy one SQLite database into another with the online backup API: a consistent snapshot
    of ``source`` even while the tracker writes to it (pages written meanwhile are re-copied)."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
        if into_backup:  # one self-contained file, no -wal beside it
            dst.execute("PRAGMA journal_mode = DELETE")
    finally:
        dst.close()
        src.close()


def _create_private(path: Path) -> None:
    """An empty file that only its owner may read: backups hold every record."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found on PATH: install PostgreSQL's client programs "
            f"(apt-get install {CLIENT_PACKAGE}), of the server's major version or later"
        )
    return found


def _run(program: str, *args: str, url: URL) -> None:
    """Run pg_dump or pg_restore against the database of ``url``; the password goes in the
    environment (a command line is visible to every user of the machine)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    completed = subprocess.run(
        [program, f"--dbname={conninfo}", *args], env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        name = Path(program).name
        detail = completed.stderr.strip() or f"exit code {completed.returncode}"
        raise BackupError(f"{name} failed: {detail}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
