"""LADO records (domain.md §6): the person and organisation indexes, contacts, referrals,
meetings and actions. Codes and their labels live here, once; the database checks them too.

Public ids (contact_id, referral_id, …) are the primary keys, so the import upserts by id and
the foreign keys read as the LADO's own references.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.enums import CodeEnum, Status
from tracker.db import Code, Removable, Versioned, check_in
from tracker.extensions import db

# --- codes (domain.md §6) -------------------------------------------------------------


class Disposition(CodeEnum):
    referral = "referral", "Referral (allegations process)", "red"
    advice = "advice", "Advice only (low-level enquiry)", "blue"
    internal_investigation = "internal_investigation", "Internal investigation by the employer", "purple"
    standards_of_care = "standards_of_care", "Foster carer: fostering standards of care", "purple"
    no_further_action = "no_further_action", "No further action", "grey"


class Sector(CodeEnum):
    education = "education", "Education"
    early_years = "early_years", "Early years"
    foster_care = "foster_care", "Foster care"
    residential_care = "residential_care", "Residential care"
    social_care = "social_care", "Social care"
    health = "health", "Health"
    police = "police", "Police"
    armed_forces = "armed_forces", "Armed forces"
    sport = "sport", "Sport"
    faith = "faith", "Faith"
    voluntary = "voluntary", "Voluntary"
    transport = "transport", "Transport"
    self_employed = "self_employed", "Self-employed"
    other = "other", "Other"


class Category(CodeEnum):
    physical = "physical", "Physical"
    sexual = "sexual", "Sexual"
    emotional = "emotional", "Emotional"
    neglect = "neglect", "Neglect"
    transferable_risk = "transferable_risk", "Transferable risk (private life)"
    conduct = "conduct", "Professional conduct"


class Outcome(CodeEnum):
    """Keeping Children Safe in Education definitions, shown beside the choice (domain.md §6)."""

    substantiated = (
        "substantiated",
        "Substantiated",
        "red",
        "There is sufficient identifiable evidence to prove the allegation.",
    )
    false = "false", "False", "grey", "There is sufficient evidence to disprove the allegation."
    malicious = (
        "malicious",
        "Malicious",
        "grey",
        "There is sufficient evidence to disprove the allegation and there has been a deliberate act to deceive; "
        "the allegation is entirely false.",
    )
    unsubstantiated = (
        "unsubstantiated",
        "Unsubstantiated",
        "yellow",
        "There is insufficient evidence either to prove or disprove the allegation. "
        "The term does not imply guilt or innocence.",
    )
    unfounded = (
        "unfounded",
        "Unfounded",
        "grey",
        "There is no evidence or proper basis which supports the allegation being made.",
    )


class MeetingType(CodeEnum):
    iem = "iem", "Initial Evaluation Meeting (IEM)"
    strategy = "strategy", "Strategy meeting"
    paim = "paim", "Post-Allegation Investigation Meeting (PAIM)"
    review = "review", "Review meeting"


class CarerType(CodeEnum):
    mainstream = "mainstream", "Mainstream"
    connected = "connected", "Connected person"


class CarerAgency(CodeEnum):
    own = "own", "The council's own foster carer"
    other_la = "other_la", "Another local authority's carer living locally"
    ifa = "ifa", "Independent fostering agency"


# --- the indexes for repeat concerns (domain.md §6, 003:L1445) ------------------------


def new_public_id() -> str:
    """An unguessable, URL-safe id (16 characters, 96 random bits)."""
    return secrets.token_urlsafe(12)


class LadoPerson(Versioned, db.Model):
    """A person allegations may be about; reference only unless the LADO adds a name.

    The reference may be a name-like string from the case system ("JSmith-1980"), so it never
    goes in a URL: the person's page is at their ``public_id``, random and set on every insert
    (by an operation, the import or a test alike)."""

    __tablename__ = "lado_persons"

    ref: Mapped[str] = mapped_column(String(40), primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    name: Mapped[str | None] = mapped_column(String(200), index=True)
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date, index=True)
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    other_names: Mapped[str] = mapped_column(Text, default="", server_default="")  # aliases, one per line
    identifiers: Mapped[str] = mapped_column(Text, default="", server_default="")  # e.g. a staff or DBS number
    # The name normalised for matching (lower case, letters and spaces only, words sorted): the
    # database narrows candidates by it; the fuzzy comparison runs over those in Python.
    name_key: Mapped[str | None] = mapped_column(String(200), index=True)
    # A duplicate merged by a LADO manager points at the person kept (the merge is audited).
    merged_into_ref: Mapped[str | None] = mapped_column(ForeignKey("lado_persons.ref"), index=True)

    contacts: Mapped[list[LadoContact]] = relationship(back_populates="person", order_by="LadoContact.contact_date")

    def __repr__(self) -> str:  # no names in logs
        return f"<LadoPerson {self.ref}>"


class LadoOrganisation(db.Model):
    __tablename__ = "lado_organisations"

    ref: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200), index=True)
    sector: Mapped[Sector | None] = mapped_column(Code(Sector, 30))
    urn: Mapped[str | None] = mapped_column(String(20), index=True)  # e.g. a school's URN, an Ofsted number
    name_key: Mapped[str | None] = mapped_column(String(200), index=True)  # as LadoPerson.name_key

    contacts: Mapped[list[LadoContact]] = relationship(
        back_populates="organisation", order_by="LadoContact.contact_date"
    )

    __table_args__ = (CheckConstraint(check_in("sector", Sector, nullable=True), name="sector"),)


# --- contacts, referrals, meetings, actions -------------------------------------------


class LadoContact(Versioned, db.Model):
    """Every enquiry to the Designated Officer; subject None = anonymous consultation."""

    __tablename__ = "lado_contacts"

    contact_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    contact_date: Mapped[dt.date] = mapped_column(Date, index=True)
    referrer_agency: Mapped[str | None] = mapped_column(String(200))
    employer_sector: Mapped[Sector] = mapped_column(Code(Sector, 30))
    subject_role: Mapped[str | None] = mapped_column(String(200))
    person_ref: Mapped[str | None] = mapped_column(ForeignKey("lado_persons.ref"), index=True)
    organisation_ref: Mapped[str | None] = mapped_column(ForeignKey("lado_organisations.ref"), index=True)
    disposition: Mapped[Disposition] = mapped_column(Code(Disposition, 30))
    foster_carer_type: Mapped[CarerType | None] = mapped_column(Code(CarerType, 20))
    foster_carer_agency: Mapped[CarerAgency | None] = mapped_column(Code(CarerAgency, 20))
    officer_id: Mapped[str | None] = mapped_column(String(40), index=True)  # allocated LADO (users.officer_id)
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")

    person: Mapped[LadoPerson | None] = relationship(back_populates="contacts")
    organisation: Mapped[LadoOrganisation | None] = relationship(back_populates="contacts")
    category_rows: Mapped[list[LadoContactCategory]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="LadoContactCategory.category"
    )
    referral: Mapped[LadoReferral | None] = relationship(back_populates="contact", uselist=False)

    __table_args__ = (
        CheckConstraint(check_in("employer_sector", Sector), name="employer_sector"),
        CheckConstraint(check_in("disposition", Disposition), name="disposition"),
        CheckConstraint(check_in("foster_carer_type", CarerType, nullable=True), name="foster_carer_type"),
        CheckConstraint(check_in("foster_carer_agency", CarerAgency, nullable=True), name="foster_carer_agency"),
    )

    @property
    def categories(self) -> list[str]:
        return [c.category for c in self.category_rows]

    def set_categories(self, codes) -> None:
        wanted = list(dict.fromkeys(codes or ()))
        self.category_rows = [c for c in self.category_rows if c.category in wanted] + [
            LadoContactCategory(category=Category(code)) for code in wanted if code not in self.categories
        ]

    @property
    def anonymous(self) -> bool:
        return self.person_ref is None

    def __repr__(self) -> str:
        return f"<LadoContact {self.contact_id}>"


class LadoContactCategory(db.Model):
    """One row per concern category of a contact, so SQL can count by category."""

    __tablename__ = "lado_contact_categories"

    contact_id: Mapped[str] = mapped_column(
        ForeignKey("lado_contacts.contact_id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[Category] = mapped_column(Code(Category, 30), primary_key=True)

    __table_args__ = (CheckConstraint(check_in("category", Category), name="category"),)


class LadoReferral(Versioned, db.Model):
    __tablename__ = "lado_referrals"

    referral_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    contact_id: Mapped[str] = mapped_column(ForeignKey("lado_contacts.contact_id"), unique=True)
    referral_date: Mapped[dt.date] = mapped_column(Date, index=True)
    police_investigation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    outcome: Mapped[Outcome | None] = mapped_column(Code(Outcome, 20))
    outcome_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    dbs_referral_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    returned_to_panel: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    child_informed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    closed_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    officer_id: Mapped[str | None] = mapped_column(String(40), index=True)  # allocated LADO (users.officer_id)
    dbs_considered: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    no_iem_reason: Mapped[str | None] = mapped_column(Text)  # an outcome without an IEM: why none was held
    outcome_late_reason: Mapped[str | None] = mapped_column(Text)  # why the outcome came after its timescale

    contact: Mapped[LadoContact] = relationship(back_populates="referral", lazy="joined")
    # the meetings and actions in force: one removed by mistake is kept (``removed_at``) but is
    # no part of the referral any more (its page, due items and figures); queries.removed_records
    meetings: Mapped[list[LadoMeeting]] = relationship(
        back_populates="referral",
        primaryjoin="and_(LadoMeeting.referral_id == LadoReferral.referral_id, LadoMeeting.removed_at.is_(None))",
        order_by="(LadoMeeting.meeting_date, LadoMeeting.meeting_id)",
    )
    actions: Mapped[list[LadoAction]] = relationship(
        back_populates="referral",
        primaryjoin="and_(LadoAction.referral_id == LadoReferral.referral_id, LadoAction.removed_at.is_(None))",
        order_by="(LadoAction.due_date, LadoAction.action_id)",
    )

    __table_args__ = (
        CheckConstraint(check_in("outcome", Outcome, nullable=True), name="outcome"),
        # an outcome and its date come together (interchange.md §1)
        CheckConstraint("(outcome IS NULL) = (outcome_date IS NULL)", name="outcome_with_date"),
        CheckConstraint("outcome_date IS NULL OR outcome_date >= referral_date", name="outcome_after_referral"),
        CheckConstraint("closed_date IS NULL OR closed_date >= referral_date", name="closed_after_referral"),
    )

    @property
    def status(self) -> Status:
        return Status.of(self.closed_date)

    def __repr__(self) -> str:
        return f"<LadoReferral {self.referral_id}>"


class LadoMeeting(Removable, Versioned, db.Model):
    __tablename__ = "lado_meetings"

    meeting_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    referral_id: Mapped[str] = mapped_column(ForeignKey("lado_referrals.referral_id"), index=True)
    meeting_type: Mapped[MeetingType] = mapped_column(Code(MeetingType, 20))
    meeting_date: Mapped[dt.date] = mapped_column(Date, index=True)
    attendees: Mapped[str] = mapped_column(Text, default="", server_default="")
    minutes_notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    decisions: Mapped[str] = mapped_column(Text, default="", server_default="")
    late_reason: Mapped[str | None] = mapped_column(Text)  # why it was held after its timescale
    # who recorded it (a removal made by mistake: ``Removable``, kept, hidden but for the LADO manager: audited)
    recorded_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))

    referral: Mapped[LadoReferral] = relationship(back_populates="meetings")

    __table_args__ = (CheckConstraint(check_in("meeting_type", MeetingType), name="meeting_type"),)


class LadoAction(Removable, Versioned, db.Model):
    """A recommendation after an investigation, reviewed quarterly (003:L1585)."""

    __tablename__ = "lado_actions"

    action_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    referral_id: Mapped[str] = mapped_column(ForeignKey("lado_referrals.referral_id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(200), index=True)  # free text or an officer id
    due_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    completed_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    review_notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    # the LADO who chases it (users.officer_id): its due item is theirs, whoever does the action
    chaser_officer_id: Mapped[str | None] = mapped_column(String(40), index=True)
    last_reviewed_date: Mapped[dt.date | None] = mapped_column(Date)  # reviewed quarterly (003:L1585)
    # who recorded it (a removal made by mistake: ``Removable``, kept, hidden but for the LADO manager: audited)
    recorded_by: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))

    referral: Mapped[LadoReferral] = relationship(back_populates="actions")
