"""``scheduler`` (the scheduler process) and ``run-job NAME [--as-of DATE]`` (one job, once: for
cron, operators and tests)."""

from __future__ import annotations

import signal
import sys

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from tracker.cli import command, parse_date
from tracker.extensions import db
from tracker.jobs import tasks  # noqa: F401  (registers the jobs)
from tracker.jobs.models import RunStatus
from tracker.jobs.runner import JOBS, run_job
from tracker.jobs.scheduler import RunnerLock, build_scheduler


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """Run the scheduled jobs (one scheduler process per database; any number of web workers)."""
    app = current_app._get_current_object()
    lock = RunnerLock(db.engine, int(app.config.get("SCHEDULER_LOCK_STALE_SECONDS") or 120))
    if not lock.acquire():
        raise click.ClickException(
            "Another scheduler holds this database's lock: this one runs no jobs. "
            "Run one scheduler process per database."
        )
    scheduler = build_scheduler(app, lock)

    def stop(*_):
        if scheduler.running:
            scheduler.shutdown(wait=False)
        else:  # SIGTERM before the scheduler started: stop all the same, releasing the lock
            raise SystemExit(0)

    try:
        signal.signal(signal.SIGTERM, stop)
        for job in scheduler.get_jobs():
            if job.id in JOBS:
                click.echo(f"{job.id}: {JOBS[job.id].schedule} (Europe/London)")
        click.echo("Scheduler running; Ctrl-C stops it.")
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        lock.release()
        click.echo("Scheduler stopped.")
    if lock.lost:  # a non-zero exit: a service manager restarts it, to wait for the lock again
        raise click.ClickException("The scheduler lost its database lock and stopped running jobs.")


@command("run-job")
@click.argument("name", type=click.Choice(sorted(JOBS)))
@click.option(
    "--as-of",
    "as_of",
    metavar="DATE",
    callback=parse_date,
    help="The date the job runs for, YYYY-MM-DD (default: today).",
)
def run_job_command(name, as_of):
    """Run one scheduled job once (what the scheduler runs), and say what it did."""
    run = run_job(name, as_of)
    click.echo(
        f"{name} for {run.as_of.isoformat()}: {run.status.label} — sent {run.sent}, failed {run.failed}, "
        f"already sent {run.skipped}. {run.detail}".rstrip()
    )
    if run.status is RunStatus.failed:
        click.echo(f"Error: {run.error}", err=True)
        sys.exit(1)
    if run.status is RunStatus.partly_failed:
        sys.exit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(scheduler_command)
    app.cli.add_command(run_job_command)
