"""Read side of administration: the users list and the audit log, filtered and paginated
in the database (cost grows with the page asked for, not with the history)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from tracker.auth.models import User, UserRole
from tracker.core.audit import AuditEntry
from tracker.core.clock import LONDON
from tracker.core.pagination import Page, paginate
from tracker.db import like_pattern
from tracker.extensions import db


def users_page(*, q: str | None = None, role: str | None = None, page: int = 1, per_page: int = 50) -> Page:
    query = select(User)
    if q and q.strip():
        pattern = like_pattern(q)
        query = query.where(
            or_(func.lower(User.name).like(pattern, escape="\\"), func.lower(User.email).like(pattern, escape="\\"))
        )
    if role:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    return paginate(query.order_by(func.lower(User.name), User.id), page, per_page)


@dataclass
class AuditFilters:
    action: str | None = None
    actor: str | None = None  # "u<id>" for a user, or "a<actor name>" for system/anonymous/cli actors
    object_type: str | None = None
    object_id: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight in England at the start of a date, as a UTC timestamp."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=LONDON).astimezone(dt.UTC)


def audit_page(filters: AuditFilters, *, page: int = 1, per_page: int = 50) -> Page:
    query = select(AuditEntry)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.actor:
        if filters.actor.startswith("u") and filters.actor[1:].isdigit():
            query = query.where(AuditEntry.user_id == int(filters.actor[1:]))
        elif filters.actor.startswith("a"):
            query = query.where(AuditEntry.user_id.is_(None), AuditEntry.actor == filters.actor[1:])
    if filters.object_type:
        query = query.where(AuditEntry.object_type == filters.object_type)
    if filters.object_id:
        query = query.where(AuditEntry.object_id == filters.object_id.strip())
    if filters.date_from:
        query = query.where(AuditEntry.at >= _start_of(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEntry.at < _start_of(filters.date_to + dt.timedelta(days=1)))
    return paginate(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()), page, per_page)


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def audit_object_types() -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.object_type)
            .where(AuditEntry.object_type.is_not(None))
            .distinct()
            .order_by(AuditEntry.object_type)
        )
    )


def audit_actor_choices() -> list[tuple[str, str]]:
    """Users (by id, so no email goes in the URL) and the non-user actors (system, cli, anonymous)."""
    users = db.session.execute(select(User.id, User.name, User.email).order_by(func.lower(User.name))).all()
    others = db.session.scalars(
        select(AuditEntry.actor).where(AuditEntry.user_id.is_(None)).distinct().order_by(AuditEntry.actor)
    ).all()
    choices = [(f"u{uid}", f"{name} ({email})") for uid, name, email in users]
    choices += [(f"a{actor}", actor) for actor in others if "@" not in actor]
    return choices


def users_by_id(ids) -> dict[int, User]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
