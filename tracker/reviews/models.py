"""Children in care, their care periods, CiC reviews and IRO contacts (domain.md §4).

Due dates are never stored: the review chain is derived in SQL (``tracker.reviews.chain``)
so that an edited review date or a changed timescale rule moves every later due date.
Officer ids (the child's QARO, a review's QARO) are the ``users.officer_id`` strings the
council's files use; they are checked on the way in (forms, operations, import) rather than
by a foreign key, so that an administrator can still correct an officer id.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.enums import CodeEnum
from tracker.db import Code, Removable, Versioned, check_in
from tracker.extensions import db


class ParticipationCode(CodeEnum):
    """SSDA903 participation codes (domain.md §4). Blank (None) = not known."""

    PN0 = "PN0", "Child under 4 at the time of the review"
    PN1 = "PN1", "Child attends and speaks for themselves"
    PN2 = "PN2", "Child attends, an advocate speaks on their behalf"
    PN3 = "PN3", "Child attends and conveys their views non-verbally"
    PN4 = "PN4", "Child attends but does not contribute"
    PN5 = "PN5", "Child absent, briefs an advocate to speak for them"
    PN6 = "PN6", "Child absent, conveys their views by other means"
    PN7 = "PN7", "Child absent, no views conveyed"

    @property
    def participating(self) -> bool:
        return self in PARTICIPATING


NOT_KNOWN_LABEL = "Not known"
PARTICIPATING = tuple(ParticipationCode(c) for c in ("PN1", "PN2", "PN3", "PN4", "PN5", "PN6"))  # domain.md §4


class ContactType(CodeEnum):
    visit = "visit", "Visit"
    phone = "phone", "Phone call"
    video = "video", "Video call"
    text = "text", "Text message"
    letter_card = "letter_card", "Letter or card"
    other = "other", "Other"


class Plan(CodeEnum):
    """A review's planned date beside its statutory due date (the due date never moves for a plan)."""

    in_time = "planned", "Planned in time", "green"
    late = "planned_late", "Planned late", "red"

    @classmethod
    def of(cls, planned: dt.date | None, due: dt.date | None) -> Plan | None:
        if planned is None or due is None:
            return None
        return cls.late if planned > due else cls.in_time


class LegalStatus(CodeEnum):
    """SSDA903 legal statuses. Stored as the case system sends them (other codes are kept)."""

    C1 = "C1", "C1 – Interim care order"
    C2 = "C2", "C2 – Full care order"
    D1 = "D1", "D1 – Freeing order granted"
    E1 = "E1", "E1 – Placement order granted"
    J1 = "J1", "J1 – Remanded to local authority accommodation or youth detention"
    J2 = "J2", "J2 – Placed in accommodation under PACE"
    J3 = "J3", "J3 – Sentenced to a Youth Rehabilitation Order"
    L1 = "L1", "L1 – Under police protection and in local authority accommodation"
    L2 = "L2", "L2 – Emergency protection order"
    L3 = "L3", "L3 – Under child assessment order and in local authority accommodation"
    V2 = "V2", "V2 – Single period of accommodation under section 20"
    V3 = "V3", "V3 – Accommodated under an agreed series of short-term breaks"
    V4 = "V4", "V4 – Accommodated under an agreed series of short-term breaks, when agreements are recorded"


def full_name(first_name: str | None, last_name: str | None) -> str:
    """ "Amy Ng", or "" when no name is recorded."""
    return " ".join(p for p in (first_name, last_name) if p)


def child_label(name: str, child_id: str) -> str:
    """The child as every list, worklist row and home page names them, to the roles that may see
    children: "Amy Ng (C1)", or the reference alone when no name is recorded."""
    return f"{name} ({child_id})" if name else child_id


class Child(Versioned, db.Model):
    __tablename__ = "children"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[str] = mapped_column(String(40), unique=True)  # the council's case-system reference
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    date_of_birth: Mapped[dt.date] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(40))
    ethnicity: Mapped[str | None] = mapped_column(String(100))
    uasc: Mapped[bool] = mapped_column(Boolean, default=False)
    iro_officer_id: Mapped[str | None] = mapped_column(String(40), index=True)  # the allocated QARO
    iro_contact_expected: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # the date the QARO plans to hold the next review (the due date stays the statutory one)
    planned_review_date: Mapped[dt.date | None] = mapped_column(Date)

    # the care periods, reviews and IRO contacts in force: one removed by mistake is kept
    # (``removed_at``) but is no part of the child any more (tracker.core.removal)
    care_periods: Mapped[list[CarePeriod]] = relationship(
        back_populates="child",
        cascade="all, delete-orphan",
        primaryjoin="and_(CarePeriod.child_pk == Child.id, CarePeriod.removed_at.is_(None))",
        order_by="CarePeriod.start_date",
    )
    reviews: Mapped[list[Review]] = relationship(
        back_populates="child",
        cascade="all, delete-orphan",
        primaryjoin="and_(Review.child_pk == Child.id, Review.removed_at.is_(None))",
        order_by="Review.review_date",
    )
    contacts: Mapped[list[IroContact]] = relationship(
        back_populates="child",
        cascade="all, delete-orphan",
        primaryjoin="and_(IroContact.child_pk == Child.id, IroContact.removed_at.is_(None))",
        order_by="IroContact.contact_date",
    )

    @property
    def name(self) -> str:
        return full_name(self.first_name, self.last_name) or self.child_id

    @property
    def label(self) -> str:
        """ "Amy Ng (C1)": the child as lists and worklists name them (``child_label``)."""
        return child_label(full_name(self.first_name, self.last_name), self.child_id)

    def __repr__(self) -> str:  # no personal data in logs
        return f"<Child {self.child_id}>"


class CarePeriod(Removable, Versioned, db.Model):
    __tablename__ = "care_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_pk: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    start_date: Mapped[dt.date] = mapped_column(Date, index=True)
    end_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    legal_status: Mapped[str | None] = mapped_column(String(10))  # LegalStatus codes, or as the case system sent it

    child: Mapped[Child] = relationship(back_populates="care_periods")

    __table_args__ = (
        # one period in force per start date (a removed one does not stop it being recorded again)
        Index(
            "uq_care_periods_child_pk_start_date",
            "child_pk",
            "start_date",
            unique=True,
            sqlite_where=text("removed_at IS NULL"),
            postgresql_where=text("removed_at IS NULL"),
        ),
        # the child's periods, removed or not: the lookup every chain query makes (a partial
        # index serves only queries that repeat its condition; without this one the team page
        # scans the periods, ten times slower on a county's data: docs/benchmarks.md)
        Index("ix_care_periods_child_pk_start_date", "child_pk", "start_date"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
    )

    @property
    def legal_status_label(self) -> str:
        return LegalStatus.label_of(self.legal_status)

    @property
    def is_current(self) -> bool:
        return self.end_date is None

    def __repr__(self) -> str:
        return f"<CarePeriod {self.id}>"


class Review(Removable, Versioned, db.Model):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[str] = mapped_column(String(40), unique=True)
    child_pk: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    review_date: Mapped[dt.date] = mapped_column(Date, index=True)
    scheduled_date: Mapped[dt.date | None] = mapped_column(Date)
    officer_id: Mapped[str | None] = mapped_column(String(40), index=True)
    participation_code: Mapped[ParticipationCode | None] = mapped_column(Code(ParticipationCode, 3))  # None = not known
    advocate: Mapped[bool] = mapped_column(Boolean, default=False)
    recommendations_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    minutes_date: Mapped[dt.date | None] = mapped_column(Date, index=True)

    child: Mapped[Child] = relationship(back_populates="reviews")

    __table_args__ = (
        CheckConstraint(check_in("participation_code", ParticipationCode, nullable=True), name="participation_code"),
        CheckConstraint(
            "recommendations_date IS NULL OR recommendations_date >= review_date", name="recommendations_after_review"
        ),
        CheckConstraint("minutes_date IS NULL OR minutes_date >= review_date", name="minutes_after_review"),
        Index("ix_reviews_child_pk_review_date", "child_pk", "review_date"),
    )

    @property
    def participation_label(self) -> str:
        return self.participation_code.label if self.participation_code else NOT_KNOWN_LABEL

    def __repr__(self) -> str:
        return f"<Review {self.review_id}>"


class IroContact(Removable, Versioned, db.Model):
    __tablename__ = "iro_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[str] = mapped_column(String(40), unique=True)
    child_pk: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    contact_date: Mapped[dt.date] = mapped_column(Date, index=True)
    contact_type: Mapped[ContactType | None] = mapped_column(Code(ContactType, 20))
    officer_id: Mapped[str | None] = mapped_column(String(40), index=True)

    child: Mapped[Child] = relationship(back_populates="contacts")

    __table_args__ = (
        CheckConstraint(check_in("contact_type", ContactType, nullable=True), name="contact_type"),
        Index("ix_iro_contacts_child_pk_contact_date", "child_pk", "contact_date"),
    )

    def __repr__(self) -> str:
        return f"<IroContact {self.contact_id}>"
