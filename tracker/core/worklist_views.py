"""Worklist pages (interchange.md §3 as screens): a manager's "All overdue" list across officers
and an officer's own list. Both read ``tracker.core.worklist.collect``; nothing here computes a
due date or a state its own way."""
from __future__ import annotations


from flask import Blueprint, Flask, current_app, render_template, request
from flask_login import current_user
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from sqlalchemy import select
from wtforms import SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from tracker.core import audit, worklist
from tracker.core.clock import today
from tracker.core.permissions import require
from tracker.core.timescales import DueState
from tracker.extensions import db

from tracker.core.pagination import links, page_number, paginate_list

bp = Blueprint("worklist", __name__, url_prefix="/worklist")

ANY_STATE = "any"


class WorklistFilterForm(FlaskForm):
    """A GET form: its values are codes and officer ids, never personal data."""

    class Meta:
        csrf = False

    kind = SelectField("Type of item", widget=GovSelect(), validators=[Optional()])
    state = SelectField("Status", widget=GovSelect(), validators=[Optional()])
    owner = SelectField("Officer", widget=GovSelect(), validators=[Optional()])
    team = SelectField("Team", widget=GovSelect(), validators=[Optional()])
    submit = SubmitField("Filter", widget=GovSubmitInput())


def record_lado_reads(items, where: str) -> bool:
    """Items of the LADO family shown on a page are reads of LADO records (domain.md §1): one
    ``lado.read`` row with their kinds and references (ids only). True when a row was written;
    the caller commits after rendering."""
    refs = [f"{i.kind}:{i.ref}" for i in items if worklist.KINDS[i.kind].family == "lado"]
    if refs:
        audit.record("lado.read", object_type="worklist", object_id=where,
                     summary=f"Viewed {len(refs)} LADO due items on {where}", after={"items": refs})
    return bool(refs)


def _officers() -> dict[str, str]:
    """officer_id -> display name, for the owner column and filter."""
    from tracker.auth.models import User

    rows = db.session.execute(select(User.officer_id, User.name).where(User.officer_id.is_not(None)).order_by(User.name))
    return {oid: name or oid for oid, name in rows}


def _teams() -> list[str]:
    from tracker.auth.models import User

    return list(db.session.scalars(select(User.team).where(User.team.is_not(None), User.team != "").distinct().order_by(User.team)))


def _form(user, *, default_state: str, with_people: bool, officers: dict[str, str]) -> WorklistFilterForm:
    form = WorklistFilterForm(request.args)
    form.kind.choices = [SelectChoice("", "All types")] + [SelectChoice(k.kind, k.label) for k in worklist.kinds_for(user)]
    form.state.choices = [SelectChoice(ANY_STATE, "Any status")] + [SelectChoice(s.value, s.label) for s in DueState]
    form.owner.choices = [SelectChoice("", "All officers")] + [SelectChoice(oid, f"{name} ({oid})") for oid, name in officers.items()]
    form.team.choices = [SelectChoice("", "All teams")] + [SelectChoice(t, t) for t in _teams()]
    if "state" not in request.args:
        form.state.data = default_state
    if not with_people:
        del form.owner
        del form.team
    return form


def _render(*, mine: bool):
    user = current_user._get_current_object()
    as_of = today()
    officers = _officers()
    form = _form(user, default_state=ANY_STATE if mine else DueState.overdue.value, with_people=not mine, officers=officers)
    valid = form.validate() if request.args else True
    kind = state = owner = team = None
    if valid:
        kind = form.kind.data or None
        state = form.state.data if form.state.data and form.state.data != ANY_STATE else None
        if not mine:
            owner = form.owner.data or None
            team = form.team.data or None
    if mine:
        items = worklist.items_for(user, as_of, kind=kind, state=state)
    else:
        items = worklist.collect(as_of, user=user, kinds=[kind] if kind else None, states=[state] if state else None, team=team, owner=owner)
    page = paginate_list(items, page_number(), int(current_app.config.get("PAGE_SIZE", 50)))
    endpoint = "worklist.mine" if mine else "worklist.index"
    args = {k: v for k, v in request.args.items() if k in ("kind", "state", "owner", "team") and v} if valid else {}
    filtered = bool(kind or owner or team) or (state != (None if mine else DueState.overdue.value))
    audited = record_lado_reads(page.items, endpoint)
    html = render_template(
        "worklist/index.html",
        form=form,
        page=page,
        pagination=links(page, endpoint, **args),
        officers=officers,
        as_of=as_of,
        mine=mine,
        state=state,
        filtered=filtered,
        endpoint=endpoint,
        has_officer_id=bool(getattr(user, "officer_id", None)),
    )
    if audited:
        db.session.commit()
    return html


@bp.route("/")
@require("worklist.all")
def index():
    return _render(mine=False)


@bp.route("/mine")
@require("worklist.own")
def mine():
    return _render(mine=True)


def init_app(app: Flask) -> None:
    from tracker.web import nav_item

    app.register_blueprint(bp)
    nav_item("Worklist", "worklist.index", "worklist.all", order=20)
