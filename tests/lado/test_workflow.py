"""Issue 11, the LADO workflow's order and the names the LADO needs: IEM before PAIM (the web and
the import), an outcome after an IEM or with the reason none was held, closing with an outcome
and its checklist, the reason for a meeting or an outcome later than its deadline (the
worklist's), the removal of a meeting or an action recorded by mistake (its author or a LADO
manager, with a reason, kept for the manager), names on the LADO pages and worklist rows, and no
page building HTML from data."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.lado import factories
from tracker.core.interchange import FILES

D = dt.date
TODAY = D(2023, 1, 16)
REASON = "Waiting for the police investigation"


@pytest.fixture
def app_config(request):
    """16 January 2023, but the real day for the small authority (whose records run to 2024)."""
    return {} if "small_authority" in request.fixturenames else {"TODAY": TODAY.isoformat()}


def date(prefix: str, day: dt.date) -> dict:
    return {prefix: [str(day.day), str(day.month), str(day.year)]}


def sign_in_as(client, user) -> None:
    """Switch the client to a user made by ``login_as``."""
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True


def columns(page, selector: str, *headers: str) -> list[list[str]]:
    """The cells of a table's body rows under the named column headers."""
    shown = [h.get_text(" ", strip=True) for h in page.one(selector).select("thead th")]
    at = [shown.index(h) for h in headers]
    return [[row[i] for i in at] for row in page.table(selector)]


def load(app, model: str, ref: str, *attributes: str) -> tuple:
    from tracker.extensions import db
    from tracker.lado import models

    with app.app_context():
        record = db.session.get(getattr(models, model), ref)
        return tuple(getattr(record, a) for a in attributes)


@pytest.fixture
def make(app):
    """``make(build)``: run ``build()`` (factories) in an app context, commit, return its result."""
    from tracker.extensions import db

    def _make(build):
        with app.app_context():
            result = build()
            db.session.commit()
            return result

    return _make


# --- IEM before PAIM ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "iem, paim, field, message",
    [
        pytest.param(
            None,
            D(2023, 1, 10),
            "meeting_type",
            "A PAIM follows the Initial Evaluation Meeting: record the IEM first (this referral has none)",
            id="no-iem",
        ),
        pytest.param(
            D(2023, 1, 6),
            D(2023, 1, 5),
            "meeting_date",
            "A PAIM cannot be before the referral's first IEM (6 January 2023)",
            id="before-the-iem",
        ),
    ],
)
def test_a_paim_before_the_first_iem_is_refused(
    app, client_request, login_as, audit_rows, make, iem, paim, field, message
):
    def build():
        referral = factories.referral(D(2023, 1, 2))
        if iem:
            factories.meeting(referral, "iem", iem)
        return referral.referral_id

    referral_id = make(build)
    login_as("lado")
    created = len(audit_rows("lado_meeting.create"))
    url = f"/lado/referrals/{referral_id}/meetings/new"
    page = client_request.post(url, {"meeting_type": "paim", **date("meeting_date", paim)}, status=200)
    assert page.errors == [message]
    assert page.field_error(field) == message
    assert page.value("meeting_date-day") == str(paim.day)  # the input is kept
    assert len(audit_rows("lado_meeting.create")) == created
    # the IEM first, then a PAIM on its day or later
    if iem is None:
        client_request.post(url, {"meeting_type": "iem", **date("meeting_date", D(2023, 1, 6))})
    client_request.post(url, {"meeting_type": "paim", **date("meeting_date", D(2023, 1, 6))})
    assert len(audit_rows("lado_meeting.create")) == created + (2 if iem is None else 1)


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda ops, iem: ops.update_meeting(iem, meeting_date=D(2023, 1, 13)), "meeting_date"),
        (lambda ops, iem: ops.update_meeting(iem, meeting_type="strategy"), "meeting_date"),
        (lambda ops, iem: ops.remove_meeting(iem, reason="Recorded twice"), "reason"),
    ],
    ids=["moved-after-the-paim", "made-a-strategy-meeting", "removed"],
)
def test_an_iem_that_would_leave_a_paim_first_is_kept(ctx, change, field):
    from tracker.core.errors import DomainError
    from tracker.lado import operations

    referral = factories.referral(D(2023, 1, 2))
    iem = factories.meeting(referral, "iem", D(2023, 1, 4))
    factories.meeting(referral, "paim", D(2023, 1, 12))
    with pytest.raises(DomainError) as refused:
        change(operations, iem)
    assert refused.value.field == field
    assert "PAIM of 12 January 2023 would then come before the first Initial Evaluation" in refused.value.message


def header(name: str) -> str:
    return ",".join(c.name for c in FILES[name])


@pytest.mark.parametrize(
    "referrals, meetings, expected",
    [
        pytest.param(
            ["R1,C1,2023-01-02,,N,,,,N,N,", "R2,C2,2023-01-02,,N,,,,N,N,"],
            ["R1i,R1,iem,2023-01-06", "R1p,R1,paim,2023-01-05", "R2p,R2,paim,2023-01-10"],
            [
                "lado_meetings.csv:3: meeting_date: 2023-01-05: A PAIM cannot be before the referral's first IEM "
                "(6 January 2023)",
                "lado_meetings.csv:4: meeting_date: 2023-01-10: A PAIM follows the Initial Evaluation Meeting: "
                "record the IEM first (this referral has none)",
            ],
            id="paim-before-the-iem",
        ),
        pytest.param(
            ["R1,C1,2023-01-02,,N,,,,N,N,2023-01-12", "R2,C2,2023-01-02,,N,unfounded,2023-01-10,,N,N,2023-01-12"],
            ["R2i,R2,iem,2023-01-06"],
            [
                "lado_referrals.csv:2: closed_date: A referral cannot be closed without an outcome: "
                "record the outcome first"
            ],
            id="closed-without-an-outcome",
        ),
    ],
)
def test_the_import_applies_the_workflow_order(app, runner, tmp_path, referrals, meetings, expected):
    """The rules of the forms, where the file can break them (it has no column for a reason: an
    outcome without an IEM, or later than its timescale, is imported as the history it is)."""
    from tracker.extensions import db
    from tracker.lado.models import LadoMeeting, LadoReferral

    files = {
        "lado_contacts.csv": [header("lado_contacts.csv")]
        + [f"C{i},2023-01-02,,education,,P{i},,,referral,," for i in (1, 2)],
        "lado_referrals.csv": [header("lado_referrals.csv"), *referrals],
        "lado_meetings.csv": [header("lado_meetings.csv"), *meetings],
    }
    for name, lines in files.items():
        (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(args=["import-data", str(tmp_path)])
    assert result.exit_code != 0
    assert [line for line in result.stderr.splitlines() if line.startswith("lado_")] == expected
    with app.app_context():  # nothing was imported
        assert db.session.query(LadoMeeting).count() == db.session.query(LadoReferral).count() == 0


# --- the outcome: after an IEM, or with the reason none was held ------------------------------------------


@pytest.mark.parametrize(
    "posted, field, message",
    [
        pytest.param(
            {},
            "no_iem",
            "Record the Initial Evaluation Meeting before the outcome, or select that no IEM was held and say why",
            id="not-said",
        ),
        pytest.param(
            {"no_iem": "y", "no_iem_reason": "  "},
            "no_iem_reason",
            "Enter why no Initial Evaluation Meeting was held",
            id="no-reason",
        ),
    ],
)
def test_an_outcome_without_an_iem_needs_the_reason_none_was_held(
    app, client_request, login_as, audit_rows, make, posted, field, message
):
    referral_id = make(lambda: factories.referral(D(2023, 1, 2)).referral_id)
    login_as("lado")
    url = f"/lado/referrals/{referral_id}/outcome"
    page = client_request.get(url)
    assert page.text_of("#no-iem").startswith("No Initial Evaluation Meeting has been recorded")
    outcome = {"outcome": "unfounded", **date("outcome_date", D(2023, 1, 10))}
    page = client_request.post(url, {**outcome, **posted}, status=200)
    assert page.errors == [message] and page.field_error(field) == message
    assert load(app, "LadoReferral", referral_id, "outcome") == (None,)

    client_request.post(url, {**outcome, "no_iem": "y", "no_iem_reason": "Concluded at the strategy meeting"})
    assert load(app, "LadoReferral", referral_id, "outcome", "no_iem_reason") == (
        "unfounded",
        "Concluded at the strategy meeting",
    )
    (row,) = audit_rows("lado_referral.record_outcome")
    assert row.after["no_iem_reason"] == "Concluded at the strategy meeting"


def test_with_an_iem_the_outcome_page_does_not_ask_and_keeps_no_reason(app, client_request, login_as, make):
    def build():
        referral = factories.referral(D(2023, 1, 2))
        factories.meeting(referral, "iem", D(2023, 1, 4))
        return referral.referral_id

    referral_id = make(build)
    login_as("lado")
    url = f"/lado/referrals/{referral_id}/outcome"
    page = client_request.get(url)
    assert page.select("#no_iem, #no_iem_reason, #outcome_late_reason") == []  # nothing to explain
    outcome = {"outcome": "unfounded", **date("outcome_date", D(2023, 1, 10))}
    client_request.post(url, {**outcome, "no_iem": "y", "no_iem_reason": "Sent by a stale page"})
    assert load(app, "LadoReferral", referral_id, "no_iem_reason", "outcome_late_reason") == (None, None)


# --- closing: an outcome, and the checklist ------------------------------------------------------------


def test_closing_without_an_outcome_is_refused(app, client_request, login_as, audit_rows, make):
    referral_id = make(lambda: factories.referral(D(2023, 1, 2)).referral_id)
    login_as("lado")
    url = f"/lado/referrals/{referral_id}/close"
    page = client_request.get(url)
    assert page.summary()["Outcome"] == "Not recorded: record the outcome before closing"
    assert page.links()["record the outcome"] == f"/lado/referrals/{referral_id}/outcome"
    page = client_request.post(url, date("closed_date", D(2023, 1, 12)), status=200)
    message = "A referral cannot be closed without an outcome: record the outcome first"
    assert page.errors == [message] and page.field_error("closed_date") == message
    assert load(app, "LadoReferral", referral_id, "closed_date") == (None,)
    assert audit_rows("lado_referral.close") == []


@pytest.mark.parametrize(
    "agency, asks_panel",
    [pytest.param("own", True, id="own-foster-carer"), pytest.param("ifa", False, id="agency-carer"),
     pytest.param(None, False, id="not-a-foster-carer")],
)  # fmt: skip
def test_the_closing_checklist_is_shown_and_saved(app, client_request, login_as, audit_rows, make, agency, asks_panel):
    def build():
        carer = {"foster_carer_type": "mainstream", "foster_carer_agency": agency} if agency else {}
        referral = factories.referral(D(2023, 1, 2), employer_sector="foster_care" if agency else "education", **carer)
        factories.meeting(referral, "iem", D(2023, 1, 4))
        factories.outcome(referral, "unsubstantiated", D(2023, 1, 10))
        return referral.referral_id

    referral_id = make(build)
    login_as("lado")
    url = f"/lado/referrals/{referral_id}/close"
    page = client_request.get(url)
    assert page.summary()["Outcome"] == "Unsubstantiated (10 January 2023)"
    checklist = page.texts("#checklist .govuk-checkboxes__label")
    assert checklist == [
        "A referral to the DBS has been considered",
        "The child or family has been told the outcome",
        *(["The foster carer has been returned to fostering panel"] if asks_panel else []),
    ]
    posted = {"dbs_considered": "y", "child_informed": "y", "returned_to_panel": "y"}
    client_request.post(url, {**date("closed_date", D(2023, 1, 12)), **posted})
    saved = load(
        app, "LadoReferral", referral_id, "closed_date", "dbs_considered", "child_informed", "returned_to_panel"
    )
    assert saved == (D(2023, 1, 12), True, True, asks_panel)  # another carer's panel is not asked
    (row,) = audit_rows("lado_referral.close")
    assert row.after["dbs_considered"] is True and row.after["closed_date"] == "2023-01-12"


# --- a meeting or an outcome later than its deadline: the reason -----------------------------------------


@pytest.mark.parametrize(
    "meeting_type, referral_day, earlier, day, due, asked_at_once, what",
    [
        pytest.param("iem", D(2023, 1, 2), [], D(2023, 1, 12), "9 January 2023", True,
                     "The Initial Evaluation Meeting (IEM)", id="iem-held-late"),
        pytest.param("iem", D(2023, 1, 12), [], D(2023, 1, 25), "19 January 2023", False,
                     "The Initial Evaluation Meeting (IEM)", id="iem-scheduled-late"),
        pytest.param("paim", D(2022, 12, 1), [("iem", D(2022, 12, 5))], D(2023, 1, 10), "2 January 2023", True,
                     "The Post-Allegation Investigation Meeting (PAIM)", id="paim-held-late"),
    ],
)  # fmt: skip
def test_a_late_meeting_asks_for_the_reason_and_keeps_it(
    app, client_request, login_as, audit_rows, make, meeting_type, referral_day, earlier, day, due, asked_at_once, what
):
    from tracker.extensions import db
    from tracker.lado.models import LadoMeeting

    def build():
        referral = factories.referral(referral_day)
        for kind, held in earlier:
            factories.meeting(referral, kind, held)
        return referral.referral_id

    referral_id = make(build)
    login_as("lado")
    url = f"/lado/referrals/{referral_id}/meetings/new"
    page = client_request.get(url)
    # asked at once once the deadline has passed: a warning and the reason, under the type that is due
    assert bool(page.select("#late_reason")) is asked_at_once
    if asked_at_once:
        assert f"was due by {due}" in page.text_of(".govuk-warning-text")

    posted = {"meeting_type": meeting_type, **date("meeting_date", day)}
    page = client_request.post(url, posted, status=200)
    message = f"{what} was due by {due}: enter the reason for the delay"
    assert page.errors == [message] and page.field_error("late_reason") == message
    assert f"was due by {due}" in page.text_of(".govuk-warning-text")  # now asked, whenever it was due

    client_request.post(url, {**posted, "late_reason": REASON})
    with app.app_context():
        meeting = db.session.query(LadoMeeting).filter_by(referral_id=referral_id, meeting_date=day).one()
        assert meeting.late_reason == REASON
    row = audit_rows("lado_meeting.create")[-1]
    assert row.after["late_reason"] == REASON and row.after["meeting_date"] == day.isoformat()


def test_a_meeting_changed_to_a_late_date_asks_for_the_reason_and_on_time_clears_it(
    app, client_request, login_as, audit_rows, make
):
    """Changing the date of an IEM recorded on time to a date after its deadline asks why, as
    recording it late would; moved back on time, the reason goes. Changing only the notes of a
    meeting that was late does not ask again."""

    def build():
        referral = factories.referral(D(2023, 1, 2))  # its IEM is due by 9 January
        return factories.meeting(referral, "iem", D(2023, 1, 6)).meeting_id

    meeting_id = make(build)
    login_as("lado")
    url = f"/lado/meetings/{meeting_id}/edit"
    assert client_request.get(url).select("#late_reason, .govuk-warning-text") == []  # on time: nothing to ask
    late = {"meeting_type": "iem", **date("meeting_date", D(2023, 1, 12))}
    page = client_request.post(url, late, status=200)
    message = "The Initial Evaluation Meeting (IEM) was due by 9 January 2023: enter the reason for the delay"
    assert page.errors == [message] and page.field_error("late_reason") == message
    assert load(app, "LadoMeeting", meeting_id, "meeting_date", "late_reason") == (D(2023, 1, 6), None)

    client_request.post(url, {**late, "late_reason": REASON})
    assert load(app, "LadoMeeting", meeting_id, "meeting_date", "late_reason") == (D(2023, 1, 12), REASON)
    assert audit_rows("lado_meeting.update")[-1].after == {"meeting_date": "2023-01-12", "late_reason": REASON}
    page = client_request.get(url)  # shown again, with its reason, under the warning
    assert "was due by 9 January 2023" in page.text_of(".govuk-warning-text")
    assert page.value("late_reason") == REASON

    client_request.post(url, {**late, "late_reason": "", "decisions": "Police to lead"})  # notes only
    assert load(app, "LadoMeeting", meeting_id, "late_reason", "decisions") == (REASON, "Police to lead")
    client_request.post(url, {**late, **date("meeting_date", D(2023, 1, 9)), "decisions": "Police to lead"})  # on time
    assert load(app, "LadoMeeting", meeting_id, "late_reason") == (None,)
    assert audit_rows("lado_meeting.update")[-1].after == {"meeting_date": "2023-01-09", "late_reason": None}


@pytest.mark.parametrize("posted_reason", [None, "Typed although it was on time"])
def test_an_iem_on_time_is_not_asked_for_a_reason(app, client_request, login_as, audit_rows, make, posted_reason):
    from tracker.extensions import db
    from tracker.lado.models import LadoMeeting

    referral_id = make(lambda: factories.referral(D(2023, 1, 12)).referral_id)  # its IEM is due on 19 January
    login_as("lado")
    url = f"/lado/referrals/{referral_id}/meetings/new"
    page = client_request.get(url)
    assert page.select("#late_reason, .govuk-warning-text") == []
    posted = {"meeting_type": "iem", **date("meeting_date", D(2023, 1, 19))}
    client_request.post(url, posted | ({"late_reason": posted_reason} if posted_reason else {}))
    with app.app_context():
        assert db.session.query(LadoMeeting).filter_by(referral_id=referral_id).one().late_reason is None
    assert "late_reason" not in audit_rows("lado_meeting.create")[-1].after


def test_a_late_outcome_asks_for_the_reason_and_keeps_it(app, client_request, login_as, audit_rows, make):
    def build():
        referral = factories.referral(D(2022, 12, 2))  # the outcome's timescale: 30 December 2022
        factories.meeting(referral, "iem", D(2022, 12, 5))
        return referral.referral_id

    referral_id = make(build)
    login_as("lado")
    url = f"/lado/referrals/{referral_id}/outcome"
    page = client_request.get(url)
    assert "The outcome was due by 30 December 2022" in page.text_of(".govuk-warning-text")
    outcome = {"outcome": "substantiated", **date("outcome_date", D(2023, 1, 10))}
    page = client_request.post(url, outcome, status=200)
    message = "The outcome was due by 30 December 2022: enter the reason for the delay"
    assert page.errors == [message] and page.field_error("outcome_late_reason") == message
    client_request.post(url, {**outcome, "outcome_late_reason": REASON})
    assert load(app, "LadoReferral", referral_id, "outcome_late_reason") == (REASON,)
    assert audit_rows("lado_referral.record_outcome")[-1].after["outcome_late_reason"] == REASON


# --- removing a meeting or an action recorded by mistake ---------------------------------------------------


@pytest.fixture
def recorded(app, client, client_request, login_as, make):
    """A referral of 2 January 2023; an IEM (4 January) and an action (due 20 January) recorded on
    screen by ``author``, a LADO; ``other``, another LADO; ``manager``, a LADO manager."""
    from tracker.extensions import db
    from tracker.lado.models import LadoAction, LadoMeeting

    referral_id = make(lambda: factories.referral(D(2023, 1, 2), person_name="Jo Bloggs").referral_id)
    users = {
        "other": login_as("lado", email="other@example.org", name="Olly Other"),
        "manager": login_as("lado_manager", email="manager@example.org", name="Mo Manager"),
        "author": login_as("lado", email="author@example.org", name="Ann Author"),  # signed in
    }
    client_request.post(
        f"/lado/referrals/{referral_id}/meetings/new", {"meeting_type": "iem", **date("meeting_date", D(2023, 1, 4))}
    )
    client_request.post(
        f"/lado/referrals/{referral_id}/actions/new",
        {"description": "Safer recruitment training", "owner": "Employer", **date("due_date", D(2023, 1, 20))},
    )
    with app.app_context():
        meeting = db.session.query(LadoMeeting).filter_by(referral_id=referral_id).one()
        action = db.session.query(LadoAction).filter_by(referral_id=referral_id).one()
        assert meeting.recorded_by == action.recorded_by == users["author"].id  # the author is kept
        refs = {"meeting": meeting.meeting_id, "action": action.action_id}
    return {"referral_id": referral_id, "users": users, **refs}


def remove_url(recorded, kind: str) -> str:
    return f"/lado/{kind}s/{recorded[kind]}/remove"


@pytest.mark.parametrize("kind", ["meeting", "action"])
@pytest.mark.parametrize("who, allowed", [("author", True), ("manager", True), ("other", False)])
def test_who_may_remove_a_meeting_or_an_action(app, client, client_request, audit_rows, recorded, kind, who, allowed):
    sign_in_as(client, recorded["users"][who])
    model = "LadoMeeting" if kind == "meeting" else "LadoAction"
    referral_page = client_request.get(f"/lado/referrals/{recorded['referral_id']}")
    offered = f"Remove {kind} {recorded[kind]}" in referral_page.links()
    assert offered is allowed  # a link only for who may use it
    status = 200 if allowed else 403
    client_request.get(remove_url(recorded, kind), status=status)
    if not allowed:
        client_request.post(remove_url(recorded, kind), {"reason": "Mine now"}, status=403)
        assert load(app, model, recorded[kind], "removed_at") == (None,)
        assert audit_rows(f"lado_{kind}.remove") == []
        return
    page = client_request.post(remove_url(recorded, kind), {"reason": " "}, status=200)
    assert page.field_error("reason") == f"Enter why the {kind} is being removed"
    client_request.post(remove_url(recorded, kind), {"reason": "Recorded on the wrong referral"})
    removed_at, removed_by, reason = load(app, model, recorded[kind], "removed_at", "removed_by", "removed_reason")
    assert removed_at is not None and removed_by == recorded["users"][who].id
    assert reason == "Recorded on the wrong referral"
    (row,) = audit_rows(f"lado_{kind}.remove")
    assert (row.object_id, row.user_id, row.after) == (
        recorded[kind],
        recorded["users"][who].id,
        {"reason": "Recorded on the wrong referral"},
    )


@pytest.mark.parametrize("change", ["remove", "move-after-the-outcome", "retype"])
def test_the_iem_an_outcome_follows_cannot_be_removed_or_moved_from_under_it(app, client_request, recorded, change):
    """The outcome follows the referral's only IEM: removing that IEM, moving it after the outcome
    or making it another kind of meeting would leave an outcome with no IEM and no reason."""
    referral_id = recorded["referral_id"]
    client_request.post(
        f"/lado/referrals/{referral_id}/outcome", {"outcome": "unfounded", **date("outcome_date", D(2023, 1, 12))}
    )
    assert load(app, "LadoReferral", referral_id, "outcome_date", "no_iem_reason") == (D(2023, 1, 12), None)
    message = (
        "The outcome of 12 January 2023 follows this Initial Evaluation Meeting, the only one before it: "
        "record the outcome again saying why no IEM was held, then change the meeting"
    )
    edit = f"/lado/meetings/{recorded['meeting']}/edit"
    if change == "remove":
        page = client_request.post(remove_url(recorded, "meeting"), {"reason": "Recorded twice"}, status=200)
        field = "reason"
    else:
        posted = {"meeting_type": "iem", **date("meeting_date", D(2023, 1, 4))}
        posted |= (
            date("meeting_date", D(2023, 1, 13)) if change == "move-after-the-outcome" else {"meeting_type": "strategy"}
        )
        page = client_request.post(edit, posted, status=200)
        field = "meeting_date"
    assert page.errors == [message] and page.field_error(field) == message
    assert load(app, "LadoMeeting", recorded["meeting"], "removed_at", "meeting_type", "meeting_date") == (
        None,
        "iem",
        D(2023, 1, 4),
    )
    # once the outcome says why no IEM was held, the mistaken meeting can go
    client_request.post(
        f"/lado/referrals/{referral_id}/outcome",
        {"outcome": "unfounded", **date("outcome_date", D(2023, 1, 3)), "no_iem": "y", "no_iem_reason": "Advice only"},
    )
    client_request.post(remove_url(recorded, "meeting"), {"reason": "Recorded twice"})
    assert load(app, "LadoMeeting", recorded["meeting"], "removed_at")[0] is not None


def test_a_removed_meeting_leaves_the_page_and_due_items_and_the_manager_still_sees_it(
    app, client, client_request, recorded
):
    from tracker.core import kpis, worklist
    from tracker.core.kpis import Period

    referral_url = f"/lado/referrals/{recorded['referral_id']}"
    page = client_request.get(referral_url)
    assert [row[1] for row in page.table("#meetings")] == ["Initial Evaluation Meeting (IEM)"]
    assert {kind for kind, *_ in page.deadlines()} == {"lado_paim", "lado_action"}  # the IEM is held
    client_request.post(remove_url(recorded, "meeting"), {"reason": "Recorded twice"})
    client_request.post(remove_url(recorded, "action"), {"reason": "Not an action"})

    page = client_request.get(referral_url)
    assert page.select("#meetings, #actions, #removed") == []  # gone; the removed list is the manager's
    assert "No meetings yet." in page.text and "No actions." in page.text
    assert page.deadlines() == {("lado_iem", recorded["referral_id"], "2023-01-09", "overdue")}  # due again
    with app.app_context():
        items = worklist.collect(TODAY, kinds=["lado_iem", "lado_paim", "lado_action"])
        assert [(i.kind, i.ref) for i in items] == [("lado_iem", recorded["referral_id"])]
        figures = kpis.compute(Period(D(2023, 1, 1), D(2023, 1, 31), TODAY))
        assert figures["lado.iem_in_timescale"].numerator == 0 and figures["lado.actions.open"].value == 0
    client_request.get(f"/lado/meetings/{recorded['meeting']}/edit", status=404)
    client_request.get(f"/lado/actions/{recorded['action']}", status=404)  # for the manager only
    assert "Safer recruitment training" not in client_request.get("/lado/actions").text

    sign_in_as(client, recorded["users"]["manager"])
    page = client_request.get(referral_url)
    rows = page.table("#removed")
    assert [[row[0], row[1], row[3], row[4]] for row in rows] == [
        ["Initial Evaluation Meeting (IEM), 4 Jan 2023", "Ann Author", "Ann Author", "Recorded twice"],
        ["Safer recruitment training", "Ann Author", "Ann Author", "Not an action"],
    ]
    page = client_request.get(f"/lado/actions/{recorded['action']}")
    assert page.text_of("#removed").startswith("This action was removed by mistake on")
    assert page.select("form") == []  # nothing to change on a removed action


# --- names where the LADO needs them --------------------------------------------------------------------


def test_lado_pages_and_worklist_rows_name_the_subject_their_role_and_employer(
    app, client, client_request, login_as, seeded
):
    from tracker.extensions import db
    from tracker.lado.models import LadoReferral

    with app.app_context():
        db.session.get(LadoReferral, seeded.referral_id).officer_id = "L7"
        db.session.commit()
    named = f"{factories.PERSON_NAME} ({seeded.person_ref})"
    login_as("lado", officer_id="L7", name="Lena Seven")
    for url in (f"/lado/contacts/{seeded.contact_id}", f"/lado/referrals/{seeded.referral_id}"):
        summary = client_request.get(url).summary()
        assert (summary["Subject"], summary["Role"], summary["Employer"]) == (
            named,
            "Teacher",
            factories.ORGANISATION_NAME,
        ), url
    shown = [named + " Teacher", factories.ORGANISATION_NAME]
    for url, table in (("/lado/", "#contacts"), ("/lado/referrals", "#referrals"), ("/lado/actions", "#actions")):
        assert shown in columns(client_request.get(url), table, "Subject", "Employer"), url
    assert ["Lena Seven"] in columns(client_request.get("/lado/referrals"), "#referrals", "Allocated")  # not "L7"
    mine = client_request.get("/worklist/mine").table("#worklist")
    assert f"Initial Evaluation Meeting for referral {seeded.referral_id} (Jo Bloggs, Teacher, Hill School)" in [
        row[3] for row in mine
    ]

    for role in ("manager", "iro_manager"):  # they see everyone's worklist, never a LADO row or a name
        login_as(role)
        page = client_request.get("/worklist/")  # every overdue item (the seeded IEM is overdue)
        assert page.select("#worklist") == [] and page.select("#worklist-empty") != []
        assert factories.PERSON_NAME not in page.text and factories.ORGANISATION_NAME not in page.text


# --- no page builds HTML from data ---------------------------------------------------------------------


def test_no_lado_page_shows_html_as_text(app, small_authority, client_request, login_as, lado_get_rules, build_url):
    """Every GET page under /lado/ of the small authority, as the LADO manager, with real ids (its
    first person and organisation named with characters HTML would take), shows no escaped tag:
    links are drawn by templates, never built as strings."""
    from sqlalchemy import func, select

    from tracker.extensions import db
    from tracker.lado import operations
    from tracker.lado.models import LadoAction, LadoContact, LadoMeeting, LadoReferral

    with app.app_context():
        contact = db.session.scalar(
            select(LadoContact)
            .join(LadoReferral, LadoReferral.contact_id == LadoContact.contact_id)
            .where(LadoReferral.closed_date.is_(None), LadoContact.organisation_ref.is_not(None))
            .order_by(LadoContact.contact_id)
        )
        operations.find_or_create_person(contact.person_ref, "Jo <b>Bloggs</b> & Co")
        operations.find_or_create_organisation(contact.organisation_ref, "St Mary's <i>School</i>")
        referral = contact.referral
        values = {
            "contact_id": contact.contact_id,
            "referral_id": referral.referral_id,
            "meeting_id": db.session.scalar(
                select(func.min(LadoMeeting.meeting_id)).where(LadoMeeting.referral_id == referral.referral_id)
            ),
            "action_id": db.session.scalar(select(func.min(LadoAction.action_id))),
            "public_id": contact.person.public_id,
            "ref": contact.organisation_ref,
        }
        db.session.commit()
    login_as("lado_manager", officer_id="LM1")
    shown = []
    for rule in lado_get_rules:
        missing = set(rule.arguments) - set(values)
        assert not missing, f"{rule.rule}: give the sweep a real {missing}"
        url = build_url(rule, **{a: values[a] for a in rule.arguments})
        response = client_request.client.get(url)
        assert response.status_code in (200, 302), (url, response.status_code)
        html = response.get_data(as_text=True)
        assert "&lt;a" not in html and "&lt;span" not in html, url
        assert "<b>Bloggs</b>" not in html and "<i>School</i>" not in html, url  # data is escaped, never markup
        shown.append(url)
    page = client_request.get(f"/lado/contacts/{values['contact_id']}")
    assert page.summary()["Employer"] == "St Mary's <i>School</i>"  # the name as text, in a link
    assert page.links()["St Mary's <i>School</i>"] == f"/lado/organisations/{values['ref']}"
    assert page.summary()["Subject"].startswith("Jo <b>Bloggs</b> & Co (")
    assert len(shown) == len(lado_get_rules) >= 24
