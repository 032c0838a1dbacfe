"""Fostering and adoption panels, Agency Decision Maker decisions, foster households and their
reviews (domain.md §3, §7). Codes and their labels live here, once; the database checks them too.

Public ids (meeting_id, case_id, household_id, review_id) are the primary keys, as in the LADO
feature, so the import upserts by id and the foreign keys read as the panel adviser's references.

Derived, never stored: the papers deadline (meeting − 5 working days), the ADM deadline (final
minutes + 7 working days), a household's next review (approval or last review + 12 months),
whether that review goes to panel, and a temporary approval's end (reg 24/25). Quoracy is computed
from the members present (``PanelMeeting.quorate`` and ``quorate_sql``): a meeting recorded on a
page keeps its members with their roles (``PanelMember``) and the counts are derived from them;
an imported meeting carries the counts (interchange.md §1) and no names.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    and_,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.enums import CodeEnum
from tracker.db import Code, Versioned, check_in
from tracker.extensions import db

# --- codes (domain.md §7) -------------------------------------------------------------


class Panel(CodeEnum):
    fostering = "fostering", "Fostering panel"
    adoption = "adoption", "Adoption panel"

    @property
    def needs_independent_member(self) -> bool:
        """An adoption panel is quorate only with an independent member (domain.md §7)."""
        return self is Panel.adoption

    @property
    def case_types(self) -> tuple[CaseType, ...]:
        return FOSTERING_CASE_TYPES if self is Panel.fostering else ADOPTION_CASE_TYPES


class MeetingStatus(CodeEnum):
    booked = "booked", "Booked", "blue"
    held = "held", "Held", "green"
    cancelled = "cancelled", "Cancelled", "grey"


class MemberRole(CodeEnum):
    """The role a member sat in at one meeting (what quoracy counts, domain.md §7, 000:L934)."""

    chair = "chair", "Chair"
    vice_chair = "vice_chair", "Vice-chair"
    social_worker = "social_worker", "Social worker (3 years or more post-qualifying)"
    independent = "independent", "Independent member"
    other = "other", "Other central list member"


class CaseType(CodeEnum):
    # fostering (domain.md §7)
    approval = "approval", "Approval"
    reg25_extension = "reg25_extension", "Regulation 25 extension"
    resignation = "resignation", "Resignation"
    deregistration = "deregistration", "Deregistration"
    first_review = "first_review", "First review"
    third_year_review = "third_year_review", "Third-year review"
    review_after_allegation = "review_after_allegation", "Review after an allegation"
    change_of_terms = "change_of_terms", "Change of terms of approval"
    long_term_match = "long_term_match", "Long-term match"
    # adoption
    adopter_approval = "adopter_approval", "Adopter approval"
    match = "match", "Match"
    adopter_deregistration = "adopter_deregistration", "Adopter deregistration"
    relinquished_child = "relinquished_child", "Relinquished child"
    # both
    other = "other", "Other"


FOSTERING_CASE_TYPES = (
    CaseType.approval,
    CaseType.reg25_extension,
    CaseType.resignation,
    CaseType.deregistration,
    CaseType.first_review,
    CaseType.third_year_review,
    CaseType.review_after_allegation,
    CaseType.change_of_terms,
    CaseType.long_term_match,
    CaseType.other,
)
ADOPTION_CASE_TYPES = (
    CaseType.adopter_approval,
    CaseType.match,
    CaseType.adopter_deregistration,
    CaseType.relinquished_child,
    CaseType.other,
)


class CarerType(CodeEnum):
    mainstream = "mainstream", "Mainstream"
    connected = "connected", "Connected person"
    foster_to_adopt = "foster_to_adopt", "Foster to adopt"
    temporary = "temporary", "Temporary approval (connected person, regulation 24)"


class Recommendation(CodeEnum):
    positive = "positive", "Positive", "green"
    deferred = "deferred", "Deferred", "yellow"
    negative = "negative", "Negative", "red"
    not_applicable = "not_applicable", "Not applicable (for example a resignation)", "grey"


class AdmDecision(CodeEnum):
    agreed = "agreed", "Agreed with the recommendation", "green"
    not_agreed = "not_agreed", "Did not agree with the recommendation", "red"


class HouseholdStatus(CodeEnum):
    approved = "approved", "Approved", "green"
    on_hold = "on_hold", "On hold", "yellow"
    ended = "ended", "Ended", "grey"


class EndReason(CodeEnum):
    resigned = "resigned", "Resigned"
    deregistered = "deregistered", "Deregistered"
    special_guardianship = "special_guardianship", "Became the child's special guardians"
    adopted = "adopted", "Adopted the child"
    transferred = "transferred", "Moved to another fostering service"
    other = "other", "Other"


class CarerReviewOutcome(CodeEnum):
    approval_continues = "approval_continues", "Approval continues on the same terms", "green"
    terms_changed = "terms_changed", "Terms of approval changed", "blue"
    further_review = "further_review", "Further review needed", "yellow"
    deregistration_proposed = "deregistration_proposed", "Deregistration proposed", "red"


# --- meetings -----------------------------------------------------------------------------

QUORUM = 5  # members present, including the chair or a vice-chair and a social worker (domain.md §7)


class PanelMeeting(Versioned, db.Model):
    __tablename__ = "panel_meetings"

    meeting_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    panel: Mapped[Panel] = mapped_column(Code(Panel, 20))
    meeting_date: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[MeetingStatus] = mapped_column(Code(MeetingStatus, 20))
    cancelled_reason: Mapped[str | None] = mapped_column(Text)
    # attendance: derived from ``members`` when recorded on a page, imported as counts otherwise
    members_present: Mapped[int | None] = mapped_column(Integer)
    chair_present: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # chair or vice-chair
    social_worker_present: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    independent_present: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    members: Mapped[list[PanelMember]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="PanelMember.id"
    )
    cases: Mapped[list[PanelCase]] = relationship(back_populates="meeting", order_by="PanelCase.case_id")

    __table_args__ = (
        CheckConstraint(check_in("panel", Panel), name="panel"),
        CheckConstraint(check_in("status", MeetingStatus), name="status"),
        CheckConstraint("members_present IS NULL OR members_present >= 0", name="members_present"),
    )

    @property
    def quorate(self) -> bool:
        """domain.md §7: at least 5 members including the chair or a vice-chair and a social
        worker; an adoption panel also needs an independent member."""
        return bool(
            (self.members_present or 0) >= QUORUM
            and self.chair_present
            and self.social_worker_present
            and (self.independent_present or not Panel(self.panel).needs_independent_member)
        )

    def __repr__(self) -> str:  # no personal data in logs
        return f"<PanelMeeting {self.meeting_id}>"


def quorate_sql(meeting=PanelMeeting):
    """``PanelMeeting.quorate`` as SQL (for counts and lists)."""
    return and_(
        meeting.members_present >= QUORUM,
        meeting.chair_present.is_(True),
        meeting.social_worker_present.is_(True),
        (meeting.panel != Panel.adoption.value) | meeting.independent_present.is_(True),
    )


class PanelMember(db.Model):
    """A member present at one meeting, in the role they sat in."""

    __tablename__ = "panel_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("panel_meetings.meeting_id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[MemberRole] = mapped_column(Code(MemberRole, 20))

    meeting: Mapped[PanelMeeting] = relationship(back_populates="members")

    __table_args__ = (CheckConstraint(check_in("role", MemberRole), name="role"),)


# --- cases --------------------------------------------------------------------------------


class PanelCase(Versioned, db.Model):
    """One case on one panel's agenda. Without a meeting it is *awaiting a date* (a new case,
    a case whose meeting was cancelled, a review after an allegation from the LADO)."""

    __tablename__ = "panel_cases"

    case_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    panel: Mapped[Panel] = mapped_column(Code(Panel, 20))
    meeting_id: Mapped[str | None] = mapped_column(ForeignKey("panel_meetings.meeting_id"), index=True)
    case_type: Mapped[CaseType] = mapped_column(Code(CaseType, 30))
    subject_ref: Mapped[str | None] = mapped_column(String(40), index=True)  # household, adopter or child reference
    carer_type: Mapped[CarerType | None] = mapped_column(Code(CarerType, 20))
    papers_sent_date: Mapped[dt.date | None] = mapped_column(Date)
    recommendation: Mapped[Recommendation | None] = mapped_column(Code(Recommendation, 20))
    minutes_final_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    adm_decision: Mapped[AdmDecision | None] = mapped_column(Code(AdmDecision, 20))
    adm_decision_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    adm_reasons: Mapped[str | None] = mapped_column(Text)
    # the LADO referral that returned an own foster carer to panel (domain.md §6); the case shows
    # only its reference, the referral's details stay LADO-only
    lado_referral_id: Mapped[str | None] = mapped_column(ForeignKey("lado_referrals.referral_id"), index=True)

    meeting: Mapped[PanelMeeting | None] = relationship(back_populates="cases")

    __table_args__ = (
        CheckConstraint(check_in("panel", Panel), name="panel"),
        CheckConstraint(check_in("case_type", CaseType), name="case_type"),
        CheckConstraint(check_in("carer_type", CarerType, nullable=True), name="carer_type"),
        CheckConstraint(check_in("recommendation", Recommendation, nullable=True), name="recommendation"),
        CheckConstraint(check_in("adm_decision", AdmDecision, nullable=True), name="adm_decision"),
        # a decision and its date come together (interchange.md §1)
        CheckConstraint("(adm_decision IS NULL) = (adm_decision_date IS NULL)", name="decision_with_date"),
        CheckConstraint("adm_decision IS NULL OR recommendation IS NOT NULL", name="decision_after_recommendation"),
    )

    def __repr__(self) -> str:
        return f"<PanelCase {self.case_id}>"


# --- foster households and their reviews ----------------------------------------------------------


class FosterHousehold(Versioned, db.Model):
    __tablename__ = "foster_households"

    household_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))  # how the fostering team knows them, e.g. "Smith household"
    carer_type: Mapped[CarerType] = mapped_column(Code(CarerType, 20))
    # approval date; for a temporary approval (reg 24) the placement start
    approval_date: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[HouseholdStatus] = mapped_column(Code(HouseholdStatus, 20), default=HouseholdStatus.approved)
    end_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    end_reason: Mapped[EndReason | None] = mapped_column(Code(EndReason, 30))
    reviewing_officer_id: Mapped[str | None] = mapped_column(String(40), index=True)  # users.officer_id
    # a temporary approval extended once by 8 weeks under reg 25: the date the extension was agreed
    temporary_extended_date: Mapped[dt.date | None] = mapped_column(Date)

    reviews: Mapped[list[CarerReview]] = relationship(
        back_populates="household", cascade="all, delete-orphan", order_by="CarerReview.review_date"
    )

    __table_args__ = (
        CheckConstraint(check_in("carer_type", CarerType), name="carer_type"),
        CheckConstraint(check_in("status", HouseholdStatus), name="status"),
        CheckConstraint(check_in("end_reason", EndReason, nullable=True), name="end_reason"),
        CheckConstraint("end_date IS NULL OR end_date >= approval_date", name="end_after_approval"),
        CheckConstraint("(status = 'ended') = (end_date IS NOT NULL)", name="ended_with_date"),
    )

    def __repr__(self) -> str:
        return f"<FosterHousehold {self.household_id}>"


class CarerReview(Versioned, db.Model):
    """A foster carer's annual review (Fostering Services Regs 2011 reg 28): to panel (first,
    third-year, after an allegation) or straight to the ADM (domain.md §7)."""

    __tablename__ = "carer_reviews"

    review_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    household_id: Mapped[str] = mapped_column(
        ForeignKey("foster_households.household_id", ondelete="CASCADE"), index=True
    )
    review_date: Mapped[dt.date] = mapped_column(Date, index=True)
    reviewing_officer_id: Mapped[str | None] = mapped_column(String(40))  # users.officer_id
    to_panel: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    outcome: Mapped[CarerReviewOutcome | None] = mapped_column(Code(CarerReviewOutcome, 30))

    household: Mapped[FosterHousehold] = relationship(back_populates="reviews")

    __table_args__ = (CheckConstraint(check_in("outcome", CarerReviewOutcome, nullable=True), name="outcome"),)

    def __repr__(self) -> str:
        return f"<CarerReview {self.review_id}>"
