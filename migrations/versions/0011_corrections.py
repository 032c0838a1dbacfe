"""Corrections (issue 12): a review, an IRO contact or a care period recorded by mistake is
removed (kept, with when, by whom and why, as LADO meetings and actions are), and a QARO plans
the date of a child's next review.

A removed care period no longer holds its start date: the unique constraint on (child, start
date) becomes a unique index over the periods in force.

Revision ID: 0011_corrections
Revises: 0010_account_flows
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_corrections"
down_revision = "0010_account_flows"
branch_labels = None
depends_on = None

REMOVABLE = ("care_periods", "reviews", "iro_contacts")
KEPT = sa.text("removed_at IS NULL")


def upgrade():
    with op.batch_alter_table("children") as batch:
        batch.add_column(sa.Column("planned_review_date", sa.Date(), nullable=True))
    for table in REMOVABLE:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
            batch.add_column(sa.Column("removed_by", sa.Integer(), nullable=True))
            batch.add_column(sa.Column("removed_reason", sa.Text(), nullable=True))
            batch.create_foreign_key(batch.f(f"fk_{table}_removed_by_users"), "users", ["removed_by"], ["id"])
    with op.batch_alter_table("care_periods") as batch:
        batch.drop_constraint("uq_care_periods_child_pk_start_date", type_="unique")
    op.create_index(
        "uq_care_periods_child_pk_start_date",
        "care_periods",
        ["child_pk", "start_date"],
        unique=True,
        sqlite_where=KEPT,
        postgresql_where=KEPT,
    )
    # the lookup by child every chain query makes (the partial index above serves only queries
    # that repeat its condition)
    op.create_index("ix_care_periods_child_pk_start_date", "care_periods", ["child_pk", "start_date"])


def downgrade():
    # the periods removed by mistake go with their columns: they are no part of the child
    op.execute(sa.text("DELETE FROM care_periods WHERE removed_at IS NOT NULL"))
    op.execute(sa.text("DELETE FROM reviews WHERE removed_at IS NOT NULL"))
    op.execute(sa.text("DELETE FROM iro_contacts WHERE removed_at IS NOT NULL"))
    op.drop_index("ix_care_periods_child_pk_start_date", table_name="care_periods")
    op.drop_index("uq_care_periods_child_pk_start_date", table_name="care_periods")
    with op.batch_alter_table("care_periods") as batch:
        batch.create_unique_constraint("uq_care_periods_child_pk_start_date", ["child_pk", "start_date"])
    for table in reversed(REMOVABLE):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(batch.f(f"fk_{table}_removed_by_users"), type_="foreignkey")
            batch.drop_column("removed_reason")
            batch.drop_column("removed_by")
            batch.drop_column("removed_at")
    with op.batch_alter_table("children") as batch:
        batch.drop_column("planned_review_date")
