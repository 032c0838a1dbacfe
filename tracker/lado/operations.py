"""Every LADO state change (domain.md §6). Each operation validates its rule, changes the rows,
writes one audit row per change and flushes; it never commits (the view or command does).

Rules enforced here (and, where they can be, by CHECK constraints too):
- dates of things that have happened (contact, referral, outcome, DBS referral, closure,
  completion) are not after today; meetings may be scheduled ahead;
- a referral is not dated before its contact; an outcome, a meeting or a closure not before
  the referral;
- a contact has at most one referral, and a contact with a referral has disposition ``referral``;
- a closed referral is read-only until it is re-opened (re-opening is audited with a reason).
Audit summaries carry record ids only, never names.
"""
from __future__ import annotations

import datetime as dt
import importlib
import logging

from sqlalchemy import func, select

from tracker.core import audit
from tracker.core.clock import today
from tracker.extensions import db
from tracker.lado.models import (
    CATEGORIES,
    DISPOSITIONS,
    FOSTER_CARER_AGENCIES,
    FOSTER_CARER_TYPES,
    MEETING_TYPES,
    OUTCOMES,
    SECTORS,
    LadoAction,
    LadoContact,
    LadoMeeting,
    LadoOrganisation,
    LadoPerson,
    LadoReferral,
)

log = logging.getLogger("tracker.lado")

CONTACT_FIELDS = ("contact_date", "referrer_agency", "employer_sector", "subject_role", "person_ref", "organisation_ref",
                  "disposition", "foster_carer_type", "foster_carer_agency", "officer_id", "categories")
REFERRAL_FIELDS = ("referral_date", "police_investigation", "outcome", "outcome_date", "dbs_referral_date",
                   "returned_to_panel", "child_informed", "closed_date", "officer_id")


class LadoError(Exception):
    """A rule refused the change; ``field`` names the form field to show it against."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _code(value, allowed: dict, field: str, required: bool = True):
    if not value:
        if required:
            raise LadoError("Select an option", field)
        return None
    if value not in allowed:
        raise LadoError(f"{value!r} is not a known code", field)
    return value


def _happened(day: dt.date | None, field: str, what: str) -> None:
    if day is not None and day > today():
        raise LadoError(f"The {what} must be today or in the past", field)


def _next_id(column, prefix: str, width: int = 5) -> str:
    """The next free id with this prefix (web-created records; imported ids keep theirs)."""
    n = db.session.scalar(select(func.count()).where(column.like(f"{prefix}%"))) + 1
    while True:
        candidate = f"{prefix}{n:0{width}d}"
        if db.session.scalar(select(func.count()).where(column == candidate)) == 0:
            return candidate
        n += 1


def _writable(referral: LadoReferral) -> None:
    if referral.closed_date is not None:
        raise LadoError("This referral is closed. Re-open it before changing it.", "closed")


# --- the person and organisation indexes ----------------------------------------------------


def find_or_create_person(ref: str | None, name: str | None = None, date_of_birth: dt.date | None = None) -> LadoPerson | None:
    """Reuse the person with this reference, or create one (a generated reference when none is given).
    Returns None for an anonymous consultation (no reference and no name)."""
    ref = (ref or "").strip() or None
    name = (name or "").strip() or None
    if ref is None and name is None:
        return None
    person = db.session.get(LadoPerson, ref) if ref else None
    if person is None:
        person = LadoPerson(ref=ref or _next_id(LadoPerson.ref, "PW", 5), name=name, date_of_birth=date_of_birth, notes="")
        db.session.add(person)
        db.session.flush()
        audit.record("lado.person.create", object_type="lado_person", object_id=person.ref,
                     summary=f"Person {person.ref} added to the LADO index")
    else:
        before = audit.snapshot(person, ("name", "date_of_birth"))
        if name and not person.name:
            person.name = name
        if date_of_birth and not person.date_of_birth:
            person.date_of_birth = date_of_birth
        b, a = audit.changed(before, audit.snapshot(person, ("name", "date_of_birth")))
        if a:
            audit.record("lado.person.update", object_type="lado_person", object_id=person.ref,
                         summary=f"Person {person.ref} details completed", before=b, after=a)
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
        org = LadoOrganisation(ref=ref or _next_id(LadoOrganisation.ref, "ORGW", 4), name=name)
        db.session.add(org)
        db.session.flush()
        audit.record("lado.organisation.create", object_type="lado_organisation", object_id=org.ref,
                     summary=f"Organisation {org.ref} added to the LADO index")
    elif name and not org.name:
        org.name = name
        audit.record("lado.organisation.update", object_type="lado_organisation", object_id=org.ref,
                     summary=f"Organisation {org.ref} name added")
    return org


def update_person(person: LadoPerson, *, name: str | None, date_of_birth: dt.date | None, notes: str | None) -> LadoPerson:
    before = audit.snapshot(person, ("name", "date_of_birth", "notes"))
    person.name = (name or "").strip() or None
    person.date_of_birth = date_of_birth
    person.notes = notes or ""
    b, a = audit.changed(before, audit.snapshot(person, ("name", "date_of_birth", "notes")))
    audit.record("lado.person.update", object_type="lado_person", object_id=person.ref,
                 summary=f"Person {person.ref} updated", before=b, after=a)
    db.session.flush()
    return person


# --- contacts ------------------------------------------------------------------------------------


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
    contact_id: str | None = None,
) -> LadoContact:
    """Record a contact; no subject = an anonymous consultation. A contact logged with the
    disposition ``referral`` gets its referral at once, dated the day of the contact."""
    if contact_date is None:
        raise LadoError("Enter the date of the contact", "contact_date")
    _happened(contact_date, "contact_date", "date of the contact")
    _code(employer_sector, SECTORS, "employer_sector")
    _code(disposition, DISPOSITIONS, "disposition")
    _code(foster_carer_type, FOSTER_CARER_TYPES, "foster_carer_type", required=False)
    _code(foster_carer_agency, FOSTER_CARER_AGENCIES, "foster_carer_agency", required=False)
    for c in categories or ():
        _code(c, CATEGORIES, "categories")
    person = find_or_create_person(person_ref, person_name, person_dob)
    org = find_or_create_organisation(organisation_ref, organisation_name)
    contact = LadoContact(
        contact_id=contact_id or _next_id(LadoContact.contact_id, "CW"),
        contact_date=contact_date,
        referrer_agency=(referrer_agency or "").strip() or None,
        employer_sector=employer_sector,
        subject_role=(subject_role or "").strip() or None,
        person_ref=person.ref if person else None,
        organisation_ref=org.ref if org else None,
        disposition=disposition,
        foster_carer_type=foster_carer_type or None,
        foster_carer_agency=foster_carer_agency or None,
        officer_id=officer_id or None,
        summary=summary or "",
    )
    contact.set_categories(categories)
    db.session.add(contact)
    db.session.flush()
    audit.record("lado.contact.create", object_type="lado_contact", object_id=contact.contact_id,
                 summary=f"Contact {contact.contact_id} logged" + (" (anonymous consultation)" if person is None else ""),
                 after=_contact_snapshot(contact))
    if disposition == "referral":
        progress_to_referral(contact, referral_date=contact_date, officer_id=officer_id)
    return contact


def _contact_snapshot(contact: LadoContact) -> dict:
    snap = audit.snapshot(contact, CONTACT_FIELDS[:-1])
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
    with what changed (ids and codes; the summary text is not copied); none when nothing did."""
    if contact.referral is not None:
        _writable(contact.referral)
    before = _contact_snapshot(contact)
    if "contact_date" in fields:
        if fields["contact_date"] is None:
            raise LadoError("Enter the date of the contact", "contact_date")
        _happened(fields["contact_date"], "contact_date", "date of the contact")
        if contact.referral is not None and fields["contact_date"] > contact.referral.referral_date:
            raise LadoError("The contact cannot be after its referral", "contact_date")
    if "employer_sector" in fields:
        _code(fields["employer_sector"], SECTORS, "employer_sector")
    if "disposition" in fields:
        _code(fields["disposition"], DISPOSITIONS, "disposition")
        if contact.referral is not None and fields["disposition"] != "referral":
            raise LadoError("This contact has a referral: its disposition stays ‘referral’", "disposition")
        if contact.referral is None and fields["disposition"] == "referral":
            raise LadoError("Use ‘Progress to a referral’ to make this contact a referral", "disposition")
    _code(fields.get("foster_carer_type"), FOSTER_CARER_TYPES, "foster_carer_type", required=False)
    _code(fields.get("foster_carer_agency"), FOSTER_CARER_AGENCIES, "foster_carer_agency", required=False)
    for c in fields.get("categories") or ():
        _code(c, CATEGORIES, "categories")
    if "person_dob" in fields:
        _happened(fields["person_dob"], "person_dob", "date of birth")
    # every rule has passed: now the index rows may be found or created
    if any(k in fields for k in _SUBJECT_KEYS):
        person = find_or_create_person(fields.get("person_ref"), fields.get("person_name"), fields.get("person_dob"))
        contact.person_ref = person.ref if person else None
    if any(k in fields for k in _ORGANISATION_KEYS):
        org = find_or_create_organisation(fields.get("organisation_ref"), fields.get("organisation_name"))
        contact.organisation_ref = org.ref if org else None
    for key in ("contact_date", "referrer_agency", "employer_sector", "subject_role", "disposition",
                "foster_carer_type", "foster_carer_agency", "officer_id", "summary"):
        if key in fields:
            value = fields[key]
            if isinstance(value, str):
                value = value.strip() if key == "summary" else (value.strip() or None)
            setattr(contact, key, value if key != "summary" else (value or ""))
    if "categories" in fields:
        contact.set_categories(fields["categories"])
    db.session.flush()
    db.session.expire(contact, ["person", "organisation"])
    b, a = audit.changed(before, _contact_snapshot(contact))
    if a:
        audit.record("lado.contact.update", object_type="lado_contact", object_id=contact.contact_id,
                     summary=f"Contact {contact.contact_id} updated", before=b, after=a)
    db.session.flush()
    return contact


# --- referrals -------------------------------------------------------------------------------------


def progress_to_referral(contact: LadoContact, *, referral_date: dt.date, officer_id: str | None = None,
                         police_investigation: bool = False, referral_id: str | None = None) -> LadoReferral:
    if contact.referral is not None:
        raise LadoError(f"Contact {contact.contact_id} is already referral {contact.referral.referral_id}", "referral_date")
    if referral_date is None:
        raise LadoError("Enter the date of the referral", "referral_date")
    _happened(referral_date, "referral_date", "date of the referral")
    if referral_date < contact.contact_date:
        raise LadoError("The referral cannot be dated before its contact", "referral_date")
    before = contact.disposition
    contact.disposition = "referral"
    referral = LadoReferral(
        referral_id=referral_id or _next_id(LadoReferral.referral_id, "RW"),
        contact=contact,
        referral_date=referral_date,
        police_investigation=bool(police_investigation),
        returned_to_panel=False,
        child_informed=False,
        officer_id=officer_id or contact.officer_id,
    )
    db.session.add(referral)
    db.session.flush()
    audit.record("lado.referral.create", object_type="lado_referral", object_id=referral.referral_id,
                 summary=f"Contact {contact.contact_id} progressed to referral {referral.referral_id}",
                 before={"disposition": before}, after=audit.snapshot(referral, REFERRAL_FIELDS) | {"contact_id": contact.contact_id})
    return referral


def _change_referral(referral: LadoReferral, action: str, summary: str, changes: dict) -> LadoReferral:
    before = audit.snapshot(referral, REFERRAL_FIELDS)
    for key, value in changes.items():
        setattr(referral, key, value)
    b, a = audit.changed(before, audit.snapshot(referral, REFERRAL_FIELDS))
    audit.record(action, object_type="lado_referral", object_id=referral.referral_id,
                 summary=f"Referral {referral.referral_id}: {summary}", before=b, after=a)
    db.session.flush()
    return referral


def update_referral(referral: LadoReferral, *, police_investigation: bool, officer_id: str | None,
                    child_informed: bool, returned_to_panel: bool) -> LadoReferral:
    _writable(referral)
    _change_referral(referral, "lado.referral.update", "details updated", {
        "police_investigation": bool(police_investigation), "officer_id": officer_id or None,
        "child_informed": bool(child_informed), "returned_to_panel": bool(returned_to_panel),
    })
    if returned_to_panel:
        request_review_after_allegation(referral)
    return referral


def record_outcome(referral: LadoReferral, *, outcome: str, outcome_date: dt.date,
                   child_informed: bool | None = None) -> LadoReferral:
    """The KCSIE outcome and its date; the outcome cannot precede the referral."""
    _writable(referral)
    _code(outcome, OUTCOMES, "outcome")
    if outcome_date is None:
        raise LadoError("Enter the date of the outcome", "outcome_date")
    _happened(outcome_date, "outcome_date", "date of the outcome")
    if outcome_date < referral.referral_date:
        raise LadoError("The outcome cannot be dated before the referral", "outcome_date")
    changes = {"outcome": outcome, "outcome_date": outcome_date}
    if child_informed is not None:
        changes["child_informed"] = bool(child_informed)
    return _change_referral(referral, "lado.referral.outcome", f"outcome {outcome} recorded", changes)


def record_dbs_referral(referral: LadoReferral, *, dbs_referral_date: dt.date) -> LadoReferral:
    _writable(referral)
    if dbs_referral_date is None:
        raise LadoError("Enter the date of the DBS referral", "dbs_referral_date")
    _happened(dbs_referral_date, "dbs_referral_date", "date of the DBS referral")
    if dbs_referral_date < referral.referral_date:
        raise LadoError("The DBS referral cannot be dated before the referral", "dbs_referral_date")
    return _change_referral(referral, "lado.referral.dbs", "DBS referral recorded", {"dbs_referral_date": dbs_referral_date})


def close_referral(referral: LadoReferral, *, closed_date: dt.date) -> LadoReferral:
    _writable(referral)
    if closed_date is None:
        raise LadoError("Enter the date LADO involvement was concluded", "closed_date")
    _happened(closed_date, "closed_date", "date of closure")
    if closed_date < referral.referral_date:
        raise LadoError("The referral cannot be closed before it was made", "closed_date")
    if referral.outcome_date is not None and closed_date < referral.outcome_date:
        raise LadoError("The referral cannot be closed before its outcome date", "closed_date")
    _change_referral(referral, "lado.referral.close", "closed", {"closed_date": closed_date})
    if referral.returned_to_panel:
        request_review_after_allegation(referral)
    return referral


def reopen_referral(referral: LadoReferral, *, reason: str) -> LadoReferral:
    """Re-open a closed referral so it can be changed; the reason goes to the audit log."""
    if referral.closed_date is None:
        raise LadoError("This referral is not closed", "reason")
    if not (reason or "").strip():
        raise LadoError("Enter why the referral is being re-opened", "reason")
    before = audit.snapshot(referral, REFERRAL_FIELDS)
    referral.closed_date = None
    b, a = audit.changed(before, audit.snapshot(referral, REFERRAL_FIELDS))
    a["reason"] = reason.strip()
    audit.record("lado.referral.reopen", object_type="lado_referral", object_id=referral.referral_id,
                 summary=f"Referral {referral.referral_id}: re-opened", before=b, after=a)
    db.session.flush()
    return referral


# --- meetings ----------------------------------------------------------------------------------------

MEETING_FIELDS = ("meeting_type", "meeting_date", "attendees", "minutes_notes", "decisions")


def record_meeting(referral: LadoReferral, *, meeting_type: str, meeting_date: dt.date, attendees: str = "",
                   minutes_notes: str = "", decisions: str = "", meeting_id: str | None = None) -> LadoMeeting:
    """Schedule (a future date) or record (a past date) an IEM, strategy, PAIM or review meeting."""
    _writable(referral)
    _code(meeting_type, MEETING_TYPES, "meeting_type")
    if meeting_date is None:
        raise LadoError("Enter the date of the meeting", "meeting_date")
    if meeting_date < referral.referral_date:
        raise LadoError("The meeting cannot be before the referral", "meeting_date")
    meeting = LadoMeeting(
        meeting_id=meeting_id or _next_id(LadoMeeting.meeting_id, f"{referral.referral_id}-M", 2),
        referral=referral, meeting_type=meeting_type, meeting_date=meeting_date,
        attendees=attendees or "", minutes_notes=minutes_notes or "", decisions=decisions or "",
    )
    db.session.add(meeting)
    db.session.flush()
    audit.record("lado.meeting.create", object_type="lado_meeting", object_id=meeting.meeting_id,
                 summary=f"Referral {referral.referral_id}: {meeting_type} meeting recorded",
                 after=audit.snapshot(meeting, ("meeting_type", "meeting_date")))
    return meeting


def update_meeting(meeting: LadoMeeting, **fields) -> LadoMeeting:
    """Change a meeting with the rules of ``record_meeting`` (a known type, a date not before
    the referral; a future date keeps it scheduled); a closed referral's meetings are read-only.
    One audit row per change: type and date before/after, and the names of the text fields
    changed (attendees, minutes, decisions) without their content; none when nothing changed."""
    _writable(meeting.referral)
    if "meeting_type" in fields:
        _code(fields["meeting_type"], MEETING_TYPES, "meeting_type")
    if "meeting_date" in fields:
        if fields["meeting_date"] is None:
            raise LadoError("Enter the date of the meeting", "meeting_date")
        if fields["meeting_date"] < meeting.referral.referral_date:
            raise LadoError("The meeting cannot be before the referral", "meeting_date")
    before = audit.snapshot(meeting, MEETING_FIELDS)
    for key, value in fields.items():
        if key in MEETING_FIELDS:
            setattr(meeting, key, value if value is not None or key in ("meeting_type", "meeting_date") else "")
    b, a = audit.changed(before, audit.snapshot(meeting, MEETING_FIELDS))
    if a:
        dated = ("meeting_type", "meeting_date")
        after = {k: v for k, v in a.items() if k in dated}
        text = [k for k in MEETING_FIELDS if k in a and k not in dated]
        if text:
            after["text_changed"] = text
        audit.record("lado.meeting.update", object_type="lado_meeting", object_id=meeting.meeting_id,
                     summary=f"Referral {meeting.referral_id}: meeting {meeting.meeting_id} updated",
                     before={k: v for k, v in b.items() if k in dated}, after=after)
    db.session.flush()
    return meeting


# --- actions (003:L1585: tracked, reviewed quarterly) ------------------------------------------------


def add_action(referral: LadoReferral, *, description: str, owner: str | None = None,
               due_date: dt.date | None = None, action_id: str | None = None) -> LadoAction:
    _writable(referral)
    if not (description or "").strip():
        raise LadoError("Enter what the action is", "description")
    action = LadoAction(
        action_id=action_id or _next_id(LadoAction.action_id, f"{referral.referral_id}-A", 2),
        referral=referral, description=description.strip(), owner=(owner or "").strip() or None,
        due_date=due_date, review_notes="",
    )
    db.session.add(action)
    db.session.flush()
    audit.record("lado.action.create", object_type="lado_action", object_id=action.action_id,
                 summary=f"Referral {referral.referral_id}: action {action.action_id} added",
                 after=audit.snapshot(action, ("owner", "due_date")))
    return action


def complete_action(action: LadoAction, *, completed_date: dt.date) -> LadoAction:
    _writable(action.referral)
    if completed_date is None:
        raise LadoError("Enter the date the action was completed", "completed_date")
    _happened(completed_date, "completed_date", "completion date")
    if action.completed_date is not None:
        raise LadoError("This action is already completed", "completed_date")
    action.completed_date = completed_date
    audit.record("lado.action.complete", object_type="lado_action", object_id=action.action_id,
                 summary=f"Action {action.action_id} completed", after={"completed_date": completed_date})
    db.session.flush()
    return action


def review_action(action: LadoAction, *, notes: str, review_date: dt.date | None = None) -> LadoAction:
    """Add a dated note from the quarterly review of actions."""
    _writable(action.referral)
    if not (notes or "").strip():
        raise LadoError("Enter the review notes", "notes")
    review_date = review_date or today()
    entry = f"{review_date.isoformat()}: {notes.strip()}"
    action.review_notes = (action.review_notes + "\n" if action.review_notes else "") + entry
    audit.record("lado.action.review", object_type="lado_action", object_id=action.action_id,
                 summary=f"Action {action.action_id} reviewed", after={"review_date": review_date})
    db.session.flush()
    return action


# --- reads of LADO records are audited (domain.md §1) -------------------------------------------------


def record_read(object_type: str, object_id: str | None, what: str = "page") -> None:
    audit.record("lado.read", object_type=object_type, object_id=object_id,
                 summary=f"Viewed LADO {object_type.removeprefix('lado_')} {object_id or ''} {what}".strip())


def record_list_read(name: str, *, page: int, total: int, refs: list[str]) -> None:
    """One ``lado.read`` row for a page of a LADO list (contacts log, open referrals, actions,
    oversight) that showed records: the list, the page and the references shown — never a
    filter value (an action owner may be a person's name)."""
    audit.record("lado.read", object_type="lado_list", object_id=name,
                 summary=f"Viewed LADO {name} page {page} ({total} records)",
                 after={"page": page, "total": total, "refs": refs})


def record_search_read(*, by: list[str], page: int, total: int, people: list[str], organisations: list[str]) -> None:
    """One ``lado.read`` row for a page of search results: which kinds of criteria were used
    and the references shown — never the name, date of birth or organisation searched for."""
    audit.record("lado.read", object_type="lado_search", object_id=None,
                 summary=f"Viewed LADO search results page {page} ({total} people)",
                 after={"by": by, "page": page, "total": total, "people": people, "organisations": organisations})


# --- foster carers: review after allegation (domain.md §6, 003:L1493) ---------------------------------


def request_review_after_allegation(referral: LadoReferral):
    """Own foster carers returned to panel get a ``review_after_allegation`` panel case.

    A hook: panels do not exist in this codebase yet, so this is a no-op until
    ``tracker.panels.operations`` provides ``create_review_after_allegation(referral)``
    (it should be idempotent: called again when the referral is closed or updated).
    """
    contact = referral.contact
    if contact.foster_carer_agency != "own" or not referral.returned_to_panel:
        return None
    try:
        panels = importlib.import_module("tracker.panels.operations")
    except ModuleNotFoundError as exc:
        if exc.name not in ("tracker.panels", "tracker.panels.operations"):
            raise
        return None
    create = getattr(panels, "create_review_after_allegation", None)
    if create is None:
        log.info("panels has no create_review_after_allegation yet; referral %s not sent to panel", referral.referral_id)
        return None
    return create(referral)
