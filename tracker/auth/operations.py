"""Sign-in attempts and user administration: every change to a user goes through here.

Each operation writes its audit row with ``tracker.core.audit.record`` in the same
transaction as the change; operations flush, never commit (the request lifecycle or the
command runner commits once).
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import hashlib
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import update
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.auth import passwords, sessions, throttle
from tracker.auth.models import User, user_by_email, user_by_officer_id
from tracker.core import audit, clock
from tracker.core.clock import now_utc
from tracker.core.errors import DomainError
from tracker.core.permissions import Role
from tracker.extensions import db

ANONYMOUS = "anonymous"
USER_FIELDS = ("email", "name", "officer_id", "team", "active")
DETAILS = ("email", "name", "officer_id", "team")  # what an administrator edits (roles have their own form)
WRONG_CURRENT_PASSWORD = "Your current password is not correct"
TOO_MANY_ATTEMPTS = "There have been too many attempts with a wrong password: try again later"


class SignIn(enum.Enum):
    ok = "ok"
    failed = "failed"  # unknown email, wrong password or disabled account: one generic message
    locked = "locked"  # throttled (tracker.auth.throttle): refused even with the right password


@dataclass
class SignInResult:
    outcome: SignIn
    user: User | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is SignIn.ok


def email_fingerprint(email: str) -> str:
    """A short keyed hash of a typed email, so failures for unknown accounts can be counted
    and audited without storing what was typed (it may be someone's mistyped personal address)."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    digest = hashlib.blake2b(email.strip().lower().encode(), key=key[:64], digest_size=8)
    return digest.hexdigest()


@functools.cache
def dummy_hash() -> str:
    """A hash made the way real ones are (same method and cost), checked when the email names
    no account that can sign in, so that a wrong email costs what a wrong password costs."""
    return generate_password_hash(secrets.token_urlsafe(16))


def _password_matches(user: User | None, password: str) -> bool:
    """Exactly one password hash is checked, whoever the email names (constant work)."""
    stored = user.password_hash if user is not None and user.password_hash else None
    matches = check_password_hash(stored or dummy_hash(), password)
    return matches and stored is not None


def attempt_sign_in(email: str, password: str, address: str | None = None) -> SignInResult:
    """Check an email and password from a source ``address``, applying the throttle.

    Known and unknown emails take the same path: one password hash, the same queries, the same
    audit rows (a real account is named by its id, an unknown email by a keyed fingerprint) and
    the same outcome, locks included (``tracker.auth.throttle``). Audit rows are rate-limited:
    one ``session.fail`` per failure up to a limit, then one ``session.lock``; attempts while
    locked write nothing more.
    """
    address = (address or "unknown")[:80]
    user = user_by_email(email or "") if (email or "").strip() else None
    if user is not None:
        subject = throttle.Subject("user", str(user.id))
    else:
        subject = throttle.Subject("unknown_account", email_fingerprint(email or ""))
    state = throttle.state(subject, address)
    known = throttle.known_address(subject, address) if state.account_limited else True
    matches = _password_matches(user, password or "")
    if state.locked or not known:
        return SignInResult(SignIn.locked)

    if matches and user.active and not user.temporary_password_expired:
        now = now_utc()
        # not an edit of the user's record: no version bump (an admin's open form stays current)
        db.session.execute(update(User).where(User.id == user.id).values(last_login_at=now))
        audit.record(
            "session.sign_in",
            object_type="user",
            object_id=user.id,
            summary="Signed in",
            after={"address": address},
            user=user,
        )
        db.session.flush()
        return SignInResult(SignIn.ok, user)

    expired = matches and user.active and user.temporary_password_expired
    return _failure(subject, address, state, user, reason="temporary password expired" if expired else None)


def _failure(
    subject: throttle.Subject,
    address: str,
    state: throttle.State,
    user: User | None,
    *,
    reason: str | None = None,
    by: User | None = None,
) -> SignInResult:
    """A wrong password: one ``session.fail`` row, and a ``session.lock`` row when it reaches a
    limit. ``by``: the signed-in user gave a wrong current password on the change-password page,
    which counts as a failed sign-in (else that page would be a way round the throttle)."""
    pair_limit = throttle.limit("LOGIN_MAX_FAILURES")
    lockout = current_app.config["LOGIN_LOCKOUT_MINUTES"]
    if reason is None and user is None:
        reason = "no account with that email"
    elif reason is None:
        reason = "account disabled" if not user.active else "wrong password"
    actor = {"user": by} if by is not None else {"actor": ANONYMOUS}
    pair_failures = state.pair_failures + 1
    audit.record(
        "session.fail",
        object_type=subject.object_type,
        object_id=subject.object_id,
        summary=f"Sign-in failed ({reason}), failure {pair_failures} of {pair_limit} from this address",
        after={"address": address},
        **actor,
    )
    outcome = SignIn.failed
    if pair_failures >= pair_limit:
        outcome = SignIn.locked
        audit.record(
            "session.lock",
            object_type=subject.object_type,
            object_id=subject.object_id,
            summary=f"Sign-in to this account from one address locked for {lockout} minutes "
            f"after {pair_failures} failures",
            after={"address": address, "scope": throttle.PAIR},
            **actor,
        )
    address_failures = state.address_failures + 1
    if address_failures >= throttle.limit("LOGIN_ADDRESS_MAX_FAILURES"):
        outcome = SignIn.locked
        audit.record(
            "session.lock",
            object_type="address",
            object_id=address,
            summary=f"Sign-in from one address locked for {lockout} minutes after {address_failures} "
            "failures across accounts",
            after={"address": address, "scope": throttle.ADDRESS},
            **actor,
        )
    account_failures = state.account_failures + 1
    if not state.account_limited and account_failures >= throttle.limit("LOGIN_ACCOUNT_MAX_FAILURES"):
        audit.record(
            "session.lock",
            object_type=subject.object_type,
            object_id=subject.object_id,
            summary=f"Sign-in to this account limited to known addresses for {lockout} minutes after "
            f"{account_failures} failures",
            after={"address": address, "scope": throttle.ACCOUNT},
            **actor,
        )
    db.session.flush()
    return SignInResult(outcome)


def sign_out(user: User) -> None:
    """Sign out: every session of the user ends (on every device), not only this one."""
    end_sessions(user)
    audit.record(
        "session.sign_out", object_type="user", object_id=user.id, summary="Signed out (every session)", user=user
    )


def end_sessions(user: User, *, keep_current: bool = False) -> None:
    """End every session of the user: the sessions hold the user's session version, which goes
    up by one here (an atomic increment: no version bump of the record, no lost increment).
    ``keep_current``: the request's own session, if it is the user's, carries on."""
    db.session.execute(
        update(User).where(User.id == user.id).values(session_version=User.session_version + 1),
        execution_options={"synchronize_session": "fetch"},
    )
    if keep_current:
        sessions.renew(user)


# ---- user administration -------------------------------------------------------------


def _role_codes(roles) -> list[str]:
    codes = sorted({(r.value if isinstance(r, Role) else str(r)) for r in roles})
    for code in codes:
        try:
            Role(code)
        except ValueError:
            raise DomainError(f"{code} is not a role", field="roles") from None
    return codes


def user_snapshot(user: User) -> dict:
    data = audit.snapshot(user, USER_FIELDS)
    data["roles"] = sorted(user.role_codes)
    return data


def create_user(
    *,
    email: str,
    name: str,
    roles,
    password: str | None,
    officer_id: str | None = None,
    team: str | None = None,
    by: User | None = None,
    actor: str | None = None,
) -> User:
    email = email.strip()
    if not email or "@" not in email:
        raise DomainError("Enter an email address in the correct format, like name@example.org", "email")
    if user_by_email(email) is not None:
        raise DomainError("A user with this email address already exists", "email")
    officer_id = (officer_id or "").strip() or None
    if officer_id and user_by_officer_id(officer_id) is not None:
        raise DomainError("Another user already has this officer ID", "officer_id")
    codes = _role_codes(roles)
    if password is not None:
        passwords.check(password, email=email, name=name)
    user = User(
        email=email,
        name=(name or "").strip() or email,
        officer_id=officer_id,
        team=(team or "").strip() or None,
        active=True,
    )
    if password:
        user.set_password(password)
    user.set_roles(codes)
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.create",
        object_type="user",
        object_id=user.id,
        summary="User created",
        after=user_snapshot(user),
        user=by,
        actor=actor,
    )
    return user


def set_roles(user: User, roles, *, by: User | None = None, actor: str | None = None) -> bool:
    """Replace the user's roles. Returns False (and writes nothing) when nothing changes."""
    codes = _role_codes(roles)
    before = sorted(user.role_codes)
    if codes == before:
        return False
    if by is not None and by.id == user.id and Role.admin.value in before and Role.admin.value not in codes:
        raise DomainError("You cannot remove your own administrator role; ask another administrator", "roles")
    user.set_roles(codes)
    db.session.flush()
    end_sessions(user, keep_current=by is not None and by.id == user.id)  # other sessions re-authenticate
    audit.record(
        "user.set_roles",
        object_type="user",
        object_id=user.id,
        summary="Roles changed",
        before={"roles": before},
        after={"roles": codes},
        user=by,
        actor=actor,
    )
    return True


def set_active(user: User, active: bool, *, by: User | None = None, actor: str | None = None) -> bool:
    """Disable or enable an account. Returns False (and writes nothing) when nothing changes."""
    if bool(user.active) == bool(active):
        return False
    if not active and by is not None and by.id == user.id:
        raise DomainError("You cannot disable your own account", "active")
    user.active = bool(active)
    db.session.flush()
    if not active:
        end_sessions(user)  # signed out everywhere at once, not at their next sign-in
    audit.record(
        "user.enable" if active else "user.disable",
        object_type="user",
        object_id=user.id,
        summary="Account enabled" if active else "Account disabled",
        before={"active": not active},
        after={"active": bool(active)},
        user=by,
        actor=actor,
    )
    return True


def set_password(user: User, password: str, *, by: User | None = None, actor: str | None = None) -> None:
    """Give the user a new password (``set-password``), under the password rule
    (``tracker.auth.passwords``). Every session of the user ends, except the request's own when
    users change their own password. A temporary password it replaces is gone with it."""
    passwords.check(password, email=user.email, name=user.name)
    user.set_password(password)
    user.temporary_password_until = None
    db.session.flush()
    end_sessions(user, keep_current=by is not None and by.id == user.id)
    audit.record(
        "user.set_password",
        object_type="user",
        object_id=user.id,
        summary="Password changed; every other session ended",
        user=by,
        actor=actor,
    )


def change_password(user: User, current: str, new: str, *, address: str | None = None) -> None:
    """Users change their own password: the current one first (a wrong one counts as a failed
    sign-in from ``address``, and the throttle's lock refuses even the right one), then the new
    one under the password rule. Their other sessions end; this one carries on. A temporary
    password (an administrator's reset) is replaced: the user may use the tracker again."""
    address = (address or "unknown")[:80]
    state = throttle.state(throttle.Subject("user", str(user.id)), address)
    if state.locked:
        raise DomainError(TOO_MANY_ATTEMPTS, "current_password")
    if not _password_matches(user, current or ""):
        raise DomainError(WRONG_CURRENT_PASSWORD, "current_password")
    passwords.check(new, email=user.email, name=user.name, field="new_password", what="Your new password", whose="your")
    if user.check_password(new):
        raise DomainError("Your new password must be different from your current password", "new_password")
    was_temporary = user.must_change_password
    user.set_password(new)
    user.temporary_password_until = None
    db.session.flush()
    end_sessions(user, keep_current=True)
    audit.record(
        "user.change_password",
        object_type="user",
        object_id=user.id,
        summary="Changed their own password"
        + (" (replacing a temporary one)" if was_temporary else "")
        + "; every other session ended",
        user=user,
    )


def wrong_current_password(user: User, *, address: str | None = None) -> None:
    """After ``change_password`` refused a wrong current password (and its changes were
    discarded): the failure is counted as a failed sign-in, which the throttle locks."""
    address = (address or "unknown")[:80]
    subject = throttle.Subject("user", str(user.id))
    _failure(subject, address, throttle.state(subject, address), user, reason="wrong current password", by=user)


def reset_password(user: User, *, by: User | None = None, actor: str | None = None) -> str:
    """An administrator resets a user's password: a random temporary password, returned to be
    shown once (only its hash is kept), that signs in for ``TEMPORARY_PASSWORD_DAYS`` and must
    then be changed before anything else. Every session of the user ends at once."""
    if by is not None and by.id == user.id:
        raise DomainError("You cannot reset your own password: change it from Change password instead", "submit")
    temporary = passwords.temporary()
    user.set_password(temporary)
    days = float(current_app.config["TEMPORARY_PASSWORD_DAYS"])
    user.temporary_password_until = clock.now_utc() + dt.timedelta(days=days)
    db.session.flush()
    end_sessions(user)
    audit.record(
        "user.reset_password",
        object_type="user",
        object_id=user.id,
        summary=f"Password reset to a temporary one, to be changed at the next sign-in within {days:g} days; "
        "every session ended",
        after={"temporary_password_until": user.temporary_password_until},
        user=by,
        actor=actor,
    )
    return temporary


def unlock(user: User, *, by: User | None = None, actor: str | None = None) -> bool:
    """Lift the sign-in locks in force on the account (from one address, or to its known
    addresses), and start its count of failures afresh. Returns False (and writes nothing)
    when no lock is in force. A lock of an address across accounts is not the account's: it
    runs out by itself."""
    locks = throttle.locks(throttle.Subject("user", str(user.id)))
    if not locks:
        return False
    audit.record(
        "user.unlock",
        object_type="user",
        object_id=user.id,
        summary=f"Sign-in locks lifted ({len(locks)}); the account's failed sign-ins no longer count",
        before={"locks": [{"scope": lock.scope, "address": lock.address} for lock in locks]},
        user=by,
        actor=actor,
    )
    db.session.flush()
    return True


def update_user(
    user: User,
    *,
    email: str,
    name: str,
    officer_id: str | None,
    team: str | None,
    by: User | None = None,
    actor: str | None = None,
) -> bool:
    """Correct a user's name, email address (what they sign in with), officer ID and team.
    Returns False (and writes nothing) when nothing changes. Records name an officer by their
    officer ID and are not changed with it (README "Accounts")."""
    email = (email or "").strip()
    if not email or "@" not in email:
        raise DomainError("Enter an email address in the correct format, like name@example.org", "email")
    holder = user_by_email(email)
    if holder is not None and holder.id != user.id:
        raise DomainError("A user with this email address already exists", "email")
    name = (name or "").strip()
    if not name:
        raise DomainError("Enter the user's full name", "name")
    officer_id = (officer_id or "").strip() or None
    holder = user_by_officer_id(officer_id) if officer_id else None
    if holder is not None and holder.id != user.id:
        raise DomainError("Another user already has this officer ID", "officer_id")
    before = audit.snapshot(user, DETAILS)
    user.email, user.name, user.officer_id, user.team = email, name, officer_id, (team or "").strip() or None
    before, after = audit.changed(before, audit.snapshot(user, DETAILS))
    if not after:
        return False
    db.session.flush()
    audit.record(
        "user.update",
        object_type="user",
        object_id=user.id,
        summary="Details changed: " + ", ".join(sorted(after)),
        before=before,
        after=after,
        user=by,
        actor=actor,
    )
    return True
