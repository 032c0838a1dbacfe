"""Fostering and adoption panels (issue 13): panel meetings with the members present and their
roles, panel cases with recommendations and ADM decisions, foster households and their reviews.
The CHECK constraints spell the code lists of ``tracker.panels.models`` as they were here.

Revision ID: 0012_panels
Revises: 0011_corrections
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_panels"
down_revision = "0011_corrections"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "foster_households",
        sa.Column("household_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("carer_type", sa.String(length=20), nullable=False),
        sa.Column("approval_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(length=30), nullable=True),
        sa.Column("reviewing_officer_id", sa.String(length=40), nullable=True),
        sa.Column("temporary_extended_date", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "(status = 'ended') = (end_date IS NOT NULL)", name=op.f("ck_foster_households_ended_with_date")
        ),
        sa.CheckConstraint(
            "carer_type IN ('mainstream', 'connected', 'foster_to_adopt', 'temporary')",
            name=op.f("ck_foster_households_carer_type"),
        ),
        sa.CheckConstraint(
            "end_reason IS NULL OR end_reason IN ('resigned', 'deregistered', 'special_guardianship', 'adopted', 'transferred', 'other')",
            name=op.f("ck_foster_households_end_reason"),
        ),
        sa.CheckConstraint("status IN ('approved', 'on_hold', 'ended')", name=op.f("ck_foster_households_status")),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= approval_date", name=op.f("ck_foster_households_end_after_approval")
        ),
        sa.PrimaryKeyConstraint("household_id", name=op.f("pk_foster_households")),
    )
    with op.batch_alter_table("foster_households", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_foster_households_approval_date"), ["approval_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_foster_households_end_date"), ["end_date"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_foster_households_reviewing_officer_id"), ["reviewing_officer_id"], unique=False
        )

    op.create_table(
        "panel_meetings",
        sa.Column("meeting_id", sa.String(length=40), nullable=False),
        sa.Column("panel", sa.String(length=20), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("cancelled_reason", sa.Text(), nullable=True),
        sa.Column("members_present", sa.Integer(), nullable=True),
        sa.Column("chair_present", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("social_worker_present", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("independent_present", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint("panel IN ('fostering', 'adoption')", name=op.f("ck_panel_meetings_panel")),
        sa.CheckConstraint("status IN ('booked', 'held', 'cancelled')", name=op.f("ck_panel_meetings_status")),
        sa.CheckConstraint(
            "members_present IS NULL OR members_present >= 0", name=op.f("ck_panel_meetings_members_present")
        ),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_panel_meetings")),
    )
    with op.batch_alter_table("panel_meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_panel_meetings_meeting_date"), ["meeting_date"], unique=False)

    op.create_table(
        "carer_reviews",
        sa.Column("review_id", sa.String(length=40), nullable=False),
        sa.Column("household_id", sa.String(length=40), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("reviewing_officer_id", sa.String(length=40), nullable=True),
        sa.Column("to_panel", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('approval_continues', 'terms_changed', 'further_review', 'deregistration_proposed')",
            name=op.f("ck_carer_reviews_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["foster_households.household_id"],
            name=op.f("fk_carer_reviews_household_id_foster_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_carer_reviews")),
    )
    with op.batch_alter_table("carer_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_carer_reviews_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_carer_reviews_review_date"), ["review_date"], unique=False)

    op.create_table(
        "panel_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "role IN ('chair', 'vice_chair', 'social_worker', 'independent', 'other')",
            name=op.f("ck_panel_members_role"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["panel_meetings.meeting_id"],
            name=op.f("fk_panel_members_meeting_id_panel_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel_members")),
    )
    with op.batch_alter_table("panel_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_panel_members_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "panel_cases",
        sa.Column("case_id", sa.String(length=40), nullable=False),
        sa.Column("panel", sa.String(length=20), nullable=False),
        sa.Column("meeting_id", sa.String(length=40), nullable=True),
        sa.Column("case_type", sa.String(length=30), nullable=False),
        sa.Column("subject_ref", sa.String(length=40), nullable=True),
        sa.Column("carer_type", sa.String(length=20), nullable=True),
        sa.Column("papers_sent_date", sa.Date(), nullable=True),
        sa.Column("recommendation", sa.String(length=20), nullable=True),
        sa.Column("minutes_final_date", sa.Date(), nullable=True),
        sa.Column("adm_decision", sa.String(length=20), nullable=True),
        sa.Column("adm_decision_date", sa.Date(), nullable=True),
        sa.Column("adm_reasons", sa.Text(), nullable=True),
        sa.Column("lado_referral_id", sa.String(length=40), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "adm_decision IS NULL OR adm_decision IN ('agreed', 'not_agreed')", name=op.f("ck_panel_cases_adm_decision")
        ),
        sa.CheckConstraint(
            "carer_type IS NULL OR carer_type IN ('mainstream', 'connected', 'foster_to_adopt', 'temporary')",
            name=op.f("ck_panel_cases_carer_type"),
        ),
        sa.CheckConstraint(
            "case_type IN ('approval', 'reg25_extension', 'resignation', 'deregistration', 'first_review', 'third_year_review', 'review_after_allegation', 'change_of_terms', 'long_term_match', 'adopter_approval', 'match', 'adopter_deregistration', 'relinquished_child', 'other')",
            name=op.f("ck_panel_cases_case_type"),
        ),
        sa.CheckConstraint("panel IN ('fostering', 'adoption')", name=op.f("ck_panel_cases_panel")),
        sa.CheckConstraint(
            "recommendation IS NULL OR recommendation IN ('positive', 'deferred', 'negative', 'not_applicable')",
            name=op.f("ck_panel_cases_recommendation"),
        ),
        sa.CheckConstraint(
            "(adm_decision IS NULL) = (adm_decision_date IS NULL)", name=op.f("ck_panel_cases_decision_with_date")
        ),
        sa.CheckConstraint(
            "adm_decision IS NULL OR recommendation IS NOT NULL",
            name=op.f("ck_panel_cases_decision_after_recommendation"),
        ),
        sa.ForeignKeyConstraint(
            ["lado_referral_id"],
            ["lado_referrals.referral_id"],
            name=op.f("fk_panel_cases_lado_referral_id_lado_referrals"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["panel_meetings.meeting_id"], name=op.f("fk_panel_cases_meeting_id_panel_meetings")
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_panel_cases")),
    )
    with op.batch_alter_table("panel_cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_panel_cases_adm_decision_date"), ["adm_decision_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_panel_cases_lado_referral_id"), ["lado_referral_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_panel_cases_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_panel_cases_minutes_final_date"), ["minutes_final_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_panel_cases_subject_ref"), ["subject_ref"], unique=False)


def downgrade():
    with op.batch_alter_table("panel_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_cases_subject_ref"))
        batch_op.drop_index(batch_op.f("ix_panel_cases_minutes_final_date"))
        batch_op.drop_index(batch_op.f("ix_panel_cases_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_panel_cases_lado_referral_id"))
        batch_op.drop_index(batch_op.f("ix_panel_cases_adm_decision_date"))

    op.drop_table("panel_cases")
    with op.batch_alter_table("panel_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_members_meeting_id"))

    op.drop_table("panel_members")
    with op.batch_alter_table("carer_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_carer_reviews_review_date"))
        batch_op.drop_index(batch_op.f("ix_carer_reviews_household_id"))

    op.drop_table("carer_reviews")
    with op.batch_alter_table("panel_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_meetings_meeting_date"))

    op.drop_table("panel_meetings")
    with op.batch_alter_table("foster_households", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_foster_households_reviewing_officer_id"))
        batch_op.drop_index(batch_op.f("ix_foster_households_end_date"))
        batch_op.drop_index(batch_op.f("ix_foster_households_approval_date"))

    op.drop_table("foster_households")
