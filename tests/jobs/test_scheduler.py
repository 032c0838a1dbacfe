"""The scheduler (issue 15): its wiring — every job once, with a stable id, in Europe/London
time, coalescing a backlog, one instance at a time, a misfire grace time — and when each job
fires, across the clock changes; that it never starts in a web worker or a test; and that only
one scheduler runs per database (the single-runner lock), proved with real ``flask scheduler``
processes on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import gc
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from tests.conftest import TEST_SECRET

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
ROOT = Path(__file__).resolve().parents[2]
FLASK = Path(sys.executable).with_name("flask")
JOB_IDS = {"digest", "snapshot", "escalation-alert", "lado-quarterly-review", "retention", "consultations"}
REFUSAL = "Another scheduler holds this database's lock"


@pytest.fixture
def app_config():
    return {"TODAY": "2026-11-23"}  # no mail server: the scheduler sends nothing here


def london(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.fixture
def scheduler(app):
    from tracker.extensions import db
    from tracker.jobs.scheduler import RunnerLock, build_scheduler

    with app.app_context():
        lock = RunnerLock(db.engine)
        built = build_scheduler(app, lock)
        yield built
        assert not built.running


def jobs(scheduler) -> dict:
    return {job.id: job for job in scheduler.get_jobs()}


def test_every_job_is_registered_once_with_a_stable_id(scheduler):
    from tracker.jobs.runner import JOBS
    from tracker.jobs.scheduler import _heartbeat, _run

    registered = jobs(scheduler)
    assert len(scheduler.get_jobs()) == len(registered) == 7
    assert set(registered) == JOB_IDS | {"heartbeat"}
    assert set(JOBS) == JOB_IDS  # run-job knows the same jobs
    for name in JOB_IDS:
        job = registered[name]
        assert job.func is _run and job.args[-1] == name  # the job with that id runs that job
        assert job.name == JOBS[name].title
    assert registered["heartbeat"].func is _heartbeat


def test_the_scheduler_runs_in_london_time_coalescing_one_instance_at_a_time(scheduler):
    assert str(scheduler.timezone) == "Europe/London"
    defaults = scheduler._job_defaults
    assert defaults["coalesce"] is True
    assert defaults["max_instances"] == 1
    assert defaults["misfire_grace_time"] >= 60  # APScheduler's default is 1 second
    for job in scheduler.get_jobs():
        assert str(job.trigger.timezone) == "Europe/London", job.id


def test_the_triggers(scheduler):
    triggers = {name: job.trigger for name, job in jobs(scheduler).items()}
    assert isinstance(triggers["digest"], CronTrigger)
    assert str(triggers["digest"]) == "cron[day_of_week='mon-fri', hour='7', minute='0']"
    assert isinstance(triggers["snapshot"], CronTrigger)
    assert str(triggers["snapshot"]) == "cron[hour='6', minute='30']"
    assert isinstance(triggers["escalation-alert"], IntervalTrigger)
    assert triggers["escalation-alert"].interval == dt.timedelta(minutes=15)
    assert isinstance(triggers["consultations"], IntervalTrigger)  # an invitation goes soon after it is asked for
    assert triggers["consultations"].interval == dt.timedelta(minutes=15)
    assert isinstance(triggers["heartbeat"], IntervalTrigger)
    assert triggers["heartbeat"].interval < dt.timedelta(seconds=120)  # well inside the stale time


def next_fire(trigger, now: dt.datetime) -> dt.datetime:
    return trigger.get_next_fire_time(None, now)


@pytest.mark.parametrize(
    "now, expected",
    [
        (london(2023, 1, 13, 18, 0), london(2023, 1, 16, 7, 0)),  # Friday evening: Monday 07:00
        (london(2023, 1, 16, 6, 59), london(2023, 1, 16, 7, 0)),  # Monday before 07:00: that day
        (london(2023, 1, 16, 7, 0, 1), london(2023, 1, 17, 7, 0)),  # just after: Tuesday
        (london(2023, 1, 14, 9, 0), london(2023, 1, 16, 7, 0)),  # Saturday: Monday
        # the clocks go forward on Sunday 26 March 2023: Monday 07:00 BST is 06:00 UTC
        (london(2023, 3, 24, 18, 0), dt.datetime(2023, 3, 27, 6, 0, tzinfo=UTC)),
        # and back on Sunday 29 October 2023: Monday 07:00 GMT is 07:00 UTC
        (london(2023, 10, 27, 18, 0), dt.datetime(2023, 10, 30, 7, 0, tzinfo=UTC)),
    ],
)
def test_the_digest_fires_on_working_days_at_7_london_time(scheduler, now, expected):
    fire = next_fire(jobs(scheduler)["digest"].trigger, now)
    assert fire == expected
    local = fire.astimezone(LONDON)
    assert (local.hour, local.minute) == (7, 0) and local.weekday() < 5


@pytest.mark.parametrize(
    "now, expected",
    [
        (london(2023, 4, 3, 12, 0), london(2023, 4, 4, 6, 30)),  # every day
        (london(2023, 4, 8, 6, 31), london(2023, 4, 9, 6, 30)),  # a Saturday: Sunday too
        (london(2023, 3, 25, 12, 0), dt.datetime(2023, 3, 26, 5, 30, tzinfo=UTC)),  # BST begins that night
    ],
)
def test_the_snapshot_fires_daily(scheduler, now, expected):
    assert next_fire(jobs(scheduler)["snapshot"].trigger, now) == expected


def test_the_escalation_alert_fires_every_15_minutes(scheduler):
    trigger = jobs(scheduler)["escalation-alert"].trigger
    last = london(2023, 6, 12, 9, 50)
    assert trigger.get_next_fire_time(last, last) == london(2023, 6, 12, 10, 5)
    later = london(2023, 6, 12, 23, 50)
    assert trigger.get_next_fire_time(later, later) == london(2023, 6, 13, 0, 5)  # day and night


def test_the_weekly_and_monthly_jobs(scheduler):
    registered = jobs(scheduler)
    assert next_fire(registered["lado-quarterly-review"].trigger, london(2023, 1, 13, 12, 0)) == london(
        2023, 1, 16, 6, 45
    )
    assert next_fire(registered["retention"].trigger, london(2023, 1, 13, 12, 0)) == london(2023, 2, 1, 7, 30)


def scheduler_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if "APScheduler" in t.name or "ThreadPoolExecutor" in t.name]


def running_schedulers() -> list:
    return [o for o in gc.get_objects() if isinstance(o, BaseScheduler) and o.running]


def test_no_scheduler_starts_in_the_app_or_its_requests(app, client, login_as):
    assert scheduler_threads() == []
    login_as("qaro", officer_id="Q1")
    for url in ("/", "/worklist/", "/", "/healthz"):
        client.get(url)
    with app.app_context():
        pass
    assert scheduler_threads() == []
    assert running_schedulers() == []
    assert not any("sched" in name.lower() for name in app.extensions)


# --- the single-runner lock ----------------------------------------------------------------------


@pytest.fixture
def engine(app):
    from tracker.extensions import db

    with app.app_context():
        yield db.engine


@pytest.fixture
def locks(engine):
    """RunnerLocks made by the test, each released at the end."""
    from tracker.jobs.scheduler import RunnerLock

    made = []

    def make(**kwargs) -> RunnerLock:
        lock = RunnerLock(engine, **kwargs)
        made.append(lock)
        return lock

    yield make
    for lock in made:
        lock.release()


def test_one_lock_at_a_time_and_free_again_after_release(locks):
    first, second = locks(), locks()
    assert first.acquire()
    assert not second.acquire()
    assert first.refresh()
    first.release()
    assert second.acquire()
    assert not locks().acquire()


def test_a_stale_sqlite_lock_is_taken_over(app, engine, locks):
    from tracker.jobs.models import SchedulerLock

    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's advisory lock ends with its session: there is no stale lock")
    table = SchedulerLock.__table__
    old = dt.datetime.now(UTC) - dt.timedelta(seconds=130)
    with engine.begin() as connection:
        connection.execute(table.insert().values(name="scheduler", holder="elsewhere:1:1", heartbeat_at=old))
    fresh = locks(stale_seconds=140)
    assert not fresh.acquire()  # 130 seconds old, not yet stale at 140
    assert fresh.holder_of_record() == "elsewhere:1:1"
    taker = locks(stale_seconds=120)
    assert taker.acquire()
    assert taker.holder_of_record() == taker.holder
    with engine.begin() as connection:  # the old holder's heartbeat now fails: it stops
        refreshed = connection.execute(
            table.update().where(table.c.holder == "elsewhere:1:1").values(heartbeat_at=dt.datetime.now(UTC))
        ).rowcount
    assert refreshed == 0


def scheduler_env(database_uri: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env.update(
        TRACKER_DATABASE_URL=database_uri,
        TRACKER_SECRET_KEY=TEST_SECRET,
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


class SchedulerProcess:
    """A real ``flask scheduler`` process, its output read line by line as it comes."""

    def __init__(self, database_uri: str, **extra):
        self.proc = subprocess.Popen(
            [str(FLASK), "--app", "tracker", "scheduler"],
            cwd=ROOT,
            env=scheduler_env(database_uri, **extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.pid = self.proc.pid
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._read, name="scheduler-output", daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()
        with self.changed:
            self.lines.append(None)  # the end of the output
            self.changed.notify_all()

    @property
    def output(self) -> str:
        with self.changed:
            return "".join(line for line in self.lines if line is not None)

    def wait_for(self, text: str, timeout: float = 60) -> str:
        """The output up to the line containing ``text``."""
        with self.changed:
            found = self.changed.wait_for(
                lambda: any(line is None or text in line for line in self.lines), timeout=timeout
            )
        assert found and text in self.output, f"no {text!r} from the scheduler within {timeout}s: {self.output}"
        return self.output

    def running(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> int:
        """SIGTERM, as a service manager stops it; its exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        finally:
            self.reader.join(timeout=10)
            self.proc.stdout.close()
        return self.proc.returncode


def run_scheduler(database_uri: str) -> subprocess.CompletedProcess:
    """A scheduler expected to stop at once (the timeout fails the test if it runs on)."""
    return subprocess.run(
        [str(FLASK), "--app", "tracker", "scheduler"],
        cwd=ROOT,
        env=scheduler_env(database_uri),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_second_scheduler_refuses_to_run_while_the_lock_is_held(database_uri, app, locks):
    held = locks()
    assert held.acquire()
    started = time.monotonic()
    result = run_scheduler(database_uri)
    assert result.returncode != 0
    assert time.monotonic() - started < 30
    assert REFUSAL in result.stdout + result.stderr
    assert "Scheduler running" not in result.stdout
    held.release()  # and with the lock free, a scheduler starts
    proc = SchedulerProcess(database_uri)
    try:
        proc.wait_for("Scheduler running")
    finally:
        code = proc.stop()
    assert code == 0, proc.output


def test_one_scheduler_process_runs_a_second_refuses_and_sigterm_releases_the_lock(database_uri, app, locks):
    first = SchedulerProcess(database_uri)
    try:
        shown = first.wait_for("Scheduler running")
        for name in JOB_IDS:
            assert f"{name}: " in shown
        if database_uri.startswith("sqlite"):
            assert f":{first.pid}:" in locks().holder_of_record()
        else:
            assert not locks().acquire()  # the first process holds PostgreSQL's advisory lock
        second = run_scheduler(database_uri)
        assert second.returncode != 0
        assert REFUSAL in second.stdout + second.stderr
        assert first.running()  # the first runs on
    finally:
        code = first.stop()
    assert code == 0, first.output
    assert "Scheduler stopped." in first.output
    if database_uri.startswith("sqlite"):
        assert locks().holder_of_record() is None
    assert locks().acquire()  # released: a new scheduler may take it


def test_a_scheduler_takes_over_a_stale_sqlite_lock(database_uri, app, engine, locks):
    from tracker.jobs.models import SchedulerLock

    if not database_uri.startswith("sqlite"):
        pytest.skip("SQLite's lock row only")
    table = SchedulerLock.__table__
    with engine.begin() as connection:  # a scheduler that died an hour ago without releasing
        connection.execute(
            table.insert().values(
                name="scheduler", holder="dead:1:1", heartbeat_at=dt.datetime.now(UTC) - dt.timedelta(hours=1)
            )
        )
    proc = SchedulerProcess(database_uri)
    try:
        proc.wait_for("Scheduler running")
        assert f":{proc.pid}:" in locks().holder_of_record()
    finally:
        code = proc.stop()
    assert code == 0, proc.output
    assert locks().holder_of_record() is None


class StubScheduler:
    """What ``_run`` asks of the scheduler it runs in: to shut down when the lock is lost."""

    running = True

    def __init__(self):
        self.shut_down = False

    def shutdown(self, wait=True):
        self.shut_down = True


def job_runs(app) -> list[tuple[str, str]]:
    from sqlalchemy import select

    from tracker.extensions import db
    from tracker.jobs.models import JobRun

    with app.app_context():
        return [(r.job, r.trigger) for r in db.session.scalars(select(JobRun).order_by(JobRun.id))]


def test_a_scheduled_job_runs_only_while_its_scheduler_holds_the_lock(app, locks):
    from tracker.jobs.scheduler import _run

    lost, other = locks(), locks()
    assert other.acquire()  # another scheduler holds the lock
    stub = StubScheduler()
    _run(app, stub, lost, "snapshot")
    assert job_runs(app) == [] and stub.shut_down  # ran nothing, and stops
    other.release()

    held, stub = locks(), StubScheduler()
    assert held.acquire()
    _run(app, stub, held, "snapshot")
    assert job_runs(app) == [("snapshot", "scheduler")] and not stub.shut_down


def test_a_lock_taken_over_is_lost_and_the_scheduler_stops(app, locks, engine):
    """A scheduler whose lock another took (its SQLite row overwritten after a long pause, or its
    PostgreSQL session ended) runs no more jobs, stops, and exits non-zero (``lock.lost``) so that
    a service manager restarts it to wait for the lock again."""
    from sqlalchemy import text, update

    from tracker.jobs.models import SchedulerLock
    from tracker.jobs.scheduler import _run

    held = locks()
    assert held.acquire()
    if held.postgres:  # the session that held the advisory lock ends
        with engine.connect() as admin:
            pid = held._connection.execute(text("SELECT pg_backend_pid()")).scalar()
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            admin.commit()
    else:  # another scheduler wrote its name over the row
        with engine.begin() as connection:
            connection.execute(update(SchedulerLock.__table__).values(holder="another-host:1:1"))
    stub = StubScheduler()
    _run(app, stub, held, "snapshot")
    assert job_runs(app) == [] and stub.shut_down and held.lost
    held.release()  # releasing a lost lock is harmless
