"""A LADO person's page is at a random public id, not at their reference: a reference may be a
name-like string from the case system ("JSmith-1980"), and a URL lands in access logs and browser
history. The column is added, every existing person gets a random id, then it becomes not null
and unique.

Revision ID: 0008_lado_person_public_id
Revises: 0007_drop_sign_in_counters
Create Date: 2026-11-28
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0008_lado_person_public_id"
down_revision = "0007_drop_sign_in_counters"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("lado_persons") as batch:
        batch.add_column(sa.Column("public_id", sa.String(length=24), nullable=True))
    conn = op.get_bind()
    persons = sa.table("lado_persons", sa.column("ref", sa.String), sa.column("public_id", sa.String))
    refs = conn.execute(sa.select(persons.c.ref)).scalars().all()
    if refs:
        conn.execute(
            persons.update().where(persons.c.ref == sa.bindparam("b_ref")).values(public_id=sa.bindparam("b_id")),
            [{"b_ref": ref, "b_id": secrets.token_urlsafe(12)} for ref in refs],
        )
    with op.batch_alter_table("lado_persons") as batch:
        batch.alter_column("public_id", existing_type=sa.String(length=24), nullable=False)
        batch.create_unique_constraint(batch.f("uq_lado_persons_public_id"), ["public_id"])


def downgrade():
    with op.batch_alter_table("lado_persons") as batch:
        batch.drop_constraint(batch.f("uq_lado_persons_public_id"), type_="unique")
        batch.drop_column("public_id")
