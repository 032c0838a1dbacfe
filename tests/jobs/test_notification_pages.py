"""Notification settings and the administrator's jobs page, as users see them: a user turns the
daily digest off (audited, kept), an administrator names the board chair, the jobs page shows
each run and the emails that failed with their errors, and a stage-4 alert is a notice on the
recipient's home page."""

from __future__ import annotations

import pytest
from sqlalchemy import select


def audit_rows(app, action: str):
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    with app.app_context():
        return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def stored_user(app, user_id: int):
    from tracker.auth.models import User
    from tracker.extensions import db

    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def chosen(page, name: str) -> str | None:
    """The radio button checked of a question."""
    checked = page.select(f"input[name={name}][checked]")
    return checked[0]["value"] if checked else None


def child_in_care(app):
    """Zed Quill, Q1's child, in care since 1 June 2022 with no review: on 16 January 2023 her first
    review and her IRO contact are overdue."""
    from tests.reviews import factories
    from tracker.extensions import db

    with app.app_context():
        factories.child("C1", "2022-06-01", officer_id="Q1", first_name="Zed", last_name="Quill")
        db.session.commit()


def test_a_user_turns_the_digest_off_and_on_again(app, client_request, login_as):
    user = login_as("qaro", officer_id="Q1")
    page = client_request.get("/account/notifications")
    assert page.h1 == "Your notifications"
    assert chosen(page, "receives_digest") == "yes"  # on by default
    assert page.links(".govuk-service-navigation")["Notifications"] == "/account/notifications"
    client_request.post("/account/notifications", {"receives_digest": "no", "version": "1"})
    assert stored_user(app, user.id).receives_digest is False
    (row,) = audit_rows(app, "user.set_notifications")
    assert (row.object_id, row.before, row.after) == (
        str(user.id),
        {"receives_digest": True},
        {"receives_digest": False},
    )
    assert "Notification settings saved." in client_request.get("/account/notifications").banner
    assert chosen(client_request.get("/account/notifications"), "receives_digest") == "no"
    # saving the same again changes nothing and writes nothing
    client_request.post("/account/notifications", {"receives_digest": "no"})
    assert len(audit_rows(app, "user.set_notifications")) == 1


def test_the_digest_choice_is_required_and_nothing_is_saved_without_it(app, client_request, login_as):
    user = login_as("qaro", officer_id="Q1")
    page = client_request.post("/account/notifications", {}, status=200)
    assert page.errors == ["Select whether you want the daily digest email"]
    assert stored_user(app, user.id).receives_digest is True
    assert audit_rows(app, "user.set_notifications") == []


@pytest.mark.parametrize(
    ("roles", "always"),
    [
        (("qaro",), []),
        (("iro_manager",), ["an email when an escalation reaches stage 4"]),
        (("lado_manager",), ["quarterly review", "retention date"]),
    ],
)
def test_the_page_says_which_emails_cannot_be_turned_off(client_request, login_as, roles, always):
    login_as(*roles)
    page = client_request.get("/account/notifications")
    listed = " ".join(page.texts("#always li"))
    for words in always:
        assert words in listed
    if not always:
        assert page.select("#always-none")


def test_an_administrator_names_the_board_chair_and_sees_every_users_settings(app, client_request, login_as, make_user):
    chair = make_user("chair@example.org", ["board"], name="Cllr Chair")
    login_as("admin")
    page = client_request.get(f"/admin/users/{chair.id}/notifications")
    assert page.h1.endswith("Notification settings")
    assert (chosen(page, "receives_digest"), chosen(page, "board_chair")) == ("yes", "no")
    client_request.post(f"/admin/users/{chair.id}/notifications", {"receives_digest": "no", "board_chair": "yes"})
    saved = stored_user(app, chair.id)
    assert (saved.receives_digest, saved.board_chair) == (False, True)
    (row,) = audit_rows(app, "user.set_notifications")
    assert row.after == {"board_chair": True, "receives_digest": False}
    assert "board chair" in row.summary
    user_page = client_request.get(f"/admin/users/{chair.id}")
    assert user_page.summary()["Board chair (stage 4 escalation alerts)"] == "Yes"
    assert user_page.summary()["Daily digest email"] == "Off"
    rows = {r[0]: r for r in client_request.get("/admin/notifications").table("#settings")}
    assert rows["Cllr Chair : change notification settings"][1:] == ["chair@example.org", "Off", "Yes"]
    missing = client_request.post(f"/admin/users/{chair.id}/notifications", {"receives_digest": "yes"}, status=200)
    assert missing.errors == ["Select whether the user is the board chair"]


def test_a_stale_settings_page_is_refused_with_the_conflict(app, client_request, login_as, make_user):
    target = make_user("q@example.org", ["qaro"])
    login_as("admin")
    client_request.post(
        f"/admin/users/{target.id}/notifications", {"receives_digest": "no", "board_chair": "no", "version": "1"}
    )
    stale = {"receives_digest": "yes", "board_chair": "yes", "version": "1"}
    page = client_request.post(f"/admin/users/{target.id}/notifications", stale, status=200)
    assert page.errors  # saved by someone else since the page was opened: nothing overwritten
    assert stored_user(app, target.id).receives_digest is False


def test_the_jobs_page_shows_runs_and_the_emails_that_failed_with_their_errors(
    app, client_request, login_as, runner, make_user
):
    make_user("q1@example.org", ["qaro"], officer_id="Q1")
    child_in_care(app)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_TIMEOUT=5)  # nothing listens: refused
    result = runner.invoke(args=["run-job", "digest", "--as-of", "2023-01-16"])
    assert result.exit_code == 1, result.output
    assert "failed 1" in result.output
    login_as("admin")
    page = client_request.get("/admin/jobs")
    assert page.h1 == "Scheduled jobs"
    jobs = {row[0].split()[-1]: row for row in page.table("#jobs")}
    assert set(jobs) == {
        "digest",
        "snapshot",
        "escalation-alert",
        "lado-quarterly-review",
        "retention",
        "consultations",
    }
    assert jobs["digest"][3] == "Some sends failed" and jobs["snapshot"][2] == "Never"
    (failed,) = page.table("#failed")
    assert failed[0] == "Q1" and failed[1].startswith("Daily digest") and failed[2] == "2023-01-16"
    assert "Connection" in failed[5] or "refused" in failed[5]
    (run,) = page.table("#runs")
    assert run[0].startswith("digest") and run[4] == "Some sends failed" and run[5:8] == ["0", "1", "0"]
    assert client_request.get("/admin/jobs?job=snapshot").select("#runs-empty")
    # nothing about the child reaches the page: references and kinds only
    assert "Zed" not in page.text and "Quill" not in page.text


def stage_4_alert(app, user, status: str, link: str | None = None) -> None:
    """The alert the escalation-alert job leaves for ``user`` about E00001 (sent or failed)."""
    from tracker.extensions import db
    from tracker.jobs.models import Notification, NotificationKind, SendStatus

    with app.app_context():
        db.session.add(
            Notification(
                user_id=user.id,
                kind=NotificationKind.escalation_stage4,
                key="E00001",
                status=SendStatus(status),
                subject="Escalation E00001 reached stage 4",
                summary="Escalation E00001 reached stage 4 on 16 January 2023.",
                link=link,
            )
        )
        db.session.commit()


def test_a_stage_4_alert_is_a_notice_on_the_recipients_home_page(app, client_request, login_as):
    stage_4_alert(app, login_as("iro_manager"), "sent", link="/escalations/E00001")
    page = client_request.get("/")
    assert page.text_of("#notices-title") == "Escalations at stage 4"
    assert page.links("#notices") == {"Escalation E00001 reached stage 4 on 16 January 2023.": "/escalations/E00001"}


def test_the_board_chair_reads_the_notice_without_a_link(app, client_request, login_as):
    stage_4_alert(app, login_as("board", board_chair=True), "failed")  # the email failed: the notice is there
    page = client_request.get("/")
    assert page.texts("#notices li") == ["Escalation E00001 reached stage 4 on 16 January 2023."]
    assert page.links("#notices") == {}


def test_without_a_mail_server_each_email_is_written_to_a_file(app, runner, make_user, tmp_path):
    from email import message_from_bytes, policy

    make_user("q1@example.org", ["qaro"], officer_id="Q1")
    child_in_care(app)
    # served under a path behind the council's proxy: the links carry it once
    app.config.update(
        MAIL_SERVER=None, MAIL_FOLDER=str(tmp_path / "mail"), BASE_URL="https://tracker.example.gov.uk/cs/"
    )
    result = runner.invoke(args=["run-job", "digest", "--as-of", "2023-01-16"])
    assert result.exit_code == 0, result.output
    (written,) = (tmp_path / "mail").glob("*.eml")
    message = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["To"] == "q1@example.org"
    assert message["Subject"] == "Your tracker items: 2 overdue, 0 due soon (16 Jan 2023)"
    text = message.get_body(("plain",)).get_content()
    assert "Child-in-care review C1" in text and "  https://tracker.example.gov.uk/cs/children/C1\n" in text
    assert "Your worklist: https://tracker.example.gov.uk/cs/worklist/mine\n" in text
    assert "Zed" not in written.read_text() and "Quill" not in written.read_text()
