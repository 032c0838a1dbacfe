"""Panel forms (GOV.UK patterns from ``tracker.core.forms``)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from tracker.core.forms import CodeRadioField, GovDate, TrackerForm, VersionedForm, choices, required_date
from tracker.core.timescales import DueState
from tracker.panels.models import CarerReviewOutcome, CarerType, EndReason, HouseholdStatus

# --- meetings and cases ----------------------------------------------------------------------
# (helper B)


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
