"""Pre-review consultations (issue 17): rounds, respondents, personal links (hashed tokens) and
answers; the business support role ``review_admin``.

Revision ID: 0015_consultations
Revises: 0014_jobs
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_consultations"
down_revision = "0014_jobs"
branch_labels = None
depends_on = None

OLD_ROLES = (
    "qaro",
    "iro_manager",
    "lado",
    "lado_manager",
    "panel_admin",
    "adm",
    "manager",
    "analyst",
    "board",
    "admin",
)
NEW_ROLES = ("qaro", "iro_manager", "lado", "lado_manager", "panel_admin", "adm", "review_admin", "manager", "analyst")
NEW_ROLES += ("board", "admin")
RESPONDENT_TYPES = ("child", "parent", "carer", "family", "social_worker", "school", "health", "advocate")
QUESTIONS = ("relationships", "wellbeing", "health", "education", "family_time", "information", "requests")
QUESTIONS += ("anything_else",)


def _in(column, codes):
    return f"{column} IN (" + ", ".join(f"'{c}'" for c in codes) + ")"


def _roles(codes):
    with op.batch_alter_table("user_roles") as batch:
        batch.drop_constraint(batch.f("ck_user_roles_role_code"), type_="check")
        batch.create_check_constraint(batch.f("ck_user_roles_role_code"), _in("role", codes))


def upgrade():
    _roles(NEW_ROLES)
    op.create_table(
        "consultation_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.String(length=40), nullable=False),
        sa.Column("child_pk", sa.Integer(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(
            ["child_pk"], ["children.id"], name=op.f("fk_consultation_rounds_child_pk_children"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_consultation_rounds_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_rounds")),
        sa.UniqueConstraint("round_id", name=op.f("uq_consultation_rounds_round_id")),
    )
    with op.batch_alter_table("consultation_rounds") as batch:
        batch.create_index(batch.f("ix_consultation_rounds_review_date"), ["review_date"], unique=False)
        batch.create_index("ix_consultation_rounds_child_pk_review_date", ["child_pk", "review_date"], unique=False)
    op.create_table(
        "consultation_respondents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_pk", sa.Integer(), nullable=False),
        sa.Column("respondent_type", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("contact_method", sa.String(length=10), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("send_attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("send_error", sa.Text(), nullable=True),
        sa.Column("first_saved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("entered_by", sa.Integer(), nullable=True),
        sa.Column("speak_to_officer", sa.Boolean(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            _in("respondent_type", RESPONDENT_TYPES), name=op.f("ck_consultation_respondents_respondent_type_code")
        ),
        sa.CheckConstraint(
            _in("contact_method", ("email", "paper")), name=op.f("ck_consultation_respondents_contact_method_code")
        ),
        sa.CheckConstraint(
            "contact_method <> 'email' OR email IS NOT NULL", name=op.f("ck_consultation_respondents_email_for_email")
        ),
        sa.ForeignKeyConstraint(
            ["round_pk"],
            ["consultation_rounds.id"],
            name=op.f("fk_consultation_respondents_round_pk_consultation_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entered_by"], ["users.id"], name=op.f("fk_consultation_respondents_entered_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_respondents")),
    )
    with op.batch_alter_table("consultation_respondents") as batch:
        batch.create_index(batch.f("ix_consultation_respondents_round_pk"), ["round_pk"], unique=False)
        batch.create_index(batch.f("ix_consultation_respondents_submitted_at"), ["submitted_at"], unique=False)
    op.create_table(
        "consultation_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("respondent_pk", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("purpose IN ('invitation', 'reminder')", name=op.f("ck_consultation_links_purpose_code")),
        sa.ForeignKeyConstraint(
            ["respondent_pk"],
            ["consultation_respondents.id"],
            name=op.f("fk_consultation_links_respondent_pk_consultation_respondents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_consultation_links_token_hash")),
    )
    with op.batch_alter_table("consultation_links") as batch:
        batch.create_index(batch.f("ix_consultation_links_respondent_pk"), ["respondent_pk"], unique=False)
    op.create_table(
        "consultation_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("respondent_pk", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_in("question", QUESTIONS), name=op.f("ck_consultation_answers_question_code")),
        sa.ForeignKeyConstraint(
            ["respondent_pk"],
            ["consultation_respondents.id"],
            name=op.f("fk_consultation_answers_respondent_pk_consultation_respondents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_answers")),
        sa.UniqueConstraint("respondent_pk", "question", name=op.f("uq_consultation_answers_respondent_pk_question")),
    )


def downgrade():
    op.drop_table("consultation_answers")
    with op.batch_alter_table("consultation_links") as batch:
        batch.drop_index(batch.f("ix_consultation_links_respondent_pk"))
    op.drop_table("consultation_links")
    with op.batch_alter_table("consultation_respondents") as batch:
        batch.drop_index(batch.f("ix_consultation_respondents_submitted_at"))
        batch.drop_index(batch.f("ix_consultation_respondents_round_pk"))
    op.drop_table("consultation_respondents")
    with op.batch_alter_table("consultation_rounds") as batch:
        batch.drop_index("ix_consultation_rounds_child_pk_review_date")
        batch.drop_index(batch.f("ix_consultation_rounds_review_date"))
    op.drop_table("consultation_rounds")
    op.execute("DELETE FROM user_roles WHERE role = 'review_admin'")
    _roles(OLD_ROLES)
