"""Escalation pages. Thin: queries.py reads; operations.py changes (and audits); one commit."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.routing import BuildError

from tracker.core.clock import today
from tracker.core.permissions import can, require
from tracker.escalations import operations, queries
from tracker.escalations.forms import CloseForm, EscalateForm, FilterForm, RaiseForm, ResponseForm, choices
from tracker.escalations.models import (
    AREA_LABELS,
    RESOLUTION_LABELS,
    STAGE_LABELS,
    STAGE_SHORT_LABELS,
    Escalation,
)
from tracker.extensions import db

from tracker.core.pagination import links, page_number

bp = Blueprint("escalations", __name__, url_prefix="/escalations")

ALL_CAPABILITY = "children.team"  # iro_manager and manager: the service-wide lists


def _load(escalation_id: str) -> Escalation:
    escalation = queries.by_reference(escalation_id)
    if escalation is None:
        abort(404)
    return escalation


def _domain_error(form, exc: operations.EscalationError, default_field: str) -> None:
    """Show a refused change in the GOV.UK error summary and next to its field."""
    field = getattr(form, exc.field or default_field, None) or getattr(form, default_field)
    field.errors = list(field.errors) + [exc.message]


def _labels() -> dict:
    return {
        "stage_labels": STAGE_LABELS,
        "stage_short_labels": STAGE_SHORT_LABELS,
        "area_labels": AREA_LABELS,
        "resolution_labels": RESOLUTION_LABELS,
    }


@bp.route("/")
@require("escalations.view")
def index():
    if can(current_user, ALL_CAPABILITY):
        return redirect(url_for("escalations.all"))
    return redirect(url_for("escalations.mine"))


def _list(endpoint: str, title: str, raised_by: str | None, show_filters: bool):
    form = FilterForm(request.args)
    form.team.choices = choices([("", "Any team")] + [(t, t) for t in queries.teams()])
    form.partner.choices = choices(
        [("", "Any"), ("any", "About an external partner"), ("none", "About the council's own teams")]
        + [(p, p) for p in queries.partners()]
    )
    if not request.args.get("status"):
        form.status.data = "open"
    valid = form.validate() if request.args else True
    filters = queries.Filters(raised_by=raised_by)
    args: dict = {}
    if valid:
        filters = queries.Filters(
            stage=form.stage.data or None,
            area=form.area.data or None,
            team=(form.team.data or None) if show_filters else None,
            partner=form.partner.data or None,
            raised_by=raised_by,
            status=form.status.data or "open",
        )
        args = {k: v for k, v in request.args.items() if k in form._fields and k != "submit" and v}
    page = queries.escalations_page(filters, page=page_number(), per_page=current_app.config["PAGE_SIZE"])
    return render_template(
        "escalations/index.html", title=title, filter_form=form, page=page, filters=filters, endpoint=endpoint,
        show_team=show_filters, pagination=links(page, endpoint, **args), stage4_count=queries.unresolved_stage4_count(),
        child_links=can(current_user, "children.view"), **_labels(),
    )


@bp.route("/mine")
@require("escalations.view")
def mine():
    """A QARO's own escalations (raised_by = their officer id)."""
    return _list("escalations.mine", "My escalations", current_user.officer_id or "", show_filters=False)


@bp.route("/all")
@require(ALL_CAPABILITY)
def all():
    """The service manager's view of every escalation, filterable by stage, area, team, partner."""
    return _list("escalations.all", "All escalations", None, show_filters=True)


@bp.route("/stage4")
@require("escalations.view")
def stage4():
    """Unresolved escalations at stage 4 or beyond: for the board chair's attention (002:L272).
    Board members hold no child-level capability, so they get the count through the board
    pack (``queries.unresolved_stage4_count``), never this list."""
    return render_template("escalations/stage4.html", rows=queries.unresolved_stage4(), **_labels())


@bp.route("/new", methods=["GET", "POST"])
@require("escalations.edit")
def new():
    form = RaiseForm()
    child = None
    if request.method == "GET":
        form.child_id.data = request.args.get("child", "")
        form.started_date.data = today()
        child = queries.child_by_reference(form.child_id.data)
        if form.child_id.data and child is None:
            abort(404)
    if form.validate_on_submit():
        child = queries.child_by_reference(form.child_id.data.strip())
        if child is None:
            form.child_id.errors.append("There is no child with this case reference")
        else:
            try:
                escalation = operations.raise_escalation(
                    child=child, raised_by=current_user.officer_id, areas=form.areas.data, stage=form.stage.data,
                    started_date=form.started_date.data, to_whom=form.to_whom.data,
                    external_partner=form.external_partner.data, summary=form.summary.data,
                )
            except operations.EscalationError as exc:
                db.session.rollback()
                _domain_error(form, exc, "stage")
            else:
                db.session.commit()
                flash(f"Escalation {escalation.escalation_id} raised.", "success")
                return redirect(url_for("escalations.show", escalation_id=escalation.escalation_id))
    elif request.method == "POST":
        child = queries.child_by_reference((form.child_id.data or "").strip())
    back_url = _child_url(child.child_id) if child is not None else None
    return render_template("escalations/new.html", form=form, child=child, back_url=back_url, **_labels())


def _render_show(escalation: Escalation, failed=None, **forms):
    current = escalation.current_stage
    response_form = forms.get("response_form") or ResponseForm(formdata=None)
    escalate_form = forms.get("escalate_form") or EscalateForm(formdata=None, stages=queries.stage_choices_after(current.stage if current else None))
    close_form = forms.get("close_form") or CloseForm(formdata=None)
    if forms.get("escalate_form") is not None:
        escalate_form.to_stage.choices = choices((s, STAGE_LABELS[s]) for s in queries.stage_choices_after(current.stage if current else None))
    if current is not None and current.stage == "cafcass" and close_form.resolution.data is None:
        close_form.resolution.data = "referred_to_cafcass"
    from tracker.auth.models import user_by_officer_id

    raiser = user_by_officer_id(escalation.raised_by) if escalation.raised_by else None
    return render_template(
        "escalations/show.html", escalation=escalation, current=current, form=failed,
        child_url=_child_url(escalation.child.child_id), raiser=raiser.display_name if raiser else None,
        response_form=response_form, escalate_form=escalate_form, close_form=close_form,
        can_edit=can(current_user, "escalations.edit"), as_of=today(),
        response_due=_response_due(escalation), **_labels(),
    )


def _child_url(child_id: str) -> str | None:
    """The child page (reviews feature), when the user may see it."""
    if not can(current_user, "children.view"):
        return None
    try:
        return url_for("reviews.child", child_id=child_id)
    except BuildError:
        return None


def _response_due(escalation: Escalation):
    from tracker.core import timescales
    from tracker.escalations.models import Stage

    current = escalation.current_stage
    if current is None or escalation.closed_date or current.response_date or current.stage == "cafcass":
        return None
    due = timescales.deadline(Stage(current.stage).response_rule, current.started_date)
    return {"date": due, "state": timescales.due_state(due, today())}


@bp.route("/<escalation_id>")
@require("escalations.view")
def show(escalation_id: str):
    return _render_show(_load(escalation_id))


def _transition(escalation_id: str, form_cls, form_name: str, default_field: str, run, done: str, **form_kwargs):
    escalation = _load(escalation_id)
    form = form_cls(**form_kwargs)
    if form.validate_on_submit():
        try:
            run(escalation, form)
        except operations.EscalationError as exc:
            db.session.rollback()
            escalation = _load(escalation_id)
            _domain_error(form, exc, default_field)
        else:
            db.session.commit()
            flash(done, "success")
            return redirect(url_for("escalations.show", escalation_id=escalation.escalation_id))
    return _render_show(escalation, failed=form, **{form_name: form})


@bp.route("/<escalation_id>/response", methods=["POST"])
@require("escalations.edit")
def respond(escalation_id: str):
    return _transition(
        escalation_id, ResponseForm, "response_form", "response_date",
        lambda e, f: operations.record_response(e, response_date=f.response_date.data, response_summary=f.response_summary.data),
        "Response recorded.",
    )


@bp.route("/<escalation_id>/escalate", methods=["POST"])
@require("escalations.edit")
def escalate(escalation_id: str):
    return _transition(
        escalation_id, EscalateForm, "escalate_form", "to_stage",
        lambda e, f: operations.escalate(e, to_stage=f.to_stage.data, started_date=f.started_date.data, to_whom=f.to_whom.data),
        "Escalation moved to the next stage.",
    )


@bp.route("/<escalation_id>/close", methods=["POST"])
@require("escalations.edit")
def close(escalation_id: str):
    return _transition(
        escalation_id, CloseForm, "close_form", "closed_date",
        lambda e, f: operations.close(e, closed_date=f.closed_date.data, resolution=f.resolution.data),
        "Escalation closed.",
    )
