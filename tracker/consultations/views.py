"""Staff pages of the consultations, under /children/consultations: the list of rounds, a round
(who was asked, who answered, the answers by topic: the QARO's pre-review summary, printable),
starting a round from the child's page, adding and taking off respondents, typing in a paper or
phone answer, and the paper form to print. Reading a round's answers is audited."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.consultations import operations, queries
from tracker.consultations.forms import (
    CHILD_SPEAK_LABEL,
    SPEAK_LABEL,
    AnswersForm,
    RemoveRespondentForm,
    RespondentForm,
    RoundForm,
    speak_raw,
    speak_value,
)
from tracker.consultations.models import QUESTIONS, ConsultationRound, Respondent, RespondentType
from tracker.core import audit, worklist
from tracker.core.clock import today
from tracker.core.pagination import links, page_number, paginate
from tracker.core.permissions import check_may_edit, require
from tracker.extensions import db
from tracker.reviews.models import Child
from tracker.web.downloads import Column, download_links, requested_format, send_table
from tracker.web.forms import submit
from tracker.web.records import load_or_404, record_url

bp = Blueprint("consultations", __name__, url_prefix="/children/consultations")


def _round(round_id: str) -> ConsultationRound:
    return load_or_404(ConsultationRound, round_id=round_id)


def _respondent(round_: ConsultationRound, respondent_id: int) -> Respondent:
    respondent = load_or_404(Respondent, id=respondent_id)
    if respondent.round_pk != round_.id:
        abort(404)
    return respondent


def _form_page(form, title: str, back: str, caption: str | None = None, template: str = "form_page.html", **extra):
    return render_template(template, form=form, title=title, back=back, caption=caption, **extra)


@bp.route("/")
@require("consultations.view")
def index():
    """Rounds by review date: those still to come first (the business support's list)."""
    show = request.args.get("show", "upcoming")
    query = queries.rounds(upcoming=show != "all", as_of=today())
    if fmt := requested_format():
        columns = [
            Column("Consultation", lambda r: r["round_id"]),
            Column("Child", lambda r: r["child"]),
            Column("Review date", lambda r: r["review_date"]),
            Column("Asked", lambda r: r["asked"]),
            Column("Answered", lambda r: r["answered"]),
        ]
        rows = [queries.row(r) for r in db.session.execute(query)]
        return send_table(
            fmt, title="Consultations before reviews", filename="consultations", columns=columns, rows=rows
        )
    page = paginate(query, page_number(), per_page=current_app.config["PAGE_SIZE"], scalars=False)
    page.items = [queries.row(r) for r in page.items]
    return render_template(
        "consultations/index.html",
        page=page,
        show=show,
        page_links=links(page, "consultations.index", show=show),
        reminder_days=current_app.config["CONSULTATION_REMINDER_WORKING_DAYS"],
        downloads=download_links("consultations.index", request.args.to_dict(flat=False)) if page.total else [],
    )


def _next_review_date(child: Child) -> dt.date | None:
    """The planned date of the child's next review, else the date it is due (the worklist's)."""
    if child.planned_review_date:
        return child.planned_review_date
    due = [i.due_date for i in worklist.for_record("child", child.child_id, today()) if i.kind == "cic_review"]
    return min(due) if due else None


@bp.route("/new/<child_id>", methods=["GET", "POST"])
@require("consultations.edit")
def new(child_id: str):
    child = load_or_404(Child, child_id=child_id)
    form = RoundForm()
    if request.method == "GET":
        form.review_date.data = _next_review_date(child)
    if done := submit(form, lambda: operations.create_round(child, form.review_date.data, user=current_user)):
        flash("Consultation started. Now add the people you want to ask.", "success")
        return redirect(url_for("consultations.add_respondent", round_id=done.result.round_id))
    return _form_page(
        form,
        "Start a consultation before a review",
        record_url("child", child.child_id),
        caption=child.label,
    )


@bp.route("/<round_id>")
@require("consultations.view")
def show(round_id: str):
    round_ = _round(round_id)
    respondents = round_.respondents
    answered = [r for r in respondents if r.submitted_at is not None]
    if respondents:
        audit.record(
            "consultation.read",
            object_type="consultation_round",
            object_id=round_.round_id,
            summary=f"consultation {round_.round_id} read ({len(answered)} answers)",
        )
    return render_template(
        "consultations/show.html",
        round=round_,
        child=round_.child,
        respondents=respondents,
        answered=answered,
        topics=[(q, [(r, r.answer(q.key)) for r in answered if r.answer(q.key)]) for q in QUESTIONS],
        speak_label=SPEAK_LABEL,
        is_open=operations.is_open(round_),
        closes_on=operations.closes_on(round_.review_date),
        print_view=request.args.get("print") == "1",
    )


@bp.route("/<round_id>/date", methods=["GET", "POST"])
@require("consultations.edit")
def change_date(round_id: str):
    round_ = _round(round_id)
    check_may_edit(round_)
    form = RoundForm(obj=round_) if request.method == "GET" else RoundForm()
    if submit(form, lambda: operations.change_review_date(round_, form.review_date.data), record=round_):
        flash("Review date changed.", "success")
        return redirect(url_for("consultations.show", round_id=round_id))
    return _form_page(form, "Change the review date", url_for("consultations.show", round_id=round_id), round_.round_id)


@bp.route("/<round_id>/respondents/new", methods=["GET", "POST"])
@require("consultations.edit")
def add_respondent(round_id: str):
    round_ = _round(round_id)
    check_may_edit(round_)
    form = RespondentForm()
    if submit(
        form,
        lambda: operations.add_respondent(
            round_,
            respondent_type=form.respondent_type.data,
            name=form.name.data,
            contact_method=form.contact_method.data,
            email=form.email.data,
        ),
        record=round_,
    ):
        flash("Respondent added.", "success")
        if request.form.get("another"):
            return redirect(url_for("consultations.add_respondent", round_id=round_id))
        return redirect(url_for("consultations.show", round_id=round_id))
    return _form_page(
        form,
        "Add someone to ask",
        url_for("consultations.show", round_id=round_id),
        f"Consultation {round_.round_id} for {round_.child.label}",
        template="consultations/add_respondent.html",
    )


@bp.route("/<round_id>/respondents/<int:respondent_id>/remove", methods=["GET", "POST"])
@require("consultations.edit")
def remove_respondent(round_id: str, respondent_id: int):
    round_ = _round(round_id)
    check_may_edit(round_)
    respondent = _respondent(round_, respondent_id)
    form = RemoveRespondentForm()
    if submit(form, lambda: operations.remove_respondent(respondent, reason=form.reason.data), record=round_):
        flash("Respondent taken off the consultation.", "success")
        return redirect(url_for("consultations.show", round_id=round_id))
    return _form_page(
        form,
        f"Take {respondent.name} off this consultation?",
        url_for("consultations.show", round_id=round_id),
        round_.round_id,
        template="consultations/remove_respondent.html",
        respondent=respondent,
    )


@bp.route("/<round_id>/respondents/<int:respondent_id>/answers", methods=["GET", "POST"])
@require("consultations.edit")
def enter_answers(round_id: str, respondent_id: int):
    """Staff type in the answers given on paper or on the phone (every question on one page)."""
    round_ = _round(round_id)
    check_may_edit(round_)
    respondent = _respondent(round_, respondent_id)
    if respondent.submitted_at is not None:
        flash("These answers have been sent: they can no longer be changed.", "info")
        return redirect(url_for("consultations.show", round_id=round_id))
    form = AnswersForm()
    if request.method == "GET":
        for q in QUESTIONS:
            form[q.key].data = respondent.answer(q.key)
        form.speak.data = speak_raw(respondent.speak_to_officer)
    if submit(
        form,
        lambda: operations.enter_answers(
            respondent, {q.key: form[q.key].data for q in QUESTIONS}, speak_value(form.speak.data), user=current_user
        ),
        record=round_,
    ):
        flash(f"{respondent.name}'s answers saved.", "success")
        return redirect(url_for("consultations.show", round_id=round_id))
    return _form_page(
        form,
        f"Enter {respondent.name}'s answers",
        url_for("consultations.show", round_id=round_id),
        f"{respondent.respondent_type.label}, consultation {round_.round_id}",
        template="consultations/enter_answers.html",
    )


@bp.route("/<round_id>/respondents/<int:respondent_id>/paper")
@require("consultations.view")
def paper(round_id: str, respondent_id: int):
    """The form to print for a respondent who answers on paper (the child's words for the child)."""
    round_ = _round(round_id)
    respondent = _respondent(round_, respondent_id)
    child_form = respondent.respondent_type is RespondentType.child
    return render_template(
        "consultations/paper.html",
        round=round_,
        respondent=respondent,
        child_form=child_form,
        questions=QUESTIONS,
        speak_label=CHILD_SPEAK_LABEL if child_form else SPEAK_LABEL,
        closes_on=operations.closes_on(round_.review_date),
        first_name=round_.child.first_name if respondent.respondent_type.family_side else None,
    )
