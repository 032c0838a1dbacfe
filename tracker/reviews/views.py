"""Pages under /children: the QARO's caseload, a child's page with its review chain, the
forms that record reviews, IRO contacts and care periods, the team view and the SSDA903
download. Thin: queries read, operations change (and audit), the view commits once."""
from __future__ import annotations

import csv
import datetime as dt
import io

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.core import audit, permissions
from tracker.core.clock import today
from tracker.core.kpis import Period, percentage
from tracker.core.permissions import require
from tracker.core.timescales import due_state
from tracker.extensions import db
from tracker.reviews import chain, operations, queries
from tracker.reviews import kpis as review_kpis
from tracker.reviews.forms import AllocateForm, choices, CarePeriodForm, ChildForm, ConfirmForm, ContactForm, ReviewForm, SearchForm
from tracker.reviews.models import (
    CONTACT_TYPE_LABELS,
    CarePeriod,
    Child,
    Review,
    legal_status_label,
    participation_label,
)
from tracker.reviews.operations import OperationError
from tracker.reviews.ssda903 import export_rows

from tracker.core.pagination import links, page_number

bp = Blueprint("reviews", __name__, url_prefix="/children", template_folder="templates")

SEARCH_KEY = "reviews_child_search"


@bp.app_template_global()
def review_state(due, as_of=None):
    """The one due_state for a date, for templates."""
    return None if due is None else due_state(due, as_of or today())


def _load_child(child_id: str) -> Child:
    child = db.session.scalar(select(Child).where(Child.child_id == child_id))
    if child is None:
        abort(404)
    return child


def _apply_error(form, exc: OperationError) -> None:
    field = getattr(form, exc.field, None) if exc.field else None
    if field is None:
        field = next(iter(f for f in form if f.name not in ("csrf_token", "submit")))
    field.errors = list(field.errors) + [exc.message]


def _officer_choices(blank: str):
    return choices([("", blank)] + queries.qaro_choices())


def _my_figures(officer_id: str) -> dict:
    """The QARO's own figures for this month and this financial year (same indicator code)."""
    day = today()
    fy_start = dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)
    result: dict = {"labels": {i.id: i.label for i in review_kpis.INDICATORS}}
    for key, start in (("month", day.replace(day=1)), ("year", fy_start)):
        figs = review_kpis.figures(Period(start, day, day), officer=officer_id)
        result[key] = {
            "start": start,
            "held": figs["reviews.held"],
            **{k: (figs[f"reviews.{k}"], percentage(figs[f"reviews.{k}"].numerator, figs[f"reviews.{k}"].denominator))
               for k in ("in_timescale", "recommendations_in_timescale", "minutes_in_timescale", "participation")},
        }
    return result


# --- lists ---------------------------------------------------------------------------------


@bp.route("/", methods=["GET", "POST"])
@require("children.view")
def my_children():
    """The signed-in QARO's caseload; managers choose all children, a team or a QARO."""
    form = SearchForm()
    if request.method == "POST":
        if form.validate_on_submit():
            session[SEARCH_KEY] = (form.q.data or "").strip()
        return redirect(url_for("reviews.my_children", **{k: v for k, v in request.args.items() if k != "page"}))
    if request.args.get("clear"):
        session.pop(SEARCH_KEY, None)
        return redirect(url_for("reviews.my_children", **{k: v for k, v in request.args.items() if k not in ("clear", "page")}))
    q = session.get(SEARCH_KEY) or ""
    form.q.data = q
    me = current_user.officer_id
    manager = permissions.can(current_user, "children.team")
    scope = request.args.get("scope") or ("mine" if me and not manager else "all")
    if manager and scope != "mine":
        # "Show", "Team" and "QARO" are one form: a chosen QARO or team narrows the list even
        # when "Show" was left at "All children in care"; "A team" with no team shows all.
        chosen_team, chosen_officer = request.args.get("team"), request.args.get("officer")
        if not ((scope == "team" and chosen_team) or (scope == "qaro" and chosen_officer)):
            scope = "qaro" if chosen_officer else "team" if chosen_team else "all"
    officer_filter, officers, team, officer = None, None, None, None
    if scope == "mine":
        officer_filter = me or ""  # no officer id: an empty caseload (no child has "")
    elif scope == "team" and manager:
        team = request.args.get("team") or ""
        officers = queries.officers_in_team(team)
    elif scope == "qaro" and manager:
        officer = request.args.get("officer") or ""
        officer_filter = officer
    elif scope not in ("all",):
        scope = "all"
    sort = request.args.get("sort", "due")
    args = {k: v for k, v in dict(scope=scope, team=team, officer=officer, sort=sort).items() if v}
    page = queries.caseload(today(), officer=officer_filter, officers=officers, q=q or None, sort=sort,
                            page=page_number(), per_page=current_app.config["PAGE_SIZE"])
    return render_template(
        "reviews/my_children.html", form=None, search_form=form, page=page, q=q, scope=scope, sort=sort, args=args,
        sorts=queries.SORTS, manager=manager, teams=queries.teams(), qaros=queries.qaro_choices(), team=team,
        officer=officer, pagination=links(page, "reviews.my_children", **args), as_of=today(),
        figures=_my_figures(me) if me and scope == "mine" else None,
    )


@bp.route("/all")
@require("children.view")
def children():
    """All children in care (the home page's link)."""
    return redirect(url_for("reviews.my_children", scope="all"))


@bp.route("/team")
@require("children.team")
def team():
    team_name = request.args.get("team") or None
    officer = request.args.get("officer") or None
    rows = queries.team_summary(today(), team_name)
    figures = _my_figures(officer) if officer else None
    officer_name = next((r["name"] for r in rows if r["officer_id"] == officer), officer)
    return render_template("reviews/team.html", form=None, rows=rows, teams=queries.teams(), team=team_name,
                           officer=officer, officer_name=officer_name, figures=figures, as_of=today())


# --- a child -----------------------------------------------------------------------------


@bp.route("/<child_id>")
@require("children.view")
def child(child_id: str):
    child = _load_child(child_id)
    as_of = today()
    periods = chain.timeline(child, as_of)
    current = next((p for p in periods if p.next_due is not None), None)
    contacts = sorted(child.contacts, key=lambda c: c.contact_date, reverse=True)
    # the same query as the caseload list and the iro_contact due items (one definition)
    contact_due = queries.contact_due(child.id, as_of) if current is not None and child.iro_contact_expected else None
    from tracker.auth.models import user_by_officer_id
    qaro = user_by_officer_id(child.iro_officer_id) if child.iro_officer_id else None
    return render_template(
        "reviews/child.html", form=None, child=child, periods=periods, current=current, contacts=contacts,
        contact_due=contact_due, qaro=qaro, as_of=as_of, participation_label=participation_label,
        officer_names=queries.officer_names({c.officer_id for c in contacts if c.officer_id}),
        legal_status_label=legal_status_label, contact_type_labels=CONTACT_TYPE_LABELS,
    )


@bp.route("/new", methods=["GET", "POST"])
@require("children.edit")
def new_child():
    form = ChildForm()
    if form.validate_on_submit():
        try:
            child = operations.create_child(
                child_id=form.child_id.data, first_name=form.first_name.data or None, last_name=form.last_name.data or None,
                date_of_birth=form.date_of_birth.data, gender=form.gender.data or None, ethnicity=form.ethnicity.data or None,
                uasc=form.uasc.data, iro_contact_expected=form.iro_contact_expected.data,
                iro_officer_id=current_user.officer_id if current_user.has_role("qaro") else None,
            )
        except OperationError as exc:
            db.session.rollback()
            _apply_error(form, exc)
        else:
            db.session.commit()
            flash(f"Child {child.child_id} added", "success")
            return redirect(url_for("reviews.child", child_id=child.child_id))
    return render_template("reviews/form.html", form=form, title="Add a child", back=url_for("reviews.my_children"))


@bp.route("/<child_id>/edit", methods=["GET", "POST"])
@require("children.edit")
def edit_child(child_id: str):
    child = _load_child(child_id)
    form = ChildForm(obj=child)
    del form.child_id  # the reference is not editable
    if form.validate_on_submit():
        try:
            operations.edit_child(child, first_name=form.first_name.data or None, last_name=form.last_name.data or None,
                                  date_of_birth=form.date_of_birth.data, gender=form.gender.data or None,
                                  ethnicity=form.ethnicity.data or None, uasc=form.uasc.data,
                                  iro_contact_expected=form.iro_contact_expected.data)
        except OperationError as exc:
            db.session.rollback()
            _apply_error(form, exc)
        else:
            db.session.commit()
            flash("Child's details saved", "success")
            return redirect(url_for("reviews.child", child_id=child.child_id))
    return render_template("reviews/form.html", form=form, title=f"Edit the details of {child.child_id}",
                           back=url_for("reviews.child", child_id=child.child_id))


@bp.route("/<child_id>/allocate", methods=["GET", "POST"])
@require("children.allocate")
def allocate(child_id: str):
    child = _load_child(child_id)
    form = AllocateForm(officer_id=child.iro_officer_id or "")
    form.officer_id.choices = _officer_choices("Not allocated")
    if form.validate_on_submit():
        try:
            operations.allocate(child, form.officer_id.data or None)
        except OperationError as exc:
            db.session.rollback()
            _apply_error(form, exc)
        else:
            db.session.commit()
            flash(f"QARO allocation of {child.child_id} saved", "success")
            return redirect(url_for("reviews.child", child_id=child.child_id))
    return render_template("reviews/form.html", form=form, title=f"Allocate a QARO to {child.child_id}",
                           back=url_for("reviews.child", child_id=child.child_id))


# --- care periods ----------------------------------------------------------------------


def _load_period(child: Child, period_id: int) -> CarePeriod:
    period = db.session.get(CarePeriod, period_id)
    if period is None or period.child_pk != child.id:
        abort(404)
    return period


@bp.route("/<child_id>/periods/new", methods=["GET", "POST"], defaults={"period_id": None})
@bp.route("/<child_id>/periods/<int:period_id>/edit", methods=["GET", "POST"])
@require("children.edit")
def care_period(child_id: str, period_id: int | None):
    child = _load_child(child_id)
    period = _load_period(child, period_id) if period_id else None
    form = CarePeriodForm(obj=period)
    if form.validate_on_submit():
        values = dict(start_date=form.start_date.data, end_date=form.end_date.data, legal_status=form.legal_status.data or None)
        try:
            if period is None:
                operations.add_care_period(child, **values)
            else:
                operations.edit_care_period(period, **values)
        except OperationError as exc:
            db.session.rollback()
            _apply_error(form, exc)
        else:
            db.session.commit()
            flash("Care period saved", "success")
            return redirect(url_for("reviews.child", child_id=child.child_id))
    title = f"{'Add a' if period is None else 'Change the'} care period of {child.child_id}"
    return render_template("reviews/form.html", form=form, title=title, back=url_for("reviews.child", child_id=child.child_id))


# --- reviews -----------------------------------------------------------------------------


def _load_review(child: Child, review_id: str) -> Review:
    review = db.session.scalar(select(Review).where(Review.review_id == review_id))
    if review is None or review.child_pk != child.id:
        abort(404)
    return review


@bp.route("/<child_id>/reviews/new", methods=["GET", "POST"], defaults={"review_id": None})
@bp.route("/<child_id>/reviews/<review_id>/edit", methods=["GET", "POST"])
@require("children.edit")
def review(child_id: str, review_id: str | None):
    child = _load_child(child_id)
    existing = _load_review(child, review_id) if review_id else None
    if existing is not None:
        form = ReviewForm(obj=existing, participation_code=existing.participation_code or "")
    else:
        form = ReviewForm(officer_id=current_user.officer_id or child.iro_officer_id or "")
    form.officer_id.choices = _officer_choices("Not recorded")
    if form.validate_on_submit():
        values = dict(review_date=form.review_date.data, officer_id=form.officer_id.data or None,
                      participation_code=form.participation_code.data or None, advocate=form.advocate.data,
                      recommendations_date=form.recommendations_date.data, minutes_date=form.minutes_date.data)
        try:
            if existing is None:
                saved = operations.record_review(child, **values)
            else:
                saved = operations.edit_review(existing, **values)
        except OperationError as exc:
            db.session.rollback()
            _apply_error(form, exc)
        else:
            db.session.commit()
            flash(f"Review held on {saved.review_date.strftime('%-d %B %Y')} saved", "success")
            return redirect(url_for("reviews.child", child_id=child.child_id))
    title = f"{'Record a' if existing is None else 'Change the'} review of {child.child_id}"
    return render_template("reviews/form.html", form=form, title=title, back=url_for("reviews.child", child_id=child.child_id))


@bp.route("/<child_id>/reviews/<review_id>/delete", methods=["GET", "POST"])
@require("children.edit")
def delete_review(child_id: str, review_id: str):
    child = _load_child(child_id)
    existing = _load_review(child, review_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        operations.delete_review(existing)
        db.session.commit()
        flash("Review deleted", "success")
        return redirect(url_for("reviews.child", child_id=child.child_id))
    return render_template("reviews/confirm_delete.html", form=form, child=child, review=existing,
                           participation_label=participation_label)


# --- IRO contacts ----------------------------------------------------------------------


@bp.route("/<child_id>/contacts/new", methods=["GET", "POST"])
@require("children.edit")
def contact(child_id: str):
    child = _load_child(child_id)
    form = ContactForm(officer_id=current_user.officer_id or child.iro_officer_id or "")
    form.officer_id.choices = _officer_choices("Not recorded")
    if form.validate_on_submit():
        try:
            operations.record_contact(child, contact_date=form.contact_date.data, contact_type=form.contact_type.data,
                                      officer_id=form.officer_id.data or None)
        except OperationError as exc:
            db.session.rollback()
            _apply_error(form, exc)
        else:
            db.session.commit()
            flash("IRO contact saved", "success")
            return redirect(url_for("reviews.child", child_id=child.child_id))
    return render_template("reviews/form.html", form=form, title=f"Record an IRO contact with {child.child_id}",
                           back=url_for("reviews.child", child_id=child.child_id))


# --- SSDA903 -----------------------------------------------------------------------------


@bp.route("/export/903-reviews.csv")
@require("children.view")
def export_903():
    """The SSDA903 REVIEWS layout for a period (default: the financial year to date)."""
    day = today()
    try:
        start = dt.date.fromisoformat(request.args["from"]) if request.args.get("from") else dt.date(day.year if day.month >= 4 else day.year - 1, 4, 1)
        end = dt.date.fromisoformat(request.args["to"]) if request.args.get("to") else day
    except ValueError:
        abort(400)
    rows = export_rows(start, end)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
    audit.record("export.903_reviews", object_type="export", summary=f"SSDA903 reviews {start}..{end}: {len(rows) - 1} rows")
    db.session.commit()
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="903-reviews-{start}-{end}.csv"'})

