"""The job registry and the one way a job runs (``run_job``): the scheduler, ``run-job`` and the
tests all call it. A run is a ``JobRun`` row (committed when it starts, so the administrator sees
a job that is running, and again when it ends); each notification is delivered by ``deliver``,
which commits after each recipient, so a send is never repeated by a later run and one
recipient's failure never undoes or stops the others.

Jobs are thin sweeps (architecture.md): they read the worklist registry, the indicators and the
board's operations, and hold no rules of their own."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import current_app, render_template, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.core.clock import now_utc, today
from tracker.extensions import db
from tracker.jobs import mail
from tracker.jobs.models import JobRun, Notification, NotificationKind, RunStatus, SendStatus

log = logging.getLogger("tracker.jobs")


@dataclass
class JobContext:
    """What a job is given: the date it runs for and the run it reports to."""

    run: JobRun
    as_of: dt.date
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        self.notes.append(text)


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    function: Callable[[JobContext], None]
    schedule: str  # when the scheduler runs it, in words (the trigger is tracker.jobs.scheduler's)


JOBS: dict[str, Job] = {}


def register_job(name: str, title: str, schedule: str):
    def decorator(function):
        JOBS[name] = Job(name, title, function, schedule)
        return function

    return decorator


def run_job(name: str, as_of: dt.date | None = None, *, trigger: str = "command") -> JobRun:
    """Run one job once for ``as_of`` (today by default) and return its run, finished."""
    job = JOBS[name]
    as_of = as_of or today()
    run = JobRun(job=name, as_of=as_of, trigger=trigger, status=RunStatus.running, started_at=now_utc())
    db.session.add(run)
    db.session.commit()
    context = JobContext(run, as_of)
    base = current_app.config.get("BASE_URL") or "http://127.0.0.1:5000"
    try:
        # a request context for url_for, at the address the emails' links point to
        with current_app.test_request_context("/", base_url=base):
            job.function(context)
    except Exception as exc:
        db.session.rollback()
        log.exception("Job %s failed", name)
        run = db.session.get(JobRun, run.id)
        run.status = RunStatus.failed
        run.error = f"{type(exc).__name__}: {exc}"
    else:
        run = db.session.get(JobRun, run.id)
        run.status = RunStatus.partly_failed if run.failed else RunStatus.succeeded
    run.detail = " ".join(context.notes)
    run.finished_at = now_utc()
    db.session.commit()
    log.info("Job %s for %s: %s (sent %s, failed %s)", name, as_of, run.status.value, run.sent, run.failed)
    return run


def deliver(
    context: JobContext,
    user,
    kind: NotificationKind,
    key: str,
    *,
    subject: str,
    template: str,
    summary: str = "",
    link: str | None = None,
    **values,
) -> SendStatus | None:
    """Send one notification to one user unless it was sent before (its sent-marker: user, kind,
    key); a failed send is kept with its error and tried again by the next run. Commits. Returns
    the status, or None when it had been sent already. ``template`` names
    ``templates/jobs/email/<template>.txt`` and ``.html``, rendered with ``values``."""
    marker = db.session.scalar(
        select(Notification).where(Notification.user_id == user.id, Notification.kind == kind, Notification.key == key)
    )
    run = db.session.get(JobRun, context.run.id)
    if marker is not None and marker.status is SendStatus.sent:
        run.skipped += 1
        db.session.commit()
        return None
    if marker is None:
        marker = Notification(user_id=user.id, kind=kind, key=key, subject=subject, summary=summary, link=link)
        try:
            with db.session.begin_nested():
                db.session.add(marker)
        except IntegrityError:  # another run wrote it a moment ago: that run sends it
            run.skipped += 1
            db.session.commit()
            return None
    marker.subject, marker.summary, marker.link = subject, summary, link
    marker.attempts += 1
    marker.job_run_id = run.id
    values = {"subject": subject, **values}
    email = mail.Email(
        to=user.email,
        subject=subject,
        text=render_template(f"jobs/email/{template}.txt", **values),
        html=render_template(f"jobs/email/{template}.html", **values),
    )
    try:
        mail.send(email)
    except mail.MailError as exc:
        marker.status, marker.last_error = SendStatus.failed, str(exc)
        run.failed += 1
        # the error (which may quote the address) is for the administrator's page, not the log
        log.warning("A %s notification was not sent (user %s): see the scheduled jobs page", kind.value, user.id)
    else:
        marker.status, marker.last_error, marker.sent_at = SendStatus.sent, None, now_utc()
        run.sent += 1
    db.session.commit()
    return marker.status


def send_one(
    context: JobContext, email: mail.Email, *, sent: Callable[[], None], failed: Callable[[str], None]
) -> bool:
    """Send one email that is not a user's notification (a consultation invitation to someone
    without an account) and commit: on success ``sent()`` records it; on failure what the caller
    prepared for it is rolled back and ``failed(error)`` records the error (it reloads what it
    changes). True when it went."""
    try:
        mail.send(email)
    except mail.MailError as exc:
        db.session.rollback()
        failed(str(exc))
        db.session.get(JobRun, context.run.id).failed += 1
        db.session.commit()
        return False
    sent()
    db.session.get(JobRun, context.run.id).sent += 1
    db.session.commit()
    return True


def absolute(path: str) -> str:
    """A path in the tracker (``url_for``'s, with the script root of ``BASE_URL`` when it has
    one) as the link an email carries."""
    return request.host_url.rstrip("/") + path
