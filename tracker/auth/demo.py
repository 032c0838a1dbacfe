"""Demo users: one per role, ``<role>@example.org``, for `make run` and the browser tests."""
from __future__ import annotations

from tracker.auth import operations
from tracker.auth.models import User, user_by_email
from tracker.core.permissions import Role

# Officers whose ids the demo case files can point at (due-item owners).
_OFFICER_IDS = {Role.qaro: "DEMO-QARO", Role.iro_manager: "DEMO-IROM", Role.lado: "DEMO-LADO",
                Role.lado_manager: "DEMO-LADOM"}


def demo_email(role: Role | str) -> str:
    return f"{Role(role).value}@example.org"


def create_demo_users(password: str) -> list[User]:
    """Create (or leave as they are) the demo users; flushes, never commits. Idempotent."""
    users = []
    for role in Role:
        existing = user_by_email(demo_email(role))
        if existing is not None:
            users.append(existing)
            continue
        name = "Demo " + (role.value.upper() if role in (Role.qaro, Role.lado, Role.adm)
                          else role.value.replace("_", " ").title().replace("Iro", "IRO").replace("Lado", "LADO"))
        users.append(
            operations.create_user(
                email=demo_email(role),
                name=name,
                roles=[role.value],
                password=password,
                officer_id=_OFFICER_IDS.get(role),
                team="Demo team",
                actor="cli:demo-data",
            )
        )
    return users
