"""Accounts (issue 12): a password an administrator reset is temporary — changed at the next
sign-in, and no longer signing in after a few days — so users carry when it runs out.

Revision ID: 0010_account_flows
Revises: 0009_lado_casework
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_account_flows"
down_revision = "0009_lado_casework"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("temporary_password_until", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("temporary_password_until")
