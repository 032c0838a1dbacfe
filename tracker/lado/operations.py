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
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from tracker.core import audit, checks, references, removal, timescales, worklist
from tracker.core.clock import today
from tracker.core.errors import DomainError
from tracker.extensions import db
from tracker.formatters import format_date
from tracker.lado import matching, queries
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
# the workflow's checks and reasons (issue 11), audited with the referral's other fields when they change
REFERRAL_WORKFLOW_FIELDS = ("dbs_considered", "no_iem_reason", "outcome_late_reason")
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
    outcome comes with its date (interchange.md §1); a closed referral has an outcome."""
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
    if closed_date is not None and outcome is None:
        raise DomainError(CLOSED_WITHOUT_OUTCOME, "closed_date")


CLOSED_WITHOUT_OUTCOME = "A referral cannot be closed without an outcome: record the outcome first"


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


def check_lado_officer(officer_id: str | None, field: str = "officer_id") -> None:
    """An allocated LADO (or the LADO who chases an action) is an enabled user with the role lado
    or lado_manager (blank: not allocated). The import checks a whole file with
    ``queries.lado_officers`` and this message."""
    if officer_id and not queries.lado_officers([officer_id]):
        raise DomainError(not_a_lado_officer(officer_id), field)


def default_lado(*candidates: str | None) -> str | None:
    """The LADO a new referral is allocated to: the first of ``candidates`` (the signed-in LADO
    officer, then the contact's LADO) who is a LADO officer; None (the LADO managers' queue)
    when none is."""
    wanted = [c for c in candidates if c]
    officers = {officer_id for officer_id, _name in queries.lado_officers(wanted)} if wanted else set()
    return next((c for c in wanted if c in officers), None)


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


def paims_before_iem(referral_id: str | None = None):
    """PAIMs dated before their referral's first IEM, or of a referral with no IEM (a meeting
    removed by mistake does not count): meeting_id, meeting_date, first_iem (None: no IEM)."""
    iem = aliased(LadoMeeting)
    first_iem = (
        select(func.min(iem.meeting_date))
        .where(iem.referral_id == LadoMeeting.referral_id, iem.meeting_type == "iem", iem.removed_at.is_(None))
        .scalar_subquery()
    )
    query = (
        select(LadoMeeting.meeting_id, LadoMeeting.meeting_date, first_iem.label("first_iem"))
        .where(
            LadoMeeting.meeting_type == "paim",
            LadoMeeting.removed_at.is_(None),
            or_(first_iem.is_(None), LadoMeeting.meeting_date < first_iem),
        )
        .order_by(LadoMeeting.meeting_id)
    )
    return query if referral_id is None else query.where(LadoMeeting.referral_id == referral_id)


def paim_before_iem_message(meeting_date: dt.date, first_iem: dt.date | None) -> str:
    """The message of ``paims_before_iem`` for one PAIM (a form's field error, an import row's)."""
    if first_iem is None:
        return "A PAIM follows the Initial Evaluation Meeting: record the IEM first (this referral has none)"
    return f"A PAIM cannot be before the referral's first IEM ({format_date(first_iem)})"


def _paims_out_of_order(referral_id: str) -> set[str]:
    db.session.flush()
    return set(db.session.scalars(paims_before_iem(referral_id).with_only_columns(LadoMeeting.meeting_id)))


def _check_iem_before_paim(meeting: LadoMeeting, before: set[str], field: str = "meeting_date") -> None:
    """IEM before PAIM on the meeting's referral once ``meeting`` is recorded, changed or removed:
    refused when a PAIM is out of order that was not before (``before``: ``_paims_out_of_order``
    ahead of the change, so a record imported out of order does not block other changes)."""
    db.session.flush()
    rows = [r for r in db.session.execute(paims_before_iem(meeting.referral_id)) if r.meeting_id not in before]
    if not rows:
        return
    own = next((r for r in rows if r.meeting_id == meeting.meeting_id and meeting.removed_at is None), None)
    if own is not None:
        message = paim_before_iem_message(own.meeting_date, own.first_iem)
        raise DomainError(message, "meeting_type" if own.first_iem is None else field)
    raise DomainError(
        f"The PAIM of {format_date(rows[0].meeting_date)} would then come before the first Initial Evaluation "
        "Meeting: a PAIM follows the IEM",
        field,
    )


def _refuse_if_any(query, message: str, field: str) -> None:
    db.session.flush()
    if db.session.execute(query.limit(1)).first() is not None:
        raise DomainError(message, field)


def _writable(referral: LadoReferral) -> None:
    if referral.closed_date is not None:
        raise DomainError("This referral is closed. Re-open it before changing it.", "closed")


_user_id = removal.acting_user_id  # who makes the change (None for the import or a command)


# --- the workflow's deadlines and reasons (IEM → PAIM → outcome → closure) -----------------------

MEETING_DUE_KINDS = {MeetingType.iem: "lado_iem", MeetingType.paim: "lado_paim"}


def meeting_due(referral: LadoReferral, meeting_type: str | None):
    """The open deadline a meeting of this type meets — the IEM's or the PAIM's — as the worklist
    computes it (``worklist.for_record``: one definition); None for another type, or when none
    is open (the IEM already held, say)."""
    kind = MEETING_DUE_KINDS.get(MeetingType.get(meeting_type))
    if kind is None:
        return None
    db.session.flush()
    return next(
        (i for i in worklist.for_record("lado_referral", referral.referral_id, today()) if i.kind == kind), None
    )


def held_meeting_due(meeting: LadoMeeting) -> dt.date | None:
    """The deadline a meeting already recorded met, by the rules of the due items it closed
    (``queries.iem_due``, ``paim_due``): the referral's first IEM, referral date + ``lado_iem``;
    its first PAIM, first IEM + ``lado_paim``. None for any other meeting (a second IEM, a
    strategy meeting) or a PAIM with no IEM before it."""
    db.session.flush()
    kept = [m for m in meeting.referral.meetings if m.removed_at is None]
    firsts = {
        kind: min(
            (m for m in kept if m.meeting_type == kind), key=lambda m: (m.meeting_date, m.meeting_id), default=None
        )
        for kind in (MeetingType.iem, MeetingType.paim)
    }
    if firsts.get(meeting.meeting_type) is not meeting:
        return None
    if meeting.meeting_type == MeetingType.iem:
        return timescales.deadline("lado_iem", meeting.referral.referral_date)
    first_iem = firsts[MeetingType.iem]
    return timescales.deadline("lado_paim", first_iem.meeting_date) if first_iem is not None else None


def outcome_due(referral: LadoReferral) -> dt.date | None:
    """The outcome's timescale: the rule ``lado_conclusion`` (the contact + 28 days; the annual
    report's target for reaching an outcome). The outcome has no due item of its own."""
    return timescales.deadline("lado_conclusion", referral.contact.contact_date)


def late_reason_for(day: dt.date | None, due: dt.date | None, reason: str | None, field: str, what: str) -> str | None:
    """Why ``day`` is after its deadline ``due``: required then (a warning, not a block); None
    when it is on time (a reason given anyway is not kept)."""
    if day is None or due is None or day <= due:
        return None
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(f"{what} was due by {format_date(due)}: enter the reason for the delay", field)
    return reason


def _iem_held_by(referral: LadoReferral, day: dt.date) -> bool:
    """Whether an IEM (not removed) was held on or before ``day``."""
    db.session.flush()
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(LadoMeeting)
            .where(
                LadoMeeting.referral_id == referral.referral_id,
                LadoMeeting.meeting_type == "iem",
                LadoMeeting.removed_at.is_(None),
                LadoMeeting.meeting_date <= day,
            )
        )
    )


def _iem_before_outcome(referral: LadoReferral) -> bool:
    """Whether the referral's outcome (if any) follows an IEM or says why none was held."""
    return (
        referral.outcome_date is None or bool(referral.no_iem_reason) or _iem_held_by(referral, referral.outcome_date)
    )


def _check_outcome_keeps_its_iem(referral: LadoReferral, before: bool, field: str) -> None:
    """A meeting changed or removed may not leave the outcome without the IEM it followed
    (``before``: ``_iem_before_outcome`` ahead of the change, so imported history does not block)."""
    if before and not _iem_before_outcome(referral):
        raise DomainError(
            f"The outcome of {format_date(referral.outcome_date)} follows this Initial Evaluation Meeting, the only "
            "one before it: record the outcome again saying why no IEM was held, then change the meeting",
            field,
        )


def no_iem_reason_for(referral: LadoReferral, outcome_date: dt.date, reason: str | None) -> str | None:
    """An outcome follows an IEM held on or before its date; without one the LADO says why none
    was held (``reason``; None when not given, so the form asks for the box to be ticked). None
    when there is an IEM (a reason given anyway is not kept)."""
    if _iem_held_by(referral, outcome_date):
        return None
    if reason is None:
        raise DomainError(
            "Record the Initial Evaluation Meeting before the outcome, or select that no IEM was held and say why",
            "no_iem",
        )
    reason = reason.strip()
    if not reason:
        raise DomainError("Enter why no Initial Evaluation Meeting was held", "no_iem_reason")
    return reason


# --- the person and organisation indexes ---------------------------------------------------------


PERSON_DETAILS = ("name", "date_of_birth", "other_names", "identifiers")


def find_or_create_person(
    ref: str | None, name: str | None = None, date_of_birth: dt.date | None = None
) -> LadoPerson | None:
    """Reuse the person with this reference, or create one (a generated reference when none is given).
    Returns None for an anonymous consultation (no reference and no name). A person reused gets
    the name and date of birth they lacked; a name that is neither theirs nor one of their other
    names is added to their other names (the spelling this contact came with)."""
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
        before = audit.snapshot(person, PERSON_DETAILS)
        if name and not person.name:
            person.name = name
        elif name and not matching.known_by(person, name):
            person.other_names = matching.with_name(person.other_names, name)
        if date_of_birth and not person.date_of_birth:
            person.date_of_birth = date_of_birth
        _, a = audit.changed(before, audit.snapshot(person, PERSON_DETAILS))
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
    if org is None and ref is None:  # the same name (``matching.name_key``; a row saved before keys: its name)
        org = db.session.scalar(
            select(LadoOrganisation)
            .where(
                or_(
                    LadoOrganisation.name_key == matching.name_key(name),
                    func.lower(LadoOrganisation.name) == name.lower(),
                )
            )
            .order_by(LadoOrganisation.ref)
        )
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
    person: LadoPerson,
    *,
    name: str | None,
    date_of_birth: dt.date | None,
    notes: str | None,
    other_names: str | None = None,
    identifiers: str | None = None,
) -> LadoPerson:
    """Change a person's name, date of birth and notes, and (when given) the other names they are
    known by (one a line) and their identifiers (free text: a staff or DBS number…). The audit
    row names the details that changed, not their values: the log is read by administrators,
    who may not see LADO records (as a meeting's minutes or a contact's summary are not copied
    either). None when nothing did. The name key follows the name (``matching``)."""
    checks.not_future(date_of_birth, "date_of_birth", "The date of birth")
    fields = ("name", "date_of_birth", "notes", "other_names", "identifiers")
    before = audit.snapshot(person, fields)
    person.name = (name or "").strip() or None
    person.date_of_birth = date_of_birth
    person.notes = notes or ""
    if other_names is not None:
        person.other_names = "\n".join(matching.name_lines(other_names))
    if identifiers is not None:
        person.identifiers = identifiers.strip()
    _, a = audit.changed(before, audit.snapshot(person, fields))
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


def choose_subject(
    person_ref: str | None,
    person_name: str | None,
    person_dob: dt.date | None,
    organisation_ref: str | None = None,
    organisation_name: str | None = None,
    choice: matching.SubjectChoice | None = None,
) -> LadoPerson | None:
    """The subject of a contact, found or created by ``find_or_create_person`` — except that on a
    contact form (``choice``) a new person is not created while people already known may be them
    (``matching.candidates_for_subject``): ``matching.PossibleMatches`` offers those people until
    the LADO chooses to link the contact to one of them (a person merged since then stands for
    the person kept) or that this is a new person, once every current candidate was offered."""
    if choice is not None:
        chosen = choice.links_to()
        if chosen is not None:
            person = matching.kept_person(db.session.scalar(select(LadoPerson).where(LadoPerson.public_id == chosen)))
            if person is not None:
                return find_or_create_person(person.ref, person_name, person_dob)
        found = matching.candidates_for_subject(
            person_ref, person_name, person_dob, organisation_ref, organisation_name
        )
        if found and not choice.new_person_for(found):
            raise matching.PossibleMatches(found)
    return find_or_create_person(person_ref, person_name, person_dob)


MERGE_DETAILS = ("ref", "public_id", *PERSON_DETAILS, "merged_into_ref")


def merge_persons(duplicate: LadoPerson | None, *, into: LadoPerson | None) -> LadoPerson:
    """A LADO manager merges two records of the same person: every contact about ``duplicate``
    (and about anyone merged into it before) moves to ``into``, the person kept. The duplicate
    keeps its row, pointing at the person kept (``merged_into_ref``), as do those merged into it
    before (a merge is one step deep). The person kept gains the duplicate's name and other
    names as other names (those not theirs already), its identifiers, and its date of birth
    when theirs is not recorded. One audit row (``lado_person.merge``, its values for LADO roles
    only) holds what reverses it: the contacts moved, from whom, and both people's details
    before and after."""
    if duplicate is None or into is None:
        raise DomainError("Select or enter the other person", "duplicate")
    if duplicate.ref == into.ref:
        raise DomainError("A person cannot be merged into themselves", "duplicate")
    if into.merged_into_ref is not None:
        raise DomainError(
            f"Person {into.ref} was merged into person {into.merged_into_ref}: merge into that person instead",
            "duplicate",
        )
    if duplicate.merged_into_ref is not None:
        raise DomainError(
            f"Person {duplicate.ref} was already merged into person {duplicate.merged_into_ref}", "duplicate"
        )
    before = {"duplicate": audit.snapshot(duplicate, MERGE_DETAILS), "kept": audit.snapshot(into, MERGE_DETAILS)}
    followers = list(
        db.session.scalars(
            select(LadoPerson).where(LadoPerson.merged_into_ref == duplicate.ref).order_by(LadoPerson.ref)
        )
    )
    group = [duplicate.ref, *(p.ref for p in followers)]
    contacts = list(
        db.session.scalars(
            select(LadoContact).where(LadoContact.person_ref.in_(group)).order_by(LadoContact.contact_id)
        )
    )
    moved = {c.contact_id: c.person_ref for c in contacts}
    for contact in contacts:
        contact.person_ref = into.ref
    for follower in followers:
        follower.merged_into_ref = into.ref
    duplicate.merged_into_ref = into.ref
    names = [n for n in [duplicate.name, *matching.name_lines(duplicate.other_names)] if not matching.known_by(into, n)]
    into.other_names = matching.with_name(into.other_names, *names)
    known = set(matching.name_lines(into.identifiers))
    extra = [line for line in matching.name_lines(duplicate.identifiers) if line not in known]
    into.identifiers = "\n".join([*matching.name_lines(into.identifiers), *extra])
    if into.date_of_birth is None:
        into.date_of_birth = duplicate.date_of_birth
    db.session.flush()
    for contact in contacts:
        db.session.expire(contact, ["person"])
    audit.record(
        "lado_person.merge",
        object_type="lado_person",
        object_id=duplicate.public_id,  # the references may be names: the summary names public ids
        summary=f"Person {duplicate.public_id} merged into person {into.public_id}: "
        f"{len(moved)} contact{'' if len(moved) == 1 else 's'} moved",
        before=before | {"contacts": moved, "merged_into_duplicate": {p.ref: duplicate.ref for p in followers}},
        after={
            "duplicate": audit.snapshot(duplicate, MERGE_DETAILS),
            "kept": audit.snapshot(into, MERGE_DETAILS),
            "contacts": dict.fromkeys(moved, into.ref),
            "merged_into_duplicate": {p.ref: into.ref for p in followers},
        },
    )
    return into


ORGANISATION_FIELDS = ("name", "sector", "urn")


def update_organisation(
    org: LadoOrganisation, *, name: str | None, sector: str | None, urn: str | None
) -> LadoOrganisation:
    """Change an organisation's name, sector and URN (a school's unique reference number, an
    Ofsted number…). One audit row with the values before and after; none when nothing changed.
    The name key follows the name (``matching``)."""
    checks.code(sector, Sector, "sector", "Select the sector", required_=False)
    urn = (urn or "").strip() or None
    if urn is not None and len(urn) > 20:
        raise DomainError("The URN must be 20 characters or fewer", "urn")
    checks.reference(urn, "urn", "The URN")
    before = audit.snapshot(org, ORGANISATION_FIELDS)
    org.name = (name or "").strip() or None
    org.sector = Sector.get(sector)
    org.urn = urn
    b, a = audit.changed(before, audit.snapshot(org, ORGANISATION_FIELDS))
    if a:
        audit.record(
            "lado_organisation.update",
            object_type="lado_organisation",
            object_id=org.ref,
            summary=f"Organisation {org.ref} updated",
            before=b,
            after=a,
        )
    db.session.flush()
    return org


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
    subject_choice: matching.SubjectChoice | None = None,
) -> LadoContact:
    """Record a contact; no subject = an anonymous consultation. A contact logged with the
    disposition ``referral`` gets its referral at once, dated the day of the contact. From the
    contact form (``subject_choice``), people already known who may be the subject are offered
    before a new person is created (``choose_subject``)."""
    check_contact(contact_date, employer_sector, disposition, foster_carer_type, foster_carer_agency, categories)
    check_subject(person_ref, organisation_ref, person_dob)
    person = choose_subject(person_ref, person_name, person_dob, organisation_ref, organisation_name, subject_choice)
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
    if any(k in fields for k in _SUBJECT_KEYS):  # from the edit form, possible matches first (``choose_subject``)
        person = choose_subject(
            fields.get("person_ref"),
            fields.get("person_name"),
            fields.get("person_dob"),
            fields.get("organisation_ref"),
            fields.get("organisation_name"),
            fields.get("subject_choice"),
        )
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
        officer_id=default_lado(officer_id, contact.officer_id),
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
    fields = REFERRAL_FIELDS + REFERRAL_WORKFLOW_FIELDS
    before = audit.snapshot(referral, fields)
    for key, value in changes.items():
        setattr(referral, key, value)
    b, a = audit.changed(before, audit.snapshot(referral, fields))
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
    an allocation made before, whose officer is no longer one, is kept when it is not changed.
    A new allocation is its own audit row (``allocate_referral``); the other details one
    ``lado_referral.update`` row (written also when nothing changed, unless the allocation did)."""
    _writable(referral)
    officer_id = (officer_id or "").strip() or None
    checks.reference(officer_id, "officer_id", "The officer id")
    details = {
        "police_investigation": bool(police_investigation),
        "child_informed": bool(child_informed),
        "returned_to_panel": bool(returned_to_panel),
    }
    reallocated = officer_id != referral.officer_id
    if reallocated:
        check_lado_officer(officer_id)
    if not reallocated or any(getattr(referral, key) != value for key, value in details.items()):
        _change_referral(referral, "lado_referral.update", "details updated", details)
    if reallocated:
        allocate_referral(referral, officer_id=officer_id)
    request_review_after_allegation(referral)
    return referral


def allocate_referral(referral: LadoReferral, *, officer_id: str | None, waiting: bool = False) -> LadoReferral:
    """Allocate a referral to a LADO officer (``check_lado_officer``; blank: back to the LADO
    managers' queue): one ``lado_referral.allocate`` audit row with the officer ids before and
    after, none when it does not change. Its IEM, PAIM and the actions nobody else chases move
    with it (their due items' owner is the referral's LADO). ``waiting`` (the "To allocate"
    queue) allocates only a referral that is still unallocated: one a colleague allocated since
    the page was opened is refused, so their allocation is not overwritten."""
    _writable(referral)
    officer_id = (officer_id or "").strip() or None
    checks.reference(officer_id, "officer_id", "The officer id")
    if waiting:
        if referral.officer_id is not None:
            raise DomainError(
                f"Referral {referral.referral_id} has been allocated to {referral.officer_id} since this page was "
                "opened",
                "officer_id",
            )
        checks.required(officer_id, "officer_id", "Select the LADO officer to allocate the referral to")
    if officer_id == referral.officer_id:
        return referral
    check_lado_officer(officer_id)
    before = referral.officer_id
    referral.officer_id = officer_id
    audit.record(
        "lado_referral.allocate",
        object_type="lado_referral",
        object_id=referral.referral_id,
        summary=f"Referral {referral.referral_id}: "
        + (f"allocated to {officer_id}" if officer_id else "no longer allocated (back to the LADO managers' queue)"),
        before={"officer_id": before},
        after={"officer_id": officer_id},
    )
    db.session.flush()
    return referral


def record_outcome(
    referral: LadoReferral,
    *,
    outcome: str,
    outcome_date: dt.date,
    child_informed: bool | None = None,
    no_iem_reason: str | None = None,
    late_reason: str | None = None,
) -> LadoReferral:
    """The KCSIE outcome and its date; the outcome cannot precede the referral. It follows an
    IEM held on or before its date, or the LADO says why no IEM was held (``no_iem_reason``);
    an outcome after its timescale (``outcome_due``) needs the reason for the delay
    (``late_reason``). Both reasons are kept on the referral and in the audit row."""
    _writable(referral)
    checks.code(outcome, Outcome, "outcome", "Select the outcome")
    checks.required(outcome_date, "outcome_date", "Enter the date of the outcome")
    check_referral(referral.referral_date, outcome, outcome_date, referral.dbs_referral_date, referral.closed_date)
    changes = {
        "outcome": Outcome(outcome),
        "outcome_date": outcome_date,
        "no_iem_reason": no_iem_reason_for(referral, outcome_date, no_iem_reason),
        "outcome_late_reason": late_reason_for(
            outcome_date, outcome_due(referral), late_reason, "outcome_late_reason", "The outcome"
        ),
    }
    if child_informed is not None:
        changes["child_informed"] = bool(child_informed)
    return _change_referral(referral, "lado_referral.record_outcome", f"outcome {outcome} recorded", changes)


def record_dbs_referral(referral: LadoReferral, *, dbs_referral_date: dt.date) -> LadoReferral:
    _writable(referral)
    checks.required(dbs_referral_date, "dbs_referral_date", "Enter the date of the DBS referral")
    return _change_referral(
        referral, "lado_referral.record_dbs", "DBS referral recorded", {"dbs_referral_date": dbs_referral_date}
    )


def close_referral(
    referral: LadoReferral,
    *,
    closed_date: dt.date,
    dbs_considered: bool | None = None,
    child_informed: bool | None = None,
    returned_to_panel: bool | None = None,
) -> LadoReferral:
    """Close once the outcome is recorded, with the closing checklist: a DBS referral considered,
    the child (or family) told the outcome, an own foster carer returned to panel (each given
    is saved; None leaves it as it is). Without an outcome it is refused (``check_referral``)."""
    _writable(referral)
    checks.required(closed_date, "closed_date", "Enter the date LADO involvement was concluded")
    checks.not_before(
        closed_date, referral.outcome_date, "closed_date", "The referral cannot be closed before its outcome date"
    )
    changes = {"closed_date": closed_date}
    for key, value in (
        ("dbs_considered", dbs_considered),
        ("child_informed", child_informed),
        ("returned_to_panel", returned_to_panel),
    ):
        if value is not None:
            changes[key] = bool(value)
    _change_referral(referral, "lado_referral.close", "closed", changes)
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
    late_reason: str | None = None,
    user=None,
) -> LadoMeeting:
    """Schedule (a future date) or record (a past date) an IEM, strategy, PAIM or review meeting.
    A PAIM follows the referral's first IEM (``paims_before_iem``). An IEM or a PAIM dated after
    its deadline (``meeting_due``) needs the reason for the delay (``late_reason``, kept and
    audited). The user who records it is its author (``recorded_by``), who may remove it."""
    _writable(referral)
    check_meeting(meeting_type, meeting_date)
    due = meeting_due(referral, meeting_type)  # before the meeting is added: the deadline it meets
    what = f"The {MeetingType(meeting_type).label}"  # as the page's warning names it
    late_reason = late_reason_for(meeting_date, due.due_date if due else None, late_reason, "late_reason", what)
    out_of_order = _paims_out_of_order(referral.referral_id)
    meeting = LadoMeeting(
        meeting_id=references.new_ref("lado_meeting"),
        referral=referral,
        meeting_type=MeetingType(meeting_type),
        meeting_date=meeting_date,
        attendees=attendees or "",
        minutes_notes=minutes_notes or "",
        decisions=decisions or "",
        late_reason=late_reason,
        recorded_by=_user_id(user),
    )
    db.session.add(meeting)
    _refuse_if_any(
        meetings_before_referral(meeting.meeting_id), "The meeting cannot be before the referral", "meeting_date"
    )
    _check_iem_before_paim(meeting, out_of_order)
    after = audit.snapshot(meeting, ("meeting_type", "meeting_date"))
    if late_reason:
        after |= {"due_date": due.due_date, "late_reason": late_reason}
    audit.record(
        "lado_meeting.create",
        object_type="lado_meeting",
        object_id=meeting.meeting_id,
        summary=f"Referral {referral.referral_id}: {meeting_type} meeting recorded",
        after=after,
    )
    return meeting


def update_meeting(meeting: LadoMeeting, *, late_reason: str | None = None, **fields) -> LadoMeeting:
    """Change a meeting with the rules of ``record_meeting`` (a known type, a date not before
    the referral; a future date keeps it scheduled); a closed referral's meetings are read-only.
    A type or date changed so that the IEM or PAIM is later than its deadline (``held_meeting_due``)
    needs the reason for the delay (``late_reason``, else the one kept), cleared once on time;
    changing only the notes of an old meeting does not ask.
    One audit row per change: type and date before/after, and the names of the text fields
    changed (attendees, minutes, decisions) without their content; none when nothing changed."""
    _writable(meeting.referral)
    check_meeting(fields.get("meeting_type", meeting.meeting_type), fields.get("meeting_date", meeting.meeting_date))
    if "meeting_type" in fields:
        fields["meeting_type"] = MeetingType(fields["meeting_type"])
    out_of_order = _paims_out_of_order(meeting.referral_id)
    had_iem = _iem_before_outcome(meeting.referral)
    audited = (*MEETING_FIELDS, "late_reason")
    before = audit.snapshot(meeting, audited)
    for key, value in fields.items():
        if key in MEETING_FIELDS:
            setattr(meeting, key, value if value is not None or key in ("meeting_type", "meeting_date") else "")
    _refuse_if_any(
        meetings_before_referral(meeting.meeting_id), "The meeting cannot be before the referral", "meeting_date"
    )
    _check_iem_before_paim(meeting, out_of_order)
    _check_outcome_keeps_its_iem(meeting.referral, had_iem, "meeting_date")
    moved = audit.changed(before, audit.snapshot(meeting, ("meeting_type", "meeting_date")))[1]
    if moved or (late_reason or "").strip():  # the text alone changed: an old meeting is not re-judged
        due = held_meeting_due(meeting)
        what = f"The {meeting.meeting_type.label}"
        reason = late_reason if (late_reason or "").strip() else meeting.late_reason
        meeting.late_reason = late_reason_for(meeting.meeting_date, due, reason, "late_reason", what)
    b, a = audit.changed(before, audit.snapshot(meeting, audited))
    if a:
        dated = ("meeting_type", "meeting_date", "late_reason")  # as ``record_meeting`` records them
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
    referral: LadoReferral,
    *,
    description: str,
    owner: str | None = None,
    due_date: dt.date | None = None,
    chaser_officer_id: str | None = None,
) -> LadoAction:
    """An action: what needs doing, who does it (``owner``: free text, for example the employer),
    its due date and the LADO who chases it (``chaser_officer_id``, a LADO officer; blank: the
    referral's allocated LADO, whoever that is when it falls due)."""
    _writable(referral)
    check_action(description, due_date=due_date)
    chaser_officer_id = (chaser_officer_id or "").strip() or None
    checks.reference(chaser_officer_id, "chaser_officer_id", "The officer id")
    check_lado_officer(chaser_officer_id, "chaser_officer_id")
    action = LadoAction(
        action_id=references.new_ref("lado_action"),
        referral=referral,
        description=description.strip(),
        owner=(owner or "").strip() or None,
        due_date=due_date,
        chaser_officer_id=chaser_officer_id,
        review_notes="",
        recorded_by=_user_id(),  # its author, who may remove it
    )
    db.session.add(action)
    db.session.flush()
    audit.record(
        "lado_action.create",
        object_type="lado_action",
        object_id=action.action_id,
        summary=f"Referral {referral.referral_id}: action {action.action_id} added",
        after=audit.snapshot(action, ("owner", "due_date", "chaser_officer_id")),
    )
    return action


ACTION_FIELDS = ("description", "owner", "due_date", "chaser_officer_id")


def update_action(
    action: LadoAction,
    *,
    description: str,
    owner: str | None = None,
    due_date: dt.date | None = None,
    chaser_officer_id: str | None = None,
) -> LadoAction:
    """Correct an action with the rules of ``add_action`` (what needs doing, who does it, its due
    date, the LADO who chases it: a LADO officer, or blank for the referral's LADO); a closed
    referral's actions are read-only. One audit row: who does it, the due date and the chaser
    before/after, and whether the description changed (not what it says); none when nothing did."""
    _writable(action.referral)
    check_action(description, due_date=due_date)
    chaser_officer_id = (chaser_officer_id or "").strip() or None
    checks.reference(chaser_officer_id, "chaser_officer_id", "The officer id")
    check_lado_officer(chaser_officer_id, "chaser_officer_id")
    before = audit.snapshot(action, ACTION_FIELDS)
    action.description = description.strip()
    action.owner = (owner or "").strip() or None
    action.due_date = due_date
    action.chaser_officer_id = chaser_officer_id
    b, a = audit.changed(before, audit.snapshot(action, ACTION_FIELDS))
    if a:
        shown = ("owner", "due_date", "chaser_officer_id")  # as ``add_action`` records them
        after = {k: v for k, v in a.items() if k in shown} | (
            {"text_changed": ["description"]} if "description" in a else {}
        )
        audit.record(
            "lado_action.update",
            object_type="lado_action",
            object_id=action.action_id,
            summary=f"Referral {action.referral_id}: action {action.action_id} updated",
            before={k: v for k, v in b.items() if k in shown},
            after=after,
        )
    db.session.flush()
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
    """Add a dated note from the quarterly review of actions (003:L1585): the action's last
    review is that day (today by default), and its next one is due 3 months later."""
    _writable(action.referral)
    checks.required(notes, "notes", "Enter the review notes")
    review_date = review_date or today()
    checks.not_future(review_date, "notes", "The date of the review")
    entry = f"{review_date.isoformat()}: {notes.strip()}"
    action.review_notes = (action.review_notes + "\n" if action.review_notes else "") + entry
    before = action.last_reviewed_date
    action.last_reviewed_date = review_date
    audit.record(
        "lado_action.review",
        object_type="lado_action",
        object_id=action.action_id,
        summary=f"Action {action.action_id} reviewed",
        before={"last_reviewed_date": before},
        after={"review_date": review_date},
    )
    db.session.flush()
    return action


# --- removal of a meeting or an action recorded by mistake ------------------------------------------
# Kept (soft deleted: removed_at, removed_by, removed_reason) and audited; no part of the referral's
# page, due items or figures any more; the LADO manager still sees it. Who may remove it (its author
# or a LADO manager) is the view's check (``views.may_remove``).


def _remove(record, reason: str | None, what: str, user) -> str:
    _writable(record.referral)
    return removal.mark_removed(record, reason, what, user)


def remove_meeting(meeting: LadoMeeting, *, reason: str | None, user=None) -> LadoMeeting:
    """Remove a meeting recorded by mistake, with the reason. An IEM whose removal would leave a
    PAIM before any IEM is kept (remove the PAIM first), and so is the IEM an outcome follows."""
    out_of_order = _paims_out_of_order(meeting.referral_id)
    had_iem = _iem_before_outcome(meeting.referral)
    reason = _remove(meeting, reason, "meeting", user)
    _check_iem_before_paim(meeting, out_of_order, field="reason")
    _check_outcome_keeps_its_iem(meeting.referral, had_iem, "reason")
    audit.record(
        "lado_meeting.remove",
        object_type="lado_meeting",
        object_id=meeting.meeting_id,
        summary=f"Referral {meeting.referral_id}: meeting {meeting.meeting_id} removed",
        before=audit.snapshot(meeting, ("meeting_type", "meeting_date")),
        after={"reason": reason},
    )
    db.session.flush()
    db.session.expire(meeting.referral, ["meetings"])
    return meeting


def remove_action(action: LadoAction, *, reason: str | None, user=None) -> LadoAction:
    """Remove an action recorded by mistake, with the reason."""
    reason = _remove(action, reason, "action", user)
    audit.record(
        "lado_action.remove",
        object_type="lado_action",
        object_id=action.action_id,
        summary=f"Referral {action.referral_id}: action {action.action_id} removed",
        before=audit.snapshot(action, ("owner", "due_date", "completed_date")),
        after={"reason": reason},
    )
    db.session.flush()
    db.session.expire(action.referral, ["actions"])
    return action


# --- foster carers: review after allegation (domain.md §6, 003:L1493) -------------------------------


def request_review_after_allegation(referral: LadoReferral) -> bool:
    """Own foster carers returned to panel get a ``review_after_allegation`` panel case: tell
    the receivers of ``returned_to_panel`` (the panels feature). True when it was sent."""
    if referral.contact.foster_carer_agency != CarerAgency.own or not referral.returned_to_panel:
        return False
    returned_to_panel.send(referral)
    return True
