"""Forms for user administration and the audit log filter (GOV.UK Frontend widgets)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovPasswordInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length, Optional, Regexp, ValidationError

from tracker.auth import passwords
from tracker.core.forms import GovDate, TrackerForm, VersionedForm, choices, reference
from tracker.core.permissions import Role


class UserDetailsFields(TrackerForm):
    """A user's details: typed when the user is added, corrected later (``UserDetailsForm``)."""

    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired(message="Enter an email address"),
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                message="Enter an email address in the correct format, like name@example.org",
            ),
            Length(max=254),
        ],
        description="The user signs in with it",
    )
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[InputRequired(message="Enter the user's full name"), Length(max=200)],
    )
    officer_id = StringField(
        "Officer ID (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=40), reference("The officer ID")],
        description="The id the council's case files use for this officer, for example Q7",
    )
    team = StringField("Team (optional)", widget=GovTextInput(), validators=[Optional(), Length(max=100)])


class UserForm(UserDetailsFields):
    roles = SelectMultipleField(
        "Roles", widget=GovCheckboxesInput(), choices=Role.choices(), description="Select all that apply"
    )
    password = PasswordField(
        "Initial password",
        widget=GovPasswordInput(),
        validators=[InputRequired(message="Enter an initial password"), Length(max=passwords.MAX_LENGTH)],
        description=f"{passwords.HINT} Give it to the user by a secure route.",
    )
    password_confirm = PasswordField(
        "Confirm the password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired(message="Enter the password again"),
            EqualTo("password", message="The passwords do not match"),
        ],
    )
    submit = SubmitField("Add user", widget=GovSubmitInput())


class UserDetailsForm(VersionedForm, UserDetailsFields):
    """An administrator corrects a user's name, email address, officer ID and team."""

    submit = SubmitField("Save details", widget=GovSubmitInput())


class RolesForm(VersionedForm, TrackerForm):
    roles = SelectMultipleField(
        "Roles",
        widget=GovCheckboxesInput(),
        choices=Role.choices(),
        description="Select all that apply. A user with no roles can sign in but see nothing.",
    )
    submit = SubmitField("Save roles", widget=GovSubmitInput())

    def record_values(self, user) -> dict:
        return {"roles": user.role_codes}


class StatusForm(VersionedForm, TrackerForm):
    submit = SubmitField("Save", widget=GovSubmitInput())


class ResetPasswordForm(VersionedForm, TrackerForm):
    """An administrator resets a user's password to a temporary one (shown once)."""

    submit = SubmitField("Reset password", widget=GovSubmitInput())


class UnlockForm(TrackerForm):
    """An administrator lifts the sign-in locks on an account. Not versioned: a lock is not part of
    the user's record (it is the throttle's reading of the audit log), and lifting locks that have
    run out or were lifted meanwhile does nothing."""

    submit = SubmitField("Unlock sign-in", widget=GovSubmitInput())


class UserSearchForm(TrackerForm):
    """Posted (not a query string) so that names and emails never appear in URLs or logs."""

    q = StringField("Search by name or email", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    role = SelectField("Role", widget=GovSelect(), validators=[Optional()], choices=Role.choices(blank="Any role"))
    submit = SubmitField("Search", widget=GovSubmitInput())


class AuditFilterForm(TrackerForm):
    """A GET form: its values are codes and ids, never personal data."""

    class Meta:
        csrf = False

    action = SelectField("Action", widget=GovSelect(), validators=[Optional()], choices=choices([("", "Any action")]))
    actor = SelectField("Who", widget=GovSelect(), validators=[Optional()], choices=choices([("", "Anyone")]))
    object_type = SelectField(
        "Record type", widget=GovSelect(), validators=[Optional()], choices=choices([("", "Any type")])
    )
    object_id = StringField("Record ID", widget=GovTextInput(), validators=[Optional(), Length(max=80)])
    # GOV.UK date boxes (a link's ``date_from=2026-01-31`` still works: ``iso_dates_as_boxes``)
    date_from = GovDate("From (optional)", ahead=True)
    date_to = GovDate("To (optional)", ahead=True)
    submit = SubmitField("Filter", widget=GovSubmitInput())

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The 'to' date must be the same as or after the 'from' date")
