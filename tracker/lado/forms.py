"""LADO forms (GOV.UK Frontend widgets). Forms check the shape of the input (a real date, a
known code); the rules (not in the future, not before the referral, closed = read-only) are
the operations' and come back as field errors, so the user never loses what they typed.
A form that changes an existing record carries its version (``VersionedForm``); the meeting
form carries an empty one when it adds a meeting."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from tracker.core.forms import CodeRadioField, GovDate, TrackerForm, VersionedForm, choices, required_date
from tracker.lado import matching
from tracker.lado.models import CarerAgency, CarerType, Category, Disposition, MeetingType, Outcome, Sector


class _MatchRadios(GovRadioInput):
    """The choice between the people a contact may be about (``matching``): each person's hint
    (``field.hints``, by value), and ‘or’ before ‘This is a new person’."""

    def map_gov_params(self, field, **kwargs):
        params = super().map_gov_params(field, **kwargs)
        if not (params.get("hint") or {}).get("text"):
            params.pop("hint", None)
        items = []
        for item in params["items"]:
            if item["value"] == matching.NEW_PERSON:
                items.append({"divider": "or"})
            hint = getattr(field, "hints", {}).get(item["value"])
            items.append(item | ({"hint": {"text": hint}} if hint else {}))
        params["items"] = items
        return params


class _ContactFields(TrackerForm):
    """The details of a contact, shared by the quick contact form and the edit form."""

    contact_date = GovDate("Date of the contact", validators=[required_date("Enter the date of the contact")])
    employer_sector = SelectField(
        "Employer sector",
        widget=GovSelect(),
        choices=Sector.choices(blank="Select a sector"),
        validators=[InputRequired(message="Select the employer sector")],
    )
    person_ref = StringField(
        "Person reference (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=40)],
        description="An existing reference, for example P0112, links this contact to earlier ones. "
        "Leave the subject fields blank for an anonymous consultation.",
    )
    person_name = StringField(
        "Name of the person the concern is about (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
    )
    person_dob = GovDate("Their date of birth (optional)")
    subject_role = StringField("Their role (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    organisation_name = StringField(
        "Employer or organisation (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    organisation_ref = StringField(
        "Organisation reference (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=40)]
    )
    referrer_agency = StringField(
        "Referring agency (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    categories = SelectMultipleField(
        "Concern categories (optional)",
        widget=GovCheckboxesInput(),
        choices=Category.choices(),
        description="Select all that apply",
    )
    foster_carer_type = SelectField(
        "Foster carer type (foster carers only)",
        widget=GovSelect(),
        choices=CarerType.choices(blank="Not a foster carer"),
        validators=[Optional()],
    )
    foster_carer_agency = SelectField(
        "Foster carer’s agency (foster carers only)",
        widget=GovSelect(),
        choices=CarerAgency.choices(blank="Not a foster carer"),
        validators=[Optional()],
    )
    summary = TextAreaField("Summary (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=5000)])
    # When a new person would be created, the people already known who may be them are offered
    # (``matching.PossibleMatches``): the view sets the choices (public ids, and ``NEW_PERSON``)
    # and ``offered``, the public ids shown; the operation checks the choice.
    person_match = RadioField(
        "Is the contact about one of these people?",
        widget=_MatchRadios(),
        choices=[],
        validators=[Optional(), Length(max=40)],
        validate_choice=False,
    )
    offered = HiddenField(validators=[Optional(), Length(max=1000)])

    def details(self) -> dict:
        """The contact's details as the operations take them (log_contact, update_contact), with
        the choice made among possible matches (``matching.SubjectChoice``)."""
        return dict(
            contact_date=self.contact_date.data,
            employer_sector=self.employer_sector.data,
            referrer_agency=self.referrer_agency.data,
            subject_role=self.subject_role.data,
            person_ref=self.person_ref.data,
            person_name=self.person_name.data,
            person_dob=self.person_dob.data,
            organisation_ref=self.organisation_ref.data,
            organisation_name=self.organisation_name.data,
            categories=self.categories.data or [],
            foster_carer_type=self.foster_carer_type.data or None,
            foster_carer_agency=self.foster_carer_agency.data or None,
            summary=self.summary.data or "",
            subject_choice=matching.SubjectChoice.of(self.person_match.data, self.offered.data),
        )


class ContactForm(_ContactFields):
    """The quick contact form: date, sector and disposition are all that is required."""

    disposition = RadioField(
        "What happens next",
        widget=GovRadioInput(),
        choices=Disposition.choices(),
        validators=[InputRequired(message="Select what happens next")],
        description="‘Referral’ starts the allegations process at once, dated the day of the contact.",
    )
    submit = SubmitField("Save contact", widget=GovSubmitInput())


class ReferralForm(VersionedForm, TrackerForm):
    referral_date = GovDate("Date of the referral", validators=[required_date("Enter the date of the referral")])
    police_investigation = BooleanField("The police are investigating", widget=GovCheckboxInput())
    submit = SubmitField("Progress to a referral", widget=GovSubmitInput())


class MeetingForm(VersionedForm, TrackerForm):
    meeting_type = RadioField(
        "Type of meeting",
        widget=GovRadioInput(),
        choices=MeetingType.choices(),
        validators=[InputRequired(message="Select the type of meeting")],
    )
    meeting_date = GovDate(
        "Date of the meeting",
        validators=[required_date("Enter the date of the meeting")],
        ahead=True,
        description="A future date schedules the meeting.",
    )
    attendees = TextAreaField("Attendees (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=5000)])
    minutes_notes = TextAreaField(
        "Minutes (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=20000)]
    )
    decisions = TextAreaField("Decisions (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=5000)])
    # asked when the IEM or PAIM is later than its deadline (the page reveals it under that type);
    # the edit page drops it
    late_reason = TextAreaField(
        "Reason for the delay",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000)],
        description="For example, waiting for the police or for the employer’s investigation.",
    )
    submit = SubmitField("Save meeting", widget=GovSubmitInput())


class OutcomeForm(VersionedForm, TrackerForm):
    outcome = CodeRadioField("Outcome", codes=Outcome, validators=[InputRequired(message="Select the outcome")])
    outcome_date = GovDate("Date of the outcome", validators=[required_date("Enter the date of the outcome")])
    child_informed = BooleanField("The child has been told the outcome", widget=GovCheckboxInput())
    # asked when the referral has no IEM on or before the outcome (revealed by the box)
    no_iem = BooleanField("No Initial Evaluation Meeting was held", widget=GovCheckboxInput())
    no_iem_reason = TextAreaField(
        "Why was no IEM held?", widget=GovTextArea(), validators=[Optional(), Length(max=2000)]
    )
    # asked once the outcome's timescale has passed
    outcome_late_reason = TextAreaField(
        "Reason for the delay",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000)],
        description="For example, waiting for the police or for the employer’s investigation.",
    )
    submit = SubmitField("Save outcome", widget=GovSubmitInput())


class DbsForm(VersionedForm, TrackerForm):
    dbs_referral_date = GovDate(
        "Date of the referral to the DBS", validators=[required_date("Enter the date of the referral to the DBS")]
    )
    submit = SubmitField("Save DBS referral", widget=GovSubmitInput())


class ReferralDetailsForm(VersionedForm, TrackerForm):
    police_investigation = BooleanField("The police are investigating", widget=GovCheckboxInput())
    child_informed = BooleanField("The child has been told the outcome", widget=GovCheckboxInput())
    returned_to_panel = BooleanField("The foster carer has been returned to fostering panel", widget=GovCheckboxInput())
    # the LADO officers (the view's choices); that the one chosen is one is the operation's rule,
    # whose message a stale or forged choice gets
    officer_id = SelectField(
        "Allocated LADO officer",
        widget=GovSelect(),
        choices=[],
        validators=[Optional(), Length(max=40)],
        validate_choice=False,
    )
    submit = SubmitField("Save details", widget=GovSubmitInput())


class CloseForm(VersionedForm, TrackerForm):
    """The date and the closing checklist (the page lists the outcome first; ``returned_to_panel``
    is dropped by the view unless the subject is the council's own foster carer)."""

    closed_date = GovDate(
        "Date LADO involvement was concluded",
        validators=[required_date("Enter the date LADO involvement was concluded")],
    )
    dbs_considered = BooleanField("A referral to the DBS has been considered", widget=GovCheckboxInput())
    child_informed = BooleanField("The child or family has been told the outcome", widget=GovCheckboxInput())
    returned_to_panel = BooleanField("The foster carer has been returned to fostering panel", widget=GovCheckboxInput())
    submit = SubmitField("Close the referral", widget=GovSubmitInput())


class RemoveForm(TrackerForm):
    """Remove a meeting or an action recorded by mistake (kept for the LADO manager, with the reason)."""

    reason = TextAreaField(
        "Why is it being removed?",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000)],  # required by the operation, whose message names what
        description="For example, recorded on the wrong referral, or recorded twice.",
    )
    submit = SubmitField("Remove", widget=GovSubmitInput())


class ReopenForm(VersionedForm, TrackerForm):
    reason = TextAreaField(
        "Why is the referral being re-opened?",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter why the referral is being re-opened"), Length(max=2000)],
    )
    submit = SubmitField("Re-open the referral", widget=GovSubmitInput())


class ActionForm(TrackerForm):
    """An action: what needs doing, who does it (free text) and the LADO who chases it (the view's
    choices: the referral's LADO first, then the LADO officers; that the one chosen is a LADO
    officer is the operation's rule)."""

    description = TextAreaField(
        "What needs doing",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter what needs doing"), Length(max=5000)],
    )
    owner = StringField(
        "Who does it (for example the employer)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
        description="Optional. A person, an organisation or a team",
    )
    due_date = GovDate("Due date (optional)", ahead=True)
    chaser_officer_id = SelectField(
        "LADO who chases it",
        widget=GovSelect(),
        choices=[],
        validators=[Optional(), Length(max=40)],
        validate_choice=False,
        description="Its deadline is on this LADO’s worklist. The referral’s LADO follows the referral "
        "if it is allocated to someone else.",
    )
    submit = SubmitField("Add action", widget=GovSubmitInput())


class ActionEditForm(VersionedForm, ActionForm):
    """An action corrected: the questions of ``ActionForm``, with the version it was opened at."""

    submit = SubmitField("Save action", widget=GovSubmitInput())


class CompleteActionForm(VersionedForm, TrackerForm):
    completed_date = GovDate("Date completed", validators=[required_date("Enter the date the action was completed")])
    submit = SubmitField("Mark as completed", widget=GovSubmitInput())


class ReviewActionForm(VersionedForm, TrackerForm):
    notes = TextAreaField(
        "Quarterly review notes",
        widget=GovTextArea(),
        validators=[InputRequired(message="Enter the review notes"), Length(max=5000)],
    )
    submit = SubmitField("Add review notes", widget=GovSubmitInput())

    def record_values(self, action) -> dict:
        return {"notes": action.review_notes}


class PersonForm(VersionedForm, TrackerForm):
    name = StringField("Name (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    other_names = TextAreaField(
        "Other names they are known by (optional)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=5000)],
        description="One a line: a maiden or married name, a spelling used by a referrer",
    )
    date_of_birth = GovDate("Date of birth (optional)", description="Used for the retention date")
    identifiers = TextAreaField(
        "Identifiers (optional)",
        widget=GovTextArea(),
        validators=[Optional(), Length(max=2000)],
        description="For example a staff number, a DBS certificate number or a teacher reference number",
    )
    notes = TextAreaField("Notes (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=5000)])
    submit = SubmitField("Save person", widget=GovSubmitInput())


class MergeForm(VersionedForm, TrackerForm):
    """A LADO manager merges this person and another record of the same person (the view sets
    the possible duplicates as the choices of ``duplicate``; a reference may be typed instead)."""

    duplicate = RadioField(
        "Which person is the same as this one?",
        widget=GovRadioInput(),
        choices=[],
        validators=[Optional(), Length(max=40)],
        validate_choice=False,
    )
    other_ref = StringField(
        "Or the reference of another person (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=40)],
    )
    keep = RadioField(
        "Which record is kept?",
        widget=GovRadioInput(),
        choices=choices([("this", "This person: the other one is merged into it"), ("other", "The other person")]),
        validators=[InputRequired(message="Select which record is kept")],
    )
    submit = SubmitField("Merge the two records", widget=GovSubmitInput())


class OrganisationForm(TrackerForm):
    """An organisation's name, sector and URN (``lado_organisations`` has no version column: the
    last save wins)."""

    name = StringField("Name (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    sector = SelectField(
        "Sector (optional)",
        widget=GovSelect(),
        choices=Sector.choices(blank="Not recorded"),
        validators=[Optional()],
    )
    urn = StringField(
        "URN (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=20)],
        description="A school’s unique reference number, or an Ofsted or registration number",
    )
    submit = SubmitField("Save organisation", widget=GovSubmitInput())


class _GetForm(TrackerForm):
    class Meta:
        csrf = False  # read-only GET filters


class ContactFilterForm(_GetForm):
    date_from = GovDate("From (optional)", ahead=True)
    date_to = GovDate("To (optional)", ahead=True)
    sector = SelectField(
        "Employer sector", widget=GovSelect(), choices=Sector.choices(blank="Any sector"), validators=[Optional()]
    )
    disposition = SelectField(
        "Disposition", widget=GovSelect(), choices=Disposition.choices(blank="Any disposition"), validators=[Optional()]
    )
    submit = SubmitField("Filter", widget=GovSubmitInput())


UNALLOCATED = "-"  # the oversight's officer filter: items nobody is allocated (never an officer id)
ANY_STATE = "any"


class OversightFilterForm(_GetForm):
    """The LADO oversight's filters (codes and officer ids, never personal data): the view gives
    the choices — LADO staff, the LADO due-item kinds, the due states."""

    officer = SelectField("LADO officer", widget=GovSelect(), choices=[], validators=[Optional()])
    state = SelectField("Status", widget=GovSelect(), choices=[], validators=[Optional()])
    kind = SelectField("Type of item", widget=GovSelect(), choices=[], validators=[Optional()])
    submit = SubmitField("Filter", widget=GovSubmitInput())


class SearchForm(TrackerForm):
    """Posted (with CSRF), never sent as a GET query: names and dates of birth stay out of
    URLs, browser history and server logs. The view keeps the criteria in the session."""

    name = StringField("Name or person reference", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    date_of_birth = GovDate("Date of birth")
    organisation = StringField(
        "Organisation name or reference", widget=GovTextInput(), validators=[Optional(), Length(max=200)]
    )
    submit = SubmitField("Search", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not (
            (self.name.data or "").strip() or self.date_of_birth.data or (self.organisation.data or "").strip()
        ):
            self.name.errors = list(self.name.errors) + ["Enter a name, a date of birth or an organisation"]
            return False
        return ok


class ActionFilterForm(TrackerForm):
    """Posted and kept in the session like the search (it was once a free-text owner, which may be
    a person's name); filters by the LADO who chases the action (the view's choices: LADO staff)."""

    view = RadioField(
        "Show",
        widget=GovRadioInput(),
        choices=choices([("open", "Open actions"), ("overdue", "Overdue actions")]),
        default="open",
        validators=[Optional()],
    )
    chaser = SelectField(
        "LADO who chases it",
        widget=GovSelect(),
        choices=choices([("", "Any LADO")]),
        validators=[Optional()],
    )
    submit = SubmitField("Show actions", widget=GovSubmitInput())


class AllocateReferralForm(TrackerForm):
    """One row of the LADO manager's "To allocate" queue (the view gives each row's form its
    referral as ``prefix``, so ids stay unique). The choices are the view's LADO officers; that the
    one chosen is one, and that the referral is still waiting, are the operation's rules."""

    officer_id = SelectField(
        "Allocate to",
        widget=GovSelect(),
        choices=[],
        validators=[Optional(), Length(max=40)],
        validate_choice=False,
    )
    submit = SubmitField("Allocate", widget=GovSubmitInput())


def _non_referral_dispositions() -> list[SelectChoice]:
    return Disposition.choices(members=[d for d in Disposition if d is not Disposition.referral])


class ContactEditForm(VersionedForm, _ContactFields):
    """A contact's details. The disposition is offered without ‘referral’ (a contact becomes a
    referral through ‘Progress to a referral’); the view removes it when the contact has one."""

    disposition = RadioField(
        "What happens next",
        widget=GovRadioInput(),
        choices=_non_referral_dispositions,
        validators=[InputRequired(message="Select what happens next")],
        description="To start the allegations process, use ‘Progress to a referral’ on the contact page.",
    )
    person_ref = StringField(
        "Person reference (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=40)],
        description="Leave the reference and the name blank for an anonymous consultation. "
        "To change a person’s name or date of birth, use their page.",
    )
    person_name = StringField(
        "Name of a new person (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
        description="Only for a person who is not in the index yet.",
    )
    organisation_name = StringField(
        "Name of a new employer or organisation (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
        description="Only for an organisation without a reference; an existing one with this name is reused.",
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())
