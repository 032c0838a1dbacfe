"""The public form under /consult/<token>: personal links (distinct, stored hashed), save and
return, check your answers, sending; the one neutral page for a wrong, used or expired link; a
form posted after the closing day refused with the typed answer kept; no session, no cookie, not
indexed; too many bad links from one address wait; tokens never logged."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

import pytest
from sqlalchemy import func, select

from tests.pages import Page

from .factories import consultation, respondent

PAGES = ["", "/relationships", "/speak", "/check"]


def public(app, token: str, step: str = "", *, data: dict | None = None, client=None):
    client = client or app.test_client()
    url = f"/consult/{token}{step}"
    response = client.post(url, data=data) if data is not None else client.get(url)
    return Page(response)


def key(app, token: str) -> str:
    from tracker.consultations.forms import public_key

    with app.test_request_context():
        return public_key(token)


def respondent_row(app, email: str):
    from tracker.consultations.models import Respondent
    from tracker.extensions import db

    with app.app_context():
        row = db.session.scalar(select(Respondent).where(Respondent.email == email))
        answers = {a.question: a.text for a in row.answers}
        db.session.expunge_all()
        return row, answers


def test_a_round_makes_one_invitation_per_emailed_respondent_each_with_its_own_token(app, round_with_people, invite):
    from tracker.consultations.models import Link
    from tracker.extensions import db

    tokens = invite()
    assert set(tokens) == {"pat@example.net", "cam@example.net"}  # the social worker answers on paper
    assert len(set(tokens.values())) == 2
    assert all(len(t) >= 43 for t in tokens.values())  # 32 random bytes: 256 bits
    with app.app_context():
        stored = db.session.scalars(select(Link.token_hash)).all()
        everything = " ".join(
            str(v) for table in db.metadata.sorted_tables for row in db.session.execute(select(table)) for v in row
        )
    assert sorted(stored) == sorted(hashlib.sha256(t.encode()).hexdigest() for t in tokens.values())
    assert not any(t in everything for t in tokens.values()), "a token is stored in the clear"


def test_a_parent_saves_comes_back_checks_and_sends(app, round_with_people, invite):
    token = invite()["pat@example.net"]
    start = public(app, token)
    assert start.status == 200
    assert start.h1 == "Share your views before Amy's review on 20 March 2026"
    assert "Ng" not in start.text and "C1" not in start.text  # the first name, nothing else
    page = public(app, token, "/relationships")
    assert page.h1 == "How are the child's relationships with the people around them?"
    form_key = key(app, token)
    # save and come back later
    saved = public(
        app, token, "/relationships", data={"form_key": form_key, "answer": "Close to her gran", "later": "y"}
    )
    assert saved.status == 200 and saved.h1 == "Your answers are saved"
    # the same link, later: the answer is there, and "Carry on" goes to the first unanswered question
    again = public(app, token)
    assert again.links()["Carry on"] == f"/consult/{token}/wellbeing"
    assert public(app, token, "/relationships").value("answer") == "Close to her gran"
    moved = public(app, token, "/wellbeing", data={"form_key": form_key, "answer": "Happier", "save": "y"})
    assert moved.status == 302 and moved.response.location.endswith(f"/consult/{token}/health")
    public(app, token, "/speak", data={"form_key": form_key, "speak": "yes", "save": "y"})
    check = public(app, token, "/check")
    summary = check.summary()
    assert summary["How are the child's relationships with the people around them?"].startswith("Close to her gran")
    assert summary["How is the child's health?"].startswith("Not answered")
    assert summary["Would you like to speak to the reviewing officer before the review?"].startswith("Yes")
    done = public(app, token, "/check", data={"form_key": form_key})
    assert done.status == 200 and done.h1 == "Your answers have been sent"
    row, answers = respondent_row(app, "pat@example.net")
    assert row.submitted_at is not None and row.speak_to_officer is True
    assert answers == {"relationships": "Close to her gran", "wellbeing": "Happier"}
    # read-only once sent: the link is the neutral page now, and a post changes nothing
    assert public(app, token).status == 404
    public(app, token, "/relationships", data={"form_key": form_key, "answer": "Changed", "save": "y"})
    assert respondent_row(app, "pat@example.net")[1]["relationships"] == "Close to her gran"


def test_the_childs_form_speaks_to_the_child(app, round_with_people, invite):
    from tracker.consultations.models import ConsultationRound
    from tracker.extensions import db

    with app.app_context():
        round_ = db.session.scalar(select(ConsultationRound))
        respondent(round_, "child", "Amy", "amy@example.net")
        db.session.commit()
    token = invite()["amy@example.net"]
    assert public(app, token).h1 == "Tell us what you think before your review"
    assert public(app, token, "/wellbeing").h1 == "How have you been feeling?"
    assert public(app, token, "/speak").h1 == "Would you like to talk to your reviewing officer before your review?"


def test_a_professional_is_told_the_review_date_only(app, round_with_people, invite):
    from tracker.consultations.models import ConsultationRound
    from tracker.extensions import db

    with app.app_context():
        round_ = db.session.scalar(select(ConsultationRound))
        respondent(round_, "school", "Ms Head", "head@school.example")
        db.session.commit()
    page = public(app, invite()["head@school.example"])
    assert page.h1 == "Share your views before the review on 20 March 2026"
    assert "Amy" not in page.text


def _neutral_view(page: Page) -> tuple:
    return page.status, page.h1, page.text


def test_a_wrong_used_or_expired_link_gives_the_same_neutral_page(app, round_with_people, invite, runner):
    tokens = invite()
    used, expiring = tokens["pat@example.net"], tokens["cam@example.net"]
    public(app, used, "/check", data={"form_key": key(app, used)})  # sent: used
    app.config["TODAY"] = "2026-03-28"  # the day after the form closed (20 March + 7 days)
    pages = {
        "unknown": public(app, "A" * 43),
        "malformed": public(app, "not-a-token"),
        "used": public(app, used),
        "expired": public(app, expiring),
        "expired, a question": public(app, expiring, "/health"),
    }
    seen = {name: _neutral_view(page) for name, page in pages.items()}
    assert set(seen.values()) == {_neutral_view(pages["unknown"])}, seen
    assert pages["unknown"].status == 404 and pages["unknown"].h1 == "This link does not open a form"
    app.config["TODAY"] = "2026-03-27"  # the closing day itself: still open
    assert public(app, expiring).status == 200


def test_an_answer_posted_after_the_form_closed_is_refused_and_kept_on_the_page(app, round_with_people, invite):
    token = invite()["cam@example.net"]
    app.config["TODAY"] = "2026-03-28"
    page = public(app, token, "/health", data={"form_key": key(app, token), "answer": "Needs a dentist", "save": "y"})
    assert page.status == 410
    assert page.value("answer") == "Needs a dentist"  # the typed answer is still there to copy
    (problem,) = page.errors
    assert "closed on 27 March 2026" in problem and "has not been saved" in problem
    assert "the Independent Reviewing Service at Example County Council" in problem
    assert respondent_row(app, "cam@example.net")[1] == {}
    sent = public(app, token, "/check", data={"form_key": key(app, token)})
    assert sent.status == 410 and "have not been sent" in sent.errors[0]
    assert respondent_row(app, "cam@example.net")[0].submitted_at is None


def test_a_post_without_the_links_own_form_key_saves_nothing(app, round_with_people, invite):
    tokens = invite()
    pat, cam = tokens["pat@example.net"], tokens["cam@example.net"]
    for data in ({"answer": "Forged", "save": "y"}, {"form_key": key(app, cam), "answer": "Forged", "save": "y"}):
        page = public(app, pat, "/health", data=data)
        assert page.status == 200 and "has not been saved" in page.errors[0]
    sent = public(app, pat, "/check", data={"form_key": key(app, cam)})
    assert sent.status == 200 and "have not been sent" in sent.errors[0]
    row, answers = respondent_row(app, "pat@example.net")
    assert answers == {} and row.submitted_at is None


def test_an_over_long_answer_is_refused_with_a_message(app, round_with_people, invite):
    token = invite()["pat@example.net"]
    page = public(app, token, "/health", data={"form_key": key(app, token), "answer": "x" * 5001, "save": "y"})
    assert page.status == 200 and page.errors
    assert respondent_row(app, "pat@example.net")[1] == {}


@pytest.mark.parametrize("step", PAGES)
def test_the_public_pages_set_no_cookie_read_no_staff_session_and_are_not_indexed(
    app, round_with_people, invite, login_as, client, step
):
    token = invite()["pat@example.net"]
    login_as("iro_manager")  # a member of staff signed in, in the same browser
    page = public(app, token, step, client=client)
    headers = page.response.headers
    assert page.status == 200
    assert "Set-Cookie" not in headers
    assert headers["X-Robots-Tag"] == "noindex, nofollow"
    assert headers["Cache-Control"] == "no-store"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert page.soup.select_one('meta[name="robots"]')["content"] == "noindex, nofollow"
    assert not page.soup.select(".govuk-service-navigation__link"), "staff navigation on a public page"
    assert "Sign out" not in page.soup.get_text()
    posted = public(app, token, "/relationships", data={"form_key": key(app, token), "answer": "A", "save": "y"})
    assert "Set-Cookie" not in posted.response.headers


def test_too_many_bad_links_from_one_address_wait(app, round_with_people, invite):
    token = invite()["pat@example.net"]
    app.config["CONSULTATION_MAX_REFUSALS"] = 3
    for n in range(3):
        assert public(app, f"{n}" * 43).status == 404
    assert public(app, "9" * 43).status == 429
    assert public(app, token).status == 429  # the address waits, whatever it tries
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    with app.app_context():  # nothing more is written while it waits
        assert db.session.scalar(select(func.count()).where(AuditEntry.action == "consultation.refused")) == 3
    app.config["CONSULTATION_REFUSAL_WINDOW_MINUTES"] = 0
    assert public(app, token).status == 200


def test_tokens_never_reach_a_log(app, round_with_people, invite, caplog):
    from tracker.web.public import RedactTokens, redact

    token = invite()["pat@example.net"]
    assert redact(f'"GET /consult/{token}/health HTTP/1.1" 200') == '"GET /consult/[token]/health HTTP/1.1" 200'
    record = logging.LogRecord(
        "werkzeug", logging.INFO, "", 0, '%s - "%s" %s', ("1.2.3.4", f"GET /consult/{token}", 200), None
    )
    RedactTokens().filter(record)
    assert token not in record.getMessage()
    atoms = logging.LogRecord("gunicorn.access", logging.INFO, "", 0, "%(U)s", ({"U": f"/consult/{token}"},), None)
    RedactTokens().filter(atoms)
    assert atoms.getMessage() == "/consult/[token]"
    with caplog.at_level(logging.DEBUG):
        public(app, token)
        public(app, token, "/health", data={"form_key": key(app, token), "answer": "A", "save": "y"})
    assert token not in caplog.text
    assert any(isinstance(f, RedactTokens) for f in logging.getLogger("werkzeug").filters)


def test_a_respondent_taken_off_loses_their_link(app, round_with_people, invite, login_as, client_request):
    from tracker.consultations.models import Respondent
    from tracker.extensions import db

    token = invite()["pat@example.net"]
    public(app, token, "/health", data={"form_key": key(app, token), "answer": "Saved, not sent", "save": "y"})
    with app.app_context():
        pat = db.session.scalar(select(Respondent).where(Respondent.email == "pat@example.net"))
        round_id, pat_id = pat.round.round_id, pat.id
    login_as("iro_manager")
    url = f"/children/consultations/{round_id}/respondents/{pat_id}/remove"
    refused = client_request.post(url, {}, status=200)
    assert refused.errors == ["Enter why they are being taken off"]
    client_request.post(url, {"reason": "Added twice"})
    assert public(app, token).status == 404
    with app.app_context():
        assert db.session.get(Respondent, pat_id) is None


def test_the_form_shows_nothing_but_the_review_date_and_first_name(app, round_with_people, invite):
    token = invite()["pat@example.net"]
    for step in PAGES:
        text = public(app, token, step).soup.get_text(" ")
        for secret in ("Ng", "C1", "2012", "Q1", "Cam Carer", "Sol Worker", "Pat Parent"):
            assert secret not in text, f"{secret!r} on /consult/…{step}"


def test_a_round_is_refused_for_a_review_in_the_past_or_twice(app, round_with_people):
    from tracker.core.errors import DomainError
    from tracker.extensions import db
    from tracker.reviews.models import Child

    with app.app_context():
        amy = db.session.scalar(select(Child))
        with pytest.raises(DomainError, match="today or in the future"):
            consultation(amy, "2026-03-01")
        with pytest.raises(DomainError, match="already a consultation"):
            consultation(amy, "2026-03-20")
        assert consultation(amy, "2026-09-18").review_date == dt.date(2026, 9, 18)
