"""Sign-in attempts and user administration: every change to a user goes through here.

Each operation writes its audit row with ``tracker.core.audit.record`` in the same
transaction as the change; operations flush, never commit (the request lifecycle or the
command runner commits once).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from tracker.auth.models import User, user_by_email, user_by_officer_id
from tracker.core import audit
from tracker.core.audit import AuditEntry
from tracker.core.clock import now_utc
from tracker.core.errors import DomainError
from tracker.core.permissions import Role
from tracker.extensions import db

ANONYMOUS = "anonymous"
USER_FIELDS = ("email", "name", "officer_id", "team", "active")


class SignIn(enum.Enum):
    ok = "ok"
    failed = "failed"  # unknown email, wrong password or disabled account: one generic message
    locked = "locked"  # too many failures: refused even with the right password


@dataclass
class SignInResult:
    outcome: SignIn
    user: User | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is SignIn.ok


def _window() -> dt.timedelta:
    return dt.timedelta(minutes=current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"])


def _lockout() -> dt.timedelta:
    return dt.timedelta(minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"])


def _max_failures() -> int:
    return int(current_app.config["LOGIN_MAX_FAILURES"])


def email_fingerprint(email: str) -> str:
    """A short keyed hash of a typed email, so failures for unknown accounts can be counted
    and audited without storing what was typed (it may be someone's mistyped personal address)."""
    key = current_app.config["SECRET_KEY"]
    key = key.encode() if isinstance(key, str) else key
    digest = hashlib.blake2b(email.strip().lower().encode(), key=key[:64], digest_size=8)
    return digest.hexdigest()


def attempt_sign_in(email: str, password: str) -> SignInResult:
    """Check an email and password, applying the failure throttle (LOGIN_* config).

    Audit rows are rate-limited: one ``auth.login_failed`` per failure up to the threshold,
    then a single ``auth.login_throttled``; attempts while locked write nothing more.
    """
    now = now_utc()
    user = user_by_email(email or "")
    if user is None:
        return _unknown_account_failure(email or "", now)

    if user.locked_until is not None:
        if user.locked_until > now:
            return SignInResult(SignIn.locked)
        user.locked_until = None  # the lock-out has run out: a fresh start
        user.failed_logins = 0
        user.first_failed_at = None
    if user.first_failed_at is not None and now - user.first_failed_at > _window():
        user.failed_logins = 0
        user.first_failed_at = None

    if user.active and user.check_password(password or ""):
        user.failed_logins = 0
        user.first_failed_at = None
        user.last_login_at = now
        audit.record("session.sign_in", object_type="user", object_id=user.id, summary="Signed in", user=user)
        db.session.flush()
        return SignInResult(SignIn.ok, user)

    user.failed_logins = (user.failed_logins or 0) + 1
    user.first_failed_at = user.first_failed_at or now
    reason = "account disabled" if not user.active else "wrong password"
    audit.record(
        "session.fail",
        object_type="user",
        object_id=user.id,
        summary=f"Sign-in failed ({reason}), failure {user.failed_logins} of {_max_failures()}",
        actor=ANONYMOUS,
    )
    if user.failed_logins >= _max_failures():
        user.locked_until = now + _lockout()
        audit.record(
            "session.lock",
            object_type="user",
            object_id=user.id,
            summary=f"Sign-in locked for {current_app.config['LOGIN_LOCKOUT_MINUTES']} minutes "
            f"after {user.failed_logins} failures",
            after={"locked_until": user.locked_until},
            actor=ANONYMOUS,
        )
        db.session.flush()
        return SignInResult(SignIn.locked)
    db.session.flush()
    return SignInResult(SignIn.failed)


def _unknown_account_failure(email: str, now: dt.datetime) -> SignInResult:
    """No such account: audit it by fingerprint (no user is created, no email stored), with
    the same threshold as real accounts so a storm of guesses writes a bounded number of rows."""
    fingerprint = email_fingerprint(email)
    recent = db.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.object_type == "unknown_account",
            AuditEntry.object_id == fingerprint,
            AuditEntry.action.in_(("session.fail", "session.lock")),
            AuditEntry.at > now - max(_window(), _lockout()),
        )
    )
    limit = _max_failures()
    if recent < limit:
        audit.record(
            "session.fail",
            object_type="unknown_account",
            object_id=fingerprint,
            summary="Sign-in failed (no account with that email)",
            actor=ANONYMOUS,
        )
    elif recent == limit:
        audit.record(
            "session.lock",
            object_type="unknown_account",
            object_id=fingerprint,
            summary="Repeated sign-in failures for an unknown email; further attempts not logged",
            actor=ANONYMOUS,
        )
    db.session.flush()
    return SignInResult(SignIn.failed)


def record_sign_out(user: User) -> None:
    audit.record("session.sign_out", object_type="user", object_id=user.id, summary="Signed out", user=user)


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
    user = User(
        email=email,
        name=(name or "").strip() or email,
        officer_id=officer_id,
        team=(team or "").strip() or None,
        active=True,
        failed_logins=0,
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
    if active:  # re-enabling also lifts a sign-in lock-out
        user.failed_logins = 0
        user.first_failed_at = None
        user.locked_until = None
    db.session.flush()
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
