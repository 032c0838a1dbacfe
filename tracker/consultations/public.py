"""The public form under /consult/<token>: no account, no session, no cookie.

GOV.UK question pages, one question a page (save and continue, or save and come back later on
the same link), then check your answers, then send. The respondent is told only the review's
date (and, for family and carers, the child's first name). A link that is wrong, whose form was
sent, or whose round has closed gives one neutral page with one status (404); an address that
tries too many such links waits (429). A form posted after the round closed is refused with the
typed answer kept on the page and whom to contact.

The staff session is neither read nor written here (``tracker.web.public``), Flask-WTF's session
CSRF token is replaced by the link's own form key (``forms.PublicForm``), and the token never
reaches a log (``tracker.web.public.redact``)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from sqlalchemy import func, select

from tracker.consultations import operations
from tracker.consultations.forms import (
    CHILD_SPEAK_LABEL,
    SPEAK_LABEL,
    QuestionForm,
    SendForm,
    SpeakForm,
    public_key,
    speak_raw,
    speak_value,
)
from tracker.consultations.models import QUESTION_KEYS, QUESTIONS, SPEAK, Respondent, RespondentType
from tracker.core import audit, clock
from tracker.core.audit import AuditEntry
from tracker.core.errors import DomainError
from tracker.extensions import csrf, db
from tracker.formatters import format_date
from tracker.web.lifecycle import keep_refusal
from tracker.web.public import personal_link

bp = Blueprint("consult", __name__, url_prefix="/consult")
csrf.exempt(bp)  # its forms carry the link's own key (forms.PublicForm): there is no session
STEPS = (*QUESTION_KEYS, SPEAK)


def _address() -> str:
    return request.remote_addr or "unknown"


def _throttled() -> bool:
    window = dt.timedelta(minutes=int(current_app.config["CONSULTATION_REFUSAL_WINDOW_MINUTES"]))
    tried = db.session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(
            AuditEntry.action == "consultation.refused",
            AuditEntry.object_id == _address(),
            AuditEntry.at >= clock.now_utc() - window,
        )
    )
    return (tried or 0) >= int(current_app.config["CONSULTATION_MAX_REFUSALS"])


@bp.before_request
def rate_limit():
    if _throttled():
        return render_template("consult/throttled.html", contact=_contact()), 429
    return None


@bp.after_request
def headers(response):
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"  # the answers are personal
    return response


def _contact() -> str:
    return current_app.config["CONSULTATION_CONTACT"]


def _neutral():
    """One page, one status, for a link that is wrong, used or expired (it tells nobody which)."""
    audit.record("consultation.refused", object_type="address", object_id=_address(), actor="respondent")
    keep_refusal()  # the row stands though the page is a 404: the throttle counts it
    return render_template("consult/neutral.html", contact=_contact()), 404


def _context(respondent: Respondent, token: str) -> dict:
    round_ = respondent.round
    kind = respondent.respondent_type
    return {
        "token": token,
        "key": public_key(token),
        "for_child": kind is RespondentType.child,
        "first_name": round_.child.first_name if kind.family_side else None,
        "review_date": format_date(round_.review_date),
        "closes_on": format_date(operations.closes_on(round_.review_date)),
        "contact": _contact(),
        "steps": STEPS,
    }


def _load(token: str) -> Respondent | None:
    return operations.respondent_for(token)


def _next_step(step: str) -> str:
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else "check"


def _step_url(token: str, step: str) -> str:
    if step == "check":
        return url_for("consult.check", token=token)
    return url_for("consult.question", token=token, step=step)


@bp.route("/<token>")
@personal_link
def start(token: str):
    respondent = _load(token)
    if respondent is None:
        return _neutral()
    begun = respondent.first_saved_at is not None
    first = next((s for s in STEPS if not _answered(respondent, s)), "check") if begun else STEPS[0]
    return render_template(
        "consult/start.html", begun=begun, next_url=_step_url(token, first), **_context(respondent, token)
    )


def _answered(respondent: Respondent, step: str) -> bool:
    if step == SPEAK:
        return respondent.speak_to_officer is not None
    return bool(respondent.answer(step))


@bp.route("/<token>/<step>", methods=["GET", "POST"])
@personal_link
def question(token: str, step: str):
    if step not in STEPS:
        return _neutral()
    respondent = _load(token)
    if respondent is None:
        closed = operations.known_but_closed(token) if request.method == "POST" else None
        if closed is None:
            return _neutral()
        return _closed_page(closed, token, step)
    form = SpeakForm() if step == SPEAK else QuestionForm()
    context = _context(respondent, token)
    problem = None
    if request.method == "GET":
        _fill(form, respondent, step)
    elif not form.key_ok(token):
        problem = "This page has expired. Your answer has not been saved: open the link in your email again"
    elif form.validate():
        try:
            if step == SPEAK:
                operations.save_speak(respondent, speak_value(form.speak.data))
            else:
                operations.save_answer(respondent, step, form.answer.data)
        except DomainError as exc:
            (form.speak if step == SPEAK else form.answer).errors = [exc.message]
        else:
            if form.later.data:
                return render_template(
                    "consult/saved.html", resume_url=url_for("consult.start", token=token), **context
                )
            return redirect(_step_url(token, _next_step(step)))
    return render_template("consult/question.html", form=form, step=step, problem=problem, **_page(step, context))


def _fill(form, respondent: Respondent, step: str) -> None:
    if step == SPEAK:
        form.speak.data = speak_raw(respondent.speak_to_officer)
    else:
        form.answer.data = respondent.answer(step)


def _page(step: str, context: dict) -> dict:
    """What a question page says: the question in the words of the child's or the adult's form."""
    index = STEPS.index(step)
    back = (
        url_for("consult.start", token=context["token"])
        if index == 0
        else _step_url(context["token"], STEPS[index - 1])
    )
    if step == SPEAK:
        heading, hint = (CHILD_SPEAK_LABEL if context["for_child"] else SPEAK_LABEL), ""
    else:
        q = QUESTIONS[index]
        heading, hint = (q.child_text, q.child_hint or q.hint) if context["for_child"] else (q.text, q.hint)
    return {**context, "heading": heading, "hint": hint, "back": back, "number": index + 1}


def _closed_page(respondent: Respondent, token: str, step: str):
    """A form posted after the round closed: nothing is saved, the typed answer stays on the page."""
    form = SpeakForm() if step == SPEAK else QuestionForm()
    problem = (
        f"This form closed on {format_date(operations.closes_on(respondent.round.review_date))}. "
        f"Your answer has not been saved. Copy it if you want to keep it, and contact {_contact()}."
    )
    context = {**_context(respondent, token), "closed": True}
    page = _page(step, context)
    return render_template("consult/question.html", form=form, step=step, problem=problem, **page), 410


@bp.route("/<token>/check", methods=["GET", "POST"])
@personal_link
def check(token: str):
    respondent = _load(token)
    if respondent is None:
        closed = operations.known_but_closed(token) if request.method == "POST" else None
        if closed is None:
            return _neutral()
        problem = (
            f"This form closed on {format_date(operations.closes_on(closed.round.review_date))}. "
            f"Your answers have not been sent. Contact {_contact()}."
        )
        summary = {**_summary(closed, token), "closed": True}
        return render_template("consult/check.html", form=SendForm(), problem=problem, **summary), 410
    form = SendForm()
    problem = None
    if request.method == "POST":
        if not form.key_ok(token):
            problem = "This page has expired. Your answers have not been sent: open the link in your email again"
        elif form.validate():
            operations.submit(respondent)
            return render_template("consult/done.html", **_context(respondent, token))
    return render_template("consult/check.html", form=form, problem=problem, **_summary(respondent, token))


def _summary(respondent: Respondent, token: str) -> dict:
    context = _context(respondent, token)
    rows = []
    for index, step in enumerate(STEPS):
        if step == SPEAK:
            label = CHILD_SPEAK_LABEL if context["for_child"] else SPEAK_LABEL
            value = {True: "Yes", False: "No"}.get(respondent.speak_to_officer, "Not answered")
        else:
            q = QUESTIONS[index]
            label = q.child_text if context["for_child"] else q.text
            value = respondent.answer(step) or "Not answered"
        rows.append({"label": label, "value": value, "url": _step_url(token, step), "step": step})
    return {**context, "rows": rows}
