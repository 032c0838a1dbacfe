"""Join the reviews/escalations branch and the LADO branch into one head.

Revision ID: 0006_merge_features
Revises: 0004_escalations, 0005_lado
Create Date: 2026-11-23
"""

revision = "0006_merge_features"
down_revision = ("0004_escalations", "0005_lado")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
