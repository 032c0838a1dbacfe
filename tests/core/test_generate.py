"""``generate-data`` writes a synthetic authority that ``import-data`` accepts; ``demo-data`` runs."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from sqlalchemy import func, select

from tracker.core.calendar import ClosureDay
from tracker.extensions import db


@pytest.fixture
def app_config():
    return {"TODAY": "2026-11-23"}


def generate(runner, outdir, children=15, years=1, seed=3):
    options = ["--children", str(children), "--years", str(years), "--seed", str(seed)]
    result = runner.invoke(args=["generate-data", str(outdir), *options])
    assert result.exit_code == 0, result.output
    return result


def meeting_dates(outdir) -> set[dt.date]:
    with open(outdir / "panel_meetings.csv", newline="", encoding="utf-8") as fh:
        return {dt.date.fromisoformat(row["meeting_date"]) for row in csv.DictReader(fh)}


def test_generated_data_imports(runner, tmp_path, import_folder):
    out = tmp_path / "authority"
    assert "officers.csv: " in generate(runner, out).output
    assert "officers.csv:" in import_folder(out).output


def test_generate_data_is_deterministic(runner, tmp_path):
    for name in ("a", "b"):
        generate(runner, tmp_path / name, children=5, seed=9)
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(p.name for p in (tmp_path / "b").iterdir())
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_generate_data_keeps_the_councils_closure_days(app, runner, tmp_path):
    """The synthetic authority follows the tracker's calendar: panels meet on working days, so
    none meets on a closure day (here every day of October 2026)."""
    october = {dt.date(2026, 10, day) for day in range(1, 32)}
    generate(runner, tmp_path / "open")
    assert meeting_dates(tmp_path / "open") & october, "panels meet in October on the bank-holiday calendar"
    with app.app_context():
        db.session.add_all(ClosureDay(day=day, reason="Test closure") for day in sorted(october))
        db.session.commit()
    generate(runner, tmp_path / "closed")
    assert not meeting_dates(tmp_path / "closed") & october


def test_generate_data_refuses_bad_options(runner, tmp_path):
    result = runner.invoke(args=["generate-data", str(tmp_path / "x"), "--children", "0"])
    assert result.exit_code == 2


def test_demo_data(app, runner):
    from tracker.auth.models import User
    from tracker.core import worklist
    from tracker.core.clock import today
    from tracker.core.permissions import ROLE_CODES
    from tracker.lado import matching
    from tracker.lado.models import LadoOrganisation, LadoPerson, LadoReferral
    from tracker.reviews.models import Child

    result = runner.invoke(args=["demo-data", "--children", "10"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        roles = {
            code
            for user in db.session.scalars(select(User).where(User.email.like("%@example.org")))
            for code in user.role_codes
        }
        qaro = db.session.scalar(select(User).where(User.email == "qaro@example.org"))
        assert qaro.officer_id == "Q1" and qaro.check_password("demo-password")
        caseload = db.session.scalar(select(func.count()).select_from(Child).where(Child.iro_officer_id == "Q1"))
        children = db.session.scalar(select(func.count()).select_from(Child))
        people = db.session.execute(select(LadoPerson.name, LadoPerson.name_key, LadoPerson.date_of_birth)).all()
        employers = db.session.execute(select(LadoOrganisation.name, LadoOrganisation.sector)).all()
        # the demo LADO's real day: her open referrals at every stage, some overdue, actions due this week
        lado = db.session.scalar(select(User).where(User.email == "lado@example.org"))
        open_referrals = db.session.scalar(
            select(func.count())
            .select_from(LadoReferral)
            .where(LadoReferral.officer_id == lado.officer_id, LadoReferral.closed_date.is_(None))
        )
        mine = worklist.items_for(lado, today())
    assert set(ROLE_CODES) <= roles
    assert caseload > 0, "the demo QARO signs in to a real caseload"
    # the LADO's people and employers by name (the import format has their references only)
    assert people and all(name and key == matching.name_key(name) and born for name, key, born in people)
    assert employers and all(name and sector for name, sector in employers)
    assert 20 <= open_referrals <= 40
    assert {i.kind for i in mine} == {"lado_iem", "lado_paim", "lado_action"}
    assert any(i.state == "overdue" for i in mine)
    assert any(i.kind == "lado_action" and 0 <= (i.due_date - today()).days <= 7 for i in mine)

    # `make run` runs demo-data every time: a second run keeps the first load's records.
    again = runner.invoke(args=["demo-data", "--children", "10"])
    assert again.exit_code == 0, again.output
    assert "already loaded" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Child)) == children
