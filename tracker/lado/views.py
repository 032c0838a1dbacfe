"""LADO pages under /lado. Thin: permission (LADO roles only, checked before anything is
loaded, so other roles get 403 and learn nothing) → load (404) → form → one operation →
one commit → redirect. Every read of a contact, referral, person or organisation page, and
every search, writes an audit row (domain.md §1)."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from sqlalchemy import func, select

from tracker.core import timescales
from tracker.core.clock import today
from tracker.core.permissions import require
from tracker.extensions import db
from tracker.lado import forms, operations, queries
from tracker.lado.models import (
    CATEGORIES,
    DISPOSITIONS,
    FOSTER_CARER_AGENCIES,
    FOSTER_CARER_TYPES,
    MEETING_TYPES,
    OUTCOME_DEFINITIONS,
    OUTCOMES,
    SECTORS,
    LadoAction,
    LadoContact,
    LadoMeeting,
    LadoOrganisation,
    LadoPerson,
    LadoReferral,
)
from tracker.lado.operations import LadoError

from tracker.core.pagination import Page, links, page_number, paginate

bp = Blueprint("lado", __name__, url_prefix="/lado")

LABELS = {
    "dispositions": DISPOSITIONS, "sectors": SECTORS, "categories": CATEGORIES, "outcomes": OUTCOMES,
    "meeting_types": MEETING_TYPES, "carer_types": FOSTER_CARER_TYPES, "carer_agencies": FOSTER_CARER_AGENCIES,
    "definitions": OUTCOME_DEFINITIONS,
}


@bp.context_processor
def _labels():
    return {"labels": LABELS}


def _args_without_page(*allowed: str) -> dict:
    """The listed (non-personal) filter arguments to carry over to the other pages; anything
    else typed into the URL is not repeated in the links."""
    return {k: request.args.getlist(k) for k in allowed if k in request.args}


def _get(model, key):
    obj = db.session.get(model, key)
    if obj is None:
        abort(404)
    return obj


def _field_error(form, exc: LadoError) -> None:
    db.session.rollback()
    field = getattr(form, exc.field, None) if exc.field else None
    if field is None:
        field = next(f for f in form if f.type not in ("CSRFTokenField", "SubmitField"))
    field.errors = list(field.errors) + [exc.message]


def _record_list_read(name: str, page: Page, refs: list[str]) -> None:
    """Audit a page of a LADO list that shows records (domain.md §1: every read of a LADO
    record). The caller renders first and then commits, so the rows shown are not reloaded."""
    if refs:
        operations.record_list_read(name, page=page.page, total=page.total, refs=refs)


def _rendered_then_committed(template: str, **context) -> str:
    html = render_template(template, **context)
    db.session.commit()  # the lado.read audit row
    return html


def _retention(contact: LadoContact):
    dob = contact.person.date_of_birth if contact.person is not None else None
    return queries.retention_date(contact.contact_date, dob)


# --- contacts ---------------------------------------------------------------------------------


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
            sector=form.sector.data if form.sector.data in SECTORS else None,
            disposition=form.disposition.data if form.disposition.data in DISPOSITIONS else None,
        ),
        page_number(), current_app.config["PAGE_SIZE"],
    )
    _record_list_read("contacts log", page, [c.contact_id for c in page.items])
    return _rendered_then_committed("lado/index.html", filter_form=form, form=form if form.errors else None, page=page,
                           pagination=links(page, "lado.index", **_args_without_page("date_from", "date_to", "sector", "disposition")))


@bp.route("/contacts/new", methods=["GET", "POST"])
@require("lado.edit")
def new_contact():
    form = forms.ContactForm()
    if request.method == "GET" and form.contact_date.data is None:
        form.contact_date.data = today()
    if form.validate_on_submit():
        try:
            contact = operations.log_contact(
                contact_date=form.contact_date.data, employer_sector=form.employer_sector.data,
                disposition=form.disposition.data, referrer_agency=form.referrer_agency.data,
                subject_role=form.subject_role.data, person_ref=form.person_ref.data,
                person_name=form.person_name.data, person_dob=form.person_dob.data,
                organisation_ref=form.organisation_ref.data, organisation_name=form.organisation_name.data,
                categories=form.categories.data or [], foster_carer_type=form.foster_carer_type.data or None,
                foster_carer_agency=form.foster_carer_agency.data or None,
                officer_id=getattr(current_user, "officer_id", None), summary=form.summary.data or "",
            )
        except LadoError as exc:
            _field_error(form, exc)
        else:
            db.session.commit()
            if contact.referral is not None:
                flash(f"Contact {contact.contact_id} saved and referral {contact.referral.referral_id} opened.", "success")
                return redirect(url_for("lado.referral", referral_id=contact.referral.referral_id))
            flash(f"Contact {contact.contact_id} saved.", "success")
            return redirect(url_for("lado.contact", contact_id=contact.contact_id))
    return render_template("lado/contact_new.html", form=form)


@bp.route("/contacts/<contact_id>")
@require("lado.view")
def contact(contact_id: str):
    contact = _get(LadoContact, contact_id)
    operations.record_read("lado_contact", contact.contact_id)
    db.session.commit()
    return render_template("lado/contact.html", contact=contact, retention=_retention(contact))


@bp.route("/contacts/<contact_id>/referral", methods=["GET", "POST"])
@require("lado.edit")
def progress(contact_id: str):
    contact = _get(LadoContact, contact_id)
    if contact.referral is not None:
        return redirect(url_for("lado.referral", referral_id=contact.referral.referral_id))
    form = forms.ReferralForm()
    if request.method == "GET":
        form.referral_date.data = today()
    if form.validate_on_submit():
        try:
            referral = operations.progress_to_referral(
                contact, referral_date=form.referral_date.data, police_investigation=form.police_investigation.data,
                officer_id=getattr(current_user, "officer_id", None) or contact.officer_id)
        except LadoError as exc:
            _field_error(form, exc)
        else:
            db.session.commit()
            flash(f"Referral {referral.referral_id} opened.", "success")
            return redirect(url_for("lado.referral", referral_id=referral.referral_id))
    return render_template("lado/form_page.html", form=form, title=f"Progress contact {contact.contact_id} to a referral",
                           back=url_for("lado.contact", contact_id=contact.contact_id))


@bp.route("/contacts/<contact_id>/edit", methods=["GET", "POST"])
@require("lado.edit")
def edit_contact(contact_id: str):
    """Change a contact's details. A contact with a referral keeps the disposition ‘referral’
    (the choice is not offered); the contact of a closed referral is read-only."""
    contact = _get(LadoContact, contact_id)
    back = url_for("lado.contact", contact_id=contact.contact_id)
    if contact.referral is not None and contact.referral.closed_date is not None:
        flash(f"Referral {contact.referral.referral_id} is closed. Re-open it before changing this contact.", "important")
        return redirect(back)
    form = forms.ContactEditForm()
    has_referral = contact.referral is not None
    if has_referral:
        del form.disposition
    if request.method == "GET":
        form.contact_date.data = contact.contact_date
        form.employer_sector.data = contact.employer_sector
        if not has_referral:
            form.disposition.data = contact.disposition
        form.person_ref.data = contact.person_ref
        form.subject_role.data = contact.subject_role
        form.organisation_ref.data = contact.organisation_ref
        form.referrer_agency.data = contact.referrer_agency
        form.categories.data = contact.categories
        form.foster_carer_type.data = contact.foster_carer_type
        form.foster_carer_agency.data = contact.foster_carer_agency
        form.summary.data = contact.summary
    if form.validate_on_submit():
        fields = dict(
            contact_date=form.contact_date.data, employer_sector=form.employer_sector.data,
            referrer_agency=form.referrer_agency.data, subject_role=form.subject_role.data,
            person_ref=form.person_ref.data, person_name=form.person_name.data, person_dob=form.person_dob.data,
            organisation_ref=form.organisation_ref.data, organisation_name=form.organisation_name.data,
            categories=form.categories.data or [], foster_carer_type=form.foster_carer_type.data or None,
            foster_carer_agency=form.foster_carer_agency.data or None, summary=form.summary.data or "",
        )
        if not has_referral:
            fields["disposition"] = form.disposition.data
        try:
            operations.update_contact(contact, **fields)
        except LadoError as exc:
            _field_error(form, exc)
        else:
            db.session.commit()
            flash(f"Contact {contact.contact_id} saved.", "success")
            return redirect(back)
    contact = _get(LadoContact, contact_id)
    return render_template("lado/contact_edit.html", form=form, contact=contact, back=back)


# --- referrals ------------------------------------------------------------------------------------


@bp.route("/referrals")
@require("lado.view")
def referrals():
    """Open referrals with their next deadline (IEM, PAIM or an action) and its state."""
    as_of = today()
    mine = request.args.get("mine") == "1" and getattr(current_user, "officer_id", None)
    query = queries.open_referrals_with_deadlines(as_of, officer_id=current_user.officer_id if mine else None)
    page = paginate(query, page_number(), current_app.config["PAGE_SIZE"], scalars=False)
    _record_list_read("open referrals", page, [r.LadoReferral.referral_id for r in page.items])
    return _rendered_then_committed("lado/referrals.html", page=page, as_of=as_of, mine=bool(mine),
                           pagination=links(page, "lado.referrals", **_args_without_page("mine")))


def _timeline(referral: LadoReferral) -> list[dict]:
    """contact → referral → meetings → outcome → DBS → closed, in date order."""
    events = [
        {"date": referral.contact.contact_date, "title": "Contact", "text": f"Contact {referral.contact.contact_id}"},
        {"date": referral.referral_date, "title": "Referral", "text": f"Referral {referral.referral_id}"},
    ]
    for m in referral.meetings:
        future = m.meeting_date > today()
        events.append({"date": m.meeting_date, "title": MEETING_TYPES[m.meeting_type] + (" (scheduled)" if future else ""),
                       "text": m.decisions or ""})
    if referral.outcome:
        events.append({"date": referral.outcome_date, "title": f"Outcome: {OUTCOMES[referral.outcome]}",
                       "text": OUTCOME_DEFINITIONS[referral.outcome]})
    if referral.dbs_referral_date:
        events.append({"date": referral.dbs_referral_date, "title": "Referred to the DBS", "text": ""})
    if referral.closed_date:
        events.append({"date": referral.closed_date, "title": "LADO involvement concluded (closed)", "text": ""})
    return sorted(events, key=lambda e: e["date"])  # stable: same-day events keep process order


def _deadlines(referral: LadoReferral) -> list[dict]:
    as_of = today()
    held = [m for m in referral.meetings if m.meeting_date <= as_of]
    iems = [m.meeting_date for m in held if m.meeting_type == "iem"]
    paims = [m.meeting_date for m in held if m.meeting_type == "paim"]
    out = []
    iem_due = timescales.deadline("lado_iem", referral.referral_date)
    out.append({"what": "Initial Evaluation Meeting", "due": iem_due, "done": min(iems) if iems else None})
    if iems:
        out.append({"what": "Post-Allegation Investigation Meeting", "due": timescales.deadline("lado_paim", min(iems)),
                    "done": min(paims) if paims else None})
    for d in out:
        d["state"] = None if d["done"] or referral.closed_date else timescales.due_state(d["due"], as_of).value
    return out


@bp.route("/referrals/<referral_id>")
@require("lado.view")
def referral(referral_id: str):
    referral = _get(LadoReferral, referral_id)
    operations.record_read("lado_referral", referral.referral_id)
    db.session.commit()
    as_of = today()
    return render_template("lado/referral.html", referral=referral, contact=referral.contact, timeline=_timeline(referral),
                           deadlines=_deadlines(referral), retention=_retention(referral.contact), as_of=as_of,
                           action_states={a.action_id: timescales.due_state(a.due_date, as_of).value
                                          for a in referral.actions if a.due_date and not a.completed_date})


def _referral_form(referral_id: str, form_class, title: str, apply, *, allow_closed: bool = False, prefill=None,
                   template: str = "lado/form_page.html", **context):
    """One small form page per step (GOV.UK: one thing per page); the operation raises LadoError."""
    referral = _get(LadoReferral, referral_id)
    if referral.closed_date is not None and not allow_closed:
        flash("This referral is closed. Re-open it before changing it.", "important")
        return redirect(url_for("lado.referral", referral_id=referral.referral_id))
    form = form_class()
    if request.method == "GET" and prefill:
        prefill(form, referral)
    if form.validate_on_submit():
        try:
            message = apply(form, referral)
        except LadoError as exc:
            _field_error(form, exc)
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("lado.referral", referral_id=referral.referral_id))
    return render_template(template, form=form, title=title.format(ref=referral.referral_id), referral=referral,
                           back=url_for("lado.referral", referral_id=referral.referral_id), **context)


@bp.route("/referrals/<referral_id>/meetings/new", methods=["GET", "POST"])
@require("lado.edit")
def new_meeting(referral_id: str):
    def apply(form, referral):
        m = operations.record_meeting(referral, meeting_type=form.meeting_type.data, meeting_date=form.meeting_date.data,
                                      attendees=form.attendees.data, minutes_notes=form.minutes_notes.data,
                                      decisions=form.decisions.data)
        return f"{MEETING_TYPES[m.meeting_type]} saved."

    def prefill(form, referral):
        kinds = {m.meeting_type for m in referral.meetings}
        form.meeting_type.data = request.args.get("type") if request.args.get("type") in MEETING_TYPES else (
            "paim" if "iem" in kinds else "iem")

    return _referral_form(referral_id, forms.MeetingForm, "Record or schedule a meeting for referral {ref}", apply, prefill=prefill)


@bp.route("/meetings/<meeting_id>/edit", methods=["GET", "POST"])
@require("lado.edit")
def edit_meeting(meeting_id: str):
    """Change a meeting (date, type, attendees, minutes, decisions); read-only once the
    referral is closed."""
    meeting = _get(LadoMeeting, meeting_id)
    referral_id = meeting.referral_id
    back = url_for("lado.referral", referral_id=referral_id)
    if meeting.referral.closed_date is not None:
        flash("This referral is closed. Re-open it before changing it.", "important")
        return redirect(back)
    form = forms.MeetingForm()
    if request.method == "GET":
        for key in operations.MEETING_FIELDS:
            getattr(form, key).data = getattr(meeting, key)
    if form.validate_on_submit():
        try:
            operations.update_meeting(meeting, meeting_type=form.meeting_type.data, meeting_date=form.meeting_date.data,
                                      attendees=form.attendees.data, minutes_notes=form.minutes_notes.data,
                                      decisions=form.decisions.data)
        except LadoError as exc:
            _field_error(form, exc)
        else:
            db.session.commit()
            flash(f"{MEETING_TYPES[meeting.meeting_type]} saved.", "success")
            return redirect(back)
    return render_template("lado/form_page.html", form=form, back=back,
                           title=f"Change meeting {meeting_id} of referral {referral_id}")


@bp.route("/referrals/<referral_id>/outcome", methods=["GET", "POST"])
@require("lado.edit")
def outcome(referral_id: str):
    def apply(form, referral):
        operations.record_outcome(referral, outcome=form.outcome.data, outcome_date=form.outcome_date.data,
                                  child_informed=form.child_informed.data)
        return "Outcome saved."

    def prefill(form, referral):
        form.outcome.data = referral.outcome
        form.outcome_date.data = referral.outcome_date or today()
        form.child_informed.data = referral.child_informed

    return _referral_form(referral_id, forms.OutcomeForm, "Record the outcome of referral {ref}", apply, prefill=prefill,
                          template="lado/outcome.html")


@bp.route("/referrals/<referral_id>/dbs", methods=["GET", "POST"])
@require("lado.edit")
def dbs(referral_id: str):
    def apply(form, referral):
        operations.record_dbs_referral(referral, dbs_referral_date=form.dbs_referral_date.data)
        return "DBS referral date saved."

    return _referral_form(referral_id, forms.DbsForm, "Record the DBS referral for referral {ref}", apply)


@bp.route("/referrals/<referral_id>/details", methods=["GET", "POST"])
@require("lado.edit")
def details(referral_id: str):
    def apply(form, referral):
        operations.update_referral(referral, police_investigation=form.police_investigation.data,
                                   officer_id=form.officer_id.data, child_informed=form.child_informed.data,
                                   returned_to_panel=form.returned_to_panel.data)
        return "Referral details saved."

    def prefill(form, referral):
        form.police_investigation.data = referral.police_investigation
        form.child_informed.data = referral.child_informed
        form.returned_to_panel.data = referral.returned_to_panel
        form.officer_id.data = referral.officer_id

    return _referral_form(referral_id, forms.ReferralDetailsForm, "Referral {ref}: details", apply, prefill=prefill)


@bp.route("/referrals/<referral_id>/close", methods=["GET", "POST"])
@require("lado.edit")
def close(referral_id: str):
    def apply(form, referral):
        operations.close_referral(referral, closed_date=form.closed_date.data)
        return "Referral closed."

    def prefill(form, referral):
        form.closed_date.data = today()

    return _referral_form(referral_id, forms.CloseForm, "Close referral {ref}", apply, prefill=prefill)


@bp.route("/referrals/<referral_id>/reopen", methods=["GET", "POST"])
@require("lado.edit")
def reopen(referral_id: str):
    def apply(form, referral):
        operations.reopen_referral(referral, reason=form.reason.data)
        return "Referral re-opened."

    return _referral_form(referral_id, forms.ReopenForm, "Re-open referral {ref}", apply, allow_closed=True)


@bp.route("/referrals/<referral_id>/actions/new", methods=["GET", "POST"])
@require("lado.edit")
def new_action(referral_id: str):
    def apply(form, referral):
        action = operations.add_action(referral, description=form.description.data, owner=form.owner.data,
                                       due_date=form.due_date.data)
        return f"Action {action.action_id} added."

    return _referral_form(referral_id, forms.ActionForm, "Add an action to referral {ref}", apply)


# --- actions ------------------------------------------------------------------------------------------


@bp.route("/actions", methods=["GET", "POST"])
@require("lado.view")
def actions():
    """The actions tracker: open or overdue actions, by owner (reviewed quarterly).

    An owner may be a person's name, so the filter is posted and kept in the session like the
    search; only ``?view=open|overdue`` (not personal) and the page number go in the URL."""
    owners = queries.action_owners()
    form = forms.ActionFilterForm()
    form.owner.choices = forms._choices({o: o for o in owners}, "Any owner")
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
    as_of = today()
    page = paginate(queries.actions_tracker(as_of, view=view, owner=owner),
                            page_number(), current_app.config["PAGE_SIZE"], scalars=False)
    _record_list_read("actions tracker", page, [r.LadoAction.action_id for r in page.items])
    return _rendered_then_committed("lado/actions.html", filter_form=form, page=page, view=view, as_of=as_of, owner=owner,
                           pagination=links(page, "lado.actions", view=view))


def _action_page(action: LadoAction, complete_form=None, review_form=None, form=None):
    as_of = today()
    state = timescales.due_state(action.due_date, as_of).value if action.due_date and not action.completed_date else None
    return render_template("lado/action.html", action=action, state=state, form=form,
                           complete_form=complete_form or forms.CompleteActionForm(formdata=None, completed_date=as_of),
                           review_form=review_form or forms.ReviewActionForm(formdata=None))


@bp.route("/actions/<action_id>")
@require("lado.view")
def action(action_id: str):
    action = _get(LadoAction, action_id)
    operations.record_read("lado_action", action.action_id)
    db.session.commit()
    return _action_page(action)


@bp.route("/actions/<action_id>/complete", methods=["GET", "POST"])
@require("lado.edit")
def complete_action(action_id: str):
    action = _get(LadoAction, action_id)
    if request.method == "GET":
        return redirect(url_for("lado.action", action_id=action_id))
    form = forms.CompleteActionForm()
    if form.validate_on_submit():
        try:
            operations.complete_action(action, completed_date=form.completed_date.data)
        except LadoError as exc:
            _field_error(form, exc)
        else:
            db.session.commit()
            flash(f"Action {action.action_id} completed.", "success")
            return redirect(url_for("lado.action", action_id=action.action_id))
    return _action_page(db.session.get(LadoAction, action_id), complete_form=form, form=form)


@bp.route("/actions/<action_id>/review", methods=["GET", "POST"])
@require("lado.edit")
def review_action(action_id: str):
    action = _get(LadoAction, action_id)
    if request.method == "GET":
        return redirect(url_for("lado.action", action_id=action_id))
    form = forms.ReviewActionForm()
    if form.validate_on_submit():
        try:
            operations.review_action(action, notes=form.notes.data)
        except LadoError as exc:
            _field_error(form, exc)
        else:
            db.session.commit()
            flash("Review notes added.", "success")
            return redirect(url_for("lado.action", action_id=action.action_id))
    return _action_page(db.session.get(LadoAction, action_id), review_form=form, form=form)


# --- repeat concerns: people and organisations -----------------------------------------------------------


@bp.route("/people/<ref>", methods=["GET", "POST"])
@require("lado.view")
def person(ref: str):
    person = _get(LadoPerson, ref)
    form = forms.PersonForm(obj=person) if request.method == "GET" else forms.PersonForm()
    if request.method == "POST":
        from tracker.core.permissions import check

        check("lado.edit")
        if form.validate_on_submit():
            operations.update_person(person, name=form.name.data, date_of_birth=form.date_of_birth.data, notes=form.notes.data)
            db.session.commit()
            flash("Person saved.", "success")
            return redirect(url_for("lado.person", ref=person.ref))
    operations.record_read("lado_person", person.ref)
    db.session.commit()
    rows = queries.contacts_about(person_ref=person.ref)
    return render_template("lado/person.html", person=person, rows=rows, form=form,
                           retention=max((queries.retention_date(c.contact_date, person.date_of_birth) for c, _ in rows),
                                         default=None))


@bp.route("/organisations/<ref>")
@require("lado.view")
def organisation(ref: str):
    org = _get(LadoOrganisation, ref)
    operations.record_read("lado_organisation", org.ref)
    db.session.commit()
    return render_template("lado/organisation.html", organisation=org, rows=queries.contacts_about(organisation_ref=org.ref))


SEARCH_KEY = "lado_search"
ACTIONS_KEY = "lado_actions_filter"


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
    are ``/lado/search?page=N``. Showing results reads LADO data, so each page of results
    shown writes one ``lado.read`` audit row (ids only) — one per search, one per further page.
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
        return render_template("lado/search.html", filter_form=form, form=form, people=None, orgs=None, pagination=None,
                               searching=False)
    if request.args.get("clear"):
        session.pop(SEARCH_KEY, None)
        return redirect(url_for("lado.search"))
    saved = _saved_search()
    name, dob, organisation = saved.get("name") or None, _saved_dob(saved), saved.get("organisation") or None
    form.name.data, form.date_of_birth.data, form.organisation.data = name, dob, organisation
    people = orgs = None
    if name or dob or organisation:
        people = paginate(queries.search_people(name=name, date_of_birth=dob, organisation=organisation),
                                  page_number(), current_app.config["PAGE_SIZE"])
        if organisation and not name and not dob:
            orgs = list(db.session.scalars(queries.search_organisations(organisation).limit(50)))
        operations.record_search_read(
            by=[k for k, v in (("name", name), ("date_of_birth", dob), ("organisation", organisation)) if v],
            page=people.page, total=people.total, people=[p.ref for p in people.items],
            organisations=[o.ref for o in orgs or ()])
    return _rendered_then_committed("lado/search.html", filter_form=form, form=None, people=people, orgs=orgs,
                                    searching=people is not None,
                                    pagination=links(people, "lado.search") if people else None)


# --- oversight and retention (lado_manager) ------------------------------------------------------------


@bp.route("/oversight")
@require("lado.oversight")
def oversight():
    """Every open referral with an overdue deadline, for the service manager (filtered, counted
    and paginated in the database)."""
    as_of = today()
    open_count = db.session.scalar(select(func.count()).select_from(queries.open_referrals(as_of).subquery()))
    page = paginate(queries.open_referrals_with_deadlines(as_of, overdue_only=True),
                            page_number(), current_app.config["PAGE_SIZE"], scalars=False)
    _record_list_read("oversight", page, [r.LadoReferral.referral_id for r in page.items])
    return _rendered_then_committed("lado/oversight.html", page=page, open_count=open_count, as_of=as_of,
                           pagination=links(page, "lado.oversight"))


@bp.route("/retention")
@require("lado.oversight")
def retention():
    """Records past their retention date (the later of contact + 10 years and pension age)."""
    as_of = today()
    page = paginate(queries.past_retention(as_of), page_number(), current_app.config["PAGE_SIZE"], scalars=False)
    operations.record_read("lado_retention", None, what=f"report ({page.total} records)")
    db.session.commit()
    return render_template("lado/retention.html", page=page, as_of=as_of, pension_age=queries.pension_age(),
                           retention_date=queries.retention_date,
                           pagination=links(page, "lado.retention"))

