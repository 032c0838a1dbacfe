"""The board's forms (WTForms, as the other features' ``forms.py``)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovSelect, GovSubmitInput, GovTextInput
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from tracker.board.models import BoardUnit, GoodIs
from tracker.board.operations import COMMENTARY_MAX
from tracker.core import checks, kpis
from tracker.core.clock import today
from tracker.core.forms import CodeRadioField, GovMonth, TrackerForm, VersionedForm, iso_months_as_boxes

# --- the month every board page and download is for (``?month=YYYY-MM``) ---------------------


MONTH_MESSAGE = "Give the month as its year and number, like 2023-03"


def parse_month(text: str | None) -> dt.date | None:
    """``"2023-03"`` (the board's links and the commands' ``--month``) as the first day of that
    month; None when it is not a month."""
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", (text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return dt.date(int(match[1]), int(match[2]), 1)


def default_month() -> dt.date:
    """The month a board page opens on: the last complete month (the one the board reads)."""
    return (today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


class MonthForm(TrackerForm):
    """The scorecard's month (the latest of the six shown), in the GOV.UK month and year boxes
    as the indicators' pages ask for it; a link may give it as ``?month=2023-03``. Blank is the
    last complete month; this month (not over yet) is shown live to today."""

    class Meta:
        csrf = False

    month = GovMonth("Month")
    submit = SubmitField("Show month", widget=GovSubmitInput())

    def __init__(self, formdata=None, **kwargs):
        if formdata is not None:
            formdata = iso_months_as_boxes(formdata, "month")
        super().__init__(formdata, **kwargs)

    def validate_month(self, field):
        if field.errors or field.data is None:
            return
        if field.data > today().replace(day=1):
            raise ValidationError("Month must be this month or an earlier month")

    def chosen(self) -> dt.date:
        """The month asked for (when valid), or the last complete month."""
        return self.month.data if self.month.data is not None and not self.month.errors else default_month()


# --- the scorecard: commentary (helper A), configuration and re-freezing (helper B) ----------

COMMENTARY_REQUIRED = "Enter the commentary"
COMMENTARY_TOO_LONG = f"The commentary must be {COMMENTARY_MAX:,} characters or fewer"


class CommentaryForm(VersionedForm, TrackerForm):
    """A manager's commentary on one section of one month's scorecard (shown to the board as
    written: line breaks kept)."""

    text = TextAreaField(
        "Commentary",
        widget=GovCharacterCount(),
        validators=[
            InputRequired(message=COMMENTARY_REQUIRED),
            Length(max=COMMENTARY_MAX, message=COMMENTARY_TOO_LONG),
        ],
        description="What the board should know about this section's figures this month",
    )
    submit = SubmitField("Save commentary", widget=GovSubmitInput())

    def validate_text(self, field):
        if not field.errors and not (field.data or "").strip():
            raise ValidationError(COMMENTARY_REQUIRED)


# --- configuration and frozen months (admin) ---------------------------------------------------

TITLE_REQUIRED = "Enter the section's title"
NUMBER_HINT = "Optional. A number, like 85.5 (a percentage without the % sign)"


def _number(what: str):
    """An optional number with up to 2 decimal places (the operation checks its range)."""

    def check(form, field):
        text = (field.data or "").strip().replace(",", "")
        if not text:
            return
        try:
            number = Decimal(text)
        except ArithmeticError:
            raise ValidationError(f"{what} must be a number, like 85.5") from None
        if not number.is_finite() or not re.fullmatch(r"-?[0-9]*\.?[0-9]*", text):
            raise ValidationError(f"{what} must be a number, like 85.5")

    return check


class NewSectionForm(TrackerForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[
            DataRequired(message=TITLE_REQUIRED),
            Length(max=120, message="The title must be 120 characters or fewer"),
        ],
        description="As the board pack heads the section, for example Reviews",
    )
    submit = SubmitField("Save section", widget=GovSubmitInput())


class SectionForm(VersionedForm, NewSectionForm):
    """Renaming a section (its version: no lost updates)."""


class _RowFields(TrackerForm):
    label = StringField(
        "Label (optional)",
        widget=GovTextInput(),
        validators=[Length(max=200, message="The label must be 200 characters or fewer")],
        description="Leave blank to show the indicator's own title",
    )
    unit = CodeRadioField("Unit", codes=BoardUnit, validators=[InputRequired(message="Select the unit")])
    good_is = CodeRadioField(
        "Good is",
        codes=GoodIs,
        validators=[InputRequired(message="Select which way is good: high, low or neither")],
        description="Which way is better. With -, the row has no direction of travel or RAG.",
    )
    england = StringField(
        "England average (optional)", widget=GovTextInput(), validators=[_number("The England average")]
    )
    good_sn = StringField(
        "Good + SN average (optional)",
        widget=GovTextInput(),
        validators=[_number("The Good + SN average")],
        description="The average of the authorities rated good and the statistical neighbours",
    )
    target = StringField(
        "Target (optional)",
        widget=GovTextInput(),
        validators=[_number("The target")],
        description="The RAG status is shown only where a target is set",
    )
    tolerance = StringField(
        "RAG tolerance (optional)",
        widget=GovTextInput(),
        validators=[_number("The tolerance")],
        description="How far from the target is amber rather than red: 0 or more. "
        "Blank: the default (5 percentage points for %, 10% of the target otherwise).",
    )
    submit = SubmitField("Save row", widget=GovSubmitInput())

    def settings(self) -> dict:
        """The answers as ``operations.add_row`` / ``update_row`` take them."""
        return {name: getattr(self, name).data for name in ("label", "unit", "good_is", *NUMBER_FIELDS)}


NUMBER_FIELDS = ("england", "good_sn", "target", "tolerance")


class _OwnOrCode(CodeRadioField):
    """Radios for a code list whose first choice (blank) is the indicator's own."""

    def __init__(self, label=None, validators=None, *, codes, own: str, **kwargs):
        super().__init__(label, validators, codes=codes, default="", **kwargs)
        self.choices = codes.choices(blank=own)


class NewRowForm(_RowFields):
    unit = _OwnOrCode(
        "Unit",
        codes=BoardUnit,
        own="The indicator's own (No. for a count, % for a percentage, Rate for an average)",
        validators=[Optional()],
    )
    good_is = _OwnOrCode(
        "Good is",
        codes=GoodIs,
        own="As the indicator says",
        validators=[Optional()],
        description="Which way is better. With -, the row has no direction of travel or RAG.",
    )
    indicator_id = SelectField(
        "Indicator",
        widget=GovSelect(),
        validators=[InputRequired(message="Select the indicator")],
        description="Any registered indicator not on the scorecard yet",
    )


class RowForm(VersionedForm, _RowFields):
    """Changing a row (its indicator stays; its version: no lost updates)."""

    def record_values(self, record) -> dict:
        return row_data(record)


def row_data(row) -> dict:
    """A row's settings as the row form shows them."""
    values = {"label": row.label, "unit": str(row.unit), "good_is": str(row.good_is)}
    return values | {name: number_text(getattr(row, name)) for name in NUMBER_FIELDS}


def number_text(value) -> str:
    """A stored number as the form shows it: 85.50 as 85.5, 80.00 as 80."""
    if value is None:
        return ""
    text = f"{Decimal(value):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class ButtonForm(TrackerForm):
    """A button that changes something (move, freeze): CSRF only."""

    submit = SubmitField("Continue", widget=GovSubmitInput())


class DeleteForm(VersionedForm, TrackerForm):
    submit = SubmitField("Delete", widget=GovSubmitInput())


class RefreezeForm(TrackerForm):
    reason = TextAreaField(
        "Why is the month being re-frozen?",
        widget=GovCharacterCount(),
        validators=[
            InputRequired(message="Enter why the month is being re-frozen"),
            Length(max=2000, message="The reason must be 2000 characters or fewer"),
        ],
        description="The board sees this beside the month's figures: for example, records of March entered late",
    )
    submit = SubmitField("Re-freeze month", widget=GovSubmitInput())


# --- the annual report tables: the year picker (helper B) -------------------------------------

YEAR_MESSAGE = "Enter the year as a whole number, like 2022"


class YearForm(TrackerForm):
    """The annual report tables' financial year (kpis.md §7): blank is this financial year."""

    class Meta:
        csrf = False

    year = IntegerField(
        "Financial year",
        widget=GovTextInput(),
        validators=[Optional()],
        invalid_value_message=YEAR_MESSAGE,
        description="The year it starts in: for example, 2022 for April 2022 to March 2023",
    )
    submit = SubmitField("Show tables", widget=GovSubmitInput())

    def validate_year(self, field):
        if field.errors or field.data is None:
            return
        latest = this_year()
        if field.data > latest:
            raise ValidationError(f"The year must be {latest} (this financial year) or an earlier year")
        if field.data < checks.FIRST_DATE.year:
            raise ValidationError(f"The year must be {checks.FIRST_DATE.year} or a later year")

    def chosen(self) -> int:
        """The year asked for (when the form is valid), or this financial year."""
        return self.year.data if self.year.data is not None and not self.year.errors else this_year()


def this_year() -> int:
    """The year this financial year starts in."""
    return kpis.financial_year(today())[0].year
