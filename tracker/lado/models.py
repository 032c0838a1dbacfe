"""LADO records (domain.md §6): the person and organisation indexes, contacts, referrals,
meetings and actions. Codes and their labels live here, once; the database checks them too.

Public ids (contact_id, referral_id, …) are the primary keys, so the import upserts by id and
the foreign keys read as the LADO's own references.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db

# --- codes (domain.md §6) -------------------------------------------------------------

DISPOSITIONS: dict[str, str] = {
    "referral": "Referral (allegations process)",
    "advice": "Advice only (low-level enquiry)",
    "internal_investigation": "Internal investigation by the employer",
    "standards_of_care": "Foster carer: fostering standards of care",
    "no_further_action": "No further action",
}

SECTORS: dict[str, str] = {
    "education": "Education",
    "early_years": "Early years",
    "foster_care": "Foster care",
    "residential_care": "Residential care",
    "social_care": "Social care",
    "health": "Health",
    "police": "Police",
    "armed_forces": "Armed forces",
    "sport": "Sport",
    "faith": "Faith",
    "voluntary": "Voluntary",
    "transport": "Transport",
    "self_employed": "Self-employed",
    "other": "Other",
}

CATEGORIES: dict[str, str] = {
    "physical": "Physical",
    "sexual": "Sexual",
    "emotional": "Emotional",
    "neglect": "Neglect",
    "transferable_risk": "Transferable risk (private life)",
    "conduct": "Professional conduct",
}

OUTCOMES: dict[str, str] = {
    "substantiated": "Substantiated",
    "false": "False",
    "malicious": "Malicious",
    "unsubstantiated": "Unsubstantiated",
    "unfounded": "Unfounded",
}

# Keeping Children Safe in Education definitions, shown beside the choice (domain.md §6).
OUTCOME_DEFINITIONS: dict[str, str] = {
    "substantiated": "There is sufficient identifiable evidence to prove the allegation.",
    "false": "There is sufficient evidence to disprove the allegation.",
    "malicious": "There is sufficient evidence to disprove the allegation and there has been a deliberate act to deceive; the allegation is entirely false.",
    "unsubstantiated": "There is insufficient evidence either to prove or disprove the allegation. The term does not imply guilt or innocence.",
    "unfounded": "There is no evidence or proper basis which supports the allegation being made.",
}

MEETING_TYPES: dict[str, str] = {
    "iem": "Initial Evaluation Meeting (IEM)",
    "strategy": "Strategy meeting",
    "paim": "Post-Allegation Investigation Meeting (PAIM)",
    "review": "Review meeting",
}

FOSTER_CARER_TYPES: dict[str, str] = {"mainstream": "Mainstream", "connected": "Connected person"}

FOSTER_CARER_AGENCIES: dict[str, str] = {
    "own": "The council's own foster carer",
    "other_la": "Another local authority's carer living locally",
    "ifa": "Independent fostering agency",
}


def _in(column: str, codes, nullable: bool = False) -> str:
    listed = ", ".join(f"'{c}'" for c in codes)
    return f"{column} IS NULL OR {column} IN ({listed})" if nullable else f"{column} IN ({listed})"


# --- the indexes for repeat concerns (domain.md §6, 003:L1445) ------------------------


class LadoPerson(db.Model):
    """A person allegations may be about; reference only unless the LADO adds a name."""

    __tablename__ = "lado_persons"

    ref: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200), index=True)
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date, index=True)
    notes: Mapped[str] = mapped_column(Text, default="", server_default="")

    contacts: Mapped[list["LadoContact"]] = relationship(back_populates="person", order_by="LadoContact.contact_date")

    def __repr__(self) -> str:  # no names in logs
        return f"<LadoPerson {self.ref}>"


class LadoOrganisation(db.Model):
    __tablename__ = "lado_organisations"

    ref: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200), index=True)

    contacts: Mapped[list["LadoContact"]] = relationship(back_populates="organisation", order_by="LadoContact.contact_date")


# --- contacts, referrals, meetings, actions -------------------------------------------


class LadoContact(db.Model):
    """Every enquiry to the Designated Officer; subject None = anonymous consultation."""

    __tablename__ = "lado_contacts"

    contact_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    contact_date: Mapped[dt.date] = mapped_column(Date, index=True)
    referrer_agency: Mapped[str | None] = mapped_column(String(200))
    employer_sector: Mapped[str] = mapped_column(String(30))
    subject_role: Mapped[str | None] = mapped_column(String(200))
    person_ref: Mapped[str | None] = mapped_column(ForeignKey("lado_persons.ref"), index=True)
    organisation_ref: Mapped[str | None] = mapped_column(ForeignKey("lado_organisations.ref"), index=True)
    disposition: Mapped[str] = mapped_column(String(30))
    foster_carer_type: Mapped[str | None] = mapped_column(String(20))
    foster_carer_agency: Mapped[str | None] = mapped_column(String(20))
    officer_id: Mapped[str | None] = mapped_column(String(40), index=True)  # allocated LADO (users.officer_id)
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")

    person: Mapped[LadoPerson | None] = relationship(back_populates="contacts")
    organisation: Mapped[LadoOrganisation | None] = relationship(back_populates="contacts")
    category_rows: Mapped[list["LadoContactCategory"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="LadoContactCategory.category"
    )
    referral: Mapped["LadoReferral | None"] = relationship(back_populates="contact", uselist=False)

    __table_args__ = (
        CheckConstraint(_in("employer_sector", SECTORS), name="employer_sector"),
        CheckConstraint(_in("disposition", DISPOSITIONS), name="disposition"),
        CheckConstraint(_in("foster_carer_type", FOSTER_CARER_TYPES, nullable=True), name="foster_carer_type"),
        CheckConstraint(_in("foster_carer_agency", FOSTER_CARER_AGENCIES, nullable=True), name="foster_carer_agency"),
    )

    @property
    def categories(self) -> list[str]:
        return [c.category for c in self.category_rows]

    def set_categories(self, codes) -> None:
        wanted = list(dict.fromkeys(codes or ()))
        self.category_rows = [c for c in self.category_rows if c.category in wanted] + [
            LadoContactCategory(category=code) for code in wanted if code not in self.categories
        ]

    @property
    def anonymous(self) -> bool:
        return self.person_ref is None

    def __repr__(self) -> str:
        return f"<LadoContact {self.contact_id}>"


class LadoContactCategory(db.Model):
    """One row per concern category of a contact, so SQL can count by category."""

    __tablename__ = "lado_contact_categories"

    contact_id: Mapped[str] = mapped_column(ForeignKey("lado_contacts.contact_id", ondelete="CASCADE"), primary_key=True)
    category: Mapped[str] = mapped_column(String(30), primary_key=True)

    __table_args__ = (CheckConstraint(_in("category", CATEGORIES), name="category"),)


class LadoReferral(db.Model):
    __tablename__ = "lado_referrals"

    referral_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    contact_id: Mapped[str] = mapped_column(ForeignKey("lado_contacts.contact_id"), unique=True)
    referral_date: Mapped[dt.date] = mapped_column(Date, index=True)
    police_investigation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    outcome: Mapped[str | None] = mapped_column(String(20))
    outcome_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    dbs_referral_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    returned_to_panel: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    child_informed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    closed_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    officer_id: Mapped[str | None] = mapped_column(String(40), index=True)  # allocated LADO (users.officer_id)

    contact: Mapped[LadoContact] = relationship(back_populates="referral", lazy="joined")
    meetings: Mapped[list["LadoMeeting"]] = relationship(
        back_populates="referral", order_by="(LadoMeeting.meeting_date, LadoMeeting.meeting_id)"
    )
    actions: Mapped[list["LadoAction"]] = relationship(
        back_populates="referral", order_by="(LadoAction.due_date, LadoAction.action_id)"
    )

    __table_args__ = (
        CheckConstraint(_in("outcome", OUTCOMES, nullable=True), name="outcome"),
        # an outcome and its date come together (interchange.md §1)
        CheckConstraint("(outcome IS NULL) = (outcome_date IS NULL)", name="outcome_with_date"),
        CheckConstraint("outcome_date IS NULL OR outcome_date >= referral_date", name="outcome_after_referral"),
        CheckConstraint("closed_date IS NULL OR closed_date >= referral_date", name="closed_after_referral"),
    )

    @property
    def is_closed(self) -> bool:
        return self.closed_date is not None

    def __repr__(self) -> str:
        return f"<LadoReferral {self.referral_id}>"


class LadoMeeting(db.Model):
    __tablename__ = "lado_meetings"

    meeting_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    referral_id: Mapped[str] = mapped_column(ForeignKey("lado_referrals.referral_id"), index=True)
    meeting_type: Mapped[str] = mapped_column(String(20))
    meeting_date: Mapped[dt.date] = mapped_column(Date, index=True)
    attendees: Mapped[str] = mapped_column(Text, default="", server_default="")
    minutes_notes: Mapped[str] = mapped_column(Text, default="", server_default="")
    decisions: Mapped[str] = mapped_column(Text, default="", server_default="")

    referral: Mapped[LadoReferral] = relationship(back_populates="meetings")

    __table_args__ = (CheckConstraint(_in("meeting_type", MEETING_TYPES), name="meeting_type"),)


class LadoAction(db.Model):
    """A recommendation after an investigation, reviewed quarterly (003:L1585)."""

    __tablename__ = "lado_actions"

    action_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    referral_id: Mapped[str] = mapped_column(ForeignKey("lado_referrals.referral_id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(200), index=True)  # free text or an officer id
    due_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    completed_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    review_notes: Mapped[str] = mapped_column(Text, default="", server_default="")

    referral: Mapped[LadoReferral] = relationship(back_populates="actions")
