"""Every LADO deadline reaches someone (issue 11): an IEM, a PAIM and an action are on the worklist
of the allocated LADO — an action also when somebody else does it ("Employer"), as the LADO chases
it (interchange.md §3) — and those of a referral nobody is allocated are the LADO managers' (their
own worklist, the "To allocate" queue, ``due-items --owner``) until it is allocated, when they move
to the LADO (audited ``lado_referral.allocate``). The oversight page is built from the same due
items as the worklist; the officer filters offer LADO staff only; actions are reviewed quarterly
(003:L1585)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.lado import factories

D = dt.date
TODAY = D(2023, 1, 16)  # tests/lado/conftest.py's app_config


@pytest.fixture
def staff(app):
    """L1 (lado), L2 (lado), LM1 (lado_manager), Q1 (qaro, team North) and M1 (iro_manager):
    ``staff[officer_id]`` is the user's id."""
    from tracker.auth.models import User
    from tracker.extensions import db

    people = {
        "L1": ("Lee One", ["lado"], None),
        "L2": ("Lou Two", ["lado"], None),
        "LM1": ("Lin Manager", ["lado_manager"], None),
        "Q1": ("Quinn Qaro", ["qaro"], "North"),
        "M1": ("Mo Iro", ["iro_manager"], "North"),
    }
    ids = {}
    with app.app_context():
        for officer_id, (name, roles, team) in people.items():
            user = User(email=f"{officer_id.lower()}@example.org", name=name, officer_id=officer_id, team=team)
            user.set_roles(roles)
            db.session.add(user)
            db.session.flush()
            ids[officer_id] = user.id
        db.session.commit()
    return ids


def sign_in(client, user_id: int) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True


def due_items(runner, *args: str) -> set[tuple[str, str, str, str]]:
    """``due-items`` (JSON) as (kind, ref, owner, due_date), LADO kinds only."""
    result = runner.invoke(args=["due-items", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return {(i["kind"], i["ref"], i["owner"], i["due_date"]) for i in json.loads(result.output)["items"]}


def home_items(client_request) -> set[tuple[str, str]]:
    """The home page's "Due for you" table: (what, the reference its item links to)."""
    rows = client_request.get("/").one("#due-for-you").select("tbody tr")
    return {(row.select("td")[0].get_text(strip=True), row.select_one("a")["href"].rsplit("/", 1)[1]) for row in rows}


def audit(app, action: str) -> list[tuple]:
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    with app.app_context():
        rows = db.session.query(AuditEntry).filter_by(action=action).order_by(AuditEntry.id)
        return [(r.object_id, r.before, r.after) for r in rows]


@pytest.fixture
def caseload(app, staff):
    """L1's referrals — one waiting for its IEM, one for its PAIM, one with an action the employer
    does — and one nobody is allocated, with its own action; as references."""
    from tracker.extensions import db

    with app.app_context():
        iem = factories.referral(D(2023, 1, 3), officer_id="L1")  # IEM due 10 January: overdue
        paim = factories.referral(D(2022, 12, 1), officer_id="L1")
        factories.meeting(paim, "iem", D(2022, 12, 5))  # PAIM due 2 January: overdue
        acting = factories.referral(D(2022, 11, 1), officer_id="L1")
        factories.meeting(acting, "iem", D(2022, 11, 3))
        factories.meeting(acting, "paim", D(2022, 11, 24))
        employer = factories.action(acting, "Letter to the trust", owner="Employer", due_date=D(2023, 1, 20))
        waiting = factories.referral(D(2023, 1, 12), employer_sector="health")  # nobody allocated
        unchased = factories.action(waiting, "Risk assessment", owner="Employer", due_date=D(2023, 1, 25))
        chased = factories.action(waiting, "Suspension review", due_date=D(2023, 2, 1), chaser_officer_id="LM1")
        db.session.commit()
        return {
            "iem": iem.referral_id,
            "paim": paim.referral_id,
            "acting": acting.referral_id,
            "employer_action": employer.action_id,
            "waiting": waiting.referral_id,
            "unchased": unchased.action_id,
            "chased": chased.action_id,
        }


def test_a_lados_home_page_and_due_items_list_her_iems_paims_and_actions(
    client, client_request, runner, staff, caseload
):
    mine = {
        ("lado_iem", caseload["iem"], "L1", "2023-01-10"),
        ("lado_paim", caseload["paim"], "L1", "2023-01-02"),
        ("lado_action", caseload["employer_action"], "L1", "2023-01-20"),  # done by the employer, chased by L1
    }
    assert due_items(runner, "--owner", "L1") == mine
    assert due_items(runner, "--owner", "L2") == set()
    sign_in(client, staff["L1"])
    # her own lists also remind her of the action's quarterly review (the referral's date + 3 months), which
    # due-items does not list (issue 15)
    assert home_items(client_request) == {
        ("LADO: Initial Evaluation Meeting", caseload["iem"]),
        ("LADO: Post-Allegation Investigation Meeting", caseload["paim"]),
        ("LADO: action", caseload["employer_action"]),
        ("LADO: quarterly review of an action", caseload["employer_action"]),
    }
    shown = {(kind, ref, due) for kind, ref, due, _state in client_request.get("/worklist/mine").deadlines()}
    review = ("lado_action_review", caseload["employer_action"], "2023-02-01")
    assert shown == {(kind, ref, due) for kind, ref, _owner, due in mine} | {review}


def test_an_unallocated_referrals_deadlines_are_the_lado_managers_until_it_is_allocated(
    app, client, client_request, csrf_token, runner, staff, caseload
):
    waiting = caseload["waiting"]
    queued = {
        ("lado_iem", waiting, "", "2023-01-19"),
        ("lado_action", caseload["unchased"], "", "2023-01-25"),  # nobody chases it: the referral's LADO
    }
    chased = ("lado_action", caseload["chased"], "LM1", "2023-02-01")  # chased by LM1 whoever is allocated
    # the export keeps the blank owner; a LADO manager's own items include the unallocated LADO items
    assert queued <= due_items(runner)
    assert due_items(runner, "--owner", "LM1") == queued | {chased}
    assert not {ref for _, ref, *_ in due_items(runner, "--owner", "L1")} & {waiting, caseload["unchased"]}

    sign_in(client, staff["LM1"])
    assert {("LADO: Initial Evaluation Meeting", waiting), ("LADO: action", caseload["unchased"])} <= home_items(
        client_request
    )
    mine = {(kind, ref) for kind, ref, *_ in client_request.get("/worklist/mine").deadlines()}
    reviews = {("lado_action_review", caseload["unchased"]), ("lado_action_review", caseload["chased"])}
    assert mine == {(kind, ref) for kind, ref, *_ in queued | {chased}} | reviews
    queue = client_request.get("/lado/queue")
    assert queue.h1 == "Referrals to allocate"
    assert [row[0] for row in queue.table("#queue")] == [waiting]
    assert queue.deadlines() == {("lado_iem", waiting, "2023-01-19", "due_soon")}  # its next deadline
    options = [o.get("value") for o in queue.select(f"#{waiting}-officer_id option")]
    assert options == ["", "L1", "LM1", "L2"]  # LADO officers, by name
    assert "To allocate" in client_request.get("/lado/").links("nav[aria-label='LADO pages']")

    posted = {f"{waiting}-officer_id": "L1", f"{waiting}-csrf_token": csrf_token(client)}
    client_request.post(f"/lado/queue/{waiting}", posted, csrf=False)
    assert audit(app, "lado_referral.allocate") == [(waiting, {"officer_id": None}, {"officer_id": "L1"})]
    assert due_items(runner, "--owner", "LM1") == {chased}
    moved = {("lado_iem", waiting, "L1", "2023-01-19"), ("lado_action", caseload["unchased"], "L1", "2023-01-25")}
    assert moved <= due_items(runner, "--owner", "L1")
    assert client_request.get("/lado/queue").select("#queue") == []

    # a colleague's page opened before: refused, nothing overwritten
    posted = {f"{waiting}-officer_id": "L2", f"{waiting}-csrf_token": csrf_token(client)}
    page = client_request.post(f"/lado/queue/{waiting}", posted, csrf=False, status=200)
    assert page.errors == [f"Referral {waiting} has been allocated to L1 since this page was opened"]
    assert len(audit(app, "lado_referral.allocate")) == 1

    # reallocated on the referral's details: its own audit row, and the deadlines follow
    client_request.post(f"/lado/referrals/{waiting}/details", {"officer_id": "L2"})
    assert audit(app, "lado_referral.allocate")[-1] == (waiting, {"officer_id": "L1"}, {"officer_id": "L2"})
    assert {ref for _, ref, *_ in due_items(runner, "--owner", "L2")} == {waiting, caseload["unchased"]}


def test_the_queue_refuses_someone_who_is_not_a_lado_officer(app, client, client_request, csrf_token, staff, caseload):
    waiting = caseload["waiting"]
    sign_in(client, staff["LM1"])
    posted = {f"{waiting}-officer_id": "Q1", f"{waiting}-csrf_token": csrf_token(client)}
    page = client_request.post(f"/lado/queue/{waiting}", posted, csrf=False, status=200)
    assert page.field_error(f"{waiting}-officer_id") == "Q1 is not a LADO officer"
    assert audit(app, "lado_referral.allocate") == []
    sign_in(client, staff["L1"])  # the queue is the LADO manager's
    client_request.post(f"/lado/queue/{waiting}", posted, csrf=False, status=403)
    client_request.get("/lado/queue", status=403)


def test_a_new_referral_is_allocated_to_the_signed_in_lado_then_the_contacts_lado(app, client, client_request, staff):
    from tracker.extensions import db
    from tracker.lado.models import LadoReferral

    contact = {"contact_date": ["16", "1", "2023"], "employer_sector": "education", "disposition": "referral"}
    sign_in(client, staff["L2"])
    logged = client_request.post("/lado/contacts/new", contact).response.headers["Location"]
    with app.app_context():
        assert db.session.get(LadoReferral, logged.rsplit("/", 1)[-1]).officer_id == "L2"
        advice = factories.contact(D(2023, 1, 13), officer_id="L1")  # logged by L1
        db.session.commit()
        advice_id = advice.contact_id
    sign_in(client, staff["L2"])
    made = client_request.post(f"/lado/contacts/{advice_id}/referral", {"referral_date": ["16", "1", "2023"]})
    with app.app_context():
        assert db.session.get(LadoReferral, made.response.headers["Location"].rsplit("/", 1)[-1]).officer_id == "L2"
        other = factories.contact(D(2023, 1, 13), officer_id="L1")
        db.session.commit()
        other_id = other.contact_id
    from tracker.auth.models import User

    with app.app_context():  # a LADO manager with no officer id: the contact's LADO
        manager = User(email="nobody@example.org", name="No Id")
        manager.set_roles(["lado_manager"])
        db.session.add(manager)
        db.session.commit()
        manager_id = manager.id
    sign_in(client, manager_id)
    made = client_request.post(f"/lado/contacts/{other_id}/referral", {"referral_date": ["16", "1", "2023"]})
    with app.app_context():
        assert db.session.get(LadoReferral, made.response.headers["Location"].rsplit("/", 1)[-1]).officer_id == "L1"


@pytest.mark.parametrize("app_config", [{"TODAY": "2026-11-23", "PAGE_SIZE": 1000}])  # after the data's dates
def test_the_oversight_page_and_the_worklist_agree_on_the_small_authority(
    client_request, login_as, runner, small_authority, app_config
):
    login_as("lado_manager", officer_id="LM1")
    oversight = client_request.get("/lado/oversight?state=any").deadlines()
    worklist = client_request.get("/worklist/?state=any").deadlines()  # a LADO manager sees the LADO kinds
    exported = {(kind, ref, due) for kind, ref, _owner, due in due_items(runner) if kind.startswith("lado_")}
    shown = {(kind, ref, due) for kind, ref, due, _state in oversight}
    assert shown == {(kind, ref, due) for kind, ref, due, _state in worklist} == exported
    assert {kind for kind, *_ in shown} == {"lado_iem", "lado_paim", "lado_action"}
    overdue = client_request.get("/lado/oversight").deadlines()  # overdue by default, actions included
    assert overdue == {d for d in oversight if d[3] == "overdue"} and any(d[0] == "lado_action" for d in overdue)
    kinds = client_request.get("/lado/oversight?state=any&kind=lado_paim").deadlines()
    assert kinds == {d for d in oversight if d[0] == "lado_paim"}


@pytest.mark.parametrize("app_config", [{"TODAY": "2026-11-23", "PAGE_SIZE": 1000}])
def test_the_open_referrals_list_shows_each_referrals_earliest_worklist_deadline(
    app, client_request, login_as, small_authority, app_config
):
    """One definition: a referral's "next deadline" on the open referrals list is the earliest of
    its due items on the worklist, in the worklist's words; the allocated LADO shows by name."""
    from tracker.core import worklist

    login_as("lado_manager", officer_id="LM1")
    with app.app_context():
        items = worklist.collect(D(2026, 11, 23), kinds=["lado_iem", "lado_paim", "lado_action"])
    earliest: dict[str, tuple[str, dt.date]] = {}
    for item in items:  # sorted by due date, then kind
        earliest.setdefault(item.record_ref, (item.kind, item.due_date))
    shown = {row[0]: row[6] for row in client_request.get("/lado/referrals").table("#referrals")}
    words = {"lado_iem": "Initial Evaluation Meeting", "lado_paim": "Post-Allegation Investigation Meeting"}
    expected = {ref: f"{words.get(kind, 'Action')}: {due.day} {due:%b %Y}" for ref, (kind, due) in earliest.items()}
    # a closed referral's outstanding actions are on the worklist, not on the list of open referrals
    assert {ref: text for ref, text in shown.items() if text != "None"} == {
        r: expected[r] for r in shown if r in expected
    }
    assert len([t for t in shown.values() if t != "None"]) > 3


def test_the_oversight_filters_by_officer_state_and_kind(client, client_request, staff, caseload):
    sign_in(client, staff["LM1"])
    page = client_request.get("/lado/oversight?officer=L1&state=any")
    assert {(kind, ref) for kind, ref, *_ in page.deadlines()} == {
        ("lado_iem", caseload["iem"]),
        ("lado_paim", caseload["paim"]),
        ("lado_action", caseload["employer_action"]),
    }
    page = client_request.get("/lado/oversight?officer=-&state=any")  # nobody allocated
    assert {ref for _, ref, *_ in page.deadlines()} == {caseload["waiting"], caseload["unchased"]}
    page = client_request.get("/lado/oversight?officer=L1")  # overdue by default
    assert {ref for _, ref, *_ in page.deadlines()} == {caseload["iem"], caseload["paim"]}
    page = client_request.get("/lado/oversight?officer=Q1", status=200)  # not LADO staff: not a choice
    assert page.errors and page.deadlines() == client_request.get("/lado/oversight").deadlines()


def options(page, selector: str) -> list[str]:
    return [o.get("value") for o in page.select(f"{selector} option") if o.get("value")]


def test_the_officer_filters_list_lado_staff_only(client, client_request, staff, caseload):
    sign_in(client, staff["LM1"])
    worklist = client_request.get("/worklist/")
    assert options(worklist, "#owner") == ["L1", "LM1", "L2", "-"]  # by name; no QARO, no IRO manager
    assert options(worklist, "#team") == []  # LADO staff have no team here
    assert options(client_request.get("/lado/oversight"), "#officer") == ["L1", "LM1", "L2", "-"]
    assert options(client_request.get("/lado/actions"), "#chaser") == ["L1", "LM1", "L2"]
    form = client_request.get(f"/lado/referrals/{caseload['acting']}/actions/new")
    assert [(o.get("value"), o.get_text(strip=True)) for o in form.select("#chaser_officer_id option")][0] == (
        "",
        "The referral’s LADO, now Lee One (L1)",
    )
    assert options(form, "#chaser_officer_id") == ["L1", "LM1", "L2"]
    sign_in(client, staff["M1"])  # an IRO manager: the QAROs and IRO managers, their teams
    worklist = client_request.get("/worklist/")
    assert options(worklist, "#owner") == ["M1", "Q1", "-"] and options(worklist, "#team") == ["North"]


def test_the_actions_tracker_filters_by_the_lado_who_chases(client, client_request, staff, caseload):
    sign_in(client, staff["L1"])
    client_request.post("/lado/actions", {"view": "open", "chaser": "LM1"})
    page = client_request.get("/lado/actions?view=open")
    assert [row[1] for row in page.table("#actions")] == ["Suspension review"]
    assert page.table("#actions")[0][0] == "Lin Manager"
    client_request.post("/lado/actions", {"view": "open", "chaser": "L1"})
    rows = client_request.get("/lado/actions?view=open").table("#actions")
    assert [(row[0], row[1], row[2]) for row in rows] == [("Lee One", "Letter to the trust", "Employer")]
    client_request.post("/lado/actions", {"view": "open", "chaser": "Q1"})  # not a choice: unchanged
    assert len(client_request.get("/lado/actions?view=open").table("#actions")) == 1


def test_an_action_is_chased_by_a_lado_officer(app, client, client_request, staff, caseload):
    from tracker.extensions import db
    from tracker.lado.models import LadoAction

    sign_in(client, staff["L1"])
    url = f"/lado/referrals/{caseload['acting']}/actions/new"
    page = client_request.get(url)
    labels = [page.text_of(f"label[for='{name}']") for name in ("description", "owner", "chaser_officer_id")]
    assert labels == ["What needs doing", "Who does it (for example the employer)", "LADO who chases it"]
    page = client_request.post(url, {"description": "Training", "chaser_officer_id": "Q1"}, status=200)
    assert page.field_error("chaser_officer_id") == "Q1 is not a LADO officer"
    client_request.post(url, {"description": "Training", "owner": "Headteacher", "chaser_officer_id": "L2"})
    client_request.post(url, {"description": "Policy", "owner": "Governors"})
    with app.app_context():
        chasers = dict(db.session.query(LadoAction.description, LadoAction.chaser_officer_id).all())
        training = db.session.query(LadoAction).filter_by(description="Training").one().action_id
    assert (chasers["Training"], chasers["Policy"]) == ("L2", None)  # blank: the referral's LADO
    summary = client_request.get(f"/lado/actions/{training}").summary()
    assert (summary["Who does it"], summary["LADO who chases it"]) == ("Headteacher", "Lou Two (L2)")


def test_an_action_is_corrected_and_handed_to_another_lado_to_chase(
    app, client, client_request, runner, staff, caseload, audit_rows
):
    """The LADO who chases an action (and who does it, its due date) can be changed after it is
    added: the due item moves to the new LADO's list; audited; a non-LADO chaser is refused."""
    from tracker.extensions import db
    from tracker.lado.models import LadoAction

    action = caseload["employer_action"]
    sign_in(client, staff["L1"])
    page = client_request.get(f"/lado/actions/{action}")
    edit = page.links()[
        f"Change what needs doing, who does it, the due date or the LADO who chases it (action {action})"
    ]
    assert edit == f"/lado/actions/{action}/edit"
    form = client_request.get(edit)
    assert form.value("description") == "Letter to the trust" and form.value("owner") == "Employer"
    assert form.value("due_date-day") == "20"
    changed = {"description": "Letter to the trust", "owner": "Trust HR",
        "due_date": ["27", "1", "2023"], "chaser_officer_id": "Q1"}  # fmt: skip
    page = client_request.post(edit, changed, status=200)
    assert page.errors == ["Q1 is not a LADO officer"] and page.value("owner") == "Trust HR"  # kept
    assert ("lado_action", action, "L1", "2023-01-20") in due_items(runner)
    client_request.post(edit, changed | {"chaser_officer_id": "L2"})
    assert ("lado_action", action, "L2", "2023-01-27") in due_items(runner)  # on L2's list now
    assert ("lado_action", action, "L1", "2023-01-20") not in due_items(runner)
    with app.app_context():
        saved = db.session.get(LadoAction, action)
        assert (saved.owner, saved.chaser_officer_id, saved.due_date) == ("Trust HR", "L2", D(2023, 1, 27))
    (row,) = audit_rows("lado_action.update")
    assert (row.object_id, row.before, row.after) == (
        action,
        {"owner": "Employer", "due_date": "2023-01-20", "chaser_officer_id": None},
        {"owner": "Trust HR", "due_date": "2023-01-27", "chaser_officer_id": "L2"},
    )
    client_request.post(f"/lado/actions/{action}/complete", {"completed_date": ["16", "1", "2023"]})
    client_request.get(edit, status=302)  # completed: nothing to correct
    assert f"/lado/actions/{action}/edit" not in client_request.get(f"/lado/actions/{action}").hrefs()


def test_the_quarterly_review_flag(app, client, client_request, staff):
    from tracker.extensions import db
    from tracker.lado.models import LadoAction

    with app.app_context():
        old = factories.referral(D(2022, 9, 1), officer_id="L1")
        stale = factories.action(old, "Supervision", owner="Employer", due_date=D(2023, 3, 1))
        recent = factories.action(factories.referral(D(2022, 12, 1), officer_id="L1"), "Policy", owner="Employer")
        db.session.commit()
        stale_id, recent_id = stale.action_id, recent.action_id
    sign_in(client, staff["L1"])

    def reviews() -> dict[str, tuple[str, str]]:
        page = client_request.get("/lado/actions")
        return {
            row[1]: (cell["data-next-review"], [tag["data-due-state"] for tag in cell.select("[data-due-state]")])
            for row, cell in zip(page.table("#actions"), page.select("#actions [data-next-review]"), strict=True)
        }

    # no review yet: the referral's date + 3 months; overdue after that day
    assert reviews() == {"Supervision": ("2022-12-01", ["overdue"]), "Policy": ("2023-03-01", [])}
    summary = client_request.get(f"/lado/actions/{stale_id}").summary()
    assert summary["Last reviewed"] == "Not reviewed yet"
    assert summary["Next quarterly review"] == "1 December 2022 Overdue"
    client_request.post(f"/lado/actions/{stale_id}/review", {"notes": "Chased the employer"})
    with app.app_context():
        assert db.session.get(LadoAction, stale_id).last_reviewed_date == TODAY
    assert reviews()["Supervision"] == ("2023-04-16", [])
    summary = client_request.get(f"/lado/actions/{stale_id}").summary()
    assert (summary["Last reviewed"], summary["Next quarterly review"]) == ("16 January 2023", "16 April 2023")
    assert client_request.get(f"/lado/actions/{recent_id}").summary()["Next quarterly review"] == "1 March 2023"
