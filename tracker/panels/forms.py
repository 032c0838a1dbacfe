"""Panel forms (GOV.UK patterns from ``tracker.core.forms``)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from tracker.core.forms import CodeRadioField, GovDate, TrackerForm, VersionedForm, choices, required_date
from tracker.core.timescales import DueState
from tracker.panels.models import (
    AdmDecision,
    CarerReviewOutcome,
    CarerType,
    EndReason,
    HouseholdStatus,
    MeetingStatus,
    MemberRole,
    Panel,
    Recommendation,
)
from tracker.panels.operations import MAX_MEMBERS, Weekday, WeekOfMonth

# --- meetings and cases ----------------------------------------------------------------------
# Forms check the shape of the input (a real date, a known code); the rules (one meeting a day per
# panel, the panel's case types, quoracy before a recommendation, reasons when not agreed) are the
# operations' and come back as field errors. Forms that change a meeting or a case carry its version.


def _panel() -> CodeRadioField:
    return CodeRadioField("Panel", codes=Panel, validators=[InputRequired(message="Select the panel")])


def _meeting_date(label: str = "Date of the meeting") -> GovDate:
    return GovDate(label, validators=[required_date("Enter the date of the meeting")], ahead=True)


class MeetingForm(TrackerForm):
    panel = _panel()
    meeting_date = _meeting_date()
    submit = SubmitField("Book meeting", widget=GovSubmitInput())


class MeetingDateForm(VersionedForm, TrackerForm):
    """A booked meeting moved to another date."""

    meeting_date = _meeting_date("New date of the meeting")
    submit = SubmitField("Save date", widget=GovSubmitInput())


class BookYearForm(TrackerForm):
    """A panel's calendar at once: each chosen week's weekday of every month between two dates.
    ``preview`` shows the dates (and those skipped) without booking them."""

    panel = _panel()
    first_date = GovDate(
        "First date",
        validators=[required_date("Enter the first date to book from")],
        ahead=True,
        description="Meetings are booked from this date",
    )
    last_date = GovDate(
        "Last date",
        validators=[required_date("Enter the last date to book up to")],
        ahead=True,
        description="Up to a year after the first date",
    )
    weekday = CodeRadioField(
        "Day of the week",
        codes=Weekday,
        validators=[InputRequired(message="Select the day of the week the panel meets")],
    )
    weeks = SelectMultipleField(
        "Which weeks of the month",
        widget=GovCheckboxesInput(),
        choices=WeekOfMonth.choices(),
        validators=[InputRequired(message="Select which weeks of the month the panel meets")],
        description="For example, the 1st and 3rd",
    )
    preview = SubmitField("Preview the dates", widget=GovSubmitInput())
    submit = SubmitField("Book these meetings", widget=GovSubmitInput())


class CancelMeetingForm(VersionedForm, TrackerForm):
    reason = TextAreaField(
        "Why is the meeting cancelled?",
        widget=GovCharacterCount(),
        validators=[InputRequired(message="Enter why the meeting is cancelled"), Length(max=2000)],
        description="Its cases without a recommendation go back to awaiting a date",
    )
    submit = SubmitField("Cancel the meeting", widget=GovSubmitInput())


class MemberRow(Form):
    """One member present: a row of the attendance form (a blank row is ignored)."""

    name = StringField("Name", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    role = SelectField(
        "Role", widget=GovSelect(), choices=MemberRole.choices(blank="Select a role"), validators=[Optional()]
    )


class AttendanceForm(VersionedForm, TrackerForm):
    """The members present at a meeting (or expected, before it), each with the role they sat
    in: as many rows as there are members, and some blank ones."""

    members = FieldList(FormField(MemberRow), min_entries=0, max_entries=MAX_MEMBERS)
    submit = SubmitField("Save attendance", widget=GovSubmitInput())

    def label_rows(self) -> None:
        """Each row's labels name its member's number (every input has its own label)."""
        for number, entry in enumerate(self.members, 1):
            entry.form.name.label.text = f"Member {number}: name"
            entry.form.role.label.text = f"Member {number}: role"

    def pairs(self) -> list[tuple[str | None, str | None]]:
        return [(entry.form.name.data, entry.form.role.data) for entry in self.members]

    def record_values(self, meeting) -> dict:
        return {}  # the members as a colleague saved them are on the page

    def __getattr__(self, name: str):
        """A row's field by its id (``members-2-role``): where the operation's refusal of that
        row is shown (``tracker.web.forms.field_error``)."""
        parts = name.split("-")
        members = self.__dict__.get("members")
        if members is not None and len(parts) == 3 and parts[0] == "members" and parts[1].isdigit():
            entries = members.entries
            if int(parts[1]) < len(entries) and parts[2] in entries[int(parts[1])].form._fields:
                return entries[int(parts[1])].form[parts[2]]
        raise AttributeError(name)

    @property
    def errors(self) -> dict:
        """With the rows' errors as they are now (a refusal is added to a row after validation)."""
        errors = dict(super().errors)
        rows = [entry.form.errors for entry in self.members.entries]
        if any(rows):
            errors["members"] = rows
        return errors


class PanelChoiceForm(TrackerForm):
    """The first question of adding a case: which panel (a GET form: a code, no personal data)."""

    class Meta:
        csrf = False

    panel = _panel()
    submit = SubmitField("Continue", widget=GovSubmitInput())


class _CaseFields(TrackerForm):
    """A case's details. The view fills ``case_type`` with the panel's types and ``meeting_id``
    with its booked meetings (the blank choice: awaiting a date)."""

    case_type = SelectField(
        "Type of case",
        widget=GovSelect(),
        choices=[],
        validate_choice=False,  # the operation names the panel whose types these are
        validators=[InputRequired(message="Select the type of case")],
    )
    subject_ref = StringField(
        "Reference of the household, adopter or child",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the reference of the household, adopter or child"), Length(max=40)],
        description="For example H024. A deferred case stays on the to-return list until a later case "
        "with the same reference is heard.",
    )
    carer_type = SelectField(
        "Carer type (optional)",
        widget=GovSelect(),
        choices=CarerType.choices(blank="Not recorded"),
        validators=[Optional()],
    )
    meeting_id = SelectField(
        "Meeting",
        widget=GovSelect(),
        choices=[],
        validate_choice=False,  # the operation says why a meeting cannot take the case
        validators=[Optional()],
        description="A booked meeting of the panel, or awaiting a date",
    )
    papers_sent_date = GovDate(
        "Date the papers were sent to members (optional)",
        description="Leave it blank until the papers are sent. They are due 5 working days before the meeting.",
    )


class CaseForm(_CaseFields):
    submit = SubmitField("Add case", widget=GovSubmitInput())


class EditCaseForm(VersionedForm, _CaseFields):
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class OutcomeForm(VersionedForm, TrackerForm):
    recommendation = CodeRadioField(
        "The panel's recommendation",
        codes=Recommendation,
        validators=[InputRequired(message="Select the panel's recommendation")],
    )
    minutes_final_date = GovDate(
        "Date the minutes were finalised (optional)",
        description="Leave it blank until the minutes are final: the ADM's 7 working days start from this date",
    )
    submit = SubmitField("Save recommendation", widget=GovSubmitInput())


class DecisionForm(VersionedForm, TrackerForm):
    decision = CodeRadioField(
        "Decision",
        codes=AdmDecision,
        validators=[InputRequired(message="Select whether you agree with the recommendation")],
    )
    decision_date = GovDate("Date of the decision", validators=[required_date("Enter the date of the decision")])
    reasons = TextAreaField(
        "Reasons",
        widget=GovCharacterCount(),
        validators=[Optional(), Length(max=2000)],
        description="Required when you do not agree with the recommendation",
    )
    submit = SubmitField("Record decision", widget=GovSubmitInput())

    def record_values(self, case) -> dict:
        return {"decision": case.adm_decision, "decision_date": case.adm_decision_date, "reasons": case.adm_reasons}


class MeetingFilterForm(TrackerForm):
    """The calendar's filters (a GET form: codes and years, never personal data). The view fills
    ``year`` with the years that have meetings."""

    class Meta:
        csrf = False

    panel = SelectField(
        "Panel", widget=GovSelect(), choices=Panel.choices(blank="Both panels"), validators=[Optional()]
    )
    year = SelectField("Year (April to March)", widget=GovSelect(), choices=[], validators=[Optional()])
    status = SelectField(
        "Status", widget=GovSelect(), choices=MeetingStatus.choices(blank="Any status"), validators=[Optional()]
    )
    submit = SubmitField("Filter", widget=GovSubmitInput())


class PanelFilterForm(TrackerForm):
    """One panel or both (a GET form)."""

    class Meta:
        csrf = False

    panel = SelectField(
        "Panel", widget=GovSelect(), choices=Panel.choices(blank="Both panels"), validators=[Optional()]
    )
    submit = SubmitField("Filter", widget=GovSubmitInput())


# --- foster households and carer reviews ---------------------------------------------------
# The reviewing officer's choices are the view's (``queries.reviewing_officers``); that the one
# chosen is an officer is the operation's rule, whose message a stale or forged choice gets.


def _reviewing_officer_field(label: str, description: str) -> SelectField:
    return SelectField(
        label,
        widget=GovSelect(),
        choices=[],
        validators=[Optional(), Length(max=40)],
        validate_choice=False,
        description=description,
    )


class HouseholdForm(VersionedForm, TrackerForm):
    """A household's details (the view removes ``household_id`` when it changes one)."""

    household_id = StringField(
        "Household reference (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=40, message="The household reference must be 40 characters or fewer")],
        description="Leave it blank to be given the next reference, for example H0061",
    )
    name = StringField(
        "Name (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200, message="The name must be 200 characters or fewer")],
        description="How the fostering team knows the household, for example Smith household",
    )
    carer_type = CodeRadioField(
        "Type of carer", codes=CarerType, validators=[InputRequired(message="Select the type of carer")]
    )
    approval_date = GovDate(
        "Date of approval",
        validators=[required_date("Enter the date of approval")],
        description="For a temporary approval (regulation 24), the day the child was placed",
    )
    reviewing_officer_id = _reviewing_officer_field(
        "Fostering reviewing officer", "Leave it as not allocated for the fostering team to pick up the reviews"
    )
    submit = SubmitField("Save household", widget=GovSubmitInput())


class EndHouseholdForm(VersionedForm, TrackerForm):
    end_date = GovDate(
        "Date the household stopped fostering",
        validators=[required_date("Enter the date the household stopped fostering")],
    )
    end_reason = CodeRadioField(
        "Why the household stopped fostering",
        codes=EndReason,
        validators=[InputRequired(message="Select why the household stopped fostering")],
    )
    submit = SubmitField("End the household's approval", widget=GovSubmitInput())


class HouseholdStatusForm(VersionedForm, TrackerForm):
    """Put on hold, or approved again: one button (the view words it for the household's status)."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


REVIEW_TO_PANEL_CHOICES = choices([("yes", "Yes"), ("no", "No, straight to the Agency Decision Maker")])


class CarerReviewForm(VersionedForm, TrackerForm):
    """A review recorded or corrected (it carries the review's version when it changes one)."""

    review_date = GovDate("Date of the review", validators=[required_date("Enter the date of the review")])
    reviewing_officer_id = _reviewing_officer_field(
        "Reviewing officer", "The fostering reviewing officer who chaired the review"
    )
    to_panel = RadioField(
        "Did the review go to panel?",
        widget=GovRadioInput(),
        choices=REVIEW_TO_PANEL_CHOICES,
        validators=[InputRequired(message="Select whether the review went to panel")],
        description="The first review after approval, every third-year review and any review after an allegation "
        "go to panel",
    )
    outcome = CodeRadioField("Outcome (optional)", codes=CarerReviewOutcome, validators=[Optional()])
    submit = SubmitField("Save review", widget=GovSubmitInput())

    def record_values(self, review) -> dict:
        return {**super().record_values(review), "to_panel": "yes" if review.to_panel else "no"}


class RemoveCarerReviewForm(VersionedForm, TrackerForm):
    reason = TextAreaField(
        "Why is the review being removed?",
        widget=GovCharacterCount(),
        validators=[
            InputRequired(message="Enter why the review is being removed"),
            Length(max=2000, message="The reason must be 2000 characters or fewer"),
        ],
        description="For example, recorded against the wrong household",
    )
    submit = SubmitField("Remove the review", widget=GovSubmitInput())


class ExtendTemporaryForm(VersionedForm, TrackerForm):
    extended_date = GovDate(
        "Date the extension was agreed", validators=[required_date("Enter the date the extension was agreed")]
    )
    submit = SubmitField("Extend the temporary approval", widget=GovSubmitInput())


class FullApprovalForm(VersionedForm, TrackerForm):
    carer_type = CodeRadioField(
        "Approved as",
        codes=CarerType,
        members=(CarerType.connected, CarerType.mainstream),
        validators=[InputRequired(message="Select the type of approval")],
        validate_choice=False,  # the operation's rule, with its message
    )
    approval_date = GovDate(
        "Date of the full approval",
        validators=[required_date("Enter the date of the full approval")],
        description="The day the Agency Decision Maker approved the household: its first review is due a year later",
    )
    submit = SubmitField("Record the full approval", widget=GovSubmitInput())

    def record_values(self, household) -> dict:
        return {"carer_type": household.carer_type, "approval_date": household.approval_date}


CURRENT_HOUSEHOLDS = "current"  # the households list's default: approved or on hold


class HouseholdFilterForm(TrackerForm):
    """A GET form: codes and officer ids, never personal data (a search by name is posted:
    ``HouseholdSearchForm``). The view gives the officers."""

    class Meta:
        csrf = False

    status = SelectField(
        "Status",
        widget=GovSelect(),
        choices=choices(
            [(CURRENT_HOUSEHOLDS, "Approved or on hold"), *HouseholdStatus.labels().items(), ("all", "Any status")]
        ),
        validators=[Optional()],
    )
    carer_type = SelectField(
        "Type of carer", widget=GovSelect(), choices=CarerType.choices(blank="Any type"), validators=[Optional()]
    )
    state = SelectField(
        "Next review", widget=GovSelect(), choices=DueState.choices(blank="Any"), validators=[Optional()]
    )
    officer = SelectField("Reviewing officer", widget=GovSelect(), choices=[], validators=[Optional()])
    submit = SubmitField("Filter", widget=GovSubmitInput())


class HouseholdSearchForm(TrackerForm):
    """Posted (with CSRF) and kept in the session: a household's name stays out of URLs, the
    browser history and the server's request log."""

    search = StringField(
        "Reference or name",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200, message="Enter 200 characters or fewer")],
    )
    submit = SubmitField("Search", widget=GovSubmitInput())
