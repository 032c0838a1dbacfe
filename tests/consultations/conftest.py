"""Fixtures of the consultation tests.

- ``app_config``: mail goes to a real SMTP server on 127.0.0.1 (``smtp``); today is Monday
  2 March 2026, so a review on Friday 20 March gets its reminder on Friday 13 March (5 working
  days before) and its form closes on 27 March (the review + 7 days).
- ``round_with_people``: child C1 "Amy Ng" (QARO Q1, born 1 May 2012) with a consultation
  before her review on 20 March 2026: a parent and a carer by email, a social worker on paper;
  committed. Returns the round's reference.
- ``run``: the job tests' ``run(job, day)``.
- ``invite``: runs the ``consultations`` job for a day and returns the tokens it emailed, by address.
"""

from __future__ import annotations

import re

import pytest

from tests.jobs.conftest import run  # noqa: F401  (run("consultations", day): the run-job command)
from tests.jobs.smtp import SMTPServer
from tests.reviews.factories import child, officer

from . import factories

TOKEN_IN_LINK = re.compile(r"/consult/([A-Za-z0-9_-]+)")


@pytest.fixture
def smtp():
    with SMTPServer() as server:
        yield server


@pytest.fixture
def app_config(smtp):
    return {"TODAY": "2026-03-02", "BASE_URL": "https://tracker.example.org", **smtp.config()}


@pytest.fixture
def round_with_people(app):
    from tracker.extensions import db

    with app.app_context():
        officer("Q1")
        amy = child("C1", start="2025-01-06", officer_id="Q1", first_name="Amy", last_name="Ng")
        round_ = factories.consultation(amy, "2026-03-20")
        factories.respondent(round_, "parent", "Pat Parent", "pat@example.net")
        factories.respondent(round_, "carer", "Cam Carer", "cam@example.net")
        factories.respondent(round_, "social_worker", "Sol Worker", None)
        db.session.commit()
        return round_.round_id


@pytest.fixture
def invite(app, runner, smtp):
    def _invite(as_of: str = "2026-03-02") -> dict[str, str]:
        before = len(smtp.messages)
        result = runner.invoke(args=["run-job", "consultations", "--as-of", as_of])
        assert result.exit_code == 0, result.output
        tokens = {}
        for message in smtp.messages[before:]:
            (token,) = set(TOKEN_IN_LINK.findall(message.text))
            tokens[message.to] = token
        return tokens

    return _invite
