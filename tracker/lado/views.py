"""LADO pages under /lado. Thin: permission (LADO roles only, checked before anything is
loaded, so other roles get 403 and learn nothing) → load (404) → form → one operation →
redirect; the request lifecycle commits.

Every page of this blueprint is an audited read of LADO records (domain.md §1): the lifecycle
writes its ``lado_record.read`` row — naming the record (``@reads``) or the references a list
showed (``note_read``) — so no page can forget it. The referral's page shows the deadlines the
worklist computes (``worklist.for_record``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import func, select

from tracker.core import worklist
from tracker.core.clock import today
from tracker.core.errors import DomainError
from tracker.core.forms import choices
from tracker.core.pagination import links, page_number, paginate, paginate_list
from tracker.core.permissions import can, check, require
from tracker.core.timescales import DueState
from tracker.extensions import db
from tracker.lado import forms, matching, operations, queries
from tracker.lado.models import (
    CarerAgency,
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
from tracker.web.downloads import Column, download_links, requested_format, send_table
from tracker.web.forms import carry_version, is_stale, submit
from tracker.web.lifecycle import note_read, note_read_record, reads
from tracker.web.records import find, load_or_404, record_url

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


# --- downloads of the lists --------------------------------------------------------------------------


def _download(fmt: str, refs: list[str], facts: dict | None = None, **table):
    """A LADO list's download (``send_table``): a read of every record it holds, as a page of the
    list is (``note_read``: the lifecycle writes the ``lado_record.read`` row), and an export
    that only LADO roles read in full in the audit log (``lado_export``)."""
    note_read(refs, total=len(refs), **(facts or {}))
    return send_table(fmt, object_type="lado_export", **table)


def _subject_name(contact: LadoContact) -> str:
    """The subject as the lists name them (``lado/_macros.html``): their name, else their reference."""
    if not contact.person_ref:
        return "Anonymous consultation"
    return (contact.person.name if contact.person else None) or contact.person_ref


def _subject_columns(contact_of, *, employer: bool = True) -> list[Column]:
    """The subject of a row's contact (``contact_of(row)``) as the page names them, with their
    reference, and (``employer``) their role and employer, with its reference."""
    columns = [
        Column("Subject", lambda r: _subject_name(contact_of(r))),
        Column("Subject reference", lambda r: contact_of(r).person_ref or ""),
    ]
    if employer:
        columns += [
            Column("Subject role", lambda r: contact_of(r).subject_role or ""),
            Column("Employer", lambda r: _employer_name(contact_of(r))),
            Column("Employer reference", lambda r: contact_of(r).organisation_ref or ""),
        ]
    return columns


def _employer_name(contact: LadoContact) -> str:
    """The employer as the lists name it: its name, else its reference."""
    return (contact.organisation.name or contact.organisation_ref) if contact.organisation_ref else ""


def _officer_column(header: str, officer_of, officers: dict) -> Column:
    """The LADO of a row by name, as the page shows them ("Not allocated" for nobody)."""
    return Column(header, lambda r: officers.get(officer_of(r), officer_of(r)) if officer_of(r) else "Not allocated")


def _state_column(header: str, state_of) -> Column:
    return Column(header, lambda r: state_of(r).label if state_of(r) else "")


# --- contacts --------------------------------------------------------------------------------------


@bp.route("/")
@require("lado.view")
def index():
    """The contacts log, filtered by date, sector and disposition."""
    form = forms.ContactFilterForm(request.args)
    form.validate()
    query = queries.contacts_log(
        date_from=None if form.date_from.errors else form.date_from.data,
        date_to=None if form.date_to.errors else form.date_to.data,
        sector=Sector.get(form.sector.data),
        disposition=Disposition.get(form.disposition.data),
    )
    if fmt := requested_format():
        rows = list(db.session.scalars(query))
        columns = [
            Column("Contact", lambda c: c.contact_id),
            Column("Date", lambda c: c.contact_date),
            Column("Sector", lambda c: c.employer_sector.label),
            *_subject_columns(lambda c: c),
            Column("Disposition", lambda c: c.disposition.label),
        ]
        refs = [c.contact_id for c in rows]
        return _download(fmt, refs, title="LADO contacts", filename="lado-contacts", columns=columns, rows=rows)
    page = paginate(query, page_number(), current_app.config["PAGE_SIZE"])
    note_read([c.contact_id for c in page.items], page=page.page, total=page.total)
    args = _args_without_page("date_from", "date_to", "sector", "disposition")
    return render_template(
        "lado/index.html",
        filter_form=form,
        form=form if form.errors else None,
        page=page,
        pagination=links(page, "lado.index", **args),
        downloads=download_links("lado.index", args) if page.total else [],
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
    return render_template("lado/contact_new.html", form=form, matches=_possible_matches(form))


_SUBJECT_FIELDS = ("person_ref", "person_name", "person_dob", "organisation_ref", "organisation_name")


def _possible_matches(form) -> list[matching.Offer]:
    """A contact form shown again after a post, whose subject would be a new person: the people
    already known who may be them (``matching``), each with the contacts about them, and the
    choice of linking the contact to one of them or a new person (``form.person_match``). The
    first time they are offered it is a question, not yet an error."""
    if request.method != "POST" or any(getattr(form, name).errors for name in _SUBJECT_FIELDS):
        return []
    found = matching.offers(matching.candidates_for_subject(*(getattr(form, name).data for name in _SUBJECT_FIELDS)))
    if not found:
        return []
    form.person_match.choices = choices(
        [(o.person.public_id, f"Link to this person: {o.person.name or 'no name recorded'} ({o.person.ref})")
         for o in found] + [(matching.NEW_PERSON, "This is a new person")]
    )  # fmt: skip
    form.person_match.hints = {o.person.public_id: o.reason.label for o in found}
    if not form.offered.data:
        form.person_match.errors = []
    form.offered.data = " ".join(o.person.public_id for o in found)
    note_read([o.person.public_id for o in found] + [c.contact_id for o in found for c, _ in o.history])
    return found


def _repeat_concerns(contact: LadoContact) -> dict:
    """The contact's place among the contacts about the same person (following merges), and
    about the same organisation, in the 2 years up to its date (one query each)."""
    counted = {}
    for key, ref in (("person", contact.person_ref), ("organisation", contact.organisation_ref)):
        if ref:
            counted[key] = matching.ordinal(
                matching.contacts_in_two_years(
                    day=contact.contact_date, contact_id=contact.contact_id, **{f"{key}_ref": ref}
                )
            )
    return counted


@bp.route("/contacts/<contact_id>")
@require("lado.view")
@reads("lado_contact", "contact_id")
def contact(contact_id: str):
    contact = load_or_404(LadoContact, contact_id=contact_id)
    return render_template(
        "lado/contact.html", contact=contact, retention=_retention(contact), repeat=_repeat_concerns(contact)
    )


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
        "lado/contact_edit.html",
        form=form,
        contact=load_or_404(LadoContact, contact_id=contact_id),
        back=back,
        matches=_possible_matches(form),
    )


# --- referrals ---------------------------------------------------------------------------------------


@bp.route("/referrals")
@require("lado.view")
def referrals():
    """Open referrals with their next deadline (IEM, PAIM or an action, the earliest due item of
    each: the worklist's) and its state, the allocated LADO by name."""
    mine = request.args.get("mine") == "1" and getattr(current_user, "officer_id", None)
    query = queries.open_referrals_with_deadlines(today(), officer_id=current_user.officer_id if mine else None)
    officers = worklist.officer_names()
    if fmt := requested_format():
        rows = db.session.execute(query).all()
        refs = [r.LadoReferral.referral_id for r in rows]
        nearest = _next_items(refs)
        columns = [
            Column("Referral", lambda r: r.LadoReferral.referral_id),
            Column("Referred", lambda r: r.LadoReferral.referral_date),
            *_subject_columns(lambda r: r.LadoReferral.contact),
            Column("Sector", lambda r: r.employer_sector.label),
            _officer_column("Allocated", lambda r: r.LadoReferral.officer_id, officers),
            Column("Next deadline", lambda r: _deadline_type(nearest.get(r.LadoReferral.referral_id))),
            Column("Next deadline due", lambda r: r.next_due),
            _state_column("Status", lambda r: r.state),
        ]
        return _download(fmt, refs, title="Open referrals", filename="lado-referrals", columns=columns, rows=rows)
    page = paginate(query, page_number(), current_app.config["PAGE_SIZE"], scalars=False)
    shown = [r.LadoReferral.referral_id for r in page.items]
    note_read(shown, page=page.page, total=page.total)
    args = _args_without_page("mine")
    return render_template(
        "lado/referrals.html",
        page=page,
        nearest=_next_items(shown),
        officers=officers,
        mine=bool(mine),
        pagination=links(page, "lado.referrals", **args),
        downloads=download_links("lado.referrals", args) if page.total else [],
    )


def _next_items(referral_ids: list[str]) -> dict[str, worklist.DueItem]:
    """Each referral's next due item, as the worklist words it."""
    nearest: dict[str, worklist.DueItem] = {}
    for item in worklist.for_records("lado_referral", referral_ids, today()):
        nearest.setdefault(item.record_ref, item)
    return nearest


def _deadline_type(item: worklist.DueItem | None) -> str:
    """What the next deadline of a referral is, as the open referrals list says it."""
    if item is None:
        return "None"
    return "Action" if item.kind == "lado_action" else item.kind_label.removeprefix("LADO: ")


# Sections other features add to a referral's page: (template, load(referral) -> its rows). The
# panels feature's names the review-after-allegation case the referral caused (its reference only).
REFERRAL_SECTIONS: list[tuple[str, Callable]] = []


def referral_section(template: str, load: Callable) -> None:
    if not any(t == template for t, _load in REFERRAL_SECTIONS):
        REFERRAL_SECTIONS.append((template, load))


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
        repeat=_repeat_concerns(referral.contact),
        removable={r.meeting_id for r in referral.meetings if may_remove(r)}
        | {a.action_id for a in referral.actions if may_remove(a)},
        # meetings and actions removed by mistake: kept, and shown to the LADO manager only
        removed=queries.removed_records(referral.referral_id) if can(current_user, "lado.oversight") else [],
        sections=[(template, load(referral)) for template, load in REFERRAL_SECTIONS],
    )


def may_remove(record: LadoMeeting | LadoAction) -> bool:
    """A meeting or an action recorded by mistake is removed by the LADO who recorded it
    (``recorded_by``) or by a LADO manager (``lado.oversight``); one imported has no author."""
    if can(current_user, "lado.oversight"):
        return True
    return can(current_user, "lado.edit") and record.recorded_by is not None and record.recorded_by == current_user.id


def _referral_step(referral_id: str, form, title: str, apply, *, allow_closed: bool = False, prefill=None,
                   template: str = "form_page.html", adds: bool = False, setup=None, context=None):  # fmt: skip
    """One small form page per step of a referral (GOV.UK: one thing per page). A step that
    changes the referral is refused when a colleague changed the referral since the page was
    opened; a step that ``adds`` a meeting or an action to it is not (it overwrites nothing,
    and a closed referral refuses it anyway). ``setup(form, referral)`` fills the form's
    choices; ``prefill(form, referral)`` its values on GET; ``context(form, referral)`` what else
    its template shows."""
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
    extra = context(form, referral) if context else {}
    return _form_page(form, title.format(ref=referral.referral_id), back, template=template, referral=referral, **extra)


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
            late_reason=form.late_reason.data,
        )
        return f"{m.meeting_type.label} saved."

    def prefill(form, referral):
        # the next meeting is suggested: the IEM first, then the PAIM (``?type=`` chooses another)
        chosen = MeetingType.get(request.args.get("type"))
        held = {m.meeting_type for m in referral.meetings}
        form.meeting_type.data = (chosen or (MeetingType.paim if MeetingType.iem in held else MeetingType.iem)).value
        form.meeting_date.data = today()

    def context(form, referral):
        # the open IEM or PAIM deadline (the worklist's): the page asks, under that type, why the
        # meeting is later — once the deadline has passed, or when the meeting given was late
        due = operations.meeting_due(referral, MeetingType.iem) or operations.meeting_due(referral, MeetingType.paim)
        asks = due is not None and (due.due_date < today() or bool(form.late_reason.errors or form.late_reason.data))
        return {"due": due, "due_type": MeetingType.iem if due and due.kind == "lado_iem" else MeetingType.paim,
                "asks_late_reason": asks}  # fmt: skip

    return _referral_step(
        referral_id,
        forms.MeetingForm(),
        "Record or schedule a meeting for referral {ref}",
        apply,
        prefill=prefill,
        adds=True,
        template="lado/meeting.html",
        context=context,
    )


@bp.route("/meetings/<meeting_id>/edit", methods=["GET", "POST"])
@require("lado.edit")
@reads("lado_meeting", "meeting_id")
def edit_meeting(meeting_id: str):
    """Change a meeting (date, type, attendees, minutes, decisions); read-only once the
    referral is closed."""
    meeting = load_or_404(LadoMeeting, meeting_id=meeting_id, removed_at=None)
    back = record_url("lado_referral", meeting.referral_id)
    if meeting.referral.closed_date is not None:
        flash("This referral is closed. Re-open it before changing it.", "important")
        return redirect(back)
    form = forms.MeetingForm()
    if request.method == "GET":
        for key in (*operations.MEETING_FIELDS, "late_reason"):
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
            late_reason=form.late_reason.data,
        ),
        record=meeting,
    )
    if changed:
        flash(f"{changed.result.meeting_type.label} saved.", "success")
        return redirect(back)
    meeting = load_or_404(LadoMeeting, meeting_id=meeting_id, removed_at=None)  # as saved, not as typed
    due = operations.held_meeting_due(meeting)
    # the reason is asked under the type chosen when the meeting was late, or the date given made
    # it late (the error then says by when it was due)
    asks = bool(form.late_reason.errors or form.late_reason.data) or (due is not None and meeting.meeting_date > due)
    return _form_page(
        form,
        f"Change meeting {meeting_id} of referral {meeting.referral_id}",
        back,
        template="lado/meeting.html",
        due=SimpleNamespace(due_date=due) if due and not form.late_reason.errors else None,
        due_type=MeetingType.get(form.meeting_type.data) or meeting.meeting_type,
        asks_late_reason=asks,
    )


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
            no_iem_reason=(form.no_iem_reason.data or "") if form.no_iem.data else None,
            late_reason=form.outcome_late_reason.data,
        )
        return "Outcome saved."

    def prefill(form, referral):
        form.outcome.data = referral.outcome
        form.outcome_date.data = referral.outcome_date or today()
        form.child_informed.data = referral.child_informed
        form.no_iem.data = bool(referral.no_iem_reason)
        form.no_iem_reason.data = referral.no_iem_reason
        form.outcome_late_reason.data = referral.outcome_late_reason

    def context(form, referral):
        # without an IEM the page asks why none was held; once the outcome's timescale has passed,
        # why the outcome is later (both also when the outcome given needs them)
        due = operations.outcome_due(referral)
        has_iem = any(m.meeting_type == MeetingType.iem and m.meeting_date <= today() for m in referral.meetings)
        asks_no_iem = not has_iem or bool(form.no_iem.errors or form.no_iem_reason.errors)
        asks_late = due < today() or bool(form.outcome_late_reason.errors or form.outcome_late_reason.data)
        return {"due": due, "asks_no_iem": asks_no_iem, "asks_late_reason": asks_late}

    return _referral_step(
        referral_id,
        forms.OutcomeForm(),
        "Record the outcome of referral {ref}",
        apply,
        prefill=prefill,
        template="lado/outcome.html",
        context=context,
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
    """Close once the outcome is recorded, with the closing checklist (the outcome, a DBS referral
    considered, the child or family told, and an own foster carer returned to panel)."""

    def own_carer(referral) -> bool:
        return referral.contact.foster_carer_agency == CarerAgency.own

    def setup(form, referral):
        if not own_carer(referral):
            del form.returned_to_panel  # asked about the council's own foster carers only

    def apply(form, referral):
        operations.close_referral(
            referral,
            closed_date=form.closed_date.data,
            dbs_considered=form.dbs_considered.data,
            child_informed=form.child_informed.data,
            returned_to_panel=form.returned_to_panel.data if own_carer(referral) else None,
        )
        return "Referral closed."

    def prefill(form, referral):
        form.closed_date.data = today()
        form.dbs_considered.data = referral.dbs_considered or referral.dbs_referral_date is not None
        form.child_informed.data = referral.child_informed
        if own_carer(referral):
            form.returned_to_panel.data = referral.returned_to_panel

    return _referral_step(
        referral_id,
        forms.CloseForm(),
        "Close referral {ref}",
        apply,
        prefill=prefill,
        setup=setup,
        template="lado/close.html",
    )


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
            referral,
            description=form.description.data,
            owner=form.owner.data,
            due_date=form.due_date.data,
            chaser_officer_id=form.chaser_officer_id.data,
        )
        return f"Action {action.action_id} added."

    def setup(form, referral):
        form.chaser_officer_id.choices = _chaser_choices(referral)

    return _referral_step(
        referral_id, forms.ActionForm(), "Add an action to referral {ref}", apply, adds=True, setup=setup
    )


def _chaser_choices(referral: LadoReferral):
    """Who may chase an action: first (the default, stored as blank) the referral's allocated LADO,
    whoever that is when it falls due; then each LADO officer by name."""
    officers = queries.lado_officers()
    names = dict(officers)
    current = referral.officer_id
    first = (
        f"The referral’s LADO, now {names.get(current, current)} ({current})"
        if current
        else "The referral’s LADO, once it is allocated"
    )
    return choices([("", first)] + [(officer_id, f"{name} ({officer_id})") for officer_id, name in officers])


# --- actions -------------------------------------------------------------------------------------------


@bp.route("/actions", methods=["GET", "POST"])
@require("lado.view")
def actions():
    """The actions tracker: open or overdue actions, by the LADO who chases each, with their
    quarterly review (003:L1585: the next one 3 months after the last, or after the referral).

    The filter (the LADO who chases them: LADO staff only) is posted and kept in the session like
    the search; only ``?view=open|overdue`` (not personal) and the page number go in the URL."""
    form = forms.ActionFilterForm()
    officers = queries.lado_officers()
    form.chaser.choices = choices([("", "Any LADO")] + [(oid, f"{name} ({oid})") for oid, name in officers])
    if request.method == "POST":
        if form.validate_on_submit():
            session[ACTIONS_KEY] = {"chaser": form.chaser.data or ""}
            view = form.view.data if form.view.data in ("open", "overdue") else "open"
            return redirect(url_for("lado.actions", view=view))
        return redirect(url_for("lado.actions"))
    saved = session.get(ACTIONS_KEY) if isinstance(session.get(ACTIONS_KEY), dict) else {}
    chaser = saved.get("chaser") or None
    view = request.args.get("view") if request.args.get("view") in ("open", "overdue") else "open"
    form.view.data, form.chaser.data = view, chaser
    query = queries.actions_tracker(today(), view=view, chaser=chaser)
    officers = worklist.officer_names()
    if fmt := requested_format():
        rows = db.session.execute(query).all()
        columns = [
            _officer_column("LADO who chases it", lambda r: r.chaser, officers),
            Column("Action", lambda r: r.LadoAction.description),
            Column("Action reference", lambda r: r.LadoAction.action_id),
            Column("Who does it", lambda r: r.LadoAction.owner or ""),
            Column("Referral", lambda r: r.LadoAction.referral_id),
            *_subject_columns(lambda r: r.LadoAction.referral.contact),
            Column("Due", lambda r: r.LadoAction.due_date),
            _state_column("Status", lambda r: r.state),
            Column("Next quarterly review", lambda r: r.next_review),
            _state_column("Quarterly review status", lambda r: r.review_state),
            Column("Last reviewed", lambda r: r.LadoAction.last_reviewed_date),
        ]
        return _download(
            fmt,
            [r.LadoAction.action_id for r in rows],
            title=f"{'Overdue' if view == 'overdue' else 'Open'} actions",
            filename="lado-actions",
            columns=columns,
            rows=rows,
            filters={"view": view, "by_chaser": bool(chaser)},  # the chaser is kept out of URLs: out of the log too
        )
    page = paginate(query, page_number(), current_app.config["PAGE_SIZE"], scalars=False)
    note_read([r.LadoAction.action_id for r in page.items], page=page.page, total=page.total)
    return render_template(
        "lado/actions.html",
        filter_form=form,
        page=page,
        view=view,
        chaser=chaser,
        officers=officers,
        pagination=links(page, "lado.actions", view=view),
        downloads=download_links("lado.actions", {"view": view}) if page.total else [],
    )


def _action_page(action: LadoAction, complete_form=None, review_form=None, form=None):
    return render_template(
        "lado/action.html",
        action=action,
        deadline=next(iter(worklist.collect(today(), kinds=["lado_action"], refs=[action.action_id])), None),
        follow_up=queries.action_follow_up(action.action_id, today()),  # the LADO who chases it, its review
        officers=worklist.officer_names(),
        form=form,
        complete_form=complete_form
        or carry_version(forms.CompleteActionForm(formdata=None, completed_date=today()), action),
        review_form=review_form or carry_version(forms.ReviewActionForm(formdata=None), action),
        removable=action.removed_at is None and may_remove(action),
    )


@bp.route("/actions/<action_id>")
@require("lado.view")
@reads("lado_action", "action_id")
def action(action_id: str):
    action = load_or_404(LadoAction, action_id=action_id)
    if action.removed_at is not None and not can(current_user, "lado.oversight"):
        abort(404)  # removed by mistake: kept for the LADO manager only
    return _action_page(action)


@bp.route("/actions/<action_id>/edit", methods=["GET", "POST"])
@require("lado.edit")
@reads("lado_action", "action_id")
def edit_action(action_id: str):
    """Correct an action: what needs doing, who does it, its due date and the LADO who chases it;
    read-only once the referral is closed or the action completed."""
    action = load_or_404(LadoAction, action_id=action_id, removed_at=None)
    back = record_url("lado_action", action_id)
    if action.referral.closed_date is not None or action.completed_date is not None:
        flash("This action is completed or its referral closed: it cannot be changed.", "important")
        return redirect(back)
    form = forms.ActionEditForm(obj=action) if request.method == "GET" else forms.ActionEditForm()
    form.chaser_officer_id.choices = _chaser_choices(action.referral)
    changed = submit(
        form,
        lambda: operations.update_action(
            action,
            description=form.description.data,
            owner=form.owner.data,
            due_date=form.due_date.data,
            chaser_officer_id=form.chaser_officer_id.data,
        ),
        record=action,
    )
    if changed:
        flash(f"Action {action_id} saved.", "success")
        return redirect(back)
    return _form_page(carry_version(form, action), f"Change action {action_id} of referral {action.referral_id}", back)


@bp.route("/actions/<action_id>/complete", methods=["GET", "POST"])
@require("lado.edit")
@reads("lado_action", "action_id")
def complete_action(action_id: str):
    action = load_or_404(LadoAction, action_id=action_id, removed_at=None)
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
    action = load_or_404(LadoAction, action_id=action_id, removed_at=None)
    if request.method == "GET":
        return redirect(record_url("lado_action", action_id))
    form = forms.ReviewActionForm()
    if submit(form, lambda: operations.review_action(action, notes=form.notes.data), record=action):
        flash("Review notes added.", "success")
        return redirect(record_url("lado_action", action_id))
    return _action_page(load_or_404(LadoAction, action_id=action_id), review_form=form, form=form)


# --- removing a meeting or an action recorded by mistake -------------------------------------------------


def _remove_page(record, noun: str, ref: str, remove):
    """The removal of ``record`` (a meeting or an action not removed yet): 403 unless the user
    recorded it or is a LADO manager (``may_remove``); the reason is required."""
    if not may_remove(record):
        abort(403)
    back = record_url("lado_referral", record.referral_id)
    if record.referral.closed_date is not None:
        flash("This referral is closed. Re-open it before changing it.", "important")
        return redirect(back)
    form = forms.RemoveForm()
    if submit(form, lambda: remove(record, reason=form.reason.data)):
        flash(f"{noun.capitalize()} {ref} removed.", "success")
        return redirect(back)
    title = f"Remove {noun} {ref} from referral {record.referral_id}"
    return _form_page(form, title, back, template="lado/remove.html", record=record, noun=noun)


@bp.route("/meetings/<meeting_id>/remove", methods=["GET", "POST"])
@require("lado.edit")
@reads("lado_meeting", "meeting_id")
def remove_meeting(meeting_id: str):
    meeting = load_or_404(LadoMeeting, meeting_id=meeting_id, removed_at=None)
    return _remove_page(meeting, "meeting", meeting.meeting_id, operations.remove_meeting)


@bp.route("/actions/<action_id>/remove", methods=["GET", "POST"])
@require("lado.edit")
@reads("lado_action", "action_id")
def remove_action(action_id: str):
    action = load_or_404(LadoAction, action_id=action_id, removed_at=None)
    return _remove_page(action, "action", action.action_id, operations.remove_action)


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
        check("lado.edit")
        if submit(
            form,
            lambda: operations.update_person(
                person,
                name=form.name.data,
                date_of_birth=form.date_of_birth.data,
                notes=form.notes.data,
                other_names=form.other_names.data,
                identifiers=form.identifiers.data,
            ),
            record=person,
        ):
            flash("Person saved.", "success")
            return redirect(record_url("lado_person", person))
        person = load_or_404(LadoPerson, public_id=public_id)
    return _person_page(person, person_form=form, failed=form if request.method == "POST" else None)


def _person_page(person: LadoPerson, *, person_form=None, merge_form=None, failed=None):
    """The person, the other names they are known by, every contact about them (and about whoever
    was merged into them: their history), how many in the last 2 years, and the people who may
    be duplicates of them — whom a LADO manager may merge (``merge_person``). A person merged
    into another says so and links to the person kept."""
    rows = queries.contacts_about(person_ref=person.ref)
    duplicates = matching.offers(matching.duplicates_of(person))
    if duplicates:  # other people's records shown: part of this page's audited read
        note_read([o.person.public_id for o in duplicates])
    merge_form = merge_form or forms.MergeForm(formdata=None)
    merge_form.duplicate.choices = choices(
        [(o.person.public_id, f"{o.person.name or 'No name recorded'} ({o.person.ref})") for o in duplicates]
    )
    return render_template(
        "lado/person.html",
        person=person,
        kept=matching.kept_person(person) if person.merged_into_ref else None,
        rows=rows,
        recent=matching.contacts_in_two_years(day=today(), person_ref=person.ref),
        as_of=today(),
        duplicates=duplicates,
        person_form=carry_version(person_form or forms.PersonForm(formdata=None, obj=person), person),
        merge_form=carry_version(merge_form, person),
        form=failed,
        retention=max((queries.retention_date(c.contact_date, person.date_of_birth) for c, _ in rows), default=None),
    )


@bp.route("/people/<public_id>/merge", methods=["POST"])
@require("lado.oversight")
@reads("lado_person")
def merge_person(public_id: str):
    """A LADO manager merges this person and another record of the same person (a possible
    duplicate shown on the page, or a person whose reference is typed): the record chosen is
    kept, the other's contacts move to it (``operations.merge_persons``, audited)."""
    person = load_or_404(LadoPerson, public_id=public_id)
    note_read_record(person.public_id)
    form = forms.MergeForm()
    typed = (form.other_ref.data or "").strip()

    def merge():
        other = find(LadoPerson, ref=typed) if typed else find(LadoPerson, public_id=form.duplicate.data or "")
        if typed and other is None:
            raise DomainError(f"No person has the reference {typed}", "other_ref")
        duplicate, kept = (other, person) if form.keep.data == "this" else (person, other)
        return operations.merge_persons(duplicate, into=kept)

    if done := submit(form, merge, record=person):
        flash(f"The two records were merged into person {done.result.ref}.", "success")
        return redirect(record_url("lado_person", done.result))
    return _person_page(load_or_404(LadoPerson, public_id=public_id), merge_form=form, failed=form)


@bp.route("/organisations/<ref>", methods=["GET", "POST"])
@require("lado.view")
@reads("lado_organisation", "ref")
def organisation(ref: str):
    """An organisation, every contact about it (the employer of their subject) and how many in
    the last 2 years; its name, sector and URN, changed by the LADO roles (audited)."""
    org = load_or_404(LadoOrganisation, ref=ref)
    form = forms.OrganisationForm(obj=org) if request.method == "GET" else forms.OrganisationForm()
    if request.method == "POST":
        check("lado.edit")
        if submit(
            form,
            lambda: operations.update_organisation(
                org, name=form.name.data, sector=form.sector.data, urn=form.urn.data
            ),
        ):
            flash("Organisation saved.", "success")
            return redirect(record_url("lado_organisation", org.ref))
        org = load_or_404(LadoOrganisation, ref=ref)
    return render_template(
        "lado/organisation.html",
        organisation=org,
        rows=queries.contacts_about(organisation_ref=org.ref),
        recent=matching.contacts_in_two_years(day=today(), organisation_ref=org.ref),
        as_of=today(),
        form=form,
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
    by = [k for k, v in (("name", name), ("date_of_birth", dob), ("organisation", organisation)) if v]
    query = queries.search_people(name=name, date_of_birth=dob, organisation=organisation) if by else None
    if fmt := requested_format():  # the people found, on every page (never the search's words)
        if query is None:
            abort(404)  # no search: nothing was found
        rows = list(db.session.scalars(query))
        columns = [
            Column("Reference", lambda p: p.ref),
            Column("Name", lambda p: p.name or ""),
            Column("Date of birth", lambda p: p.date_of_birth),
        ]
        refs = [p.public_id for p in rows]
        table = dict(title="People found", filename="lado-people", columns=columns, rows=rows, filters={"by": by})
        return _download(fmt, refs, facts={"by": by}, **table)
    people = orgs = None
    if query is not None:
        people = paginate(query, page_number(), current_app.config["PAGE_SIZE"])
        if organisation and not name and not dob:
            orgs = list(db.session.scalars(queries.search_organisations(organisation).limit(50)))
        note_read(
            [p.public_id for p in people.items] + [o.ref for o in orgs or ()],
            page=people.page,
            total=people.total,
            by=by,
        )
    return render_template(
        "lado/search.html",
        filter_form=form,
        form=None,
        people=people,
        orgs=orgs,
        searching=people is not None,
        pagination=links(people, "lado.search") if people else None,
        downloads=download_links("lado.search", {}) if people and people.total else [],
    )


# --- oversight and retention (lado_manager) ------------------------------------------------------------


@bp.route("/oversight")
@require("lado.oversight")
def oversight():
    """The service manager's view of every LADO deadline: the due items of the worklist engine
    (``worklist.collect``, the LADO kinds: the one definition the worklists and ``due-items`` use,
    IEMs, PAIMs and actions alike), filtered by LADO officer (LADO staff only, or those nobody is
    allocated), due state (overdue by default) and kind, and paginated."""
    as_of = today()
    user = current_user._get_current_object()
    kinds = [k for k in worklist.kinds_for(user) if k.family == "lado"]
    officers = queries.lado_officers()
    form = forms.OversightFilterForm(request.args)
    form.officer.choices = choices(
        [("", "All LADO officers")]
        + [(officer_id, f"{name} ({officer_id})") for officer_id, name in officers]
        + [(forms.UNALLOCATED, "Not allocated")]
    )
    form.state.choices = [*choices([(forms.ANY_STATE, "Any status")]), *DueState.choices()]
    form.kind.choices = choices([("", "All types")] + [(k.kind, k.label) for k in kinds])
    if "state" not in request.args:
        form.state.data = DueState.overdue.value
    valid = form.validate() if request.args else True
    officer = form.officer.data if valid and form.officer.data else None
    state = form.state.data if valid and form.state.data and form.state.data != forms.ANY_STATE else None
    if not valid:
        state = DueState.overdue.value
    kind = form.kind.data if valid and form.kind.data else None
    filters = {
        "user": user,
        "kinds": [kind] if kind else [k.kind for k in kinds],
        "states": [state] if state else None,
        "owner": ("" if officer == forms.UNALLOCATED else officer) if officer else None,
    }
    args = {k: v for k, v in request.args.items() if k in ("officer", "state", "kind") and v} if valid else {}
    officers = worklist.officer_names()
    if fmt := requested_format():  # what the page shows (an invalid filter shows the overdue items)
        items = worklist.collect(as_of, **filters)
        columns = [
            Column("Due", lambda i: i.due_date),
            _state_column("Status", lambda i: i.state),
            Column("Type", lambda i: i.kind_label),
            Column("Item", lambda i: i.label),
            Column("Item reference", lambda i: i.ref),
            Column("Referral", lambda i: i.record_ref),
            _officer_column("LADO", lambda i: i.owner, officers),
        ]
        refs = [f"{i.kind}:{i.ref}" for i in items]
        return _download(fmt, refs, title="LADO oversight", filename="lado-oversight", columns=columns, rows=items)
    page = worklist.collect_page(as_of, page_number(), int(current_app.config["PAGE_SIZE"]), **filters)
    note_read([f"{i.kind}:{i.ref}" for i in page.items], page=page.page, total=page.total)
    open_count = db.session.scalar(select(func.count()).select_from(queries.open_referrals(as_of).subquery()))
    waiting = db.session.scalar(select(func.count()).select_from(queries.unallocated_referrals(as_of).subquery()))
    return render_template(
        "lado/oversight.html",
        filter_form=form,
        form=None if valid else form,
        page=page,
        open_count=open_count,
        waiting=waiting,
        state=DueState.get(state),
        filtered=bool(officer or kind) or state != DueState.overdue.value,
        officers=officers,
        as_of=as_of,
        pagination=links(page, "lado.oversight", **args),
        downloads=download_links("lado.oversight", args) if page.total else [],
    )


@bp.route("/queue")
@require("lado.oversight")
def queue():
    """The "To allocate" queue: the open referrals allocated to no LADO, each with its next deadline (the
    earliest of its due items: the worklist engine's) and a form to allocate it (the LADO
    managers' queue; until then its deadlines are on every LADO manager's worklist)."""
    return _render_queue(fmt=requested_format())


def _render_queue(failed=None, failed_ref: str | None = None, fmt: str | None = None):
    as_of = today()
    user = current_user._get_current_object()
    waiting = list(db.session.scalars(queries.unallocated_referrals(as_of)))
    kinds = [k.kind for k in worklist.kinds_for(user) if k.family == "lado"]
    items = worklist.collect(as_of, user=user, kinds=kinds, record_refs=[r.referral_id for r in waiting])
    next_due = {}
    for item in items:  # sorted by due date: the first of each referral is its next deadline
        next_due.setdefault(item.record_ref, item)

    def soonest_first(referral):  # then those without a deadline, oldest first
        item = next_due.get(referral.referral_id)
        return (item is None, item.due_date if item else referral.referral_date, referral.referral_id)

    ordered = sorted(waiting, key=soonest_first)
    if fmt:  # each referral beside its next deadline
        rows = [(referral, next_due.get(referral.referral_id)) for referral in ordered]
        columns = [
            Column("Referral", lambda row: row[0].referral_id),
            Column("Referred", lambda row: row[0].referral_date),
            Column("Sector", lambda row: row[0].contact.employer_sector.label),
            Column("Next deadline", lambda row: row[1].kind_label if row[1] else "None"),
            Column("Next deadline due", lambda row: row[1].due_date if row[1] else None),
            _state_column("Status", lambda row: row[1].state if row[1] else None),
        ]
        refs = [r.referral_id for r in ordered]
        return _download(fmt, refs, title="Referrals to allocate", filename="lado-queue", columns=columns, rows=rows)
    page = paginate_list(ordered, page_number(), current_app.config["PAGE_SIZE"])
    officers = choices(
        [("", "Select a LADO officer")]
        + [(officer_id, f"{name} ({officer_id})") for officer_id, name in queries.lado_officers()]
    )
    rows = []
    for referral in page.items:
        if failed is not None and referral.referral_id == failed_ref:
            form = failed
        else:
            form = forms.AllocateReferralForm(formdata=None, prefix=referral.referral_id)
        form.officer_id.choices = officers
        rows.append((referral, next_due.get(referral.referral_id), form))
    note_read([r.referral_id for r in page.items], page=page.page, total=page.total)
    return render_template(
        "lado/queue.html",
        page=dataclasses.replace(page, items=rows),  # each row: the referral, its next deadline, its form
        form=failed,
        as_of=as_of,
        pagination=links(page, "lado.queue"),
        downloads=download_links("lado.queue", {}) if page.total else [],
    )


@bp.route("/queue/<referral_id>", methods=["POST"])
@require("lado.oversight")
@reads("lado_referral", "referral_id")
def allocate(referral_id: str):
    """Allocate a referral of the queue to a LADO officer (``lado_referral.allocate``); one that
    a colleague allocated meanwhile is refused, with the queue shown again."""
    referral = load_or_404(LadoReferral, referral_id=referral_id)
    form = forms.AllocateReferralForm(prefix=referral.referral_id)
    if done := submit(
        form, lambda: operations.allocate_referral(referral, officer_id=form.officer_id.data, waiting=True)
    ):
        flash(f"Referral {done.result.referral_id} allocated to {done.result.officer_id}.", "success")
        return redirect(url_for("lado.queue"))
    return _render_queue(form, referral.referral_id)


@bp.route("/retention")
@require("lado.oversight")
def retention():
    """Records past their retention date (the later of contact + 10 years and pension age)."""
    as_of = today()
    query = queries.past_retention(as_of)
    if fmt := requested_format():
        rows = db.session.execute(query).all()
        columns = [
            Column("Contact", lambda r: r.LadoContact.contact_id),
            Column("Date", lambda r: r.LadoContact.contact_date),
            *_subject_columns(lambda r: r.LadoContact, employer=False),
            Column("Referral", lambda r: r.LadoReferral.referral_id if r.LadoReferral else ""),
            Column("Keep until", lambda r: queries.retention_date(r.LadoContact.contact_date, r.date_of_birth)),
        ]
        refs = [r.LadoContact.contact_id for r in rows]
        table = dict(title="LADO records past retention", filename="lado-retention", columns=columns, rows=rows)
        return _download(fmt, refs, **table)
    page = paginate(query, page_number(), current_app.config["PAGE_SIZE"], scalars=False)
    note_read([row.LadoContact.contact_id for row in page.items], page=page.page, total=page.total)
    return render_template(
        "lado/retention.html",
        page=page,
        as_of=as_of,
        pension_age=queries.pension_age(),
        retention_date=queries.retention_date,
        pagination=links(page, "lado.retention"),
        downloads=download_links("lado.retention", {}) if page.total else [],
    )


# --- the LADO audit log (lado_manager) -------------------------------------------------------------------


@bp.route("/audit")
@require("lado.oversight")
def audit_log():
    """The audit log's LADO rows (changes to LADO records and reads of them), with their values:
    the administrators' log, filtered to the ``lado`` family (``permissions.audit_family``), and
    its download. Showing the values is itself a read of the records the rows name:
    ``audit_log_page`` notes their references (``note_read``), as the administrators' log does
    for a LADO role."""
    from tracker.admin.views import audit_log_page

    return audit_log_page("lado.audit_log", "lado/audit.html", family="lado")
