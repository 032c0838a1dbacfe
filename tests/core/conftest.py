"""Fixtures for the engine tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def sign_in(app, client):
    """Like ``login_as`` but without hashing a password (access sweeps sign in many users)."""

    def _sign_in(*roles: str, email: str | None = None, **fields):
        from tracker.auth.models import User
        from tracker.extensions import db

        with app.app_context():
            user = User(
                email=email or f"{'+'.join(roles)}.{len(roles)}@example.org",
                name=fields.pop("name", "Test user"),
                **fields,
            )
            user.set_roles(roles)
            db.session.add(user)
            db.session.commit()
            user_id = user.id
        with client.session_transaction() as sess:
            sess["_user_id"] = str(user_id)
            sess["_fresh"] = True
        return user_id

    return _sign_in
