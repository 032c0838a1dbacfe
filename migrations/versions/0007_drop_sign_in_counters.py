"""Sign-in throttling counts the audit log's failure rows per account and source address
(tracker/auth/operations.py), so the per-user counters are no longer used.

Revision ID: 0007_drop_sign_in_counters
Revises: 0006_security
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_drop_sign_in_counters"
down_revision = "0006_security"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("first_failed_at")
        batch.drop_column("failed_logins")


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
