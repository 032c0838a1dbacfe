"""The due-item registry (interchange.md §3): every open item with a deadline.

A feature registers each kind of item with a set-based query ``query(as_of) -> Select`` whose
rows have the columns ``ref`` (the item's public reference), ``owner`` (an officer id, or blank
for a queue), ``due_date`` and ``record_ref`` (the reference of the record whose page shows the
item), plus any columns its ``describe(row)`` reads to word the item. The registry filters those
queries in the database (owner, team, record, state), adds the one ``due_state`` and sorts by
due date. Everything that shows a deadline reads it from here: the ``due-items`` command, the
worklist pages, the home page — and the record pages (``for_record``), so a child's, an
escalation's or a referral's page shows exactly the deadlines the worklist computes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Select, func, select

from tracker.core import permissions
from tracker.core.timescales import DueState, due_state, due_state_sql
from tracker.extensions import db


@dataclass(frozen=True)
class DueKind:
    kind: str
    label: str
    family: str  # record family whose view capability is needed: children, escalations, lado, panels
    query: Callable[[dt.date], Select]
    record_type: str  # the kind of record (tracker.web.records) whose page shows these items
    describe: Callable[[object], str]  # a row of ``query`` → the item's label in lists
    link_type: str | None = None  # the item's own page, when it has one (else the record's page)
    order: int = 50


@dataclass(frozen=True)
class DueItem:
    kind: str
    ref: str
    owner: str
    due_date: dt.date
    state: DueState
    record_type: str
    record_ref: str
    label: str = ""
    team: str | None = None

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

    @property
    def url(self) -> str | None:
        from tracker.web.records import record_url

        link_type = KINDS[self.kind].link_type
        return record_url(link_type, self.ref) if link_type else record_url(self.record_type, self.record_ref)


KINDS: dict[str, DueKind] = {}


def register_kind(
    kind: str,
    label: str,
    family: str,
    query: Callable[[dt.date], Select],
    *,
    record_type: str,
    describe: Callable[[object], str],
    link_type: str | None = None,
    order: int = 50,
) -> None:
    if family not in permissions.RECORD_FAMILY_CAPABILITY:
        raise ValueError(f"unknown record family {family!r}")
    KINDS[kind] = DueKind(kind, label, family, query, record_type, describe, link_type, order)


def kinds_for(user=None) -> list[DueKind]:
    kinds = sorted(KINDS.values(), key=lambda k: (k.order, k.kind))
    if user is None:  # CLI: the operator sees everything
        return kinds
    return [k for k in kinds if permissions.can(user, permissions.RECORD_FAMILY_CAPABILITY[k.family])]


def _officers_in_team(team: str):
    from tracker.auth.models import User

    return select(User.officer_id).where(User.team == team, User.officer_id.is_not(None))


def _teams() -> dict[str, str | None]:
    from tracker.auth.models import User

    rows = db.session.execute(select(User.officer_id, User.team).where(User.officer_id.is_not(None)))
    return dict(rows.tuples().all())


def _rows(
    k: DueKind,
    as_of: dt.date,
    *,
    owner: str | None,
    team: str | None,
    states: set[DueState] | None,
    record_refs: Iterable[str] | None,
    refs: Iterable[str] | None,
):
    sq = k.query(as_of).subquery()
    owner_col = func.coalesce(sq.c.owner, "")
    q = select(sq).where(sq.c.due_date.is_not(None))
    if owner is not None:
        q = q.where(owner_col == owner)
    if team:
        q = q.where(sq.c.owner.in_(_officers_in_team(team)))
    if record_refs is not None:
        q = q.where(sq.c.record_ref.in_(list(record_refs)))
    if refs is not None:
        q = q.where(sq.c.ref.in_(list(refs)))
    if states is not None:
        q = q.where(due_state_sql(sq.c.due_date, as_of).in_([s.value for s in states]))
    return db.session.execute(q)


def collect(
    as_of: dt.date,
    *,
    owner: str | None = None,
    kinds: Iterable[str] | None = None,
    states: Iterable[str] | None = None,
    team: str | None = None,
    user=None,
    record_refs: Iterable[str] | None = None,
    refs: Iterable[str] | None = None,
) -> list[DueItem]:
    """Every open item at ``as_of`` that the user may see (everyone's when ``user`` is None),
    filtered in the database, sorted by due date (then kind and reference)."""
    wanted = set(kinds) if kinds else None
    wanted_states = {DueState(s) for s in states} if states else None
    record_refs = list(record_refs) if record_refs is not None else None
    refs = list(refs) if refs is not None else None
    teams = _teams()
    items: list[DueItem] = []
    for k in kinds_for(user):
        if wanted is not None and k.kind not in wanted:
            continue
        for row in _rows(k, as_of, owner=owner, team=team, states=wanted_states, record_refs=record_refs, refs=refs):
            item_owner = row.owner or ""
            items.append(
                DueItem(
                    kind=k.kind,
                    ref=str(row.ref),
                    owner=item_owner,
                    due_date=row.due_date,
                    state=due_state(row.due_date, as_of),
                    record_type=k.record_type,
                    record_ref=str(row.record_ref),
                    label=k.describe(row),
                    team=teams.get(item_owner),
                )
            )
    items.sort(key=lambda i: (i.due_date, i.kind, i.ref))
    return items


def for_record(record_type: str, record_ref: str, as_of: dt.date, user=None) -> list[DueItem]:
    """The open items shown on one record's page (its deadlines), as every list computes them."""
    kinds = [k.kind for k in KINDS.values() if k.record_type == record_type]
    if not kinds:
        return []
    return collect(as_of, kinds=kinds, record_refs=[record_ref], user=user)


def items_for(user, as_of: dt.date, kind: str | None = None, state: str | None = None) -> list[DueItem]:
    """The user's own worklist: items whose owner is the user's officer id."""
    if not getattr(user, "officer_id", None):
        return []
    return collect(
        as_of, owner=user.officer_id, kinds=[kind] if kind else None, states=[state] if state else None, user=user
    )


def document(as_of: dt.date, items: list[DueItem]) -> dict:
    return {"as_of": as_of.isoformat(), "items": [i.as_dict() for i in items]}
