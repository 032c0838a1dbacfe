"""LADO: person and organisation indexes, contacts (with categories), referrals, meetings
and actions (domain.md §6).

Revision ID: 0005_lado
Revises: 0004_escalations
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_lado"
down_revision = "0004_escalations"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "lado_organisations",
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("ref", name=op.f("pk_lado_organisations")),
    )
    with op.batch_alter_table("lado_organisations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lado_organisations_name"), ["name"], unique=False)

    op.create_table(
        "lado_persons",
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("ref", name=op.f("pk_lado_persons")),
    )
    with op.batch_alter_table("lado_persons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lado_persons_date_of_birth"), ["date_of_birth"], unique=False)
        batch_op.create_index(batch_op.f("ix_lado_persons_name"), ["name"], unique=False)

    op.create_table(
        "lado_contacts",
        sa.Column("contact_id", sa.String(length=40), nullable=False),
        sa.Column("contact_date", sa.Date(), nullable=False),
        sa.Column("referrer_agency", sa.String(length=200), nullable=True),
        sa.Column("employer_sector", sa.String(length=30), nullable=False),
        sa.Column("subject_role", sa.String(length=200), nullable=True),
        sa.Column("person_ref", sa.String(length=40), nullable=True),
        sa.Column("organisation_ref", sa.String(length=40), nullable=True),
        sa.Column("disposition", sa.String(length=30), nullable=False),
        sa.Column("foster_carer_type", sa.String(length=20), nullable=True),
        sa.Column("foster_carer_agency", sa.String(length=20), nullable=True),
        sa.Column("officer_id", sa.String(length=40), nullable=True),
        sa.Column("summary", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint(
            "disposition IN ('referral', 'advice', 'internal_investigation', 'standards_of_care', 'no_further_action')",
            name=op.f("ck_lado_contacts_disposition"),
        ),
        sa.CheckConstraint(
            "employer_sector IN ('education', 'early_years', 'foster_care', 'residential_care', 'social_care', 'health', 'police', 'armed_forces', 'sport', 'faith', 'voluntary', 'transport', 'self_employed', 'other')",
            name=op.f("ck_lado_contacts_employer_sector"),
        ),
        sa.CheckConstraint(
            "foster_carer_agency IS NULL OR foster_carer_agency IN ('own', 'other_la', 'ifa')",
            name=op.f("ck_lado_contacts_foster_carer_agency"),
        ),
        sa.CheckConstraint(
            "foster_carer_type IS NULL OR foster_carer_type IN ('mainstream', 'connected')",
            name=op.f("ck_lado_contacts_foster_carer_type"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_ref"],
            ["lado_organisations.ref"],
            name=op.f("fk_lado_contacts_organisation_ref_lado_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["person_ref"], ["lado_persons.ref"], name=op.f("fk_lado_contacts_person_ref_lado_persons")
        ),
        sa.PrimaryKeyConstraint("contact_id", name=op.f("pk_lado_contacts")),
    )
    with op.batch_alter_table("lado_contacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lado_contacts_contact_date"), ["contact_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_lado_contacts_officer_id"), ["officer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lado_contacts_organisation_ref"), ["organisation_ref"], unique=False)
        batch_op.create_index(batch_op.f("ix_lado_contacts_person_ref"), ["person_ref"], unique=False)

    op.create_table(
        "lado_contact_categories",
        sa.Column("contact_id", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=30), nullable=False),
        sa.CheckConstraint(
            "category IN ('physical', 'sexual', 'emotional', 'neglect', 'transferable_risk', 'conduct')",
            name=op.f("ck_lado_contact_categories_category"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["lado_contacts.contact_id"],
            name=op.f("fk_lado_contact_categories_contact_id_lado_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contact_id", "category", name=op.f("pk_lado_contact_categories")),
    )
    op.create_table(
        "lado_referrals",
        sa.Column("referral_id", sa.String(length=40), nullable=False),
        sa.Column("contact_id", sa.String(length=40), nullable=False),
        sa.Column("referral_date", sa.Date(), nullable=False),
        sa.Column("police_investigation", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("outcome_date", sa.Date(), nullable=True),
        sa.Column("dbs_referral_date", sa.Date(), nullable=True),
        sa.Column("returned_to_panel", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("child_informed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("closed_date", sa.Date(), nullable=True),
        sa.Column("officer_id", sa.String(length=40), nullable=True),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('substantiated', 'false', 'malicious', 'unsubstantiated', 'unfounded')",
            name=op.f("ck_lado_referrals_outcome"),
        ),
        sa.CheckConstraint(
            "(outcome IS NULL) = (outcome_date IS NULL)", name=op.f("ck_lado_referrals_outcome_with_date")
        ),
        sa.CheckConstraint(
            "closed_date IS NULL OR closed_date >= referral_date", name=op.f("ck_lado_referrals_closed_after_referral")
        ),
        sa.CheckConstraint(
            "outcome_date IS NULL OR outcome_date >= referral_date",
            name=op.f("ck_lado_referrals_outcome_after_referral"),
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["lado_contacts.contact_id"], name=op.f("fk_lado_referrals_contact_id_lado_contacts")
        ),
        sa.PrimaryKeyConstraint("referral_id", name=op.f("pk_lado_referrals")),
        sa.UniqueConstraint("contact_id", name=op.f("uq_lado_referrals_contact_id")),
    )
    with op.batch_alter_table("lado_referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lado_referrals_closed_date"), ["closed_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_lado_referrals_dbs_referral_date"), ["dbs_referral_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_lado_referrals_officer_id"), ["officer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lado_referrals_outcome_date"), ["outcome_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_lado_referrals_referral_date"), ["referral_date"], unique=False)

    op.create_table(
        "lado_actions",
        sa.Column("action_id", sa.String(length=40), nullable=False),
        sa.Column("referral_id", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("completed_date", sa.Date(), nullable=True),
        sa.Column("review_notes", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["lado_referrals.referral_id"], name=op.f("fk_lado_actions_referral_id_lado_referrals")
        ),
        sa.PrimaryKeyConstraint("action_id", name=op.f("pk_lado_actions")),
    )
    with op.batch_alter_table("lado_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lado_actions_completed_date"), ["completed_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_lado_actions_due_date"), ["due_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_lado_actions_owner"), ["owner"], unique=False)
        batch_op.create_index(batch_op.f("ix_lado_actions_referral_id"), ["referral_id"], unique=False)

    op.create_table(
        "lado_meetings",
        sa.Column("meeting_id", sa.String(length=40), nullable=False),
        sa.Column("referral_id", sa.String(length=40), nullable=False),
        sa.Column("meeting_type", sa.String(length=20), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("attendees", sa.Text(), server_default="", nullable=False),
        sa.Column("minutes_notes", sa.Text(), server_default="", nullable=False),
        sa.Column("decisions", sa.Text(), server_default="", nullable=False),
        sa.CheckConstraint(
            "meeting_type IN ('iem', 'strategy', 'paim', 'review')", name=op.f("ck_lado_meetings_meeting_type")
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"], ["lado_referrals.referral_id"], name=op.f("fk_lado_meetings_referral_id_lado_referrals")
        ),
        sa.PrimaryKeyConstraint("meeting_id", name=op.f("pk_lado_meetings")),
    )
    with op.batch_alter_table("lado_meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lado_meetings_meeting_date"), ["meeting_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_lado_meetings_referral_id"), ["referral_id"], unique=False)


def downgrade():
    with op.batch_alter_table("lado_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lado_meetings_referral_id"))
        batch_op.drop_index(batch_op.f("ix_lado_meetings_meeting_date"))

    op.drop_table("lado_meetings")
    with op.batch_alter_table("lado_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lado_actions_referral_id"))
        batch_op.drop_index(batch_op.f("ix_lado_actions_owner"))
        batch_op.drop_index(batch_op.f("ix_lado_actions_due_date"))
        batch_op.drop_index(batch_op.f("ix_lado_actions_completed_date"))

    op.drop_table("lado_actions")
    with op.batch_alter_table("lado_referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lado_referrals_referral_date"))
        batch_op.drop_index(batch_op.f("ix_lado_referrals_outcome_date"))
        batch_op.drop_index(batch_op.f("ix_lado_referrals_officer_id"))
        batch_op.drop_index(batch_op.f("ix_lado_referrals_dbs_referral_date"))
        batch_op.drop_index(batch_op.f("ix_lado_referrals_closed_date"))

    op.drop_table("lado_referrals")
    op.drop_table("lado_contact_categories")
    with op.batch_alter_table("lado_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lado_contacts_person_ref"))
        batch_op.drop_index(batch_op.f("ix_lado_contacts_organisation_ref"))
        batch_op.drop_index(batch_op.f("ix_lado_contacts_officer_id"))
        batch_op.drop_index(batch_op.f("ix_lado_contacts_contact_date"))

    op.drop_table("lado_contacts")
    with op.batch_alter_table("lado_persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lado_persons_name"))
        batch_op.drop_index(batch_op.f("ix_lado_persons_date_of_birth"))

    op.drop_table("lado_persons")
    with op.batch_alter_table("lado_organisations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lado_organisations_name"))

    op.drop_table("lado_organisations")
