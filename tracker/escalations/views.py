"""Escalation pages. Thin: queries.py reads; operations.py changes (and audits); the request
lifecycle commits. The escalation's page shows the response deadline the worklist computes.
Corrections have a page each: the details (``edit``) and one stage (``edit_stage``)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.core import worklist
from tracker.core.clock import today
from tracker.core.errors import DomainError
from tracker.core.forms import choices
from tracker.core.pagination import links, page_number
from tracker.core.permissions import can, check_may_edit, require
from tracker.escalations import operations, queries
from tracker.escalations.forms import (
    CloseForm,
    DetailsForm,
    EscalateForm,
    FilterForm,
    RaiseForm,
    ResponseForm,
    StageForm,
)
from tracker.escalations.models import Escalation, Resolution, Stage
from tracker.reviews.forms import officer_choices
from tracker.reviews.models import Child
from tracker.web.downloads import Column, download_links, requested_format, send_table
from tracker.web.forms import carry_version, submit
from tracker.web.records import find, load_or_404, record_url

bp = Blueprint("escalations", __name__, url_prefix="/escalations")

ALL_CAPABILITY = "children.team"  # iro_manager and manager: the service-wide lists
REASSIGN_CAPABILITY = "escalations.edit_all"  # the IRO manager: corrects who raised an escalation


@bp.route("/")
@require("escalations.view")
def index():
    if can(current_user, ALL_CAPABILITY):
        return redirect(url_for("escalations.all"))
    return redirect(url_for("escalations.mine"))


REFERENCE_COLUMNS = [
    Column("Escalation", lambda r: r.escalation_id),
    Column("Child", lambda r: r.child_id),
    Column("Child's name", lambda r: r.child_name),
]
STAGE_COLUMN = Column("Current stage", lambda r: r.stage.short_label)
TIMING_COLUMNS = [
    Column("Opened", lambda r: r.opened),
    Column("Days open", lambda r: r.days_open),
    Column("Response due", lambda r: r.response_due),
    Column("Response status", lambda r: r.due_state.label if r.due_state else ""),
    Column("Responded", lambda r: r.response_date),
]


def _columns(*, everyone: bool) -> list[Column]:
    """An escalations list's download: the page's columns, each fact in its own column (who
    raised it on the service-wide list)."""
    raised_by = [
        Column("Raised by", lambda r: r.raiser_name or r.raised_by or ""),
        Column("Team", lambda r: r.team or ""),
    ]
    return [
        *REFERENCE_COLUMNS,
        Column("External partner", lambda r: r.external_partner or ""),
        STAGE_COLUMN,
        Column("Flag", lambda r: r.flag.label if r.flag else ""),
        Column("Closed", lambda r: r.closed_date),
        Column("Resolution", lambda r: r.resolution.label if r.resolution else ""),
        Column("Areas of concern", lambda r: "; ".join(a.label for a in r.areas)),
        *(raised_by if everyone else []),
        *TIMING_COLUMNS,
    ]


def _list(endpoint: str, title: str, raised_by: str | None, show_filters: bool):
    fmt = requested_format()
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

        def chosen(field):  # a blank choice (spaces too: ``Optional`` lets them through) is "any"
            return (field.data or "").strip() or None

        filters = queries.Filters(
            stage=chosen(form.stage),
            area=chosen(form.area),
            team=chosen(form.team) if show_filters else None,
            partner=chosen(form.partner),
            raised_by=raised_by,
            status=chosen(form.status) or "open",
        )
        args = {k: v for k, v in request.args.items() if k in form._fields and k != "submit" and v}
    if fmt:  # what the page shows (an invalid filter shows the open escalations, with the errors)
        return send_table(
            fmt,
            title=title,
            filename=endpoint.replace("escalations.", "escalations-"),
            columns=_columns(everyone=show_filters),
            rows=queries.escalations(filters),
        )
    page = queries.escalations_page(filters, page=page_number(), per_page=current_app.config["PAGE_SIZE"])
    return render_template(
        "escalations/index.html",
        title=title,
        filter_form=form,
        page=page,
        filters=filters,
        endpoint=endpoint,
        show_team=show_filters,
        pagination=links(page, endpoint, **args),
        downloads=download_links(endpoint, args) if page.total else [],
        stage4_count=queries.unresolved_stage4_count(),
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
    rows = queries.unresolved_stage4()
    if fmt := requested_format():
        columns = [*REFERENCE_COLUMNS, STAGE_COLUMN, *TIMING_COLUMNS]
        return send_table(
            fmt, title="Unresolved stage 4 escalations", filename="escalations-stage4", columns=columns, rows=rows
        )
    return render_template(
        "escalations/stage4.html", rows=rows, downloads=download_links("escalations.stage4", {}) if rows else []
    )


@bp.route("/new", methods=["GET", "POST"])
@require("escalations.edit")
def new():
    """Raise an escalation about any child (the capability alone); what follows is the raiser's,
    the allocated QARO's and the IRO manager's (``check_may_edit``)."""
    form = RaiseForm()
    if request.method == "GET":
        form.child_id.data = request.args.get("child", "")
        form.started_date.data = today()
        if form.child_id.data:
            load_or_404(Child, child_id=form.child_id.data)

    def raise_escalation():
        child = find(Child, child_id=(form.child_id.data or "").strip())
        if child is None:
            raise DomainError("There is no child with this case reference", "child_id")
        return operations.raise_escalation(
            child=child,
            raised_by=current_user.officer_id,
            areas=form.areas.data,
            stage=form.stage.data,
            started_date=form.started_date.data,
            to_whom=form.to_whom.data,
            external_partner=form.external_partner.data,
            summary=form.summary.data,
        )

    if done := submit(form, raise_escalation, default_field="stage"):
        flash(f"Escalation {done.result.escalation_id} raised.", "success")
        return redirect(record_url("escalation", done.result.escalation_id))
    child_id = (form.child_id.data or "").strip()
    back = record_url("child", child_id) if child_id and can(current_user, "children.view") else None
    return render_template("escalations/new.html", form=form, back=back or url_for("escalations.index"))


def _render_show(escalation: Escalation, failed=None, **forms):
    current = escalation.current_stage
    later = current.stage.later() if current else list(Stage)
    escalate_form = forms.get("escalate_form") or carry_version(EscalateForm(formdata=None), escalation)
    escalate_form.to_stage.choices = Stage.choices(members=later)
    close_form = forms.get("close_form") or carry_version(CloseForm(formdata=None), escalation)
    if current is not None and current.stage is Stage.cafcass and close_form.resolution.data is None:
        close_form.resolution.data = Resolution.referred_to_cafcass.value
    from tracker.auth.models import user_by_officer_id

    raiser = user_by_officer_id(escalation.raised_by) if escalation.raised_by else None
    return render_template(
        "escalations/show.html",
        escalation=escalation,
        row=queries.row(escalation),
        deadlines=worklist.for_record("escalation", escalation.escalation_id, today()),
        current=current,
        form=failed,
        raiser=raiser.display_name if raiser else None,
        response_form=forms.get("response_form") or carry_version(ResponseForm(formdata=None), escalation),
        escalate_form=escalate_form,
        close_form=close_form,
    )


@bp.route("/<escalation_id>")
@require("escalations.view")
def show(escalation_id: str):
    return _render_show(load_or_404(Escalation, escalation_id=escalation_id))


def _transition(escalation_id: str, form, form_name: str, default_field: str, run, done: str):
    escalation = load_or_404(Escalation, escalation_id=escalation_id)
    check_may_edit(escalation)  # raised by the user, or about a child allocated to them (or the IRO manager)
    if submit(form, lambda: run(escalation, form), record=escalation, default_field=default_field):
        flash(done, "success")
        return redirect(record_url("escalation", escalation_id))
    if not form.errors:
        abort(400)
    return _render_show(load_or_404(Escalation, escalation_id=escalation_id), failed=form, **{form_name: form})


@bp.route("/<escalation_id>/response", methods=["POST"])
@require("escalations.edit")
def respond(escalation_id: str):
    return _transition(
        escalation_id,
        ResponseForm(),
        "response_form",
        "response_date",
        lambda e, f: operations.record_response(
            e, response_date=f.response_date.data, response_summary=f.response_summary.data
        ),
        "Response recorded.",
    )


@bp.route("/<escalation_id>/escalate", methods=["POST"])
@require("escalations.edit")
def escalate(escalation_id: str):
    return _transition(
        escalation_id,
        EscalateForm(),
        "escalate_form",
        "to_stage",
        lambda e, f: operations.escalate(
            e, to_stage=f.to_stage.data, started_date=f.started_date.data, to_whom=f.to_whom.data
        ),
        "Escalation moved to the next stage.",
    )


@bp.route("/<escalation_id>/close", methods=["POST"])
@require("escalations.edit")
def close(escalation_id: str):
    return _transition(
        escalation_id,
        CloseForm(),
        "close_form",
        "closed_date",
        lambda e, f: operations.close(e, closed_date=f.closed_date.data, resolution=f.resolution.data),
        "Escalation closed.",
    )


# --- corrections -------------------------------------------------------------------------------


def _correction(escalation_id: str):
    """The escalation a correction changes: 404, then 403 unless the user may change it
    (raised by them, about a child allocated to them, or the IRO manager). Open or closed."""
    escalation = load_or_404(Escalation, escalation_id=escalation_id)
    check_may_edit(escalation)
    return escalation, record_url("escalation", escalation_id)


def _correction_page(form, title: str, escalation_id: str, back: str):
    return render_template(
        "escalations/edit.html", form=form, title=title, caption=f"Escalation {escalation_id}", back=back
    )


@bp.route("/<escalation_id>/edit", methods=["GET", "POST"])
@require("escalations.edit")
def edit(escalation_id: str):
    """Correct the areas of concern, the external partner, the summary and (the IRO manager
    only) the raising officer."""
    escalation, back = _correction(escalation_id)
    form = DetailsForm(
        areas=[a.value for a in escalation.area_codes],
        external_partner=escalation.external_partner,
        summary=escalation.summary,
        raised_by=escalation.raised_by or "",
    )
    reassigns = can(current_user, REASSIGN_CAPABILITY)
    if reassigns:  # the QAROs and IRO managers, as a review's chair is chosen (the one it names kept)
        form.raised_by.choices = officer_choices("Not recorded", escalation.raised_by)
    else:
        del form.raised_by

    def save():
        changes = {
            "areas": form.areas.data,
            "external_partner": form.external_partner.data,
            "summary": form.summary.data,
        }
        if reassigns:
            changes["raised_by"] = form.raised_by.data
        return operations.edit_details(escalation, **changes)

    if submit(form, save, record=escalation, default_field="areas"):
        flash("Escalation details saved.", "success")
        return redirect(back)
    return _correction_page(form, "Change the details of the escalation", escalation_id, back)


@bp.route("/<escalation_id>/stages/<stage>/edit", methods=["GET", "POST"])
@require("escalations.edit")
def edit_stage(escalation_id: str, stage: str):
    """Correct one stage (by its code: informal, stage1 … cafcass): its start date, who it was
    raised with and its response. The response deadline is the engine's, from the start date."""
    escalation, back = _correction(escalation_id)
    target = escalation.stage(stage)
    if target is None:
        abort(404)
    code, label = target.stage, target.stage.short_label
    form = StageForm(**{f: getattr(target, f) for f in operations.STAGE_EDIT_FIELDS})  # not obj=: its version
    form.stage_code = code

    def save():
        return operations.edit_stage(
            escalation,
            code,
            started_date=form.started_date.data,
            to_whom=form.to_whom.data,
            response_date=form.response_date.data,
            response_summary=form.response_summary.data,
        )

    if submit(form, save, record=escalation, default_field="started_date"):
        flash(f"Dates of {label} saved.", "success")
        return redirect(back)
    return _correction_page(form, f"Change the dates of {label}", escalation_id, back)
