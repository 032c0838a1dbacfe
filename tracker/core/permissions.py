"""Roles and what each may do: the one place every view, export and CLI read asks.

Views use ``@require("capability")``; code paths that filter data use ``can(user, cap)``.
A role that may not see a page gets 403, never just a hidden link (domain.md §1).
Whether the user may change *this* record (not only records of its kind) is ``may_edit(user,
record)`` / ``may_delete``; a view calls ``check_may_edit(record)`` once it has loaded it, and
templates ask ``may_edit(record)`` before they offer a link or a form (README "Who may change what").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
    review_admin = "review_admin", "IRO service business support"
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
    "children.view": _CIC_READ | {Role.review_admin},  # business support: the reviews area, no escalations
    "children.edit": _CIC_WRITE,  # record reviews, IRO contacts, new children; change one's own (may_edit)
    "children.edit_all": {Role.iro_manager},  # change every child, care period and review
    "children.delete": {Role.iro_manager},  # remove a review, IRO contact or care period, giving a reason
    "children.allocate": {Role.iro_manager},
    "children.team": {Role.iro_manager, Role.manager},
    # pre-review consultations (issue 17): rounds, respondents (personal data), their answers
    "consultations.view": _CIC_READ | {Role.review_admin},
    "consultations.edit": _CIC_WRITE | {Role.review_admin},  # a QARO her children's rounds (may_edit)
    "consultations.edit_all": {Role.iro_manager, Role.review_admin},
    # escalations (§5)
    "escalations.view": _CIC_READ,
    "escalations.edit": _CIC_WRITE,  # raise about any child; respond, escalate, close one's own (may_edit)
    "escalations.edit_all": {Role.iro_manager},  # respond to, escalate and close every escalation
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
    "board.commentary": {Role.manager, Role.iro_manager, Role.lado_manager},
    "board.unsuppressed": {Role.analyst, Role.manager, Role.iro_manager, Role.lado_manager, Role.admin},
    "exports.aggregate": {Role.analyst, Role.manager, Role.iro_manager, Role.lado_manager, Role.admin},
    # the whole authority's reviews in the SSDA903 layout (child id, date of birth; no names)
    "ssda903.all": {Role.iro_manager, Role.analyst},
    # administration
    "admin.users": {Role.admin},
    "admin.audit": {Role.admin},
    "admin.rules": {Role.admin},
    "admin.board": {Role.admin},
    "admin.jobs": {Role.admin},  # scheduled jobs' runs, failed sends and users' notification settings
}

# Which capability is needed to see records of each family; drill-downs and worklists check it.
RECORD_FAMILY_CAPABILITY = {
    "children": "children.view",
    "escalations": "escalations.view",
    "lado": "lado.view",
    "panels": "panels.view",
}

# --- the audit log (domain.md §1) ----------------------------------------------------------------
# Everyone who may read the audit log sees every row's time, actor, action, record type and record
# id. The before/after values and the summary of a row about a case record are shown only to a
# viewer who holds the view capability of that record's family (RECORD_FAMILY_CAPABILITY): an
# administrator without a case role sees that a LADO person was changed, never the name. The
# family of a row is decided here, and only here, from its action and object type (the
# ``audit.record`` callers name them): an action listed below first, then an object type prefix,
# then an exact object type. ``None`` means "not a case record": the administrator's own records,
# whose values stay visible. Anything else, not listed, is AUDIT_UNKNOWN: its values are hidden.
AUDIT_UNKNOWN = "unknown"
AUDIT_ACTION_FAMILY: dict[str, str] = {
    "lado_record.read": "lado",  # a read of LADO records, whatever page or record it names
}
AUDIT_OBJECT_PREFIX_FAMILY: dict[str, str] = {
    "lado_": "lado",  # lado_person, lado_organisation, lado_contact, lado_referral, lado_meeting, lado_action, lado_page
    "panel_": "panels",  # panel_meeting, panel_case
}
AUDIT_OBJECT_FAMILY: dict[str, str | None] = {
    # child-in-care reviews (domain.md §4)
    "child": "children",
    "care_period": "children",
    "review": "children",
    "iro_contact": "children",
    "consultation_round": "children",  # the respondents' names and addresses, their answers
    "consultation_respondent": "children",
    # escalations (§5)
    "escalation": "escalations",
    # panels and foster carer reviews (§7)
    "foster_household": "panels",
    "carer_review": "panels",
    # not case records: accounts, sign-ins and the system's own records
    "user": None,  # accounts, sign-ins and sign-outs (a sign-in's source address)
    "unknown_account": None,  # a failed sign-in naming no account (a fingerprint, never the email)
    "address": None,  # a sign-in lock on a source address
    "timescale_rule": None,
    "closure_day": None,
    "calendar": None,
    "import": None,  # counts per file
    "export": None,  # which export, of which period
    "database": None,  # backups and restores
    # the board's scorecard: aggregates and their settings, no case records (domain.md §8)
    "scorecard_month": None,
    "scorecard_section": None,
    "scorecard_row": None,
    "scorecard_commentary": None,
}
# What a viewer without the family's capability reads instead of the summary and the values.
AUDIT_WITHHELD_TEXT: dict[str, str] = {
    "children": "Details are visible to roles that may read children's records only",
    "escalations": "Details are visible to roles that may read escalations only",
    "lado": "Details are visible to LADO roles only",
    "panels": "Details are visible to roles that may read panel records only",
    AUDIT_UNKNOWN: "Details are hidden: this kind of record is not known to be free of case details",
}


def audit_family(object_type: str | None, action: str) -> str | None:
    """The record family of an audit row (a key of RECORD_FAMILY_CAPABILITY), ``None`` for a
    row that is not about a case record, or AUDIT_UNKNOWN for a row of a kind not listed."""
    if action in AUDIT_ACTION_FAMILY:
        return AUDIT_ACTION_FAMILY[action]
    if object_type is not None:
        for prefix, family in AUDIT_OBJECT_PREFIX_FAMILY.items():
            if object_type.startswith(prefix):
                return family
        if object_type in AUDIT_OBJECT_FAMILY:
            return AUDIT_OBJECT_FAMILY[object_type]
    return AUDIT_UNKNOWN


def audit_withheld(user, object_type: str | None, action: str) -> str | None:
    """Why the summary and before/after values of this audit row are not shown to the user
    (the text to show instead), or ``None`` when the user may see them."""
    family = audit_family(object_type, action)
    if family is None:
        return None
    capability = RECORD_FAMILY_CAPABILITY.get(family)
    if capability is not None and can(user, capability):
        return None
    return AUDIT_WITHHELD_TEXT.get(family, AUDIT_WITHHELD_TEXT[AUDIT_UNKNOWN])


def audit_values_visible(user, object_type: str | None, action: str) -> bool:
    """May the user see the summary and before/after values of an audit row of this kind?"""
    return audit_withheld(user, object_type, action) is None


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


# --- who may change which record (README "Who may change what") ---------------------------------
# A capability opens a kind of page; whether the user may change *this* record is decided here,
# from the record: a QARO changes the children allocated to them (their details and care periods),
# the reviews they chaired or that are of their children, the IRO contacts they made or that are
# with their children, and the escalations they raised or that are about their children; the IRO
# manager changes all of them; a review, an IRO contact or a care period recorded by mistake is
# removed by the IRO manager only (who sees what was removed). Recording something new (a review, an IRO contact, a child, an escalation) needs the
# capability alone: a QARO covers for a colleague. An officer id names the user's own records; a
# user without one owns none. Features name the kind of each model they protect with
# ``register_editable`` (this module imports no feature model); a record of a kind not registered is
# refused loudly (TypeError), never let through.


@dataclass(frozen=True)
class EditRule:
    own: str  # the capability to change one's own records of the kind
    every: str  # the capability to change every record of the kind
    theirs: Callable  # (user, record) -> is the record the user's own?
    delete: str | None = None  # the capability to delete a record of the kind (None: nobody may)


def _is_me(user, officer_id: str | None) -> bool:
    own = getattr(user, "officer_id", None)
    return bool(own) and officer_id == own


def _child_is_theirs(user, child) -> bool:
    return child is not None and _is_me(user, child.iro_officer_id)


EDIT_RULES: dict[str, EditRule] = {
    "child": EditRule("children.edit", "children.edit_all", _child_is_theirs),
    "care_period": EditRule(
        "children.edit",
        "children.edit_all",
        lambda user, p: _child_is_theirs(user, p.child),
        delete="children.delete",
    ),
    "review": EditRule(
        "children.edit",
        "children.edit_all",
        lambda user, r: _is_me(user, r.officer_id) or _child_is_theirs(user, r.child),  # chaired, or their child
        delete="children.delete",
    ),
    "iro_contact": EditRule(
        "children.edit",
        "children.edit_all",
        lambda user, c: _is_me(user, c.officer_id) or _child_is_theirs(user, c.child),  # made it, or their child
        delete="children.delete",
    ),
    "consultation_round": EditRule(  # their child's, or one they started covering for a colleague
        "consultations.edit",
        "consultations.edit_all",
        lambda user, r: _child_is_theirs(user, r.child) or (r.created_by is not None and r.created_by == user.id),
    ),
    "escalation": EditRule(
        "escalations.edit",
        "escalations.edit_all",
        lambda user, e: _is_me(user, e.raised_by) or _child_is_theirs(user, e.child),  # raised, or their child
    ),
}
RECORD_KINDS: dict[type, str] = {}


def register_editable(model: type, kind: str) -> None:
    """Records of ``model`` are changed under the rule ``EDIT_RULES[kind]``."""
    if kind not in EDIT_RULES:
        raise KeyError(f"no edit rule for {kind!r}")
    RECORD_KINDS[model] = kind


def _rule(record) -> EditRule:
    for model in type(record).__mro__:
        if model in RECORD_KINDS:
            return EDIT_RULES[RECORD_KINDS[model]]
    raise TypeError(f"no edit rule for a {type(record).__name__} (permissions.register_editable)")


def may_edit(user, record) -> bool:
    """May the user change this record (its details, or add to it: a care period to a child,
    a response to an escalation)?"""
    rule = _rule(record)
    return can(user, rule.every) or (can(user, rule.own) and bool(rule.theirs(user, record)))


def may_delete(user, record) -> bool:
    rule = _rule(record)
    return rule.delete is not None and can(user, rule.delete)


def check_may_edit(record) -> None:
    """Abort with 403 unless the current user may change the record (in a view, once loaded)."""
    if not may_edit(current_user, record):
        abort(403)


def check_may_delete(record) -> None:
    """Abort with 403 unless the current user may delete the record."""
    if not may_delete(current_user, record):
        abort(403)
