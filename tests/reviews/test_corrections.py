"""Corrections on the child's page (issue 12): an IRO contact is changed (date, type, QARO); a
review, an IRO contact or a care period recorded by mistake is removed with a reason — kept,
audited, listed for the IRO manager, and no part of the child's page, due items, figures,
exports or later imports any more; a QARO plans the date of the next review (the due date stays
the statutory one, a plan after it is "planned late")."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests import inputs
from tracker.core.audit import AuditEntry
from tracker.extensions import db
from tracker.reviews.models import CarePeriod, Child, IroContact, Review

from .factories import care_period, child, contact, officer, review

D = dt.date
TODAY = D(2023, 1, 16)


@pytest.fixture
def app_config():
    return {"TODAY": TODAY.isoformat()}


@pytest.fixture
def world(app) -> dict:
    """Q1's child C1 (in care since 1 December 2022): a review on 5 January 2023 chaired by Q1
    (minutes not completed) and an IRO contact on 10 January by Q1. Q2's child C2 (in care since
    1 June 2022): no review (overdue), no contact."""
    with app.app_context():
        officer("Q1")
        officer("Q2", team="South")
        c1 = child("C1", start="2022-12-01", officer_id="Q1", first_name="Amy", last_name="Ng")
        held = review(c1, "2023-01-05", officer_id="Q1", participation_code="PN1", recommendations_date="2023-01-06")
        made = contact(c1, "2023-01-10", officer_id="Q1")
        c2 = child("C2", start="2022-06-01", officer_id="Q2", first_name="Bo", last_name="Li")
        db.session.commit()
        return {
            "review": held.review_id,
            "contact": made.contact_id,
            "period": c1.care_periods[0].id,
            "c2_period": c2.care_periods[0].id,
        }


def sign_in_officer(app, client, officer_id: str) -> None:
    from tracker.auth.models import user_by_officer_id

    with app.app_context():
        user_id = user_by_officer_id(officer_id).id
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user_id)
        sess["_fresh"] = True


def date(day: D) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def audit_rows(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()
        db.session.expunge_all()
        return rows


def fingerprint(app) -> dict:
    with app.app_context():
        return inputs.fingerprint()


def figures(app) -> dict:
    from tracker.core.kpis import Period
    from tracker.reviews import kpis

    with app.app_context():
        return kpis.figures(Period(D(2022, 4, 1), TODAY, TODAY))


def due_items(app, child_id: str) -> dict[tuple[str, str], tuple[dt.date, str]]:
    from tracker.core import worklist

    with app.app_context():
        return {(i.kind, i.ref): (i.due_date, i.state.value) for i in worklist.for_record("child", child_id, TODAY)}


def first_review_due(app, start: D) -> D:
    from tracker.core.timescales import deadline

    with app.app_context():
        return deadline("cic_review_first", start)


# --- IRO contacts: changed by who made them, the child's QARO or the IRO manager --------------------------


def test_the_childs_qaro_corrects_an_iro_contact_audited_and_the_next_contact_due_follows(
    app, client, client_request, world
):
    sign_in_officer(app, client, "Q1")
    edit = f"/children/C1/contacts/{world['contact']}/edit"
    page = client_request.get("/children/C1")
    assert edit in page.hrefs()
    assert due_items(app, "C1")[("iro_contact", "C1")][0] == D(2023, 7, 10)

    form = client_request.get(edit)
    assert form.h1 == "Change the IRO contact with C1"
    assert [form.value(f"contact_date-{part}") for part in ("day", "month", "year")] == ["10", "1", "2023"]
    client_request.post(edit, {"contact_date": date(D(2023, 1, 12)), "contact_type": "phone", "officer_id": "Q2"})

    page = client_request.get("/children/C1")
    assert page.table("#contacts")[0][:3] == ["12 Jan 2023", "Phone call", "Officer Q2"]
    assert due_items(app, "C1")[("iro_contact", "C1")][0] == D(2023, 7, 12)
    (row,) = audit_rows(app, "iro_contact.update")
    assert (row.object_type, row.object_id) == ("iro_contact", world["contact"])
    assert row.before == {"contact_date": "2023-01-10", "contact_type": "visit", "officer_id": "Q1"}
    assert row.after == {"contact_date": "2023-01-12", "contact_type": "phone", "officer_id": "Q2"}


def test_a_refused_correction_shows_the_error_and_saves_nothing(app, client, client_request, world):
    sign_in_officer(app, client, "Q1")
    before = fingerprint(app)
    page = client_request.post(
        f"/children/C1/contacts/{world['contact']}/edit",
        {"contact_date": date(D(2023, 2, 1)), "contact_type": "visit", "officer_id": "Q1"},
        status=200,
    )
    assert page.errors == ["The date of the contact must be today or in the past"]
    assert inputs.changed_tables(before, fingerprint(app)) == []


def test_a_qaro_cannot_correct_or_remove_a_colleagues_contact_with_a_colleagues_child(
    app, client, client_request, world
):
    """Q2 neither made the contact nor holds C1: 403 for the pages and the posts, nothing written,
    no link (Q2 may still record a new contact for C1, covering for Q1)."""
    sign_in_officer(app, client, "Q2")
    edit = f"/children/C1/contacts/{world['contact']}/edit"
    remove = f"/children/C1/contacts/{world['contact']}/remove"
    before = fingerprint(app)
    client_request.get(edit, status=403)
    client_request.post(edit, {"contact_date": date(D(2023, 1, 11)), "contact_type": "visit"}, status=403)
    client_request.get(remove, status=403)
    client_request.post(remove, {"reason": "Mine"}, status=403)
    assert inputs.changed_tables(before, fingerprint(app)) == []
    page = client_request.get("/children/C1")
    assert not {edit, remove} & set(page.hrefs())
    assert "/children/C1/contacts/new" in page.hrefs()
    assert page.select("#removed") == []


# --- removal: the IRO manager, with a reason ------------------------------------------------------------------


def _removals(world) -> dict[str, str]:
    return {
        "review": f"/children/C1/reviews/{world['review']}/remove",
        "IRO contact": f"/children/C1/contacts/{world['contact']}/remove",
        "care period": f"/children/C2/periods/{world['c2_period']}/remove",
    }


@pytest.mark.parametrize("what", ["review", "IRO contact", "care period"])
@pytest.mark.parametrize("reason", ["", "   "], ids=["blank", "spaces"])
def test_a_removal_without_a_reason_is_refused_and_saves_nothing(app, client_request, login_as, world, what, reason):
    login_as("iro_manager")
    url = _removals(world)[what]
    form = client_request.get(url)
    assert form.h1.startswith("Remove the ") and form.select("textarea[name='reason']")
    before = fingerprint(app)
    page = client_request.post(url, {"reason": reason}, status=200)
    assert page.errors == [f"Enter why the {what} is being removed"]
    assert page.field_error("reason") == f"Enter why the {what} is being removed"
    assert inputs.changed_tables(before, fingerprint(app)) == []


@pytest.mark.parametrize("who", ["Q1", "Q2"])
def test_a_qaro_removes_nothing(app, client, client_request, world, who):
    """Not even the child's QARO, who chaired the review and made the contact: the IRO manager removes."""
    sign_in_officer(app, client, who)
    before = fingerprint(app)
    for url in _removals(world).values():
        client_request.get(url, status=403)
        client_request.post(url, {"reason": "Recorded twice"}, status=403)
    assert inputs.changed_tables(before, fingerprint(app)) == []
    page = client_request.get("/children/C1")
    assert not set(_removals(world).values()) & set(page.hrefs())


def test_removing_the_only_review_makes_it_due_again_and_figures_and_exports_follow(
    app, client_request, login_as, world
):
    manager = login_as("iro_manager", name="Ian Manager")
    rid = world["review"]
    before = figures(app)
    assert before["reviews.held"] == 1 and before["reviews.overdue"] == 1  # C2's
    items = due_items(app, "C1")
    assert items[("cic_review", "C1")] == (D(2023, 4, 5), "upcoming")
    assert ("review_minutes", rid) in items and ("review_recommendations", rid) not in items
    export = client_request.client.get("/children/export/903-reviews.csv?scope=all&from=2022-04-01&to=2023-01-16")
    assert b"05/01/2023" in export.data

    client_request.post(f"/children/C1/reviews/{rid}/remove", {"reason": "  Recorded against the wrong child  "})

    first = first_review_due(app, D(2022, 12, 1))
    assert first < TODAY
    items = due_items(app, "C1")
    assert items[("cic_review", "C1")] == (first, "overdue")  # the first review is due (overdue) again
    assert ("review_minutes", rid) not in items  # the removed review's minutes are nobody's to do
    after = figures(app)
    assert after["reviews.held"] == 0 and after["reviews.overdue"] == 2
    assert after["reviews.in_timescale"].denominator == 0
    export = client_request.client.get("/children/export/903-reviews.csv?scope=all&from=2022-04-01&to=2023-01-16")
    assert b"05/01/2023" not in export.data
    page = client_request.get("/children/C1")
    assert page.select("tr[data-review]") == []
    assert ("cic_review", "C1", first.isoformat(), "overdue") in page.deadlines()

    (row,) = audit_rows(app, "review.remove")
    assert (row.object_type, row.object_id, row.user_id) == ("review", rid, manager.id)
    assert row.before["review_date"] == "2023-01-05" and row.before["officer_id"] == "Q1"
    assert row.after == {"reason": "Recorded against the wrong child"}
    assert "wrong child" not in row.summary  # free text stays out of the summary (read by admins)
    with app.app_context():  # kept, with who, when and why
        kept = db.session.scalar(select(Review).where(Review.review_id == rid))
        assert (kept.removed_by, kept.removed_reason) == (manager.id, "Recorded against the wrong child")
        assert kept.removed_at is not None
    # a removed review is not found to change or remove again
    client_request.get(f"/children/C1/reviews/{rid}/edit", status=404)
    client_request.get(f"/children/C1/reviews/{rid}/remove", status=404)


def test_removing_a_contact_changes_the_contacts_indicator_and_the_next_contact_due(
    app, client_request, login_as, world
):
    login_as("iro_manager")
    assert figures(app)["contacts.with_contact_6m"].numerator == 1
    assert due_items(app, "C1")[("iro_contact", "C1")][0] == D(2023, 7, 10)
    client_request.post(f"/children/C1/contacts/{world['contact']}/remove", {"reason": "Recorded twice"})
    assert figures(app)["contacts.with_contact_6m"].numerator == 0
    assert due_items(app, "C1")[("iro_contact", "C1")][0] == D(2023, 6, 1)  # from the period's start again
    page = client_request.get("/children/C1")
    assert page.select("#contacts") == [] and "No IRO contacts are recorded." in page.text
    caseload = client_request.get("/children/?scope=all")
    assert "10 Jan 2023" not in caseload.text_of("#caseload")
    (row,) = audit_rows(app, "iro_contact.remove")
    assert row.object_id == world["contact"] and row.after == {"reason": "Recorded twice"}
    assert row.before["contact_date"] == "2023-01-10"
    client_request.get(f"/children/C1/contacts/{world['contact']}/edit", status=404)


def test_a_care_period_holding_a_review_is_kept_until_the_review_is_removed(app, client_request, login_as, world):
    login_as("iro_manager")
    url = f"/children/C1/periods/{world['period']}/remove"
    before = fingerprint(app)
    page = client_request.post(url, {"reason": "Wrong dates"}, status=200)
    assert page.field_error("reason") == (
        "The review held on 5 January 2023 would fall outside every care period: change or remove that review first"
    )
    assert inputs.changed_tables(before, fingerprint(app)) == []
    client_request.post(f"/children/C1/reviews/{world['review']}/remove", {"reason": "Wrong child"})
    client_request.post(url, {"reason": "Wrong child"})
    assert ("cic_review", "C1") not in due_items(app, "C1")


def test_removing_a_care_period_takes_the_child_out_of_care_and_it_may_be_recorded_again(
    app, client_request, login_as, world
):
    login_as("iro_manager")
    before = figures(app)
    client_request.post(f"/children/C2/periods/{world['c2_period']}/remove", {"reason": "Never came into care"})
    after = figures(app)
    assert after["contacts.children_in_care"] == before["contacts.children_in_care"] - 1
    assert after["reviews.overdue"] == before["reviews.overdue"] - 1
    assert due_items(app, "C2") == {}
    page = client_request.get("/children/C2")
    assert "No care periods are recorded." in page.text
    (row,) = audit_rows(app, "care_period.remove")
    assert row.object_id == str(world["c2_period"]) and row.before["start_date"] == "2022-06-01"
    # the same start date again: a removed period holds no date
    client_request.post(
        "/children/C2/periods/new", {"start_date": date(D(2022, 6, 1)), "end_date": ["", "", ""], "legal_status": ""}
    )
    assert ("cic_review", "C2") in due_items(app, "C2")


def test_removed_records_are_listed_for_the_managers_only(app, client, client_request, login_as, world):
    login_as("iro_manager", name="Ian Manager")
    client_request.post(f"/children/C1/contacts/{world['contact']}/remove", {"reason": "Recorded twice"})
    client_request.post(f"/children/C1/reviews/{world['review']}/remove", {"reason": "Wrong child"})
    page = client_request.get("/children/C1")
    assert page.text_of("main h2:-soup-contains('Removed records')") == "Removed records"
    rows = page.table("#removed")
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("IRO contact on 10 January 2023 (Visit)", "Ian Manager", "Recorded twice"),
        ("Review held on 5 January 2023", "Ian Manager", "Wrong child"),
    ]
    assert all(r[1] for r in rows)  # when
    for who in ("Q1", "Q2"):  # QAROs, the child's own included
        sign_in_officer(app, client, who)
        assert client_request.get("/children/C1").select("#removed") == []
    login_as("manager", email="hos@example.org")  # the head of service removes nothing but sees what was
    assert [r[3] for r in client_request.get("/children/C1").table("#removed")] == ["Recorded twice", "Wrong child"]


# --- planned review dates -----------------------------------------------------------------------------------------


def test_a_qaro_plans_the_next_review_the_due_date_stays_and_a_late_plan_shows(app, client, client_request, world):
    sign_in_officer(app, client, "Q1")
    page = client_request.get("/children/C1")
    assert page.links("#next-review")["Plan the next review"] == "/children/C1/plan"
    client_request.post("/children/C1/plan", {"planned_review_date": date(D(2023, 3, 30))})
    page = client_request.get("/children/C1")
    assert page.text_of("#planned-review") == "Planned for 30 March 2023 Planned in time"
    assert due_items(app, "C1")[("cic_review", "C1")] == (D(2023, 4, 5), "upcoming")  # the statutory date

    client_request.post("/children/C1/plan", {"planned_review_date": date(D(2023, 4, 12))})
    page = client_request.get("/children/C1")
    assert page.text_of("#planned-review") == "Planned for 12 April 2023 Planned late"
    assert "Planned late" in page.tags
    assert due_items(app, "C1")[("cic_review", "C1")] == (D(2023, 4, 5), "upcoming")
    worklist = client_request.get("/worklist/mine")
    assert "Review of Amy Ng (C1), planned for 12 April 2023 (planned late)" in worklist.text

    rows = audit_rows(app, "child.plan_review")
    assert [(r.object_id, r.before, r.after) for r in rows] == [
        ("C1", {"planned_review_date": None}, {"planned_review_date": "2023-03-30"}),
        ("C1", {"planned_review_date": "2023-03-30"}, {"planned_review_date": "2023-04-12"}),
    ]
    # a blank date withdraws the plan
    client_request.post("/children/C1/plan", {"planned_review_date": ["", "", ""]})
    assert client_request.get("/children/C1").select("#planned-review") == []


@pytest.mark.parametrize(
    ("child_id", "planned", "message"),
    [
        ("C1", D(2023, 1, 10), "The planned date must be today or in the future"),
        ("C1", D(2026, 1, 1), "Planned date of the next review must be between 1 January 1900 and 16 January 2025"),
        ("C3", D(2023, 2, 1), "This child is not looked after today: there is no next review to plan"),
    ],
    ids=["past", "too far ahead", "not looked after"],
)
def test_a_plan_that_cannot_be_is_refused(app, client_request, login_as, world, child_id, planned, message):
    with app.app_context():
        child("C3", start="2022-01-01", end="2022-06-30")
        db.session.commit()
    login_as("iro_manager")
    before = fingerprint(app)
    page = client_request.post(f"/children/{child_id}/plan", {"planned_review_date": date(planned)}, status=200)
    assert page.errors == [message]
    assert inputs.changed_tables(before, fingerprint(app)) == []


def test_only_the_childs_qaro_or_the_iro_manager_plans(app, client, client_request, world):
    sign_in_officer(app, client, "Q2")
    before = fingerprint(app)
    client_request.get("/children/C1/plan", status=403)
    client_request.post("/children/C1/plan", {"planned_review_date": date(D(2023, 3, 1))}, status=403)
    assert inputs.changed_tables(before, fingerprint(app)) == []
    assert "/children/C1/plan" not in client_request.get("/children/C1").hrefs()


def test_recording_the_planned_review_ends_the_plan(app, client, client_request, world):
    sign_in_officer(app, client, "Q1")
    client_request.post("/children/C2/plan", {"planned_review_date": date(D(2023, 1, 20))}, status=403)  # Q2's
    client_request.post("/children/C1/plan", {"planned_review_date": date(D(2023, 4, 1))})
    client_request.post(
        "/children/C1/reviews/new",
        {"review_date": date(D(2023, 1, 16)), "officer_id": "Q1", "participation_code": "PN1"},
    )
    with app.app_context():
        assert db.session.scalar(select(Child.planned_review_date).where(Child.child_id == "C1")) is None
    (created,) = [r for r in audit_rows(app, "review.create") if r.after["review_date"] == "2023-01-16"]
    assert created.after["planned_for"] == "2023-04-01"


def test_an_imported_review_new_to_the_tracker_ends_the_plan_and_a_reload_does_not(app, runner, write_folder):
    folder = write_folder(FOLDER)
    assert runner.invoke(args=["import-data", str(folder)]).exit_code == 0

    def plan(day):
        with app.app_context():
            c7 = db.session.scalar(select(Child).where(Child.child_id == "C7"))
            c7.planned_review_date = day
            db.session.commit()

    def planned():
        with app.app_context():
            return db.session.scalar(select(Child.planned_review_date).where(Child.child_id == "C7"))

    plan(D(2022, 5, 1))
    reload = runner.invoke(args=["import-data", str(folder)])  # the nightly load of the same file
    assert reload.exit_code == 0 and "planned reviews held" not in reload.output
    assert planned() == D(2022, 5, 1)
    newer = dict(FOLDER, **{"reviews.csv": FOLDER["reviews.csv"] + "R8,C7,2022-04-28,PN1,,,Q7,N\n"})
    result = runner.invoke(args=["import-data", str(write_folder(newer))])
    assert result.exit_code == 0, result.output
    assert "reviews.csv: planned reviews held (their plans ended): 1" in result.output
    assert planned() is None


# --- the import leaves a removed record removed ---------------------------------------------------------------------

FOLDER = {
    "officers.csv": "officer_id,name,email,roles,team\nQ7,Officer 7,q7@example.org,qaro,North\n",
    "children.csv": "child_id,first_name,last_name,date_of_birth,gender,ethnicity,uasc,iro_officer_id,"
    "iro_contact_expected\nC7,Cy,Po,2012-01-01,,,N,Q7,Y\n",
    "care_periods.csv": "child_id,start_date,end_date,legal_status\nC7,2021-01-01,2021-06-30,V2\nC7,2022-01-10,,C2\n",
    "reviews.csv": "review_id,child_id,review_date,participation_code,recommendations_date,minutes_date,officer_id,"
    "advocate\nR7,C7,2022-02-01,PN1,2022-02-03,2022-02-20,Q7,N\n",
    "iro_contacts.csv": "contact_id,child_id,contact_date,contact_type,officer_id\nK7,C7,2022-03-01,visit,Q7\n",
}


def test_a_record_removed_in_the_tracker_is_not_brought_back_by_the_next_import(app, runner, write_folder):
    from tracker.reviews import operations

    folder = write_folder(FOLDER)
    assert runner.invoke(args=["import-data", str(folder)]).exit_code == 0
    with app.app_context():
        operations.remove_review(db.session.scalar(select(Review)), reason="Not this child's")
        operations.remove_contact(db.session.scalar(select(IroContact)), reason="Recorded twice")
        old = db.session.scalar(select(CarePeriod).where(CarePeriod.start_date == D(2021, 1, 1)))
        operations.remove_care_period(old, reason="Never in care then")
        db.session.commit()

    result = runner.invoke(args=["import-data", str(folder)])
    assert result.exit_code == 0, result.output
    for name in ("care_periods.csv", "reviews.csv", "iro_contacts.csv"):
        assert f"{name}: rows of records removed in the tracker, left removed: 1" in result.output
    with app.app_context():
        for model in (Review, IroContact, CarePeriod):
            kept = select(func.count()).select_from(model).where(model.removed_at.is_(None))
            removed = select(func.count()).select_from(model).where(model.removed_at.is_not(None))
            assert (db.session.scalar(kept), db.session.scalar(removed)) == (
                (1, 1) if model is CarePeriod else (0, 1)
            ), model.__name__

    # recorded again in the tracker after its removal: the import updates the period in force
    with app.app_context():
        c7 = db.session.scalar(select(Child).where(Child.child_id == "C7"))
        care_period(c7, "2021-01-01", "2021-05-31")
        db.session.commit()
    result = runner.invoke(args=["import-data", str(folder)])
    assert result.exit_code == 0, result.output
    assert "care_periods.csv: rows of records removed" not in result.output
    with app.app_context():
        again = db.session.scalar(
            select(CarePeriod).where(CarePeriod.start_date == D(2021, 1, 1), CarePeriod.removed_at.is_(None))
        )
        assert (again.end_date, again.legal_status) == (D(2021, 6, 30), "V2")
