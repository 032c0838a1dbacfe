"""One request lifecycle (tracker/web/lifecycle.py): a request commits once when its page
answers below 400 and rolls back on any error, in one place; views and operations never
commit; a refused change leaves nothing written."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

TRACKER = Path(__file__).resolve().parent.parent / "tracker"
# The runners: requests, commands, scheduled jobs (a job commits each recipient's send and its
# sent-marker on their own, so one failing recipient never undoes the others). Nothing else may commit.
COMMITTERS = {"web/lifecycle.py", "cli.py", "jobs/runner.py"}
# ...and the import engines roll back a failed import themselves (atomicity).
ROLLBACKS = COMMITTERS | {"core/interchange.py", "reviews/ssda903.py"}


def _calls(pattern: str) -> set[str]:
    found = set()
    for path in TRACKER.rglob("*.py"):
        if re.search(pattern, path.read_text()):
            found.add(str(path.relative_to(TRACKER)))
    return found


def test_only_the_runners_commit():
    assert _calls(r"session\.commit\(\)") == COMMITTERS


def test_only_the_runners_and_import_engines_roll_back():
    assert _calls(r"session\.rollback\(\)") <= ROLLBACKS


@pytest.fixture
def probe_app(app):
    """Three views that write an audit row and then answer 200, answer 400 or raise."""
    from flask import abort

    from tracker.core import audit
    from tracker.core.permissions import require_login
    from tracker.web import lifecycle

    def write(then):
        @require_login
        def view():
            audit.record("calendar.rebuild", object_type="calendar", summary="probe")
            return then()

        return view

    def boom():
        raise RuntimeError("a bug in a view")

    for name, then in (("ok", lambda: "done"), ("bad", lambda: abort(400)), ("boom", boom)):
        app.add_url_rule(f"/probe/{name}", f"probe_{name}", write(then), methods=["GET", "POST"])
    lifecycle.init_app(app)  # wrap the new views, as create_app wraps every view
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def _probe_rows(app) -> int:
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    with app.app_context():
        return db.session.query(AuditEntry).filter_by(summary="probe").count()


def test_a_page_that_succeeds_is_committed_once(probe_app, client, login_as):
    login_as("qaro")
    assert client.get("/probe/ok").status_code == 200
    assert _probe_rows(probe_app) == 1


@pytest.mark.parametrize("path, status", [("/probe/bad", 400), ("/probe/boom", 500)])
def test_an_error_rolls_back_everything_the_request_wrote(probe_app, client, login_as, path, status):
    login_as("qaro")
    assert client.get(path).status_code == status
    assert _probe_rows(probe_app) == 0


def test_a_post_whose_csrf_token_was_refused_writes_nothing(probe_app, client, login_as, csrf_token):
    """A post from a page of the tracker with an expired token reaches its view, so that its form
    is shown again with the input (tracker.web.forms.check_csrf): whatever that view does, the
    request writes nothing."""
    login_as("qaro")
    here = {"Origin": "http://localhost"}
    assert client.post("/probe/ok", data={"csrf_token": "expired"}, headers=here).status_code == 200
    assert _probe_rows(probe_app) == 0
    assert client.post("/probe/ok", data={"csrf_token": csrf_token(client)}, headers=here).status_code == 200
    assert _probe_rows(probe_app) == 1


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-30"}


def test_a_refused_change_leaves_nothing_written(app, client_request, login_as):
    """The escalate operation adds and flushes the new stage before its dates rule (one SQL
    query shared with the import) refuses it: the form shows the error, and neither the
    stage nor an audit row is in the database afterwards."""
    from tracker.core.audit import AuditEntry
    from tracker.escalations import operations as escalations
    from tracker.escalations.models import EscalationStage
    from tracker.extensions import db
    from tracker.reviews import operations as reviews

    with app.app_context():
        child = reviews.create_child(child_id="C1", date_of_birth=dt.date(2012, 1, 1))
        escalation = escalations.raise_escalation(
            child=child, raised_by=None, areas=["care_plan"], stage="informal", started_date=dt.date(2023, 6, 1)
        )
        escalation_id = escalation.escalation_id
        db.session.commit()
        rows_before = db.session.query(AuditEntry).count()
    login_as("iro_manager")  # nobody's escalation: the IRO manager may move it
    page = client_request.post(
        f"/escalations/{escalation_id}/escalate",
        {"escalate-to_stage": "stage1", "escalate-started_date": ["1", "5", "2023"]},
        status=200,
    )
    assert page.errors == ["The start date must be on or after the day Informal started (1 June 2023)"]
    with app.app_context():
        assert db.session.query(EscalationStage).count() == 1
        assert db.session.query(AuditEntry).count() == rows_before
