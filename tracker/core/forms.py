"""Form pieces every feature shares (GOV.UK Frontend widgets via govuk-frontend-wtf): the
GOV.UK date field, choices, and radios for a code list with each code's hint beside it.

Forms check the shape of the input (a real date, a known code); the rules are the operations'
(``DomainError``), shown against the field by ``tracker.web.forms.submit``."""

from __future__ import annotations

import datetime as dt

from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovRadioInput
from wtforms import DateField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

DATE_EXAMPLE = "For example, 27 3 2023"


class _DateInput(GovDateInput):
    """The GOV.UK date boxes, showing a stored date as typed: 6 3 2023, not 06 03 2023."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        if field.raw_data is None and field.data:
            for item, value in zip(params["items"], (field.data.day, field.data.month, field.data.year), strict=True):
                item["value"] = str(value)
        return params


class GovDate(DateField):
    """Day, month and year boxes (the GOV.UK date pattern): all blank = no date; anything else
    must be a real date, and the user's typing is kept when it is not."""

    def __init__(self, label=None, validators=None, **kwargs):
        # GOV.UK date pattern: every date input carries the example as its hint
        description = kwargs.pop("description", "") or ""
        if DATE_EXAMPLE.lower() not in description.lower():
            description = f"{DATE_EXAMPLE}. {description}" if description else DATE_EXAMPLE
        super().__init__(label, validators, format="%d %m %Y", widget=_DateInput(), description=description, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            self.raw_data = None  # not posted at all: the widget shows the stored value
        elif len(valuelist) != 3:
            self.raw_data = (list(valuelist) + ["", "", ""])[:3]
        if not valuelist or not any(v.strip() for v in valuelist):
            self.data = None
            return
        try:
            day, month, year = (int(v.strip()) for v in self.raw_data)
            if year < 1900:
                raise ValueError
            self.data = dt.date(year, month, day)
        except (TypeError, ValueError):
            self.data = None
            what = self.label.text.removesuffix(" (optional)")
            raise ValueError(f"{what} must be a real date, for example 27 3 2023") from None


def required_date(message: str):
    """A blank date gets ``message``; a date that is not real keeps its own error."""

    def check(form, field):
        if field.data is None and not field.errors:
            raise ValidationError(message)

    return check


def choices(pairs) -> list[SelectChoice]:
    """Select/radio choices as SelectChoice (WTForms 3.3 warns on plain tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


class _HintedRadios(GovRadioInput):
    """GOV.UK radios whose items carry their code's hint (e.g. an outcome's definition)."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        for item in params["items"]:
            member = field.codes.get(item["value"])
            if member is not None and member.hint:
                item["hint"] = {"text": member.hint}
        return params


class CodeRadioField(RadioField):
    """Radios for a ``CodeEnum`` (all its codes, or ``members``), labels and hints from the enum."""

    widget = _HintedRadios()

    def __init__(self, label=None, validators=None, *, codes, members=None, **kwargs):
        super().__init__(label, validators, choices=codes.choices(members=members), **kwargs)
        self.codes = codes
