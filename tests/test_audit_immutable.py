"""The audit log is append-only: no route edits or deletes it, and the database refuses to."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy import text

from tracker.core import audit
from tracker.extensions import db

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def test_no_route_writes_to_the_audit_log(app):
    offenders = [
        (rule.rule, sorted(rule.methods & WRITE_METHODS))
        for rule in app.url_map.iter_rules()
        if "audit" in rule.rule and rule.methods & WRITE_METHODS
    ]
    assert not offenders


@pytest.mark.parametrize("method", sorted(WRITE_METHODS))
@pytest.mark.parametrize("path", ["/admin/audit", "/admin/audit/1", "/admin/audit/1/edit", "/admin/audit/1/delete"])
def test_write_methods_on_audit_urls_are_not_found_or_not_allowed(app, client, login_as, csrf_token, method, path):
    login_as("admin")
    with app.app_context():
        audit.record("calendar.rebuild", object_type="calendar", summary="an entry", actor="test")
        db.session.commit()
    response = client.open(path, method=method, data={"csrf_token": csrf_token(client)})
    assert response.status_code in (404, 405)
    with app.app_context():
        assert db.session.scalar(sa.select(audit.AuditEntry.summary)) == "an entry"


def test_database_refuses_update_and_delete(app):
    with app.app_context():
        audit.record("calendar.rebuild", object_type="calendar", summary="kept for ever", actor="test")
        db.session.commit()
        for statement in ("UPDATE audit_log SET summary = 'changed'", "DELETE FROM audit_log"):
            with pytest.raises(sa.exc.DBAPIError):
                db.session.execute(text(statement))
                db.session.flush()
            db.session.rollback()
        assert db.session.scalar(text("SELECT summary FROM audit_log")) == "kept for ever"
