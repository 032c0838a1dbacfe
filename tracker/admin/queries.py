"""Read side of administration: the users list and the audit log, filtered and paginated
in the database (cost grows with the page asked for, not with the history).

The audit log queries take an optional record ``family`` (``"lado"`` for the LADO manager's
view): only the rows that ``permissions.audit_family`` puts in that family, decided in SQL by
the same mapping."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, and_, false, func, not_, or_, select

from tracker.auth.models import User, UserRole
from tracker.core import permissions
from tracker.core.audit import AuditEntry
from tracker.core.clock import start_of_day_utc
from tracker.core.pagination import Page, paginate
from tracker.db import like_pattern
from tracker.extensions import db


def users_page(*, q: str | None = None, role: str | None = None, page: int = 1, per_page: int = 50) -> Page:
    return paginate(users_query(q=q, role=role), page, per_page)


def users_query(*, q: str | None = None, role: str | None = None) -> Select:
    """The users list (its pages and its download): matching ``q`` (name or email) and ``role``."""
    query = select(User)
    if q and q.strip():
        pattern = like_pattern(q)
        query = query.where(
            or_(func.lower(User.name).like(pattern, escape="\\"), func.lower(User.email).like(pattern, escape="\\"))
        )
    if role:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    return query.order_by(func.lower(User.name), User.id)


@dataclass
class AuditFilters:
    action: str | None = None
    actor: str | None = None  # "u<id>" for a user, or "a<actor name>" for system/anonymous/cli actors
    object_type: str | None = None
    object_id: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _starts_with(column, prefix: str):
    """Case-sensitive on every database, as ``str.startswith`` (SQLite's LIKE is not)."""
    return func.substr(column, 1, len(prefix)) == prefix


def audit_family_condition(family: str):
    """The rows of one record family, as ``permissions.audit_family`` decides it (the action
    first, then an object type prefix, then an exact object type)."""
    kind = AuditEntry.object_type
    prefixes = permissions.AUDIT_OBJECT_PREFIX_FAMILY
    by_prefix = [_starts_with(kind, p) for p, f in prefixes.items() if f == family]
    exact = [t for t, f in permissions.AUDIT_OBJECT_FAMILY.items() if f == family]
    by_type = or_(*by_prefix, false())
    if exact:
        other_prefixes = [_starts_with(kind, p) for p in prefixes]
        by_type = or_(by_type, and_(kind.in_(exact), not_(or_(*other_prefixes, false()))))
    actions = permissions.AUDIT_ACTION_FAMILY
    of_family = [a for a, f in actions.items() if f == family]
    return or_(
        AuditEntry.action.in_(of_family) if of_family else false(),
        and_(AuditEntry.action.not_in(list(actions)), kind.is_not(None), by_type),
    )


def _audit_query(columns, family: str | None):
    query = select(*columns)
    return query if family is None else query.where(audit_family_condition(family))


def audit_page(filters: AuditFilters, *, family: str | None = None, page: int = 1, per_page: int = 50) -> Page:
    return paginate(audit_query(filters, family=family), page, per_page)


def audit_query(filters: AuditFilters, *, family: str | None = None) -> Select:
    """The audit log's entries the filters select (of one ``family``), newest first: the one
    query of its pages and its download."""
    query = _audit_query([AuditEntry], family)
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
        query = query.where(AuditEntry.at >= start_of_day_utc(filters.date_from))
    if filters.date_to:
        query = query.where(AuditEntry.at < start_of_day_utc(filters.date_to + dt.timedelta(days=1)))
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def audit_actions(family: str | None = None) -> list[str]:
    query = _audit_query([AuditEntry.action], family)
    return list(db.session.scalars(query.distinct().order_by(AuditEntry.action)))


def audit_object_types(family: str | None = None) -> list[str]:
    query = _audit_query([AuditEntry.object_type], family).where(AuditEntry.object_type.is_not(None))
    return list(db.session.scalars(query.distinct().order_by(AuditEntry.object_type)))


def audit_actor_choices(family: str | None = None) -> list[tuple[str, str]]:
    """Users (by id, so no email goes in the URL) and the non-user actors (system, cli, anonymous).
    For one family, only the users and actors who appear in its rows; otherwise every user."""
    users = select(User.id, User.name, User.email).order_by(func.lower(User.name))
    if family is not None:
        users = users.where(User.id.in_(_audit_query([AuditEntry.user_id], family)))
    others = _audit_query([AuditEntry.actor], family).where(AuditEntry.user_id.is_(None))
    choices = [(f"u{uid}", f"{name} ({email})") for uid, name, email in db.session.execute(users)]
    choices += [
        (f"a{actor}", actor)
        for actor in db.session.scalars(others.distinct().order_by(AuditEntry.actor))
        if "@" not in actor
    ]
    return choices


def users_by_id(ids) -> dict[int, User]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}
