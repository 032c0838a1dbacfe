"""Fixtures of the meetings-and-cases tests (imported by each test module that uses them; the
records come from ``tests/panels/factories.py``).

- ``app_config``: today is Monday 16 January 2023 (outcomes need a meeting on or before it).
- ``seed``: ``with seed(): factories.meeting(...)`` builds records in an app context and commits
  them at the end of the block, as the request lifecycle commits a page's change.
- ``as_role(role)``: the client signed in holding ``role``.
- ``audit_rows(action=None, **columns)``: the audit rows written, oldest first.
- ``fingerprint()``: row counts and version sums of the panel tables and the audit log: a
  refused change leaves it as it was.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest

TODAY = dt.date(2023, 1, 16)


@pytest.fixture
def app_config():
    return {"TODAY": TODAY.isoformat()}


@pytest.fixture
def seed(app):
    from tracker.extensions import db

    @contextmanager
    def block():
        with app.app_context():
            yield
            db.session.commit()

    return block


@pytest.fixture
def as_role(login_as):
    def _as(role: str, **fields):
        return login_as(role, email=f"{role}-{len(fields)}@example.org", **fields)

    return _as


@pytest.fixture
def audit_rows(app):
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    def _rows(action: str | None = None, **columns):
        with app.app_context():
            query = db.session.query(AuditEntry).filter_by(**columns)
            if action is not None:
                query = query.filter_by(action=action)
            rows = [(e.action, e.object_id, e.before, e.after) for e in query.order_by(AuditEntry.id)]
            db.session.remove()
            return rows

    return _rows


@pytest.fixture
def fingerprint(app):
    from sqlalchemy import func, select

    from tracker.core.audit import AuditEntry
    from tracker.extensions import db
    from tracker.panels.models import PanelCase, PanelMeeting, PanelMember

    def _fingerprint():
        with app.app_context():
            counts = {
                model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
                for model in (PanelMeeting, PanelMember, PanelCase, AuditEntry)
            }
            for model in (PanelMeeting, PanelCase):
                counts[model.__tablename__ + ".version"] = db.session.scalar(select(func.sum(model.version)))
            db.session.remove()
            return counts

    return _fingerprint


def date_boxes(day: dt.date) -> list[str]:
    """A date as the three boxes of a GOV.UK date field."""
    return [str(day.day), str(day.month), str(day.year)]
