"""LADO pages under /lado. Thin: permission (LADO roles only, checked before anything is
loaded, so other roles get 403 and learn nothing) → load (404) → form → one operation →
redirect; the request lifecycle commits.

Every page of this blueprint is an audited read of LADO records (domain.md §1): the lifecycle
writes its ``lado_record.read`` row — naming the record (``@reads``) or the references a list
showed (``note_read``) — so no page can forget it. The referral's page shows the deadlines the
worklist computes (``worklist.for_record``).
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import func, select

from tracker.core import worklist
from tracker.core.clock import today
from tracker.core.forms import choices
from tracker.core.pagination import links, page_number, paginate
from tracker.core.permissions import require
from tracker.extensions import db
from tracker.lado import forms, operations, queries
from tracker.lado.models import (
    Disposition,
    LadoAction,
    LadoContact,
    LadoMeeting,
    LadoOrganisation,
    LadoPerson,
    LadoReferral,
    MeetingType,
    Sector,
)
from tracker.web import lifecycle
from tracker.web.forms import carry_version, is_stale, submit
from tracker.web.lifecycle import note_read, note_read_record, reads
from tracker.web.records import load_or_404, record_url

bp = Blueprint("lado", __name__, url_prefix="/lado")
lifecycle.audit_reads(bp)

SEARCH_KEY = "lado_search"
ACTIONS_KEY = "lado_actions_filter"


def _args_without_page(*allowed: str) -> dict:
    """The listed (non-personal) filter arguments to carry over to the other pages; anything
    else typed into the URL is not repeated in the links."""
    return {k: request.args.getlist(k) for k in allowed if k in request.args}


def _retention(contact: LadoContact):
    dob = contact.person.date_of_birth if contact.person is not None else None
    return queries.retention_date(contact.contact_date, dob)


def _form_page(form, title: str, back: str, template: str = "form_page.html", **context):
    return render_template(template, form=form, title=title, back=back, caption="LADO", **context)


# --- contacts --------------------------------------------------------------------------------------


@bp.route("/")
@require("lado.view")
def index():
    """The contacts log, filtered by date, sector and disposition."""
    form = forms.ContactFilterForm(request.args)
    form.validate()
    page = paginate(
        queries.contacts_log(
            date_from=None if form.date_from.errors else form.date_from.data,
            date_to=None if form.date_to.errors else form.date_to.data,
            sector=Sector.get(form.sector.data),
            disposition=Disposition.get(form.disposition.data),
        ),
        page_number(),
        current_app.config["PAGE_SIZE"],
    )
    note_read([c.contact_id for c in page.items], page=page.page, total=page.total)
    return render_template(
        "lado/index.html",
        filter_form=form,
        form=form if form.errors else None,
        page=page,
        pagination=links(page, "lado.index", **_args_without_page("date_from", "date_to", "sector", "disposition")),
    )


@bp.route("/contacts/new", methods=["GET", "POST"])
@require("lado.edit")
def new_contact():
    form = forms.ContactForm()
    if request.method == "GET" and form.contact_date.data is None:
        form.contact_date.data = today()
    logged = submit(
        form,
        lambda: operations.log_contact(
            **form.details(),
            disposition=form.disposition.data,
            officer_id=getattr(current_user, "officer_id", None),
        ),
    )
    if logged:
        contact = logged.result
        if contact.referral is not None:
            flash(f"Contact {contact.contact_id} saved and referral {contact.referral.referral_id} opened.", "success")
            return redirect(record_url("lado_referral", contact.referral.referral_id))
        flash(f"Contact {contact.contact_id} saved.", "success")
        return redirect(record_url("lado_contact", contact.contact_id))
    return render_template("lado/contact_new.html", form=form)


@bp.route("/contacts/<contact_id>")
@require("lado.view")
@reads("lado_contact", "contact_id")
def contact(contact_id: str):
    contact = load_or_404(LadoContact, contact_id=contact_id)
    return render_template("lado/contact.html", contact=contact, retention=_retention(contact))


@bp.route("/contacts/<contact_id>/referral", methods=["GET", "POST"])
@require("lado.edit")
@reads("lado_contact", "contact_id")
def progress(contact_id: str):
    contact = load_or_404(LadoContact, contact_id=contact_id)
    if contact.referral is not None:
        return redirect(record_url("lado_referral", contact.referral.referral_id))
    form = forms.ReferralForm()
    if request.method == "GET":
        form.referral_date.data = today()
    made = submit(
        form,
        lambda: operations.progress_to_referral(
            contact,
            referral_date=form.referral_date.data,
            police_investigation=form.police_investigation.data,
            officer_id=getattr(current_user, "officer_id", None) or contact.officer_id,
        ),
        record=contact,
    )
    if made:
        flash(f"Referral {made.result.referral_id} opened.", "success")
        return redirect(record_url("lado_referral", made.result.referral_id))
    return _form_page(
        form, f"Progress contact {contact.contact_id} to a referral", record_url("lado_contact", contact.contact_id)
    )


@bp.route("/contacts/<contact_id>/edit", methods=["GET", "POST"])
@require("lado.edit")
@reads("lado_contact", "contact_id")
def edit_contact(contact_id: str):
    """Change a contact's details. A contact with a referral keeps the disposition ‘referral’
    (the choice is not offered); the contact of a closed referral is read-only."""
    contact = load_or_404(LadoContact, contact_id=contact_id)
    back = record_url("lado_contact", contact.contact_id)
    if contact.referral is not None and contact.referral.closed_date is not None:
        flash(
            f"Referral {contact.referral.referral_id} is closed. Re-open it before changing this contact.", "important"
        )
        return redirect(back)
    form = forms.ContactEditForm()
    has_referral = contact.referral is not None
    if has_referral:
        del form.disposition
    if request.method == "GET":
        for key in ("contact_date", "employer_sector", "person_ref", "subject_role", "organisation_ref",
                    "referrer_agency", "categories", "foster_carer_type", "foster_carer_agency", "summary"):  # fmt: skip
            getattr(form, key).data = getattr(contact, key)
        if not has_referral:
            form.disposition.data = contact.disposition

    def save():
        fields = form.details()
        if not has_referral:
            fields["disposition"] = form.disposition.data
        return operations.update_contact(contact, **fields)

    if submit(form, save, record=contact):
        flash(f"Contact {contact.contact_id} saved.", "success")
        return redirect(back)
    return render_template(
        "lado/contact_edit.html", form=form, contact=load_or_404(LadoContact, contact_id=contact_id), back=back
    )


# --- referrals ---------------------------------------------------------------------------------------


@bp.route("/referrals")
@require("lado.view")
def referrals():
    """Open referrals with their next deadline (IEM, PAIM or an action) and its state."""
    mine = request.args.get("mine") == "1" and getattr(current_user, "officer_id", None)
    query = queries.open_referrals_with_deadlines(today(), officer_id=current_user.officer_id if mine else None)
    page = paginate(query, page_number(), current_app.config["PAGE_SIZE"], scalars=False)
    note_read([r.LadoReferral.referral_id for r in page.items], page=page.page, total=page.total)
    return render_template(
        "lado/referrals.html",
        page=page,
        mine=bool(mine),
        pagination=links(page, "lado.referrals", **_args_without_page("mine")),
    )


@bp.route("/referrals/<referral_id>")
@require("lado.view")
@reads("lado_referral", "referral_id")
def referral(referral_id: str):
    referral = load_or_404(LadoReferral, referral_id=referral_id)
    deadlines = worklist.for_record("lado_referral", referral.referral_id, today())
    return render_template(
        "lado/referral.html",
        referral=referral,
        contact=referral.contact,
        timeline=queries.timeline(referral, today()),
        deadlines=[i for i in deadlines if i.kind != "lado_action"],
        action_deadlines={i.ref: i for i in deadlines if i.kind == "lado_action"},
        retention=_retention(referral.contact),
    )


def _referral_step(referral_id: str, form, title: str, apply, *, allow_closed: bool = False, prefill=None,
                   template: str = "form_page.html", adds: bool = False, setup=None):  # fmt: skip
    """One small form page per step of a referral (GOV.UK: one thing per page). A step that
    changes the referral is refused when a colleague changed the referral since the page was
    opened; a step that ``adds`` a meeting or an action to it is not (it overwrites nothing,
    and a closed referral refuses it anyway). ``setup(form, referral)`` fills the form's
    choices; ``prefill(form, referral)`` its values on GET."""
    referral = load_or_404(LadoReferral, referral_id=referral_id)
    back = record_url("lado_referral", referral.referral_id)
    if setup:
        setup(form, referral)
    if referral.closed_date is not None and not allow_closed and (adds or not is_stale(form, referral)):
        # (a post from a page opened before a colleague closed it shows the conflict instead)
        flash("This referral is closed. Re-open it before changing it.", "important")
        return redirect(back)
    if request.method == "GET" and prefill:
        prefill(form, referral)
    if done := submit(form, lambda: apply(form, referral), record=None if adds else referral):
        flash(done.result, "success")
        return redirect(back)
    return _form_page(form, title.format(ref=referral.referral_id), back, template=template)


@bp.route("/referrals/<referral_id>/meetings/new", methods=["GET", "POST"])
@require("lado.edit")
@reads("lado_referral", "referral_id")
def new_meeting(referral_id: str):
    def apply(form, referral):
        m = operations.record_meeting(
            referral,
            meeting_type=form.meeting_type.data,
            meeting_date=form.meeting_date.data,
            attendees=form.attendees.data,
            minutes_notes=form.minutes_notes.data,
            decisions=form.decisions.data,
        )
        return f"{m.meeting_type.label} saved."

    def prefill(form, referral):
        # the next meeting is suggested: the IEM first, then the PAIM (``?type=`` chooses another)
        chosen = MeetingType.get(request.args.get("type"))
        held = {m.meeting_type for m in referral.meetings}
        form.meeting_type.data = (chosen or (MeetingType.paim if MeetingType.iem in held else MeetingType.iem)).value
        form.meeting_date.data = today()

    return _referral_step(
        referral_id,
        forms.MeetingForm(),
        "Record or schedule a meeting for referral {ref}",
        apply,
        prefill=prefill,
        adds=True,
    )


@bp.route("/meetings/<meeting_id>/edit", methods=["GET", "POST"])
@require("lado.edit")
@reads("lado_meeting", "meeting_id")
def edit_meeting(meeting_id: str):
    """Change a meeting (date, type, attendees, minutes, decisions); read-only once the
    referral is closed."""
    meeting = load_or_404(LadoMeeting, meeting_id=meeting_id)
    back = record_url("lado_referral", meeting.referral_id)
    if meeting.referral.closed_date is not None:
        flash("This referral is closed. Re-open it before changing it.", "important")
        return redirect(back)
    form = forms.MeetingForm()
    if request.method == "GET":
        for key in operations.MEETING_FIELDS:
            getattr(form, key).data = getattr(meeting, key)
    changed = submit(
        form,
        lambda: operations.update_meeting(
            meeting,
            meeting_type=form.meeting_type.data,
            meeting_date=form.meeting_date.data,
            attendees=form.attendees.data,
            minutes_notes=form.minutes_notes.data,
            decisions=form.decisions.data,
        ),
        record=meeting,
    )
    if changed:
        flash(f"{changed.result.meeting_type.label} saved.", "success")
        return redirect(back)
    return _form_page(form, f"Change meeting {meeting_id} of referral {meeting.referral_id}", back)


@bp.route("/referrals/<referral_id>/outcome", methods=["GET", "POST"])
@require("lado.edit")
@reads("lado_referral", "referral_id")
def outcome(referral_id: str):
    def apply(form, referral):
        operations.record_outcome(
            referral,
            outcome=form.outcome.data,
            outcome_date=form.outcome_date.data,
            child_informed=form.child_informed.data,
        )
        return "Outcome saved."

    def prefill(form, referral):
        form.outcome.data = referral.outcome
        form.outcome_date.data = referral.outcome_date or today()
        form.child_informed.data = referral.child_informed

    return _referral_step(
        referral_id, forms.OutcomeForm(), "Record the outcome of referral {ref}", apply, prefill=prefill
    )


@bp.route("/referrals/<referral_id>/dbs", methods=["GET", "POST"])
@require("lado.edit")
@reads("lado_referral", "referral_id")
def dbs(referral_id: str):
    def apply(form, referral):
        operations.record_dbs_referral(referral, dbs_referral_date=form.dbs_referral_date.data)
        return "DBS referral date saved."

    return _referral_step(referral_id, forms.DbsForm(), "Record the DBS referral for referral {ref}", apply)


@bp.route("/referrals/<referral_id>/details", methods=["GET", "POST"])
@require("lado.edit")
@reads("lado_referral", "referral_id")
def details(referral_id: str):
    def apply(form, referral):
        operations.update_referral(
            referral,
            police_investigation=form.police_investigation.data,
            officer_id=form.officer_id.data,
            child_informed=form.child_informed.data,
            returned_to_panel=form.returned_to_panel.data,
        )
        return "Referral details saved."

    def prefill(form, referral):
        form.police_investigation.data = referral.police_investigation
        form.child_informed.data = referral.child_informed
        form.returned_to_panel.data = referral.returned_to_panel
        form.officer_id.data = referral.officer_id or ""

    def setup(form, referral):
        form.officer_id.choices = _lado_officer_choices(referral.officer_id)

    return _referral_step(
        referral_id, forms.ReferralDetailsForm(), "Referral {ref}: details", apply, prefill=prefill, setup=setup
    )


def _lado_officer_choices(current: str | None):
    """The LADO officers a referral may be allocated to; ``current`` (the officer it is allocated
    to) is kept as a choice when it is not one any more, so saving the other details keeps it."""
    officers = [(officer_id, f"{name} ({officer_id})") for officer_id, name in queries.lado_officers()]
    if current and current not in {officer_id for officer_id, _ in officers}:
        officers.append((current, current))
    return choices([("", "Not allocated")] + officers)


@bp.route("/referrals/<referral_id>/close", methods=["GET", "POST"])
@require("lado.edit")
@reads("lado_referral", "referral_id")
def close(referral_id: str):
    def apply(form, referral):
        operations.close_referral(referral, closed_date=form.closed_date.data)
        return "Referral closed."

    def prefill(form, referral):
        form.closed_date.data = today()

    return _referral_step(referral_id, forms.CloseForm(), "Close referral {ref}", apply, prefill=prefill)


@bp.route("/referrals/<referral_id>/reopen", methods=["GET", "POST"])
@require("lado.edit")
@reads("lado_referral", "referral_id")
def reopen(referral_id: str):
    def apply(form, referral):
        operations.reopen_referral(referral, reason=form.reason.data)
        return "Referral re-opened."

    return _referral_step(referral_id, forms.ReopenForm(), "Re-open referral {ref}", apply, allow_closed=True)


@bp.route("/referrals/<referral_id>/actions/new", methods=["GET", "POST"])
@require("lado.edit")
@reads("lado_referral", "referral_id")
def new_action(referral_id: str):
    def apply(form, referral):
        action = operations.add_action(
            referral, description=form.description.data, owner=form.owner.data, due_date=form.due_date.data
        )
        return f"Action {action.action_id} added."

    return _referral_step(referral_id, forms.ActionForm(), "Add an action to referral {ref}", apply, adds=True)


# --- actions -------------------------------------------------------------------------------------------


@bp.route("/actions", methods=["GET", "POST"])
@require("lado.view")
def actions():
    """The actions tracker: open or overdue actions, by owner (reviewed quarterly).

    An owner may be a person's name, so the filter is posted and kept in the session like the
    search; only ``?view=open|overdue`` (not personal) and the page number go in the URL."""
    form = forms.ActionFilterForm()
    form.owner.choices = choices([("", "Any owner")] + [(o, o) for o in queries.action_owners()])
    if request.method == "POST":
        if form.validate_on_submit():
            session[ACTIONS_KEY] = {"owner": form.owner.data or ""}
            view = form.view.data if form.view.data in ("open", "overdue") else "open"
            return redirect(url_for("lado.actions", view=view))
        return redirect(url_for("lado.actions"))
    saved = session.get(ACTIONS_KEY) if isinstance(session.get(ACTIONS_KEY), dict) else {}
    owner = saved.get("owner") or None
    view = request.args.get("view") if request.args.get("view") in ("open", "overdue") else "open"
    form.view.data, form.owner.data = view, owner
    page = paginate(
        queries.actions_tracker(today(), view=view, owner=owner),
        page_number(),
        current_app.config["PAGE_SIZE"],
        scalars=False,
    )
    note_read([r.LadoAction.action_id for r in page.items], page=page.page, total=page.total)
    return render_template(
        "lado/actions.html",
        filter_form=form,
        page=page,
        view=view,
        owner=owner,
        pagination=links(page, "lado.actions", view=view),
    )


def _action_page(action: LadoAction, complete_form=None, review_form=None, form=None):
    return render_template(
        "lado/action.html",
        action=action,
        deadline=next(iter(worklist.collect(today(), kinds=["lado_action"], refs=[action.action_id])), None),
        form=form,
        complete_form=complete_form
        or carry_version(forms.CompleteActionForm(formdata=None, completed_date=today()), action),
        review_form=review_form or carry_version(forms.ReviewActionForm(formdata=None), action),
    )


@bp.route("/actions/<action_id>")
@require("lado.view")
@reads("lado_action", "action_id")
def action(action_id: str):
    return _action_page(load_or_404(LadoAction, action_id=action_id))


@bp.route("/actions/<action_id>/complete", methods=["GET", "POST"])
@require("lado.edit")
@reads("lado_action", "action_id")
def complete_action(action_id: str):
    action = load_or_404(LadoAction, action_id=action_id)
    if request.method == "GET":
        return redirect(record_url("lado_action", action_id))
    form = forms.CompleteActionForm()
    if submit(form, lambda: operations.complete_action(action, completed_date=form.completed_date.data), record=action):
        flash(f"Action {action.action_id} completed.", "success")
        return redirect(record_url("lado_action", action_id))
    return _action_page(load_or_404(LadoAction, action_id=action_id), complete_form=form, form=form)


@bp.route("/actions/<action_id>/review", methods=["GET", "POST"])
@require("lado.edit")
@reads("lado_action", "action_id")
def review_action(action_id: str):
    action = load_or_404(LadoAction, action_id=action_id)
    if request.method == "GET":
        return redirect(record_url("lado_action", action_id))
    form = forms.ReviewActionForm()
    if submit(form, lambda: operations.review_action(action, notes=form.notes.data), record=action):
        flash("Review notes added.", "success")
        return redirect(record_url("lado_action", action_id))
    return _action_page(load_or_404(LadoAction, action_id=action_id), review_form=form, form=form)


# --- repeat concerns: people and organisations -----------------------------------------------------------


@bp.route("/people/<public_id>", methods=["GET", "POST"])
@require("lado.view")
@reads("lado_person")
def person(public_id: str):
    """A person's page is at their random public id: their reference may be a name, and stays
    out of URLs and out of the audit log, whose rows name the person by the public id too."""
    person = load_or_404(LadoPerson, public_id=public_id)
    note_read_record(person.public_id)
    form = forms.PersonForm(obj=person) if request.method == "GET" else forms.PersonForm()
    if request.method == "POST":
        from tracker.core.permissions import check

        check("lado.edit")
        if submit(
            form,
            lambda: operations.update_person(
                person, name=form.name.data, date_of_birth=form.date_of_birth.data, notes=form.notes.data
            ),
            record=person,
        ):
            flash("Person saved.", "success")
            return redirect(record_url("lado_person", person))
        person = load_or_404(LadoPerson, public_id=public_id)
    rows = queries.contacts_about(person_ref=person.ref)
    return render_template(
        "lado/person.html",
        person=person,
        rows=rows,
        form=form,
        retention=max((queries.retention_date(c.contact_date, person.date_of_birth) for c, _ in rows), default=None),
    )


@bp.route("/organisations/<ref>")
@require("lado.view")
@reads("lado_organisation", "ref")
def organisation(ref: str):
    org = load_or_404(LadoOrganisation, ref=ref)
    return render_template(
        "lado/organisation.html", organisation=org, rows=queries.contacts_about(organisation_ref=org.ref)
    )


def _saved_search() -> dict:
    """The criteria of the last search, kept in the session (never in the URL)."""
    saved = session.get(SEARCH_KEY)
    return saved if isinstance(saved, dict) else {}


def _saved_dob(saved: dict):
    try:
        return dt.date.fromisoformat(saved["date_of_birth"]) if saved.get("date_of_birth") else None
    except (TypeError, ValueError):
        return None


@bp.route("/search", methods=["GET", "POST"])
@require("lado.view")
def search():
    """Find people by name, date of birth or organisation.

    The form is posted (CSRF) and the criteria are kept in the session, so names and dates of
    birth never appear in a URL, the browser history or the server's request log; result pages
    are ``/lado/search?page=N``. Each page of results shown is an audited read (ids only, never
    the name, date of birth or organisation searched for).
    """
    form = forms.SearchForm()
    if request.method == "POST":
        if form.validate_on_submit():
            session[SEARCH_KEY] = {
                "name": (form.name.data or "").strip(),
                "date_of_birth": form.date_of_birth.data.isoformat() if form.date_of_birth.data else "",
                "organisation": (form.organisation.data or "").strip(),
            }
            return redirect(url_for("lado.search"))
        session.pop(SEARCH_KEY, None)  # the page shows the errors, not an older search's results
        return render_template(
            "lado/search.html", filter_form=form, form=form, people=None, orgs=None, pagination=None, searching=False
        )
    if request.args.get("clear"):
        session.pop(SEARCH_KEY, None)
        return redirect(url_for("lado.search"))
    saved = _saved_search()
    name, dob, organisation = saved.get("name") or None, _saved_dob(saved), saved.get("organisation") or None
    form.name.data, form.date_of_birth.data, form.organisation.data = name, dob, organisation
    people = orgs = None
    if name or dob or organisation:
        people = paginate(
            queries.search_people(name=name, date_of_birth=dob, organisation=organisation),
            page_number(),
            current_app.config["PAGE_SIZE"],
        )
        if organisation and not name and not dob:
            orgs = list(db.session.scalars(queries.search_organisations(organisation).limit(50)))
        note_read(
            [p.public_id for p in people.items] + [o.ref for o in orgs or ()],
            page=people.page,
            total=people.total,
            by=[k for k, v in (("name", name), ("date_of_birth", dob), ("organisation", organisation)) if v],
        )
    return render_template(
        "lado/search.html",
        filter_form=form,
        form=None,
        people=people,
        orgs=orgs,
        searching=people is not None,
        pagination=links(people, "lado.search") if people else None,
    )


# --- oversight and retention (lado_manager) ------------------------------------------------------------


@bp.route("/oversight")
@require("lado.oversight")
def oversight():
    """Every open referral with an overdue deadline, for the service manager (filtered, counted
    and paginated in the database)."""
    as_of = today()
    open_count = db.session.scalar(select(func.count()).select_from(queries.open_referrals(as_of).subquery()))
    page = paginate(
        queries.open_referrals_with_deadlines(as_of, overdue_only=True),
        page_number(),
        current_app.config["PAGE_SIZE"],
        scalars=False,
    )
    note_read([r.LadoReferral.referral_id for r in page.items], page=page.page, total=page.total)
    return render_template(
        "lado/oversight.html",
        page=page,
        open_count=open_count,
        as_of=as_of,
        pagination=links(page, "lado.oversight"),
    )


@bp.route("/retention")
@require("lado.oversight")
def retention():
    """Records past their retention date (the later of contact + 10 years and pension age)."""
    as_of = today()
    page = paginate(queries.past_retention(as_of), page_number(), current_app.config["PAGE_SIZE"], scalars=False)
    note_read([row.LadoContact.contact_id for row in page.items], page=page.page, total=page.total)
    return render_template(
        "lado/retention.html",
        page=page,
        as_of=as_of,
        pension_age=queries.pension_age(),
        retention_date=queries.retention_date,
        pagination=links(page, "lado.retention"),
    )


# --- the LADO audit log (lado_manager) -------------------------------------------------------------------


@bp.route("/audit")
@require("lado.oversight")
def audit_log():
    """The audit log's LADO rows (changes to LADO records and reads of them), with their values:
    the administrators' log, filtered to the ``lado`` family (``permissions.audit_family``).
    Showing the values is itself a read of the records the rows name: ``audit_log_page`` notes
    their references (``note_read``), as the administrators' log does for a LADO role."""
    from tracker.admin.views import audit_log_page

    return render_template("lado/audit.html", **audit_log_page("lado.audit_log", family="lado"))
