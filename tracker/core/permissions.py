"""Roles and what each may do: the one place every view, export and CLI read asks.

Views use ``@require("capability")``; code paths that filter data use ``can(user, cap)``.
A role that may not see a page gets 403, never just a hidden link (domain.md §1).
"""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user

from tracker.core.enums import CodeEnum


class Role(CodeEnum):
    """domain.md §1."""

    qaro = "qaro", "QARO (Independent Reviewing Officer)"
    iro_manager = "iro_manager", "IRO service manager"
    lado = "lado", "LADO (Designated Officer)"
    lado_manager = "lado_manager", "LADO service manager"
    panel_admin = "panel_admin", "Panel administrator"
    adm = "adm", "Agency Decision Maker"
    manager = "manager", "Head of service / team manager"
    analyst = "analyst", "Performance analyst"
    board = "board", "Corporate Parenting Board member"
    admin = "admin", "System administrator"


ROLE_CODES = Role.codes()

_CIC_READ = {Role.qaro, Role.iro_manager, Role.manager}
_CIC_WRITE = {Role.qaro, Role.iro_manager}
_LADO = {Role.lado, Role.lado_manager}
_PANELS_READ = {Role.panel_admin, Role.adm, Role.manager}
_AGGREGATES = {Role.analyst, Role.manager, Role.iro_manager, Role.lado_manager, Role.board, Role.admin}

# capability -> roles that hold it
CAPABILITIES: dict[str, set[Role]] = {
    # child-in-care reviews and IRO contacts (domain.md §4)
    "children.view": _CIC_READ,
    "children.edit": _CIC_WRITE,
    "children.allocate": {Role.iro_manager},
    "children.team": {Role.iro_manager, Role.manager},
    # escalations (§5)
    "escalations.view": _CIC_READ,
    "escalations.edit": _CIC_WRITE,
    # LADO (§6): LADO roles only, never anybody else
    "lado.view": _LADO,
    "lado.edit": _LADO,
    "lado.oversight": {Role.lado_manager},
    # panels (§7)
    "panels.view": _PANELS_READ,
    "panels.edit": {Role.panel_admin},
    "panels.decide": {Role.adm},
    # worklists
    "worklist.own": _CIC_WRITE | _LADO | {Role.panel_admin, Role.adm},
    "worklist.all": {Role.iro_manager, Role.manager, Role.lado_manager},
    # aggregate figures (no child- or person-level rows). Not board members: they read the
    # board pack only, where small numbers are suppressed (domain.md §1); /kpis is unsuppressed.
    "kpis.view": _AGGREGATES - {Role.board},
    "kpis.drilldown": {Role.iro_manager, Role.manager, Role.lado_manager, Role.lado, Role.qaro},
    "board.view": _AGGREGATES,
    "board.unsuppressed": {Role.analyst, Role.manager, Role.iro_manager, Role.lado_manager, Role.admin},
    "exports.aggregate": {Role.analyst, Role.manager, Role.iro_manager, Role.lado_manager, Role.admin},
    # administration
    "admin.users": {Role.admin},
    "admin.audit": {Role.admin},
    "admin.rules": {Role.admin},
    "admin.board": {Role.admin},
}

# Which capability is needed to see records of each family; drill-downs and worklists check it.
RECORD_FAMILY_CAPABILITY = {
    "children": "children.view",
    "escalations": "escalations.view",
    "lado": "lado.view",
    "panels": "panels.view",
}


def roles_of(user) -> set[Role]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return {Role(r) for r in user.role_codes}


def can(user, capability: str) -> bool:
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")
    return bool(roles_of(user) & CAPABILITIES[capability])


def can_any(user, *capabilities: str) -> bool:
    return any(can(user, c) for c in capabilities)


def require(*capabilities: str):
    """View decorator: sign-in required, then 403 unless the user holds one of the capabilities."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from tracker.extensions import login_manager

                return login_manager.unauthorized()
            if not can_any(current_user, *capabilities):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_capabilities = capabilities  # read by the route sweep test
        return wrapped

    return decorator


def require_login(view):
    """View decorator for pages every signed-in user may see (home, sign out)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            from tracker.extensions import login_manager

            return login_manager.unauthorized()
        return view(*args, **kwargs)

    wrapped.required_capabilities = ()
    return wrapped


def check(capability: str) -> None:
    """Abort with 403 unless the current user holds the capability (for checks inside a view)."""
    if not can(current_user, capability):
        abort(403)
