"""Core engines: working-day calendar, closure days and timescale rules (seeded with domain.md §3).

Revision ID: 0002_engines
Revises: 0001_foundation
Create Date: 2026-11-23
"""

import calendar
import datetime as dt

import holidays
import sqlalchemy as sa
from alembic import op

revision = "0002_engines"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

# A copy of the defaults as they were when this migration was written (domain.md §3), so the
# migration keeps meaning the same thing if the application's defaults change later.
RULES = [
    (
        "cic_review_first",
        "First CiC review",
        "start of the care period",
        20,
        "working_days",
        "Care Planning, Placement and Case Review (England) Regulations 2010, reg 33(1)",
    ),
    (
        "cic_review_second",
        "Second CiC review",
        "date the first review was held",
        3,
        "months",
        "Care Planning Regulations 2010, reg 33(2)",
    ),
    (
        "cic_review_later",
        "Later CiC reviews",
        "date the previous review was held",
        6,
        "months",
        "Care Planning Regulations 2010, reg 33(2)",
    ),
    (
        "review_recommendations",
        "Review recommendations issued",
        "review date",
        5,
        "working_days",
        "IRO Handbook practice; IRO annual report 2022/23",
    ),
    (
        "review_minutes",
        "Review minutes (letter to the child) completed",
        "review date",
        20,
        "working_days",
        "IRO Handbook practice; IRO annual report 2022/23",
    ),
    (
        "iro_contact",
        "IRO contact with the child",
        "last IRO contact (or start of care period)",
        6,
        "months",
        "IRO annual report 2022/23",
    ),
    (
        "escalation_informal_response",
        "Informal escalation response",
        "informal stage start",
        10,
        "working_days",
        "Local dispute resolution protocol",
    ),
    (
        "escalation_formal_response",
        "Formal escalation stage response (stages 1–5)",
        "that stage's start",
        5,
        "working_days",
        "Local dispute resolution protocol",
    ),
    (
        "escalation_formal_process",
        "Whole formal dispute process",
        "first formal stage start",
        20,
        "working_days",
        "IRO Handbook, chapter 6",
    ),
    ("lado_referral_decision", "LADO: referral decision", "contact", 1, "working_days", "Local procedures"),
    (
        "lado_iem",
        "LADO: Initial Evaluation Meeting (IEM)",
        "referral",
        5,
        "working_days",
        "LADO annual report 2022/23 (target for 2023/24 was 10 days)",
    ),
    (
        "lado_paim",
        "LADO: Post-Allegation Investigation Meeting (PAIM)",
        "Initial Evaluation Meeting",
        28,
        "days",
        "LADO annual report 2022/23",
    ),
    (
        "lado_conclusion",
        "LADO: conclusion of involvement (target 85%)",
        "contact",
        28,
        "days",
        "LADO annual report 2022/23",
    ),
    (
        "lado_resolution_1m",
        "LADO: resolved within 1 month (target 80%)",
        "contact",
        1,
        "months",
        "Keeping Children Safe in Education (earlier statutory guidance)",
    ),
    (
        "lado_resolution_3m",
        "LADO: resolved within 3 months (target 90%)",
        "contact",
        3,
        "months",
        "Keeping Children Safe in Education (earlier statutory guidance)",
    ),
    (
        "lado_resolution_12m",
        "LADO: resolved within 12 months (all)",
        "contact",
        12,
        "months",
        "Keeping Children Safe in Education (earlier statutory guidance)",
    ),
    (
        "panel_papers",
        "Panel papers to members",
        "panel meeting",
        -5,
        "working_days",
        "Fostering National Minimum Standards, standard 14",
    ),
    (
        "adm_decision",
        "ADM decision",
        "final panel minutes",
        7,
        "working_days",
        "Fostering National Minimum Standards, standard 14",
    ),
    (
        "carer_review",
        "Foster carer review",
        "approval, then previous review",
        12,
        "months",
        "Fostering Services (England) Regulations 2011, reg 28 (local target 11 months)",
    ),
    (
        "connected_temporary_approval",
        "Connected-person temporary approval",
        "placement start",
        112,
        "days",
        "Care Planning Regulations 2010, regs 24–25 (16 weeks)",
    ),
    (
        "connected_temporary_extension",
        "Connected-person temporary approval extension",
        "end of temporary approval",
        56,
        "days",
        "Care Planning Regulations 2010, reg 25 (8 weeks, once)",
    ),
]


def upgrade():
    op.create_table(
        "closure_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_closure_days")),
    )
    calendar_days = op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("working", sa.Boolean(), nullable=False),
        sa.Column("wd_seq", sa.Integer(), nullable=False),
        sa.Column("day_seq", sa.Integer(), nullable=False),
        sa.Column("month_index", sa.Integer(), nullable=False),
        sa.Column("dom", sa.Integer(), nullable=False),
        sa.Column("month_len", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_days")),
        sa.UniqueConstraint("day_seq", name=op.f("uq_calendar_days_day_seq")),
    )
    op.create_index(op.f("ix_calendar_days_wd_seq"), "calendar_days", ["wd_seq"], unique=False)
    op.create_index(op.f("ix_calendar_days_month_index"), "calendar_days", ["month_index"], unique=False)
    rules = op.create_table(
        "timescale_rules",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("anchor", sa.String(length=200), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("unit IN ('working_days', 'days', 'months')", name=op.f("ck_timescale_rules_unit")),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_timescale_rules")),
    )
    op.bulk_insert(
        rules, [dict(name=n, label=label, anchor=a, amount=m, unit=u, source=s) for n, label, a, m, u, s in RULES]
    )

    op.create_table(
        "ref_counters",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_ref_counters")),
    )

    # The calendar is data derived from the holidays package; `flask calendar-rebuild`
    # refreshes it (after closure days change, or a holidays package upgrade).
    rows = _calendar_rows()
    for i in range(0, len(rows), 5000):
        op.bulk_insert(calendar_days, rows[i : i + 5000])


def _calendar_rows(first=dt.date(1990, 1, 1), last=dt.date(2060, 12, 31)) -> list[dict]:
    """The working-day calendar as it was defined when this migration was written (a frozen
    copy of tracker.core.calendar.build_rows: England and Wales bank holidays, no closure days)."""
    bank_holidays = holidays.UK(subdiv="ENG", years=range(first.year, last.year + 1))
    rows, wd_seq, day = [], 0, first
    while day <= last:
        working = day.weekday() < 5 and day not in bank_holidays
        wd_seq += working
        rows.append(
            {
                "day": day,
                "working": working,
                "wd_seq": wd_seq,
                "day_seq": day.toordinal(),
                "month_index": day.year * 12 + day.month - 1,
                "dom": day.day,
                "month_len": calendar.monthrange(day.year, day.month)[1],
            }
        )
        day += dt.timedelta(days=1)
    return rows


def downgrade():
    op.drop_table("ref_counters")
    op.drop_table("timescale_rules")
    op.drop_index(op.f("ix_calendar_days_month_index"), table_name="calendar_days")
    op.drop_index(op.f("ix_calendar_days_wd_seq"), table_name="calendar_days")
    op.drop_table("calendar_days")
    op.drop_table("closure_days")
