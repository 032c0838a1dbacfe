"""Form pieces every feature shares (GOV.UK Frontend widgets via govuk-frontend-wtf): the base
of every form (``TrackerForm``: no control characters in any posted value), the GOV.UK date
field (a real date in the accepted range), id and date validators, choices, and radios for a
code list with each code's hint beside it.

Forms check the shape of the input (a real date, a known code); the rules are the operations'
(``DomainError``), shown against the field by ``tracker.web.forms.submit``."""

from __future__ import annotations

import datetime as dt
import re

from flask import abort, request
from flask_wtf import FlaskForm
from govuk_frontend_wtf.gov_form_base import GovFormBase
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovRadioInput
from werkzeug.datastructures import MultiDict
from wtforms import DateField, HiddenField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from tracker.core import checks
from tracker.core.errors import DomainError

DATE_EXAMPLE = "For example, 27 3 2023"
# A post whose CSRF token has expired or is missing (tracker.web.forms.check_csrf): its page had been
# open for too long, or the user signed in again since it was opened.
TOKEN_REFUSED = "Your form was not sent because this page had expired. Check your answers and send it again."
_BOXES = (re.compile(r"[0-9]{1,2}"), re.compile(r"[0-9]{1,2}"), re.compile(r"[0-9]{1,4}"))  # day, month, year


class _DateInput(GovDateInput):
    """The GOV.UK date boxes, showing a stored date as typed: 6 3 2023, not 06 03 2023."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        if field.raw_data is None and field.data:
            for item, value in zip(params["items"], (field.data.day, field.data.month, field.data.year), strict=True):
                item["value"] = str(value)
        return params


class _DateBoxes(DateField):
    """Boxes of digits sharing one name (the GOV.UK date pattern): all blank = nothing; anything
    else must be exactly its boxes making a real ``noun`` whose day is in the accepted range
    (``checks.date_storable``; ``ahead`` for one that may lie up to two years ahead), and the
    user's typing is kept when it is not."""

    boxes: tuple[re.Pattern, ...] = ()
    noun = "date"
    example = "27 3 2023"

    def __init__(self, label=None, validators=None, *, ahead: bool = False, **kwargs):
        # GOV.UK date pattern: every date input carries the example as its hint
        hint = f"For example, {self.example}"
        description = kwargs.pop("description", "") or ""
        if hint.lower() not in description.lower():
            description = f"{hint}. {description}" if description else hint
        super().__init__(label, validators, description=description, **kwargs)
        self.ahead = ahead  # a due date, a scheduled meeting, a booked day: may lie up to 2 years ahead

    def _date(self, *numbers: int) -> dt.date:
        raise NotImplementedError

    def process_formdata(self, valuelist):
        count = len(self.boxes)
        if not valuelist:
            self.raw_data = None  # not posted at all: the widget shows the stored value
        elif len(valuelist) != count:
            self.raw_data = (list(valuelist) + [""] * count)[:count]
        if not valuelist or not any(v.strip() for v in valuelist):
            self.data = None
            return
        what = self.label.text.removesuffix(" (optional)")
        self.data = None
        try:
            # exactly its boxes of digits (a box missing, one too many or a 20-digit year is not a date)
            if len(valuelist) != count or not all(
                box.fullmatch(v.strip()) for box, v in zip(self.boxes, valuelist, strict=True)
            ):
                raise ValueError
            parsed = self._date(*(int(v.strip()) for v in valuelist))
        except ValueError:
            raise ValueError(f"{what} must be a real {self.noun}, for example {self.example}") from None
        try:
            checks.date_storable(parsed, self.name, what, ahead=self.ahead)
        except DomainError as exc:
            raise ValueError(exc.message) from None
        self.data = parsed


class GovDate(_DateBoxes):
    """Day, month and year boxes (the GOV.UK date pattern): a date."""

    boxes = _BOXES

    def __init__(self, label=None, validators=None, *, ahead: bool = False, **kwargs):
        super().__init__(label, validators, ahead=ahead, format="%d %m %Y", widget=_DateInput(), **kwargs)

    def _date(self, day: int, month: int, year: int) -> dt.date:
        return dt.date(year, month, day)


class _MonthInput(GovDateInput):
    """The GOV.UK date boxes without the day (the pattern's month and year): a month."""

    def map_gov_params(self, field, **kwargs):
        params = GovFormBase.map_gov_params(self, field, **kwargs)
        month, year = field.raw_data if field.raw_data is not None else (None, None)
        if field.raw_data is None and field.data:
            month, year = str(field.data.month), str(field.data.year)
        params.setdefault("fieldset", {"legend": {"text": field.label.text}})
        error = " govuk-input--error" if field.errors else ""
        params.setdefault(
            "items",
            [
                {
                    "label": "Month",
                    "id": f"{field.name}-month",
                    "name": field.name,
                    "classes": f"govuk-input--width-2{error}",
                    "value": month,
                },
                {
                    "label": "Year",
                    "id": f"{field.name}-year",
                    "name": field.name,
                    "classes": f"govuk-input--width-4{error}",
                    "value": year,
                },
            ],
        )
        return params


class GovMonth(_DateBoxes):
    """Month and year boxes (the GOV.UK date pattern for a month, such as the last month of a run
    of months): ``data`` is the month's first day."""

    boxes = _BOXES[1:]
    noun = "month"
    example = "3 2023"

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%m %Y", widget=_MonthInput(), **kwargs)

    def _date(self, month: int, year: int) -> dt.date:
        return dt.date(year, month, 1)


def date_boxes(day: dt.date) -> list[str]:
    """A date as a ``GovDate``'s three boxes in a link's query string (``from=1&from=4&from=2025``)."""
    return [str(day.day), str(day.month), str(day.year)]


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def iso_dates_as_boxes(args, *names: str) -> MultiDict:
    """The query string of a GET filter with links made before its date boxes still working: a
    date field given one ``YYYY-MM-DD`` value (``from=2025-04-01``) is read as its three boxes.
    Anything else is left as it came, for the field to accept or refuse."""
    out = MultiDict(args)
    for name in names:
        values = out.getlist(name)
        if len(values) == 1 and _ISO_DATE.fullmatch(values[0].strip()):
            try:
                out.setlist(name, date_boxes(dt.date.fromisoformat(values[0].strip())))
            except ValueError:
                pass  # not a real date (2023-02-30): the field says so
    return out


_ISO_MONTH = re.compile(r"([0-9]{4})-([0-9]{1,2})")


def iso_months_as_boxes(args, *names: str) -> MultiDict:
    """As ``iso_dates_as_boxes``, for ``GovMonth`` fields: a month given as one ``YYYY-MM``
    value (``month=2023-03``, the form the board's links and commands use) is read as its two
    boxes. Anything else is left as it came, for the field to accept or refuse."""
    out = MultiDict(args)
    for name in names:
        values = out.getlist(name)
        if len(values) == 1 and (match := _ISO_MONTH.fullmatch(values[0].strip())):
            out.setlist(name, [str(int(match[2])), match[1]])
    return out


def required_date(message: str):
    """A blank date gets ``message``; a date that is not real keeps its own error."""

    def check(form, field):
        if field.data is None and not field.errors:
            raise ValidationError(message)

    return check


def reference(what: str):
    """A validator for an id typed into a form whose operation does not check it itself
    (``checks.reference``: letters, numbers, ``.``, ``_`` and ``-``, up to 40)."""

    def check(form, field):
        try:
            checks.reference(field.data, field.name, what)
        except DomainError as exc:
            raise ValidationError(exc.message) from None

    return check


def storable_date(*, ahead: bool = False):
    """A validator for a date field other than ``GovDate`` (which applies it itself): a date
    outside the accepted range is refused (``checks.date_storable``)."""

    def check(form, field):
        try:
            checks.date_storable(field.data, field.name, field.label.text, ahead=ahead)
        except DomainError as exc:
            raise ValidationError(exc.message) from None

    return check


def _plain_text(form, field) -> None:
    """Every posted value of the field is plain text (``checks.plain_text``): no NUL or other
    control character; line breaks only in a text area."""
    if field.errors:  # one message per field: the first problem is enough
        return
    what = field.label.text.removesuffix(" (optional)") if field.label else field.name
    for value in field.raw_data or ():
        if isinstance(value, str):
            try:
                checks.plain_text(value, field.name, what, multiline=isinstance(field, TextAreaField))
            except DomainError as exc:
                raise ValidationError(exc.message) from None


class TrackerForm(FlaskForm):
    """The base of every form (``tests/test_input.py`` holds every form class to it): whatever
    the field, a posted value with NUL or another control character is refused with an error
    against that field (``checks.plain_text``), so no such character reaches an operation, a
    query or a page. A refused CSRF token is the form's error ``TOKEN_REFUSED`` (the page shows
    the form again with the input: ``tracker.web.forms.check_csrf``)."""

    def validate(self, extra_validators=None) -> bool:
        extra = {name: [*(extra_validators or {}).get(name, ()), _plain_text] for name in self._fields}
        valid = super().validate(extra)
        token = self._fields.get(self.meta.csrf_field_name) if self.meta.csrf else None
        if token is not None and token.errors:  # Flask-WTF's own messages are for developers
            token.errors = [TOKEN_REFUSED]
        return valid


def refuse_control_characters() -> None:
    """Before every request (``app.before_request``): a query string with NUL or another
    control character is a bad request (400). Pages read their query strings as filters, some
    without a form; no link of the tracker makes one, and PostgreSQL cannot compare such text.
    Posted forms are left to ``TrackerForm``, which shows the problem next to its field."""
    for key, value in request.args.items(multi=True):
        if checks.control_character(key + value, multiline=False) is not None:
            abort(400)


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


# --- editing an existing record: its version (no lost updates) --------------------------------------

INPUT_SKIPPED = ("CSRFTokenField", "SubmitField", "HiddenField", "VersionField")


class VersionField(HiddenField):
    """The version of the record the form changes (``tracker.db.Versioned``), as the page showed it."""


class VersionedForm:
    """Mixin of a form that changes an existing record: it carries the record's ``version``, filled
    from the record when the page is shown and sent back with the post; ``tracker.web.forms.submit``
    (given ``record=``) refuses a stale one and shows the conflict (``conflict``, set then).

    ``record_values(record)`` gives the record as it is now in this form's terms (field name →
    value) for the conflict page: by default the record's attribute named like each field; a form
    whose fields are named otherwise overrides it."""

    version = VersionField()
    conflict = None

    def record_values(self, record) -> dict:
        return {
            field.short_name: getattr(record, field.short_name)
            for field in self
            if field.type not in INPUT_SKIPPED and hasattr(record, field.short_name)
        }
