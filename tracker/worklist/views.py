"""Worklist pages: a manager's "All overdue" list across officers and an officer's own list.
Both read ``tracker.core.worklist`` (a page: ``collect_page``); nothing here computes a due date or a state."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select

from tracker.core import worklist
from tracker.core.clock import today
from tracker.core.pagination import Page, links, page_number
from tracker.core.permissions import require
from tracker.core.timescales import DueState
from tracker.extensions import db
from tracker.web.downloads import Column, download_links, requested_format, send_table
from tracker.web.lifecycle import note_read
from tracker.worklist.forms import ANY_STATE, NOT_ALLOCATED, WorklistFilterForm

bp = Blueprint("worklist", __name__, url_prefix="/worklist")

FILTERS = ("kind", "state", "owner", "team", "overdue_by", "due_from", "due_to")


def note_lado_items(items) -> None:
    """LADO items shown on a page are reads of LADO records (domain.md §1): the lifecycle
    writes the audit row with their references."""
    refs = [f"{i.kind}:{i.ref}" for i in items if worklist.KINDS[i.kind].family == "lado"]
    if refs:
        note_read(refs)


def _officers() -> dict[str, str]:
    """officer_id -> display name, for the owner column and filter."""
    from tracker.auth.models import User

    rows = db.session.execute(
        select(User.officer_id, User.name).where(User.officer_id.is_not(None)).order_by(User.name)
    )
    return {oid: name or oid for oid, name in rows}


def _columns(*, mine: bool, officers: dict[str, str]) -> list[Column]:
    """The worklist's download: the page's columns, and the item's reference for matching."""
    columns = [
        Column("Due date", lambda i: i.due_date),
        Column("Status", lambda i: i.state.label),
        Column("Type", lambda i: i.kind_label),
        Column("Reference", lambda i: i.ref),
        Column("Item", lambda i: i.label),
    ]
    if not mine:
        columns += [
            Column("Officer", lambda i: officers.get(i.owner, i.owner) if i.owner else "Not allocated"),
            Column("Team", lambda i: i.team or ""),
        ]
    return columns


def _render(*, mine: bool):
    fmt = requested_format()
    user = current_user._get_current_object()
    as_of = today()
    officers = _officers()
    # the filters offer the staff who own items of the kinds the user may see (a LADO manager:
    # LADO staff; an IRO manager: QAROs), and their teams
    staff = worklist.staff(user) if not mine else []
    form = WorklistFilterForm.for_user(
        user,
        request.args,
        default_state=ANY_STATE if mine else DueState.overdue.value,
        with_people=not mine,
        officers={officer_id: name for officer_id, name, _team in staff},
        teams=sorted({team for _officer_id, _name, team in staff if team}),
    )
    valid = form.validate() if request.args else True
    kind = state = owner = team = due_from = due_to = None
    if valid:
        kind = form.kind.data or None
        state = form.state.data if form.state.data and form.state.data != ANY_STATE else None
        if not mine:
            owner = "" if form.owner.data == NOT_ALLOCATED else (form.owner.data or None)
            team = form.team.data or None
        due_from, due_to = form.due_from.data, form.due_to.data
        if form.overdue_by.data:  # overdue more than N days: due before as_of - N days
            cutoff = as_of - dt.timedelta(days=int(form.overdue_by.data) + 1)
            due_to = min(due_to, cutoff) if due_to else cutoff
    ranged = {"due_from": due_from, "due_to": due_to}
    if mine:
        filters = worklist.own_filters(user, kind=kind, state=state, **ranged)
    else:
        filters = {
            "user": user,
            "kinds": [kind] if kind else None,
            "states": [state] if state else None,
            "team": team,
            "owner": owner,
            **ranged,
        }
    endpoint = "worklist.mine" if mine else "worklist.index"
    # the filters as asked (a date's three boxes are one name given three times)
    args = {k: v for k, v in request.args.to_dict(flat=False).items() if k in FILTERS and any(v)} if valid else {}
    if fmt:  # what the page shows (an invalid filter shows every item, with the errors)
        items = worklist.collect(as_of, **filters) if filters is not None else []
        note_lado_items(items)
        lado = any(worklist.KINDS[i.kind].family == "lado" for i in items)
        return send_table(
            fmt,
            title="My worklist" if mine else "Worklist",
            filename="my-worklist" if mine else "worklist",
            columns=_columns(mine=mine, officers=officers),
            rows=items,
            object_type="lado_export" if lado else "export",
        )
    per_page = int(current_app.config["PAGE_SIZE"])
    if filters is not None:  # counted and paged in the database
        page = worklist.collect_page(as_of, page_number(), per_page, **filters)
    else:
        page = Page([], 0, 1, per_page)
    filtered = bool(kind or owner is not None or team or due_from or due_to) or (
        state != (None if mine else DueState.overdue.value)
    )
    note_lado_items(page.items)
    return render_template(
        "worklist/index.html",
        form=form,
        page=page,
        pagination=links(page, endpoint, **args),
        downloads=download_links(endpoint, args) if page.total else [],
        officers=officers,
        as_of=as_of,
        mine=mine,
        state=DueState.get(state),
        filtered=filtered,
        endpoint=endpoint,
        has_officer_id=bool(getattr(user, "officer_id", None)),
    )


@bp.route("/")
@require("worklist.all")
def index():
    return _render(mine=False)


@bp.route("/mine")
@require("worklist.own")
def mine():
    return _render(mine=True)
