"""The transition table (domain.md §5): from every current stage (and closed), every target
stage, a response and a close — allowed (one audit row) or refused with the message the user
sees, through the operations and through the page."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tracker.core.audit import AuditEntry
from tracker.core.errors import DomainError
from tracker.escalations import operations, queries
from tracker.escalations.models import Escalation, Stage
from tracker.extensions import db
from tracker.web.records import find

from . import factories

D = dt.date
START = D(2023, 3, 1)  # the current stage's start
LATER = D(2023, 3, 15)  # a valid date for the move
CLOSED_ON = D(2023, 3, 10)

# The stages in escalation order, with the short names the messages use.
SHORT = {
    "informal": "Informal",
    "stage1": "Stage 1",
    "stage2": "Stage 2",
    "stage3": "Stage 3",
    "stage4": "Stage 4",
    "stage5": "Stage 5",
    "cafcass": "Cafcass",
}
ORDER = list(SHORT)
CURRENT = [*ORDER, "closed"]
ACTIONS = [f"to:{s}" for s in ORDER] + ["respond", "close"]


def expected(current: str, action: str) -> tuple[str, str | None] | None:
    """None when the move is allowed, else (the message shown to the user, its field)."""
    if current == "closed":
        if action == "close":
            return "This escalation was already closed on 10 March 2023", None
        doing = {"respond": "responded to", "to:cafcass": "referred to Cafcass"}.get(action, "escalated")
        return f"This escalation was closed on 10 March 2023: it cannot be {doing}", None
    if action in ("respond", "close"):
        return None
    target = action.removeprefix("to:")
    if target == current:
        return f"The escalation is already at {SHORT[current]}: choose a later stage", "to_stage"
    if ORDER.index(target) < ORDER.index(current):
        message = (
            f"{SHORT[target]} comes before the current stage ({SHORT[current]}): an escalation can only move forward"
        )
        return message, "to_stage"
    return None


def audit_action(action: str) -> str:
    if action == "to:cafcass":
        return "escalation.refer_to_cafcass"
    return {"respond": "escalation.respond", "close": "escalation.close"}.get(action, "escalation.escalate")


def _setup(current: str) -> Escalation:
    """An escalation whose current stage started on START (or one closed on CLOSED_ON)."""
    if current == "closed":
        return factories.escalation("C1", closed=(CLOSED_ON, "resolved"))
    if current == "cafcass":  # a referral follows an escalation, it does not open one
        return factories.escalation("C1", [("informal", START), ("cafcass", START)])
    return factories.escalation("C1", [(current, START)])


def _act(escalation: Escalation, action: str):
    if action == "respond":
        return operations.record_response(escalation, response_date=LATER, response_summary="Agreed")
    if action == "close":
        return operations.close(escalation, closed_date=LATER, resolution="resolved")
    return operations.escalate(
        escalation, to_stage=action.removeprefix("to:"), started_date=LATER, to_whom="Head of service"
    )


def _last_audit_id() -> int:
    return db.session.scalar(select(func.max(AuditEntry.id))) or 0


def _audit_since(last: int) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.id > last).order_by(AuditEntry.id)))


def test_the_table_follows_the_stage_order():
    assert [s.value for s in Stage] == ORDER
    assert {s.value: s.short_label for s in Stage} == SHORT


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("current", CURRENT)
def test_transition_table(app, current, action):
    want = expected(current, action)
    with app.app_context():
        ref = _setup(current).escalation_id
        db.session.commit()
        escalation = find(Escalation, escalation_id=ref)
        last = _last_audit_id()
        if want is None:
            _act(escalation, action)
            db.session.commit()
            escalation = find(Escalation, escalation_id=ref)
            if action.startswith("to:"):
                assert escalation.current_stage.stage == action.removeprefix("to:")
                assert escalation.current_stage.started_date == LATER
            elif action == "respond":
                assert escalation.current_stage.response_date == LATER
            else:
                assert (escalation.closed_date, escalation.resolution) == (LATER, "resolved")
            # exactly one audit row per transition (the stage 4 flag included), in the vocabulary
            rows = _audit_since(last)
            assert [(r.action, r.object_type, r.object_id) for r in rows] == [(audit_action(action), "escalation", ref)]
        else:
            with pytest.raises(DomainError) as refused:
                _act(escalation, action)
            assert (refused.value.message, refused.value.field) == want
            db.session.rollback()
            assert _audit_since(last) == []


# -- the same refusals, through the page (the GOV.UK error summary and the field) ------------

VIEW_CASES = [
    (
        "stage2",
        "escalate",
        {"escalate-to_stage": "stage1", "escalate-started_date": ["15", "3", "2023"]},
        "Stage 1 comes before the current stage (Stage 2): an escalation can only move forward",
        "escalate-to_stage",
    ),
    (
        "stage1",
        "escalate",
        {"escalate-to_stage": "stage1", "escalate-started_date": ["15", "3", "2023"]},
        "The escalation is already at Stage 1: choose a later stage",
        "escalate-to_stage",
    ),
    (
        "closed",
        "escalate",
        {"escalate-to_stage": "stage1", "escalate-started_date": ["15", "3", "2023"]},
        "This escalation was closed on 10 March 2023: it cannot be escalated",
        None,
    ),
    (
        "closed",
        "response",
        {"response-response_date": ["15", "3", "2023"]},
        "This escalation was closed on 10 March 2023: it cannot be responded to",
        None,
    ),
    (
        "informal",
        "escalate",
        {"escalate-to_stage": "stage1", "escalate-started_date": ["28", "2", "2023"]},
        "The start date must be on or after the day Informal started (1 March 2023)",
        "escalate-started_date",
    ),
    (
        "informal",
        "response",
        {"response-response_date": ["28", "2", "2023"]},
        "The response date must be on or after the day Informal started (1 March 2023)",
        "response-response_date",
    ),
    (
        "stage1",
        "close",
        {"close-closed_date": ["28", "2", "2023"], "close-resolution": "resolved"},
        "The closing date must be on or after the day Stage 1 started (1 March 2023)",
        "close-closed_date",
    ),
    (
        "stage1",
        "close",
        {"close-closed_date": ["15", "3", "2023"], "close-resolution": "referred_to_cafcass"},
        "Record the referral to Cafcass before closing the escalation as referred to Cafcass",
        "close-resolution",
    ),
    (
        "stage1",
        "escalate",
        {"escalate-to_stage": "stage2", "escalate-started_date": ["1", "7", "2023"]},
        "The date the stage started must be today or in the past",
        "escalate-started_date",
    ),
]


def _state(app, ref: str):
    """What the database holds of an escalation: its stages, closure and audit rows."""
    with app.app_context():
        escalation = find(Escalation, escalation_id=ref)
        stages = [(s.stage, s.started_date, s.response_date) for s in escalation.ordered_stages]
        audit_rows = db.session.scalar(select(func.count()).where(AuditEntry.object_id == ref))
        return stages, escalation.closed_date, escalation.resolution, audit_rows


@pytest.mark.parametrize("current,route,data,message,field", VIEW_CASES)
def test_refused_move_is_shown_on_the_page(app, client_request, login_as, seed, current, route, data, message, field):
    with seed():
        ref = _setup(current).escalation_id
    login_as("qaro", officer_id="Q1")  # who raised it (tests/test_edit_policy.py: who else may move it)
    before = _state(app, ref)
    page = client_request.post(f"/escalations/{ref}/{route}", data, status=200)
    assert page.errors == [message]  # the error summary
    if field is None:  # a stale page: the escalation is closed, its forms are gone, the summary says why
        assert page.select("main form") == []
        assert page.summary()["Closed"] == "10 March 2023: Resolved"
    else:
        assert page.field_error(field) == message  # and next to the field
    assert _state(app, ref) == before  # nothing was written


def test_allowed_moves_through_the_page(app, client_request, login_as, escalation_id):
    login_as("qaro", officer_id="Q1")  # who raised it
    url = f"/escalations/{escalation_id}"
    for route, data, done in [
        (
            "response",
            {"response-response_date": ["3", "3", "2023"], "response-response_summary": "Plan agreed"},
            "Response recorded.",
        ),
        (
            "escalate",
            {"escalate-to_stage": "stage2", "escalate-started_date": ["6", "3", "2023"]},
            "Escalation moved to the next stage.",
        ),
        ("close", {"close-closed_date": ["9", "3", "2023"], "close-resolution": "resolved"}, "Escalation closed."),
    ]:
        moved = client_request.post(f"{url}/{route}", data)
        assert moved.response.headers["Location"] == url
        assert done in client_request.get(url).banner
    page = client_request.get(url)
    assert page.tags == ["Closed"]
    assert page.summary()["Current stage"] == "Stage 2"
    assert page.summary()["Closed"] == "9 March 2023: Resolved"
    assert [row[:4] for row in page.table("#stage-timeline")] == [
        ["Informal (social worker or team manager)", "1 Mar 2023", "", "3 Mar 2023 Plan agreed"],
        ["Stage 2", "6 Mar 2023", "", "No response yet"],
    ]
    assert page.select("main form") == []  # nothing more to do once closed (corrections are links)
    with app.app_context():
        e = find(Escalation, escalation_id=escalation_id)
        assert [s.stage for s in e.ordered_stages] == ["informal", "stage2"]
        assert e.stage("informal").response_date == D(2023, 3, 3)
        assert (e.closed_date, e.resolution) == (D(2023, 3, 9), "resolved")


def test_input_is_kept_after_an_error(client_request, login_as, escalation_id):
    login_as("qaro", officer_id="Q1")  # who raised it
    page = client_request.post(
        f"/escalations/{escalation_id}/escalate",
        {
            "escalate-to_stage": "stage3",
            "escalate-started_date": ["28", "2", "2023"],
            "escalate-to_whom": "Head of service",
        },
        status=200,
    )
    assert page.errors == ["The start date must be on or after the day Informal started (1 March 2023)"]
    assert page.value("escalate-to_whom") == "Head of service"
    dates = [page.value(f"escalate-started_date-{part}") for part in ("day", "month", "year")]
    assert dates == ["28", "2", "2023"]
    assert page.one("input[name='escalate-to_stage'][checked]")["value"] == "stage3"


# -- rules the table does not show -------------------------------------------------------------


def test_double_response_refused(app):
    with app.app_context():
        e = factories.escalation("C1", [("informal", START, D(2023, 3, 3))])
        with pytest.raises(DomainError, match="already has a response, dated 3 March 2023") as refused:
            operations.record_response(e, response_date=LATER)
        assert refused.value.message == "Informal already has a response, dated 3 March 2023"
        assert refused.value.field == "response_date"


@pytest.mark.parametrize("field", ["respond", "close", "escalate"])
def test_future_dates_refused(app, field):
    future = D(2023, 7, 1)  # TODAY is 2023-06-30
    with app.app_context():
        e = factories.escalation("C1")
        with pytest.raises(DomainError, match="must be today or in the past"):
            if field == "respond":
                operations.record_response(e, response_date=future)
            elif field == "close":
                operations.close(e, closed_date=future, resolution="resolved")
            else:
                operations.escalate(e, to_stage="stage1", started_date=future)


def test_close_as_referred_to_cafcass_after_a_referral(app):
    with app.app_context():
        ref = factories.escalation("C1", [("stage1", START)]).escalation_id
        e = find(Escalation, escalation_id=ref)
        operations.refer_to_cafcass(e, started_date=D(2023, 3, 2))
        operations.close(e, closed_date=D(2023, 3, 2), resolution="referred_to_cafcass")
        db.session.commit()
        assert find(Escalation, escalation_id=ref).resolution == "referred_to_cafcass"


def test_same_day_moves_allowed_and_skipping(app):
    with app.app_context():
        e = factories.escalation("C1", [("informal", START)])
        operations.escalate(e, to_stage="stage3", started_date=START)  # same day, skipping 1 and 2
        assert e.current_stage.stage == "stage3"


def test_raise_at_informal_or_formal_not_cafcass(app):
    with app.app_context():
        child = factories.child("C7")
        e = operations.raise_escalation(
            child=child, raised_by="Q1", areas=["health", "education"], stage="stage2", started_date=START
        )
        assert e.escalation_id == "E00001"  # the database's reference scheme, E + 5 digits
        assert e.area_codes == ["health", "education"]
        with pytest.raises(DomainError, match="informal stage or a formal stage"):
            operations.raise_escalation(
                child=child, raised_by="Q1", areas=["health"], stage="cafcass", started_date=START
            )
        with pytest.raises(DomainError, match="at least one area"):
            operations.raise_escalation(child=child, raised_by="Q1", areas=[], stage="informal", started_date=START)
        db.session.commit()
        assert find(Escalation, escalation_id="E00001").current_stage.stage == "stage2"


def test_stage4_flag(app, seed):
    with seed():
        e1 = factories.escalation("C1", [("stage3", START)]).escalation_id
        e2 = factories.escalation("C2", [("stage4", START)], closed=(LATER, "resolved")).escalation_id
    with app.app_context():
        last = _last_audit_id()
        e = find(Escalation, escalation_id=e1)
        operations.escalate(e, to_stage="stage4", started_date=LATER)
        operations.escalate(e, to_stage="stage5", started_date=LATER)  # already flagged: no second flag
        db.session.commit()
        rows = _audit_since(last)
        assert [(r.action, r.object_id) for r in rows] == [("escalation.escalate", e1)] * 2  # one row per change
        assert [bool((r.after or {}).get("stage4_flagged")) for r in rows] == [True, False]
        assert "flagged for the board chair" in rows[0].summary
        assert [r.escalation_id for r in queries.unresolved_stage4()] == [e1]  # e2 is closed
        assert queries.unresolved_stage4_count() == 1
        # on 14 March e2 was open at stage 4 and e1 had not reached it yet
        assert [r.escalation_id for r in queries.unresolved_stage4(D(2023, 3, 14))] == [e2]
        assert queries.unresolved_stage4_count(D(2023, 3, 14)) == 1


@pytest.mark.parametrize("stage", ["stage4", "stage5"])
def test_raising_at_stage4_or_beyond_flags_it_in_its_one_audit_row(app, stage):
    with app.app_context():
        child = factories.child("C9")
        last = _last_audit_id()
        e = operations.raise_escalation(child=child, raised_by="Q1", areas=["health"], stage=stage, started_date=START)
        db.session.commit()
        rows = _audit_since(last)
        assert [(r.action, r.object_id) for r in rows] == [("escalation.raise", e.escalation_id)]
        assert rows[0].after["stage4_flagged"] is True
        assert [r.escalation_id for r in queries.unresolved_stage4()] == [e.escalation_id]


def test_raising_below_stage4_does_not_flag(app):
    with app.app_context():
        child = factories.child("C9")
        last = _last_audit_id()
        operations.raise_escalation(child=child, raised_by="Q1", areas=["health"], stage="stage3", started_date=START)
        db.session.commit()
        assert "stage4_flagged" not in _audit_since(last)[0].after
        assert queries.unresolved_stage4() == []


def test_a_new_reference_follows_the_imported_ones(app, client_request, login_as, import_folder, tmp_path):
    """References come from the database: one raised on screen never takes an imported one
    (E + 5 digits); imported references of another shape do not move the counter."""
    files = {
        "officers.csv": "officer_id,name,roles,team\nQ1,Officer One,qaro,North\n",
        "children.csv": "child_id,date_of_birth\nC1,2010-01-01\n",
        "escalations.csv": "escalation_id,child_id,raised_by,areas\n"
        + "".join(f"{ref},C1,Q1,health\n" for ref in ("E00009", "E00002", "ESC000500", "E-OLD-7")),
        "escalation_stages.csv": "escalation_id,stage,started_date\n"
        + "".join(f"{ref},informal,2023-03-01\n" for ref in ("E00009", "E00002", "ESC000500", "E-OLD-7")),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    import_folder(tmp_path)
    login_as("qaro", officer_id="Q9")
    made = []
    for _ in range(2):
        data = {"child_id": "C1", "stage": "informal", "started_date": ["26", "6", "2023"], "areas": ["health"]}
        made.append(client_request.post("/escalations/new", data).response.headers["Location"])
    assert made == ["/escalations/E00010", "/escalations/E00011"]
