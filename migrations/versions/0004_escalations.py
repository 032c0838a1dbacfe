"""IRO escalations: escalations, their areas of concern and their stages (domain.md §5).

Revision ID: 0004_escalations
Revises: 0003_reviews
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_escalations"
down_revision = "0003_reviews"
branch_labels = None
depends_on = None

# Copies of the codes as they were when this migration was written (domain.md §5).
RESOLUTIONS = "'resolved', 'withdrawn', 'referred_to_cafcass'"
AREAS = (
    "'statutory_requirements', 'care_plan', 'review_decisions', 'services', 'voice_of_child', 'health', "
    "'education', 'transitions', 'living_arrangements', 'family_time', 'safety', 'life_story', "
    "'staff_turnover', 'other'"
)
STAGES = "'informal', 'stage1', 'stage2', 'stage3', 'stage4', 'stage5', 'cafcass'"


def upgrade():
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.String(length=40), nullable=False),
        sa.Column("child_pk", sa.Integer(), nullable=False),
        sa.Column("raised_by", sa.String(length=40), nullable=True),
        sa.Column("external_partner", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("closed_date", sa.Date(), nullable=True),
        sa.Column("resolution", sa.String(length=30), nullable=True),
        sa.CheckConstraint(
            f"resolution IS NULL OR resolution IN ({RESOLUTIONS})", name=op.f("ck_escalations_resolution_code")
        ),
        sa.CheckConstraint(
            "(closed_date IS NULL) = (resolution IS NULL)", name=op.f("ck_escalations_closed_with_resolution")
        ),
        sa.ForeignKeyConstraint(
            ["child_pk"], ["children.id"], name=op.f("fk_escalations_child_pk_children"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
        sa.UniqueConstraint("escalation_id", name=op.f("uq_escalations_escalation_id")),
    )
    op.create_index(op.f("ix_escalations_child_pk"), "escalations", ["child_pk"], unique=False)
    op.create_index(op.f("ix_escalations_closed_date"), "escalations", ["closed_date"], unique=False)
    op.create_index(op.f("ix_escalations_raised_by"), "escalations", ["raised_by"], unique=False)

    op.create_table(
        "escalation_areas",
        sa.Column("escalation_pk", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(length=30), nullable=False),
        sa.CheckConstraint(f"area IN ({AREAS})", name=op.f("ck_escalation_areas_area_code")),
        sa.ForeignKeyConstraint(
            ["escalation_pk"],
            ["escalations.id"],
            name=op.f("fk_escalation_areas_escalation_pk_escalations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("escalation_pk", "area", name=op.f("pk_escalation_areas")),
    )
    op.create_index("ix_escalation_areas_area", "escalation_areas", ["area"], unique=False)

    op.create_table(
        "escalation_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_pk", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("started_date", sa.Date(), nullable=False),
        sa.Column("to_whom", sa.String(length=200), nullable=True),
        sa.Column("response_date", sa.Date(), nullable=True),
        sa.Column("response_summary", sa.Text(), nullable=True),
        sa.CheckConstraint(f"stage IN ({STAGES})", name=op.f("ck_escalation_stages_stage_code")),
        sa.CheckConstraint(
            "response_date IS NULL OR response_date >= started_date",
            name=op.f("ck_escalation_stages_response_after_start"),
        ),
        sa.ForeignKeyConstraint(
            ["escalation_pk"],
            ["escalations.id"],
            name=op.f("fk_escalation_stages_escalation_pk_escalations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_stages")),
        sa.UniqueConstraint("escalation_pk", "stage", name="uq_escalation_stages_escalation_pk_stage"),
    )
    op.create_index(op.f("ix_escalation_stages_started_date"), "escalation_stages", ["started_date"], unique=False)


def downgrade():
    # Dropping a table drops its indexes and constraints.
    op.drop_table("escalation_stages")
    op.drop_table("escalation_areas")
    op.drop_table("escalations")
