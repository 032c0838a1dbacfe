"""The due-item registry (interchange.md §3): every open item with a deadline.

Features register a kind with a set-based query function ``query(as_of, owner)`` that yields
``(ref, owner, due_date)`` rows (plus optional extras: ``label``, ``url``). The registry adds
the one ``due_state``, sorts by due date, and filters by owner, team, kind, state and by what
the user's roles may see. The ``due-items`` command, the home page "My worklist" and the
managers' "All overdue" page all read from here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Callable, Iterable

from sqlalchemy import select

from tracker.core import permissions
from tracker.core.timescales import DueState, due_state


@dataclass(frozen=True)
class DueKind:
    kind: str
    label: str
    family: str  # record family whose view capability is needed: children, escalations, lado, panels
    query: Callable[[dt.date, str | None], Iterable]
    order: int = 50


@dataclass(frozen=True)
class DueItem:
    kind: str
    ref: str
    owner: str
    due_date: dt.date
    state: DueState
    label: str = ""
    url: str | None = None
    team: str | None = None
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def as_dict(self) -> dict:
        """The public shape of interchange.md §3."""
        return {
            "kind": self.kind,
            "ref": self.ref,
            "owner": self.owner,
            "due_date": self.due_date.isoformat(),
            "state": self.state.value,
        }

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind].label


KINDS: dict[str, DueKind] = {}


def register_kind(kind: str, label: str, family: str, query: Callable, order: int = 50) -> None:
    """``query(as_of, owner)`` returns rows ``(ref, owner, due_date[, label[, url]])`` or mappings
    with those keys for every open item at ``as_of`` (owner None = everybody's)."""
    if family not in permissions.RECORD_FAMILY_CAPABILITY:
        raise ValueError(f"unknown record family {family!r}")
    KINDS[kind] = DueKind(kind, label, family, query, order)


def kinds_for(user=None) -> list[DueKind]:
    kinds = sorted(KINDS.values(), key=lambda k: (k.order, k.kind))
    if user is None:  # CLI: the operator sees everything
        return kinds
    return [k for k in kinds if permissions.can(user, permissions.RECORD_FAMILY_CAPABILITY[k.family])]


def _row(row) -> dict:
    if isinstance(row, dict):
        return row
    mapping = getattr(row, "_mapping", None)
    if mapping is not None and "ref" in mapping:
        return dict(mapping)
    values = tuple(row)
    keys = ("ref", "owner", "due_date", "label", "url")
    return dict(zip(keys, values))


def _teams() -> dict[str, str | None]:
    from tracker.auth.models import User
    from tracker.extensions import db

    return {oid: team for oid, team in db.session.execute(select(User.officer_id, User.team).where(User.officer_id.is_not(None)))}


def collect(
    as_of: dt.date,
    *,
    owner: str | None = None,
    kinds: Iterable[str] | None = None,
    states: Iterable[str] | None = None,
    team: str | None = None,
    user=None,
) -> list[DueItem]:
    """Every open item at ``as_of``, sorted by due date (then kind and ref)."""
    wanted = set(kinds) if kinds else None
    wanted_states = {DueState(s) for s in states} if states else None
    teams = _teams()
    items: list[DueItem] = []
    for k in kinds_for(user):
        if wanted is not None and k.kind not in wanted:
            continue
        for raw in k.query(as_of, owner):
            row = _row(raw)
            if row["due_date"] is None:
                continue
            row_owner = row.get("owner") or ""
            if owner is not None and row_owner != owner:
                continue
            item_team = teams.get(row_owner)
            if team and item_team != team:
                continue
            state = due_state(row["due_date"], as_of)
            if wanted_states is not None and state not in wanted_states:
                continue
            items.append(
                DueItem(
                    kind=k.kind,
                    ref=str(row["ref"]),
                    owner=row_owner,
                    due_date=row["due_date"],
                    state=state,
                    label=row.get("label") or str(row["ref"]),
                    url=row.get("url"),
                    team=item_team,
                )
            )
    items.sort(key=lambda i: (i.due_date, i.kind, i.ref))
    return items


def items_for(user, as_of: dt.date, kind: str | None = None, state: str | None = None) -> list[DueItem]:
    """The user's own worklist: items whose owner is the user's officer id."""
    if not getattr(user, "officer_id", None):
        return []
    return collect(as_of, owner=user.officer_id, kinds=[kind] if kind else None, states=[state] if state else None, user=user)


def document(as_of: dt.date, items: list[DueItem]) -> dict:
    return {"as_of": as_of.isoformat(), "items": [i.as_dict() for i in items]}
