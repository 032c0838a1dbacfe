"""``generate-data`` writes a synthetic authority that ``import-data`` accepts; ``demo-data`` runs."""

from __future__ import annotations

import importlib.util

import pytest
from sqlalchemy import func, select

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("tracker.demo.synthetic") is None, reason="tracker/core/synthetic.py has not landed yet"
)


@pytest.fixture
def app_config():
    return {"TODAY": "2026-11-23"}


def test_generated_data_imports(app, runner, tmp_path):
    out = tmp_path / "authority"
    result = runner.invoke(args=["generate-data", str(out), "--children", "15", "--years", "1", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert (out / "officers.csv").exists() and "officers.csv:" in result.output
    result = runner.invoke(args=["import-data", str(out)])
    assert result.exit_code == 0, result.output
    assert "officers.csv:" in result.output


def test_generate_data_is_deterministic(app, runner, tmp_path):
    for name in ("a", "b"):
        assert (
            runner.invoke(
                args=["generate-data", str(tmp_path / name), "--children", "5", "--years", "1", "--seed", "9"]
            ).exit_code
            == 0
        )
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(p.name for p in (tmp_path / "b").iterdir())
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_generate_data_refuses_bad_options(app, runner, tmp_path):
    result = runner.invoke(args=["generate-data", str(tmp_path / "x"), "--children", "0"])
    assert result.exit_code == 2


@pytest.mark.skipif(
    importlib.util.find_spec("tracker.demo.users") is None, reason="tracker/auth/demo.py has not landed yet"
)
def test_demo_data(app, runner):
    result = runner.invoke(args=["demo-data", "--children", "10"])
    assert result.exit_code == 0, result.output
    from tracker.core.permissions import ROLE_CODES

    with app.app_context():
        from tracker.auth.models import User
        from tracker.extensions import db

        roles = {
            code
            for user in db.session.scalars(select(User).where(User.email.like("%@example.org")))
            for code in user.role_codes
        }
        qaro = db.session.scalar(select(User).where(User.email == "qaro@example.org"))
        assert qaro.officer_id == "Q1" and qaro.check_password("demo-password")
        from tracker.reviews.models import Child

        caseload = db.session.scalar(select(func.count()).select_from(Child).where(Child.iro_officer_id == "Q1"))
        children = db.session.scalar(select(func.count()).select_from(Child))
    assert set(ROLE_CODES) <= roles
    assert caseload > 0, "the demo QARO signs in to a real caseload"

    # `make run` runs demo-data every time: a second run keeps the first load's records.
    again = runner.invoke(args=["demo-data", "--children", "10"])
    assert again.exit_code == 0, again.output
    assert "already loaded" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Child)) == children
