"""LADO records for tests, built only through ``tracker.lado.operations``, so that every record
a test uses passed the rules a user's does (and wrote its audit rows). Call them inside an app
context; they flush, the test commits (``db.session.commit()``) when a request must see them.

    referral = factories.referral(D(2023, 1, 2), person_name="Jo Bloggs")   # logged as a referral
    factories.meeting(referral, "iem", D(2023, 1, 4))
    factories.action(referral, due_date=D(2023, 1, 20))
    factories.closed(referral)                 # an outcome first when it has none (closing needs one)

A meeting after its deadline, or an outcome after its timescale or without an IEM, gets a reason
(``LATE``, ``NO_IEM``) as a user gives one; a test of those rules calls the operations itself.
    refs = factories.seeded()                                                # the ``seeded`` fixture's records
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tracker.lado import operations
from tracker.lado.models import LadoAction, LadoContact, LadoMeeting, LadoReferral

D = dt.date
FIRST_DAY = D(2023, 1, 2)  # the default date of a contact
LATE = "Waiting for the police investigation"  # the reason given for a meeting or an outcome after its deadline
NO_IEM = "Concluded at the strategy meeting"  # the reason given for an outcome without an IEM


def contact(
    contact_date: dt.date = FIRST_DAY, *, employer_sector: str = "education", disposition: str = "advice", **fields
) -> LadoContact:
    """A contact (an anonymous consultation unless a person is given)."""
    return operations.log_contact(
        contact_date=contact_date, employer_sector=employer_sector, disposition=disposition, **fields
    )


def referral(contact_date: dt.date = FIRST_DAY, *, referral_date: dt.date | None = None, **fields) -> LadoReferral:
    """A referral: a contact logged as one (so dated the contact's day), or an advice contact
    progressed to one on ``referral_date``."""
    if referral_date is None:
        return contact(contact_date, disposition="referral", **fields).referral
    logged = contact(contact_date, **fields)
    return operations.progress_to_referral(logged, referral_date=referral_date, officer_id=fields.get("officer_id"))


def meeting(
    referral: LadoReferral, meeting_type: str = "iem", meeting_date: dt.date | None = None, **fields
) -> LadoMeeting:
    """A meeting held (or, dated after today, scheduled); on the referral's day by default."""
    fields.setdefault("late_reason", LATE)  # kept only when it is late
    return operations.record_meeting(
        referral, meeting_type=meeting_type, meeting_date=meeting_date or referral.referral_date, **fields
    )


def action(referral: LadoReferral, description: str = "Training", **fields) -> LadoAction:
    return operations.add_action(referral, description=description, **fields)


def outcome(
    referral: LadoReferral, outcome: str = "unfounded", outcome_date: dt.date | None = None, **fields
) -> LadoReferral:
    """The outcome (the reasons ``NO_IEM`` and ``LATE`` are kept only where they are needed)."""
    fields = {"no_iem_reason": NO_IEM, "late_reason": LATE} | fields
    return operations.record_outcome(
        referral, outcome=outcome, outcome_date=outcome_date or referral.referral_date, **fields
    )


def closed(referral: LadoReferral, closed_date: dt.date | None = None, **checklist) -> LadoReferral:
    """The referral closed (on its outcome's day, or the referral's, by default); one without an
    outcome gets one first (``outcome``, dated the closure's day), as closing needs it."""
    closed_date = closed_date or referral.outcome_date or referral.referral_date
    if referral.outcome is None:
        outcome(referral, outcome_date=closed_date)
    return operations.close_referral(referral, closed_date=closed_date, **checklist)


# --- the seeded records (the ``seeded`` fixture) -------------------------------------------------

PERSON_NAME = "Jo Bloggs"
ORGANISATION_NAME = "Hill School"
ADVICE_PERSON_NAME = "Sam Person"
NAMES = (PERSON_NAME, ORGANISATION_NAME, ADVICE_PERSON_NAME)


@dataclass(frozen=True)
class Seeded:
    """The references of the seeded records."""

    contact_id: str  # the referral's contact: education, about person_ref at organisation_ref
    referral_id: str  # 2 January 2023, open: a strategy meeting held, no IEM yet, one open action
    meeting_id: str  # the strategy meeting of 4 January
    action_id: str  # "Training", owner L1, due 20 January
    person_ref: str  # named PERSON_NAME, born 17 May 1980
    person_public_id: str  # the person's page: /lado/people/<person_public_id>
    organisation_ref: str  # named ORGANISATION_NAME
    advice_contact_id: str  # 3 January, sport, advice (no referral), category physical
    advice_person_ref: str  # named ADVICE_PERSON_NAME


def seeded() -> Seeded:
    """A referral with a meeting and an action, and an advice contact (flushed, not committed)."""
    made = referral(
        FIRST_DAY,
        person_name=PERSON_NAME,
        person_dob=D(1980, 5, 17),
        organisation_name=ORGANISATION_NAME,
        subject_role="Teacher",
        categories=["physical"],
    )
    held = meeting(made, "strategy", D(2023, 1, 4), attendees="LADO, head", decisions="Investigate")
    training = action(made, "Training", owner="L1", due_date=D(2023, 1, 20))
    advice = contact(D(2023, 1, 3), employer_sector="sport", person_name=ADVICE_PERSON_NAME, categories=["physical"])
    return Seeded(
        contact_id=made.contact_id,
        referral_id=made.referral_id,
        meeting_id=held.meeting_id,
        action_id=training.action_id,
        person_ref=made.contact.person_ref,
        person_public_id=made.contact.person.public_id,
        organisation_ref=made.contact.organisation_ref,
        advice_contact_id=advice.contact_id,
        advice_person_ref=advice.person_ref,
    )
