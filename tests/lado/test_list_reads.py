"""LADO lists are reads of LADO records: each page shown writes one ``lado_record.read`` row with
the references shown (never a filter value), an empty page too; the oversight list is filtered
and paginated in the database, so every overdue referral is listed, however many there are;
LADO items shown on the worklist and the home page are audited reads as well."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.lado import factories
from tests.lado.factories import NAMES

D = dt.date


@pytest.mark.parametrize(
    "path, role, shown",
    [
        ("/lado/", "lado", lambda s: [s.advice_contact_id, s.contact_id]),  # newest first
        ("/lado/referrals", "lado", lambda s: [s.referral_id]),
        ("/lado/actions", "lado", lambda s: [s.action_id]),
        ("/lado/oversight", "lado_manager", lambda s: [f"lado_iem:{s.referral_id}"]),  # its IEM is overdue
        ("/lado/retention", "lado_manager", lambda s: []),
    ],
)
def test_each_list_page_shown_writes_one_read_row_with_the_references(
    client_request, login_as, seeded, lado_reads, path, role, shown
):
    user = login_as(role)
    client_request.get(path)
    (row,) = lado_reads()
    endpoint = {"/lado/": "lado.index"}.get(path, "lado." + path.rsplit("/", 1)[-1])
    assert (row.object_type, row.object_id, row.user_id) == ("lado_page", endpoint, user.id)
    refs = shown(seeded)
    assert row.after == {"refs": refs, "page": 1, "total": len(refs)}
    assert row.summary == f"Viewed {endpoint}" + (
        f": {len(refs)} record{'s' if len(refs) != 1 else ''}" if refs else ""
    )
    assert not any(name in row.summary for name in NAMES)


def test_an_empty_list_still_writes_its_read_row(client_request, login_as, lado_reads):
    login_as("lado")
    assert client_request.get("/lado/").text_of("#contacts-empty") == "No contacts match."
    (row,) = lado_reads()
    assert (row.object_id, row.after) == ("lado.index", {"refs": [], "page": 1, "total": 0})


def test_a_filter_value_is_not_written_to_the_read_row(app, client_request, login_as, seeded, lado_reads):
    from tracker.extensions import db
    from tracker.lado.models import LadoReferral

    login_as("lado", officer_id="L7", name="Sam Person")  # the LADO who chases the letter
    with app.app_context():
        referral = db.session.get(LadoReferral, seeded.referral_id)
        letter = factories.action(
            referral, "Letter", owner="Sam Person", due_date=D(2023, 1, 30), chaser_officer_id="L7"
        )
        db.session.commit()
        letter = letter.action_id
    page = client_request.post("/lado/actions", {"view": "open", "chaser": "L7"}, follow=True, status=200)
    assert [row[1] for row in page.table("#actions")] == ["Letter"]
    page = client_request.get("/lado/?sector=sport&date_from=3&date_from=1&date_from=2023")
    assert [row[0] for row in page.table("#contacts")] == [seeded.advice_contact_id]
    actions, contacts = lado_reads()  # the filter's post redirected: it showed nothing
    assert actions.after["refs"] == [letter] and contacts.after["refs"] == [seeded.advice_contact_id]
    for row in (actions, contacts):
        assert "L7" not in row.summary + str(row.after) and "sport" not in row.summary + str(row.after)


def test_oversight_lists_every_overdue_item_across_pages(app, client_request, login_as, lado_reads):
    """The oversight lists the due items of the worklist engine (overdue by default), paginated."""
    from tracker.extensions import db

    with app.app_context():
        overdue = [factories.referral(D(2023, 1, day)).referral_id for day in (2, 3, 4)]  # IEM due 5 working days on
        factories.referral(D(2023, 1, 13), employer_sector="health")  # IEM due 20 January: not overdue
        db.session.commit()
    app.config["PAGE_SIZE"] = 2
    login_as("lado_manager")
    first = client_request.get("/lado/oversight")
    assert (
        first.text_of("#oversight-counts") == "4 open referrals on 16 January 2023, 4 of them not allocated to a LADO."
    )
    assert first.text_of("#oversight caption") == "Overdue items 1 to 2 of 3"
    row = first.table("#oversight")[0]
    assert (row[0], row[1], row[3], row[4]) == ("9 Jan 2023 Overdue", "LADO: Initial Evaluation Meeting", overdue[0],
                                                "Not allocated")  # fmt: skip
    second = client_request.get("/lado/oversight?page=2")
    assert second.text_of("#oversight caption") == "Overdue items 3 to 3 of 3"
    shown = [ref for row in lado_reads() for ref in row.after["refs"]]
    assert shown == [f"lado_iem:{ref}" for ref in overdue]
    assert [(row.after["page"], row.after["total"]) for row in lado_reads()] == [(1, 3), (2, 3)]


def test_oversight_with_nothing_overdue_says_so(client_request, login_as):
    login_as("lado_manager")
    page = client_request.get("/lado/oversight")
    assert (
        page.text_of("#oversight-counts") == "0 open referrals on 16 January 2023, 0 of them not allocated to a LADO."
    )
    assert page.text_of("#oversight-empty") == "There are no overdue LADO items."


def test_lado_items_on_the_worklist_and_home_page_are_audited_reads(app, client_request, login_as, seeded, lado_reads):
    from tracker.extensions import db
    from tracker.lado.models import LadoReferral

    with app.app_context():
        db.session.get(LadoReferral, seeded.referral_id).officer_id = "L7"
        db.session.commit()
    login_as("lado", officer_id="L7")
    worklist = client_request.get("/worklist/mine")
    assert [row[3] for row in worklist.table("table")] == [
        f"Initial Evaluation Meeting for referral {seeded.referral_id} (Jo Bloggs, Teacher, Hill School)",
        f"LADO action {seeded.action_id} (Jo Bloggs, Teacher, Hill School)",  # its owner is free text: L7 chases it
        f"Quarterly review of LADO action {seeded.action_id} (Jo Bloggs, Teacher, Hill School)",  # her own list's
    ]
    client_request.get("/")
    rows = lado_reads()
    assert [(r.object_type, r.object_id) for r in rows] == [("lado_page", "worklist.mine"), ("lado_page", "home.index")]
    refs = [
        f"lado_iem:{seeded.referral_id}",
        f"lado_action:{seeded.action_id}",
        f"lado_action_review:{seeded.action_id}",
    ]
    assert all(r.after == {"refs": refs} for r in rows)


def test_pages_without_lado_items_write_no_read_row(app, client_request, login_as, seeded, lado_reads):
    login_as("lado", officer_id="L9")  # nothing of theirs is due
    client_request.get("/worklist/mine")
    client_request.get("/")
    assert lado_reads() == []


def test_a_lado_drill_down_is_an_audited_read(client_request, login_as, seeded, lado_reads):
    user = login_as("lado_manager")
    page = client_request.get("/kpis/lado.referrals/numerator?from=2023-01-01&to=2023-01-31")
    assert page.links()[seeded.referral_id] == f"/lado/referrals/{seeded.referral_id}"
    (row,) = lado_reads()
    assert (row.object_type, row.object_id, row.user_id) == ("lado_page", "kpis.drill", user.id)
    assert row.after == {"refs": [seeded.referral_id], "page": 1, "total": 1}
