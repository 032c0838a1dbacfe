"""Records for the escalation tests, made the way the tracker makes them: officers by
``tracker.auth.operations.create_user``, children by ``tracker.reviews.operations``
(``create_child``, ``add_care_period``) and escalations by ``tracker.escalations.operations``
(``raise_escalation``, ``record_response``, ``escalate``, ``close``), so every record obeys
the rules and has its audit rows. Run inside an app context; they flush, the caller commits.
The operations refuse dates after today: the tests fix today with the ``TODAY`` config."""

from __future__ import annotations

import datetime as dt
import itertools

from tracker.auth import operations as users
from tracker.auth.models import User
from tracker.escalations import operations
from tracker.escalations.models import Escalation
from tracker.reviews import operations as reviews
from tracker.reviews.models import Child
from tracker.web.records import find

D = dt.date
START = D(2023, 3, 1)  # the day the factories' escalations start unless told otherwise
IN_CARE_FROM = D(2020, 1, 1)  # the children's care period, unless told otherwise

_child_numbers = itertools.count(1)


def officer(officer_id: str = "Q1", *, team: str | None = None, roles=("qaro",)) -> User:
    """A QARO (or another role) known by ``officer_id``, who cannot sign in (no password)."""
    return users.create_user(
        email=f"{officer_id.lower()}@example.org",
        name=f"Officer {officer_id}",
        roles=roles,
        password=None,
        officer_id=officer_id,
        team=team,
        actor="test",
    )


def child(child_id: str | None = None, *, in_care_from: dt.date | None = IN_CARE_FROM) -> Child:
    """A child in care since ``in_care_from`` (None: no care period)."""
    made = reviews.create_child(
        child_id=child_id or f"C{next(_child_numbers):05d}",
        date_of_birth=D(2010, 1, 1),
        first_name="Sam",
        last_name="Smith",
    )
    if in_care_from is not None:
        reviews.add_care_period(made, start_date=in_care_from)
    return made


def escalation(
    about: Child | str | None = None,
    stages=(("informal", START),),
    *,
    areas=("care_plan",),
    raised_by: str | None = "Q1",
    closed: tuple[dt.date, str] | None = None,
    external_partner: str | None = None,
) -> Escalation:
    """An escalation about a child (a ``Child``, a child_id — made when there is none — or a
    new child), raised at the first of ``stages`` and escalated through the others; each stage
    is ``(stage, started)`` or ``(stage, started, responded)``. ``closed`` is
    ``(date, resolution)``."""
    first, *later = [(*s, None)[:3] for s in stages]
    made = operations.raise_escalation(
        child=_child(about),
        raised_by=raised_by,
        areas=list(areas),
        stage=first[0],
        started_date=first[1],
        external_partner=external_partner,
    )
    _respond(made, *first)
    for stage, started, responded in later:
        operations.escalate(made, to_stage=stage, started_date=started)
        _respond(made, stage, started, responded)
    if closed is not None:
        operations.close(made, closed_date=closed[0], resolution=closed[1])
    return made


def _child(about: Child | str | None) -> Child:
    if isinstance(about, Child):
        return about
    if about is None:
        return child()
    return find(Child, child_id=about) or child(about)


def _respond(made: Escalation, stage: str, started: dt.date, responded: dt.date | None) -> None:
    if responded is not None:
        operations.record_response(made, response_date=responded, stage=stage)
