"""The stage-4 escalation alert (issue 15, 002:L272): when an escalation reaches stage 4, the
IRO manager and the board chair are each told once — an email naming the escalation's reference
(never the child) and a notice on their home page — however often the job runs; nobody else is."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.escalations import factories

from .privacy import leaks

D = dt.date
REACHED = D(2023, 6, 12)  # the day the escalation reached stage 4
CHILD = ("C07001", "Ottoline", "Quartermaine", D(2011, 5, 9))
CHILD_DETAILS = [(CHILD[0], value) for value in (CHILD[1], CHILD[2], "2011-05-09", "09/05/2011", "9 May 2011")]


@pytest.fixture
def app_config(smtp):
    return {"TODAY": "2023-06-30", **smtp.config()}  # the escalations' operations refuse later dates


@pytest.fixture
def people(app, make_user):
    with app.app_context():
        from tracker.extensions import db

        factories.officer("Q1")  # a QARO (q1@example.org), who raised the escalation: not alerted
        db.session.commit()
    return {
        "manager": make_user("iro-head@example.org", roles=["iro_manager"]),
        "chair": make_user("chair@example.org", roles=["board"], board_chair=True),
        "member": make_user("member@example.org", roles=["board"]),  # a board member, not the chair
        "away": make_user("gone-head@example.org", roles=["iro_manager"], active=False),  # disabled
    }


@pytest.fixture
def reference(app, people) -> str:
    """An escalation about a child, raised informally on 2 May 2023 and moved to stage 4 on 12 June."""
    from tracker.extensions import db
    from tracker.reviews import operations as reviews

    with app.app_context():
        child_id, first, last, born = CHILD
        child = reviews.create_child(child_id=child_id, date_of_birth=born, first_name=first, last_name=last)
        reviews.add_care_period(child, start_date=D(2020, 1, 1))
        made = factories.escalation(child, stages=(("informal", D(2023, 5, 2)), ("stage4", REACHED)))
        db.session.commit()
        return made.escalation_id


def alerts(app) -> list[tuple[str, str, str, str]]:
    from tracker.extensions import db
    from tracker.jobs.models import Notification

    with app.app_context():
        rows = db.session.scalars(select(Notification).order_by(Notification.id))
        return [(n.user.email, n.kind.value, n.key, n.status.value) for n in rows]


def notices(app) -> dict[str, str]:
    """recipient → the words of the home-page notice kept with each stage-4 alert."""
    from tracker.extensions import db
    from tracker.jobs.models import Notification

    with app.app_context():
        rows = db.session.scalars(select(Notification).where(Notification.kind == "escalation_stage4"))
        return {n.user.email: n.summary for n in rows}


def test_the_iro_manager_and_the_board_chair_are_told_once(app, run, smtp, reference):
    for day in ("2023-06-12", "2023-06-12", "2023-06-13", "2023-06-30"):
        code, output, _ = run("escalation-alert", day)
        assert code == 0, output

    assert sorted(m.to for m in smtp.messages) == ["chair@example.org", "iro-head@example.org"]
    assert sorted(alerts(app)) == [
        ("chair@example.org", "escalation_stage4", reference, "sent"),
        ("iro-head@example.org", "escalation_stage4", reference, "sent"),
    ]
    said = f"Escalation {reference} reached stage 4 on 12 June 2023."
    assert notices(app) == {"chair@example.org": said, "iro-head@example.org": said}
    for received in smtp.messages:
        assert received.subject == f"Escalation {reference} reached stage 4"
        assert f"Escalation {reference} reached stage 4 on 12 June 2023." in received.text
        assert reference in received.html
        assert received.text.strip() and "<html" in received.html
    assert leaks(smtp.messages, CHILD_DETAILS) == []


def test_the_managers_email_links_to_the_escalation(app, run, smtp, reference):
    code, output, job = run("escalation-alert", "2023-06-12")
    assert code == 0, output
    assert job.sent == 2
    from flask import url_for

    with app.test_request_context():
        page = "http://127.0.0.1:5000" + url_for("escalations.show", escalation_id=reference)
    (manager,) = smtp.handler.to("iro-head@example.org")
    assert page in manager.text.split()
    assert f'href="{page}"' in manager.html
    (chair,) = smtp.handler.to("chair@example.org")  # may not open escalations: the tracker's front page
    assert page not in chair.text and page not in chair.html
    assert "http://127.0.0.1:5000/" in chair.text.split()


def test_the_job_runs_counted_what_they_did(app, run, smtp, reference):
    _, _, first = run("escalation-alert", "2023-06-12")
    _, output, second = run("escalation-alert", "2023-06-12")
    assert (first.sent, first.skipped) == (2, 0)
    assert (second.sent, second.skipped) == (0, 2)
    assert "sent 0, failed 0, already sent 2." in output


def test_no_alert_before_stage_4_or_long_after_it(app, run, smtp, reference):
    code, output, job = run("escalation-alert", "2023-06-11")  # the day before it reached stage 4
    assert code == 0, output
    assert job.sent == 0 and smtp.messages == [] and alerts(app) == []
    assert "No escalation reached stage 4." in job.detail


def test_a_stage_4_reached_before_the_window_is_history(app, run, smtp, people):
    from tracker.extensions import db

    with app.app_context():
        factories.escalation("C07002", stages=(("informal", D(2023, 1, 2)), ("stage4", D(2023, 2, 1))))
        db.session.commit()
    code, output, job = run("escalation-alert", "2023-06-12")  # over 28 days later
    assert code == 0, output
    assert smtp.messages == [] and alerts(app) == []


def test_each_escalation_at_stage_4_is_its_own_alert(app, run, smtp, reference):
    from tracker.extensions import db

    with app.app_context():
        other = factories.escalation("C07003", stages=(("stage1", D(2023, 6, 1)), ("stage4", D(2023, 6, 20))))
        db.session.commit()
        other_ref = other.escalation_id
    run("escalation-alert", "2023-06-12")
    run("escalation-alert", "2023-06-20")
    run("escalation-alert", "2023-06-21")
    subjects = sorted((m.to, m.subject) for m in smtp.messages)
    assert subjects == sorted(
        (to, f"Escalation {ref} reached stage 4")
        for to in ("chair@example.org", "iro-head@example.org")
        for ref in (reference, other_ref)
    )


def sign_in(client, user) -> None:
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)
        sess["_fresh"] = True


@pytest.mark.parametrize("who", ["manager", "chair"])
def test_the_home_page_shows_the_notice(app, client, run, smtp, reference, people, who):
    run("escalation-alert", "2023-06-12")
    sign_in(client, people[who])
    page = client.get("/")
    assert page.status_code == 200
    assert f"Escalation {reference} reached stage 4 on 12 June 2023." in page.get_data(as_text=True)


@pytest.mark.parametrize("who", ["member", "q1"])
def test_no_notice_on_the_home_page_of_anyone_else(app, client, run, smtp, reference, people, who):
    from tracker.auth.models import User
    from tracker.extensions import db

    run("escalation-alert", "2023-06-12")
    if who in people:
        user = people[who]
    else:
        with app.app_context():
            user = db.session.scalars(select(User).where(User.officer_id == "Q1")).one()
            db.session.expunge(user)
    sign_in(client, user)
    page = client.get("/")
    assert page.status_code == 200
    assert "reached stage 4" not in page.get_data(as_text=True)
