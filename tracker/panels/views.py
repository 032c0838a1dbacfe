"""Panel pages under /panels. Thin: queries.py reads; operations.py changes (and audits); the
request lifecycle commits. ``panel_admin`` edits, ``adm`` decides, ``manager`` reads."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from tracker.core import worklist
from tracker.core.clock import today
from tracker.core.errors import DomainError
from tracker.core.forms import choices
from tracker.core.pagination import links, page_number, paginate, paginate_list
from tracker.core.permissions import require
from tracker.core.timescales import deadline
from tracker.extensions import db
from tracker.formatters import format_date, format_day
from tracker.panels import forms, operations, queries
from tracker.panels.forms import (
    AttendanceForm,
    BookYearForm,
    CancelMeetingForm,
    CaseForm,
    DecisionForm,
    EditCaseForm,
    MeetingDateForm,
    MeetingFilterForm,
    MeetingForm,
    OutcomeForm,
    PanelChoiceForm,
    PanelFilterForm,
)
from tracker.panels.models import (
    CarerReview,
    CarerType,
    CaseType,
    FosterHousehold,
    HouseholdStatus,
    MeetingStatus,
    Panel,
    PanelCase,
    PanelMeeting,
)
from tracker.web.downloads import Column, download_links, requested_format, send_table
from tracker.web.forms import field_error, submit
from tracker.web.records import find, load_or_404, record_url

bp = Blueprint("panels", __name__, url_prefix="/panels")


# --- meetings, cases, the ADM queue, the to-return list ----------------------------------
# The panel adviser (``panels.edit``) books meetings, adds cases, records attendance and
# outcomes, cancels meetings; the Agency Decision Maker (``panels.decide``) records decisions;
# the manager reads. A page whose action the record's state refuses (a cancelled meeting's
# attendance, an inquorate meeting's recommendations) says why instead of offering the form.

CAPTION = "Panels"
EXPORT = "panel_export"  # the audit row of a download is in the panels family


def _form_page(form, title: str, back: str, template: str = "form_page.html", **context):
    return render_template(template, form=form, title=title, back=back, caption=CAPTION, **context)


def _meeting_url(meeting_id: str | None) -> str:
    return record_url("panel_meeting", meeting_id) if meeting_id else url_for("panels.awaiting")


def _meeting_choice(meeting: PanelMeeting) -> tuple[str, str]:
    status = "" if meeting.status is MeetingStatus.booked else f" ({meeting.status.label.lower()})"
    return meeting.meeting_id, f"{format_day(meeting.meeting_date)} – {meeting.meeting_id}{status}"


def _case_choices(form, panel: Panel, keep: PanelMeeting | None = None) -> None:
    """The panel's case types, and the meetings a case may go to: its booked meetings (and the
    case's own meeting, whatever its state) or awaiting a date."""
    form.case_type.choices = CaseType.choices(blank="Select the type of case", members=panel.case_types)
    booked = queries.booked_meetings(panel, keep=keep.meeting_id if keep else None)
    if keep is not None and keep not in booked:
        booked = [keep, *booked]
    form.meeting_id.choices = choices([("", "Awaiting a date"), *(_meeting_choice(m) for m in booked)])


MEETING_COLUMNS = [
    Column("Meeting", lambda r: r.meeting_id),
    Column("Panel", lambda r: r.panel.label),
    Column("Date", lambda r: r.meeting_date),
    Column("Status", lambda r: r.status.label),
    Column("Cases", lambda r: r.cases),
    Column("Members present", lambda r: r.members_present),
    Column("Quoracy", lambda r: r.quoracy.label),
]


@bp.route("/")
@require("panels.view")
def calendar():
    """The meetings of both panels: upcoming (soonest first) and past (latest first, paged),
    filtered by panel, year (April to March) and status."""
    form = MeetingFilterForm(request.args)
    form.year.choices = choices(
        [("", "Any year"), *((str(y), f"April {y} to March {y + 1}") for y in queries.meeting_years())]
    )
    filters, args = queries.MeetingFilters(), {}
    if not request.args or form.validate():
        filters = queries.MeetingFilters(
            panel=form.panel.data or None,
            year=int(form.year.data) if form.year.data else None,
            status=form.status.data or None,
        )
        args = {k: v for k, v in request.args.items() if k in ("panel", "year", "status") and v}
    if fmt := requested_format():
        return send_table(
            fmt,
            title="Panel meetings",
            filename="panel-meetings",
            columns=MEETING_COLUMNS,
            rows=queries.meetings(filters),
            object_type=EXPORT,
        )
    page = queries.past_meetings_page(filters, page_number(), current_app.config["PAGE_SIZE"])
    upcoming = queries.upcoming_meetings(filters)
    return render_template(
        "panels/calendar.html",
        filter_form=form,
        upcoming=upcoming,
        page=page,
        pagination=links(page, "panels.calendar", **args),
        downloads=download_links("panels.calendar", args) if page.total or upcoming else [],
    )


@bp.route("/meetings/new", methods=["GET", "POST"])
@require("panels.edit")
def new_meeting():
    form = MeetingForm()
    if request.method == "GET" and Panel.get(request.args.get("panel")):
        form.panel.data = request.args["panel"]

    def book():
        return operations.book_meeting(panel=form.panel.data, meeting_date=form.meeting_date.data)

    if done := submit(form, book, default_field="meeting_date"):
        flash(f"Meeting {done.result.meeting_id} booked.", "success")
        return redirect(record_url("panel_meeting", done.result.meeting_id))
    return _form_page(form, "Book a panel meeting", url_for("panels.calendar"))


def _plan_args(form) -> dict:
    return {
        "panel": form.panel.data,
        "first_date": form.first_date.data,
        "last_date": form.last_date.data,
        "weekday": form.weekday.data,
        "weeks": form.weeks.data,
    }


@bp.route("/meetings/book-year", methods=["GET", "POST"])
@require("panels.edit")
def book_year():
    """A panel's calendar at once ("the 1st and 3rd Tuesday of each month"): the preview shows
    the dates and which are skipped (already booked, not a working day); booking says which."""
    form = BookYearForm()
    plan = None
    if request.method == "POST" and form.preview.data:
        if form.validate():
            try:
                plan = operations.plan_year(**_plan_args(form))
            except DomainError as exc:
                field_error(form, exc, "first_date")
    elif done := submit(form, lambda: operations.book_year(**_plan_args(form)), default_field="first_date"):
        plan, booked = done.result
        skipped = [f"{format_date(d)} (already booked)" for d in plan.already_booked] + [
            f"{format_date(d)} ({why})" for d, why in plan.not_working
        ]
        flash(
            f"{len(booked)} meetings of the {plan.panel.label.lower()} booked, from {format_date(booked[0].meeting_date)} "
            f"to {format_date(booked[-1].meeting_date)}." + (f" Not booked: {'; '.join(skipped)}." if skipped else ""),
            "success",
        )
        return redirect(url_for("panels.calendar", panel=plan.panel.value))
    return _form_page(
        form, "Book a year of panel meetings", url_for("panels.calendar"), "panels/meeting_book_year.html", plan=plan
    )


@bp.route("/meetings/<meeting_id>")
@require("panels.view")
def meeting(meeting_id: str):
    """The agenda (each case's papers deadline and whether the papers are late), the attendance
    and quoracy (computed from the members present, before the meeting too), and the outcomes."""
    meeting = load_or_404(PanelMeeting, meeting_id=meeting_id)
    return render_template(
        "panels/meeting.html",
        meeting=meeting,
        rows=queries.agenda(meeting),
        papers_due=deadline("panel_papers", meeting.meeting_date),
        quoracy=queries.Quoracy.of(meeting.members_present, meeting.quorate),
        gaps=operations.meeting_gaps(meeting),
        as_of=today(),
    )


@bp.route("/meetings/<meeting_id>/edit", methods=["GET", "POST"])
@require("panels.edit")
def edit_meeting(meeting_id: str):
    """Move a booked meeting to another date (its cases go with it)."""
    meeting = load_or_404(PanelMeeting, meeting_id=meeting_id)
    back = record_url("panel_meeting", meeting_id)
    form = MeetingDateForm(meeting_date=meeting.meeting_date)
    refusal = (
        None
        if meeting.status is MeetingStatus.booked
        else f"This meeting is {meeting.status.label.lower()}: only a booked meeting can be moved."
    )

    def save():
        return operations.edit_meeting(meeting, meeting_date=form.meeting_date.data)

    if refusal is None and (done := submit(form, save, record=meeting, default_field="meeting_date")):
        flash(f"Meeting {meeting_id} moved to {format_date(done.result.meeting_date)}.", "success")
        return redirect(back)
    title = f"Change the date of meeting {meeting_id}"
    return _form_page(form, title, back, "panels/meeting_form.html", meeting=meeting, refusal=refusal)


@bp.route("/meetings/<meeting_id>/attendance", methods=["GET", "POST"])
@require("panels.edit")
def attendance(meeting_id: str):
    """The members present, each with their role (before the meeting: those expected); quoracy
    follows from them."""
    meeting = load_or_404(PanelMeeting, meeting_id=meeting_id)
    back = record_url("panel_meeting", meeting_id)
    members = [{"name": m.name, "role": m.role.value} for m in meeting.members]
    form = AttendanceForm() if request.method == "POST" else AttendanceForm(data={"members": members})
    refusal = (
        "This meeting was cancelled: its attendance cannot be recorded."
        if meeting.status is MeetingStatus.cancelled
        else None
    )

    def save():
        return operations.record_attendance(meeting, members=form.pairs())

    if refusal is None and (done := submit(form, save, record=meeting, default_field="members-0-name")):
        m = done.result
        flash(
            f"Attendance saved: {m.members_present} members, "
            + ("quorate." if m.quorate else f"not quorate ({'; '.join(operations.meeting_gaps(m))})."),
            "success",
        )
        return redirect(back)
    while len(form.members) < min(operations.MAX_MEMBERS, max(8, len(members) + 2, len(form.members))):
        form.members.append_entry()
    form.label_rows()
    title = f"Attendance at meeting {meeting_id}"
    return _form_page(form, title, back, "panels/meeting_attendance.html", meeting=meeting, refusal=refusal)


@bp.route("/meetings/<meeting_id>/cancel", methods=["GET", "POST"])
@require("panels.edit")
def cancel_meeting(meeting_id: str):
    """Cancel a booked meeting with the reason: its cases without a recommendation go back to
    awaiting a date, and the page says how many."""
    meeting = load_or_404(PanelMeeting, meeting_id=meeting_id)
    back = record_url("panel_meeting", meeting_id)
    form = CancelMeetingForm()
    refusal = (
        None
        if meeting.status is MeetingStatus.booked
        else f"This meeting is {meeting.status.label.lower()}: only a booked meeting can be cancelled."
    )

    def save():
        return operations.cancel_meeting(meeting, reason=form.reason.data)

    if refusal is None and (done := submit(form, save, record=meeting, default_field="reason")):
        moved = len(done.result)
        flash(
            f"Meeting {meeting_id} cancelled. "
            + (
                f"{moved} case{'s' if moved != 1 else ''} moved back to awaiting a date."
                if moved
                else "It had no cases to move."
            ),
            "success",
        )
        return redirect(back)
    title = f"Cancel meeting {meeting_id}"
    return _form_page(form, title, back, "panels/meeting_form.html", meeting=meeting, refusal=refusal)


@bp.route("/cases/new", methods=["GET", "POST"])
@require("panels.edit")
def new_case():
    """Add a case: first the panel (``?panel=``, or ``?meeting=`` from a meeting's agenda), then
    its type (the panel's), subject, carer type, meeting (or awaiting a date) and papers date."""
    meeting = find(PanelMeeting, meeting_id=request.args["meeting"]) if request.args.get("meeting") else None
    panel = Panel(meeting.panel) if meeting is not None else Panel.get(request.args.get("panel"))
    if panel is None:
        choice = PanelChoiceForm(request.args)
        if "panel" in request.args:
            choice.validate()
        return _form_page(choice, "Add a panel case", url_for("panels.calendar"), "panels/case_panel.html")
    form = CaseForm()
    _case_choices(form, panel, keep=meeting if meeting is not None and meeting.status is MeetingStatus.held else None)
    if request.method == "GET" and meeting is not None:
        form.meeting_id.data = meeting.meeting_id

    def add():
        return operations.add_case(
            panel=panel,
            case_type=form.case_type.data,
            subject_ref=form.subject_ref.data,
            carer_type=form.carer_type.data,
            meeting_id=form.meeting_id.data,
            papers_sent_date=form.papers_sent_date.data,
        )

    if done := submit(form, add, default_field="case_type"):
        where = f"added to meeting {done.result.meeting_id}" if done.result.meeting_id else "added: awaiting a date"
        flash(f"Case {done.result.case_id} {where}.", "success")
        return redirect(record_url("panel_case", done.result.case_id))
    back = record_url("panel_meeting", meeting.meeting_id) if meeting else url_for("panels.calendar")
    return _form_page(form, f"Add a case for the {panel.label.lower()}", back, "panels/case_form.html")


@bp.route("/cases/<case_id>")
@require("panels.view")
def case(case_id: str):
    """A case: its meeting and papers deadline, the recommendation, the ADM deadline (the
    worklist's) and decision, the subject's other cases at the panel, and (by reference only)
    the LADO referral that brought it."""
    panel_case = load_or_404(PanelCase, case_id=case_id)
    meeting = panel_case.meeting
    papers_due = deadline("panel_papers", meeting.meeting_date) if meeting else None
    as_of = today()
    return render_template(
        "panels/case.html",
        case=panel_case,
        meeting=meeting,
        papers_due=papers_due,
        papers=queries.papers_state(panel_case.papers_sent_date, papers_due, as_of) if papers_due else None,
        stage=queries.CaseStage.of(panel_case, as_of),
        deadlines=worklist.for_record("panel_case", case_id, as_of),
        history=queries.subject_cases(panel_case),
        outcome_refusal=operations.outcome_refusal(panel_case),
        decision_refusal=operations.decision_refusal(panel_case),
    )


@bp.route("/cases/<case_id>/edit", methods=["GET", "POST"])
@require("panels.edit")
def edit_case(case_id: str):
    """Correct a case's details, move it to another booked meeting of its panel or back to
    awaiting a date."""
    panel_case = load_or_404(PanelCase, case_id=case_id)
    back = record_url("panel_case", case_id)
    form = EditCaseForm(
        case_type=panel_case.case_type,
        subject_ref=panel_case.subject_ref,
        carer_type=panel_case.carer_type or "",
        meeting_id=panel_case.meeting_id or "",
        papers_sent_date=panel_case.papers_sent_date,
    )
    _case_choices(form, Panel(panel_case.panel), keep=panel_case.meeting)

    def save():
        return operations.edit_case(
            panel_case,
            case_type=form.case_type.data,
            subject_ref=form.subject_ref.data,
            carer_type=form.carer_type.data,
            meeting_id=form.meeting_id.data,
            papers_sent_date=form.papers_sent_date.data,
        )

    if submit(form, save, record=panel_case, default_field="case_type"):
        flash(f"Case {case_id} saved.", "success")
        return redirect(back)
    return _form_page(form, f"Change case {case_id}", back, "panels/case_form.html")


@bp.route("/cases/<case_id>/outcome", methods=["GET", "POST"])
@require("panels.edit")
def outcome(case_id: str):
    """The panel's recommendation and the date the minutes were finalised: refused (with the
    reason) at a meeting that was cancelled, has not happened yet or was not quorate."""
    panel_case = load_or_404(PanelCase, case_id=case_id)
    form = OutcomeForm(recommendation=panel_case.recommendation, minutes_final_date=panel_case.minutes_final_date)

    def save():
        return operations.record_outcome(
            panel_case, recommendation=form.recommendation.data, minutes_final_date=form.minutes_final_date.data
        )

    if submit(form, save, record=panel_case, default_field="recommendation"):
        flash(f"Recommendation for case {case_id} saved.", "success")
        return redirect(_meeting_url(panel_case.meeting_id))
    return _form_page(
        form,
        f"Recommendation for case {case_id}",
        record_url("panel_case", case_id),
        "panels/case_step.html",
        case=panel_case,
        refusal=operations.outcome_refusal(panel_case),
    )


@bp.route("/cases/<case_id>/decision", methods=["GET", "POST"])
@require("panels.decide")
def decision(case_id: str):
    """The Agency Decision Maker's decision: agreed, or not agreed with the reasons."""
    panel_case = load_or_404(PanelCase, case_id=case_id)
    form = DecisionForm(
        decision=panel_case.adm_decision,
        decision_date=panel_case.adm_decision_date,
        reasons=panel_case.adm_reasons,
    )
    if request.method == "GET" and form.decision_date.data is None:
        form.decision_date.data = today()

    def save():
        return operations.record_decision(
            panel_case, decision=form.decision.data, decision_date=form.decision_date.data, reasons=form.reasons.data
        )

    if submit(form, save, record=panel_case, default_field="decision"):
        flash(f"Decision on case {case_id} recorded.", "success")
        return redirect(url_for("panels.adm_queue"))
    return _form_page(
        form,
        f"ADM decision on case {case_id}",
        record_url("panel_case", case_id),
        "panels/case_step.html",
        case=panel_case,
        refusal=operations.decision_refusal(panel_case),
    )


def _panel_filter() -> tuple[PanelFilterForm, str | None, dict]:
    form = PanelFilterForm(request.args)
    if request.args and not form.validate():
        return form, None, {}
    panel = form.panel.data or None
    return form, panel, {"panel": panel} if panel else {}


CASE_COLUMNS = [
    Column("Case", lambda c: c.case_id),
    Column("Panel", lambda c: c.panel.label),
    Column("Type of case", lambda c: c.case_type.label),
    Column("Subject", lambda c: c.subject_ref or ""),
    Column("Carer type", lambda c: c.carer_type.label if c.carer_type else ""),
    Column("Papers sent", lambda c: c.papers_sent_date),
]


@bp.route("/awaiting")
@require("panels.view")
def awaiting():
    """Cases awaiting a date: new cases, cases of a cancelled meeting, reviews after an allegation."""
    form, panel, args = _panel_filter()
    query = queries.awaiting_select(panel)
    if fmt := requested_format():
        rows = db.session.scalars(query)
        return send_table(
            fmt, title="Cases awaiting a date", filename="panel-cases-awaiting", columns=CASE_COLUMNS, rows=rows,
            object_type=EXPORT,
        )  # fmt: skip
    page = paginate(query, page_number(), current_app.config["PAGE_SIZE"])
    return render_template(
        "panels/awaiting.html",
        filter_form=form,
        page=page,
        pagination=links(page, "panels.awaiting", **args),
        downloads=download_links("panels.awaiting", args) if page.total else [],
    )


@bp.route("/adm")
@require("panels.view")
def adm_queue():
    """Each case awaiting the Agency Decision Maker's decision, with the recommendation and the
    deadline and state the worklist computes (final minutes + 7 working days)."""
    rows = queries.adm_queue(today(), user=current_user._get_current_object())
    if fmt := requested_format():
        columns = [
            Column("Case", lambda r: r.case.case_id),
            Column("Panel", lambda r: r.case.panel.label),
            Column("Type of case", lambda r: r.case.case_type.label),
            Column("Subject", lambda r: r.case.subject_ref or ""),
            Column("Meeting", lambda r: r.meeting.meeting_date),
            Column("Recommendation", lambda r: r.case.recommendation.label),
            Column("Minutes finalised", lambda r: r.case.minutes_final_date),
            Column("Decision due", lambda r: r.item.due_date),
            Column("Status", lambda r: r.item.state.label),
        ]
        return send_table(
            fmt, title="ADM queue", filename="panel-adm-queue", columns=columns, rows=rows, object_type=EXPORT
        )
    page = paginate_list(rows, page_number(), current_app.config["PAGE_SIZE"])
    return render_template(
        "panels/adm_queue.html",
        page=page,
        pagination=links(page, "panels.adm_queue"),
        downloads=download_links("panels.adm_queue", {}) if rows else [],
    )


@bp.route("/to-return")
@require("panels.view")
def to_return():
    """Deferred cases that must come back to panel (000:L704): each stays until a later case of
    the same subject is heard at a held meeting; with whether its return is booked."""
    form, panel, args = _panel_filter()
    rows = queries.to_return(today(), panel)
    if fmt := requested_format():
        columns = [
            Column("Case", lambda r: r.case_id),
            Column("Panel", lambda r: r.panel.label),
            Column("Type of case", lambda r: r.case_type.label),
            Column("Subject", lambda r: r.subject_ref or ""),
            Column("Deferred at meeting", lambda r: r.meeting_id),
            Column("Deferred on", lambda r: r.deferred_on),
            Column("Return", lambda r: r.state.label),
            Column("Return meeting", lambda r: r.return_date),
        ]
        return send_table(fmt, title="Deferred cases to return", filename="panel-to-return", columns=columns, rows=rows,
                          object_type=EXPORT)  # fmt: skip
    page = paginate_list(rows, page_number(), current_app.config["PAGE_SIZE"])
    return render_template(
        "panels/to_return.html",
        filter_form=form,
        page=page,
        pagination=links(page, "panels.to_return", **args),
        downloads=download_links("panels.to_return", args) if rows else [],
    )


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
