"""Fixtures of the escalation tests (records come from ``tests/escalations/factories.py``).

- ``app_config``: today is 30 June 2023 (the operations refuse later dates); a module that
  needs another day overrides it.
- ``seed``: ``with seed(): factories.escalation(...)`` builds records in an app context and
  commits them at the end of the block, as the request lifecycle commits a page's change.
- ``escalation_id``: one open escalation (informal since 1 March 2023, raised by Q1 about
  child C1), by its reference.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from . import factories


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-30"}


@pytest.fixture
def seed(app):
    from tracker.extensions import db

    @contextmanager
    def block():
        with app.app_context():
            yield
            db.session.commit()

    return block


@pytest.fixture
def escalation_id(seed) -> str:
    with seed():
        return factories.escalation("C1").escalation_id
