"""`/`: a home page per role. Links appear only for pages that exist (feature packages land
one by one); a page not yet delivered is named under "Coming in a later release" (a whole card
when none of the area's pages exists yet)."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, render_template
from flask_login import current_user

from tracker.core import permissions
from tracker.core.clock import today
from tracker.core.permissions import require_login
from tracker.core.worklist_views import record_lado_reads
from tracker.extensions import db
from tracker.web import NAV

bp = Blueprint("home", __name__, template_folder="templates")

WORKLIST_PREVIEW = 10
WORKLIST_PAGES = (("Your full worklist", "worklist.mine", "worklist.own"),
                  ("Everyone's worklists", "worklist.index", "worklist.all"))


@dataclass(frozen=True)
class Area:
    title: str
    description: str
    capabilities: tuple[str, ...]
    blueprint: str  # the feature package's blueprint, whose nav items are linked too
    links: tuple[tuple[str, str, str], ...]  # (label, endpoint, capability)


AREAS = (
    Area("Children in care reviews", "Review timescales, IRO contacts, recommendations and minutes.",
         ("children.view",), "reviews",
         (("My children", "reviews.my_children", "children.edit"),
          ("All children in care", "reviews.children", "children.view"),
          ("Team caseloads", "reviews.team", "children.team"),
          ("Allocate children to QAROs", "reviews.allocate", "children.allocate"))),
    Area("Escalations", "Dispute resolution: informal and formal stages and their response times.",
         ("escalations.view",), "escalations",
         (("Escalations", "escalations.index", "escalations.view"),
          ("Raise an escalation", "escalations.new", "escalations.edit"))),
    Area("LADO", "Contacts and referrals about adults who work with children, meetings, outcomes and actions.",
         ("lado.view",), "lado",
         (("LADO contacts log", "lado.index", "lado.view"),
          ("Log a contact", "lado.new_contact", "lado.edit"),
          ("Open referrals", "lado.referrals", "lado.view"),
          ("Actions tracker", "lado.actions", "lado.view"),
          ("Find a person or organisation", "lado.search", "lado.view"),
          ("Oversight of overdue referrals", "lado.oversight", "lado.oversight"),
          ("Records past their retention date", "lado.retention", "lado.oversight"))),
    Area("Fostering and adoption panels", "Panel meetings, cases, recommendations and ADM decisions.",
         ("panels.view",), "panels",
         (("Panel meetings", "panels.index", "panels.view"),
          ("Decisions waiting for the ADM", "panels.adm_queue", "panels.decide"))),
    Area("Performance and the board pack", "Indicators, trends and the Corporate Parenting Board pack.",
         ("kpis.view", "board.view"), "board",
         (("Board pack", "board.index", "board.view"),
          ("Indicators", "kpis.index", "kpis.view"))),
    Area("Administration", "Users and roles, the audit log, timescale rules and reference lists.",
         ("admin.users", "admin.audit", "admin.rules", "admin.board"), "admin",
         (("Users and roles", "admin.users", "admin.users"),
          ("Audit log", "admin.audit", "admin.audit"),
          ("Timescale rules", "rules.index", "admin.rules"))),
)


def _linkable(endpoint: str) -> bool:
    """The endpoint exists and has a URL without parameters."""
    if endpoint not in current_app.view_functions:
        return False
    return any(not rule.arguments for rule in current_app.url_map.iter_rules(endpoint))


def _links_for(area: Area, user) -> list[tuple[str, str]]:
    """(label, endpoint) of the pages of this area that exist and the user may open."""
    links, seen = [], set()
    for label, endpoint, capability in area.links:
        if _linkable(endpoint) and permissions.can(user, capability):
            links.append((label, endpoint))
            seen.add(endpoint)
    for item in NAV:  # pages a feature registered in the navigation but we did not list
        if item.endpoint.split(".")[0] == area.blueprint and item.endpoint not in seen \
                and _linkable(item.endpoint) \
                and (not item.capabilities or permissions.can_any(user, *item.capabilities)):
            links.append((item.label, item.endpoint))
            seen.add(item.endpoint)
    return links


def _pending_for(area: Area, user) -> list[str]:
    """Labels of this area's pages the user will be able to open once their feature lands."""
    return [label for label, endpoint, capability in area.links
            if not _linkable(endpoint) and permissions.can(user, capability)]


def _worklist(user):
    """The user's open items with deadlines, or None when the worklist engine has not landed."""
    if not permissions.can_any(user, "worklist.own", "worklist.all"):
        return None
    try:
        from tracker.core.worklist import items_for
    except ImportError:
        return None
    return items_for(user, today())


@bp.route("/")
@require_login
def index():
    user = current_user._get_current_object()
    areas = []
    for area in AREAS:
        if permissions.can_any(user, *area.capabilities):
            areas.append((area, _links_for(area, user), _pending_for(area, user)))
    items = _worklist(user)
    counts = None
    if items is not None:
        states = [getattr(i.state, "value", i.state) for i in items]
        counts = {state: states.count(state) for state in ("overdue", "due_soon", "upcoming")}
    preview = (items or [])[:WORKLIST_PREVIEW]
    audited = record_lado_reads(preview, "home")
    html = render_template(
        "home/index.html",
        areas=areas,
        items=items,
        preview=preview,
        counts=counts,
        has_worklist=permissions.can_any(user, "worklist.own", "worklist.all"),
        is_qaro=user.has_role("qaro"),
        worklist_links=[(label, endpoint) for label, endpoint, capability in WORKLIST_PAGES
                        if _linkable(endpoint) and permissions.can(user, capability)],
        as_of=today(),
    )
    if audited:
        db.session.commit()
    return html
