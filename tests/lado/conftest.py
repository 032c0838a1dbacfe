"""Fixtures of the LADO tests: the date (``app_config``), an app context (``ctx``), the seeded
records (``seeded``: a referral with a meeting and an action, and an advice contact, built by
``tests.lado.factories`` through the operations), the audit rows written (``audit_rows``,
``lado_reads``) and the GET rules of the blueprint (``lado_get_rules``, ``build_url``)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@pytest.fixture
def app_config():
    """16 January 2023: the seeded referral's IEM is overdue and its action due soon."""
    return {"TODAY": "2023-01-16"}


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def seeded(app):
    """``factories.seeded()`` committed, so that every page sees it: its ``Seeded`` references."""
    from tests.lado import factories
    from tracker.extensions import db

    with app.app_context():
        refs = factories.seeded()
        db.session.commit()
    return refs


@dataclass(frozen=True)
class Row:
    action: str
    object_type: str | None
    object_id: str | None
    summary: str
    before: object
    after: object
    user_id: int | None


@pytest.fixture
def audit_rows(app):
    """``audit_rows(action=None, **columns)``: the audit rows written (oldest first), as ``Row``."""
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    def _rows(action: str | None = None, **columns) -> list[Row]:
        with app.app_context():
            query = db.session.query(AuditEntry).filter_by(**columns)
            if action is not None:
                query = query.filter_by(action=action)
            return [
                Row(e.action, e.object_type, e.object_id, e.summary, e.before, e.after, e.user_id)
                for e in query.order_by(AuditEntry.id)
            ]

    return _rows


@pytest.fixture
def lado_reads(audit_rows):
    """``lado_reads(**columns)``: the ``lado_record.read`` rows written."""
    return lambda **columns: audit_rows("lado_record.read", **columns)


@pytest.fixture
def lado_get_rules(app):
    """Every URL rule of the ``lado`` blueprint that answers GET, by path."""
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("lado.") and "GET" in r.methods]
    return sorted(rules, key=lambda r: r.rule)


@pytest.fixture
def build_url(app):
    """``build_url(rule, **values)``: the path of a URL rule with its arguments filled in."""
    adapter = app.url_map.bind("localhost")
    return lambda rule, **values: adapter.build(rule.endpoint, values)
