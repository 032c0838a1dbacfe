"""IRO escalations (dispute resolution) and their stages (domain.md §5).

An escalation concerns one child, is raised by a QARO (``raised_by`` is the officer id of
``users.officer_id``; like the reviews feature, officer ids are checked on the way in rather
than by a foreign key so an administrator can still correct one), names one or more areas of
concern (a child table so SQL can count them) and moves forward through stages:
``informal`` < ``stage1`` < … < ``stage5`` < ``cafcass``. Stages may be skipped.

Derived, never stored (kpis.md §3): the *opening date* is the earliest stage start, the
*highest stage* (= *current stage*) the latest stage in the order above.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, case
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db


class Stage(str, enum.Enum):
    """In escalation order: the enum's order *is* the stage order (kpis.md §3)."""

    informal = "informal"
    stage1 = "stage1"
    stage2 = "stage2"
    stage3 = "stage3"
    stage4 = "stage4"
    stage5 = "stage5"
    cafcass = "cafcass"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self.value]

    @property
    def rank(self) -> int:
        return STAGE_RANK[self.value]

    @property
    def formal(self) -> bool:
        return self.value in FORMAL_STAGES

    @property
    def response_rule(self) -> str | None:
        """The timescale rule for a response at this stage (domain.md §3); none for Cafcass."""
        if self is Stage.informal:
            return "escalation_informal_response"
        if self.formal:
            return "escalation_formal_response"
        return None


STAGE_LABELS = {
    "informal": "Informal (social worker or team manager)",
    "stage1": "Stage 1",
    "stage2": "Stage 2",
    "stage3": "Stage 3",
    "stage4": "Stage 4",
    "stage5": "Stage 5 (Director)",
    "cafcass": "Referral to Cafcass",
}
STAGE_SHORT_LABELS = {
    "informal": "Informal",
    "stage1": "Stage 1",
    "stage2": "Stage 2",
    "stage3": "Stage 3",
    "stage4": "Stage 4",
    "stage5": "Stage 5",
    "cafcass": "Cafcass",
}
STAGES = tuple(s.value for s in Stage)
STAGE_RANK = {code: i for i, code in enumerate(STAGES)}
FORMAL_STAGES = ("stage1", "stage2", "stage3", "stage4", "stage5")
STAGE4_FLAG_STAGES = ("stage4", "stage5")  # 002:L272: unresolved level-4 escalations go to the board chair


def stage_label(code: str | None) -> str:
    return STAGE_LABELS.get(code or "", "")


def stage_short_label(code: str | None) -> str:
    return STAGE_SHORT_LABELS.get(code or "", "")


class Resolution(str, enum.Enum):
    resolved = "resolved"
    withdrawn = "withdrawn"
    referred_to_cafcass = "referred_to_cafcass"

    @property
    def label(self) -> str:
        return RESOLUTION_LABELS[self.value]


RESOLUTION_LABELS = {
    "resolved": "Resolved",
    "withdrawn": "Withdrawn",
    "referred_to_cafcass": "Referred to Cafcass",
}
RESOLUTIONS = tuple(r.value for r in Resolution)


def resolution_label(code: str | None) -> str:
    return RESOLUTION_LABELS.get(code or "", "")


class Area(str, enum.Enum):
    """Areas of concern, in the order of the IRO annual report's table (003:L994–1008)."""

    statutory_requirements = "statutory_requirements"
    care_plan = "care_plan"
    review_decisions = "review_decisions"
    services = "services"
    voice_of_child = "voice_of_child"
    health = "health"
    education = "education"
    transitions = "transitions"
    living_arrangements = "living_arrangements"
    family_time = "family_time"
    safety = "safety"
    life_story = "life_story"
    staff_turnover = "staff_turnover"
    other = "other"

    @property
    def label(self) -> str:
        return AREA_LABELS[self.value]


AREA_LABELS = {
    "statutory_requirements": "Statutory handbook and care regulations not met",
    "care_plan": "Care plan implementation",
    "review_decisions": "Outstanding CiC review decisions",
    "services": "Provision of services",
    "voice_of_child": "Voice of the child/young person",
    "health": "Health",
    "education": "Education",
    "transitions": "Transitions (post 16/18)",
    "living_arrangements": "Where the child/young person lives",
    "family_time": "Family time / time with important people",
    "safety": "Safety",
    "life_story": "Life story work / later life letters",
    "staff_turnover": "Staff turnover/sickness",
    "other": "Other",
}
AREAS = tuple(a.value for a in Area)


def area_label(code: str | None) -> str:
    return AREA_LABELS.get(code or "", code or "")


def _codes(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


def stage_rank_sql(column):
    """The stage's position in the escalation order, as SQL (for MAX/MIN and comparisons)."""
    return case({code: rank for code, rank in STAGE_RANK.items()}, value=column)


class Escalation(db.Model):
    __tablename__ = "escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[str] = mapped_column(String(40), unique=True)
    child_pk: Mapped[int] = mapped_column(ForeignKey("children.id", ondelete="CASCADE"), index=True)
    raised_by: Mapped[str | None] = mapped_column(String(40), index=True)  # users.officer_id
    external_partner: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    closed_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    resolution: Mapped[str | None] = mapped_column(String(30))

    child = relationship("Child")
    areas: Mapped[list["EscalationArea"]] = relationship(
        back_populates="escalation", cascade="all, delete-orphan", order_by="EscalationArea.area", lazy="selectin"
    )
    stages: Mapped[list["EscalationStage"]] = relationship(
        back_populates="escalation", cascade="all, delete-orphan", order_by="EscalationStage.started_date", lazy="selectin"
    )

    __table_args__ = (
        CheckConstraint(f"resolution IS NULL OR resolution IN ({_codes(RESOLUTIONS)})", name="resolution_code"),
        # a closure has a date and a resolution, or neither (interchange.md §1)
        CheckConstraint("(closed_date IS NULL) = (resolution IS NULL)", name="closed_with_resolution"),
    )

    # -- derived (Python side of what queries.py and kpis.py do in SQL) --
    @property
    def area_codes(self) -> list[str]:
        return sorted((a.area for a in self.areas), key=AREAS.index)

    @property
    def ordered_stages(self) -> list["EscalationStage"]:
        return sorted(self.stages, key=lambda s: STAGE_RANK[s.stage])

    @property
    def current_stage(self) -> "EscalationStage | None":
        ordered = self.ordered_stages
        return ordered[-1] if ordered else None

    @property
    def opened_date(self) -> dt.date | None:
        return min((s.started_date for s in self.stages), default=None)

    @property
    def is_closed(self) -> bool:
        return self.closed_date is not None

    @property
    def resolution_label(self) -> str:
        return resolution_label(self.resolution)

    @property
    def stage4_flagged(self) -> bool:
        """Open and has reached stage 4 or 5 (a later Cafcass referral keeps the flag), as on
        the stage 4 list (``queries.unresolved_stage4``)."""
        return self.closed_date is None and any(s.stage in STAGE4_FLAG_STAGES for s in self.stages)

    def stage(self, code: str) -> "EscalationStage | None":
        return next((s for s in self.stages if s.stage == code), None)

    def __repr__(self) -> str:  # no personal data in logs
        return f"<Escalation {self.escalation_id}>"


class EscalationArea(db.Model):
    __tablename__ = "escalation_areas"

    escalation_pk: Mapped[int] = mapped_column(ForeignKey("escalations.id", ondelete="CASCADE"), primary_key=True)
    area: Mapped[str] = mapped_column(String(30), primary_key=True)

    escalation: Mapped[Escalation] = relationship(back_populates="areas")

    __table_args__ = (
        CheckConstraint(f"area IN ({_codes(AREAS)})", name="area_code"),
        Index("ix_escalation_areas_area", "area"),
    )

    @property
    def label(self) -> str:
        return area_label(self.area)


class EscalationStage(db.Model):
    __tablename__ = "escalation_stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_pk: Mapped[int] = mapped_column(ForeignKey("escalations.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(20))
    started_date: Mapped[dt.date] = mapped_column(Date, index=True)
    to_whom: Mapped[str | None] = mapped_column(String(200))
    response_date: Mapped[dt.date | None] = mapped_column(Date)
    response_summary: Mapped[str | None] = mapped_column(Text)

    escalation: Mapped[Escalation] = relationship(back_populates="stages")

    __table_args__ = (
        UniqueConstraint("escalation_pk", "stage", name="uq_escalation_stages_escalation_pk_stage"),
        CheckConstraint(f"stage IN ({_codes(STAGES)})", name="stage_code"),
        CheckConstraint("response_date IS NULL OR response_date >= started_date", name="response_after_start"),
    )

    @property
    def label(self) -> str:
        return stage_label(self.stage)

    @property
    def short_label(self) -> str:
        return stage_short_label(self.stage)

    @property
    def rank(self) -> int:
        return STAGE_RANK[self.stage]

    def __repr__(self) -> str:
        return f"<EscalationStage {self.escalation_pk}:{self.stage}>"
