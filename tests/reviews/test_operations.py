"""The operations of the reviews feature: each refused change is a ``DomainError`` naming its
field, each change writes one audit row of the vocabulary, references come from the database."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tracker.core.audit import ACTIONS, AuditEntry
from tracker.core.errors import DomainError
from tracker.extensions import db
from tracker.reviews import operations

from .factories import care_period, child, contact, d, officer, review


@pytest.fixture
def app_config():
    return {"TODAY": "2023-01-16"}


REFUSED = [
    # (operation on C1 — in care since 1 June 2022, reviewed 20 June 2022 — field, message)
    (
        lambda c: operations.create_child(child_id="C1", date_of_birth=d("2012-01-01")),
        "child_id",
        "A child with the reference C1 already exists",
    ),
    (
        lambda c: operations.create_child(child_id=" ", date_of_birth=d("2012-01-01")),
        "child_id",
        "Enter the child's reference",
    ),
    (
        lambda c: operations.create_child(child_id="C9", date_of_birth=d("2023-02-01")),
        "date_of_birth",
        "The date of birth must be today or in the past",
    ),
    (
        lambda c: operations.create_child(child_id="C9", date_of_birth=d("2012-01-01"), iro_officer_id="Q7"),
        "iro_officer_id",
        "There is no officer with the id Q7",
    ),
    (lambda c: operations.allocate(c, "Q7"), "officer_id", "There is no officer with the id Q7"),
    (
        lambda c: operations.add_care_period(c, start_date=d("2021-01-01"), end_date=d("2022-06-01")),
        "start_date",
        "This overlaps the care period from 1 June 2022 with no end date: care periods of one child cannot overlap",
    ),
    (
        lambda c: operations.add_care_period(c, start_date=d("2021-01-01"), end_date=d("2020-12-31")),
        "end_date",
        "The end date must be the same as or after the start date",
    ),
    (
        lambda c: operations.edit_care_period(
            c.care_periods[0], start_date=d("2022-06-21"), end_date=None, legal_status=None
        ),
        "start_date",
        "The review held on 20 June 2022 would fall outside every care period: change or remove that review first",
    ),
    (
        lambda c: operations.record_review(c, review_date=d("2022-05-31")),
        "review_date",
        "The review date is outside every care period of this child: add or correct the care period first",
    ),
    (
        lambda c: operations.record_review(c, review_date=d("2023-01-17")),
        "review_date",
        "The review date must be today or in the past",
    ),
    (
        lambda c: operations.record_review(c, review_date=d("2022-07-01"), participation_code="PN9"),
        "participation_code",
        "'PN9' is not a known code (expected one of: PN0, PN1, PN2, PN3, PN4, PN5, PN6, PN7)",
    ),
    (
        lambda c: operations.record_review(c, review_date=d("2022-07-01"), minutes_date=d("2022-06-30")),
        "minutes_date",
        "The date the minutes were completed must be the same as or after the review date",
    ),
    (
        lambda c: operations.record_review(c, review_date=d("2022-07-01"), officer_id="Q7"),
        "officer_id",
        "There is no officer with the id Q7",
    ),
    (
        lambda c: operations.edit_review(c.reviews[0], review_date=d("2022-05-01")),
        "review_date",
        "The review date is outside every care period of this child: add or correct the care period first",
    ),
    (
        lambda c: operations.record_contact(c, contact_date=d("2022-07-01"), contact_type="email"),
        "contact_type",
        "'email' is not a known code (expected one of: visit, phone, video, text, letter_card, other)",
    ),
    (
        lambda c: operations.record_contact(c, contact_date=None, contact_type="visit"),
        "contact_date",
        "Enter the date of the contact",
    ),
]


@pytest.mark.parametrize("operation, field, message", REFUSED)
def test_a_refused_change_names_its_field(app, operation, field, message):
    with app.app_context():
        officer("Q1")
        c = child("C1", start="2022-06-01", officer_id="Q1")
        review(c, "2022-06-20")
        with pytest.raises(DomainError) as refused:
            operation(c)
        assert (refused.value.field, refused.value.message) == (field, message)


def test_each_change_writes_one_audit_row_of_the_vocabulary(app):
    with app.app_context():
        officer("Q1")
        officer("Q2")
        c = child("C1", officer_id="Q1")
        period = care_period(c, "2022-06-01")
        operations.edit_care_period(period, start_date=d("2022-06-01"), end_date=None, legal_status="C2")
        r = review(c, "2022-06-20", participation_code="PN1")
        operations.edit_review(r, minutes_date=d("2022-07-01"))
        operations.allocate(c, "Q2")
        operations.edit_child(c, uasc=True)
        k = contact(c, "2022-08-01")
        operations.edit_contact(k, contact_date=d("2022-08-02"), contact_type="phone", officer_id="Q2")
        operations.plan_review(c, d("2023-02-01"))
        operations.remove_review(r, reason="Recorded against the wrong child")
        operations.remove_contact(k, reason="Recorded twice")
        rows = db.session.scalars(select(AuditEntry).where(~AuditEntry.action.like("user.%")).order_by(AuditEntry.id))
        rows = [(e.action, e.object_id, e.before, e.after) for e in rows]
    assert [action for action, *_ in rows] == [
        "child.create",
        "care_period.create",
        "care_period.update",
        "review.create",
        "review.update",
        "child.allocate",
        "child.update",
        "iro_contact.create",
        "iro_contact.update",
        "child.plan_review",
        "review.remove",
        "iro_contact.remove",
    ]
    assert all(action in ACTIONS for action, *_ in rows)
    assert rows[2][2:] == ({"legal_status": None}, {"legal_status": "C2"})  # only what changed
    assert rows[4][1:] == (r.review_id, {"minutes_date": None}, {"minutes_date": "2022-07-01"})
    assert rows[6][2:] == ({"uasc": False}, {"uasc": True})
    assert rows[7][1] == k.contact_id and rows[7][3]["contact_type"] == "visit"
    assert rows[8][2:] == (
        {"contact_date": "2022-08-01", "contact_type": "visit", "officer_id": None},
        {"contact_date": "2022-08-02", "contact_type": "phone", "officer_id": "Q2"},
    )
    assert rows[9][2:] == ({"planned_review_date": None}, {"planned_review_date": "2023-02-01"})
    assert rows[10][1] == r.review_id and rows[10][2]["participation_code"] == "PN1"
    assert rows[10][3] == {"reason": "Recorded against the wrong child"}  # the removal's reason
    assert rows[11][1] == k.contact_id and rows[11][3] == {"reason": "Recorded twice"}


def test_references_come_from_the_database_in_sequence(app):
    with app.app_context():
        c = child("C1", start="2022-06-01")
        refs = [review(c, day).review_id for day in ("2022-06-20", "2022-09-01")]
        refs += [contact(c, day).contact_id for day in ("2022-07-01", "2022-08-01")]
    assert refs == ["R000001", "R000002", "K000001", "K000002"]
