"""The due-item registry (interchange.md §3): every open item with a deadline.

A feature registers each kind of item with a set-based query ``query(as_of) -> Select`` whose
rows have the columns ``ref`` (the item's public reference), ``owner`` (an officer id, or blank
for a queue), ``due_date`` and ``record_ref`` (the reference of the record whose page shows the
item), plus any columns its ``describe(row)`` reads to word the item. The registry filters those
queries in the database (owner, team, record, state), adds the one ``due_state`` and sorts by
due date. Everything that shows a deadline reads it from here: the ``due-items`` command, the
worklist pages, the home page — and the record pages (``for_record``), so a child's, an
escalation's or a referral's page shows exactly the deadlines the worklist computes.

An item with a blank owner is in a queue. A kind registered with ``queue_role`` (the LADO kinds:
``lado_manager``) puts its unallocated items on the own list of every holder of that role: an
officer's items (``collect(owner=…)``, ``due-items --owner``, ``items_for``) include them when the
officer holds the role (interchange.md §3: "blank while unallocated: the LADO managers' queue").
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Select, String, cast, func, literal, select, union_all

from tracker.core import permissions
from tracker.core.pagination import Page, paginate_rows
from tracker.core.timescales import DueState, due_state, due_state_sql
from tracker.db import bytewise
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
    queue_role: str | None = None  # whose own lists include the unallocated items (blank owner)
    # True: not one of interchange.md §3's kinds (the ``due-items`` contract) but a reminder on the
    # officer's own worklist, home page and digest only — never on everyone's lists, the oversight
    # page or a record's page (the LADO actions' quarterly reviews, issue 15)
    own_only: bool = False


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
    queue_role: str | None = None,
    own_only: bool = False,
) -> None:
    if family not in permissions.RECORD_FAMILY_CAPABILITY:
        raise ValueError(f"unknown record family {family!r}")
    if queue_role is not None:
        permissions.Role(queue_role)  # ValueError for an unknown role
    KINDS[kind] = DueKind(kind, label, family, query, record_type, describe, link_type, order, queue_role, own_only)


def public_kinds() -> list[str]:
    """The kinds of interchange.md §3 (what ``due-items`` lists)."""
    return [k.kind for k in kinds_for()]


def kinds_for(user=None, *, own: bool = False) -> list[DueKind]:
    """The kinds ``user`` may see (every kind when None); ``own``: with the kinds shown on an
    officer's own list only (``DueKind.own_only``)."""
    kinds = sorted((k for k in KINDS.values() if own or not k.own_only), key=lambda k: (k.order, k.kind))
    if user is None:  # CLI: the operator sees everything
        return kinds
    return [k for k in kinds if permissions.can(user, permissions.RECORD_FAMILY_CAPABILITY[k.family])]


def staff_roles(user=None) -> set[str]:
    """The roles of the staff who own items of the kinds ``user`` may see (everyone's when None):
    holders of an own worklist who may read the kind's records — a LADO manager's lists name LADO
    staff, an IRO manager's QAROs and IRO managers."""
    own = permissions.CAPABILITIES["worklist.own"]
    roles: set[str] = set()
    for k in kinds_for(user):
        readers = permissions.CAPABILITIES[permissions.RECORD_FAMILY_CAPABILITY[k.family]]
        roles |= {str(role.value) for role in readers & own}
    return roles


def staff(user=None) -> list[tuple[str, str, str | None]]:
    """(officer_id, name, team) of the users holding one of ``staff_roles(user)``, by name: whom a
    worklist's officer and team filters offer to ``user``."""
    from tracker.auth.models import User, UserRole

    roles = staff_roles(user)
    if not roles:
        return []
    rows = db.session.execute(
        select(User.officer_id, User.name, User.team)
        .where(
            User.officer_id.is_not(None),
            select(UserRole.user_id).where(UserRole.user_id == User.id, UserRole.role.in_(sorted(roles))).exists(),
        )
        .order_by(User.name, User.officer_id)
    )
    return [(officer_id, name or officer_id, team) for officer_id, name, team in rows]


def officer_names() -> dict[str, str]:
    """officer_id → name of every user with an officer id (an item's owner, shown by name)."""
    from tracker.auth.models import User

    rows = db.session.execute(select(User.officer_id, User.name).where(User.officer_id.is_not(None)))
    return {officer_id: name or officer_id for officer_id, name in rows}


def _roles_of_officer(officer_id: str) -> set[str]:
    """The roles of the enabled user with this officer id (none for an unknown id)."""
    from tracker.auth.models import User, UserRole

    return set(
        db.session.scalars(
            select(UserRole.role)
            .join(User, User.id == UserRole.user_id)
            .where(User.officer_id == officer_id, User.active.is_(True))
        )
    )


def _owners(k: DueKind, owner: str | None, roles: set[str]) -> list[str] | None:
    """The owner values of kind ``k`` on the list of ``owner`` (None: everyone's): the officer's
    own items, and the unallocated ones when the officer holds the kind's queue role."""
    if owner is None:
        return None
    owners = [owner] if owner else [""]
    if k.queue_role is not None and k.queue_role in roles and "" not in owners:
        owners.append("")
    return owners


def _officers_in_team(team: str):
    from tracker.auth.models import User

    return select(User.officer_id).where(User.team == team, User.officer_id.is_not(None))


def _teams() -> dict[str, str | None]:
    from tracker.auth.models import User

    rows = db.session.execute(select(User.officer_id, User.team).where(User.officer_id.is_not(None)))
    return dict(rows.tuples().all())


def _select(
    k: DueKind,
    as_of: dt.date,
    *,
    owners: list[str] | None,
    team: str | None,
    states: set[DueState] | None,
    record_refs: list[str] | None,
    refs: list[str] | None,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
) -> Select:
    """Kind ``k``'s open items at ``as_of`` with the filters applied in the database."""
    sq = k.query(as_of).subquery()
    owner_col = func.coalesce(sq.c.owner, "")
    q = select(sq).where(sq.c.due_date.is_not(None))
    if owners is not None:
        q = q.where(owner_col.in_(owners))
    if team:
        q = q.where(sq.c.owner.in_(_officers_in_team(team)))
    if record_refs is not None:
        q = q.where(sq.c.record_ref.in_(record_refs))
    if refs is not None:
        q = q.where(sq.c.ref.in_(refs))
    if states is not None:
        q = q.where(due_state_sql(sq.c.due_date, as_of).in_([s.value for s in states]))
    if due_from is not None:
        q = q.where(sq.c.due_date >= due_from)
    if due_to is not None:
        q = q.where(sq.c.due_date <= due_to)
    return q


def _selects(
    as_of: dt.date,
    *,
    owner: str | None = None,
    kinds: Iterable[str] | None = None,
    states: Iterable[str] | None = None,
    team: str | None = None,
    user=None,
    record_refs: Iterable[str] | None = None,
    refs: Iterable[str] | None = None,
    owner_roles: Iterable[str] | None = None,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
    own: bool = False,
) -> list[tuple[DueKind, Select]]:
    """Each kind the user may see with its filtered ``Select`` (``collect``'s arguments)."""
    wanted = set(kinds) if kinds else None
    if owner is not None and owner_roles is None:
        owner_roles = _roles_of_officer(owner) if owner else ()
    roles = set(owner_roles or ())
    filters = {
        "team": team,
        "states": {DueState(s) for s in states} if states else None,
        "record_refs": list(record_refs) if record_refs is not None else None,
        "refs": list(refs) if refs is not None else None,
        "due_from": due_from,
        "due_to": due_to,
    }
    return [
        (k, _select(k, as_of, owners=_owners(k, owner, roles), **filters))
        for k in kinds_for(user, own=own)
        if wanted is None or k.kind in wanted
    ]


def _item(k: DueKind, row, as_of: dt.date, teams: dict[str, str | None], label: str = "") -> DueItem:
    owner = row.owner or ""
    return DueItem(
        kind=k.kind,
        ref=str(row.ref),
        owner=owner,
        due_date=row.due_date,
        state=due_state(row.due_date, as_of),
        record_type=k.record_type,
        record_ref=str(row.record_ref),
        label=label,
        team=teams.get(owner),
    )


def collect(as_of: dt.date, **filters) -> list[DueItem]:
    """Every open item at ``as_of`` that the user may see (everyone's when ``user`` is None),
    filtered in the database (``due_from``/``due_to``: due dates in that inclusive range),
    sorted by due date (then kind and reference). For a short list (a record's deadlines, a
    digest); a page of a long one is ``collect_page``, every item for a machine ``stream``.

    ``owner`` keeps one officer's items ("" the unallocated ones); with it come the unallocated
    items of the kinds whose queue role the officer holds (``owner_roles``, else the roles of the
    enabled user with that officer id). ``own``: an officer's own list, with the kinds shown
    there only (``items_for``)."""
    teams = _teams()
    items = [
        _item(k, row, as_of, teams, k.describe(row))
        for k, q in _selects(as_of, **filters)
        for row in db.session.execute(q)
    ]
    items.sort(key=lambda i: (i.due_date, i.kind, i.ref))
    return items


def ordered(as_of: dt.date, **filters) -> Select | None:
    """``collect``'s items as one ``Select`` in the database — kind, ref, owner, due_date,
    record_ref and state (``due_state_sql``), ordered by due date, kind and reference as
    ``collect`` sorts them — to count, page or stream without building the list (None: the user
    may see no kind)."""
    parts = []
    for k, q in _selects(as_of, **filters):
        sq = q.subquery()
        parts.append(
            select(
                literal(k.kind, String).label("kind"),
                cast(sq.c.ref, String).label("ref"),
                func.coalesce(sq.c.owner, "").label("owner"),
                sq.c.due_date.label("due_date"),
                cast(sq.c.record_ref, String).label("record_ref"),
                due_state_sql(sq.c.due_date, as_of).label("state"),
            )
        )
    if not parts:
        return None
    every = union_all(*parts).subquery("due_items")
    return select(every).order_by(every.c.due_date, bytewise(every.c.kind), bytewise(every.c.ref))


def counted(as_of: dt.date, by: Sequence[str], **filters) -> Counter:
    """How many of ``collect``'s items there are for each value of the columns ``by`` (of
    ``ordered``'s: kind, owner, state…), counted in the database by one ``GROUP BY``: a page's
    totals without building or wording the list. Keys are tuples in the order of ``by``."""
    query = ordered(as_of, **filters)
    if query is None:
        return Counter()
    every = query.order_by(None).subquery()
    columns = [every.c[name] for name in by]
    return Counter(
        {tuple(row[:-1]): row[-1] for row in db.session.execute(select(*columns, func.count()).group_by(*columns))}
    )


def collect_page(as_of: dt.date, page: int, per_page: int, **filters) -> Page:
    """One page of ``collect``'s list, counted and paged in the database in one pass (the list is
    never built in Python; each kind's query still derives its open items); only the page's items
    are worded (``describe``), by one query per kind on the page."""
    query = ordered(as_of, **filters)
    if query is None:
        return Page([], 0, 1, per_page)
    found = paginate_rows(query, page, per_page)
    teams = _teams()
    refs_by_kind: dict[str, list[str]] = {}
    for row in found.items:
        refs_by_kind.setdefault(row.kind, []).append(row.ref)
    described: dict[tuple[str, str], object] = {}
    for kind, refs in refs_by_kind.items():
        k = KINDS[kind]
        for row in db.session.execute(
            _select(k, as_of, owners=None, team=None, states=None, record_refs=None, refs=refs)
        ):
            described[(kind, str(row.ref))] = row
    items = []
    for row in found.items:
        k = KINDS[row.kind]
        full = described.get((row.kind, row.ref))
        items.append(_item(k, row, as_of, teams, k.describe(full) if full is not None else ""))
    return dataclasses.replace(found, items=items)


def stream(as_of: dt.date, batch: int = 1000, **filters) -> Iterator[dict]:
    """``collect``'s items in its order as interchange.md §3's dicts, read from the database in
    batches (``due-items``: memory follows the batch, not the authority)."""
    query = ordered(as_of, **filters)
    if query is None:
        return
    for row in db.session.execute(query.execution_options(yield_per=batch)):
        yield {
            "kind": row.kind,
            "ref": row.ref,
            "owner": row.owner,
            "due_date": row.due_date.isoformat(),
            "state": row.state,
        }


def earliest_due(record_type: str, as_of: dt.date):
    """A subquery of ``record_ref`` and ``due_date``: each record's earliest open deadline over
    the kinds shown on its page, from the very queries every list reads (a list of records sorted
    by their next deadline, paged in the database: the LADO's open referrals)."""
    parts = [
        select(sq.c.record_ref, sq.c.due_date).where(sq.c.due_date.is_not(None))
        for k in kinds_for()
        if k.record_type == record_type
        for sq in [k.query(as_of).subquery()]
    ]
    if not parts:
        raise ValueError(f"no due-item kind is shown on a {record_type} page")
    every = union_all(*parts).subquery()
    return (
        select(every.c.record_ref, func.min(every.c.due_date).label("due_date")).group_by(every.c.record_ref).subquery()
    )


def for_record(record_type: str, record_ref: str, as_of: dt.date, user=None) -> list[DueItem]:
    """The open items shown on one record's page (its deadlines), as every list computes them."""
    return for_records(record_type, [record_ref], as_of, user=user)


def for_records(record_type: str, record_refs: Iterable[str], as_of: dt.date, user=None) -> list[DueItem]:
    """The open items shown on the pages of some records (a page of a list), earliest first."""
    kinds = [k.kind for k in kinds_for() if k.record_type == record_type]
    record_refs = list(record_refs)
    if not kinds or not record_refs:
        return []
    return collect(as_of, kinds=kinds, record_refs=record_refs, user=user)


def own_filters(
    user,
    kind: str | None = None,
    state: str | None = None,
    *,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
) -> dict | None:
    """``collect``'s arguments for the user's own worklist: items whose owner is the user's
    officer id, and the unallocated items of the kinds whose queue role the user holds (a LADO
    manager's: the LADO items). None: the user has no own list (no officer id and no queue)."""
    roles = set(getattr(user, "role_codes", ()) or ())
    officer_id = getattr(user, "officer_id", None)
    kinds = [kind] if kind else None
    if not officer_id:  # only the queues the user holds, if any
        queues = [
            k.kind for k in kinds_for(user, own=True) if k.queue_role in roles and (kind is None or k.kind == kind)
        ]
        if not queues:
            return None
        officer_id, kinds = "", queues
    return {
        "owner": officer_id,
        "owner_roles": roles,
        "kinds": kinds,
        "states": [state] if state else None,
        "user": user,
        "due_from": due_from,
        "due_to": due_to,
        "own": True,
    }


def items_for(user, as_of: dt.date, kind: str | None = None, state: str | None = None, **ranged) -> list[DueItem]:
    """The user's own worklist (``own_filters``)."""
    filters = own_filters(user, kind, state, **ranged)
    return collect(as_of, **filters) if filters is not None else []


def items_for_each(users, as_of: dt.date, states: Iterable[str] | None = None) -> dict[int, list[DueItem]]:
    """Each user's own worklist (``items_for``) at once, from one pass over every open item: what
    a job that writes to many officers reads (the daily digest), at the cost of one worklist, not
    one per officer. Keyed by user id."""
    items = collect(as_of, states=states, own=True)
    lists: dict[int, list[DueItem]] = {}
    for user in users:
        roles = set(getattr(user, "role_codes", ()) or ())
        officer_id = getattr(user, "officer_id", None)
        visible = {k.kind for k in kinds_for(user, own=True)}
        lists[user.id] = [
            i
            for i in items
            if i.kind in visible
            and ((officer_id and i.owner == officer_id) or (i.owner == "" and KINDS[i.kind].queue_role in roles))
        ]
    return lists


def document(as_of: dt.date, items: list[DueItem]) -> dict:
    return {"as_of": as_of.isoformat(), "items": [i.as_dict() for i in items]}
