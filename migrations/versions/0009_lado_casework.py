"""LADO casework (issue 11): people and organisations as entities (aliases, identifiers, a
normalised name for matching, merges; an organisation's sector and URN), the LADO who chases
each action and its last quarterly review, the workflow's reasons (no IEM held, a late meeting
or outcome), the DBS check on closing, and removal of a meeting or action recorded by mistake
(kept, with who and why).

Revision ID: 0009_lado_casework
Revises: 0008_lado_person_public_id
Create Date: 2026-11-27
"""

import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0009_lado_casework"
down_revision = "0008_lado_person_public_id"
branch_labels = None
depends_on = None

SECTORS = (  # frozen from tracker.lado.models.Sector
    "education",
    "early_years",
    "foster_care",
    "residential_care",
    "social_care",
    "health",
    "police",
    "armed_forces",
    "sport",
    "faith",
    "voluntary",
    "transport",
    "self_employed",
    "other",
)

# frozen from tracker.lado.matching.name_key: the key of the names already recorded
_KEY_LENGTH = 200
_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})
_APOSTROPHES = re.compile(r"['’‘`´]")
_NOT_WORD = re.compile(r"[\W_]+")


def _name_key(name):
    text = unicodedata.normalize("NFKD", (name or "").casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_LETTERS)
    text = _NOT_WORD.sub(" ", _APOSTROPHES.sub("", text))
    return " ".join(sorted(text.split()))[:_KEY_LENGTH].strip() or None


def _backfill_name_keys(table: str, key: str) -> None:
    """The name key of every row recorded before this revision (new rows get theirs from the
    model's events), in batches so that a large register does not sit in memory at once."""
    rows = sa.table(table, sa.column(key), sa.column("name"), sa.column("name_key"))
    connection = op.get_bind()
    last = None
    while True:
        query = sa.select(rows.c[key], rows.c.name).where(rows.c.name.is_not(None), rows.c.name_key.is_(None))
        if last is not None:
            query = query.where(rows.c[key] > last)
        batch = connection.execute(query.order_by(rows.c[key]).limit(1000)).all()
        if not batch:
            return
        for ident, name in batch:
            connection.execute(sa.update(rows).where(rows.c[key] == ident).values(name_key=_name_key(name)))
        last = batch[-1][0]


def _removal(batch, table: str) -> None:
    batch.add_column(sa.Column("recorded_by", sa.Integer(), nullable=True))
    batch.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
    batch.add_column(sa.Column("removed_by", sa.Integer(), nullable=True))
    batch.add_column(sa.Column("removed_reason", sa.Text(), nullable=True))
    batch.create_foreign_key(batch.f(f"fk_{table}_recorded_by_users"), "users", ["recorded_by"], ["id"])
    batch.create_foreign_key(batch.f(f"fk_{table}_removed_by_users"), "users", ["removed_by"], ["id"])


def upgrade():
    with op.batch_alter_table("lado_persons") as batch:
        batch.add_column(sa.Column("other_names", sa.Text(), server_default="", nullable=False))
        batch.add_column(sa.Column("identifiers", sa.Text(), server_default="", nullable=False))
        batch.add_column(sa.Column("name_key", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("merged_into_ref", sa.String(length=40), nullable=True))
        batch.create_index(batch.f("ix_lado_persons_name_key"), ["name_key"])
        batch.create_index(batch.f("ix_lado_persons_merged_into_ref"), ["merged_into_ref"])
        batch.create_foreign_key(
            batch.f("fk_lado_persons_merged_into_ref_lado_persons"), "lado_persons", ["merged_into_ref"], ["ref"]
        )
    with op.batch_alter_table("lado_organisations") as batch:
        batch.add_column(sa.Column("sector", sa.String(length=30), nullable=True))
        batch.add_column(sa.Column("urn", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("name_key", sa.String(length=200), nullable=True))
        batch.create_index(batch.f("ix_lado_organisations_urn"), ["urn"])
        batch.create_index(batch.f("ix_lado_organisations_name_key"), ["name_key"])
        batch.create_check_constraint(
            op.f("ck_lado_organisations_sector"),
            "sector IS NULL OR sector IN (" + ", ".join(f"'{s}'" for s in SECTORS) + ")",
        )
    with op.batch_alter_table("lado_referrals") as batch:
        batch.add_column(sa.Column("dbs_considered", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.add_column(sa.Column("no_iem_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("outcome_late_reason", sa.Text(), nullable=True))
    with op.batch_alter_table("lado_meetings") as batch:
        batch.add_column(sa.Column("late_reason", sa.Text(), nullable=True))
        _removal(batch, "lado_meetings")
    with op.batch_alter_table("lado_actions") as batch:
        batch.add_column(sa.Column("chaser_officer_id", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("last_reviewed_date", sa.Date(), nullable=True))
        batch.create_index(batch.f("ix_lado_actions_chaser_officer_id"), ["chaser_officer_id"])
        _removal(batch, "lado_actions")
    _backfill_name_keys("lado_persons", "ref")
    _backfill_name_keys("lado_organisations", "ref")


def downgrade():
    with op.batch_alter_table("lado_actions") as batch:
        batch.drop_constraint(batch.f("fk_lado_actions_removed_by_users"), type_="foreignkey")
        batch.drop_constraint(batch.f("fk_lado_actions_recorded_by_users"), type_="foreignkey")
        batch.drop_index(batch.f("ix_lado_actions_chaser_officer_id"))
        for column in ("removed_reason", "removed_by", "removed_at", "recorded_by", "last_reviewed_date"):
            batch.drop_column(column)
        batch.drop_column("chaser_officer_id")
    with op.batch_alter_table("lado_meetings") as batch:
        batch.drop_constraint(batch.f("fk_lado_meetings_removed_by_users"), type_="foreignkey")
        batch.drop_constraint(batch.f("fk_lado_meetings_recorded_by_users"), type_="foreignkey")
        for column in ("removed_reason", "removed_by", "removed_at", "recorded_by", "late_reason"):
            batch.drop_column(column)
    with op.batch_alter_table("lado_referrals") as batch:
        for column in ("outcome_late_reason", "no_iem_reason", "dbs_considered"):
            batch.drop_column(column)
    with op.batch_alter_table("lado_organisations") as batch:
        batch.drop_constraint(op.f("ck_lado_organisations_sector"), type_="check")
        batch.drop_index(batch.f("ix_lado_organisations_name_key"))
        batch.drop_index(batch.f("ix_lado_organisations_urn"))
        for column in ("name_key", "urn", "sector"):
            batch.drop_column(column)
    with op.batch_alter_table("lado_persons") as batch:
        batch.drop_constraint(batch.f("fk_lado_persons_merged_into_ref_lado_persons"), type_="foreignkey")
        batch.drop_index(batch.f("ix_lado_persons_merged_into_ref"))
        batch.drop_index(batch.f("ix_lado_persons_name_key"))
        for column in ("merged_into_ref", "name_key", "identifiers", "other_names"):
            batch.drop_column(column)
