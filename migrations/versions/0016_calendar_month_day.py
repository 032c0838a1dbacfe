"""Scale (issue 18): a month-arithmetic deadline (a review 6 months on, an IRO contact 6 months
on) finds its day in ``calendar_days`` by month and day of month. With the month alone indexed,
each lookup read the month's ~30 rows; the index on (month_index, dom) reads one. It replaces
the month-only index, whose queries it serves as well.

Revision ID: 0016_calendar_month_day
Revises: 0015_consultations
Create Date: 2026-11-29
"""

from alembic import op

revision = "0016_calendar_month_day"
down_revision = "0015_consultations"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_calendar_days_month_index_dom", "calendar_days", ["month_index", "dom"], unique=False)
    op.drop_index("ix_calendar_days_month_index", table_name="calendar_days")


def downgrade():
    op.create_index("ix_calendar_days_month_index", "calendar_days", ["month_index"], unique=False)
    op.drop_index("ix_calendar_days_month_index_dom", table_name="calendar_days")
