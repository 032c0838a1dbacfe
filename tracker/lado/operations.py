"""Every LADO state change (domain.md §6). Each operation validates its rule, changes the rows,
writes one audit row per change and flushes; the request lifecycle (or the import) commits.

Rules enforced here (and, where they can be, by CHECK constraints too):
- dates of things that have happened (contact, referral, outcome, DBS referral, closure,
  completion) are not after today; meetings may be scheduled ahead;
- a referral is not dated before its contact; an outcome, a meeting or a closure not before
  the referral;
- a contact has at most one referral, and a contact with a referral has disposition ``referral``;
- a closed referral is read-only until it is re-opened (re-opening is audited with a reason).

The row rules (``check_contact``, ``check_referral``, ``check_meeting``, ``check_action``) are
also what the import applies to each row of the four LADO files; the rules across records
(``referrals_before_contact``, ``meetings_before_referral``) are one SQL query each, used here
for one record and by the import for a whole file. Audit summaries carry record ids only,
never names.
"""

from __future__ import annotations

import datetime as dt

from blinker import Namespace
from sqlalchemy import func, select

from tracker.core import audit, checks, references
from tracker.core.clock import today
from tracker.core.errors import DomainError
from tracker.extensions import db
from tracker.lado import queries
from tracker.lado.models import (
    CarerAgency,
    CarerType,
    Category,
    Disposition,
    LadoAction,
    LadoContact,
    LadoMeeting,
    LadoOrganisation,
    LadoPerson,
    LadoReferral,
    MeetingType,
    Outcome,
    Sector,
)

CONTACT_FIELDS = (
    "contact_date",
    "referrer_agency",
    "employer_sector",
    "subject_role",
    "person_ref",
    "organisation_ref",
    "disposition",
    "foster_carer_type",
    "foster_carer_agency",
    "officer_id",
)
REFERRAL_FIELDS = (
    "referral_date",
    "police_investigation",
    "outcome",
    "outcome_date",
    "dbs_referral_date",
    "returned_to_panel",
    "child_informed",
    "closed_date",
    "officer_id",
)
MEETING_FIELDS = ("meeting_type", "meeting_date", "attendees", "minutes_notes", "decisions")
# a contact's coded columns: set as members (``Code.get``), so the record reads the same before
# and after it is saved (``contact.disposition.label``)
CONTACT_CODES = {
    "employer_sector": Sector,
    "disposition": Disposition,
    "foster_carer_type": CarerType,
    "foster_carer_agency": CarerAgency,
}

references.register("lado_contact", "LC", 5, LadoContact.contact_id)
references.register("lado_referral", "LR", 5, LadoReferral.referral_id)
references.register("lado_meeting", "LM", 6, LadoMeeting.meeting_id)
references.register("lado_action", "LA", 6, LadoAction.action_id)
references.register("lado_person", "P", 4, LadoPerson.ref)
references.register("lado_organisation", "ORG", 3, LadoOrganisation.ref)

signals = Namespace()
# An own foster carer was returned to fostering panel after an allegation (003:L1493): the
# panels feature makes (or keeps) its review-after-allegation case. Sent again on closure, so
# receivers must be idempotent.
returned_to_panel = signals.signal("lado.returned_to_panel")


# --- rules shared with the import ----------------------------------------------------------


def check_contact(
    contact_date: dt.date | None,
    employer_sector: str | None,
    disposition: str | None,
    foster_carer_type: str | None = None,
    foster_carer_agency: str | None = None,
    categories=(),
) -> None:
    checks.required(contact_date, "contact_date", "Enter the date of the contact")
    checks.not_future(contact_date, "contact_date", "The date of the contact")
    checks.code(employer_sector, Sector, "employer_sector", "Select the employer sector")
    checks.code(disposition, Disposition, "disposition", "Select what happens next")
    checks.code(foster_carer_type, CarerType, "foster_carer_type", "Select the foster carer type", required_=False)
    checks.code(
        foster_carer_agency, CarerAgency, "foster_carer_agency", "Select the foster carer's agency", required_=False
    )
    for category in categories or ():
        checks.code(category, Category, "categories", f"{category!r} is not a concern category")


def check_referral(
    referral_date: dt.date | None,
    outcome: str | None = None,
    outcome_date: dt.date | None = None,
    dbs_referral_date: dt.date | None = None,
    closed_date: dt.date | None = None,
) -> None:
    """A referral's dates: each has already happened and none is before the referral; an
    outcome comes with its date (interchange.md §1)."""
    checks.required(referral_date, "referral_date", "Enter the date of the referral")
    checks.not_future(referral_date, "referral_date", "The date of the referral")
    checks.code(outcome, Outcome, "outcome", "Select the outcome", required_=False)
    checks.paired(
        outcome,
        outcome_date,
        "outcome",
        "outcome_date",
        no_date="Enter the date of the outcome",
        no_value="Select the outcome as well as its date",
    )
    for field, what, day, early in (
        ("outcome_date", "The date of the outcome", outcome_date, "The outcome cannot be dated before the referral"),
        (
            "dbs_referral_date",
            "The date of the DBS referral",
            dbs_referral_date,
            "The DBS referral cannot be dated before the referral",
        ),
        ("closed_date", "The date of closure", closed_date, "The referral cannot be closed before it was made"),
    ):
        checks.not_future(day, field, what)
        checks.not_before(day, referral_date, field, early)


def check_meeting(meeting_type: str | None, meeting_date: dt.date | None, *, held: bool = False) -> None:
    """A known type and a date (a meeting ``held`` — every imported one — is not in the future)."""
    checks.code(meeting_type, MeetingType, "meeting_type", "Select the type of meeting")
    checks.required(meeting_date, "meeting_date", "Enter the date of the meeting")
    if held:
        checks.not_future(meeting_date, "meeting_date", "The date of a meeting held")
    checks.date_in_range(meeting_date, "meeting_date", "The date of the meeting", ahead=True)  # scheduled ahead


def check_action(
    description: str | None, completed_date: dt.date | None = None, due_date: dt.date | None = None
) -> None:
    checks.required(description, "description", "Enter what the action is")
    checks.not_future(completed_date, "completed_date", "The completion date")
    checks.date_in_range(due_date, "due_date", "The due date", ahead=True)


def check_subject(person_ref: str | None, organisation_ref: str | None, person_dob: dt.date | None) -> None:
    """The references of a contact's subject and employer (``checks.reference``: they become
    index rows and URLs) and the subject's date of birth."""
    checks.reference((person_ref or "").strip(), "person_ref", "The person reference")
    checks.reference((organisation_ref or "").strip(), "organisation_ref", "The organisation reference")
    checks.not_future(person_dob, "person_dob", "The date of birth")


def check_lado_officer(officer_id: str | None) -> None:
    """An allocated LADO is an enabled user with the role lado or lado_manager (blank: not
    allocated). The import checks a whole file with ``queries.lado_officers`` and this message."""
    if officer_id and not queries.lado_officers([officer_id]):
        raise DomainError(not_a_lado_officer(officer_id), "officer_id")


def not_a_lado_officer(officer_id: str) -> str:
    """The message of ``check_lado_officer`` (a form's field error, an import row's error)."""
    return f"{officer_id} is not a LADO officer"


def referrals_before_contact(referral_id: str | None = None):
    """Referrals dated before their contact: referral_id, contact_id, referral_date, contact_date."""
    query = (
        select(LadoReferral.referral_id, LadoContact.contact_id, LadoReferral.referral_date, LadoContact.contact_date)
        .join(LadoContact, LadoContact.contact_id == LadoReferral.contact_id)
        .where(LadoReferral.referral_date < LadoContact.contact_date)
        .order_by(LadoReferral.referral_id)
    )
    return query if referral_id is None else query.where(LadoReferral.referral_id == referral_id)


def meetings_before_referral(meeting_id: str | None = None):
    """Meetings dated before their referral: meeting_id, meeting_date, referral_date."""
    query = (
        select(LadoMeeting.meeting_id, LadoMeeting.meeting_date, LadoReferral.referral_date)
        .join(LadoReferral, LadoReferral.referral_id == LadoMeeting.referral_id)
        .where(LadoMeeting.meeting_date < LadoReferral.referral_date)
        .order_by(LadoMeeting.meeting_id)
    )
    return query if meeting_id is None else query.where(LadoMeeting.meeting_id == meeting_id)


def _refuse_if_any(query, message: str, field: str) -> None:
    db.session.flush()
    if db.session.execute(query.limit(1)).first() is not None:
        raise DomainError(message, field)


def _writable(referral: LadoReferral) -> None:
    if referral.closed_date is not None:
        raise DomainError("This referral is closed. Re-open it before changing it.", "closed")


# --- the person and organisation indexes ---------------------------------------------------------


def find_or_create_person(
    ref: str | None, name: str | None = None, date_of_birth: dt.date | None = None
) -> LadoPerson | None:
    """Reuse the person with this reference, or create one (a generated reference when none is given).
    Returns None for an anonymous consultation (no reference and no name)."""
    ref = (ref or "").strip() or None
    name = (name or "").strip() or None
    if ref is None and name is None:
        return None
    person = db.session.get(LadoPerson, ref) if ref else None
    if person is None:
        person = LadoPerson(
            ref=ref or references.new_ref("lado_person"), name=name, date_of_birth=date_of_birth, notes=""
        )
        db.session.add(person)
        db.session.flush()
        audit.record(
            "lado_person.create",
            object_type="lado_person",
            object_id=person.public_id,  # the reference may be a name: the log names the public id
            summary=f"Person {person.ref} added to the LADO index",
        )
    else:
        before = audit.snapshot(person, ("name", "date_of_birth"))
        if name and not person.name:
            person.name = name
        if date_of_birth and not person.date_of_birth:
            person.date_of_birth = date_of_birth
        _, a = audit.changed(before, audit.snapshot(person, ("name", "date_of_birth")))
        if a:
            audit.record(
                "lado_person.update",
                object_type="lado_person",
                object_id=person.public_id,  # the reference may be a name: the log names the public id
                summary=f"Person {person.ref} details completed",
                after={"changed": list(a)},  # which details, never the name or date of birth
            )
    return person


def find_or_create_organisation(ref: str | None, name: str | None = None) -> LadoOrganisation | None:
    ref = (ref or "").strip() or None
    name = (name or "").strip() or None
    if ref is None and name is None:
        return None
    org = db.session.get(LadoOrganisation, ref) if ref else None
    if org is None and ref is None:
        org = db.session.scalar(select(LadoOrganisation).where(func.lower(LadoOrganisation.name) == name.lower()))
    if org is None:
        org = LadoOrganisation(ref=ref or references.new_ref("lado_organisation"), name=name)
        db.session.add(org)
        db.session.flush()
        audit.record(
            "lado_organisation.create",
            object_type="lado_organisation",
            object_id=org.ref,
            summary=f"Organisation {org.ref} added to the LADO index",
        )
    elif name and not org.name:
        org.name = name
        audit.record(
            "lado_organisation.update",
            object_type="lado_organisation",
            object_id=org.ref,
            summary=f"Organisation {org.ref} name added",
        )
    return org


def update_person(
    person: LadoPerson, *, name: str | None, date_of_birth: dt.date | None, notes: str | None
) -> LadoPerson:
    """Change a person's name, date of birth and notes. The audit row names the details that
    changed, not their values: the log is read by administrators, who may not see LADO records
    (as a meeting's minutes or a contact's summary are not copied either). None when nothing did."""
    checks.not_future(date_of_birth, "date_of_birth", "The date of birth")
    before = audit.snapshot(person, ("name", "date_of_birth", "notes"))
    person.name = (name or "").strip() or None
    person.date_of_birth = date_of_birth
    person.notes = notes or ""
    _, a = audit.changed(before, audit.snapshot(person, ("name", "date_of_birth", "notes")))
    if a:
        audit.record(
            "lado_person.update",
            object_type="lado_person",
            object_id=person.public_id,  # the reference may be a name: the log names the public id
            summary=f"Person {person.ref} updated",
            after={"changed": list(a)},  # which details, never the name, date of birth or notes
        )
    db.session.flush()
    return person


# --- contacts --------------------------------------------------------------------------------------


def log_contact(
    *,
    contact_date: dt.date,
    employer_sector: str,
    disposition: str,
    referrer_agency: str | None = None,
    subject_role: str | None = None,
    person_ref: str | None = None,
    person_name: str | None = None,
    person_dob: dt.date | None = None,
    organisation_ref: str | None = None,
    organisation_name: str | None = None,
    categories=(),
    foster_carer_type: str | None = None,
    foster_carer_agency: str | None = None,
    officer_id: str | None = None,
    summary: str = "",
) -> LadoContact:
    """Record a contact; no subject = an anonymous consultation. A contact logged with the
    disposition ``referral`` gets its referral at once, dated the day of the contact."""
    check_contact(contact_date, employer_sector, disposition, foster_carer_type, foster_carer_agency, categories)
    check_subject(person_ref, organisation_ref, person_dob)
    person = find_or_create_person(person_ref, person_name, person_dob)
    org = find_or_create_organisation(organisation_ref, organisation_name)
    contact = LadoContact(
        contact_id=references.new_ref("lado_contact"),
        contact_date=contact_date,
        referrer_agency=(referrer_agency or "").strip() or None,
        employer_sector=Sector(employer_sector),
        subject_role=(subject_role or "").strip() or None,
        person_ref=person.ref if person else None,
        organisation_ref=org.ref if org else None,
        disposition=Disposition(disposition),
        foster_carer_type=CarerType.get(foster_carer_type),
        foster_carer_agency=CarerAgency.get(foster_carer_agency),
        officer_id=officer_id or None,
        summary=summary or "",
    )
    contact.set_categories(categories)
    db.session.add(contact)
    db.session.flush()
    audit.record(
        "lado_contact.create",
        object_type="lado_contact",
        object_id=contact.contact_id,
        summary=f"Contact {contact.contact_id} logged" + (" (anonymous consultation)" if person is None else ""),
        after=_contact_snapshot(contact),
    )
    if disposition == Disposition.referral:
        progress_to_referral(contact, referral_date=contact_date, officer_id=officer_id)
    return contact


def _contact_snapshot(contact: LadoContact) -> dict:
    snap = audit.snapshot(contact, CONTACT_FIELDS)
    snap["categories"] = sorted(contact.categories)
    return snap


_SUBJECT_KEYS = ("person_ref", "person_name", "person_dob")
_ORGANISATION_KEYS = ("organisation_ref", "organisation_name")


def update_contact(contact: LadoContact, **fields) -> LadoContact:
    """Change a contact's details with the rules of ``log_contact``; a contact with a referral
    keeps the disposition ``referral`` (and one without gets it only by progressing to a
    referral), and the contact of a closed referral is read-only.

    ``person_ref``/``person_name``/``person_dob`` choose the subject as on the quick contact
    form (all blank = an anonymous consultation; an unknown reference or a name alone adds the
    person to the index), likewise ``organisation_ref``/``organisation_name``. One audit row
    with what changed (ids and codes; a changed summary is named, its text not copied); none
    when nothing did."""
    if contact.referral is not None:
        _writable(contact.referral)
    merged = {k: fields.get(k, getattr(contact, k)) for k in ("contact_date", "employer_sector", "disposition")}
    check_contact(
        merged["contact_date"],
        merged["employer_sector"],
        merged["disposition"],
        fields.get("foster_carer_type"),
        fields.get("foster_carer_agency"),
        fields.get("categories"),
    )
    if contact.referral is not None and merged["disposition"] != Disposition.referral:
        raise DomainError("This contact has a referral: its disposition stays ‘referral’", "disposition")
    if contact.referral is None and "disposition" in fields and fields["disposition"] == Disposition.referral:
        raise DomainError("Use ‘Progress to a referral’ to make this contact a referral", "disposition")
    check_subject(fields.get("person_ref"), fields.get("organisation_ref"), fields.get("person_dob"))
    before = _contact_snapshot(contact)
    summary_before = contact.summary
    # every rule on the values has passed: now the index rows may be found or created
    if any(k in fields for k in _SUBJECT_KEYS):
        person = find_or_create_person(fields.get("person_ref"), fields.get("person_name"), fields.get("person_dob"))
        contact.person_ref = person.ref if person else None
    if any(k in fields for k in _ORGANISATION_KEYS):
        org = find_or_create_organisation(fields.get("organisation_ref"), fields.get("organisation_name"))
        contact.organisation_ref = org.ref if org else None
    for key in (
        "contact_date",
        "referrer_agency",
        "employer_sector",
        "subject_role",
        "disposition",
        "foster_carer_type",
        "foster_carer_agency",
        "officer_id",
    ):
        if key in fields:
            value = fields[key]
            if key in CONTACT_CODES:
                value = CONTACT_CODES[key].get(value)
            elif isinstance(value, str):
                value = value.strip() or None
            setattr(contact, key, value)
    if "summary" in fields:
        contact.summary = (fields["summary"] or "").strip()
    if "categories" in fields:
        contact.set_categories(fields["categories"])
    if contact.referral is not None:
        _refuse_if_any(
            referrals_before_contact(contact.referral.referral_id),
            "The contact cannot be after its referral",
            "contact_date",
        )
    db.session.flush()
    db.session.expire(contact, ["person", "organisation"])
    b, a = audit.changed(before, _contact_snapshot(contact))
    if contact.summary != summary_before:  # named, never copied: it may hold anything
        a["text_changed"] = ["summary"]
    if a:
        audit.record(
            "lado_contact.update",
            object_type="lado_contact",
            object_id=contact.contact_id,
            summary=f"Contact {contact.contact_id} updated",
            before=b,
            after=a,
        )
    db.session.flush()
    return contact


# --- referrals -------------------------------------------------------------------------------------


def progress_to_referral(
    contact: LadoContact,
    *,
    referral_date: dt.date,
    officer_id: str | None = None,
    police_investigation: bool = False,
) -> LadoReferral:
    if contact.referral is not None:
        raise DomainError(
            f"Contact {contact.contact_id} is already referral {contact.referral.referral_id}", "referral_date"
        )
    check_referral(referral_date)
    before = contact.disposition
    contact.disposition = Disposition.referral
    referral = LadoReferral(
        referral_id=references.new_ref("lado_referral"),
        contact=contact,
        referral_date=referral_date,
        police_investigation=bool(police_investigation),
        returned_to_panel=False,
        child_informed=False,
        officer_id=officer_id or contact.officer_id,
    )
    db.session.add(referral)
    _refuse_if_any(
        referrals_before_contact(referral.referral_id),
        "The referral cannot be dated before its contact",
        "referral_date",
    )
    audit.record(
        "lado_referral.create",
        object_type="lado_referral",
        object_id=referral.referral_id,
        summary=f"Contact {contact.contact_id} progressed to referral {referral.referral_id}",
        before={"disposition": before},
        after=audit.snapshot(referral, REFERRAL_FIELDS) | {"contact_id": contact.contact_id},
    )
    return referral


def _change_referral(referral: LadoReferral, action: str, summary: str, changes: dict) -> LadoReferral:
    values = {f: getattr(referral, f) for f in REFERRAL_FIELDS} | changes
    check_referral(
        values["referral_date"],
        values["outcome"],
        values["outcome_date"],
        values["dbs_referral_date"],
        values["closed_date"],
    )
    before = audit.snapshot(referral, REFERRAL_FIELDS)
    for key, value in changes.items():
        setattr(referral, key, value)
    b, a = audit.changed(before, audit.snapshot(referral, REFERRAL_FIELDS))
    audit.record(
        action,
        object_type="lado_referral",
        object_id=referral.referral_id,
        summary=f"Referral {referral.referral_id}: {summary}",
        before=b,
        after=a,
    )
    db.session.flush()
    return referral


def update_referral(
    referral: LadoReferral,
    *,
    police_investigation: bool,
    officer_id: str | None,
    child_informed: bool,
    returned_to_panel: bool,
) -> LadoReferral:
    """The referral's details and its allocated LADO: a LADO officer (``check_lado_officer``) —
    an allocation made before, whose officer is no longer one, is kept when it is not changed."""
    _writable(referral)
    officer_id = (officer_id or "").strip() or None
    checks.reference(officer_id, "officer_id", "The officer id")
    if officer_id != referral.officer_id:
        check_lado_officer(officer_id)
    _change_referral(
        referral,
        "lado_referral.update",
        "details updated",
        {
            "police_investigation": bool(police_investigation),
            "officer_id": officer_id,
            "child_informed": bool(child_informed),
            "returned_to_panel": bool(returned_to_panel),
        },
    )
    request_review_after_allegation(referral)
    return referral


def record_outcome(
    referral: LadoReferral, *, outcome: str, outcome_date: dt.date, child_informed: bool | None = None
) -> LadoReferral:
    """The KCSIE outcome and its date; the outcome cannot precede the referral."""
    _writable(referral)
    checks.code(outcome, Outcome, "outcome", "Select the outcome")
    checks.required(outcome_date, "outcome_date", "Enter the date of the outcome")
    changes = {"outcome": Outcome(outcome), "outcome_date": outcome_date}
    if child_informed is not None:
        changes["child_informed"] = bool(child_informed)
    return _change_referral(referral, "lado_referral.record_outcome", f"outcome {outcome} recorded", changes)


def record_dbs_referral(referral: LadoReferral, *, dbs_referral_date: dt.date) -> LadoReferral:
    _writable(referral)
    checks.required(dbs_referral_date, "dbs_referral_date", "Enter the date of the DBS referral")
    return _change_referral(
        referral, "lado_referral.record_dbs", "DBS referral recorded", {"dbs_referral_date": dbs_referral_date}
    )


def close_referral(referral: LadoReferral, *, closed_date: dt.date) -> LadoReferral:
    _writable(referral)
    checks.required(closed_date, "closed_date", "Enter the date LADO involvement was concluded")
    checks.not_before(
        closed_date, referral.outcome_date, "closed_date", "The referral cannot be closed before its outcome date"
    )
    _change_referral(referral, "lado_referral.close", "closed", {"closed_date": closed_date})
    request_review_after_allegation(referral)
    return referral


def reopen_referral(referral: LadoReferral, *, reason: str) -> LadoReferral:
    """Re-open a closed referral so it can be changed; the reason goes to the audit log."""
    if referral.closed_date is None:
        raise DomainError("This referral is not closed", "reason")
    checks.required(reason, "reason", "Enter why the referral is being re-opened")
    before = audit.snapshot(referral, REFERRAL_FIELDS)
    referral.closed_date = None
    b, a = audit.changed(before, audit.snapshot(referral, REFERRAL_FIELDS))
    a["reason"] = reason.strip()
    audit.record(
        "lado_referral.reopen",
        object_type="lado_referral",
        object_id=referral.referral_id,
        summary=f"Referral {referral.referral_id}: re-opened",
        before=b,
        after=a,
    )
    db.session.flush()
    return referral


# --- meetings --------------------------------------------------------------------------------------


def record_meeting(
    referral: LadoReferral,
    *,
    meeting_type: str,
    meeting_date: dt.date,
    attendees: str = "",
    minutes_notes: str = "",
    decisions: str = "",
) -> LadoMeeting:
    """Schedule (a future date) or record (a past date) an IEM, strategy, PAIM or review meeting."""
    _writable(referral)
    check_meeting(meeting_type, meeting_date)
    meeting = LadoMeeting(
        meeting_id=references.new_ref("lado_meeting"),
        referral=referral,
        meeting_type=MeetingType(meeting_type),
        meeting_date=meeting_date,
        attendees=attendees or "",
        minutes_notes=minutes_notes or "",
        decisions=decisions or "",
    )
    db.session.add(meeting)
    _refuse_if_any(
        meetings_before_referral(meeting.meeting_id), "The meeting cannot be before the referral", "meeting_date"
    )
    audit.record(
        "lado_meeting.create",
        object_type="lado_meeting",
        object_id=meeting.meeting_id,
        summary=f"Referral {referral.referral_id}: {meeting_type} meeting recorded",
        after=audit.snapshot(meeting, ("meeting_type", "meeting_date")),
    )
    return meeting


def update_meeting(meeting: LadoMeeting, **fields) -> LadoMeeting:
    """Change a meeting with the rules of ``record_meeting`` (a known type, a date not before
    the referral; a future date keeps it scheduled); a closed referral's meetings are read-only.
    One audit row per change: type and date before/after, and the names of the text fields
    changed (attendees, minutes, decisions) without their content; none when nothing changed."""
    _writable(meeting.referral)
    check_meeting(fields.get("meeting_type", meeting.meeting_type), fields.get("meeting_date", meeting.meeting_date))
    if "meeting_type" in fields:
        fields["meeting_type"] = MeetingType(fields["meeting_type"])
    before = audit.snapshot(meeting, MEETING_FIELDS)
    for key, value in fields.items():
        if key in MEETING_FIELDS:
            setattr(meeting, key, value if value is not None or key in ("meeting_type", "meeting_date") else "")
    _refuse_if_any(
        meetings_before_referral(meeting.meeting_id), "The meeting cannot be before the referral", "meeting_date"
    )
    b, a = audit.changed(before, audit.snapshot(meeting, MEETING_FIELDS))
    if a:
        dated = ("meeting_type", "meeting_date")
        after = {k: v for k, v in a.items() if k in dated}
        text = [k for k in MEETING_FIELDS if k in a and k not in dated]
        if text:
            after["text_changed"] = text
        audit.record(
            "lado_meeting.update",
            object_type="lado_meeting",
            object_id=meeting.meeting_id,
            summary=f"Referral {meeting.referral_id}: meeting {meeting.meeting_id} updated",
            before={k: v for k, v in b.items() if k in dated},
            after=after,
        )
    db.session.flush()
    return meeting


# --- actions (003:L1585: tracked, reviewed quarterly) ----------------------------------------------


def add_action(
    referral: LadoReferral, *, description: str, owner: str | None = None, due_date: dt.date | None = None
) -> LadoAction:
    _writable(referral)
    check_action(description, due_date=due_date)
    action = LadoAction(
        action_id=references.new_ref("lado_action"),
        referral=referral,
        description=description.strip(),
        owner=(owner or "").strip() or None,
        due_date=due_date,
        review_notes="",
    )
    db.session.add(action)
    db.session.flush()
    audit.record(
        "lado_action.create",
        object_type="lado_action",
        object_id=action.action_id,
        summary=f"Referral {referral.referral_id}: action {action.action_id} added",
        after=audit.snapshot(action, ("owner", "due_date")),
    )
    return action


def complete_action(action: LadoAction, *, completed_date: dt.date) -> LadoAction:
    _writable(action.referral)
    checks.required(completed_date, "completed_date", "Enter the date the action was completed")
    if action.completed_date is not None:
        raise DomainError("This action is already completed", "completed_date")
    check_action(action.description, completed_date)
    action.completed_date = completed_date
    audit.record(
        "lado_action.complete",
        object_type="lado_action",
        object_id=action.action_id,
        summary=f"Action {action.action_id} completed",
        after={"completed_date": completed_date},
    )
    db.session.flush()
    return action


def review_action(action: LadoAction, *, notes: str, review_date: dt.date | None = None) -> LadoAction:
    """Add a dated note from the quarterly review of actions."""
    _writable(action.referral)
    checks.required(notes, "notes", "Enter the review notes")
    review_date = review_date or today()
    entry = f"{review_date.isoformat()}: {notes.strip()}"
    action.review_notes = (action.review_notes + "\n" if action.review_notes else "") + entry
    audit.record(
        "lado_action.review",
        object_type="lado_action",
        object_id=action.action_id,
        summary=f"Action {action.action_id} reviewed",
        after={"review_date": review_date},
    )
    db.session.flush()
    return action


# --- foster carers: review after allegation (domain.md §6, 003:L1493) -------------------------------


def request_review_after_allegation(referral: LadoReferral) -> bool:
    """Own foster carers returned to panel get a ``review_after_allegation`` panel case: tell
    the receivers of ``returned_to_panel`` (the panels feature). True when it was sent."""
    if referral.contact.foster_carer_agency != CarerAgency.own or not referral.returned_to_panel:
        return False
    returned_to_panel.send(referral)
    return True
