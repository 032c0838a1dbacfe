"""Fixtures of the reviews tests: a small caseload built through the operations, signing in as
one of its officers, and the CSV folder an import test writes."""

from __future__ import annotations

import pytest

from tracker.extensions import db

from .factories import child, officer, review


@pytest.fixture
def caseload(app):
    """Two QAROs (Q1 in North, Q2 in South) and their children, committed:

    - C1 "Amy Ng" (Q1): in care since 1 June 2022, one review on 20 June 2022 (PN1, Q1,
      recommendations issued 22 June, minutes not completed), no IRO contact;
    - C2 "Bo Li" (Q2): in care since 1 December 2022, no review yet.
    """
    with app.app_context():
        officer("Q1")
        officer("Q2", team="South")
        c1 = child("C1", start="2022-06-01", officer_id="Q1", first_name="Amy", last_name="Ng")
        review(c1, "2022-06-20", officer_id="Q1", participation_code="PN1", recommendations_date="2022-06-22")
        child("C2", start="2022-12-01", officer_id="Q2", first_name="Bo", last_name="Li")
        db.session.commit()


@pytest.fixture
def sign_in_as(app, client):
    """Sign the client in as the existing officer with this officer id (no password)."""

    def _sign_in(officer_id: str):
        from tracker.auth.models import user_by_officer_id

        with app.app_context():
            user_id = user_by_officer_id(officer_id).id
        with client.session_transaction() as sess:
            sess["_user_id"] = str(user_id)
            sess["_fresh"] = True

    return _sign_in


@pytest.fixture
def write_folder(tmp_path):
    """Write CSV files (name → text) into a new folder under tmp_path and return it."""
    made = iter(range(1000))

    def _write(files: dict[str, str], name: str | None = None):
        folder = tmp_path / (name or f"folder{next(made)}")
        folder.mkdir(parents=True, exist_ok=True)
        for filename, text in files.items():
            (folder / filename).write_text(text, encoding="utf-8")
        return folder

    return _write
