"""officers.csv (interchange.md §1): the council's officers, upserted as users by officer_id."""

from __future__ import annotations

from sqlalchemy import func, select

from tracker.auth.models import User
from tracker.core import interchange
from tracker.core.interchange import Importer, RowReader
from tracker.core.permissions import ROLE_CODES
from tracker.extensions import db


class OfficersImporter(Importer):
    filename = "officers.csv"
    key = "officer_id"

    def parse(self, r: RowReader) -> dict | None:
        record = {
            "officer_id": r.id("officer_id", required=True),
            "name": r.text("name", required=True, max_len=200),
            "email": (r.text("email", max_len=254) or "").lower() or None,
            "roles": r.multi("roles", ROLE_CODES, required=True),
            "team": r.text("team", max_len=100),
        }
        if record["email"] and "@" not in record["email"]:
            r.error("email", f"{record['email']!r} is not an email address")
        return record if r.ok else None

    def write(self, records: list[dict], ctx) -> None:
        ids = [r["officer_id"] for r in records]
        existing = {u.officer_id: u for u in db.session.scalars(select(User).where(User.officer_id.in_(ids)))}
        emails = sorted({r["email"] for r in records if r["email"]})  # lower case (parse)
        # who holds each email: users already in the database (an address is one person's
        # whatever its case), then the rows of this batch as they are written
        holders = (
            {u.email.lower(): u for u in db.session.scalars(select(User).where(func.lower(User.email).in_(emails)))}
            if emails
            else {}
        )
        for rec in records:
            user = existing.get(rec["officer_id"])
            holder = holders.get(rec["email"]) if rec["email"] else None
            if user is None and holder is not None and holder.officer_id is None:
                user = holder  # a user created by hand, now linked to their officer id
            if holder is not None and holder is not user:
                ctx.error(
                    self.filename,
                    ctx.line_for(self.filename, rec["officer_id"]),
                    "email",
                    f"{rec['email']!r} is already used by another user",
                )
                continue
            if user is None:
                user = User(officer_id=rec["officer_id"])
                db.session.add(user)
            user.officer_id = rec["officer_id"]
            user.name = rec["name"]
            user.email = rec["email"] or user.email
            user.team = rec["team"]
            user.set_roles(rec["roles"])
            if rec["email"]:
                holders[rec["email"]] = user


interchange.register_ref_kind("officer", User.officer_id)
interchange.register_importer(OfficersImporter())
