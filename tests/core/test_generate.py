"""``generate-data`` writes a synthetic authority that ``import-data`` accepts; ``demo-data`` runs."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter

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
    result = runner.invoke(args=["generate-data", str(tmp_path / "x"), "--qaros", "0"])
    assert result.exit_code == 2


def test_qaros_share_the_children_as_asked(runner, tmp_path):
    """``--qaros`` sets how many QAROs share the children (the benchmarks give each about 60 looked
    after at a time); by default there is one per 12 children of the whole history."""

    def qaros(outdir) -> tuple[int, Counter]:
        with open(outdir / "officers.csv", newline="", encoding="utf-8") as fh:
            officers = sum(row["roles"] == "qaro" for row in csv.DictReader(fh))
        with open(outdir / "children.csv", newline="", encoding="utf-8") as fh:
            allocated = Counter(row["iro_officer_id"] for row in csv.DictReader(fh))
        return officers, allocated

    generate(runner, tmp_path / "default", children=60)
    officers, allocated = qaros(tmp_path / "default")
    assert officers == 5 and len(allocated) == 5
    result = runner.invoke(
        args=["generate-data", str(tmp_path / "two"), "--children", "60", "--years", "1", "--seed", "3", "--qaros", "2"]
    )
    assert result.exit_code == 0, result.output
    officers, allocated = qaros(tmp_path / "two")
    assert officers == 2 and sorted(allocated) == ["Q1", "Q2"] and sum(allocated.values()) == 60


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
    # with the quarterly reviews of her actions (on her own list only: issue 15)
    assert {i.kind for i in mine} == {"lado_iem", "lado_paim", "lado_action", "lado_action_review"}
    assert any(i.state == "overdue" for i in mine)
    assert any(i.kind == "lado_action" and 0 <= (i.due_date - today()).days <= 7 for i in mine)
    with app.app_context():
        from tracker.board.models import FrozenMonth

        frozen = list(db.session.scalars(select(FrozenMonth.month).order_by(FrozenMonth.month)))
    # the board's scorecard as the monthly snapshot would have left it on 23 November 2026: the
    # twelve months to October frozen (October's freeze day was 4 November), November live
    assert frozen == [dt.date(2025 + (m < 11), m, 1) for m in (*range(11, 13), *range(1, 11))]

    # `make run` runs demo-data every time: a second run keeps the first load's records.
    again = runner.invoke(args=["demo-data", "--children", "10"])
    assert again.exit_code == 0, again.output
    assert "already loaded" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Child)) == children


def test_demo_qaro_holds_a_real_caseload(app, runner):
    """domain.md §1: a QARO holds 50-70 children. Every demo QARO (a demo user with the qaro role
    and an officer id) signs in to a caseload that size, and the worklist engine finds in it
    reviews done, due in the coming weeks and overdue (some long overdue), recommendations or
    minutes outstanding, IRO contacts due and open escalations; the IRO manager's home counts
    them by QARO. A second run keeps the records as they are."""
    from tracker.auth.models import User, UserRole
    from tracker.core import worklist
    from tracker.core.calendar import add_months, add_working_days
    from tracker.core.clock import today
    from tracker.core.permissions import Role
    from tracker.core.timescales import DueState
    from tracker.demo.users import demo_email
    from tracker.escalations.models import Escalation
    from tracker.home.views import team_counts
    from tracker.reviews import queries
    from tracker.reviews.models import Child, IroContact, Review

    demo_emails = [demo_email(role) for role in Role]

    def loaded():
        models = (Child, Review, IroContact, Escalation)
        return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in models}

    def own_items():
        return {u.officer_id: worklist.items_for(u, today()) for u in qaros}

    result = runner.invoke(args=["demo-data", "--children", "10"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        qaros = db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(User.email.in_(demo_emails), UserRole.role == "qaro", User.officer_id.is_not(None))
        ).all()
        assert [u.email for u in qaros] == ["qaro@example.org"]
        before, items = loaded(), own_items()
        for qaro in qaros:
            assert 50 <= queries.caseload(today(), officer=qaro.officer_id).total <= 70
            mine = items[qaro.officer_id]
            reviews = [i for i in mine if i.kind == "cic_review"]
            assert 50 <= len(reviews) <= 70  # one next review per child looked after
            states = Counter(i.state for i in reviews)
            assert states[DueState.overdue] >= 3 and states[DueState.due_soon] >= 3, states
            assert states[DueState.upcoming] >= 30, "most reviews are done, the next months away"
            assert any((today() - i.due_date).days > 30 for i in reviews), "some long overdue"
            kinds = {i.kind for i in mine}
            assert {"iro_contact", "escalation_stage"} <= kinds
            assert kinds & {"review_recommendations", "review_minutes"}
            assert {i.state for i in mine if i.kind == "iro_contact"} == set(DueState)
            # done: the reviews the worklist had due three months ago have been held since
            then = add_months(today(), -3)
            earlier = worklist.collect(then, owner=qaro.officer_id, kinds=["cic_review"])
            now = {i.ref: i.due_date for i in reviews}
            done = [i for i in earlier if i.ref in now and now[i.ref] > i.due_date]
            assert len(done) >= 20
            # first reviews pending: children who came into care lately, due 20 working days after
            rows = queries.caseload(today(), officer=qaro.officer_id, per_page=100).items
            pending = [r for r in rows if r["due_date"] == add_working_days(r["period_start"], 20)]
            assert len(pending) >= 3
        manager = db.session.scalar(select(User).where(User.email == "iro_manager@example.org"))
        counts = {(c.owner, c.kind): c for c in team_counts(manager, today(), worklist.officer_names())}
        first = counts[("Q1", "cic_review")]
        assert first.overdue >= 3 and first.due_soon >= 3

    again = runner.invoke(args=["demo-data", "--children", "10"])
    assert again.exit_code == 0, again.output
    with app.app_context():
        assert loaded() == before
        assert own_items() == items
