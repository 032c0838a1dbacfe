"""Fixtures for the engine tests (calendar, timescale rules, import, indicators, due items) and
the engine pages built on them (rules, worklists, indicators). Users sign in with ``login_as``
from ``tests/conftest.py`` (cheap: no password is hashed)."""

from __future__ import annotations

import pytest
from sqlalchemy import select


@pytest.fixture
def admin(login_as):
    """The client signed in as a system administrator."""
    return login_as("admin")


@pytest.fixture
def audit_rows(app):
    """``audit_rows(action)``: the audit rows written with that action, oldest first, detached."""

    def _rows(action: str):
        from tracker.core.audit import AuditEntry
        from tracker.extensions import db

        with app.app_context():
            rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
            rows = rows.all()
            db.session.expunge_all()
            return rows

    return _rows
