"""Forms for children, care periods, reviews, IRO contacts and allocation (GOV.UK widgets).

Forms check the shape of the input (a real date, a known code); the rules (inside a care
period, no overlaps, not in the future) are the operations' and come back as field errors.
A form that changes an existing record carries its version (``VersionedForm``; the forms that
also add a record carry an empty one then).
"""

from __future__ import annotations

import datetime as dt

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from tracker.core.forms import GovDate, TrackerForm, VersionedForm, choices, required_date
from tracker.formatters import format_date
from tracker.reviews import queries, rules903
from tracker.reviews.models import NOT_KNOWN_LABEL, ContactType, LegalStatus, ParticipationCode


def participation_choices(*, codes=None, not_known: bool = True):
    codes = ParticipationCode.codes() if codes is None else codes
    return choices(
        ([("", NOT_KNOWN_LABEL)] if not_known else []) + [(c, f"{c}: {ParticipationCode(c).label}") for c in codes]
    )


class ReviewForm(VersionedForm, TrackerForm):
    review_date = GovDate("Date the review was held", validators=[required_date("Enter the date the review was held")])
    officer_id = SelectField("QARO who chaired the review", widget=GovSelect(), validators=[Optional()], choices=[])
    participation_code = RadioField(
        "How did the child participate?",
        widget=GovRadioInput(),
        choices=participation_choices,
        default="",
        validators=[Optional()],
        validate_choice=False,  # the DfE's rules (operations.check_participation) say what is wrong
    )
    advocate = BooleanField("An advocate was involved", widget=GovCheckboxInput())
    recommendations_date = GovDate(
        "Date recommendations were issued (optional)",
        description="Leave blank if the recommendations have not been issued yet",
    )
    minutes_date = GovDate(
        "Date the full minutes were completed (optional)",
        description="Leave blank if the minutes have not been completed yet",
    )
    submit = SubmitField("Save review", widget=GovSubmitInput())

    def offer_codes(self, date_of_birth: dt.date, today: dt.date) -> None:
        """Offer the codes the DfE's rules allow for the child on the review date entered (else
        today): PN0 under 4, PN1–PN7 from 4; "Not known" only while the collection year is open."""
        held = self.review_date.data if isinstance(self.review_date.data, dt.date) else today
        codes = rules903.participation_choices_for(date_of_birth, held)
        open_year = not rules903.is_closed(rules903.year_of(held), today)
        self.participation_code.choices = participation_choices(codes=codes, not_known=open_year)
        birthday = rules903.fourth_birthday(date_of_birth)
        self.participation_code.description = (
            f"PN0 is for a child under 4 on the review date, PN1 to PN7 from 4: this child "
            f"{'turned' if birthday <= today else 'turns'} 4 on {format_date(birthday)}."
            + ("" if open_year else " The DfE's return needs a code for a review of a year that has ended.")
        )


class ContactForm(VersionedForm, TrackerForm):
    contact_date = GovDate("Date of the contact", validators=[required_date("Enter the date of the contact")])
    contact_type = RadioField(
        "Type of contact",
        widget=GovRadioInput(),
        choices=ContactType.choices(),
        validators=[InputRequired(message="Select the type of contact")],
    )
    officer_id = SelectField("QARO", widget=GovSelect(), validators=[Optional()], choices=[])
    submit = SubmitField("Save contact", widget=GovSubmitInput())


class CarePeriodForm(VersionedForm, TrackerForm):
    start_date = GovDate(
        "Date the care period started", validators=[required_date("Enter the date the care period started")]
    )
    end_date = GovDate(
        "Date the care period ended (optional)", description="Leave blank if the child is still looked after"
    )
    legal_status = SelectField(
        "Legal status",
        widget=GovSelect(),
        validators=[Optional()],
        choices=LegalStatus.choices(blank="Not recorded"),
    )
    submit = SubmitField("Save care period", widget=GovSubmitInput())


class ChildForm(VersionedForm, TrackerForm):
    child_id = StringField(
        "Child's reference",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the child's reference"), Length(max=40)],
        description="The reference from the council's case system",
    )
    first_name = StringField("First name", widget=GovTextInput(), validators=[Optional(), Length(max=100)])
    last_name = StringField("Last name", widget=GovTextInput(), validators=[Optional(), Length(max=100)])
    date_of_birth = GovDate("Date of birth", validators=[required_date("Enter the date of birth")])
    gender = StringField("Gender (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=40)])
    ethnicity = StringField("Ethnicity (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=100)])
    uasc = BooleanField("Unaccompanied asylum-seeking child (UASC)", widget=GovCheckboxInput())
    iro_contact_expected = BooleanField(
        "IRO contact with the child is expected", widget=GovCheckboxInput(), default=True
    )
    submit = SubmitField("Save child", widget=GovSubmitInput())


class AllocateForm(VersionedForm, TrackerForm):
    officer_id = SelectField("Allocated QARO", widget=GovSelect(), validators=[Optional()], choices=[])
    submit = SubmitField("Save allocation", widget=GovSubmitInput())

    def record_values(self, child) -> dict:
        return {"officer_id": child.iro_officer_id}


class SearchForm(TrackerForm):
    """Posted, not a query string: names stay out of URLs and logs."""

    q = StringField("Search by name or reference", widget=GovTextInput(), validators=[Optional(), Length(max=100)])
    submit = SubmitField("Search", widget=GovSubmitInput())


class RemoveForm(VersionedForm, TrackerForm):
    """Remove a review, an IRO contact or a care period recorded by mistake: the reason is
    required (by the operation, whose message names what is removed) and kept with the record
    and in the audit row of the removal."""

    reason = TextAreaField(
        "Why is it being removed?",
        widget=GovTextArea(),
        description="For example, it was recorded twice or against the wrong child. "
        "The IRO manager will still see it, with who removed it, when and why.",
        validators=[Optional(), Length(max=2000)],
    )
    submit = SubmitField("Remove", widget=GovSubmitInput())


class PlanReviewForm(VersionedForm, TrackerForm):
    """The date the QARO plans to hold the child's next review (the due date stays the statutory one)."""

    planned_review_date = GovDate(
        "Planned date of the next review",
        ahead=True,
        description="Leave blank to remove the planned date",
    )
    submit = SubmitField("Save planned date", widget=GovSubmitInput())


def officer_choices(blank: str, current: str | None = None):
    """The active QAROs and IRO managers; ``current`` (the officer a record already names) is
    kept as a choice when it is not one of them any more, so saving the form keeps it."""
    officers = queries.qaro_choices()
    if current and current not in {officer_id for officer_id, _label in officers}:
        name = queries.officer_names([current]).get(current)
        officers.append((current, f"{name} ({current})" if name else current))
    return choices([("", blank)] + officers)


class CollectionYearForm(TrackerForm):
    """The SSDA903 collection year of the 903 checks page (``?year=2023``: the year ending 31 March
    2023); the years offered run from this one back to the earliest review's."""

    class Meta:
        csrf = False

    year = SelectField("Collection year", widget=GovSelect(), validators=[Optional()], choices=[])
    submit = SubmitField("Show year", widget=GovSubmitInput())

    def offer_years(self, latest: int, earliest: int, default: int) -> int:
        """Fill the choices; the year asked for when it is one of them, else ``default``."""
        years = list(range(latest, min(earliest, default) - 1, -1))
        self.year.choices = choices(
            (str(y), f"{rules903.year_label(y)} (1 April {y - 1} to 31 March {y})") for y in years
        )
        chosen = int(self.year.data) if (self.year.data or "").isdigit() and int(self.year.data) in years else default
        self.year.data = str(chosen)
        return chosen
