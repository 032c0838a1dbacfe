"""Notification settings (each user's own, and the administrator's for every user) and the
administrator's page of job runs and failed sends. Thin: ``operations`` changes, ``queries`` reads."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.auth.models import User
from tracker.core import permissions
from tracker.core.pagination import links, page_number, paginate
from tracker.core.permissions import require, require_login
from tracker.jobs import operations, queries
from tracker.jobs.forms import YES, NotificationsForm, RunFilterForm, UserNotificationsForm
from tracker.jobs.runner import JOBS
from tracker.web.forms import submit
from tracker.web.records import load_or_404

bp = Blueprint("jobs", __name__)


def always_sent(user) -> list[str]:
    """The notifications the user receives whatever their digest setting, in words."""
    kept = []
    if user.has_role("iro_manager") or user.board_chair:
        kept.append("an email when an escalation reaches stage 4 (with a notice on your home page)")
    if permissions.can(user, "lado.view"):
        kept.append("a weekly email when LADO actions you chase are due their quarterly review")
    if permissions.can(user, "lado.oversight"):
        kept.append("a monthly email when LADO records are past their retention date")
    return kept


@bp.route("/account/notifications", methods=["GET", "POST"])
@require_login
def my_notifications():
    user = current_user._get_current_object()
    form = NotificationsForm() if request.method == "POST" else NotificationsForm.for_user(user)
    if done := submit(
        form,
        lambda: operations.set_notifications(user, receives_digest=form.receives_digest.data == YES, by=user),
        record=user,
    ):
        flash(
            "Notification settings saved." if done.result else "No changes to save.",
            "success" if done.result else "info",
        )
        return redirect(url_for("jobs.my_notifications"))
    return render_template(
        "jobs/my_notifications.html",
        form=form,
        has_worklist=permissions.can_any(user, "worklist.own", "worklist.all"),
        always=always_sent(user),
        has_email=bool(user.email),
    )


@bp.route("/admin/users/<int:user_id>/notifications", methods=["GET", "POST"])
@require("admin.jobs")
def user_notifications(user_id: int):
    user = load_or_404(User, id=user_id)
    form = UserNotificationsForm() if request.method == "POST" else UserNotificationsForm.for_user(user)
    if done := submit(
        form,
        lambda: operations.set_notifications(
            user,
            receives_digest=form.receives_digest.data == YES,
            board_chair=form.board_chair.data == YES,
            by=current_user._get_current_object(),
        ),
        record=user,
    ):
        flash(
            "Notification settings saved." if done.result else "No changes to save.",
            "success" if done.result else "info",
        )
        return redirect(url_for("admin.user", user_id=user.id, _anchor="notifications"))
    return render_template(
        "form_page.html",
        form=form,
        title="Notification settings",
        caption=user.display_name,
        back=url_for("admin.user", user_id=user.id),
    )


@bp.route("/admin/jobs")
@require("admin.jobs")
def runs():
    """Every job with its schedule and last run; the runs (newest first, by job); the failed sends."""
    form = RunFilterForm(request.args, jobs=[(job.name, job.title) for job in JOBS.values()])
    job = form.job.data if form.validate() and form.job.data else None
    per_page = current_app.config["PAGE_SIZE"]
    page = paginate(queries.runs(job), page_number(), per_page)
    failed = paginate(queries.failed_sends(), 1, per_page)
    return render_template(
        "jobs/runs.html",
        form=form,
        jobs=list(JOBS.values()),
        last=queries.last_runs(),
        page=page,
        pagination=links(page, "jobs.runs", **({"job": job} if job else {})),
        failed=failed,
        filtered=bool(job),
    )


@bp.route("/admin/notifications")
@require("admin.jobs")
def settings():
    """Each user's notification settings."""
    page = paginate(queries.settings(), page_number(), current_app.config["PAGE_SIZE"])
    return render_template("jobs/settings.html", page=page, pagination=links(page, "jobs.settings"))
