"""The read side of jobs and notifications: runs, failed sends, users' settings, home notices."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, func, select

from tracker.auth.models import User
from tracker.core.clock import now_utc
from tracker.extensions import db
from tracker.jobs.models import JobRun, Notification, NotificationKind, SendStatus

NOTICE_DAYS = 30  # how long a stage-4 alert stays on the recipient's home page
NOTICE_LIMIT = 10


def runs(job: str | None = None) -> Select:
    query = select(JobRun)
    if job:
        query = query.where(JobRun.job == job)
    return query.order_by(JobRun.started_at.desc(), JobRun.id.desc())


def last_runs() -> dict[str, JobRun]:
    """Each job's latest run."""
    latest = select(JobRun.job, func.max(JobRun.id).label("id")).group_by(JobRun.job).subquery()
    rows = db.session.scalars(select(JobRun).join(latest, latest.c.id == JobRun.id))
    return {run.job: run for run in rows}


def failed_sends() -> Select:
    """Notifications whose last try failed (each is tried again by the job's next run)."""
    return (
        select(Notification)
        .where(Notification.status == SendStatus.failed)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def settings() -> Select:
    """Every user with their notification settings, by name."""
    return select(User).order_by(func.lower(User.name), User.id)


def notices_for(user) -> list[Notification]:
    """The stage-4 alerts of the last ``NOTICE_DAYS`` days for the user's home page, latest first."""
    since = now_utc() - dt.timedelta(days=NOTICE_DAYS)
    return list(
        db.session.scalars(
            select(Notification)
            .where(
                Notification.user_id == user.id,
                Notification.kind == NotificationKind.escalation_stage4,
                Notification.created_at >= since,
            )
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(NOTICE_LIMIT)
        )
    )
