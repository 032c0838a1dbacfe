"""LADO lists are reads of LADO records: each page shown writes one ``lado.read`` row with the
references shown (never a filter value); the oversight list is filtered and paginated in the
database, so every overdue referral is listed, however many there are."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.lado.test_access import seed


@pytest.fixture
def app_config():
    return {"TODAY": "2023-01-16"}


def _reads(app, object_type):
    from tracker.core.audit import AuditEntry
    from tracker.extensions import db

    with app.app_context():
        return [
            (e.object_id, e.summary, e.after)
            for e in db.session.query(AuditEntry)
            .filter_by(action="lado_record.read", object_type=object_type)
            .order_by(AuditEntry.id)
        ]


@pytest.mark.parametrize(
    "path, name, ref",
    [
        ("/lado/", "contacts log", "contact"),
        ("/lado/referrals", "open referrals", "referral"),
        ("/lado/actions", "actions tracker", "action"),
    ],
)
def test_each_list_page_shown_writes_one_read_row_with_the_references(app, client, login_as, path, name, ref):
    contact_id, referral_id = seed(app)
    login_as("lado")
    page = client.get(path)
    assert page.status_code == 200
    (entry,) = _reads(app, "lado_list")
    assert entry[0] == name and "Jo" not in entry[1] and "Bloggs" not in entry[1]
    expected = {"contact": contact_id, "referral": referral_id}.get(ref)
    assert entry[2]["page"] == 1 and entry[2]["total"] == 1
    assert entry[2]["refs"] == [expected] if expected else len(entry[2]["refs"]) == 1


def test_an_empty_list_reads_nothing_and_writes_no_row(app, client, login_as):
    login_as("lado")
    page = client.get("/lado/").get_data(as_text=True)
    assert "No contacts match." in page
    assert _reads(app, "lado_list") == []


def test_the_actions_owner_filter_is_not_written_to_the_audit_row(app, client, login_as, csrf_token):
    from tracker.extensions import db
    from tracker.lado import operations
    from tracker.lado.models import LadoReferral

    _, referral_id = seed(app)
    with app.app_context():
        operations.add_action(
            db.session.get(LadoReferral, referral_id),
            description="Letter",
            owner="Sam Person",
            due_date=dt.date(2023, 1, 30),
        )
        db.session.commit()
    login_as("lado")
    response = client.post(
        "/lado/actions",
        data={"csrf_token": csrf_token(client), "view": "open", "owner": "Sam Person"},
        follow_redirects=True,
    )
    assert response.status_code == 200 and b"Letter" in response.data
    ((_, summary, after),) = _reads(app, "lado_list")
    assert "Sam" not in summary and "Sam" not in str(after) and len(after["refs"]) == 1


def test_oversight_lists_every_overdue_referral_across_pages(app, client, login_as):
    from tracker.extensions import db
    from tracker.lado import operations

    with app.app_context():
        for day in (2, 3, 4):  # IEM due 5 working days later: all overdue on 16 January
            operations.log_contact(
                contact_date=dt.date(2023, 1, day),
                employer_sector="education",
                disposition="referral",
                person_ref=f"P{day}",
            )
        operations.log_contact(
            contact_date=dt.date(2023, 1, 13), employer_sector="health", disposition="referral", person_ref="P13"
        )  # IEM due 20 January: not overdue
        db.session.commit()
    app.config["PAGE_SIZE"] = 2
    login_as("lado_manager")
    first = client.get("/lado/oversight").get_data(as_text=True)
    assert "4 open referrals; 3 with an overdue deadline on 16 Jan 2023." in first
    assert "Referrals with an overdue deadline 1 to 2 of 3" in first
    second = client.get("/lado/oversight?page=2").get_data(as_text=True)
    assert "3 to 3 of 3" in second
    shown = [r for (_, _, after) in _reads(app, "lado_list") for r in after["refs"]]
    assert len(shown) == 3 and len(set(shown)) == 3


def test_oversight_with_nothing_overdue_says_so(app, client, login_as):
    login_as("lado_manager")
    page = client.get("/lado/oversight").get_data(as_text=True)
    assert "0 open referrals; 0 with an overdue deadline" in page
    assert "No open referral has an overdue deadline." in page


def test_lado_items_on_the_worklist_and_home_page_are_audited_reads(app, client, login_as):
    seed(app)
    from tracker.extensions import db
    from tracker.lado.models import LadoReferral

    with app.app_context():
        db.session.query(LadoReferral).update({"officer_id": "L7"})
        db.session.commit()
    login_as("lado", officer_id="L7")
    assert b"LADO" in client.get("/worklist/mine").data
    assert client.get("/").status_code == 200
    rows = _reads(app, "worklist")
    assert [r[0] for r in rows] == ["worklist.mine", "home"]
    assert all(any(item.startswith("lado_iem:") for item in after["items"]) for _, _, after in rows)
