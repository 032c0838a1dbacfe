"""`/`: the signed-in user's home page: their worklist first, then the areas they can work in
(registered by each feature with ``tracker.web.navigation.home_area``)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from flask import Blueprint, render_template, url_for
from flask_login import current_user

from tracker.consultations.models import RespondentGroup
from tracker.core import kpis, permissions, worklist
from tracker.core.clock import today
from tracker.core.permissions import require_login
from tracker.core.timescales import DueState
from tracker.jobs import queries as jobs_queries
from tracker.reviews import rules903, ssda903
from tracker.web.navigation import home_areas_for
from tracker.worklist.forms import NOT_ALLOCATED
from tracker.worklist.views import note_lado_items

bp = Blueprint("home", __name__)

WORKLIST_PREVIEW = 10
WORKLIST_PAGES = (
    ("Your full worklist", "worklist.mine", "worklist.own"),
    ("Everyone's worklists", "worklist.index", "worklist.all"),
)


@dataclass(frozen=True)
class TeamCount:
    """One officer's open items of one kind that are overdue and due soon, with the worklist
    filtered to each (``owner`` "-": the items nobody owns)."""

    owner: str
    kind: str
    kind_label: str
    overdue: int
    due_soon: int

    def url(self, state: str) -> str:
        return url_for("worklist.index", owner=self.owner or NOT_ALLOCATED, kind=self.kind, state=DueState(state).value)


def team_counts(user, as_of, names: dict[str, str]) -> list[TeamCount]:
    """For a manager (``worklist.all``): everyone's overdue and due-soon items that the manager
    may see, counted by officer and kind in the database, from the worklist's own items."""
    states = [DueState.overdue.value, DueState.due_soon.value]
    counts: Counter = Counter(
        {
            (owner, kind, DueState(state)): n
            for (owner, kind, state), n in worklist.counted(
                as_of, ("owner", "kind", "state"), user=user, states=states
            ).items()
        }
    )
    pairs = sorted(
        {(owner, kind) for owner, kind, _ in counts},
        key=lambda p: (p[0] == "", names.get(p[0], p[0]).casefold(), p[0], worklist.KINDS[p[1]].order),
    )  # by officer name, the unallocated last
    return [
        TeamCount(
            owner,
            kind,
            worklist.KINDS[kind].label,
            counts[(owner, kind, DueState.overdue)],
            counts[(owner, kind, DueState.due_soon)],
        )
        for owner, kind in pairs
    ]


@bp.route("/")
@require_login
def index():
    user = current_user._get_current_object()
    has_worklist = permissions.can_any(user, "worklist.own", "worklist.all")
    # the user's own list: its first items and its counts by state, from the database
    filters = worklist.own_filters(user) if has_worklist else None
    preview, by_state = [], Counter()
    if filters is not None:
        preview = worklist.collect_page(today(), 1, WORKLIST_PREVIEW, **filters).items
        by_state = worklist.counted(today(), ("state",), **filters)
    counts = {state: by_state[(state.value,)] for state in DueState}
    note_lado_items(preview)
    manages = permissions.can(user, "worklist.all")
    officers = worklist.officer_names() if manages else {}
    team = team_counts(user, today(), officers) if manages else None
    return render_template(
        "home/index.html",
        areas=home_areas_for(user),
        total=sum(counts.values()),
        preview=preview,
        counts=counts,
        has_worklist=has_worklist,
        has_roles=bool(user.role_codes),  # a role whose pages are not built yet has no areas
        is_qaro=user.has_role("qaro"),
        worklist_links=[(label, ep) for label, ep, cap in WORKLIST_PAGES if permissions.can(user, cap)],
        as_of=today(),
        team=team,
        officers=officers,
        notices=jobs_queries.notices_for(user),
        notice_days=jobs_queries.NOTICE_DAYS,
        may_view_escalations=permissions.can(user, "escalations.view"),
        checks_903=_checks_903() if permissions.can(user, "ssda903.all") else None,
        consultations=_consultations() if permissions.can(user, "children.edit_all") else None,
    )


def _consultations() -> dict:
    """The IRO manager's take-up figures: this financial year so far, by respondent group (the
    registered ``consultations.*`` indicators; each opens its drill-down)."""
    period = kpis.year_to_date(today())
    groups = {"consultations.return_rate": "Everyone asked"}
    groups.update({f"consultations.return_rate.{g.value}": g.label for g in RespondentGroup})
    figures = kpis.compute(period, [*groups, "consultations.reviews_with_child_view"])
    return {
        "period": period,
        "args": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "rows": [(who, figures[i]) for i, who in groups.items()],
        "child_view": figures["consultations.reviews_with_child_view"],
    }


def _checks_903() -> dict:
    """The SSDA903 return's year (the latest ended) and how many of its reviews break a DfE rule."""
    year = rules903.year_of(today()) - 1
    return {"year": year, "label": rules903.year_label(year), "failures": len(ssda903.failures(year))}
