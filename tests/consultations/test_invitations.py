"""The ``consultations`` job through a real SMTP server (aiosmtpd on 127.0.0.1): one invitation
per emailed respondent, one reminder 5 working days before the review to those who have not
answered, never twice; no email names the child, their date of birth or any answer; a refused
address is kept with its error and tried again by the next run, without stopping the others."""

from __future__ import annotations

from sqlalchemy import select

from .conftest import TOKEN_IN_LINK
from .test_public_form import key, public

CHILD_DETAILS = ("Amy", "Ng", "C1", "2012", "1 May", "01/05", "Q1")


def _respondents(app):
    from tracker.consultations.models import Respondent
    from tracker.extensions import db

    with app.app_context():
        rows = {r.email: r for r in db.session.scalars(select(Respondent))}
        db.session.expunge_all()
        return rows


def test_invitations_then_one_reminder_to_those_who_have_not_answered(app, round_with_people, invite, smtp, run):
    tokens = invite("2026-03-02")
    assert sorted(m.to for m in smtp.messages) == ["cam@example.net", "pat@example.net"]
    invitation = smtp.messages[0]
    assert invitation.subject == "Share your views before a review"
    assert "You are invited to share your views before a review on 20 March 2026." in invitation.text
    assert "This link is personal to you." in invitation.text
    assert f"https://tracker.example.org/consult/{tokens[invitation.to]}" in invitation.text
    assert f'href="https://tracker.example.org/consult/{tokens[invitation.to]}"' in invitation.html
    # the same day again, and the days before the reminder: nothing more
    for day in ("2026-03-02", "2026-03-05", "2026-03-12"):
        code, _, job = run("consultations", day)
        assert code == 0 and job.sent == 0
    assert len(smtp.messages) == 2
    # Pat answers; on Friday 13 March (5 working days before Friday 20 March) Cam is reminded
    pat = tokens["pat@example.net"]
    public(app, pat, "/health", data={"form_key": key(app, pat), "answer": "Needs glasses soon", "save": "y"})
    public(app, pat, "/check", data={"form_key": key(app, pat)})
    code, _, job = run("consultations", "2026-03-13")
    assert code == 0 and job.sent == 1
    reminder = smtp.messages[-1]
    assert reminder.to == "cam@example.net" and reminder.subject == "Reminder: share your views"
    assert "A reminder: you are invited to share your views before a review on 20 March 2026." in reminder.text
    new_link = set(tokens.values()) ^ {pat}
    assert not any(t in reminder.text for t in new_link), "the reminder carries a link of its own"
    # a second reminder run, and every day to the review: nothing is sent twice
    for day in ("2026-03-13", "2026-03-16", "2026-03-20"):
        assert run("consultations", day)[2].sent == 0
    assert len(smtp.messages) == 3
    # the old link still opens the form, as does the reminder's
    cam_links = TOKEN_IN_LINK.findall(reminder.text)
    assert public(app, cam_links[0]).status == 200
    assert public(app, tokens["cam@example.net"]).status == 200
    # nothing in any email about the child, or any answer
    for message in smtp.messages:
        for part in (message.subject, message.text, message.html):
            words = TOKEN_IN_LINK.sub("/consult/<token>", part)  # a random token may spell "Q1" or "C1"
            assert words != part or part == message.subject, "the link's token was not found to set aside"
            for secret in (*CHILD_DETAILS, "Needs glasses", "Pat Parent", "Cam Carer", "Sol Worker"):
                assert secret not in words, f"{secret!r} in an email to {message.to}"


def test_nothing_is_sent_for_a_review_that_has_been_held(app, round_with_people, run, smtp):
    assert run("consultations", "2026-03-21")[2].sent == 0
    assert smtp.messages == []


def test_a_refused_address_is_retried_and_does_not_stop_the_others(app, round_with_people, run, smtp):
    smtp.handler.refuse.add("pat@example.net")
    code, _, job = run("consultations", "2026-03-02")
    assert code != 0 and job.status.value == "partly_failed"  # run-job says not every send went
    assert (job.sent, job.failed) == (1, 1)
    rows = _respondents(app)
    assert rows["cam@example.net"].invited_at is not None
    assert rows["pat@example.net"].invited_at is None
    assert "550 mailbox unavailable" in rows["pat@example.net"].send_error
    from tracker.consultations.models import Link
    from tracker.extensions import db

    with app.app_context():  # the link that did not go is not kept
        assert db.session.scalar(select(Link).where(Link.respondent_pk == rows["pat@example.net"].id)) is None
    smtp.handler.refuse.clear()
    assert run("consultations", "2026-03-02")[2].sent == 1
    rows = _respondents(app)
    assert rows["pat@example.net"].invited_at is not None and rows["pat@example.net"].send_error is None
    assert [m.to for m in smtp.messages] == ["cam@example.net", "pat@example.net"]


def test_the_round_page_says_where_each_invitation_is(app, round_with_people, run, smtp, login_as, client_request):
    smtp.handler.refuse.add("pat@example.net")
    run("consultations", "2026-03-02")
    login_as("review_admin")
    from tracker.consultations.models import ConsultationRound
    from tracker.extensions import db

    with app.app_context():
        round_id = db.session.scalar(select(ConsultationRound.round_id))
    rows = client_request.get(f"/children/consultations/{round_id}").table("#respondents")
    status = {row[1]: row[3] for row in rows}
    assert status["Pat Parent"].startswith("Invitation not sent")
    assert status["Cam Carer"].startswith("Invited ")  # with the day it went
    assert status["Sol Worker"] == "Paper or phone"
