"""Administration pages. Thin: queries.py reads, tracker.auth.operations changes (and audits);
the request lifecycle commits.

There is deliberately no route that edits or deletes audit rows.
"""

from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from tracker.admin import queries
from tracker.admin.forms import (
    AuditFilterForm,
    ResetPasswordForm,
    RolesForm,
    StatusForm,
    UnlockForm,
    UserDetailsForm,
    UserForm,
    UserSearchForm,
)
from tracker.auth import operations, throttle
from tracker.auth.models import User
from tracker.core.audit import ACTIONS, action_label
from tracker.core.clock import to_london
from tracker.core.forms import choices, iso_dates_as_boxes
from tracker.core.pagination import links, page_number, paginate
from tracker.core.permissions import ROLE_CODES, audit_family, audit_withheld, require
from tracker.extensions import db
from tracker.web.downloads import Column, download_links, requested_format, send_table
from tracker.web.forms import carry_version, submit
from tracker.web.lifecycle import note_read
from tracker.web.records import load_or_404

bp = Blueprint("admin", __name__, url_prefix="/admin")

SEARCH_KEY = "admin_user_search"


@bp.route("/users", methods=["GET", "POST"])
@require("admin.users")
def users():
    form = UserSearchForm()
    if request.method == "POST":
        if form.validate_on_submit():
            # Kept in the session, not the query string: names and emails stay out of URLs and logs.
            session[SEARCH_KEY] = {"q": (form.q.data or "").strip(), "role": form.role.data or ""}
            return redirect(url_for("admin.users"))
    elif request.args.get("clear"):
        session.pop(SEARCH_KEY, None)
        return redirect(url_for("admin.users"))
    else:
        saved = session.get(SEARCH_KEY) or {}
        form.q.data = saved.get("q", "")
        form.role.data = saved.get("role", "")
    saved = session.get(SEARCH_KEY) or {}
    role = saved.get("role") if saved.get("role") in ROLE_CODES else None
    if fmt := requested_format():  # the users the search shows, on every page
        return send_table(
            fmt,
            title="Users",
            filename="users",
            columns=USER_COLUMNS,
            rows=db.session.scalars(queries.users_query(q=saved.get("q"), role=role)),
            filters={"role": role, "search": bool(saved.get("q"))},  # never the name or email searched for
        )
    page = queries.users_page(q=saved.get("q"), role=role, page=page_number(), per_page=current_app.config["PAGE_SIZE"])
    return render_template(
        "admin/users.html",
        form=form,
        page=page,
        searching=bool(saved.get("q") or role),
        pagination=links(page, "admin.users"),
        downloads=download_links("admin.users", {}) if page.total else [],
    )


USER_COLUMNS = [
    Column("User ID", lambda u: u.id),
    Column("Name", lambda u: u.display_name),
    Column("Email", lambda u: u.email or ""),
    Column("Officer ID", lambda u: u.officer_id or ""),
    Column("Team", lambda u: u.team or ""),
    Column("Roles", lambda u: "; ".join(role.label for role in u.role_list)),
    Column("Status", lambda u: u.status.label),
]


@bp.route("/users/new", methods=["GET", "POST"])
@require("admin.users")
def new_user():
    form = UserForm()
    created = submit(
        form,
        lambda: operations.create_user(
            email=form.email.data,
            name=form.name.data,
            roles=form.roles.data,
            password=form.password.data,
            officer_id=form.officer_id.data,
            team=form.team.data,
            by=current_user._get_current_object(),
        ),
        default_field="email",
    )
    if created:
        flash("User added.", "success")
        return redirect(url_for("admin.user", user_id=created.result.id))
    return render_template("admin/user_new.html", form=form)


def _render_user(
    user: User,
    roles_form: RolesForm | None = None,
    status_form: StatusForm | None = None,
    wanted_active: bool | None = None,
    reset_form: ResetPasswordForm | None = None,
):
    forms = (roles_form, status_form, reset_form)
    failed = next((f for f in forms if f is not None and f.errors), None)
    return render_template(
        "admin/user.html",
        user=user,
        form=failed,
        roles_form=roles_form or carry_version(RolesForm(formdata=None, roles=user.role_codes), user),
        status_form=status_form or carry_version(StatusForm(formdata=None), user),
        reset_form=reset_form or carry_version(ResetPasswordForm(formdata=None, prefix="reset"), user),
        unlock_form=UnlockForm(formdata=None, prefix="unlock"),
        locks=throttle.locks(throttle.Subject("user", str(user.id))),
        is_self=user.id == current_user.id,
        wanted_active=wanted_active,
    )


@bp.route("/users/<int:user_id>")
@require("admin.users")
def user(user_id: int):
    return _render_user(load_or_404(User, id=user_id))


@bp.route("/users/<int:user_id>/roles", methods=["POST"])
@require("admin.users")
def user_roles(user_id: int):
    user = load_or_404(User, id=user_id)
    form = RolesForm()
    if done := submit(
        form, lambda: operations.set_roles(user, form.roles.data, by=current_user._get_current_object()), record=user
    ):
        flash("Roles saved." if done.result else "No changes to save.", "success" if done.result else "info")
        return redirect(url_for("admin.user", user_id=user.id))
    return _render_user(load_or_404(User, id=user_id), roles_form=form)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@require("admin.users")
def edit_user(user_id: int):
    user = load_or_404(User, id=user_id)
    form = UserDetailsForm(obj=user) if request.method == "GET" else UserDetailsForm()
    if done := submit(
        form,
        lambda: operations.update_user(
            user,
            email=form.email.data,
            name=form.name.data,
            officer_id=form.officer_id.data,
            team=form.team.data,
            by=current_user._get_current_object(),
        ),
        record=user,
    ):
        flash("Details saved." if done.result else "No changes to save.", "success" if done.result else "info")
        return redirect(url_for("admin.user", user_id=user.id))
    return render_template(
        "admin/user_edit.html",
        form=form,
        title="Change details",
        caption=user.display_name,
        back=url_for("admin.user", user_id=user.id),
    )


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@require("admin.users")
def reset_password(user_id: int):
    """The temporary password is shown on this page, once: never in a redirect, the session or a log."""
    user = load_or_404(User, id=user_id)
    form = ResetPasswordForm(prefix="reset")
    if done := submit(
        form, lambda: operations.reset_password(user, by=current_user._get_current_object()), record=user
    ):
        return render_template("admin/user_password_reset.html", user=user, temporary=done.result)
    if not form.errors:  # not a valid post (CSRF is checked before the view)
        abort(400)
    return _render_user(load_or_404(User, id=user_id), reset_form=form)


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@require("admin.users")
def unlock_user(user_id: int):
    user = load_or_404(User, id=user_id)
    form = UnlockForm(prefix="unlock")
    if done := submit(form, lambda: operations.unlock(user, by=current_user._get_current_object())):
        if done.result:
            flash("Sign-in unlocked: the user can sign in again.", "success")
        else:
            flash("Sign-in to this account was not locked (a lock runs out by itself): nothing to unlock.", "info")
        return redirect(url_for("admin.user", user_id=user.id, _anchor="sign-in"))
    abort(400)  # a form that is only a button: not a valid post


def _set_active(user_id: int, active: bool):
    user = load_or_404(User, id=user_id)
    form = StatusForm()
    if done := submit(
        form, lambda: operations.set_active(user, active, by=current_user._get_current_object()), record=user
    ):
        if done.result:
            flash("Account enabled." if active else "Account disabled: the user can no longer sign in.", "success")
        return redirect(url_for("admin.user", user_id=user.id))
    if not form.errors:  # not a valid post (CSRF is checked before the view)
        abort(400)
    return _render_user(load_or_404(User, id=user_id), status_form=form, wanted_active=active)


@bp.route("/users/<int:user_id>/disable", methods=["POST"])
@require("admin.users")
def disable_user(user_id: int):
    return _set_active(user_id, False)


@bp.route("/users/<int:user_id>/enable", methods=["POST"])
@require("admin.users")
def enable_user(user_id: int):
    return _set_active(user_id, True)


def _with_asked(values: list[str], name: str, allowed=None) -> list[str]:
    asked = (request.args.get(name) or "").strip()
    if asked and asked not in values and (allowed is None or asked in allowed):
        return sorted([*values, asked])
    return values


def audit_log_page(endpoint: str, template: str, *, family: str | None = None):
    """The audit log's page, or its download (``?format=``): the administrators' log (every row;
    ``admin.audit``) or one record family's own log (only its rows, e.g. the LADO manager's,
    ``lado.audit_log``), with the filters and what the viewer may see of each entry
    (``macros/audit.html``).

    Every row shows when, who, the action and the record's type and id. Its summary and
    before/after values are shown only when ``permissions.audit_withheld`` allows them to the
    viewer; otherwise ``withheld`` holds the text shown instead (filters never reveal them), in
    the download as on the page."""
    fmt = requested_format()
    asked = iso_dates_as_boxes(request.args, "date_from", "date_to")  # a date's three boxes share its name
    form = AuditFilterForm(asked)
    vocabulary = ACTIONS
    if family is not None:
        del form.object_type  # one family's rows: the record id is the filter that makes sense
        vocabulary = [a for a in ACTIONS if audit_family(a.partition(".")[0], a) == family]
    # The choices are what the log holds, plus the action or record type asked for when no entry
    # has it yet (the "audit history" link of a record with none): no entries match, no error.
    actions = _with_asked(queries.audit_actions(family), "action", allowed=vocabulary)
    form.action.choices = choices([("", "Any action")] + [(a, action_label(a)) for a in actions])  # by what it means
    if "object_type" in form:
        types = _with_asked(queries.audit_object_types(family), "object_type")
        form.object_type.choices = choices([("", "Any type")] + [(t, t) for t in types])
    form.actor.choices = choices([("", "Anyone")] + queries.audit_actor_choices(family))
    valid = form.validate() if request.args else True
    filters = queries.AuditFilters()
    args = {}
    if valid:
        filters = queries.AuditFilters(
            action=form.action.data or None,
            actor=form.actor.data or None,
            object_type=(form.object_type.data or None) if "object_type" in form else None,
            object_id=(form.object_id.data or "").strip() or None,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
        )
        args = {k: v for k, v in asked.to_dict(flat=False).items() if k in form._fields and k != "submit" and any(v)}
    query = queries.audit_query(filters, family=family)
    if fmt:  # every entry the filters select, as the pages show them
        entries = list(db.session.scalars(query))
        withheld = _withheld(entries, total=len(entries))
        users = queries.users_by_id(e.user_id for e in entries)
        lado = family == "lado" or any(_lado_values_shown(e, withheld) for e in entries)
        return send_table(
            fmt,
            title="LADO audit log" if family == "lado" else "Audit log",
            filename="lado-audit-log" if family == "lado" else "audit-log",
            columns=_audit_columns(users, withheld),
            rows=entries,
            object_type="lado_export" if lado else "export",
        )
    page = paginate(query, page_number(), current_app.config["PAGE_SIZE"])
    return render_template(
        template,
        form=form,
        page=page,
        pagination=links(page, endpoint, **args),
        downloads=download_links(endpoint, args) if page.total else [],
        users=queries.users_by_id(e.user_id for e in page.items),
        withheld=_withheld(page.items, page=page.page, total=page.total),
    )


def _lado_values_shown(entry, withheld: dict) -> bool:
    return withheld[entry.id] is None and audit_family(entry.object_type, entry.action) == "lado"


def _withheld(entries, **shown) -> dict[int, str | None]:
    """Entry id -> the text shown instead of its summary and values, ``None`` when the viewer may
    see them. Showing the values of LADO rows is a read of the LADO records they name (domain.md
    §1): noted like any list of LADO records (references only; a ``lado_page`` row names a page)."""
    viewer = current_user._get_current_object()
    withheld = {e.id: audit_withheld(viewer, e.object_type, e.action) for e in entries}
    lado_shown = [e for e in entries if _lado_values_shown(e, withheld)]
    if lado_shown:
        refs = [e.object_id for e in lado_shown if e.object_id and e.object_type != "lado_page"]
        note_read(list(dict.fromkeys(refs)), **shown)
    return withheld


def _audit_columns(users: dict, withheld: dict) -> list[Column]:
    """The audit log's download: the table's columns (the time in England's, the actor's name and
    their sign-in name apart, the record's type and id apart), the values as JSON; the summary
    and values of an entry the viewer may not see are withheld as on the page."""

    def values(key: str):
        def value(e):
            found = getattr(e, key)
            return "" if withheld[e.id] or found is None else json.dumps(found, sort_keys=True, ensure_ascii=False)

        return value

    return [
        Column("When", lambda e: to_london(e.at)),
        Column("Who", lambda e: users[e.user_id].display_name if e.user_id in users else ""),
        Column("Actor", lambda e: e.actor),
        Column("Action", lambda e: action_label(e.action)),
        Column("Action code", lambda e: e.action),
        Column("Record type", lambda e: e.object_type or ""),
        Column("Record id", lambda e: e.object_id or ""),
        Column("What happened", lambda e: withheld[e.id] or e.summary),
        Column("Before", values("before")),
        Column("After", values("after")),
    ]


@bp.route("/audit")
@require("admin.audit")
def audit():
    return audit_log_page("admin.audit", "admin/audit.html")
