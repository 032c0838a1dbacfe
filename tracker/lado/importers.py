"""The four LADO files of interchange.md §1: lado_contacts.csv, lado_referrals.csv,
lado_meetings.csv and lado_actions.csv.

Every validation of the interchange list applies: dates parse and contacts, referrals,
meetings held, outcomes and closures are not after today; codes are known; references exist
in the file set or the database; a referral is not dated before its contact; a contact with
disposition ``referral`` has a referral row and a referral's contact has that disposition
(set-based on the database, in ``after_all``, whenever lado_contacts.csv or lado_referrals.csv
is in the import); an outcome comes with its date and a date with its outcome; a referral's
``lado_officer_id`` (its allocated LADO) is an enabled user with the role lado or lado_manager;
a closed referral has an outcome; a PAIM is not dated before its referral's first IEM, nor held
without one (on the database once lado_meetings.csv is written). ``subject_ref`` and
``employer_ref`` create or reuse rows of the person and organisation indexes
(a new person gets its random public id, and every row its name key, as on screen: the mapper
events of ``tracker.lado.matching``). The file's ``subject_ref`` is authoritative: a contact is
never moved to another person because the names match; instead the import counts the subjects
of its contacts who share their name and date of birth with another person (its summary's
"possible duplicate people"), whom a LADO manager may merge from their page.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from tracker.core import interchange, references
from tracker.core.interchange import Importer, RowReader
from tracker.extensions import db
from tracker.lado import matching, operations, queries
from tracker.lado.models import (
    LadoAction,
    LadoContact,
    LadoContactCategory,
    LadoMeeting,
    LadoOrganisation,
    LadoPerson,
    LadoReferral,
)


def _upsert(model, key: str, records: list[dict], fields: list[str]) -> dict:
    """Update existing rows by id, add the others; return {id: object}."""
    ids = [r[key] for r in records]
    existing = {getattr(o, key): o for o in db.session.scalars(select(model).where(getattr(model, key).in_(ids)))}
    for rec in records:
        obj = existing.get(rec[key])
        if obj is None:
            obj = model(**{key: rec[key]})
            db.session.add(obj)
            existing[rec[key]] = obj
        for f in fields:
            setattr(obj, f, rec[f])
    return existing


def _ensure_index_rows(model, refs: set[str], reference: str) -> None:
    """Create person/organisation index rows for references not yet known (reuse the others);
    their name key is set as they are inserted (``matching``: none without a name)."""
    if not refs:
        return
    references.observe(reference, refs)
    known = set(db.session.scalars(select(model.ref).where(model.ref.in_(sorted(refs)))))
    for ref in sorted(refs - known):
        db.session.add(model(ref=ref))


class ContactsImporter(Importer):
    filename = "lado_contacts.csv"
    key = "contact_id"
    reference = "lado_contact"
    fields = [f for f in operations.CONTACT_FIELDS if f != "officer_id"]  # the file has no allocated LADO

    def parse(self, r: RowReader) -> dict | None:
        record = {
            "contact_id": r.id("contact_id", required=True),
            "contact_date": r.date("contact_date", required=True),
            "referrer_agency": r.text("referrer_agency", max_len=200),
            "employer_sector": r.text("employer_sector", required=True),
            "subject_role": r.text("subject_role", max_len=200),
            "person_ref": r.id("subject_ref"),
            "organisation_ref": r.id("employer_ref"),
            "categories": r.multi("categories"),
            "disposition": r.text("disposition", required=True),
            "foster_carer_type": r.text("foster_carer_type"),
            "foster_carer_agency": r.text("foster_carer_agency"),
        }
        if r.ok:
            r.check(
                operations.check_contact,
                record["contact_date"],
                record["employer_sector"],
                record["disposition"],
                record["foster_carer_type"],
                record["foster_carer_agency"],
                record["categories"],
            )
        return record if r.ok else None

    def write(self, records: list[dict], ctx) -> None:
        _ensure_index_rows(LadoPerson, {r["person_ref"] for r in records if r["person_ref"]}, "lado_person")
        _ensure_index_rows(
            LadoOrganisation, {r["organisation_ref"] for r in records if r["organisation_ref"]}, "lado_organisation"
        )
        db.session.flush()
        _upsert(LadoContact, "contact_id", records, self.fields)
        db.session.flush()
        ids = [r["contact_id"] for r in records]
        db.session.execute(delete(LadoContactCategory).where(LadoContactCategory.contact_id.in_(ids)))
        rows = [{"contact_id": r["contact_id"], "category": c} for r in records for c in r["categories"]]
        if rows:
            db.session.execute(LadoContactCategory.__table__.insert(), rows)

    def finish(self, ctx) -> None:
        """The subjects of this file's contacts who may be duplicates (the same name key and date
        of birth as another person not merged): counted in the import's summary, never merged."""
        ids = sorted(ctx.lines.get(self.filename, {}))
        subjects: set[str] = set()
        for start in range(0, len(ids), 500):
            subjects.update(
                db.session.scalars(
                    select(LadoContact.person_ref).where(
                        LadoContact.contact_id.in_(ids[start : start + 500]), LadoContact.person_ref.is_not(None)
                    )
                )
            )
        found = matching.count_possible_duplicates(subjects)
        if found:
            ctx.notes[f"{self.filename}: possible duplicate people"] = found

    def after_all(self, ctx) -> None:
        """Contacts ↔ referrals, whenever either file is in this import (whichever came last,
        and also when only one of them is present)."""
        if self.filename in ctx.lines or ReferralsImporter.filename in ctx.lines:
            check_contacts_and_referrals(ctx)


def check_contacts_and_referrals(ctx) -> None:
    """Set-based checks of contacts against referrals, on the database once this import's files
    are written: a referral is not dated before its contact; a contact with disposition
    ``referral`` has a referral and a referral's contact has that disposition. Each problem is
    reported at the line of the row this import brought (the referral's line when it is in
    lado_referrals.csv, otherwise the contact's line in lado_contacts.csv)."""
    contacts, referrals = ContactsImporter.filename, ReferralsImporter.filename

    def locate(referral_id: str | None, contact_id: str, referral_column: str, contact_column: str):
        line = ctx.line_for(referrals, referral_id) if referral_id else None
        if line is not None:
            return referrals, line, referral_column
        return contacts, ctx.line_for(contacts, contact_id), contact_column

    before = db.session.execute(operations.referrals_before_contact()).all()
    for ref, contact_id, referral_date, contact_date in before:
        filename, line, column = locate(ref, contact_id, "referral_date", "contact_date")
        if filename == referrals:
            message = f"{referral_date.isoformat()} is before the date of its contact ({contact_date.isoformat()})"
        else:
            message = (
                f"{contact_date.isoformat()} is after the date of its referral {ref!r} ({referral_date.isoformat()})"
            )
        ctx.error(filename, line, column, message)
    not_referral = db.session.execute(
        select(LadoReferral.referral_id, LadoContact.contact_id, LadoContact.disposition)
        .join(LadoContact, LadoContact.contact_id == LadoReferral.contact_id)
        .where(LadoContact.disposition != "referral")
        .order_by(LadoReferral.referral_id)
    ).all()
    for ref, contact_id, disposition in not_referral:
        filename, line, column = locate(ref, contact_id, "contact_id", "disposition")
        if filename == referrals:
            message = f"contact {contact_id!r} has disposition {str(disposition)!r}, not 'referral'"
        else:
            message = f"contact {contact_id!r} has referral {ref!r}, so its disposition must be 'referral', not {str(disposition)!r}"
        ctx.error(filename, line, column, message)
    missing = db.session.scalars(
        select(LadoContact.contact_id)
        .outerjoin(LadoReferral, LadoReferral.contact_id == LadoContact.contact_id)
        .where(LadoContact.disposition == "referral", LadoReferral.referral_id.is_(None))
        .order_by(LadoContact.contact_id)
    ).all()
    for contact_id in missing:
        ctx.error(
            contacts,
            ctx.line_for(contacts, contact_id),
            "disposition",
            f"contact {contact_id!r} has disposition 'referral' but no referral "
            f"(no row in {referrals} or the database)",
        )


class ReferralsImporter(Importer):
    filename = "lado_referrals.csv"
    key = "referral_id"
    reference = "lado_referral"
    fields = [
        "contact_id",
        "referral_date",
        "police_investigation",
        "outcome",
        "outcome_date",
        "dbs_referral_date",
        "returned_to_panel",
        "child_informed",
        "closed_date",
    ]

    def parse(self, r: RowReader) -> dict | None:
        record = {
            "referral_id": r.id("referral_id", required=True),
            "contact_id": r.ref("contact_id", "lado_contact", required=True),
            "referral_date": r.date("referral_date", required=True),
            "officer_id": r.ref("lado_officer_id", "officer"),
            "police_investigation": r.boolean("police_investigation"),
            "outcome": r.text("outcome"),
            "outcome_date": r.date("outcome_date"),
            "dbs_referral_date": r.date("dbs_referral_date"),
            "returned_to_panel": r.boolean("returned_to_panel"),
            "child_informed": r.boolean("child_informed"),
            "closed_date": r.date("closed_date"),
        }
        if "lado_officer_id" not in r.row:  # a file without the column keeps the allocations made on screen
            del record["officer_id"]
        if r.ok:
            r.check(
                operations.check_referral,
                record["referral_date"],
                record["outcome"],
                record["outcome_date"],
                record["dbs_referral_date"],
                record["closed_date"],
            )
        return record if r.ok else None

    def write(self, records: list[dict], ctx) -> None:
        records = self._allocated_to_lado_officers(records, ctx)
        # one referral per contact: a second row for the same contact is an error, not an overwrite
        ids = [r["referral_id"] for r in records]
        contacts = [r["contact_id"] for r in records]
        taken = dict(
            db.session.execute(
                select(LadoReferral.contact_id, LadoReferral.referral_id).where(
                    LadoReferral.contact_id.in_(contacts), LadoReferral.referral_id.not_in(ids)
                )
            ).all()
        )
        seen: dict[str, str] = {}
        good = []
        for rec in records:
            other = taken.get(rec["contact_id"]) or seen.get(rec["contact_id"])
            if other:
                ctx.error(
                    self.filename,
                    ctx.line_for(self.filename, rec["referral_id"]),
                    "contact_id",
                    f"{rec['contact_id']!r} already has referral {other!r}",
                )
                continue
            seen[rec["contact_id"]] = rec["referral_id"]
            good.append(rec)
        if not ctx.failed:
            allocated = any("officer_id" in rec for rec in good)  # the file has the lado_officer_id column
            _upsert(LadoReferral, "referral_id", good, self.fields + (["officer_id"] if allocated else []))

    def _allocated_to_lado_officers(self, records: list[dict], ctx) -> list[dict]:
        """The records whose allocated LADO is blank or a LADO officer (one query for the batch:
        ``operations.check_lado_officer``'s rule and message); the others are errors."""
        wanted = {r["officer_id"] for r in records if r.get("officer_id")}
        officers = {officer_id for officer_id, _name in queries.lado_officers(wanted)} if wanted else set()
        good = []
        for rec in records:
            if rec.get("officer_id") and rec["officer_id"] not in officers:
                ctx.error(
                    self.filename,
                    ctx.line_for(self.filename, rec["referral_id"]),
                    "lado_officer_id",
                    operations.not_a_lado_officer(rec["officer_id"]),
                )
                continue
            good.append(rec)
        return good


class MeetingsImporter(Importer):
    filename = "lado_meetings.csv"
    key = "meeting_id"
    reference = "lado_meeting"

    def parse(self, r: RowReader) -> dict | None:
        record = {
            "meeting_id": r.id("meeting_id", required=True),
            "referral_id": r.ref("referral_id", "lado_referral", required=True),
            "meeting_type": r.text("meeting_type", required=True),
            "meeting_date": r.date("meeting_date", required=True),
        }
        if r.ok:
            r.check(operations.check_meeting, record["meeting_type"], record["meeting_date"], held=True)
        return record if r.ok else None

    def write(self, records: list[dict], ctx) -> None:
        _upsert(LadoMeeting, "meeting_id", records, ["referral_id", "meeting_type", "meeting_date"])

    def finish(self, ctx) -> None:
        early = db.session.execute(operations.meetings_before_referral()).all()
        for ref, meeting_date, referral_date in early:
            ctx.error(
                self.filename,
                ctx.line_for(self.filename, ref),
                "meeting_date",
                f"{meeting_date.isoformat()} is before the referral date ({referral_date.isoformat()})",
            )
        # IEM before PAIM (the rule of the meeting form): a PAIM not before its referral's first IEM
        for ref, meeting_date, first_iem in db.session.execute(operations.paims_before_iem()).all():
            ctx.error(
                self.filename,
                ctx.line_for(self.filename, ref),
                "meeting_date",
                f"{meeting_date.isoformat()}: {operations.paim_before_iem_message(meeting_date, first_iem)}",
            )


class ActionsImporter(Importer):
    filename = "lado_actions.csv"
    key = "action_id"
    reference = "lado_action"

    def parse(self, r: RowReader) -> dict | None:
        record = {
            "action_id": r.id("action_id", required=True),
            "referral_id": r.ref("referral_id", "lado_referral", required=True),
            "description": r.text("description", required=True),
            "owner": r.text("owner", max_len=200),
            "due_date": r.date("due_date", ahead=True),  # due dates may lie ahead
            "completed_date": r.date("completed_date"),
        }
        if r.ok:
            r.check(operations.check_action, record["description"], record["completed_date"], record["due_date"])
        return record if r.ok else None

    def write(self, records: list[dict], ctx) -> None:
        _upsert(LadoAction, "action_id", records, ["referral_id", "description", "owner", "due_date", "completed_date"])


interchange.register_ref_kind("lado_contact", LadoContact.contact_id)
interchange.register_ref_kind("lado_referral", LadoReferral.referral_id)
for _importer in (ContactsImporter(), ReferralsImporter(), MeetingsImporter(), ActionsImporter()):
    interchange.register_importer(_importer)
