"""Panel pages under /panels. Thin: queries.py reads; operations.py changes (and audits); the
request lifecycle commits. ``panel_admin`` edits, ``adm`` decides, ``manager`` reads."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from tracker.core import worklist
from tracker.core.clock import today
from tracker.core.forms import choices
from tracker.core.pagination import links, page_number
from tracker.core.permissions import require
from tracker.formatters import format_date
from tracker.panels import forms, operations, queries
from tracker.panels.models import CarerReview, CarerType, FosterHousehold, HouseholdStatus
from tracker.web.downloads import Column, download_links, requested_format, send_table
from tracker.web.forms import submit
from tracker.web.records import load_or_404, record_url

bp = Blueprint("panels", __name__, url_prefix="/panels")


# --- meetings, cases, the ADM queue, the to-return list ----------------------------------
# (helper B)


# --- foster households, returns to panel, temporary approvals --------------------------------
# The households list and a household's page show the ``carer_review`` deadline the worklist
# computes; whether the next review goes to panel, and why, is ``queries.household_frame``'s.
# Every page needs ``panels.view`` (panel_admin, adm, manager); every change ``panels.edit``.

HOUSEHOLD_SEARCH_KEY = "panels_household_search"  # the search's words: in the session, never in a URL
ENDED = "This household has ended: nothing about its approval can change any more."


def _reviewing_officer_choices(current: str | None = None, blank: str = "Not allocated"):
    """The fostering reviewing officers; ``current`` (the one a record names) kept when it is not one."""
    officers = queries.reviewing_officers()
    if current and current not in {officer_id for officer_id, _name in officers}:
        officers.append((current, current))
    return choices([("", blank)] + [(officer_id, f"{name} ({officer_id})") for officer_id, name in officers])


def _household(household_id: str) -> FosterHousehold:
    return load_or_404(FosterHousehold, household_id=household_id)


def _carer_review(household_id: str, carer_review_id: str) -> CarerReview:
    return load_or_404(CarerReview, review_id=carer_review_id, household_id=household_id)


def _household_page(form, title: str, household: FosterHousehold | None, *, refused: str | None = None, **context):
    """One form page about a household (``refused``: why the page offers no form)."""
    back = record_url("foster_household", household.household_id) if household else url_for("panels.households")
    caption = f"Foster household {household.household_id}" if household else "Foster carers"
    return render_template(
        "panels/household_form.html", form=form, title=title, back=back, caption=caption, refused=refused, **context
    )


def _household_saved(household: FosterHousehold, message: str):
    flash(message, "success")
    return redirect(record_url("foster_household", household.household_id))


def _reasons_text(row) -> str:
    return "; ".join(r.label for r in row.reasons) if row.to_panel else ""


HOUSEHOLD_COLUMNS = [
    Column("Household", lambda r: r.household_id),
    Column("Name", lambda r: r.name or ""),
    Column("Type of carer", lambda r: r.carer_type.label),
    Column("Status", lambda r: r.status.label),
    Column("Approved", lambda r: r.approval_date),
    Column("Ended", lambda r: r.end_date),
    Column("Reviewing officer", lambda r: r.officer),
    Column("Last review", lambda r: r.last_review),
    Column("Next review due", lambda r: r.due_date),
    Column("Next review status", lambda r: r.due_state.label if r.due_state else ""),
    Column("Next review goes to panel", lambda r: "" if r.to_panel is None else ("Yes" if r.to_panel else "No")),
    Column("Why it goes to panel", _reasons_text),
]


def _saved_search() -> str | None:
    saved = session.get(HOUSEHOLD_SEARCH_KEY)
    return saved if isinstance(saved, str) and saved else None


@bp.route("/households", methods=["GET", "POST"])
@require("panels.view")
def households():
    """Foster households with their next review (due date and state) and whether it goes to
    panel; filtered by status, type of carer, state and reviewing officer (GET), searched by
    reference or name (posted, kept in the session)."""
    filter_args = {k: v for k, v in request.args.items() if k in ("status", "carer_type", "state", "officer")}
    search_form = forms.HouseholdSearchForm()
    if request.method == "POST":
        if search_form.validate_on_submit():
            session[HOUSEHOLD_SEARCH_KEY] = (search_form.search.data or "").strip()
            return redirect(url_for("panels.households", **filter_args))
    elif request.args.get("clear_search"):
        session.pop(HOUSEHOLD_SEARCH_KEY, None)
        return redirect(url_for("panels.households", **filter_args))
    search = _saved_search()
    if request.method == "GET":
        search_form.search.data = search
    form = forms.HouseholdFilterForm(request.args)
    officers = queries.reviewing_officers()
    form.officer.choices = choices(
        [("", "Any officer"), ("none", "Not allocated")] + [(o, f"{name} ({o})") for o, name in officers]
    )
    if not request.args.get("status"):
        form.status.data = forms.CURRENT_HOUSEHOLDS
    valid = form.validate() if request.args else True

    def chosen(field):
        return ((field.data or "").strip() or None) if valid else None

    filters = queries.HouseholdFilters(
        status=chosen(form.status) or forms.CURRENT_HOUSEHOLDS,
        carer_type=chosen(form.carer_type),
        state=chosen(form.state),
        officer=chosen(form.officer),
        search=search,
    )
    args = filter_args if valid else {}
    if fmt := requested_format():
        return send_table(
            fmt,
            title="Foster households",
            filename="foster-households",
            columns=HOUSEHOLD_COLUMNS,
            rows=queries.households(filters),
            filters={**args, **({"search": True} if search else {})},  # that there was a search, never its words
        )
    page = queries.households_page(filters, page=page_number(), per_page=current_app.config["PAGE_SIZE"])
    due = worklist.for_records("foster_household", [r.household_id for r in page.items], today(), user=current_user)
    return render_template(
        "panels/households.html",
        form=search_form if search_form.errors else None,  # the error summary of a refused search
        filter_form=form,
        search_form=search_form,
        search=search,
        page=page,
        due={item.ref: item for item in due},
        pagination=links(page, "panels.households", **args),
        downloads=download_links("panels.households", args) if page.total else [],
        filter_args=args,
    )


@bp.route("/households/new", methods=["GET", "POST"])
@require("panels.edit")
def new_household():
    form = forms.HouseholdForm()
    form.reviewing_officer_id.choices = _reviewing_officer_choices()
    if request.method == "GET":
        form.approval_date.data = today()

    def create():
        return operations.create_household(
            household_id=form.household_id.data,
            name=form.name.data,
            carer_type=form.carer_type.data,
            approval_date=form.approval_date.data,
            reviewing_officer_id=form.reviewing_officer_id.data,
        )

    if done := submit(form, create, default_field="carer_type"):
        return _household_saved(done.result, f"Foster household {done.result.household_id} added.")
    return _household_page(form, "Add a foster household", None)


@bp.route("/households/<household_id>")
@require("panels.view")
def household(household_id: str):
    """A household: its details, reviews, next review (the worklist's deadline) and whether it goes
    to panel, its temporary approval, and its panel history with the LADO referral references of
    reviews after an allegation (the referrals' details stay LADO-only)."""
    household = _household(household_id)
    history = queries.panel_history(household.household_id)
    officer_ids = [household.reviewing_officer_id] + [r.reviewing_officer_id for r in household.reviews]
    return render_template(
        "panels/household.html",
        household=household,
        row=queries.household_row(household.household_id),
        deadlines=worklist.for_record("foster_household", household.household_id, today(), user=current_user),
        history=history,
        lado_referrals=sorted({h.lado_referral_id for h in history if h.lado_referral_id}),
        officers=worklist.officer_names() if any(officer_ids) else {},
        temporary_end=operations.temporary_approval_end(household),
        reviews=sorted(household.reviews, key=lambda r: r.review_date, reverse=True),
    )


@bp.route("/households/<household_id>/edit", methods=["GET", "POST"])
@require("panels.edit")
def edit_household(household_id: str):
    household = _household(household_id)
    form = forms.HouseholdForm(
        name=household.name,
        carer_type=household.carer_type.value,
        approval_date=household.approval_date,
        reviewing_officer_id=household.reviewing_officer_id or "",
    )
    del form.household_id
    form.reviewing_officer_id.choices = _reviewing_officer_choices(household.reviewing_officer_id)

    def save():
        return operations.update_household(
            household,
            name=form.name.data,
            carer_type=form.carer_type.data,
            approval_date=form.approval_date.data,
            reviewing_officer_id=form.reviewing_officer_id.data,
        )

    if submit(form, save, record=household, default_field="carer_type"):
        return _household_saved(household, "Household details saved.")
    return _household_page(form, "Change the household's details", household)


@bp.route("/households/<household_id>/status", methods=["GET", "POST"])
@require("panels.edit")
def household_status(household_id: str):
    """Put an approved household on hold, or one on hold back to approved."""
    household = _household(household_id)
    form = forms.HouseholdStatusForm()
    if household.status == HouseholdStatus.ended:
        return _household_page(form, "Change the household's status", household, refused=ENDED)
    on_hold = household.status == HouseholdStatus.on_hold
    form.submit.label.text = "Return to approved" if on_hold else "Put on hold"
    change = operations.return_to_approved if on_hold else operations.put_on_hold
    if submit(form, lambda: change(household), record=household):
        return _household_saved(
            household, "The household is approved again." if on_hold else "The household is on hold."
        )
    title = "Return the household to approved" if on_hold else "Put the household on hold"
    return _household_page(form, title, household, on_hold=on_hold)


@bp.route("/households/<household_id>/end", methods=["GET", "POST"])
@require("panels.edit")
def end_household(household_id: str):
    household = _household(household_id)
    form = forms.EndHouseholdForm()
    if household.status == HouseholdStatus.ended and not form.is_submitted():
        return _household_page(form, "End the household's approval", household, refused=ENDED)
    if request.method == "GET":
        form.end_date.data = today()

    def end():
        return operations.end_household(household, end_date=form.end_date.data, end_reason=form.end_reason.data)

    if submit(form, end, record=household, default_field="end_date"):
        return _household_saved(household, "The household's approval has ended.")
    return _household_page(form, "End the household's approval", household)


@bp.route("/households/<household_id>/reviews/new", methods=["GET", "POST"])
@require("panels.edit")
def new_carer_review(household_id: str):
    """Record a household's review. The page suggests whether it goes to panel by the rule
    (domain.md §7), and says why."""
    household = _household(household_id)
    row = queries.household_row(household.household_id)
    form = forms.CarerReviewForm()
    form.reviewing_officer_id.choices = _reviewing_officer_choices(household.reviewing_officer_id)
    if request.method == "GET":
        form.review_date.data = today()
        form.reviewing_officer_id.data = household.reviewing_officer_id or ""
        form.to_panel.data = "yes" if row and row.reasons else "no"

    def record():
        return operations.record_carer_review(
            household,
            review_date=form.review_date.data,
            reviewing_officer_id=form.reviewing_officer_id.data,
            to_panel=form.to_panel.data == "yes",
            outcome=form.outcome.data,
        )

    if done := submit(form, record, default_field="review_date"):
        return _household_saved(household, f"Review {done.result.review_id} saved.")
    return _household_page(form, "Record a review", household, reasons=row.reasons if row else [])


@bp.route("/households/<household_id>/reviews/<carer_review_id>/edit", methods=["GET", "POST"])
@require("panels.edit")
def edit_carer_review(household_id: str, carer_review_id: str):
    review = _carer_review(household_id, carer_review_id)
    form = forms.CarerReviewForm(
        review_date=review.review_date,
        reviewing_officer_id=review.reviewing_officer_id or "",
        to_panel="yes" if review.to_panel else "no",
        outcome=review.outcome.value if review.outcome else None,
    )
    form.reviewing_officer_id.choices = _reviewing_officer_choices(review.reviewing_officer_id)

    def save():
        return operations.update_carer_review(
            review,
            review_date=form.review_date.data,
            reviewing_officer_id=form.reviewing_officer_id.data,
            to_panel=form.to_panel.data == "yes",
            outcome=form.outcome.data,
        )

    if submit(form, save, record=review, default_field="review_date"):
        return _household_saved(review.household, f"Review {review.review_id} saved.")
    return _household_page(form, f"Change review {review.review_id}", review.household)


@bp.route("/households/<household_id>/reviews/<carer_review_id>/remove", methods=["GET", "POST"])
@require("panels.edit")
def remove_carer_review(household_id: str, carer_review_id: str):
    """Remove a review recorded by mistake, with the reason (kept in the audit log)."""
    review = _carer_review(household_id, carer_review_id)
    household, review_id = review.household, review.review_id
    form = forms.RemoveCarerReviewForm()
    if submit(form, lambda: operations.remove_carer_review(review, reason=form.reason.data), record=review):
        return _household_saved(household, f"Review {review_id} removed.")
    return _household_page(form, f"Remove review {review_id}", household, review=review)


@bp.route("/households/<household_id>/extend", methods=["GET", "POST"])
@require("panels.edit")
def extend_temporary_approval(household_id: str):
    """Reg 25: extend a temporary approval once, by a further 8 weeks, before it runs out."""
    household = _household(household_id)
    form = forms.ExtendTemporaryForm()
    title = "Extend the temporary approval"
    if household.carer_type != CarerType.temporary and not form.is_submitted():
        return _household_page(form, title, household, refused="This household is not a temporary approval.")
    if household.temporary_extended_date is not None and not form.is_submitted():
        refused = f"This temporary approval was already extended on {format_date(household.temporary_extended_date)}."
        return _household_page(form, title, household, refused=refused)
    if request.method == "GET":
        form.extended_date.data = today()

    def extend():
        return operations.extend_temporary_approval(household, extended_date=form.extended_date.data)

    if submit(form, extend, record=household, default_field="extended_date"):
        return _household_saved(household, "Temporary approval extended.")
    return _household_page(form, title, household, temporary_end=operations.temporary_approval_end(household))


@bp.route("/households/<household_id>/full-approval", methods=["GET", "POST"])
@require("panels.edit")
def full_approval(household_id: str):
    """A temporary approval becomes a full approval (connected person or mainstream)."""
    household = _household(household_id)
    form = forms.FullApprovalForm()
    title = "Record the full approval"
    if household.carer_type != CarerType.temporary and not form.is_submitted():
        return _household_page(form, title, household, refused="This household is already fully approved.")
    if request.method == "GET":
        form.carer_type.data, form.approval_date.data = CarerType.connected.value, today()

    def approve():
        return operations.record_full_approval(
            household, carer_type=form.carer_type.data, approval_date=form.approval_date.data
        )

    if submit(form, approve, record=household, default_field="approval_date"):
        return _household_saved(household, "Full approval recorded.")
    return _household_page(form, title, household)


@bp.route("/returns-to-panel")
@require("panels.view")
def returns():
    """Households whose next review must go to panel (first, third-year, after an allegation),
    with the date it is due, and the reviews after an allegation whose household is not named yet."""
    rows = queries.returns_to_panel()
    due = worklist.for_records("foster_household", [r.household_id for r in rows], today(), user=current_user)
    return render_template(
        "panels/returns.html",
        rows=rows,
        due={item.ref: item for item in due},
        unnamed=queries.unnamed_allegation_cases(),
    )


@bp.route("/temporary-approvals")
@require("panels.view")
def temporary_approvals():
    """Connected-person temporary approvals (reg 24) with their end date (extended once under
    reg 25) and the extension or full approval booked for panel."""
    return render_template("panels/temporary_approvals.html", rows=queries.temporary_approvals())
