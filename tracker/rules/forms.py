"""Forms of the timescale rules pages."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import IntegerField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from tracker.core.forms import CodeRadioField, GovDate, TrackerForm, VersionedForm, required_date
from tracker.core.timescales import Unit

AMOUNT_MESSAGE = "Enter the amount as a whole number, like 20"


class RuleForm(VersionedForm, TrackerForm):
    amount = IntegerField(
        "Amount",
        widget=GovTextInput(),
        validators=[InputRequired(message=AMOUNT_MESSAGE)],
        invalid_value_message=AMOUNT_MESSAGE,
        description="A whole number. A negative number means before the anchor date "
        "(for example -5 for papers sent 5 working days before a panel).",
    )
    unit = CodeRadioField("Unit", codes=Unit, validators=[InputRequired(message="Select working days, days or months")])
    submit = SubmitField("Save rule", widget=GovSubmitInput())


class ClosureForm(TrackerForm):
    day = GovDate("Date", validators=[required_date("Enter the date of the closure")], ahead=True)
    reason = StringField(
        "Reason",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter the reason for the closure"),
            Length(max=200, message="The reason must be 200 characters or fewer"),
        ],
        description="For example, council closure between Christmas and New Year",
    )
    submit = SubmitField("Add closure day", widget=GovSubmitInput())


class RemoveForm(TrackerForm):
    submit = SubmitField("Remove", widget=GovSubmitInput())
