"""The append-only audit log and the one function that writes it.

Every operation calls ``record`` in the same transaction as its change (it adds the row to
the session; the request or command commits once). Reads of LADO records and exports are
recorded too. The table has no update or delete path in the application, and database
triggers (see the foundation migration) refuse UPDATE and DELETE outright.
"""
from __future__ import annotations

import datetime as dt
import decimal
import enum
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.clock import now_utc
from tracker.db import UTCDateTime
from tracker.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor: Mapped[str] = mapped_column(String(200))  # email or "system"/"cli:…"; kept if the user changes
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str | None] = mapped_column(String(80))
    object_id: Mapped[str | None] = mapped_column(String(80))
    summary: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)


def jsonable(value: Any) -> Any:
    """Turn dates, enums and decimals into JSON values (for before/after snapshots)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def snapshot(obj: Any, fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    """The named attributes of an object, ready to be a before/after value."""
    return {f: jsonable(getattr(obj, f)) for f in fields}


def changed(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the keys whose values differ, so an audit row shows what changed."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def _actor(user) -> tuple[int | None, str]:
    if user is None and has_request_context() and current_user and current_user.is_authenticated:
        user = current_user
    if user is not None and getattr(user, "id", None) is not None:
        return user.id, user.email
    return None, "system"


def record(
    action: str,
    *,
    object_type: str | None = None,
    object_id: Any = None,
    summary: str = "",
    before: Any = None,
    after: Any = None,
    user=None,
    actor: str | None = None,
) -> AuditEntry:
    """Write one audit row in the current transaction. Never commits.

    ``summary`` must not carry personal data beyond record ids: the log is read by admins.
    """
    user_id, actor_name = _actor(user)
    entry = AuditEntry(
        at=now_utc(),
        user_id=user_id,
        actor=actor or actor_name,
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        summary=summary,
        before=jsonable(before),
        after=jsonable(after),
    )
    db.session.add(entry)
    return entry


def client_address() -> str | None:
    return request.remote_addr if has_request_context() else None
