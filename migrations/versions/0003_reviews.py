"""Child-in-care reviews: children, care periods, reviews and IRO contacts (domain.md §4).

Revision ID: 0003_reviews
Revises: 0002_engines
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_reviews"
down_revision = "0002_engines"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "children",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.String(length=40), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("gender", sa.String(length=40), nullable=True),
        sa.Column("ethnicity", sa.String(length=100), nullable=True),
        sa.Column("uasc", sa.Boolean(), nullable=False),
        sa.Column("iro_officer_id", sa.String(length=40), nullable=True),
        sa.Column("iro_contact_expected", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_children")),
        sa.UniqueConstraint("child_id", name=op.f("uq_children_child_id")),
    )
    op.create_index(op.f("ix_children_iro_officer_id"), "children", ["iro_officer_id"], unique=False)

    op.create_table(
        "care_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_pk", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("legal_status", sa.String(length=10), nullable=True),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name=op.f("ck_care_periods_end_after_start")),
        sa.ForeignKeyConstraint(
            ["child_pk"], ["children.id"], name=op.f("fk_care_periods_child_pk_children"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_periods")),
        sa.UniqueConstraint("child_pk", "start_date", name="uq_care_periods_child_pk_start_date"),
    )
    op.create_index(op.f("ix_care_periods_end_date"), "care_periods", ["end_date"], unique=False)
    op.create_index(op.f("ix_care_periods_start_date"), "care_periods", ["start_date"], unique=False)

    op.create_table(
        "iro_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.String(length=40), nullable=False),
        sa.Column("child_pk", sa.Integer(), nullable=False),
        sa.Column("contact_date", sa.Date(), nullable=False),
        sa.Column("contact_type", sa.String(length=20), nullable=True),
        sa.Column("officer_id", sa.String(length=40), nullable=True),
        sa.CheckConstraint(
            "contact_type IS NULL OR contact_type IN ('visit', 'phone', 'video', 'text', 'letter_card', 'other')",
            name=op.f("ck_iro_contacts_contact_type"),
        ),
        sa.ForeignKeyConstraint(
            ["child_pk"], ["children.id"], name=op.f("fk_iro_contacts_child_pk_children"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_iro_contacts")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_iro_contacts_contact_id")),
    )
    op.create_index("ix_iro_contacts_child_pk_contact_date", "iro_contacts", ["child_pk", "contact_date"], unique=False)
    op.create_index(op.f("ix_iro_contacts_contact_date"), "iro_contacts", ["contact_date"], unique=False)
    op.create_index(op.f("ix_iro_contacts_officer_id"), "iro_contacts", ["officer_id"], unique=False)

    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.String(length=40), nullable=False),
        sa.Column("child_pk", sa.Integer(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("scheduled_date", sa.Date(), nullable=True),
        sa.Column("officer_id", sa.String(length=40), nullable=True),
        sa.Column("participation_code", sa.String(length=3), nullable=True),
        sa.Column("advocate", sa.Boolean(), nullable=False),
        sa.Column("recommendations_date", sa.Date(), nullable=True),
        sa.Column("minutes_date", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "participation_code IS NULL OR participation_code IN ('PN0', 'PN1', 'PN2', 'PN3', 'PN4', 'PN5', 'PN6', 'PN7')",
            name=op.f("ck_reviews_participation_code"),
        ),
        sa.CheckConstraint(
            "minutes_date IS NULL OR minutes_date >= review_date", name=op.f("ck_reviews_minutes_after_review")
        ),
        sa.CheckConstraint(
            "recommendations_date IS NULL OR recommendations_date >= review_date",
            name=op.f("ck_reviews_recommendations_after_review"),
        ),
        sa.ForeignKeyConstraint(
            ["child_pk"], ["children.id"], name=op.f("fk_reviews_child_pk_children"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("review_id", name=op.f("uq_reviews_review_id")),
    )
    op.create_index("ix_reviews_child_pk_review_date", "reviews", ["child_pk", "review_date"], unique=False)
    op.create_index(op.f("ix_reviews_minutes_date"), "reviews", ["minutes_date"], unique=False)
    op.create_index(op.f("ix_reviews_officer_id"), "reviews", ["officer_id"], unique=False)
    op.create_index(op.f("ix_reviews_recommendations_date"), "reviews", ["recommendations_date"], unique=False)
    op.create_index(op.f("ix_reviews_review_date"), "reviews", ["review_date"], unique=False)


def downgrade():
    # Dropping a table drops its indexes and constraints.
    op.drop_table("iro_contacts")
    op.drop_table("reviews")
    op.drop_table("care_periods")
    op.drop_table("children")
