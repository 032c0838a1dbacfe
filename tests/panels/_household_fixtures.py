"""Shared pieces of the foster households tests (helper C's; the package's conftest is another's).

- ``TODAY``: 30 June 2023 (the operations refuse later dates); the modules' ``app_config`` uses it.
- ``seed(app)``: ``with seed(app): ...`` builds records in an app context and commits them at the
  end, as the request lifecycle commits a page's change.
- ``panel_case_about(...)`` and ``panel_meeting_on(...)``: panel cases and meetings as rows, for
  the households' panel history, the returns to panel and the temporary approvals. The meetings'
  and cases' own operations (booking, agendas, recommendations) are another part of the feature;
  these tests need only the rows those operations leave.
- ``audit_actions(app, object_type)``: the audit rows' actions about one kind of record.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

D = dt.date
TODAY = "2023-06-30"
ALL_ROLES = (
    "qaro",
    "iro_manager",
    "lado",
    "lado_manager",
    "panel_admin",
    "adm",
    "manager",
    "analyst",
    "board",
    "admin",
)


@contextmanager
def seed(app):
    from tracker.extensions import db

    with app.app_context():
        yield
        db.session.commit()


def panel_meeting_on(day: dt.date, status: str = "held", panel: str = "fostering"):
    """A meeting row (``status`` booked, held or cancelled)."""
    from tracker.core import references
    from tracker.extensions import db
    from tracker.panels.models import PanelMeeting

    meeting = PanelMeeting(meeting_id=references.new_ref("panel_meeting"), panel=panel, meeting_date=day, status=status)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def panel_case_about(subject_ref: str | None, case_type: str, *, meeting=None, **fields):
    """A fostering case row about ``subject_ref`` (a household), at ``meeting`` or awaiting a date."""
    from tracker.core import references
    from tracker.extensions import db
    from tracker.panels.models import PanelCase

    case = PanelCase(
        case_id=references.new_ref("panel_case"),
        panel="fostering",
        case_type=case_type,
        subject_ref=subject_ref,
        meeting_id=meeting.meeting_id if meeting is not None else None,
        **fields,
    )
    db.session.add(case)
    db.session.flush()
    return case


def audit_actions(app, object_type: str) -> list[tuple[str, str | None, dict | None, dict | None, str]]:
    """(action, object_id, before, after, summary) of the audit rows about ``object_type``, oldest first."""
    from contextlib import nullcontext

    from flask import has_app_context
    from sqlalchemy import select

    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    with nullcontext() if has_app_context() else app.app_context():
        rows = db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == object_type).order_by(AuditEntry.id)
        ).all()
        return [(r.action, r.object_id, r.before, r.after, r.summary) for r in rows]


def version(page) -> str:
    """The record version a form page carries (its hidden ``version`` field)."""
    return page.one("input[name=version]")["value"]


def count(app, model) -> int:
    """Rows of ``model`` (in the app context already pushed, when there is one)."""
    from contextlib import nullcontext

    from flask import has_app_context
    from sqlalchemy import func, select

    from tracker.extensions import db

    with nullcontext() if has_app_context() else app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))
