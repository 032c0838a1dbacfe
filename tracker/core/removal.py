"""Removing a record recorded by mistake: the one way every feature does it (a LADO meeting or
action; a review, an IRO contact or a care period).

The record is kept (``tracker.db.Removable``: ``removed_at``, ``removed_by``, ``removed_reason``)
and is no part of anything any more: its parent's relationships leave it out, and every query of
its model keeps ``removed_at IS NULL`` (pages, due items, figures, exports, the import's rules).
The reason is required; the feature's operation writes the audit row (``<noun>.remove``, the
record as it was in ``before``, the reason in ``after``). The managers see what was removed, by
whom, when and why (``removed_records``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import has_request_context
from flask_login import current_user
from sqlalchemy import literal, select
from sqlalchemy.orm import aliased

from tracker.core import checks
from tracker.core.clock import now_utc
from tracker.core.errors import DomainError
from tracker.extensions import db


def acting_user_id(user=None) -> int | None:
    """Who makes the change: ``user``, else the signed-in user (None for the import or a command)."""
    if user is None and has_request_context() and current_user and current_user.is_authenticated:
        user = current_user
    return getattr(user, "id", None)


def mark_removed(record, reason: str | None, what: str, user=None) -> str:
    """Mark ``record`` removed with the reason (required: "Enter why the <what> is being
    removed", against the field ``reason``); returns the reason as kept (stripped)."""
    if record.removed_at is not None:
        raise DomainError(f"This {what} has already been removed", "reason")
    reason = (reason or "").strip()
    checks.required(reason, "reason", f"Enter why the {what} is being removed")
    record.removed_at, record.removed_by, record.removed_reason = now_utc(), acting_user_id(user), reason
    return reason


@dataclass(frozen=True)
class Removed:
    """A record removed by mistake, as a manager sees it."""

    kind: str  # what it is, e.g. "review", "lado_meeting"
    record: Any  # the record itself (removed_at, removed_reason)
    removed_by: str | None  # the name of who removed it (None: not known)
    recorded_by: str | None = None  # the name of who recorded it, for records that keep it


def removed_records(sources) -> list[Removed]:
    """The removed records of ``sources`` — (kind, model, condition) — with who removed each and,
    for a model that keeps it (``recorded_by``), who recorded it, by name: oldest removal first."""
    from tracker.auth.models import User

    found: list[Removed] = []
    for kind, model, condition in sources:
        remover, recorder = aliased(User), aliased(User)
        authored = hasattr(model, "recorded_by")
        query = (
            select(model, remover.name, recorder.name if authored else literal(None))
            .outerjoin(remover, remover.id == model.removed_by)
            .where(condition, model.removed_at.is_not(None))
        )
        if authored:
            query = query.outerjoin(recorder, recorder.id == model.recorded_by)
        found.extend(
            Removed(kind, record, removed_by, recorded_by)
            for record, removed_by, recorded_by in db.session.execute(query)
        )
    return sorted(found, key=lambda r: r.record.removed_at)
