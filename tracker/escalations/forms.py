"""Escalation forms (GOV.UK Frontend widgets). Labels come from the code enums, never templates.
Forms check the shape of the input; the rules are the operations' (shown against the field).
The response, escalate, close, details and stage forms carry the escalation's version
(``VersionedForm``): on a conflict, the response and escalate forms are compared with the
escalation's current stage, the stage form with the stage it corrects. The fields a raise and a
correction share are made by the same functions (``_areas``, ``_to_whom``...)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from tracker.core.forms import CodeRadioField, GovDate, TrackerForm, VersionedForm, choices, required_date
from tracker.escalations.models import RAISE_STAGES, Area, Resolution, Stage


def _date(label: str, required_message: str, **kwargs) -> GovDate:
    return GovDate(label, validators=[required_date(required_message)], **kwargs)


def _to_whom(label: str, example: str) -> StringField:
    return StringField(
        label,
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
        description=f"The role, for example {example}. Do not enter names.",
    )


def _text(label: str) -> TextAreaField:
    return TextAreaField(label, widget=GovCharacterCount(), validators=[Optional(), Length(max=2000)])


def _areas() -> SelectMultipleField:
    return SelectMultipleField(
        "Areas of concern",
        widget=GovCheckboxesInput(),
        choices=Area.choices(),
        validators=[InputRequired(message="Select at least one area of concern")],
        description="Select all that apply",
    )


def _external_partner() -> StringField:
    return StringField(
        "External partner (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
        description="If the escalation is about a partner rather than the council's own team, "
        "for example health, dentistry, CAMHS, education or a provider",
    )


class RaiseForm(TrackerForm):
    child_id = StringField(
        "Child's case reference",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the child's case reference"), Length(max=40)],
    )
    stage = CodeRadioField(
        "Stage",
        codes=Stage,
        members=RAISE_STAGES,
        default=Stage.informal.value,
        validators=[InputRequired(message="Select the stage the escalation starts at")],
        description="Most escalations start informally with the social worker or team manager",
    )
    started_date = _date("Date the escalation started", "Enter the date the escalation started")
    to_whom = _to_whom("Raised with (optional)", "team manager")
    areas = _areas()
    external_partner = _external_partner()
    summary = _text("Summary (optional)")
    submit = SubmitField("Raise escalation", widget=GovSubmitInput())


class ResponseForm(VersionedForm, TrackerForm):
    response_date = _date("Date of the response", "Enter the date of the response")
    response_summary = _text("Summary of the response (optional)")
    submit = SubmitField("Record response", widget=GovSubmitInput())

    def record_values(self, escalation) -> dict:
        current = escalation.current_stage
        return {"response_date": current.response_date, "response_summary": current.response_summary} if current else {}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "response")
        super().__init__(*args, **kwargs)


class EscalateForm(VersionedForm, TrackerForm):
    # the operation decides which moves are allowed, so a refused move is explained in words
    to_stage = RadioField(
        "Escalate to",
        widget=GovRadioInput(),
        choices=[],
        validate_choice=False,
        validators=[InputRequired(message="Select the stage to escalate to")],
        description="Stages may be skipped. A referral to Cafcass can be made at any point.",
    )
    started_date = _date("Date the stage started", "Enter the date the stage started")
    to_whom = _to_whom("Escalated to (optional)", "head of service")
    submit = SubmitField("Escalate", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "escalate")
        super().__init__(*args, **kwargs)
        self.to_stage.choices = Stage.choices()  # the page offers the stages after the current one

    def record_values(self, escalation) -> dict:
        current = escalation.current_stage
        return (
            {"to_stage": current.stage, "started_date": current.started_date, "to_whom": current.to_whom}
            if current
            else {}
        )


class CloseForm(VersionedForm, TrackerForm):
    closed_date = _date("Date the escalation closed", "Enter the date the escalation closed")
    resolution = CodeRadioField(
        "Resolution", codes=Resolution, validators=[InputRequired(message="Select how the escalation was resolved")]
    )
    submit = SubmitField("Close escalation", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "close")
        super().__init__(*args, **kwargs)


class DetailsForm(VersionedForm, TrackerForm):
    """The details typed when the escalation was raised, corrected. ``raised_by`` is offered to
    the IRO manager only (the view removes it for everyone else, and fills its choices)."""

    areas = _areas()
    external_partner = _external_partner()
    summary = _text("Summary (optional)")
    raised_by = SelectField(
        "Raised by",
        widget=GovSelect(),
        choices=[],
        validators=[Optional()],
        description="The QARO who raised the escalation: it is on their list and worklist",
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())

    def record_values(self, escalation) -> dict:
        return {**super().record_values(escalation), "areas": [a.value for a in escalation.area_codes]}


class StageForm(VersionedForm, TrackerForm):
    """One stage's dates (and who it was raised with, and the response), corrected. The view
    names the stage (``stage_code``); the response deadline is computed from the start date."""

    started_date = _date(
        "Date the stage started",
        "Enter the date the stage started",
        description="Not before an earlier stage started, nor after a later stage started or the escalation closed. "
        "The response deadline is worked out from this date.",
    )
    to_whom = _to_whom("Raised with (optional)", "team manager")
    response_date = GovDate("Date of the response (optional)", description="Leave it blank if there was no response")
    response_summary = _text("Summary of the response (optional)")
    submit = SubmitField("Save changes", widget=GovSubmitInput())
    stage_code: str | None = None

    def record_values(self, escalation) -> dict:
        stage = escalation.stage(self.stage_code) if self.stage_code else None
        return super().record_values(stage) if stage is not None else {}


class FilterForm(TrackerForm):
    """A GET form: its values are codes and team names, never personal data."""

    class Meta:
        csrf = False

    status = SelectField(
        "Status",
        widget=GovSelect(),
        choices=choices([("open", "Open"), ("closed", "Closed"), ("all", "Open and closed")]),
        validators=[Optional()],
    )
    stage = SelectField(
        "Current stage", widget=GovSelect(), choices=Stage.choices(blank="Any stage"), validators=[Optional()]
    )
    area = SelectField(
        "Area of concern", widget=GovSelect(), choices=Area.choices(blank="Any area"), validators=[Optional()]
    )
    team = SelectField("Team", widget=GovSelect(), choices=[], validators=[Optional()])
    partner = SelectField("External partner", widget=GovSelect(), choices=[], validators=[Optional()])
    submit = SubmitField("Filter", widget=GovSubmitInput())
