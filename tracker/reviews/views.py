"""Pages under /children: the QARO's caseload, a child's page with its review chain, the
forms that record reviews, IRO contacts and care periods, the team view and the SSDA903
download. Thin: queries read, operations change (and audit), the request lifecycle commits.
The child's page shows the deadlines the worklist computes (``worklist.for_record``)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import func, select

from tracker.core import audit, kpis, permissions, worklist
from tracker.core.clock import today
from tracker.core.exports import write_csv
from tracker.core.forms import choices
from tracker.core.pagination import links, page_number
from tracker.core.permissions import can, check_may_delete, check_may_edit, require
from tracker.extensions import db
from tracker.formatters import format_date
from tracker.reviews import chain, operations, queries, rules903, ssda903
from tracker.reviews import kpis as review_kpis
from tracker.reviews.forms import (
    AllocateForm,
    CarePeriodForm,
    ChildForm,
    CollectionYearForm,
    ContactForm,
    PlanReviewForm,
    RemoveForm,
    ReviewForm,
    SearchForm,
    officer_choices,
)
from tracker.reviews.models import CarePeriod, Child, IroContact, LegalStatus, Plan, Review
from tracker.reviews.ssda903 import export_rows, header_rows
from tracker.web.downloads import Column, download_links, requested_format, send_table
from tracker.web.forms import submit
from tracker.web.records import load_or_404, record_url

bp = Blueprint("reviews", __name__, url_prefix="/children")

SEARCH_KEY = "reviews_child_search"
FIGURES = ("reviews.held", "reviews.in_timescale", "reviews.recommendations_in_timescale",
           "reviews.minutes_in_timescale", "reviews.participation")  # fmt: skip


@dataclass(frozen=True)
class ChildSection:
    """A section another feature adds to the child's page (e.g. the child's escalations)."""

    template: str
    load: Callable  # child -> the section's data, passed to the template as ``rows``
    capability: str


CHILD_SECTIONS: list[ChildSection] = []


def child_section(template: str, load: Callable, capability: str) -> None:
    if not any(s.template == template for s in CHILD_SECTIONS):
        CHILD_SECTIONS.append(ChildSection(template, load, capability))


def _officer_figures(officer_id: str) -> dict:
    """A QARO's own figures this month and this financial year (the registered definitions)."""
    day = today()
    periods = {"month": kpis.Period(day.replace(day=1), day, day), "year": kpis.year_to_date(day)}
    return {
        "periods": periods,
        "rows": [kpis.get(i) for i in FIGURES],
        **{key: review_kpis.officer_figures(period, officer_id) for key, period in periods.items()},
    }


def _back_to_child(child: Child) -> str:
    return record_url("child", child.child_id)


def _officer_name(officer_id: str | None) -> str:
    if not officer_id:
        return "Not recorded"
    name = queries.officer_names([officer_id]).get(officer_id)
    return f"{name} ({officer_id})" if name else officer_id


# --- lists ---------------------------------------------------------------------------------


def _caseload_columns(*, mine: bool) -> list[Column]:
    """The caseload's download: the page's columns (the child's name as the page shows it, and
    the reference), each due date beside its state."""
    return [
        Column("Child", lambda r: " ".join(n for n in (r["first_name"], r["last_name"]) if n) or r["child_id"]),
        Column("Reference", lambda r: r["child_id"]),
        *([] if mine else [Column("QARO", lambda r: r["officer_name"] or r["iro_officer_id"] or "Not allocated")]),
        Column("Next review due", lambda r: r["due_date"]),
        Column("Review status", lambda r: r["review_state"].label if r["review_state"] else "Not in care"),
        Column("Recommendations outstanding", lambda r: r["recommendations_outstanding"]),
        Column("Minutes outstanding", lambda r: r["minutes_outstanding"]),
        Column("Last IRO contact", lambda r: r["last_contact"]),
        Column("Next IRO contact due", lambda r: r["contact_due"]),
        Column("IRO contact status", _contact_status),
    ]


def _contact_status(row: dict) -> str:
    """The next IRO contact's state, as the caseload shows it beside its date."""
    if row["contact_state"]:
        return row["contact_state"].label
    return "Not expected" if row["due_date"] else ""


TEAM_COLUMNS = [
    Column("QARO", lambda r: r["name"]),
    Column("Officer ID", lambda r: r["officer_id"]),
    Column("Team", lambda r: r["team"] or ""),
    Column("Children", lambda r: r["caseload"]),
    Column("Reviews overdue", lambda r: r["reviews_overdue"]),
    Column("Recommendations outstanding", lambda r: r["recommendations_outstanding"]),
    Column("Minutes outstanding", lambda r: r["minutes_outstanding"]),
    Column("IRO contacts overdue", lambda r: r["contacts_overdue"]),
]


@bp.route("/", methods=["GET", "POST"])
@require("children.view")
def my_children():
    """The signed-in QARO's caseload; managers choose all children, a team or a QARO."""
    form = SearchForm()
    if request.method == "POST":
        if form.validate_on_submit():
            session[SEARCH_KEY] = (form.q.data or "").strip()
        return redirect(url_for("reviews.my_children", **{k: v for k, v in request.args.items() if k != "page"}))
    if request.args.get("clear"):
        session.pop(SEARCH_KEY, None)
        return redirect(
            url_for("reviews.my_children", **{k: v for k, v in request.args.items() if k not in ("clear", "page")})
        )
    q = session.get(SEARCH_KEY) or ""
    form.q.data = q
    me = current_user.officer_id
    manager = permissions.can(current_user, "children.team")
    scope = request.args.get("scope") or ("mine" if me and not manager else "all")
    if manager and scope != "mine":
        # "Show", "Team" and "QARO" are one form: a chosen QARO or team narrows the list even
        # when "Show" was left at "All children in care"; "A team" with no team shows all.
        chosen_team, chosen_officer = request.args.get("team"), request.args.get("officer")
        if not ((scope == "team" and chosen_team) or (scope == "qaro" and chosen_officer)):
            scope = "qaro" if chosen_officer else "team" if chosen_team else "all"
    officer_filter, officers, team, officer = None, None, None, None
    if scope == "mine":
        officer_filter = me or ""  # no officer id: an empty caseload (no child has "")
    elif scope == "team" and manager:
        team = request.args.get("team") or ""
        officers = queries.officers_in_team(team)
    elif scope == "qaro" and manager:
        officer = request.args.get("officer") or ""
        officer_filter = officer
    elif scope != "all":
        scope = "all"
    sort = request.args.get("sort", "due")
    args = {k: v for k, v in dict(scope=scope, team=team, officer=officer, sort=sort).items() if v}
    filters = dict(officer=officer_filter, officers=officers, q=q or None, sort=sort)
    if fmt := requested_format():  # every child the page lists, on every page
        mine = scope == "mine"
        return send_table(
            fmt,
            title="My children" if mine else "Children in care",
            filename="my-children" if mine else "children",
            columns=_caseload_columns(mine=mine),
            rows=queries.caseload_rows(today(), **filters),
            filters={**args, "search": bool(q)},  # that there was a search, never its words
        )
    page = queries.caseload(today(), **filters, page=page_number(), per_page=current_app.config["PAGE_SIZE"])
    return render_template(
        "reviews/my_children.html",
        search_form=form,
        page=page,
        downloads=download_links("reviews.my_children", args) if page.total else [],
        q=q,
        scope=scope,
        sort=sort,
        args=args,
        sorts=queries.SORTS,
        manager=manager,
        teams=queries.teams(),
        qaros=queries.qaro_choices(),
        team=team,
        officer=officer,
        pagination=links(page, "reviews.my_children", **args),
        figures=_officer_figures(me) if me and scope == "mine" else None,
    )


@bp.route("/all")
@require("children.view")
def children():
    """All children in care (the home page's link); its download is the list's."""
    return redirect(url_for("reviews.my_children", scope="all", format=requested_format()))


@bp.route("/team")
@require("children.team")
def team():
    team_name = request.args.get("team") or None
    officer = request.args.get("officer") or None
    rows = queries.team_summary(today(), team_name)
    args = {"team": team_name} if team_name else {}
    if fmt := requested_format():
        return send_table(
            fmt, title="Team caseloads", filename="team-caseloads", columns=TEAM_COLUMNS, rows=rows, filters=args
        )
    return render_template(
        "reviews/team.html",
        rows=rows,
        downloads=download_links("reviews.team", args) if rows else [],
        teams=queries.teams(),
        team=team_name,
        officer=officer,
        officer_name=next((r["name"] for r in rows if r["officer_id"] == officer), officer),
        figures=_officer_figures(officer) if officer else None,
        as_of=today(),
    )


# --- a child -------------------------------------------------------------------------------


@bp.route("/<child_id>")
@require("children.view")
def child(child_id: str):
    child = load_or_404(Child, child_id=child_id)
    as_of = today()
    deadlines = worklist.for_record("child", child.child_id, as_of)
    from tracker.auth.models import user_by_officer_id

    officer_ids = {c.officer_id for c in child.contacts if c.officer_id}
    next_review = next((i for i in deadlines if i.kind == "cic_review"), None)
    return render_template(
        "reviews/child.html",
        child=child,
        periods=chain.timeline(child, as_of),
        deadlines={(i.kind, i.ref): i for i in deadlines},
        next_review=next_review,
        plan=Plan.of(child.planned_review_date, next_review.due_date if next_review else None),
        next_contact=next((i for i in deadlines if i.kind == "iro_contact"), None),
        contacts=sorted(child.contacts, key=lambda c: c.contact_date, reverse=True),
        qaro=user_by_officer_id(child.iro_officer_id) if child.iro_officer_id else None,
        officer_names=queries.officer_names(officer_ids),
        sections=[(s.template, s.load(child)) for s in CHILD_SECTIONS if permissions.can(current_user, s.capability)],
        # records removed by mistake: kept, and shown to the managers (the IRO manager, who
        # removes them, and the head of service)
        removed=queries.removed_records(child) if can(current_user, "children.team") else [],
    )


def _form_page(form, title: str, back: str):
    return render_template("form_page.html", form=form, title=title, back=back)


@bp.route("/new", methods=["GET", "POST"])
@require("children.edit")
def new_child():
    form = ChildForm()
    created = submit(
        form,
        lambda: operations.create_child(
            child_id=form.child_id.data,
            first_name=form.first_name.data or None,
            last_name=form.last_name.data or None,
            date_of_birth=form.date_of_birth.data,
            gender=form.gender.data or None,
            ethnicity=form.ethnicity.data or None,
            uasc=form.uasc.data,
            iro_contact_expected=form.iro_contact_expected.data,
            iro_officer_id=current_user.officer_id if current_user.has_role("qaro") else None,
        ),
    )
    if created:
        flash(f"Child {created.result.child_id} added", "success")
        return redirect(_back_to_child(created.result))
    return _form_page(form, "Add a child", url_for("reviews.my_children"))


@bp.route("/<child_id>/edit", methods=["GET", "POST"])
@require("children.edit")
def edit_child(child_id: str):
    child = load_or_404(Child, child_id=child_id)
    check_may_edit(child)
    form = ChildForm(obj=child)
    del form.child_id  # the reference is not editable
    if submit(
        form,
        lambda: operations.edit_child(
            child,
            first_name=form.first_name.data or None,
            last_name=form.last_name.data or None,
            date_of_birth=form.date_of_birth.data,
            gender=form.gender.data or None,
            ethnicity=form.ethnicity.data or None,
            uasc=form.uasc.data,
            iro_contact_expected=form.iro_contact_expected.data,
        ),
        record=child,
    ):
        flash("Child's details saved", "success")
        return redirect(_back_to_child(child))
    return _form_page(form, f"Edit the details of {child.child_id}", _back_to_child(child))


@bp.route("/<child_id>/allocate", methods=["GET", "POST"])
@require("children.allocate")
def allocate(child_id: str):
    child = load_or_404(Child, child_id=child_id)
    form = AllocateForm(officer_id=child.iro_officer_id or "")
    form.officer_id.choices = officer_choices("Not allocated", child.iro_officer_id)
    if submit(form, lambda: operations.allocate(child, form.officer_id.data or None), record=child):
        flash(f"QARO allocation of {child.child_id} saved", "success")
        return redirect(_back_to_child(child))
    return _form_page(form, f"Allocate a QARO to {child.child_id}", _back_to_child(child))


@bp.route("/<child_id>/plan", methods=["GET", "POST"])
@require("children.edit")
def plan_review(child_id: str):
    """Plan the date of the child's next review (the due date stays the statutory one)."""
    child = load_or_404(Child, child_id=child_id)
    check_may_edit(child)
    form = PlanReviewForm(obj=child)
    if done := submit(form, lambda: operations.plan_review(child, form.planned_review_date.data), record=child):
        planned = done.result.planned_review_date
        flash(f"Next review planned for {format_date(planned)}" if planned else "Planned date removed", "success")
        return redirect(_back_to_child(child))
    return _form_page(form, f"Plan the next review of {child.child_id}", _back_to_child(child))


def _remove_page(child_id: str, model, key: dict, what: str, remove, describe):
    """The removal of a record of the child (a review, an IRO contact or a care period in force,
    found by ``key``) recorded by mistake: 403 unless the user may remove it (``check_may_delete``:
    the IRO manager); the reason is required. ``describe(record, child)`` gives the page's title
    and the rows that describe the record above the form."""
    child = load_or_404(Child, child_id=child_id)
    record = load_or_404(model, child_pk=child.id, removed_at=None, **key)
    check_may_delete(record)
    form = RemoveForm()
    if submit(form, lambda: remove(record, reason=form.reason.data), record=record):
        flash(f"{what[0].upper()}{what[1:]} removed", "success")
        return redirect(_back_to_child(child))
    title, rows = describe(record, child)
    return render_template(
        "reviews/remove.html", form=form, title=title, back=_back_to_child(child), rows=rows, what=what
    )


def _describe_period(period: CarePeriod, child: Child):
    return f"Remove the care period of {child.child_id} from {format_date(period.start_date)}", [
        {"key": "Started", "value": format_date(period.start_date)},
        {"key": "Ended", "value": format_date(period.end_date) if period.end_date else "No end date (current)"},
        {"key": "Legal status", "value": period.legal_status_label or "Not recorded"},
    ]


def _describe_review(review: Review, child: Child):
    return f"Remove the review of {child.child_id} held on {format_date(review.review_date)}", [
        {"key": "Held", "value": format_date(review.review_date)},
        {"key": "QARO who chaired it", "value": _officer_name(review.officer_id)},
        {"key": "Participation", "value": review.participation_label},
    ]


def _describe_contact(contact: IroContact, child: Child):
    return f"Remove the IRO contact with {child.child_id} on {format_date(contact.contact_date)}", [
        {"key": "Date", "value": format_date(contact.contact_date)},
        {"key": "Type", "value": contact.contact_type.label if contact.contact_type else "Not recorded"},
        {"key": "QARO", "value": _officer_name(contact.officer_id)},
    ]


# --- care periods ----------------------------------------------------------------------------


@bp.route("/<child_id>/periods/new", methods=["GET", "POST"], defaults={"period_id": None})
@bp.route("/<child_id>/periods/<int:period_id>/edit", methods=["GET", "POST"])
@require("children.edit")
def care_period(child_id: str, period_id: int | None):
    child = load_or_404(Child, child_id=child_id)
    period = load_or_404(CarePeriod, id=period_id, child_pk=child.id) if period_id else None
    check_may_edit(child if period is None else period)
    form = CarePeriodForm(obj=period)
    if period is not None and period.legal_status and LegalStatus.get(period.legal_status) is None:
        # A code the case system sent that is not on the list: offer it, so saving keeps it.
        form.legal_status.choices = [*form.legal_status.choices, *choices([(period.legal_status, period.legal_status)])]

    def save():
        values = dict(
            start_date=form.start_date.data, end_date=form.end_date.data, legal_status=form.legal_status.data or None
        )
        if period is None:
            return operations.add_care_period(child, **values)
        return operations.edit_care_period(period, **values)

    if submit(form, save, record=period):
        flash("Care period saved", "success")
        return redirect(_back_to_child(child))
    title = f"{'Add a' if period is None else 'Change the'} care period of {child.child_id}"
    return _form_page(form, title, _back_to_child(child))


@bp.route("/<child_id>/periods/<int:period_id>/remove", methods=["GET", "POST"])
@require("children.delete")
def remove_care_period(child_id: str, period_id: int):
    key = {"id": period_id}
    return _remove_page(child_id, CarePeriod, key, "care period", operations.remove_care_period, _describe_period)


# --- reviews ---------------------------------------------------------------------------------


def _record_or_change(child: Child, existing, form, values, record, change, saved, title: str, back: str | None = None):
    """The form that records something new about the child (``existing`` None: the capability
    alone, a QARO covers for a colleague) or changes ``existing`` (``check_may_edit``): ``form``
    is the form (called once the check passed), ``values(form)`` what the operation takes,
    ``saved(result)`` the message once saved. Its QARO is chosen among the active officers.
    ``back`` is where Cancel and a save lead (the child's page by default)."""
    back = back or _back_to_child(child)
    if existing is not None:
        check_may_edit(existing)
    form = form()
    form.officer_id.choices = officer_choices("Not recorded", existing.officer_id if existing else None)

    def save():
        if existing is None:
            return record(child, **values(form))
        return change(existing, **values(form))

    if done := submit(form, save, record=existing):
        flash(saved(done.result), "success")
        return redirect(back)
    return _form_page(form, title, back)


def _default_officer(child: Child) -> str:
    """The QARO a new review or contact names at first: the user, else the child's QARO."""
    return current_user.officer_id or child.iro_officer_id or ""


@bp.route("/<child_id>/reviews/new", methods=["GET", "POST"], defaults={"review_id": None})
@bp.route("/<child_id>/reviews/<review_id>/edit", methods=["GET", "POST"])
@require("children.edit")
def review(child_id: str, review_id: str | None):
    child = load_or_404(Child, child_id=child_id)
    existing = load_or_404(Review, review_id=review_id, child_pk=child.id, removed_at=None) if review_id else None
    return _record_or_change(
        child,
        existing,
        lambda: _review_form(child, existing),
        lambda form: dict(
            review_date=form.review_date.data,
            officer_id=form.officer_id.data or None,
            participation_code=form.participation_code.data or None,
            advocate=form.advocate.data,
            recommendations_date=form.recommendations_date.data,
            minutes_date=form.minutes_date.data,
        ),
        operations.record_review,
        operations.edit_review,
        lambda held: f"Review held on {format_date(held.review_date)} saved",
        f"{'Record a' if existing is None else 'Change the'} review of {child.child_id}",
        back=_back_to_checks(),
    )


def _back_to_checks() -> str | None:
    """The 903 checks page of the year a correction was opened from (``?back=903&year=2023``)."""
    year = request.args.get("year", "")
    if request.args.get("back") == "903" and year.isdigit() and len(year) == 4:
        return url_for("reviews.checks_903", year=year)
    return None


def _review_form(child: Child, existing: Review | None) -> ReviewForm:
    if existing is None:
        form = ReviewForm(officer_id=_default_officer(child))
    else:
        form = ReviewForm(obj=existing, participation_code=existing.participation_code or "")
    form.offer_codes(child.date_of_birth, today())
    return form


@bp.route("/<child_id>/reviews/<review_id>/remove", methods=["GET", "POST"])
@require("children.delete")
def remove_review(child_id: str, review_id: str):
    key = {"review_id": review_id}
    return _remove_page(child_id, Review, key, "review", operations.remove_review, _describe_review)


# --- IRO contacts ----------------------------------------------------------------------------


@bp.route("/<child_id>/contacts/new", methods=["GET", "POST"], defaults={"iro_contact_id": None})
@bp.route("/<child_id>/contacts/<iro_contact_id>/edit", methods=["GET", "POST"])
@require("children.edit")
def contact(child_id: str, iro_contact_id: str | None):
    child = load_or_404(Child, child_id=child_id)
    key = {"contact_id": iro_contact_id, "child_pk": child.id, "removed_at": None}
    existing = load_or_404(IroContact, **key) if iro_contact_id else None
    return _record_or_change(
        child,
        existing,
        lambda: (
            ContactForm(officer_id=_default_officer(child))
            if existing is None
            else ContactForm(obj=existing, contact_type=existing.contact_type or "")
        ),
        lambda form: dict(
            contact_date=form.contact_date.data,
            contact_type=form.contact_type.data,
            officer_id=form.officer_id.data or None,
        ),
        operations.record_contact,
        operations.edit_contact,
        lambda _contact: "IRO contact saved",
        f"{'Record an' if existing is None else 'Change the'} IRO contact with {child.child_id}",
    )


@bp.route("/<child_id>/contacts/<iro_contact_id>/remove", methods=["GET", "POST"])
@require("children.delete")
def remove_contact(child_id: str, iro_contact_id: str):
    key = {"contact_id": iro_contact_id}
    return _remove_page(child_id, IroContact, key, "IRO contact", operations.remove_contact, _describe_contact)


# --- SSDA903 ---------------------------------------------------------------------------------


def _checks_scope() -> list[str] | None:
    """Whose reviews the 903 checks cover: the whole authority for the IRO manager and the
    analyst (``ssda903.all``), else the QARO's own caseload."""
    if can(current_user, "ssda903.all"):
        return None
    return [current_user.officer_id] if current_user.officer_id else []


CHECK_COLUMNS = [
    Column("DfE rule", lambda f: f.rule),
    Column("Child", lambda f: f.child),
    Column("Review date", lambda f: f.review_date),
    Column("Participation code", lambda f: f.code or ""),
    Column("Message", lambda f: f.message),
]


@bp.route("/903-checks")
@require("children.edit", "ssda903.all")
def checks_903():
    """The reviews of a collection year that break the DfE's SSDA903 rules (rules903), grouped by
    rule, each with a link to correct it; the IRO manager and the analyst see the authority's,
    a QARO her caseload's. CSV/XLSX of the same, and the year's return tables."""
    form = CollectionYearForm(request.args)
    this_year = rules903.year_of(today())
    first_review = db.session.scalar(select(func.min(Review.review_date)).where(Review.removed_at.is_(None)))
    earliest = rules903.year_of(first_review) if first_review else this_year
    year = form.offer_years(this_year, max(earliest, this_year - 10), this_year - 1)
    officers = _checks_scope()
    found = ssda903.failures(year, officers)
    if fmt := requested_format():
        return send_table(
            fmt,
            title=f"SSDA903 checks {rules903.year_label(year)}",
            filename=f"903-checks-{year}",
            columns=CHECK_COLUMNS,
            rows=found,
        )
    by_rule: dict[str, list] = {}
    for failure in found:
        by_rule.setdefault(failure.rule, []).append(failure)
    start, end = rules903.collection_year(year)
    scope = "all" if officers is None else "mine"
    return render_template(
        "reviews/checks_903.html",
        form=form,
        year=year,
        year_label=rules903.year_label(year),
        ruleset=rules903.ruleset(year),
        counts=rules903.counts(found),
        by_rule=[(code, by_rule[code]) for code in rules903.counts(found)],
        total=len(found),
        whole_authority=officers is None,
        downloads=download_links("reviews.checks_903", {"year": [str(year)]}) if found else [],
        exports=[
            ("reviews.csv", url_for("reviews.export_903", scope=scope, **{"from": start, "to": end})),
            ("header.csv", url_for("reviews.export_903", scope=scope, table="header", **{"from": start, "to": end})),
        ],
    )


EXPORT_SCOPES = {"mine": "children.view", "qaro": "children.team", "team": "children.team", "all": "ssda903.all"}


@bp.route("/export/903-reviews.csv")
@require("children.view", "ssda903.all")
def export_903():
    """The SSDA903 REVIEWS layout for a period (default: the financial year to date) of the
    children a user asks for and may take, as *My children* shows them: ``scope=mine`` (her
    caseload: a QARO's default), ``scope=qaro&officer=Q`` or ``scope=team&team=T`` (one QARO's or
    a team's children: ``children.team``), ``scope=all`` (the whole authority: ``ssda903.all``,
    the IRO manager and the analyst, whose default it is, from their home page)."""
    default = kpis.year_to_date(today())
    try:
        start = dt.date.fromisoformat(request.args["from"]) if request.args.get("from") else default.start
        end = dt.date.fromisoformat(request.args["to"]) if request.args.get("to") else default.end
    except ValueError:
        abort(400)
    if end < start:  # as export-903 refuses --to before --from
        abort(400)
    scope = request.args.get("scope") or ("all" if can(current_user, "ssda903.all") else "mine")
    team, officer = (request.args.get("team") or "").strip(), (request.args.get("officer") or "").strip()
    if scope not in EXPORT_SCOPES or (scope == "team" and not team) or (scope == "qaro" and not officer):
        abort(400)
    if not can(current_user, EXPORT_SCOPES[scope]):
        abort(403)
    officers = {
        "mine": [current_user.officer_id] if current_user.officer_id else [],  # no officer id: no caseload
        "qaro": [officer],
        "team": queries.officers_in_team(team),
        "all": None,
    }[scope]
    table = request.args.get("table") or "reviews"  # the HEADER table of the same children: table=header
    if table not in ("reviews", "header"):
        abort(400)
    rows = (header_rows if table == "header" else export_rows)(start, end, officers)
    out = io.StringIO()
    write_csv(out, rows, lineterminator="\r\n")
    whose = {"mine": "caseload", "qaro": "qaro", "team": "team", "all": "authority"}[scope]
    audit.record(
        "ssda903.export",
        object_type="export",
        summary=f"SSDA903 {table} ({whose}) {start}..{end}: {len(rows) - 1} rows",
        after={"scope": scope, "team": team or None, "officer": officer or None, "rows": len(rows) - 1, "table": table},
    )
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="903-{table}-{whose}-{start}-{end}.csv"'},
    )
