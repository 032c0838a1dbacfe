"""Escalation test helpers (imported by the test modules: no conftest.py here, so that the
browser tests' `from conftest import axe_check` never finds this folder's conftest instead).
Officers, children and escalations built straight from the models."""

from __future__ import annotations

import datetime as dt

import pytest

D = dt.date


@pytest.fixture
def app_config():
    return {"TODAY": "2023-06-30"}


@pytest.fixture
def build(app):
    """Factories: ``build.child("C1")``, ``build.officer("Q1", team=...)``,
    ``build.escalation("E1", "C1", [("informal", D(...), None), ...], areas=[...], closed=(date, resolution))``."""
    from tracker.auth.models import User
    from tracker.escalations.models import Escalation, EscalationArea, EscalationStage
    from tracker.extensions import db
    from tracker.reviews.models import Child

    class Build:
        def child(self, child_id: str = "C1"):
            with app.app_context():
                child = Child(child_id=child_id, date_of_birth=D(2010, 1, 1))
                db.session.add(child)
                db.session.commit()
                return child.id

        def officer(self, officer_id: str = "Q1", team: str | None = None, roles=("qaro",)):
            with app.app_context():
                user = User(name=f"Officer {officer_id}", officer_id=officer_id, team=team)
                user.set_roles(roles)
                db.session.add(user)
                db.session.commit()

        def escalation(
            self,
            escalation_id,
            child_id="C1",
            stages=(("informal", D(2023, 3, 1), None),),
            areas=("care_plan",),
            raised_by="Q1",
            closed=None,
            external_partner=None,
            commit=True,
        ):
            with app.app_context():
                child_pk = db.session.query(Child.id).filter_by(child_id=child_id).scalar()
                if child_pk is None:
                    child = Child(child_id=child_id, date_of_birth=D(2010, 1, 1))
                    db.session.add(child)
                    db.session.flush()
                    child_pk = child.id
                e = Escalation(
                    escalation_id=escalation_id,
                    child_pk=child_pk,
                    raised_by=raised_by,
                    external_partner=external_partner,
                    closed_date=closed[0] if closed else None,
                    resolution=closed[1] if closed else None,
                )
                e.areas = [EscalationArea(area=a) for a in areas]
                e.stages = [
                    EscalationStage(stage=s, started_date=start, response_date=resp) for s, start, resp in stages
                ]
                db.session.add(e)
                if commit:
                    db.session.commit()
                return escalation_id

    return Build()
