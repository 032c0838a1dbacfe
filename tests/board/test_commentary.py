"""Commentary per section and month (/board/sections/<id>/commentary): written by managers,
shown on the scorecard as written with its author and date, audited with the text before and
after; refused for roles without ``board.commentary``, without a CSRF token, when blank or too
long, when a colleague saved it since the page was opened, and for a month not begun."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tracker.board import operations
from tracker.board.models import ScorecardSection, SectionCommentary
from tracker.core.audit import AuditEntry
from tracker.core.errors import DomainError
from tracker.extensions import db

D = dt.date
TEXT = "Three informal escalations in May.\n\n  All about care plans; none reached stage 2."


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-15"}


@pytest.fixture
def safety(app) -> int:
    with app.app_context():
        return db.session.scalar(select(ScorecardSection.id).where(ScorecardSection.title == "Safety"))


def url(section_id: int, month: str = "2023-05") -> str:
    return f"/board/sections/{section_id}/commentary?month={month}"


def notes(app) -> list[SectionCommentary]:
    with app.app_context():
        found = list(db.session.scalars(select(SectionCommentary)))
        for n in found:
            db.session.expunge(n)
        return found


def audit_rows(app) -> list[AuditEntry]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "scorecard_commentary.save")))
        for r in rows:
            db.session.expunge(r)
        return rows


def test_a_manager_writes_commentary_shown_on_the_scorecard(app, safety, login_as, client_request):
    login_as("iro_manager", name="Ira Manager")
    page = client_request.get(url(safety))
    assert page.h1 == "Scorecard for May 2023 Add commentary on Safety"
    page = client_request.post(url(safety), {"text": TEXT}, follow=True, status=200)
    assert page.response.request.full_path == "/board/?month=2023-05"
    assert page.banner == "Success Commentary on Safety for May 2023 saved."
    shown = page.one(f"#section-{safety}-commentary")
    assert shown.select_one(".tracker-commentary__text").get_text() == TEXT.strip()  # line breaks kept (pre-wrap)
    assert "Written by Ira Manager on " in shown.get_text(" ", strip=True)
    assert "Change commentary on Safety" in page.texts("a[data-commentary-link]")
    [note] = notes(app)
    assert (note.month, note.author, note.text) == (D(2023, 5, 1), "Ira Manager", TEXT.strip())
    [entry] = audit_rows(app)
    assert entry.before is None and entry.after["text"] == TEXT.strip()
    assert client_request.get("/board/?month=2023-04").select(f"#section-{safety}-commentary") == []  # per month


def test_changing_commentary_is_audited_before_and_after(app, safety, login_as, client_request):
    login_as("manager")
    client_request.post(url(safety), {"text": "First"})
    page = client_request.get(url(safety))
    assert page.h1 == "Scorecard for May 2023 Change commentary on Safety"
    assert page.one("textarea").get_text().strip() == "First"
    version = page.one('input[name="version"]')["value"]
    client_request.post(url(safety), {"text": "Second", "version": version})
    assert [n.text for n in notes(app)] == ["Second"]
    last = audit_rows(app)[-1]
    assert (last.before["text"], last.after["text"]) == ("First", "Second")


def test_a_stale_version_is_refused(app, safety, login_as, client_request):
    login_as("manager")
    client_request.post(url(safety), {"text": "First"})
    version = client_request.get(url(safety)).one('input[name="version"]')["value"]
    client_request.post(url(safety), {"text": "A colleague's", "version": version})
    page = client_request.post(url(safety), {"text": "Mine", "version": version}, status=200)
    assert "Someone else changed this record since you opened it" in page.errors
    assert [n.text for n in notes(app)] == ["A colleague's"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Enter the commentary"),
        ("   \n ", "Enter the commentary"),
        ("x" * 5001, "The commentary must be 5,000 characters or fewer"),
    ],
)
def test_blank_and_too_long_commentary_is_refused(app, safety, login_as, client_request, text, message):
    login_as("manager")
    page = client_request.post(url(safety), {"text": text}, status=200)
    assert page.errors == [message]
    assert notes(app) == []


def test_commentary_on_a_month_not_begun_is_refused(app, safety, login_as, client_request):
    login_as("manager")
    page = client_request.post(url(safety, "2023-07"), {"text": "Too soon"}, status=200)
    assert "July 2023 has not begun: commentary can be written for this month or earlier." in page.errors
    assert notes(app) == []
    with app.app_context(), pytest.raises(DomainError):
        operations.save_commentary(db.session.get(ScorecardSection, safety), D(2023, 7, 1), "x", user=None)


@pytest.mark.parametrize("role", ["board", "analyst", "admin", "qaro"])
def test_roles_without_board_commentary_are_refused(app, safety, login_as, client_request, role):
    login_as(role)
    client_request.get(url(safety), status=403)
    client_request.post(url(safety), {"text": "No"}, status=403)
    assert notes(app) == []


def test_a_post_without_a_csrf_token_is_refused(app, safety, login_as, client_request):
    login_as("manager")
    client_request.post(url(safety), {"text": "No token"}, csrf=False, status=400)
    assert notes(app) == []


def test_an_unknown_section_is_not_found(login_as, client_request):
    login_as("manager")
    client_request.get(url(99999), status=404)


def test_a_made_up_month_is_a_bad_request(safety, login_as, client_request):
    login_as("manager")
    client_request.get(url(safety, "soon"), status=400)


def test_two_first_commentaries_at_once_keep_the_first(app, safety, monkeypatch):
    """A colleague wrote the month's first commentary between this save's read and its write: the
    save is refused as stale (their text kept), never a database error."""
    with app.app_context():
        section = db.session.get(ScorecardSection, safety)
        operations.save_commentary(section, D(2023, 5, 1), "Theirs", user=None)
        original = db.session.scalar
        reads = []

        def scalar(*args, **kwargs):  # this save's first read misses the colleague's row
            reads.append(args)
            return None if len(reads) == 1 else original(*args, **kwargs)

        monkeypatch.setattr(db.session, "scalar", scalar)
        with pytest.raises(DomainError, match="Someone else changed this record"):
            operations.save_commentary(section, D(2023, 5, 1), "Mine", user=None)
        monkeypatch.undo()
        assert [n.text for n in db.session.scalars(select(SectionCommentary))] == ["Theirs"]
