"""Demo users: one per role, ``<role>@example.org``, for `make run` and the browser tests."""

from __future__ import annotations

from tracker.auth import operations
from tracker.auth.models import User, user_by_email
from tracker.core.permissions import Role

# Officers whose ids the demo case files can point at (due-item owners).
_OFFICER_IDS = {
    Role.qaro: "DEMO-QARO",
    Role.iro_manager: "DEMO-IROM",
    Role.lado: "DEMO-LADO",
    Role.lado_manager: "DEMO-LADOM",
}


def demo_email(role: Role | str) -> str:
    return f"{Role(role).value}@example.org"


def create_demo_users(password: str, officers: dict[Role, str] | None = None) -> list[User]:
    """Create (or leave as they are) the demo users; flushes, never commits. Idempotent.

    ``officers`` maps a role to an imported officer id (e.g. the synthetic authority's ``Q1``):
    that officer becomes the demo user of the role, so ``qaro@example.org`` signs in to a real
    caseload instead of an empty one.
    """
    users = []
    for role in Role:
        existing = user_by_email(demo_email(role))
        if existing is None and officers and role in officers:
            existing = _adopt_officer(officers[role], role, password)
        if existing is not None:
            users.append(existing)
            continue
        name = "Demo " + (
            role.value.upper()
            if role in (Role.qaro, Role.lado, Role.adm)
            else role.value.replace("_", " ").title().replace("Iro", "IRO").replace("Lado", "LADO")
        )
        user = operations.create_user(
            email=demo_email(role),
            name=name,
            roles=[role.value],
            password=None,
            officer_id=_OFFICER_IDS.get(role),
            team="Demo team",
            actor="cli:demo-data",
        )
        # the documented demo password, set as is: the password rule is for real users' passwords
        user.set_password(password)
        users.append(user)
    return users


def _adopt_officer(officer_id: str, role: Role, password: str) -> User | None:
    """Give an imported officer (who has no sign-in yet) the demo email and password of a role."""
    from tracker.auth.models import user_by_officer_id

    officer = user_by_officer_id(officer_id)
    if officer is None or officer.password_hash or role.value not in officer.role_codes:
        return None
    before = operations.user_snapshot(officer)
    officer.email = demo_email(role)
    officer.set_password(password)
    before, after = operations.audit.changed(before, operations.user_snapshot(officer))  # what changed only
    operations.audit.record(
        "user.link_demo",
        object_type="user",
        object_id=officer.id,
        summary=f"Demo sign-in for the {role.value} role",
        before=before,
        after=after,
        actor="cli:demo-data",
    )
    return officer
