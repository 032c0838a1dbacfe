"""Fixtures of the job tests.

- ``smtp``: a real SMTP server (aiosmtpd) on 127.0.0.1 for the test, stopped afterwards.
- ``app_config``: the app sends mail to that server; today is fixed (``TODAY``) after every date
  of the small authority's data. A module that needs another day overrides it.
- ``run``: ``run("digest", "2023-01-16")`` runs a job through the real ``run-job`` command and
  returns (exit code, output, the ``JobRun`` row it wrote).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from .smtp import SMTPServer


@pytest.fixture
def smtp():
    with SMTPServer() as server:
        yield server


@pytest.fixture
def app_config(smtp):
    return {"TODAY": "2026-11-23", **smtp.config()}


@pytest.fixture
def run(app, runner):
    from tracker.extensions import db
    from tracker.jobs.models import JobRun

    def _run(job: str, as_of: str):
        result = runner.invoke(args=["run-job", job, "--as-of", as_of])
        with app.app_context():
            row = db.session.scalars(select(JobRun).order_by(JobRun.id.desc()).limit(1)).one()
            db.session.expunge(row)
        assert row.job == job and row.as_of.isoformat() == as_of, result.output
        return result.exit_code, result.output, row

    return _run
