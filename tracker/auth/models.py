"""Users (who are also the officers that own caseloads and due items) and their roles."""

from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, false, func, select, true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.core import clock
from tracker.core.clock import now_utc
from tracker.core.enums import CodeEnum
from tracker.core.permissions import Role
from tracker.db import UTCDateTime, Versioned, check_in
from tracker.extensions import db


class AccountStatus(CodeEnum):
    active = "active", "Active", "green"
    disabled = "disabled", "Disabled", "grey"


class User(UserMixin, Versioned, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)  # officers imported without one cannot sign in
    name: Mapped[str] = mapped_column(String(200))
    # The id the council's files use for this officer (officers.csv officer_id; due-item owner).
    officer_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    team: Mapped[str | None] = mapped_column(String(100), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Unused since the sign-in throttle reads the audit log (tracker.auth.throttle); to be dropped.
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Bumped when every session of the user must end (sign-out, password or role change, disabling).
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Set when an administrator resets the password to a temporary one (README "Accounts"): until
    # the user chooses their own, every page leads to the change-password page, and after this
    # time the temporary password no longer signs in. None: the password is the user's own.
    temporary_password_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Notifications (tracker.jobs): the daily digest is on unless the user (or an administrator)
    # turns it off; the board chair receives the stage-4 escalation alerts with the IRO managers.
    receives_digest: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    board_chair: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime, default=now_utc, server_default=func.current_timestamp()
    )

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    @property
    def role_codes(self) -> list[str]:
        return [str(r.role) for r in self.roles]

    @property
    def role_list(self) -> list[Role]:
        """The user's roles, in the order of domain.md §1 (with their labels)."""
        return [role for role in Role if role.value in self.role_codes]

    def has_role(self, role: Role | str) -> bool:
        return (role.value if isinstance(role, Role) else role) in self.role_codes

    def set_roles(self, codes) -> None:
        wanted = sorted(set(codes))
        for code in wanted:
            Role(code)  # ValueError for an unknown role
        self.roles = [r for r in self.roles if r.role in wanted] + [
            UserRole(role=c) for c in wanted if c not in self.role_codes
        ]

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    @property
    def must_change_password(self) -> bool:
        """The password is a temporary one an administrator gave: the user must choose their own."""
        return self.temporary_password_until is not None

    @property
    def temporary_password_expired(self) -> bool:
        return self.temporary_password_until is not None and self.temporary_password_until <= clock.now_utc()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return bool(self.active)

    @property
    def status(self) -> AccountStatus:
        return AccountStatus.active if self.active else AccountStatus.disabled

    @property
    def display_name(self) -> str:
        return self.name or self.email or f"User {self.id}"

    def __repr__(self) -> str:  # no personal data in logs
        return f"<User {self.id}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)
    user: Mapped[User] = relationship(back_populates="roles")

    __table_args__ = (CheckConstraint(check_in("role", Role), name="role_code"),)


def user_by_id(user_id) -> User | None:
    """The user a session names (``None`` for an id that is not one)."""
    try:
        return db.session.get(User, int(user_id))
    except (TypeError, ValueError, OverflowError):
        return None


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def user_by_officer_id(officer_id: str) -> User | None:
    return db.session.scalar(select(User).where(User.officer_id == officer_id))
