"""IRO escalations (dispute resolution) and their stages (domain.md §5).

An escalation concerns one child, is raised by a QARO (``raised_by`` is the officer id of
``users.officer_id``; like the reviews feature, officer ids are checked on the way in rather
than by a foreign key so an administrator can still correct one), names one or more areas of
concern (a child table so SQL can count them) and moves forward through stages:
``informal`` < ``stage1`` < … < ``stage5`` < ``cafcass``. Stages may be skipped.

Derived, never stored (kpis.md §3): the *opening date* is the earliest stage start, the
*highest stage* (= *current stage*) the latest stage in the order above, and whether an open
escalation is flagged for the board chair (``queries.board_flagged``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, case
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.enums import CodeEnum, Status
from tracker.db import Code, Versioned, check_in
from tracker.extensions import db


class Stage(CodeEnum):
    """In escalation order: the enum's order *is* the stage order (kpis.md §3)."""

    informal = "informal", "Informal (social worker or team manager)", "blue"
    stage1 = "stage1", "Stage 1", "purple"
    stage2 = "stage2", "Stage 2", "purple"
    stage3 = "stage3", "Stage 3", "purple"
    stage4 = "stage4", "Stage 4", "orange"
    stage5 = "stage5", "Stage 5 (Director)", "orange"
    cafcass = "cafcass", "Referral to Cafcass", "red"

    @property
    def short_label(self) -> str:
        return {"informal": "Informal", "stage5": "Stage 5", "cafcass": "Cafcass"}.get(self.value, self.label)

    @property
    def rank(self) -> int:
        return list(Stage).index(self)

    @property
    def formal(self) -> bool:
        return self in FORMAL_STAGES

    @property
    def flags_board(self) -> bool:
        """Reaching this stage brings an unresolved escalation to the board chair (002:L272)."""
        return self in (Stage.stage4, Stage.stage5)

    @property
    def response_rule(self) -> str | None:
        """The timescale rule for a response at this stage (domain.md §3); none for Cafcass."""
        if self is Stage.informal:
            return "escalation_informal_response"
        if self.formal:
            return "escalation_formal_response"
        return None

    def later(self) -> list[Stage]:
        """The stages an escalation at this stage may move to (forward only, skipping allowed)."""
        return [s for s in Stage if s.rank > self.rank]


FORMAL_STAGES = (Stage.stage1, Stage.stage2, Stage.stage3, Stage.stage4, Stage.stage5)
RAISE_STAGES = (Stage.informal, *FORMAL_STAGES)  # a Cafcass referral follows an escalation, it does not open one
COUNTED_STAGES = RAISE_STAGES  # kpis.md §3: Cafcass referrals are counted apart


class Flag(CodeEnum):
    board = "board", "Stage 4 flag", "orange"  # open at stage 4 or beyond: for the board chair (002:L272)


class Resolution(CodeEnum):
    resolved = "resolved", "Resolved", "green"
    withdrawn = "withdrawn", "Withdrawn", "grey"
    referred_to_cafcass = "referred_to_cafcass", "Referred to Cafcass", "red"


class Area(CodeEnum):
    """Areas of concern, in the order of the IRO annual report's table (003:L994–1008)."""

    statutory_requirements = "statutory_requirements", "Statutory handbook and care regulations not met"
    care_plan = "care_plan", "Care plan implementation"
    review_decisions = "review_decisions", "Outstanding CiC review decisions"
    services = "services", "Provision of services"
    voice_of_child = "voice_of_child", "Voice of the child/young person"
    health = "health", "Health"
    education = "education", "Education"
    transitions = "transitions", "Transitions (post 16/18)"
    living_arrangements = "living_arrangements", "Where the child/young person lives"
    family_time = "family_time", "Family time / time with important people"
    safety = "safety", "Safety"
    life_story = "life_story", "Life story work / later life letters"
    staff_turnover = "staff_turnover", "Staff turnover/sickness"
    other = "other", "Other"


def stage_rank_sql(column):
    """The stage's position in the escalation order, as SQL (for MAX/MIN and comparisons)."""
    return case({stage.value: stage.rank for stage in Stage}, value=column)


class Escalation(Versioned, db.Model):
    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[str] = mapped_column(String(40), unique=True)
    child_pk: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    raised_by: Mapped[str | None] = mapped_column(String(40), index=True)  # users.officer_id
    external_partner: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    closed_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    resolution: Mapped[Resolution | None] = mapped_column(Code(Resolution, 30))

    child = relationship("Child")
    areas: Mapped[list[EscalationArea]] = relationship(
        back_populates="escalation", cascade="all, delete-orphan", order_by="EscalationArea.area", lazy="selectin"
    )
    stages: Mapped[list[EscalationStage]] = relationship(
        back_populates="escalation",
        cascade="all, delete-orphan",
        order_by="EscalationStage.started_date",
        lazy="selectin",
    )

    __table_args__ = (
        CheckConstraint(check_in("resolution", Resolution, nullable=True), name="resolution_code"),
        # a closure has a date and a resolution, or neither (interchange.md §1)
        CheckConstraint("(closed_date IS NULL) = (resolution IS NULL)", name="closed_with_resolution"),
    )

    @property
    def area_codes(self) -> list[Area]:
        """The areas of concern, in the report's order."""
        codes = {a.area for a in self.areas}
        return [area for area in Area if area in codes]

    @property
    def ordered_stages(self) -> list[EscalationStage]:
        return sorted(self.stages, key=lambda s: s.stage.rank)

    @property
    def current_stage(self) -> EscalationStage | None:
        ordered = self.ordered_stages
        return ordered[-1] if ordered else None

    @property
    def status(self) -> Status:
        return Status.of(self.closed_date)

    def stage(self, code: str) -> EscalationStage | None:
        return next((s for s in self.stages if s.stage == code), None)

    def __repr__(self) -> str:  # no personal data in logs
        return f"<Escalation {self.escalation_id}>"


class EscalationArea(db.Model):
    __tablename__ = "escalation_areas"

    escalation_pk: Mapped[int] = mapped_column(ForeignKey("escalations.id", ondelete="CASCADE"), primary_key=True)
    area: Mapped[Area] = mapped_column(Code(Area, 30), primary_key=True)

    escalation: Mapped[Escalation] = relationship(back_populates="areas")

    __table_args__ = (
        CheckConstraint(check_in("area", Area), name="area_code"),
        Index("ix_escalation_areas_area", "area"),
    )


class EscalationStage(Versioned, db.Model):
    __tablename__ = "escalation_stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_pk: Mapped[int] = mapped_column(ForeignKey("escalations.id", ondelete="CASCADE"))
    stage: Mapped[Stage] = mapped_column(Code(Stage, 20))
    started_date: Mapped[dt.date] = mapped_column(Date, index=True)
    to_whom: Mapped[str | None] = mapped_column(String(200))
    response_date: Mapped[dt.date | None] = mapped_column(Date)
    response_summary: Mapped[str | None] = mapped_column(Text)

    escalation: Mapped[Escalation] = relationship(back_populates="stages")

    __table_args__ = (
        UniqueConstraint("escalation_pk", "stage", name="uq_escalation_stages_escalation_pk_stage"),
        CheckConstraint(check_in("stage", Stage), name="stage_code"),
        CheckConstraint("response_date IS NULL OR response_date >= started_date", name="response_after_start"),
    )

    def __repr__(self) -> str:
        return f"<EscalationStage {self.escalation_pk}:{self.stage}>"
