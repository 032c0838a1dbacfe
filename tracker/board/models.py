"""The Corporate Parenting Board's scorecard (domain.md §8, kpis.md §6): its configuration
(sections and rows, each row any registered indicator with the board's columns), the frozen
monthly snapshots and the managers' commentary per section and month.

A frozen month keeps every registered indicator's numerator, denominator and value as at the
month's last day (``FrozenFigure``), keyed by indicator id, so changing a row's configuration
(label, unit, target, …) or adding a row never changes a frozen month's values. The timescale
rules and closure days in force when it was frozen are kept beside it (``FrozenMonth.rules``,
``.closure_days``), so the board can see what the figures were computed under.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.clock import now_utc
from tracker.core.enums import CodeEnum
from tracker.db import Code, UTCDateTime, Versioned, check_in
from tracker.extensions import db


class GoodIs(CodeEnum):
    """Which way is better (domain.md §8): the direction of travel and RAG read through it."""

    high = "High", "High"
    low = "Low", "Low"
    neither = "-", "-"


class BoardUnit(CodeEnum):
    """The unit column of the council's scorecard (003:L109–723)."""

    count = "No.", "No."
    percent = "%", "%"
    rate = "Rate", "Rate"


class Direction(CodeEnum):
    """Direction of travel: the latest month against the one before, read through *good is*."""

    improving = "improving", "Improving", "green"
    worsening = "worsening", "Worsening", "red"
    same = "same", "Same", "grey"


class Rag(CodeEnum):
    """RAG status against a target (domain.md §8)."""

    green = "green", "Green", "green"
    amber = "amber", "Amber", "yellow"
    red = "red", "Red", "red"


class ScorecardSection(Versioned, db.Model):
    __tablename__ = "scorecard_sections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(Integer)

    rows: Mapped[list[ScorecardRow]] = relationship(
        back_populates="section", order_by="ScorecardRow.position", cascade="all, delete-orphan"
    )


class ScorecardRow(Versioned, db.Model):
    """One line of the scorecard: a registered indicator with the board's columns. ``label`` and
    ``unit`` blank mean the indicator's own; ``tolerance`` blank means the default (5 percentage
    points for ``%``, 10% of the target otherwise)."""

    __tablename__ = "scorecard_rows"
    __table_args__ = (
        CheckConstraint(check_in("good_is", GoodIs), name="good_is"),
        CheckConstraint(check_in("unit", BoardUnit), name="unit"),
        CheckConstraint("tolerance IS NULL OR tolerance >= 0", name="tolerance_not_negative"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("scorecard_sections.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    indicator_id: Mapped[str] = mapped_column(String(120), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[BoardUnit] = mapped_column(Code(BoardUnit, 10))
    good_is: Mapped[GoodIs] = mapped_column(Code(GoodIs, 10), default=GoodIs.neither)
    england: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    good_sn: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    target: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    tolerance: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))

    section: Mapped[ScorecardSection] = relationship(back_populates="rows")


class FrozenMonth(db.Model):
    """A month whose scorecard figures are frozen (first day of the month as ``month``)."""

    __tablename__ = "frozen_months"

    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    frozen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now_utc)
    frozen_by: Mapped[str] = mapped_column(String(200))  # the user's email, or "system" for the command
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)  # {rule name: "20 working days", …} in force
    closure_days: Mapped[list[str]] = mapped_column(JSON)  # ISO dates of the closure days in force
    refrozen_reason: Mapped[str | None] = mapped_column(Text)  # set when an admin re-froze the month
    times_frozen: Mapped[int] = mapped_column(Integer, default=1)

    figures: Mapped[list[FrozenFigure]] = relationship(cascade="all, delete-orphan")


class FrozenFigure(db.Model):
    __tablename__ = "frozen_figures"

    month: Mapped[dt.date] = mapped_column(ForeignKey("frozen_months.month", ondelete="CASCADE"), primary_key=True)
    indicator_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    numerator: Mapped[int | None] = mapped_column(Integer)
    denominator: Mapped[int | None] = mapped_column(Integer)
    value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))


class SectionCommentary(Versioned, db.Model):
    """A manager's commentary on one section of one month's scorecard."""

    __tablename__ = "scorecard_commentary"
    __table_args__ = (UniqueConstraint("section_id", "month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("scorecard_sections.id", ondelete="CASCADE"))
    month: Mapped[dt.date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))  # the author's name as shown on the page
    author_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    written_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now_utc)
