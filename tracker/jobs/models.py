"""Scheduled jobs' records: each run of a job (``JobRun``: when, how many sent, errors), each
notification sent or tried (``Notification``: the sent-marker per recipient, kind and key that
makes a job run twice send nothing twice, and the home-page notice of a stage-4 alert), and the
single-runner lock of the scheduler process on SQLite (``SchedulerLock``; PostgreSQL uses an
advisory lock instead). No personal data of a child, a subject or a carer is stored here: a
notification's subject and summary name record references only."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.clock import now_utc
from tracker.core.enums import CodeEnum
from tracker.db import Code, UTCDateTime, check_in
from tracker.extensions import db


class RunStatus(CodeEnum):
    running = "running", "Running", "blue"
    succeeded = "succeeded", "Succeeded", "green"
    partly_failed = "partly_failed", "Some sends failed", "orange"
    failed = "failed", "Failed", "red"


class SendStatus(CodeEnum):
    pending = "pending", "Sending", "blue"
    sent = "sent", "Sent", "green"
    failed = "failed", "Failed (retried on the next run)", "red"


class NotificationKind(CodeEnum):
    """What a notification is (its sent-marker's kind). ``digest`` and ``team_digest`` are the
    ones a user may opt out of; stage-4 alerts always go (issue 15)."""

    digest = "digest", "Daily digest of your overdue and due-soon items"
    team_digest = "team_digest", "Daily digest of your service's overdue and due-soon counts"
    escalation_stage4 = "escalation_stage4", "An escalation reached stage 4"
    lado_action_review = "lado_action_review", "LADO actions due their quarterly review"
    retention = "retention", "LADO records past their retention date"


OPTIONAL_KINDS = frozenset({NotificationKind.digest, NotificationKind.team_digest})


class JobRun(db.Model):
    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40), index=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    trigger: Mapped[str] = mapped_column(String(20))  # "scheduler" or "command"
    status: Mapped[RunStatus] = mapped_column(Code(RunStatus, 20), default=RunStatus.running)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now_utc, index=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    skipped: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # already sent before
    detail: Mapped[str] = mapped_column(Text, default="", server_default="")  # what it did, in words
    error: Mapped[str | None] = mapped_column(Text)  # why the run failed (an exception's type and message)

    __table_args__ = (CheckConstraint(check_in("status", RunStatus), name="status_code"),)


class Notification(db.Model):
    """One notification to one user: its sent-marker (unique per user, kind and key — the day
    for a digest, the escalation for a stage-4 alert), whether it went, and the last error."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(Code(NotificationKind, 40))
    key: Mapped[str] = mapped_column(String(80))
    status: Mapped[SendStatus] = mapped_column(Code(SendStatus, 20), default=SendStatus.pending)
    subject: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="", server_default="")  # the home-page notice's words
    link: Mapped[str | None] = mapped_column(String(300))  # a path in the tracker
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime, default=now_utc, server_default=func.current_timestamp()
    )
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    job_run_id: Mapped[int | None] = mapped_column(ForeignKey("job_runs.id", ondelete="SET NULL"))

    user = relationship("User", lazy="joined")

    __table_args__ = (
        UniqueConstraint("user_id", "kind", "key", name="uq_notifications_user_id_kind_key"),
        CheckConstraint(check_in("kind", NotificationKind), name="kind_code"),
        CheckConstraint(check_in("status", SendStatus), name="status_code"),
        Index("ix_notifications_status", "status"),
        Index("ix_notifications_user_kind_created", "user_id", "kind", "created_at"),
    )


class SchedulerLock(db.Model):
    """The scheduler's single-runner lock on SQLite: one row, held by the process that wrote it
    while its heartbeat is fresh (``tracker.jobs.scheduler``)."""

    __tablename__ = "scheduler_lock"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    heartbeat_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
