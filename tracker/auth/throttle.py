"""The sign-in throttle, read from the audit log's own rows (no table of its own).

Every failed sign-in writes a ``session.fail`` row naming the account tried (``user`` id, or
``unknown_account`` and a keyed fingerprint of the typed email) with the source address in
``after``; a lock writes one ``session.lock`` row. The throttle counts those rows, so an
unknown email and a real account are throttled by the same rule, and the audit log stays
rate-limited: nothing more is written while a lock holds. Three limits (README "Signing in"):

- **account from one address**: ``LOGIN_MAX_FAILURES`` failures for one account from one
  address within ``LOGIN_FAILURE_WINDOW_MINUTES`` lock that account *from that address* for
  ``LOGIN_LOCKOUT_MINUTES`` (the right password is refused too). From any other address the
  owner still signs in: an anonymous attacker cannot lock a colleague out.
- **address**: ``LOGIN_ADDRESS_MAX_FAILURES`` failures from one address across any accounts
  lock that address for ``LOGIN_LOCKOUT_MINUTES`` (password spraying).
- **account from many addresses**: ``LOGIN_ACCOUNT_MAX_FAILURES`` failures for one account
  from any addresses within the window limit it, for ``LOGIN_LOCKOUT_MINUTES``, to the
  addresses it signed in from successfully in the last ``LOGIN_KNOWN_ADDRESS_DAYS`` days
  (a distributed guess at one password; the owner at their usual address is not stopped).

A success resets the count of its own account and address (failures before it no longer
count); a lock that has run out is a fresh start for what it locked. An administrator's
``user.unlock`` row is a fresh start for the account: its locks (from one address, and to its
known addresses) end, and its failures before it no longer count. An address's own lock
(across accounts) is not the account's to lift: it runs out by itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import and_, exists, or_, select

from tracker.core import clock
from tracker.core.audit import AuditEntry
from tracker.extensions import db

FAIL, LOCK, SIGN_IN, UNLOCK = "session.fail", "session.lock", "session.sign_in", "user.unlock"
# what a session.lock row locked (its ``after["scope"]``)
PAIR, ADDRESS, ACCOUNT = "account_address", "address", "account"


@dataclass(frozen=True)
class Subject:
    """The account a sign-in attempt names, as its audit rows name it."""

    object_type: str  # "user" or "unknown_account"
    object_id: str


@dataclass(frozen=True)
class State:
    """The throttle's view of one attempt, before it is made."""

    pair_failures: int  # this account from this address, since its last lock or success
    address_failures: int  # any account from this address, since the address's last lock
    account_failures: int  # this account from any address, since its last soft lock
    pair_locked: bool
    address_locked: bool
    account_limited: bool  # only known addresses may sign in to this account

    @property
    def locked(self) -> bool:
        return self.pair_locked or self.address_locked


def minutes(name: str) -> dt.timedelta:
    return dt.timedelta(minutes=float(current_app.config[name]))


def limit(name: str) -> int:
    return int(current_app.config[name])


def _address_of(row: AuditEntry) -> str | None:
    return (row.after or {}).get("address") if isinstance(row.after, dict) else None


def _scope_of(row: AuditEntry) -> str | None:
    return (row.after or {}).get("scope") if isinstance(row.after, dict) else None


def state(subject: Subject, address: str) -> State:
    """Count the recent rows of this account and this address (bounded in number by the
    limits themselves: a locked account, address or pair writes nothing more)."""
    now = clock.now_utc()
    window, lockout = minutes("LOGIN_FAILURE_WINDOW_MINUTES"), minutes("LOGIN_LOCKOUT_MINUTES")
    is_subject = and_(AuditEntry.object_type == subject.object_type, AuditEntry.object_id == subject.object_id)
    from_address = AuditEntry.after["address"].as_string() == address
    rows = db.session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.at > now - max(window, lockout),
            or_(
                and_(AuditEntry.action.in_((FAIL, LOCK)), or_(is_subject, from_address)),
                and_(AuditEntry.action == SIGN_IN, is_subject, from_address),
                and_(AuditEntry.action == UNLOCK, is_subject),
            ),
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()

    def mine(row):
        return row.object_type == subject.object_type and row.object_id == subject.object_id

    def last(rows_):
        return max((r.at for r in rows_), default=None)

    unlocked = last(r for r in rows if r.action == UNLOCK)  # an administrator's fresh start for the account
    locks = [r for r in rows if r.action == LOCK]
    pair_lock = last(r for r in locks if _scope_of(r) == PAIR and mine(r) and _address_of(r) == address)
    address_lock = last(r for r in locks if _scope_of(r) == ADDRESS and _address_of(r) == address)
    account_lock = last(r for r in locks if _scope_of(r) == ACCOUNT and mine(r))
    if unlocked is not None:
        pair_lock = pair_lock if pair_lock is not None and pair_lock > unlocked else None
        account_lock = account_lock if account_lock is not None and account_lock > unlocked else None
    success = last(r for r in rows if r.action == SIGN_IN)  # this account, from this address

    def failures(keep, *since):
        start = max([now - window, *(s for s in since if s is not None)])
        return sum(1 for r in rows if r.action == FAIL and r.at > start and keep(r))

    return State(
        pair_failures=failures(lambda r: mine(r) and _address_of(r) == address, pair_lock, success, unlocked),
        address_failures=failures(lambda r: _address_of(r) == address, address_lock),
        account_failures=failures(mine, account_lock, unlocked),
        pair_locked=pair_lock is not None and pair_lock > now - lockout,
        address_locked=address_lock is not None and address_lock > now - lockout,
        account_limited=account_lock is not None and account_lock > now - lockout,
    )


def known_address(subject: Subject, address: str) -> bool:
    """Has this account signed in from this address within ``LOGIN_KNOWN_ADDRESS_DAYS``?
    (Always false for an unknown email: such an account has no known address.)"""
    since = clock.now_utc() - dt.timedelta(days=float(current_app.config["LOGIN_KNOWN_ADDRESS_DAYS"]))
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    AuditEntry.action == SIGN_IN,
                    AuditEntry.object_type == subject.object_type,
                    AuditEntry.object_id == subject.object_id,
                    AuditEntry.after["address"].as_string() == address,
                    AuditEntry.at > since,
                )
            )
        )
    )


@dataclass(frozen=True)
class Lock:
    """A lock in force on an account (for the administrators' user page and ``user.unlock``)."""

    scope: str  # PAIR (from one address) or ACCOUNT (to its known addresses only)
    address: str | None  # the address a PAIR lock shuts out
    until: dt.datetime


def locks(subject: Subject) -> list[Lock]:
    """The account's locks in force now (not run out, not lifted by an administrator since),
    oldest first: at most one per address and one to known addresses (a lock writes nothing more)."""
    now = clock.now_utc()
    lockout = minutes("LOGIN_LOCKOUT_MINUTES")
    is_subject = and_(AuditEntry.object_type == subject.object_type, AuditEntry.object_id == subject.object_id)
    rows = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.at > now - lockout, AuditEntry.action.in_((LOCK, UNLOCK)), is_subject)
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    unlocked = max((r.at for r in rows if r.action == UNLOCK), default=None)
    found: dict[tuple[str, str | None], Lock] = {}
    for row in rows:
        scope = _scope_of(row)
        if row.action != LOCK or scope not in (PAIR, ACCOUNT) or (unlocked is not None and row.at <= unlocked):
            continue
        address = _address_of(row) if scope == PAIR else None
        found[(scope, address)] = Lock(scope, address, row.at + lockout)
    return list(found.values())
