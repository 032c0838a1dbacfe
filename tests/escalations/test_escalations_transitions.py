"""The transition table (domain.md §5): from every current stage (and closed), every target
stage, a response and a close — allowed or refused with the message the user sees."""

from __future__ import annotations

import datetime as dt

import pytest
from escalation_factories import app_config, build  # noqa: F401  (fixtures)

from tracker.escalations.models import STAGE_RANK, STAGES

D = dt.date
START = D(2023, 3, 1)  # the current stage's start
LATER = D(2023, 3, 15)  # a valid date for the move
CLOSED_ON = D(2023, 3, 10)

SHORT = {
    "informal": "Informal",
    "stage1": "Stage 1",
    "stage2": "Stage 2",
    "stage3": "Stage 3",
    "stage4": "Stage 4",
    "stage5": "Stage 5",
    "cafcass": "Cafcass",
}
CURRENT = list(STAGES) + ["closed"]
ACTIONS = [f"to:{s}" for s in STAGES] + ["respond", "close"]


def expected(current: str, action: str) -> str | None:
    """None when the move is allowed, else the message shown to the user."""
    if current == "closed":
        doing = {"respond": "responded to"}.get(
            action, "referred to Cafcass" if action == "to:cafcass" else "escalated"
        )
        if action == "close":
            return "This escalation was already closed on 10 March 2023"
        return f"This escalation was closed on 10 March 2023: it cannot be {doing}"
    if action in ("respond", "close"):
        return None
    target = action.removeprefix("to:")
    if target == current:
        return f"The escalation is already at {SHORT[current]}: choose a later stage"
    if STAGE_RANK[target] < STAGE_RANK[current]:
        return f"{SHORT[target]} comes before the current stage ({SHORT[current]}): an escalation can only move forward"
    return None


def _setup(build, current: str) -> str:
    build.officer("Q1")
    if current == "closed":
        return build.escalation("E1", stages=[("informal", START, None)], closed=(CLOSED_ON, "resolved"))
    return build.escalation("E1", stages=[(current, START, None)])


def _act(escalation, action: str):
    from tracker.escalations import operations

    if action == "respond":
        return operations.record_response(escalation, response_date=LATER, response_summary="Agreed")
    if action == "close":
        return operations.close(escalation, closed_date=LATER, resolution="resolved")
    return operations.escalate(
        escalation, to_stage=action.removeprefix("to:"), started_date=LATER, to_whom="Head of service"
    )


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("current", CURRENT)
def test_transition_table(app, build, current, action):
    from tracker.core.audit import AuditEntry
    from tracker.escalations import operations, queries
    from tracker.extensions import db

    _setup(build, current)
    want = expected(current, action)
    with app.app_context():
        escalation = queries.by_reference("E1")
        audits_before = db.session.query(AuditEntry).filter_by(object_id="E1").count()
        if want is None:
            _act(escalation, action)
            db.session.commit()
            escalation = queries.by_reference("E1")
            if action.startswith("to:"):
                assert escalation.current_stage.stage == action.removeprefix("to:")
                assert escalation.current_stage.started_date == LATER
            elif action == "respond":
                assert escalation.current_stage.response_date == LATER
            else:
                assert (escalation.closed_date, escalation.resolution) == (LATER, "resolved")
            transition_rows = db.session.query(AuditEntry).filter(AuditEntry.object_id == "E1").count()
            assert (
                transition_rows == audits_before + 1
            )  # exactly one audit row per transition (the stage 4 flag included)
        else:
            with pytest.raises(operations.EscalationError) as exc:
                _act(escalation, action)
            assert exc.value.message == want
            db.session.rollback()
            assert db.session.query(AuditEntry).filter_by(object_id="E1").count() == audits_before


# -- the same refusals, through the page (the GOV.UK error summary and the field) ------------

VIEW_CASES = [
    (
        "stage2",
        "escalate",
        {"escalate-to_stage": "stage1", "escalate-started_date": ["15", "3", "2023"]},
        "Stage 1 comes before the current stage (Stage 2): an escalation can only move forward",
    ),
    (
        "stage1",
        "escalate",
        {"escalate-to_stage": "stage1", "escalate-started_date": ["15", "3", "2023"]},
        "The escalation is already at Stage 1: choose a later stage",
    ),
    (
        "closed",
        "escalate",
        {"escalate-to_stage": "stage1", "escalate-started_date": ["15", "3", "2023"]},
        "This escalation was closed on 10 March 2023: it cannot be escalated",
    ),
    (
        "closed",
        "response",
        {"response-response_date": ["15", "3", "2023"]},
        "This escalation was closed on 10 March 2023: it cannot be responded to",
    ),
    (
        "informal",
        "escalate",
        {"escalate-to_stage": "stage1", "escalate-started_date": ["28", "2", "2023"]},
        "The start date must be on or after the day Informal started (1 March 2023)",
    ),
    (
        "informal",
        "response",
        {"response-response_date": ["28", "2", "2023"]},
        "The response date must be on or after the day Informal started (1 March 2023)",
    ),
    (
        "stage1",
        "close",
        {"close-closed_date": ["28", "2", "2023"], "close-resolution": "resolved"},
        "The closing date must be on or after the day Stage 1 started (1 March 2023)",
    ),
    (
        "stage1",
        "close",
        {"close-closed_date": ["15", "3", "2023"], "close-resolution": "referred_to_cafcass"},
        "Record the referral to Cafcass before closing the escalation as referred to Cafcass",
    ),
    (
        "stage1",
        "escalate",
        {"escalate-to_stage": "stage2", "escalate-started_date": ["1", "7", "2023"]},
        "The date the stage started must be today or in the past",
    ),
]


@pytest.mark.parametrize("current,route,data,message", VIEW_CASES)
def test_refused_move_is_shown_on_the_page(client, login_as, csrf_token, build, current, route, data, message):
    _setup(build, current)
    login_as("qaro", officer_id="Q9")
    response = client.post(f"/escalations/E1/{route}", data={"csrf_token": csrf_token(client), **data})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "There is a problem" in html  # the error summary
    if current == "closed":  # a stale page: the forms are gone, the summary says why
        assert message in html
    else:
        assert html.count(message) >= 2  # in the summary and next to the field
        assert "govuk-error-message" in html


def test_allowed_moves_through_the_page(app, client, login_as, csrf_token, build):
    from tracker.escalations import queries

    _setup(build, "informal")
    login_as("qaro", officer_id="Q9")
    token = csrf_token(client)
    r = client.post(
        "/escalations/E1/response",
        data={
            "csrf_token": token,
            "response-response_date": ["3", "3", "2023"],
            "response-response_summary": "Plan agreed",
        },
    )
    assert r.status_code == 302
    r = client.post(
        "/escalations/E1/escalate",
        data={"csrf_token": token, "escalate-to_stage": "stage2", "escalate-started_date": ["6", "3", "2023"]},
    )
    assert r.status_code == 302
    r = client.post(
        "/escalations/E1/close",
        data={"csrf_token": token, "close-closed_date": ["9", "3", "2023"], "close-resolution": "resolved"},
    )
    assert r.status_code == 302
    with app.app_context():
        e = queries.by_reference("E1")
        assert [s.stage for s in e.ordered_stages] == ["informal", "stage2"]
        assert e.stage("informal").response_date == D(2023, 3, 3)
        assert (e.closed_date, e.resolution) == (D(2023, 3, 9), "resolved")


def test_input_is_kept_after_an_error(client, login_as, csrf_token, build):
    _setup(build, "informal")
    login_as("qaro", officer_id="Q9")
    html = client.post(
        "/escalations/E1/escalate",
        data={
            "csrf_token": csrf_token(client),
            "escalate-to_stage": "stage3",
            "escalate-started_date": ["28", "2", "2023"],
            "escalate-to_whom": "Head of service",
        },
    ).get_data(as_text=True)
    assert 'value="Head of service"' in html
    assert 'value="28"' in html and 'value="2023"' in html


# -- rules the table does not show -------------------------------------------------------------


def test_double_response_refused(app, build):
    from tracker.escalations import operations, queries

    build.escalation("E1", stages=[("informal", START, D(2023, 3, 3))])
    with app.app_context():
        with pytest.raises(operations.EscalationError, match="already has a response, dated 3 March 2023"):
            operations.record_response(queries.by_reference("E1"), response_date=LATER)


@pytest.mark.parametrize("field", ["respond", "close", "escalate"])
def test_future_dates_refused(app, build, field):
    from tracker.escalations import operations, queries

    build.escalation("E1")
    future = D(2023, 7, 1)  # TODAY is 2023-06-30
    with app.app_context():
        e = queries.by_reference("E1")
        with pytest.raises(operations.EscalationError, match="must be today or in the past"):
            if field == "respond":
                operations.record_response(e, response_date=future)
            elif field == "close":
                operations.close(e, closed_date=future, resolution="resolved")
            else:
                operations.escalate(e, to_stage="stage1", started_date=future)


def test_close_as_referred_to_cafcass_after_a_referral(app, build):
    from tracker.escalations import operations, queries
    from tracker.extensions import db

    build.escalation("E1", stages=[("stage1", START, None)])
    with app.app_context():
        e = queries.by_reference("E1")
        operations.refer_to_cafcass(e, started_date=D(2023, 3, 2))
        operations.close(e, closed_date=D(2023, 3, 2), resolution="referred_to_cafcass")
        db.session.commit()
        assert queries.by_reference("E1").resolution == "referred_to_cafcass"


def test_same_day_moves_allowed_and_skipping(app, build):
    from tracker.escalations import operations, queries

    build.escalation("E1", stages=[("informal", START, None)])
    with app.app_context():
        e = queries.by_reference("E1")
        operations.escalate(e, to_stage="stage3", started_date=START)  # same day, skipping 1 and 2
        assert e.current_stage.stage == "stage3"


def test_raise_at_informal_or_formal_not_cafcass(app, build):
    from tracker.escalations import operations, queries
    from tracker.extensions import db
    from tracker.reviews.models import Child

    build.child("C7")
    with app.app_context():
        child = db.session.query(Child).filter_by(child_id="C7").one()
        e = operations.raise_escalation(
            child=child, raised_by="Q1", areas=["health", "education"], stage="stage2", started_date=START
        )
        assert e.escalation_id == "ESC000001" and e.area_codes == ["health", "education"]
        with pytest.raises(operations.EscalationError, match="informal stage or a formal stage"):
            operations.raise_escalation(
                child=child, raised_by="Q1", areas=["health"], stage="cafcass", started_date=START
            )
        with pytest.raises(operations.EscalationError, match="at least one area"):
            operations.raise_escalation(child=child, raised_by="Q1", areas=[], stage="informal", started_date=START)
        db.session.commit()
        assert queries.by_reference("ESC000001").current_stage.stage == "stage2"


def test_stage4_flag(app, build):
    from tracker.core.audit import AuditEntry
    from tracker.escalations import operations, queries
    from tracker.extensions import db

    build.escalation("E1", stages=[("stage3", START, None)])
    build.escalation("E2", child_id="C2", stages=[("stage4", START, None)], closed=(LATER, "resolved"))
    with app.app_context():
        e = queries.by_reference("E1")
        operations.escalate(e, to_stage="stage4", started_date=LATER)
        operations.escalate(e, to_stage="stage5", started_date=LATER)  # already flagged: no second flag
        db.session.commit()
        rows = db.session.query(AuditEntry).filter_by(object_id="E1").order_by(AuditEntry.id).all()
        assert [r.action for r in rows] == ["escalation.escalate", "escalation.escalate"]  # one row per change
        assert [bool((r.after or {}).get("stage4_flagged")) for r in rows] == [True, False]
        assert "flagged for the board chair" in rows[0].summary
        assert [r.escalation_id for r in queries.unresolved_stage4()] == ["E1"]  # E2 is closed
        assert queries.unresolved_stage4_count() == 1
        assert queries.unresolved_stage4_count(D(2023, 3, 14)) == 1  # E2 was open at stage 4 then


def test_raising_at_stage4_flags_it_in_its_one_audit_row(app, build):
    from tracker.core.audit import AuditEntry
    from tracker.escalations import operations, queries
    from tracker.extensions import db
    from tracker.reviews.models import Child

    build.child("C9")
    with app.app_context():
        child = db.session.query(Child).filter_by(child_id="C9").one()
        e = operations.raise_escalation(
            child=child, raised_by="Q1", areas=["health"], stage="stage4", started_date=START
        )
        db.session.commit()
        rows = db.session.query(AuditEntry).filter_by(object_id=e.escalation_id).all()
        assert [r.action for r in rows] == ["escalation.raise"]
        assert rows[0].after["stage4_flagged"] is True
        assert [r.escalation_id for r in queries.unresolved_stage4()] == [e.escalation_id]


def test_a_new_reference_follows_the_highest_on_screen_one(app, build):
    from tracker.escalations import operations

    for ref in ("ESC000009", "ESC000002", "ESCABCDEF", "E000500", "ESC12"):
        build.escalation(ref, child_id=f"C-{ref}")
    with app.app_context():
        assert operations.next_escalation_id() == "ESC000010"
