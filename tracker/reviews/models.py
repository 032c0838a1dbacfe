"""Children in care, their care periods, CiC reviews and IRO contacts (domain.md §4).

Due dates are never stored: the review chain is derived in SQL (``tracker.reviews.chain``)
so that an edited review date or a changed timescale rule moves every later due date.
Officer ids (the child's QARO, a review's QARO) are the ``users.officer_id`` strings the
council's files use; they are checked on the way in (forms, operations, import) rather than
by a foreign key, so that an administrator can still correct an officer id.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db


class ParticipationCode(str, enum.Enum):
    """SSDA903 participation codes (domain.md §4). Blank (None) = not known."""

    PN0 = "PN0"
    PN1 = "PN1"
    PN2 = "PN2"
    PN3 = "PN3"
    PN4 = "PN4"
    PN5 = "PN5"
    PN6 = "PN6"
    PN7 = "PN7"

    @property
    def label(self) -> str:
        return PARTICIPATION_LABELS[self.value]

    @property
    def participating(self) -> bool:
        return self.value in PARTICIPATING


PARTICIPATION_LABELS = {
    "PN0": "Child under 4 at the time of the review",
    "PN1": "Child attends and speaks for themselves",
    "PN2": "Child attends, an advocate speaks on their behalf",
    "PN3": "Child attends and conveys their views non-verbally",
    "PN4": "Child attends but does not contribute",
    "PN5": "Child absent, briefs an advocate to speak for them",
    "PN6": "Child absent, conveys their views by other means",
    "PN7": "Child absent, no views conveyed",
}
NOT_KNOWN_LABEL = "Not known"
PARTICIPATING = ("PN1", "PN2", "PN3", "PN4", "PN5", "PN6")  # domain.md §4
PARTICIPATION_CODES = tuple(c.value for c in ParticipationCode)


def participation_label(code: str | None) -> str:
    return PARTICIPATION_LABELS.get(code or "", NOT_KNOWN_LABEL)


class ContactType(str, enum.Enum):
    visit = "visit"
    phone = "phone"
    video = "video"
    text = "text"
    letter_card = "letter_card"
    other = "other"

    @property
    def label(self) -> str:
        return CONTACT_TYPE_LABELS[self.value]


CONTACT_TYPE_LABELS = {
    "visit": "Visit",
    "phone": "Phone call",
    "video": "Video call",
    "text": "Text message",
    "letter_card": "Letter or card",
    "other": "Other",
}
CONTACT_TYPES = tuple(c.value for c in ContactType)


def contact_type_label(code: str | None) -> str:
    return CONTACT_TYPE_LABELS.get(code or "", "")


LEGAL_STATUSES = {
    "C1": "C1 – Interim care order",
    "C2": "C2 – Full care order",
    "D1": "D1 – Freeing order granted",
    "E1": "E1 – Placement order granted",
    "J1": "J1 – Remanded to local authority accommodation or youth detention",
    "J2": "J2 – Placed in accommodation under PACE",
    "J3": "J3 – Sentenced to a Youth Rehabilitation Order",
    "L1": "L1 – Under police protection and in local authority accommodation",
    "L2": "L2 – Emergency protection order",
    "L3": "L3 – Under child assessment order and in local authority accommodation",
    "V2": "V2 – Single period of accommodation under section 20",
    "V3": "V3 – Accommodated under an agreed series of short-term breaks",
    "V4": "V4 – Accommodated under an agreed series of short-term breaks, when agreements are recorded",
}


def legal_status_label(code: str | None) -> str:
    return LEGAL_STATUSES.get(code or "", code or "")


def _codes(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class Child(db.Model):
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

    care_periods: Mapped[list["CarePeriod"]] = relationship(
        back_populates="child", cascade="all, delete-orphan", order_by="CarePeriod.start_date"
    )
    reviews: Mapped[list["Review"]] = relationship(
        back_populates="child", cascade="all, delete-orphan", order_by="Review.review_date"
    )
    contacts: Mapped[list["IroContact"]] = relationship(
        back_populates="child", cascade="all, delete-orphan", order_by="IroContact.contact_date"
    )

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or self.child_id

    def __repr__(self) -> str:  # no personal data in logs
        return f"<Child {self.child_id}>"


class CarePeriod(db.Model):
    __tablename__ = "care_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    child_pk: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    start_date: Mapped[dt.date] = mapped_column(Date, index=True)
    end_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    legal_status: Mapped[str | None] = mapped_column(String(10))

    child: Mapped[Child] = relationship(back_populates="care_periods")

    __table_args__ = (
        UniqueConstraint("child_pk", "start_date", name="uq_care_periods_child_pk_start_date"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
    )

    def __repr__(self) -> str:
        return f"<CarePeriod {self.id}>"


class Review(db.Model):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[str] = mapped_column(String(40), unique=True)
    child_pk: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    review_date: Mapped[dt.date] = mapped_column(Date, index=True)
    scheduled_date: Mapped[dt.date | None] = mapped_column(Date)
    officer_id: Mapped[str | None] = mapped_column(String(40), index=True)
    participation_code: Mapped[str | None] = mapped_column(String(3))  # None = not known
    advocate: Mapped[bool] = mapped_column(Boolean, default=False)
    recommendations_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    minutes_date: Mapped[dt.date | None] = mapped_column(Date, index=True)

    child: Mapped[Child] = relationship(back_populates="reviews")

    __table_args__ = (
        CheckConstraint(f"participation_code IS NULL OR participation_code IN ({_codes(PARTICIPATION_CODES)})", name="participation_code"),
        CheckConstraint("recommendations_date IS NULL OR recommendations_date >= review_date", name="recommendations_after_review"),
        CheckConstraint("minutes_date IS NULL OR minutes_date >= review_date", name="minutes_after_review"),
        Index("ix_reviews_child_pk_review_date", "child_pk", "review_date"),
    )

    @property
    def participation_label(self) -> str:
        return participation_label(self.participation_code)

    def __repr__(self) -> str:
        return f"<Review {self.review_id}>"


class IroContact(db.Model):
    __tablename__ = "iro_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[str] = mapped_column(String(40), unique=True)
    child_pk: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"))
    contact_date: Mapped[dt.date] = mapped_column(Date, index=True)
    contact_type: Mapped[str | None] = mapped_column(String(20))
    officer_id: Mapped[str | None] = mapped_column(String(40), index=True)

    child: Mapped[Child] = relationship(back_populates="contacts")

    __table_args__ = (
        CheckConstraint(f"contact_type IS NULL OR contact_type IN ({_codes(CONTACT_TYPES)})", name="contact_type"),
        Index("ix_iro_contacts_child_pk_contact_date", "child_pk", "contact_date"),
    )

    @property
    def contact_type_label(self) -> str:
        return contact_type_label(self.contact_type)

    def __repr__(self) -> str:
        return f"<IroContact {self.contact_id}>"
