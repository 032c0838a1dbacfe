"""The frozen months page (/board/months, admin): the last 24 months newest first with their
states; freezing a month through the page (audited), refused for a month not over or frozen
already; re-freezing with a required reason (audited, the reason shown); bad months 404; 403 for
every other role."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tracker.board import operations
from tracker.core.audit import AuditEntry
from tracker.core.permissions import ROLE_CODES
from tracker.extensions import db

TODAY = dt.date(2023, 6, 30)


@pytest.fixture
def app_config():
    return {"TODAY": TODAY.isoformat()}


@pytest.fixture
def admin(login_as):
    return login_as("admin", email="admin@example.org")


def audit_rows(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)).all()
        db.session.expunge_all()
        return rows


def freeze(app, *months: dt.date) -> None:
    with app.app_context():
        for month in months:
            operations.freeze_month(month)
        db.session.commit()


def states(page) -> dict[str, str]:
    return {line[0]: line[1] for line in page.table("#months")}


def test_the_page_lists_the_last_24_months_with_their_states(app, admin, client_request):
    freeze(app, dt.date(2023, 4, 1))
    page = client_request.get("/board/months")
    assert page.h1 == "Frozen months"
    shown = states(page)
    assert list(shown)[:3] == ["June 2023", "May 2023", "April 2023"]
    assert len(shown) == 24 and list(shown)[-1] == "July 2021"
    assert shown["June 2023"] == "Not over yet"
    assert shown["May 2023"] == "Not frozen — was due to freeze on 5 June 2023"  # the 4th was a Sunday
    assert shown["April 2023"].startswith("Frozen on ")
    assert "by system" in shown["April 2023"] and "Frozen 1 time" in shown["April 2023"]
    assert "Rules and closure days in force when frozen" in shown["April 2023"]
    details = page.text_of("#month-2023-04 details")
    assert "Closure days: none" in details
    assert page.select("#month-2023-06 form") == []  # not over: nothing to do
    assert page.text_of("#month-2023-05 button") == "Freeze now"
    assert page.links("#month-2023-04")["Re-freeze April 2023"] == "/board/months/2023-04/refreeze"


def test_a_month_is_frozen_through_the_page_audited(app, admin, client_request):
    page = client_request.post("/board/months/2023-05/freeze", follow=True, status=200)
    assert page.banner == "Success May 2023 is frozen: its figures will not change."
    assert states(page)["May 2023"].startswith("Frozen on ")
    assert "by admin@example.org" in states(page)["May 2023"]
    [row] = audit_rows(app, "board.freeze")
    assert (row.object_type, row.object_id, row.actor) == ("scorecard_month", "2023-05", "admin@example.org")
    with app.app_context():
        assert operations.frozen_month(dt.date(2023, 5, 1)).frozen_by == "admin@example.org"


def test_freezing_a_month_not_over_or_frozen_already_is_refused(app, admin, client_request):
    page = client_request.post("/board/months/2023-06/freeze", status=200)
    assert page.errors == ["June 2023 is not over yet: a month can be frozen from the day after its last day."]
    assert page.one(".govuk-error-summary a")["href"] == "#month-2023-06"
    freeze(app, dt.date(2023, 5, 1))
    page = client_request.post("/board/months/2023-05/freeze", status=200)
    assert page.errors == ["May 2023 is already frozen. An administrator can re-freeze it, giving a reason."]
    assert len(audit_rows(app, "board.freeze")) == 1


def test_a_month_is_re_frozen_with_a_reason_audited_and_shown(app, admin, client_request):
    freeze(app, dt.date(2023, 5, 1))
    form = client_request.get("/board/months/2023-05/refreeze")
    assert form.h1 == "Frozen months Re-freeze May 2023"
    assert form.summary()["Times frozen"] == "1"

    page = client_request.post("/board/months/2023-05/refreeze", {"reason": "   "}, status=200)
    assert page.errors == ["Enter why the month is being re-frozen"]
    assert page.field_error("reason") == "Enter why the month is being re-frozen"
    page = client_request.post("/board/months/2023-05/refreeze", {"reason": "x" * 2001}, status=200)
    assert page.errors == ["The reason must be 2000 characters or fewer"]
    assert audit_rows(app, "board.refreeze") == []

    reason = "Reviews of May were entered late"
    page = client_request.post("/board/months/2023-05/refreeze", {"reason": reason}, follow=True, status=200)
    assert page.banner == "Success May 2023 is re-frozen from the records as they are now."
    state = states(page)["May 2023"]
    assert "Frozen 2 times" in state and f"Re-frozen because: {reason}" in state
    [row] = audit_rows(app, "board.refreeze")
    assert (row.object_id, row.after["reason"], row.actor) == ("2023-05", reason, "admin@example.org")


def test_re_freezing_a_month_not_frozen_is_not_offered(app, admin, client_request):
    page = client_request.get("/board/months/2023-05/refreeze")
    assert page.text_of("#not-frozen").startswith("May 2023 is not frozen")
    assert page.select("textarea") == []
    client_request.post("/board/months/2023-05/refreeze", {"reason": "Because"}, status=200)
    assert audit_rows(app, "board.refreeze") == []


@pytest.mark.parametrize("month", ["2023-13", "2023-7", "abc", "2023-07", "1899-12", "2023-05-01"])
def test_a_month_that_is_not_one_is_not_found(app, admin, client_request, month):
    client_request.get(f"/board/months/{month}/refreeze", status=404)
    client_request.post(f"/board/months/{month}/freeze", status=404)


@pytest.mark.parametrize("role", sorted(set(ROLE_CODES) - {"admin"}))
def test_every_other_role_is_refused(app, login_as, client_request, role):
    freeze(app, dt.date(2023, 4, 1))
    login_as(role)
    client_request.get("/board/months", status=403)
    client_request.get("/board/months/2023-04/refreeze", status=403)
    client_request.post("/board/months/2023-04/refreeze", {"reason": "Because"}, status=403)
    client_request.post("/board/months/2023-05/freeze", status=403)
    assert audit_rows(app, "board.refreeze") == [] and len(audit_rows(app, "board.freeze")) == 1


def test_a_post_without_its_csrf_token_is_refused(app, admin, client_request):
    client_request.post("/board/months/2023-05/freeze", csrf=False, status=400)
    assert audit_rows(app, "board.freeze") == []
