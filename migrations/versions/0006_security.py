"""Security and reliability: a version on every editable record (optimistic locking), a session
version per user (ending every session), and the working-day calendar widened to 1900–2100 so
that every accepted date has a row.

Revision ID: 0006_security
Revises: 0005_lado
Create Date: 2026-11-27
"""

import calendar
import datetime as dt

import holidays
import sqlalchemy as sa
from alembic import op

revision = "0006_security"
down_revision = "0005_lado"
branch_labels = None
depends_on = None

VERSIONED = (
    "users",
    "timescale_rules",
    "children",
    "care_periods",
    "reviews",
    "iro_contacts",
    "escalations",
    "escalation_stages",
    "lado_persons",
    "lado_contacts",
    "lado_referrals",
    "lado_meetings",
    "lado_actions",
)
OLD_FIRST, OLD_LAST = dt.date(1990, 1, 1), dt.date(2060, 12, 31)
NEW_FIRST, NEW_LAST = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


def upgrade():
    for table in VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), server_default="1", nullable=False))
    _rebuild_calendar(NEW_FIRST, NEW_LAST)


def downgrade():
    _rebuild_calendar(OLD_FIRST, OLD_LAST)
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("version")


def _rebuild_calendar(first: dt.date, last: dt.date) -> None:
    """The calendar over [first, last] with the closure days already recorded (a frozen copy of
    tracker.core.calendar.build_rows: England and Wales bank holidays plus closure days)."""
    conn = op.get_bind()
    closures = {row[0] if isinstance(row[0], dt.date) else dt.date.fromisoformat(str(row[0]))
                for row in conn.execute(sa.text("SELECT day FROM closure_days"))}  # fmt: skip
    bank_holidays = holidays.UK(subdiv="ENG", years=range(first.year, last.year + 1))
    rows, wd_seq, day = [], 0, first
    while day <= last:
        working = day.weekday() < 5 and day not in bank_holidays and day not in closures
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
    table = sa.table(
        "calendar_days",
        sa.column("day", sa.Date),
        sa.column("working", sa.Boolean),
        *(sa.column(name, sa.Integer) for name in ("wd_seq", "day_seq", "month_index", "dom", "month_len")),
    )
    op.execute(table.delete())
    for i in range(0, len(rows), 5000):
        op.bulk_insert(table, rows[i : i + 5000])
