"""`/`: the signed-in user's home page: their worklist first, then the areas they can work in
(registered by each feature with ``tracker.web.navigation.home_area``)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from tracker.core import permissions, worklist
from tracker.core.clock import today
from tracker.core.permissions import require_login
from tracker.core.timescales import DueState
from tracker.web.navigation import home_areas_for
from tracker.worklist.views import note_lado_items

bp = Blueprint("home", __name__)

WORKLIST_PREVIEW = 10
WORKLIST_PAGES = (
    ("Your full worklist", "worklist.mine", "worklist.own"),
    ("Everyone's worklists", "worklist.index", "worklist.all"),
)


@bp.route("/")
@require_login
def index():
    user = current_user._get_current_object()
    has_worklist = permissions.can_any(user, "worklist.own", "worklist.all")
    items = worklist.items_for(user, today()) if has_worklist else []
    counts = {state: sum(1 for i in items if i.state is state) for state in DueState}
    preview = items[:WORKLIST_PREVIEW]
    note_lado_items(preview)
    return render_template(
        "home/index.html",
        areas=home_areas_for(user),
        items=items,
        preview=preview,
        counts=counts,
        has_worklist=has_worklist,
        has_roles=bool(user.role_codes),  # a role whose pages are not built yet has no areas
        is_qaro=user.has_role("qaro"),
        worklist_links=[(label, ep) for label, ep, cap in WORKLIST_PAGES if permissions.can(user, cap)],
        as_of=today(),
    )
