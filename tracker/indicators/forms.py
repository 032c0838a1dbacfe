"""The indicator pages' filters: GET forms of dates and an indicator id, never personal data.

The period's query arguments keep the names links have always used, ``from`` and ``to`` (each
now three GOV.UK date boxes sharing the name; a link's single ``from=2025-04-01`` still works,
``tracker.core.forms.iso_dates_as_boxes``)."""

from __future__ import annotations

import datetime as dt

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField
from wtforms.validators import Optional, ValidationError

from tracker.core import checks, kpis
from tracker.core.clock import today
from tracker.core.forms import GovDate, GovMonth, TrackerForm
from tracker.formatters import format_month


class PeriodForm(TrackerForm):
    """The indicators page's period: blank boxes are this financial year to date's ends."""

    class Meta:
        csrf = False

    start = GovDate("Start date", name="from", ahead=True)
    end = GovDate("End date", name="to", ahead=True)
    submit = SubmitField("Show figures", widget=GovSubmitInput())

    def validate_end(self, field):
        if self.start.errors or field.errors:
            return
        default = kpis.year_to_date(today())
        if (field.data or default.end) < (self.start.data or default.start):
            raise ValidationError("The end date must be the same as or after the start date")

    def period(self) -> kpis.Period:
        """The period asked for (when the form is valid), as of its last day."""
        default = kpis.year_to_date(today())
        start, end = self.start.data or default.start, self.end.data or default.end
        return kpis.Period(start, end, end)


# The first month of a run of 12 starts no earlier than the first date the tracker accepts.
EARLIEST_LAST_MONTH = dt.date(checks.FIRST_DATE.year, 12, 1)


class MonthlyForm(TrackerForm):
    """The indicators month by month: the last month of the 12, and the indicator charted."""

    class Meta:
        csrf = False

    month = GovMonth("Month ending")
    indicator = SelectField("Indicator in the chart", widget=GovSelect(), validators=[Optional()])
    submit = SubmitField("Show months", widget=GovSubmitInput())

    def validate_month(self, field):
        if field.errors or field.data is None:
            return
        if field.data > today().replace(day=1):
            raise ValidationError("Month ending must be this month or an earlier month")
        if field.data < EARLIEST_LAST_MONTH:
            raise ValidationError(f"Month ending must be {format_month(EARLIEST_LAST_MONTH)} or a later month")
