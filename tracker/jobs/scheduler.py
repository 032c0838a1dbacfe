"""The scheduler process (``flask --app tracker scheduler``): APScheduler 3's ``BlockingScheduler``
in Europe/London time, one stable id per job, ``coalesce`` (a backlog of missed runs is run once),
``max_instances=1`` and a misfire grace time. It runs in a process of its own — never inside a
web worker or a test — and only while it holds the database's single-runner lock: a PostgreSQL
session advisory lock, or on SQLite a lock row kept fresh by a heartbeat. A second scheduler
started against the same database finds the lock held and runs nothing."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import Engine, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from tracker.core.clock import now_utc
from tracker.jobs.models import SchedulerLock
from tracker.jobs.runner import JOBS, run_job

log = logging.getLogger("tracker.jobs")

TIMEZONE = "Europe/London"
MISFIRE_GRACE_SECONDS = 3600  # a run missed by up to an hour (a restart, a busy machine) still runs
HEARTBEAT_SECONDS = 30
LOCK_NAME = "scheduler"
ADVISORY_KEY = 0x7472_6B72  # "trkr": the PostgreSQL advisory lock's key


def triggers() -> dict:
    """When each job runs (issue 15)."""
    return {
        "digest": CronTrigger(day_of_week="mon-fri", hour=7, minute=0, timezone=TIMEZONE),
        "snapshot": CronTrigger(hour=6, minute=30, timezone=TIMEZONE),
        "escalation-alert": IntervalTrigger(minutes=15, timezone=TIMEZONE),
        "lado-quarterly-review": CronTrigger(day_of_week="mon", hour=6, minute=45, timezone=TIMEZONE),
        "retention": CronTrigger(day=1, hour=7, minute=30, timezone=TIMEZONE),
        "consultations": IntervalTrigger(minutes=15, timezone=TIMEZONE),
    }


class RunnerLock:
    """The database's single-runner lock for the scheduler."""

    def __init__(self, engine: Engine, stale_seconds: int = 120):
        self.engine = engine
        self.stale = dt.timedelta(seconds=stale_seconds)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{id(self)}"
        self.postgres = engine.dialect.name == "postgresql"
        self.lost = False  # the lock was held, then lost: the process should stop, and say so
        self._connection = None

    def acquire(self) -> bool:
        if self.postgres:
            connection = self.engine.connect()
            held = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar()
            connection.commit()
            if held:
                self._connection = connection
            else:
                connection.close()
            return bool(held)
        table = SchedulerLock.__table__
        now = now_utc()
        with self.engine.begin() as connection:
            taken = connection.execute(
                update(table)
                .where(table.c.name == LOCK_NAME)
                .where((table.c.holder == self.holder) | (table.c.heartbeat_at < now - self.stale))
                .values(holder=self.holder, heartbeat_at=now)
            ).rowcount
        if taken:
            return True
        try:
            with self.engine.begin() as connection:
                connection.execute(insert(table).values(name=LOCK_NAME, holder=self.holder, heartbeat_at=now))
        except IntegrityError:
            return False
        return True

    def refresh(self) -> bool | None:
        """Keep the lock (the SQLite heartbeat): True while this process holds it, False once it
        has lost it (``lost`` is then set), None when the database could not be asked this time
        (a busy SQLite file: the next heartbeat asks again; no job runs meanwhile)."""
        if self.postgres:
            if self._connection is None:
                return False
            try:
                self._connection.execute(text("SELECT 1"))
                self._connection.commit()
            except SQLAlchemyError:  # the session, and with it the advisory lock, is gone
                log.exception("The scheduler's database session ended: its lock is lost")
                self.lost = True
                return False
            return True
        table = SchedulerLock.__table__
        try:
            with self.engine.begin() as connection:
                held = connection.execute(
                    update(table)
                    .where(table.c.name == LOCK_NAME, table.c.holder == self.holder)
                    .values(heartbeat_at=now_utc())
                ).rowcount
        except DBAPIError:
            log.warning("The scheduler could not refresh its lock this time (the database is busy)")
            return None
        if not held:
            self.lost = True
        return bool(held)

    def holder_of_record(self) -> str | None:
        """Who holds the SQLite lock row (None on PostgreSQL or when nobody does)."""
        if self.postgres:
            return None
        table = SchedulerLock.__table__
        with self.engine.connect() as connection:
            return connection.execute(select(table.c.holder).where(table.c.name == LOCK_NAME)).scalar()

    def release(self) -> None:
        if self.postgres:
            if self._connection is not None:
                try:
                    self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
                    self._connection.commit()
                except SQLAlchemyError:  # the session has ended already, and its lock with it
                    pass
                finally:
                    self._connection.close()
                    self._connection = None
            return
        table = SchedulerLock.__table__
        with self.engine.begin() as connection:
            connection.execute(table.delete().where(table.c.name == LOCK_NAME, table.c.holder == self.holder))


def build_scheduler(app: Flask, lock: RunnerLock) -> BlockingScheduler:
    """The scheduler with every job registered (not started)."""
    scheduler = BlockingScheduler(
        timezone=TIMEZONE,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS},
    )
    for name, trigger in triggers().items():
        scheduler.add_job(
            _run, trigger, args=(app, scheduler, lock, name), id=name, name=JOBS[name].title, replace_existing=True
        )
    scheduler.add_job(
        _heartbeat,
        IntervalTrigger(seconds=HEARTBEAT_SECONDS, timezone=TIMEZONE),
        args=(app, scheduler, lock),
        id="heartbeat",
        name="Keep the single-runner lock",
        replace_existing=True,
    )
    return scheduler


def _still_held(app: Flask, scheduler: BlockingScheduler, lock: RunnerLock) -> bool:
    with app.app_context():
        held = lock.refresh()
    if held is False:
        log.error("The scheduler lost its lock (another scheduler took it): stopping, running no more jobs")
        if scheduler.running:
            scheduler.shutdown(wait=False)
    return bool(held)


def _heartbeat(app: Flask, scheduler: BlockingScheduler, lock: RunnerLock) -> None:
    _still_held(app, scheduler, lock)


def _run(app: Flask, scheduler: BlockingScheduler, lock: RunnerLock, name: str) -> None:
    if not _still_held(app, scheduler, lock):
        return
    with app.app_context():
        run_job(name, trigger="scheduler")
